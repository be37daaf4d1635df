"""Does the verdict survive how a recording was made? Score shifts under recording conditions.

Held-out data come from other capture systems and other people holding the
camera: other frame rates, marker sets without face, hands or feet, landmarks
that flicker, a coach who stands before and after the movement. For protocol
pairs of the real data sets (coach: one correct repetition of one person, cut
as the benchmark cuts it, :func:`sitrex.datasets.protocol.coach_input`;
athlete: a clip of the same exercise by another group), this script applies
each condition and prints, per condition, how many comparisons raised an
error and how far ``report.score`` moved from the pair as recorded (mean,
90th percentile and largest absolute shift).

Conditions (applied to the coach and the athlete unless named otherwise):
``120 Hz``, ``100 Hz``, ``25 Hz``, ``30 Hz`` (:func:`sitrex.datasets.augment.retime`; at the
model's own rate, 30 Hz shows what re-sampling alone does to a clip recorded at 25 fps),
``100 Hz, no rate`` (the same landmarks handed over without their frame rate: sitrex
assumes 30 fps, with a warning),
``markers`` (only shoulders, elbows, wrists, hips, knees and ankles, as a
motion-capture marker set mapped to MediaPipe-33 gives), ``flicker`` (10 % of
the landmarks missing at random), ``lost frames`` (10 % of the frames
empty), ``coach stands`` (3 s standing still before and after the coach's
repetition; the athlete as recorded), ``athlete stands`` (the same for the
athlete).

    python benchmarks/recording_conditions.py --pairs 12 --json conditions.json
"""

from __future__ import annotations

import argparse
import json
import os
import warnings
from pathlib import Path

import numpy as np

from sitrex.datasets.augment import retime

REPO = Path(__file__).resolve().parents[1]
DATASETS = ("irds", "squat_errors", "pushfit")


def _markers(skeleton, rng):
    from sitrex.landmarks import landmark_index

    kept = [landmark_index(f"{side}_{joint}") for side in ("left", "right")
            for joint in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")]
    coords = np.full_like(skeleton.coords, np.nan)
    coords[:, kept] = skeleton.coords[:, kept]
    return skeleton.replace(coords=coords)


def _blanked(skeleton, mask):
    coords = skeleton.coords.copy()
    coords[mask] = np.nan
    return skeleton.replace(coords=coords)


def _standing(skeleton, seconds: float = 3.0):
    n = int(seconds * skeleton.fps)
    return skeleton.replace(coords=np.concatenate([np.repeat(skeleton.coords[:1], n, 0),
                                                   skeleton.coords,
                                                   np.repeat(skeleton.coords[-1:], n, 0)]))


#: name -> (change of the coach, change of the athlete); each takes (skeleton, rng).
CONDITIONS = {
    "120 Hz": (lambda s, r: retime(s, 120.0),) * 2,
    "100 Hz": (lambda s, r: retime(s, 100.0),) * 2,
    "100 Hz, no rate": (lambda s, r: retime(s, 100.0).replace(fps=None),) * 2,
    "25 Hz": (lambda s, r: retime(s, 25.0),) * 2,
    "30 Hz": (lambda s, r: retime(s, 30.0),) * 2,
    "markers": (_markers,) * 2,
    "flicker": (lambda s, r: _blanked(s, r.random(s.coords.shape[:2]) < 0.1),) * 2,
    "lost frames": (lambda s, r: _blanked(s, r.random(s.n_frames) < 0.1),) * 2,
    "coach stands": (lambda s, r: _standing(s), lambda s, r: s),
    "athlete stands": (lambda s, r: s, lambda s, r: _standing(s)),
}


def run(name: str, folder, n_pairs: int, seed: int) -> dict:
    import sitrex
    from sitrex.datasets.protocol import coach_input, protocol_data

    data = protocol_data(name, folder)
    rng = np.random.default_rng(seed)
    correct = np.flatnonzero(data.correct)
    shifts = {c: [] for c in CONDITIONS}
    errors = {c: [] for c in CONDITIONS}
    for _ in range(n_pairs):
        coach_clip = int(rng.choice(correct))
        others = np.flatnonzero((data.groups != data.groups[coach_clip])
                                & (data.exercises == data.exercises[coach_clip]))
        athlete_clip = int(rng.choice(others))
        coach, athlete = coach_input(data, coach_clip, 1, rng), data.skeletons[athlete_clip]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            base = sitrex.compare(coach, athlete).score
            for condition, (change_coach, change_athlete) in CONDITIONS.items():
                try:
                    score = sitrex.compare(change_coach(coach, rng),
                                           change_athlete(athlete, rng)).score
                except Exception as exc:  # noqa: BLE001 - counting every failure is the point
                    errors[condition].append(f"coach {coach_clip}, athlete {athlete_clip}: "
                                             f"{type(exc).__name__}: {exc}")
                    continue
                shifts[condition].append(abs(score - base))
    out = {}
    for condition in CONDITIONS:
        d = np.asarray(shifts[condition])
        out[condition] = {"errors": len(errors[condition]), "first_error": errors[condition][:1],
                          "mean_shift": float(d.mean()) if d.size else None,
                          "p90_shift": float(np.percentile(d, 90)) if d.size else None,
                          "max_shift": float(d.max()) if d.size else None}
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--pairs", type=int, default=12, help="coach/athlete pairs per data set")
    parser.add_argument("--data", default=os.environ.get("SITREX_DATA")
                        or str(REPO.parent / "shared" / "data"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default="recording_conditions.json")
    args = parser.parse_args(argv)
    result = {"pairs": args.pairs, "seed": args.seed, "datasets": {}}
    print(f"{'data set':13s} {'condition':15s} errors   |score shift|: mean    p90    max")
    for name in args.datasets:
        result["datasets"][name] = rows = run(name, args.data, args.pairs, args.seed)
        for condition, r in rows.items():
            figures = ("" if r["mean_shift"] is None else
                       f"{r['mean_shift']:.3f}  {r['p90_shift']:.3f}  {r['max_shift']:.3f}")
            print(f"{name:13s} {condition:15s} {r['errors']:6d}                 {figures}")
            for message in r["first_error"]:
                print(f"{'':29s}first: {message[:200]}")
    from sitrex._atomic import atomic_write

    with atomic_write(args.json, "w") as f:      # no half-written file if interrupted
        json.dump(result, f, indent=1)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
