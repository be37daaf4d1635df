"""Athletes who work the other side than the coach, on real recordings: IRDS' left and right gestures.

IRDS records each one-sided gesture twice, once per side ("Elbow Flexion Left"
and "Elbow Flexion Right", ..., and the side taps of a leg). Here the coach is
one correct repetition of one subject's gesture on one side, and the athletes
are other subjects' clips of the *same gesture on the other side*, correct and
incorrect: people who really moved the other limb, not a mirrored copy. Each pair is compared side for side
(``sides="same"``) and as :func:`sitrex.compare` does by default (``"auto"``,
:mod:`sitrex.sides`), and the script prints, per gesture and overall, the share
of athletes compared mirrored, the mean score of the correct athletes, the share
of them scored below the threshold (false alarms) and the ROC-AUC of faulty
against correct where the gesture has faulty clips on that side.

    python benchmarks/other_side.py --comparator build/lodo/irds.keras --coaches 5

Use a comparator trained without IRDS (``--comparator``; the shipped default saw
IRDS in training). Writes ``other_side.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
PAIRS = [("Elbow Flexion Left", "Elbow Flexion Right"),
         ("Shoulder Flexion Left", "Shoulder Flexion Right"),
         ("Shoulder Abduction Left", "Shoulder Abduction Right"),
         ("Side Tap Left", "Side Tap Right")]


def load_comparator(path):
    import sitrex
    from sitrex._model_archive import read_metadata

    if path == "default":
        return sitrex.ExerciseComparator.from_pretrained()
    return getattr(sitrex, read_metadata(path)["class"]).load(path)


def write_results(results: dict, path: str, started: float) -> None:
    """Add the run's seconds to `results`, write them as JSON to `path` and say so."""
    results["seconds"] = time.perf_counter() - started
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
    print(f"wrote {path} ({results['seconds']:.0f} s)")


def auc(labels, scores) -> float:
    from sklearn.metrics import roc_auc_score

    labels = np.asarray(labels, bool)
    if labels.all() or not labels.any():
        return float("nan")
    return float(roc_auc_score(labels, scores))


def run(data, comparator, coach_gesture: str, athlete_gesture: str, args, rng) -> dict:
    import sitrex
    from sitrex.datasets.protocol import coach_input

    gestures, correct, groups = data.exercises, data.correct, data.groups
    coaches = np.flatnonzero((gestures == coach_gesture) & correct)
    athletes = np.flatnonzero(gestures == athlete_gesture)
    rows = {"auto": [], "same": []}
    for coach in rng.permutation(coaches)[:args.coaches]:
        skel = coach_input(data, coach, 1, rng)
        if skel is None:
            continue
        for athlete in athletes[groups[athletes] != groups[coach]]:
            for sides in rows:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        report = sitrex.compare(skel, data.skeletons[athlete], comparator,
                                                sides=sides)
                    except sitrex.InputError as exc:
                        print(f"  skipped coach {coach} athlete {athlete}: {exc}")
                        continue
                rows[sides].append((int(coach), bool(~correct[athlete]), report.score,
                                    bool(report.coach_mirrored), report.threshold))
    out = {}
    for sides, r in rows.items():
        if not r:
            continue
        coach_of, faulty, score, mirrored, threshold = (np.array(c) for c in zip(*r))
        good = ~faulty
        per_coach = [auc(faulty[coach_of == c], 1 - score[coach_of == c])
                     for c in np.unique(coach_of)]
        out[sides] = {"pairs": len(r), "mirrored": float(mirrored.mean()),
                      "correct_score": float(score[good].mean()) if good.any() else None,
                      "false_alarms": float((score[good] < threshold[good]).mean())
                      if good.any() else None,
                      "faulty_pairs": int(faulty.sum()),
                      "auc": float(np.nanmean(per_coach)) if np.isfinite(per_coach).any()
                      else None}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comparator", default="default",
                        help="'default' or a .keras file (one trained without IRDS for one-shot "
                             "figures)")
    parser.add_argument("--coaches", type=int, default=5, help="coaches per gesture and side")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=os.environ.get("SITREX_DATA")
                        or str(REPO.parent / "shared" / "data"))
    parser.add_argument("--json", default="other_side.json")
    args = parser.parse_args()

    from sitrex.datasets.protocol import protocol_data

    started = time.perf_counter()
    data = protocol_data("irds", Path(args.data))
    comparator = load_comparator(args.comparator)
    rng = np.random.default_rng(args.seed)
    results = {"comparator": args.comparator, "gestures": {}}
    print(f"{'coach gesture':<26} {'athletes':<26} {'sides':<5} {'pairs':>5} {'mirrored':>8} "
          f"{'correct score':>13} {'false alarms':>12} {'faulty':>6} {'ROC-AUC':>7}")
    for left, right in PAIRS:
        for coach_g, athlete_g in ((left, right), (right, left)):
            res = run(data, comparator, coach_g, athlete_g, args, rng)
            results["gestures"][f"{coach_g} -> {athlete_g}"] = res
            for sides, r in res.items():
                fmt = (lambda v: "-" if v is None else f"{v:.2f}")
                print(f"{coach_g:<26} {athlete_g:<26} {sides:<5} {r['pairs']:>5} "
                      f"{r['mirrored']:>8.2f} {fmt(r['correct_score']):>13} "
                      f"{fmt(r['false_alarms']):>12} {r['faulty_pairs']:>6} "
                      f"{fmt(r['auc']):>7}", flush=True)
    for sides in ("same", "auto"):
        rows = [r[sides] for r in results["gestures"].values() if sides in r]
        aucs = [r["auc"] for r in rows if r["auc"] is not None]
        alarms = [r["false_alarms"] for r in rows if r["false_alarms"] is not None]
        results[sides] = {"mean_auc": float(np.mean(aucs)) if aucs else None,
                          "mean_false_alarms": float(np.mean(alarms)) if alarms else None}
        print(f"overall, sides={sides!r}: mean ROC-AUC {results[sides]['mean_auc']:.3f} over "
              f"{len(aucs)} gesture directions, false alarms on correct athletes "
              f"{results[sides]['mean_false_alarms']:.2f}")
    write_results(results, args.json, started)


if __name__ == "__main__":
    main()
