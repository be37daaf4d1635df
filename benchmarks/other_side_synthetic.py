"""Athletes who work the other side, on every exercise of sitrex's synthetic generator.

The real data sets have one-arm gestures (``benchmarks/other_side.py``) but no
movement in which both sides move differently, such as a lunge (front and back
leg). Here each exercise of :func:`sitrex.datasets.make_exercise` (SYNTHETIC
bodies, half of them with an injected fault) gives coaches (correct clips) and
athletes (every other clip), each athlete compared as generated and mirrored
(left and right swapped: the other side), with ``sides="same"`` and with
``sides="auto"`` (the default). The script prints, per exercise and setting, the
ROC-AUC of faulty against correct athletes, the mean score of the correct ones
and the share compared with the coach mirrored, and writes them as JSON.

    python benchmarks/other_side_synthetic.py

Uses the shipped default comparator (``--comparator`` for another .keras file).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from other_side import auc, load_comparator, write_results     # this folder's script


def exercise_rows(exercise: str, comparator, args) -> dict:
    import sitrex
    from sitrex.datasets import make_exercise

    clips, _, info = make_exercise(args.clips, [exercise], n_reps=3, fault_rate=0.5,
                                   random_state=args.seed, return_info=True)
    faulty = np.array([i["fault"] is not None for i in info])
    coaches = np.flatnonzero(~faulty)[:args.coaches]
    out = {}
    for athletes in ("as generated", "mirrored"):
        for sides in ("same", "auto"):
            score, label, mirrored = [], [], []
            for c in coaches:
                for a in range(len(clips)):
                    if a == c:
                        continue
                    athlete = clips[a].mirrored() if athletes == "mirrored" else clips[a]
                    report = sitrex.compare(clips[c], athlete, comparator, sides=sides)
                    score.append(report.score)
                    label.append(faulty[a])
                    mirrored.append(report.coach_mirrored)
            score, label = np.array(score), np.array(label)
            area = auc(label, 1 - score)
            out[f"{athletes}, sides={sides}"] = {
                "auc": None if np.isnan(area) else area,
                "correct_score": float(score[~label].mean()),
                "mirrored": float(np.mean(mirrored)), "pairs": len(score)}
    return out


def main() -> None:
    from sitrex.datasets.synthetic import EXERCISES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comparator", default="default")
    parser.add_argument("--exercises", nargs="+", default=list(EXERCISES), choices=EXERCISES)
    parser.add_argument("--clips", type=int, default=14, help="clips per exercise")
    parser.add_argument("--coaches", type=int, default=2, help="coaches per exercise")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", default="other_side_synthetic.json")
    args = parser.parse_args()

    started = time.perf_counter()
    comparator = load_comparator(args.comparator)
    results = {"comparator": args.comparator, "synthetic": True, "exercises": {}}
    print(f"{'exercise':<16} {'athletes':<13} {'sides':<5} {'ROC-AUC':>7} {'correct score':>13} "
          f"{'mirrored':>8}")
    for exercise in args.exercises:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = exercise_rows(exercise, comparator, args)
        results["exercises"][exercise] = rows
        for setting, r in rows.items():
            athletes, sides = setting.split(", sides=")
            auc = "-" if r["auc"] is None else f"{r['auc']:.2f}"
            print(f"{exercise:<16} {athletes:<13} {sides:<5} {auc:>7} {r['correct_score']:>13.2f} "
                  f"{r['mirrored']:>8.2f}", flush=True)
    write_results(results, args.json, started)


if __name__ == "__main__":
    main()
