"""Athletes who alternate a movement of both sides (lunges: right, left, right, left), SYNTHETIC.

The real data sets have no lunges; sitrex's synthetic generator has. For each
of ``--seeds`` camera views (yaw drawn in -60..60 degrees, landmark noise 1 cm),
the coach is one correct lunge and the athletes are 4 lunges of other bodies
in one clip, the second and fourth mirrored (the other leg forward): all
correct, the other leg's two lunges shallow, the coach's leg's two shallow
(``shallow_depth`` at full severity), and, as controls, 4 lunges on the
coach's leg and 4 on the other. Each athlete is compared as :func:`sitrex.compare`
does by default (``sides="auto"``: an athlete who alternates has each
repetition compared with the coach on its side,
:func:`sitrex.repetition_sides.repetition_sides`) and side for side
(``sides="same"``). Printed per case and setting: the share of clips found to
alternate, the repetitions counted, the mean score, and the share of the
shallow lunges named (a repetition with an issue) and of the correct ones
named. A symmetric exercise alternated the same way (squats, every second
one mirrored) must never be found to alternate.

    python benchmarks/alternating_lunges.py

Writes ``alternating_lunges.json``. Uses the shipped default comparator.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from other_side import load_comparator, write_results      # this folder's script

ALTERNATING = (False, True, False, True)
#: Per case: which of the 4 lunges are shallow, and which are on the other leg (mirrored).
CASES = {
    "alternating, correct": ((False,) * 4, ALTERNATING),
    "alternating, other leg shallow": ((False, True, False, True), ALTERNATING),
    "alternating, coach's leg shallow": ((True, False, True, False), ALTERNATING),
    "coach's leg only": ((False,) * 4, (False,) * 4),
    "other leg only": ((False,) * 4, (True,) * 4),
}


def lunges(seed: int, exercise: str = "lunge"):
    """7 correct and 7 shallow repetitions of the same bodies and view, on the first one's side."""
    from sitrex.datasets import make_exercise

    view = float(np.random.default_rng(seed).uniform(-60.0, 60.0))
    made = []
    for fault_rate in (0.0, 1.0):
        clips, _, info = make_exercise(7, [exercise], n_reps=1, view=view, noise=0.01,
                                       random_state=100 + seed, return_info=True,
                                       faults=["shallow_depth"], fault_rate=fault_rate,
                                       severity=1.0)
        made.append(clips)
        leads = [i.get("lead_side") for i in info]
    lead = leads[0]
    return [[c if side == lead else c.mirrored() for c, side in zip(clips, leads)]
            for clips in made]


def run_case(comparator, good, bad, shallow, other_leg, sides: str) -> dict:
    import sitrex
    from sitrex.skeleton import concatenate

    parts = [bad[k + 1] if s else good[k + 1] for k, s in enumerate(shallow)]
    athlete = concatenate([c.mirrored() if other else c for c, other in zip(parts, other_leg)])
    report = sitrex.compare(good[0], athlete, comparator, sides=sides)
    named = [bool(fb.issues) for fb in report.repetition_feedback]
    return {"alternates": "side_runs" in report.metadata, "repetitions": len(report.repetitions),
            "score": report.score, "named": named}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comparator", default="default", help="'default' or a .keras file")
    parser.add_argument("--seeds", type=int, default=8, help="camera views (and bodies)")
    parser.add_argument("--json", default="alternating_lunges.json")
    args = parser.parse_args()
    started = time.perf_counter()
    warnings.simplefilter("ignore")
    comparator = load_comparator(args.comparator)
    results: dict = {"cases": {}, "squats": {}}
    views = [lunges(seed) for seed in range(args.seeds)]
    print(f"{'case':34s} {'sides':5s} {'alternates':>10s} {'reps':>5s} {'score':>6s} "
          f"{'shallow named':>13s} {'correct named':>13s}")
    for case, (shallow, other_leg) in CASES.items():
        for sides in ("auto", "same"):
            runs = [run_case(comparator, good, bad, shallow, other_leg, sides)
                    for good, bad in views]
            counted = [r for r in runs if r["repetitions"] == 4]    # named needs 4 repetitions
            flags = np.array([r["named"] for r in counted], bool).reshape(-1, 4)
            mask = np.array(shallow, bool)
            row = {"alternates": float(np.mean([r["alternates"] for r in runs])),
                   "repetitions": float(np.mean([r["repetitions"] for r in runs])),
                   "score": float(np.mean([r["score"] for r in runs])),
                   "shallow_named": float(flags[:, mask].mean()) if mask.any() and len(flags)
                   else float("nan"),
                   "correct_named": float(flags[:, ~mask].mean()) if len(flags) else float("nan"),
                   "clips_with_4_repetitions": len(counted)}
            results["cases"][f"{case} / {sides}"] = row
            print(f"{case:34s} {sides:5s} {row['alternates']:10.2f} {row['repetitions']:5.1f} "
                  f"{row['score']:6.3f} {row['shallow_named']:13.2f} {row['correct_named']:13.2f}")
    found = 0
    for seed in range(args.seeds):
        good, bad = lunges(seed, "squat")
        found += run_case(comparator, good, bad, (False,) * 4, ALTERNATING, "auto")["alternates"]
    results["squats"] = {"clips": args.seeds, "found_to_alternate": found}
    print(f"squats, every second one mirrored: {found} of {args.seeds} found to alternate")
    write_results(results, args.json, started)


if __name__ == "__main__":
    main()
