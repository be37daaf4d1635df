"""Does a report say so when the athlete does not do the coach's movement at all?

The real-data benchmark (``feedback_quality.py``) asks whether sitrex tells a
*faulty* execution of the right exercise from a correct one. This script asks
the coarser question a physiotherapist would check first: an athlete who holds
still, moves the other limb, or does another exercise must not be told that
they match the coach.

On IRDS (rehabilitation gestures, Kinect), per gesture and coach (one correct
repetition of one subject), the athletes are, from the other subjects:

* ``same``: correct executions of the coach's gesture (they should match);
* ``other limb``: correct executions of the mirrored gesture (left for right);
* ``other gesture``: correct executions of the other gestures;
* ``held still``: the ``same`` clips frozen at their first frame.

Printed per kind: the mean ``report.score`` and the share of athletes at or
above the report's threshold (told they match), and the ROC-AUC of the three
wrong kinds against ``same``.

``--training`` prints instead how much of the coach's movement the correct
repetitions of the recipe's training pairs reproduce
(:func:`sitrex.estimators._population_scale.movement_share`), the evidence
behind :data:`~sitrex.estimators._population_scale.MIN_MOVEMENT`.

    python benchmarks/not_the_movement.py --comparator build/lodo/irds.keras
    python benchmarks/not_the_movement.py --training --cache build/cache
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
KINDS = ("same", "other limb", "other gesture", "held still")


def _mirrored(gesture: str) -> str:
    return gesture.replace("Left", "@").replace("Right", "Left").replace("@", "Right")


def athletes(data, coach: int, rng) -> dict[str, list]:
    """The four kinds of athlete clips for `coach` (other subjects only)."""
    gesture, exercises = data.exercises[coach], np.asarray(data.exercises)
    other_subject = np.asarray(data.groups) != data.groups[coach]
    correct = np.asarray(data.correct) & other_subject
    mirrored = _mirrored(gesture)
    same = [data.skeletons[i] for i in np.flatnonzero(correct & (exercises == gesture))[:6]]
    limb = [] if mirrored == gesture else \
        [data.skeletons[i] for i in np.flatnonzero(correct & (exercises == mirrored))[:4]]
    others = rng.permutation(np.flatnonzero(correct & (exercises != gesture)
                                            & (exercises != mirrored)))[:6]
    still = [s.replace(coords=np.repeat(s.coords[:1], s.n_frames, axis=0)) for s in same[:3]]
    return dict(zip(KINDS, (same, limb, [data.skeletons[i] for i in others], still)))


def harness(comparator, folder, seed: int) -> dict:
    import sitrex
    from sklearn.metrics import roc_auc_score
    from sitrex.datasets.protocol import one_repetition, protocol_data

    data = protocol_data("irds", folder)
    rng = np.random.default_rng(seed)
    scores = {k: [] for k in KINDS}
    aucs = []
    for gesture in sorted(set(data.exercises)):
        pool = np.flatnonzero((np.asarray(data.exercises) == gesture) & np.asarray(data.correct))
        for coach in rng.permutation(pool)[:2]:
            reference = one_repetition(data.skeletons[coach])
            mine = {}
            for kind, clips in athletes(data, int(coach), rng).items():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    mine[kind] = [sitrex.compare(reference, clip, comparator).score
                                  for clip in clips]
                scores[kind] += mine[kind]
            wrong = [s for kind in KINDS[1:] for s in mine[kind]]
            if mine["same"] and wrong:
                truth = [0] * len(mine["same"]) + [1] * len(wrong)
                aucs.append(roc_auc_score(truth, [1 - s for s in mine["same"] + wrong]))
    threshold = float(comparator.threshold)
    return {"kinds": {k: {"n": len(v), "mean_score": float(np.mean(v)),
                          "told_match": float(np.mean(np.asarray(v) >= threshold))}
                      for k, v in scores.items() if v},
            "auc_wrong_vs_same": float(np.mean(aucs))}


def training_shares(folder, cache) -> dict:
    from sitrex.datasets.training_pairs import TRAINING_SOURCES, training_pairs
    from sitrex.estimators._population_scale import MIN_MOVEMENT, movement_share
    from sitrex.estimators._repetition_training import repetitions_of

    spec = importlib.util.spec_from_file_location(
        "build_default_comparator", REPO / "scripts" / "build_default_comparator.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    pairs = training_pairs(folder, sources=TRAINING_SOURCES, random_state=build.PAIR_SEED,
                           cache=Path(cache) / "pairs" if cache else None)
    correct = build.recorded_correct(pairs)
    refs, cands = zip(*pairs.X)
    per_pair = repetitions_of(list(refs), list(cands), pairs.sources, n_jobs=2,
                              memory=str(Path(cache) / "features") if cache else None)
    shares = np.concatenate([movement_share(item[1].features, item[0])
                             for item, ok in zip(per_pair, correct)
                             if ok and not isinstance(item, str)])
    return {"correct_repetitions": int(len(shares)),
            "percentiles": {str(p): float(np.percentile(shares, p)) for p in (0.5, 1, 2, 5)},
            "below_min_movement": float(np.mean(shares < MIN_MOVEMENT)),
            "min_movement": MIN_MOVEMENT}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comparator", default="default",
                        help="'default', or a .keras file (e.g. the one-shot build without IRDS)")
    parser.add_argument("--training", action="store_true",
                        help="print the movement shares of the recipe's correct training "
                             "repetitions instead")
    parser.add_argument("--cache", help="the build script's cache folder (with --training)")
    parser.add_argument("--data", default=os.environ.get("SITREX_DATA")
                        or str(REPO.parent / "shared" / "data"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default="not_the_movement.json")
    args = parser.parse_args(argv)
    if args.training:
        result = training_shares(args.data, args.cache)
    else:
        from sitrex.estimators import ExerciseComparator, load_comparator

        comparator = ExerciseComparator.from_pretrained() if args.comparator == "default" \
            else load_comparator(args.comparator)
        result = {"comparator": args.comparator, **harness(comparator, args.data, args.seed)}
    print(json.dumps(result, indent=1))
    from sitrex._atomic import atomic_write

    with atomic_write(args.json, "w") as f:      # no half-written file if interrupted
        json.dump(result, f, indent=1)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
