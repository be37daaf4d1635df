"""Does the repetition comparator's alignment follow the movement on real clips?

The default comparator aligns an athlete's clip onto the coach's first
repetition (:func:`sitrex.alignment.align_cyclic`) before it measures
anything: the learned part reads the athlete's curve on the coach's timeline,
the plots draw it. This script measures how well that alignment keeps the
phase of the movement, per per-frame cost (``cost="values"``, the angles
themselves, each divided by the coach's range, as comparators fitted before
the ``alignment`` parameter did; ``cost="shape"``, the default since).

Protocol, per real data set: coaches are single correct repetitions
(:func:`sitrex.datasets.protocol.one_repetition`) of ``--coaches`` random
correct clips; athletes are ``--athletes`` random clips of the same exercise
by other groups (correct and faulty). Each athlete is aligned as the
comparator aligns it (useful angles of the coach's clip); for each scored
repetition and each of the exercise's relevant angles (squat: knees and
hips; IRDS: the moving limb's angles; PushFit: the elbows), the Pearson
correlation between the athlete's angle and the coach's at the matched
template frames is taken. 1 means the matched frames follow the athlete's
movement exactly; a collapse (every frame matched with one template frame)
gives 0.

    python benchmarks/alignment_phase.py [--coaches 6] [--athletes 15] [--json alignment_phase.json]
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
COSTS = ("values", "shape")
#: Angles whose phase is checked, per data set (IRDS: per gesture, from its loader).
RELEVANT = {"squat_errors": ["left knee", "right knee", "left hip", "right hip"],
            "pushfit": ["left elbow", "right elbow"]}


def phase_correlations(athlete: np.ndarray, profile, columns: list[int]) -> float:
    """Mean correlation of `columns` between the athlete and its matched template frames."""
    from sitrex.estimators._repetition_features import athlete_repetitions
    from sitrex.sequences import interpolate_gaps

    reps = athlete_repetitions(profile, athlete)
    filled = interpolate_gaps(athlete[:, columns], fill_value=0.0)
    out = []
    for start, stop in reps.bounds:
        ours = filled[start:stop]
        theirs = profile.template[reps.match[start:stop]][:, columns]
        for k in range(len(columns)):
            x, y = ours[:, k], theirs[:, k]
            out.append(np.corrcoef(x, y)[0, 1] if x.std() > 0 and y.std() > 0 else 0.0)
    return float(np.mean(out))


def run(name: str, folder: str, n_coaches: int, n_athletes: int, rng) -> dict:
    from sitrex import datasets
    from sitrex.angle_table import ANGLE_NAMES
    from sitrex.datasets.protocol import model_angles, one_repetition, protocol_data
    from sitrex.estimators._repetition_features import coach_profile

    data = protocol_data(name, folder)
    found = {cost: [] for cost in COSTS}
    for coach in rng.permutation(np.flatnonzero(data.correct))[:n_coaches]:
        relevant = RELEVANT.get(name) or datasets.IRDS_GESTURE_ANGLES[str(data.exercises[coach])]
        columns = [ANGLE_NAMES.index(a) for a in relevant]
        angles = model_angles(one_repetition(data.skeletons[int(coach)]))
        profiles = {cost: coach_profile(angles, alignment=cost) for cost in COSTS}
        others = np.flatnonzero((data.groups != data.groups[coach])
                                & (data.exercises == data.exercises[coach]))
        for athlete in rng.permutation(others)[:n_athletes]:
            clip = model_angles(data.skeletons[int(athlete)])
            for cost in COSTS:
                found[cost].append(phase_correlations(clip, profiles[cost], columns))
    return {cost: {"mean": float(np.nanmean(v)), "below_0.5": float(np.mean(np.asarray(v) < 0.5)),
                   "pairs": len(v)} for cost, v in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("SITREX_DATA")
                        or str(REPO.parent / "shared" / "data"))
    parser.add_argument("--datasets", nargs="+", default=["squat_errors", "irds", "pushfit"])
    parser.add_argument("--coaches", type=int, default=6)
    parser.add_argument("--athletes", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default="alignment_phase.json")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    results = {}
    print("phase of the relevant angles after the alignment: mean correlation "
          "(share of pairs below 0.5)")
    for name in args.datasets:
        results[name] = run(name, args.data, args.coaches, args.athletes, rng)
        print(f"{name:13s} " + "  ".join(
            f"{cost} {r['mean']:.3f} ({r['below_0.5']:.2f})" for cost, r in results[name].items())
            + f"  [{results[name]['shape']['pairs']} pairs]")
    results["seconds"] = time.perf_counter() - started
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1)
    print(f"wrote {args.json} ({results['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
