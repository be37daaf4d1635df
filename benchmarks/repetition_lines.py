"""Do a report's repetition lines tell a faulty execution from a correct one, and name its angle?

A report ends with one line per athlete repetition. Two ways of writing it are
set side by side on the real-data benchmark's protocol pairs (the pairs of
``feedback_quality.py``: per task, coaches = one correct repetition of one
group, athletes = faulty and correct clips of the other groups):

* ``range checks``: :func:`sitrex.repetitions.compare_repetitions` alone,
  fixed ratios of the coach's range of motion and extremes in degrees;
* ``judged``: what ``sitrex.compare`` reports, the same checks kept only
  where the comparator's similarity is below the threshold
  (:func:`sitrex.repetitions.judge_repetitions`).

Printed per data set: the share of correct and of faulty athletes whose
repetition lines name an angle (a correct athlete told something is a false
alarm), and the share of faulty athletes whose first named angle is one the
fault moves (squat_errors and IRDS, the data sets with per-fault angles).

    python benchmarks/repetition_lines.py --lodo build/lodo --json repetition_lines.json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def _benchmark():
    spec = importlib.util.spec_from_file_location(
        "feedback_quality", Path(__file__).with_name("feedback_quality.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module               # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _lines(feedback) -> tuple[bool, str | None]:
    """Whether any repetition names an angle, and the first repetition's first named angle."""
    named = any(fb.issues for fb in feedback)
    first = feedback[0].issues[0].angle if feedback and feedback[0].issues else None
    return named, first


def run(name: str, args, fq) -> dict:
    import sitrex
    from sitrex.repetitions import compare_repetitions

    data = fq.load(name, Path(args.data))
    comparator, label = fq.comparator_for(name, args)
    rng = np.random.default_rng(args.seed)
    rows = {"range checks": [], "judged": []}
    for task in data.tasks:
        for coach, athletes in fq.pairs(task, data, args.coaches, args.athletes, rng):
            coach_skeleton = fq.coach_input(data, coach, 1, rng)
            if coach_skeleton is None:
                continue
            for athlete in athletes:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        report = sitrex.compare(coach_skeleton, data.skeletons[athlete],
                                                comparator)
                    except sitrex.InputError:
                        continue
                    try:
                        checks = compare_repetitions(
                            report.coach_angles, report.athlete_angles,
                            angle_names=report.angle_names, columns=report.focus,
                            fps=report.fps, coach_fps=coach_skeleton.fps)
                    except sitrex.InputError:
                        checks = []
                faulty = bool(~data.correct[athlete])
                for kind, feedback in (("range checks", checks),
                                       ("judged", report.repetition_feedback)):
                    named, first = _lines(feedback)
                    rows[kind].append((faulty, named, first is not None and
                                       first in task.expected))
    out = {"comparator": label}
    for kind, values in rows.items():
        v = np.array(values, dtype=bool).reshape(-1, 3)
        faulty = v[:, 0]
        out[kind] = {"correct_named": float(v[~faulty, 1].mean()),
                     "faulty_named": float(v[faulty, 1].mean()),
                     "first_is_fault_angle": float(v[faulty, 2].mean()) if name != "pushfit"
                     else None,
                     "correct": int((~faulty).sum()), "faulty": int(faulty.sum())}
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["squat_errors", "irds", "pushfit"])
    parser.add_argument("--lodo", help="folder of <dataset>.keras comparators trained without it")
    parser.add_argument("--comparator", default="default",
                        help="'default', 'paper' or a .keras file (without --lodo)")
    parser.add_argument("--weights-path", default=str(REPO.parent / "shared" / "weights" /
                                                      "sitrex-paper"))
    parser.add_argument("--coaches", type=int, default=3, help="coaches per task")
    parser.add_argument("--athletes", type=int, default=20, help="athletes per coach")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=os.environ.get("SITREX_DATA")
                        or str(REPO.parent / "shared" / "data"))
    parser.add_argument("--json", default="repetition_lines.json")
    args = parser.parse_args(argv)
    fq = _benchmark()
    result = {"options": vars(args), "datasets": {}}
    print(f"{'data set':13s} {'lines':13s} correct named  faulty named  first is a fault angle")
    for name in args.datasets:
        result["datasets"][name] = r = run(name, args, fq)
        for kind in ("range checks", "judged"):
            x = r[kind]
            first = "-" if x["first_is_fault_angle"] is None else f"{x['first_is_fault_angle']:.2f}"
            print(f"{name:13s} {kind:13s} {x['correct_named']:.2f} ({x['correct']:3d})    "
                  f"{x['faulty_named']:.2f} ({x['faulty']:3d})   {first}")
    from sitrex._atomic import atomic_write

    with atomic_write(args.json, "w") as f:      # no half-written file if interrupted
        json.dump(result, f, indent=1)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
