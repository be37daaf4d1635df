"""Does the feedback report's overall score tell wrong push-ups from correct ones? (PushFit)

Data: the 265 real PushFit clips (../shared/data/pushfit.npz: 140 correct,
125 wrong push-ups, MediaPipe landmarks), unsigned angles. Four clips of
unknown frame rate are left out (261 remain). Every clip is put on one clock,
25 fps (the most common rate), by taking the nearest frame, so NaN (no person)
stays NaN. Only the 13 angles that matter for a push-up
(sitrex.datasets.pushfit.PUSHFIT_EXERCISE_ANGLES) are used, by the model and
by the baseline alike.

Question: with a correct clip as the coach, does the report's overall score
(``sitrex.feedback.compare(coach, athlete, comparator).score``, the mean
per-frame similarity over the useful angles) rank wrong athletes below
correct ones? Measured as ROC-AUC (1 = every wrong athlete scores below every
correct one, 0.5 = chance), per coach.

Protocol (no clip is ever both trained on and evaluated):

* 5-fold cross-validation over clips, stratified by correct / wrong.
* In each fold a comparator is trained on the other four folds only. PushFit
  says only whether a whole clip is correct, not which angle is wrong, so the
  clip labels become per-angle pair targets as follows: a pair's reference is
  a crop of a correct training clip; its candidate is a crop of another
  correct training clip (targets 1 on all 13 angles) or of a wrong one
  (targets 0 on all 13 angles), half and half. Crops are 32-64 frames
  (1.3-2.6 s, one or two push-ups), with 2 degrees of noise.
* Test: up to ``--coaches`` correct clips of the held-out fold are coaches in
  turn; every other clip of the held-out fold is an athlete. One AUC per
  coach; reported: mean and standard deviation over all coaches of all folds.
* Baseline on exactly the same (coach, athlete) pairs: plain dynamic time
  warping on the same 13 angles, ``sitrex.alignment.dtw_distance`` (mean
  Euclidean distance per matched frame pair, NaN-tolerant); a larger
  distance means "wrong".
* The report is computed twice: without alignment (the network compares
  each athlete window with the coach's clip) and with ``align=True`` (each
  athlete window against the coach's movement warped onto it by DTW).

    python benchmarks/feedback_quality.py [--folds 5] [--coaches 5] [--epochs 20] [--seed 0]

A confound, checked: the clips come from several source videos whose format
(frame rate and size) is unevenly split between correct and wrong (e.g. all
23 clips at 29.97 fps 640x360 are wrong, 38 of 46 in 1920x1080 are correct),
and a network might learn the camera rather than the form. Two extra lines
measure it: "video format only" scores each athlete by the share of wrong
clips of its format in the training folds (no movement at all), and the
second table repeats every AUC with only the athletes of the coach's own
format, where the format carries no information.

Caveats: the "wrong" clips mix several faults of unknown kind; PushFit gives
no person or source-video ids, so clips cut from one video of one person may
fall on both sides of a split (which would flatter the trained model, not the
DTW baseline); with ~50 clips per test fold each AUC is noisy (hence the
spread).

Measured (2 busy cores, about 2 minutes, default options):
report score 0.810 +- 0.118, aligned 0.813 +- 0.107, DTW baseline
0.556 +- 0.071, video format only 0.732 +- 0.050; within the coach's video
format: report score 0.815 +- 0.125, aligned 0.761 +- 0.179, DTW 0.607 +- 0.209.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

FPS = 25.0


def load(path=None):
    """PushFit's 13 push-up angles on a 25 fps clock; clips of unknown fps dropped."""
    from sitrex.datasets import load_pushfit

    ds = load_pushfit(path, keep_skeletons=False)
    cols = ds.exercise_angles["push-up"]
    names = [ds.angle_names[i] for i in cols]
    fps, form = ds.extra["fps"], ds.extra["form"]
    keep = np.flatnonzero(np.isfinite(fps))
    seqs = []
    for i in keep:
        seq = ds.sequences[i][:, cols]
        n_out = max(1, int(np.floor(len(seq) / fps[i] * FPS)))
        src = np.minimum(np.round(np.arange(n_out) * fps[i] / FPS).astype(int), len(seq) - 1)
        seqs.append(seq[src])
    source = np.array([f"{fps[i]:.2f} fps {ds.extra['width'][i]}x{ds.extra['height'][i]}"
                       for i in keep])
    return seqs, (form[keep] == "wrong").astype(int), names, source


