"""Per-angle accuracy of ExerciseComparator on Penn Action: 5-fold and one-shot.

Data: the 1,163 exercise clips of Penn Action (../shared/data/penn_action.npz,
8 exercises), unsigned angles. Only measurable angles are used: the two wrist
angles (always NaN on Penn's 13 joints) are dropped, leaving 21; remaining gaps
are interpolated in time per clip, and an angle never measured in a clip is 0
(see penn_for_models below).

* 5-fold over executions (sitrex.model_selection.kfold_score): pairs drawn
  inside each fold, no clip shared between training and test.
* One-shot (sitrex.model_selection.one_shot_score): each exercise held out
  once; test references come from the held-out exercise only.

Reported: mean and standard deviation over folds of the mean per-angle
accuracy (the paper's "binary accuracy"; the paper reports 94.4% +- 0.8 for
5-fold on its own data set).

    python benchmarks/accuracy.py [--epochs 20] [--train-pairs 6400] [--protocol both]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

def penn_for_models(path=None, max_nan_fraction: float = 0.99):  # also used by train/inference
    """Penn Action with only its measurable angles, gaps filled (ExerciseDataset.for_models).

    On Penn (2-D, 13 joints) the two wrist angles, which need hand landmarks
    Penn lacks, are dropped: 21 angles remain. In every clip, each remaining
    angle's NaN frames are interpolated linearly in time; an angle never
    measured in a clip is 0 degrees there.
    """
    from sitrex.datasets import load_penn_action

    return load_penn_action(path, keep_skeletons=False).for_models(max_nan_fraction)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--train-pairs", type=int, default=6400)
    parser.add_argument("--test-pairs", type=int, default=1280)
    parser.add_argument("--max-len", type=int, default=100)
    parser.add_argument("--protocol", choices=("kfold", "one-shot", "both"), default="both")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from sitrex.estimators import ExerciseComparator
    from sitrex.model_selection import kfold_score, one_shot_score

    ds = penn_for_models()
    print(f"{ds}; dropped: {ds.meta['dropped_angles']}")
    est = ExerciseComparator(max_len=args.max_len, epochs=args.epochs, random_state=args.seed,
                             angle_names=ds.angle_names)
    print(est)
    common = dict(n_train_pairs=args.train_pairs, n_test_pairs=args.test_pairs,
                  random_state=args.seed, verbose=1)
    if args.protocol in ("kfold", "both"):
        t = time.perf_counter()
        scores = kfold_score(est, ds, n_splits=5, **common)
        print(f"5-fold over executions: {100 * scores.mean():.1f}% +- {100 * scores.std():.1f} "
              f"(folds: {', '.join(f'{100 * s:.1f}' for s in scores)}) "
              f"[{time.perf_counter() - t:.0f} s]")
    if args.protocol in ("one-shot", "both"):
        t = time.perf_counter()
        scores = one_shot_score(est, ds, **common)
        print(f"one-shot, one exercise held out at a time: {100 * scores.mean():.1f}% +- "
              f"{100 * scores.std():.1f} (folds: {', '.join(f'{100 * s:.1f}' for s in scores)}) "
              f"[{time.perf_counter() - t:.0f} s]")


if __name__ == "__main__":
    main()
