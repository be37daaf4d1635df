"""Does sitrex see a movement that turns a segment about its own axis?

A shoulder external rotation (upper arm by the side, elbow bent at 90
degrees, the forearm sweeping outwards) and a trunk rotation (the shoulders
turning over still hips) move none of the paper's 23 angles much. None of the
shared real data sets holds such a movement, so this script builds them with
:func:`sitrex.datasets.make_rotation_exercise` (random body proportions,
landmark jitter, a random camera yaw), and asks, per movement and
coach (one repetition of one body), how the default comparator scores other
bodies that

* ``correct``: do the movement with 85-115 % of the coach's amplitude;
* ``half``: do it with 40-60 % of it (a reduced range, the commonest fault);
* ``still``: do not do it (the movement's amplitude 0).

Printed per movement and kind: the mean ``report.score``, the share told they
match (score at or above the threshold), the share whose worst angle is the
movement's own (a shoulder or trunk rotation), and the ROC-AUC of each wrong
kind against ``correct``.

    python benchmarks/axial_movements.py                       # the shipped default
    python benchmarks/axial_movements.py --comparator FILE.keras
"""

from __future__ import annotations

import argparse
import json
import warnings

import numpy as np

KINDS = ("correct", "half", "still")
AMPLITUDE = {"correct": (0.85, 1.15), "half": (0.4, 0.6), "still": (0.0, 0.0)}


def run(comparator, n_coaches: int, n_athletes: int) -> dict:
    import sitrex
    from sitrex.datasets import ROTATION_EXERCISES, make_rotation_exercise
    from sklearn.metrics import roc_auc_score

    own = {"shoulder external rotation": ("right shoulder rotation",),
           "trunk rotation": ("trunk rotation",)}
    result = {}
    for m, movement in enumerate(ROTATION_EXERCISES):
        rows = {k: [] for k in KINDS}
        for c in range(n_coaches):
            coach = make_rotation_exercise(movement, 1.0, random_state=1000 * m + c)
            for a in range(n_athletes):
                seed = 10_000 * (m + 1) + 100 * c + a
                for kind in KINDS:
                    low, high = AMPLITUDE[kind]
                    amp = np.random.default_rng(seed).uniform(low, high)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        athlete = make_rotation_exercise(movement, amp, n_reps=2, random_state=seed)
                        report = sitrex.compare(coach, athlete, comparator)
                    worst = report.worst_angles(1)
                    rows[kind].append((report.score, report.score >= report.threshold,
                                       bool(worst) and worst[0] in own[movement]))
        summary = {}
        for kind in KINDS:
            score, match, named = (np.array(col, float) for col in zip(*rows[kind]))
            summary[kind] = {"mean_score": float(score.mean()), "told_match": float(match.mean()),
                             "worst_is_the_rotation": float(named.mean())}
            if kind != "correct":
                good = np.array([r[0] for r in rows["correct"]])
                labels = np.r_[np.zeros(len(good)), np.ones(len(score))]
                summary[kind]["auc_vs_correct"] = float(roc_auc_score(labels, 1.0 - np.r_[good, score]))
        result[movement] = summary
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comparator", help="a sitrex .keras comparator file (default: the shipped one)")
    parser.add_argument("--coaches", type=int, default=4)
    parser.add_argument("--athletes", type=int, default=8)
    parser.add_argument("--json", default="axial_movements.json")
    args = parser.parse_args()
    import sitrex

    if args.comparator:
        from sitrex._model_archive import read_metadata

        comparator = getattr(sitrex, read_metadata(args.comparator)["class"]).load(args.comparator)
    else:
        comparator = sitrex.ExerciseComparator.from_pretrained()
    result = run(comparator, args.coaches, args.athletes)
    for movement, summary in result.items():
        print(movement)
        for kind, row in summary.items():
            extra = f"  AUC vs correct {row['auc_vs_correct']:.3f}" if "auc_vs_correct" in row else ""
            print(f"  {kind:8s} score {row['mean_score']:.3f}  told match {row['told_match']:.2f}  "
                  f"worst is the rotation {row['worst_is_the_rotation']:.2f}{extra}")
    from sitrex._atomic import atomic_write

    with atomic_write(args.json, "w") as f:      # no half-written file if interrupted
        json.dump({"comparator": args.comparator or "default", **result}, f, indent=1)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