def training_pairs(seqs, wrong, n_pairs, max_len, rng, noise_std=2.0):
    """(reference, candidate) crops and per-angle targets from clip labels (see the docstring)."""
    from sitrex.sequences import fill_gaps

    filled = fill_gaps(seqs)
    correct = np.flatnonzero(wrong == 0)
    faulty = np.flatnonzero(wrong == 1)
    n_angles = filled[0].shape[1]
    X, y = [], np.zeros((n_pairs, n_angles), dtype=np.float32)

    def crop(seq):
        length = int(rng.integers(max_len // 2, max_len + 1))
        length = min(length, len(seq))
        start = int(rng.integers(0, len(seq) - length + 1))
        out = seq[start:start + length]
        return (out + rng.normal(0.0, noise_std, out.shape)).astype(np.float32)

    for p in range(n_pairs):
        ref = int(rng.choice(correct))
        if rng.random() < 0.5:
            cand = int(rng.choice(faulty))
        else:
            cand = int(rng.choice(correct[correct != ref]))
            y[p] = 1.0
        X.append((crop(filled[ref]), crop(filled[cand])))
    return X, y


def train(seqs, wrong, names, args, seed):
    from sitrex.estimators import ExerciseComparator

    rng = np.random.default_rng(seed)
    X, y = training_pairs(seqs, wrong, args.n_pairs, args.max_len, rng)
    comparator = ExerciseComparator(embed_dim=32, num_heads=2, key_dim=16, ff_dim=64,
                                    head_units=32, patch_size=4, max_len=args.max_len,
                                    epochs=args.epochs, learning_rate=2e-3, angle_names=names,
                                    random_state=seed)
    # one exercise: every angle matters (usefulness targets all 1)
    return comparator.fit(X, y, usefulness=np.ones_like(y))


def auc(labels, values):
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--coaches", type=int, default=5, help="coaches per test fold")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--n-pairs", type=int, default=3000)
    parser.add_argument("--max-len", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=None, help="pushfit.npz or its folder")
    args = parser.parse_args()

    import warnings

    from sklearn.model_selection import StratifiedKFold

    from sitrex.alignment import dtw_distance
    from sitrex.feedback import compare

    warnings.filterwarnings("ignore", category=RuntimeWarning)
    seqs, wrong, names, source = load(args.data)
    print(f"PushFit: {len(seqs)} clips ({int((wrong == 0).sum())} correct, {int(wrong.sum())} "
          f"wrong) at {FPS:g} fps, {len(names)} angles; {args.folds}-fold, up to {args.coaches} "
          f"coaches per fold")
    rng = np.random.default_rng(args.seed)
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
    methods = ("report score", "report score, aligned", "DTW distance (baseline)",
               "video format only (confound)")
    results = {m: [] for m in methods}
    within = {m: [] for m in methods}        # athletes of the coach's own video format only
    started = time.perf_counter()
    for k, (train_idx, test_idx) in enumerate(folds.split(np.zeros(len(seqs)), wrong)):
        t0 = time.perf_counter()
        comparator = train([seqs[i] for i in train_idx], wrong[train_idx], names, args,
                           seed=args.seed * 100 + k)
        fit_s = time.perf_counter() - t0
        coaches = rng.permutation(test_idx[wrong[test_idx] == 0])[:args.coaches]
        # the confound check: P(wrong | video format) on the training folds
        rate = {fmt: wrong[train_idx][source[train_idx] == fmt].mean()
                for fmt in np.unique(source[train_idx])}
        for coach in coaches:
            athletes = test_idx[test_idx != coach]
            plain, aligned, dtw = [], [], []
            for a in athletes:
                options = dict(fps=FPS, useful_angles=names, repetitions=False)
                plain.append(compare(seqs[coach], seqs[a], comparator, **options).score)
                aligned.append(compare(seqs[coach], seqs[a], comparator, align=True,
                                       **options).score)
                dtw.append(dtw_distance(seqs[coach], seqs[a]))
            labels = wrong[athletes]
            # a low similarity (or a large distance) should mean "wrong"
            values = {"report score": -np.nan_to_num(plain, nan=0.5),
                      "report score, aligned": -np.nan_to_num(aligned, nan=0.5),
                      "DTW distance (baseline)": np.asarray(dtw),
                      "video format only (confound)": np.array(
                          [rate.get(source[a], wrong[train_idx].mean()) for a in athletes])}
            same = source[athletes] == source[coach]
            for name, v in values.items():
                results[name].append(auc(labels, v))
                if len(np.unique(labels[same])) == 2:
                    within[name].append(auc(labels[same], v[same]))
        print(f"fold {k + 1}: trained in {fit_s:.0f} s on {len(train_idx)} clips; "
              + "; ".join(f"{name} {np.mean(v[-len(coaches):]):.3f}"
                          for name, v in results.items()), flush=True)
    print(f"\nROC-AUC, wrong vs correct athletes, mean +- sd over {len(results['report score'])} "
          f"coaches ({time.perf_counter() - started:.0f} s):")
    for name, values in results.items():
        v = np.asarray(values)
        print(f"  {name:<30} {v.mean():.3f} +- {v.std():.3f}  (min {v.min():.3f}, max {v.max():.3f})")
    n = len(within["report score"])
    print(f"\nthe same, athletes of the coach's own video format only ({n} coaches with both "
          f"classes there; the format alone then says nothing):")
    for name, values in within.items():
        v = np.asarray(values)
        if n:
            print(f"  {name:<30} {v.mean():.3f} +- {v.std():.3f}")


if __name__ == "__main__":
    main()
