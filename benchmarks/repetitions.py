"""Does repetition segmentation find the repetitions of real clips?

Real data sets whose clips hold a known number of repetitions:

* ``squat_errors``: every clip is one squat (1,323 clips);
* ``irds``: every clip is one repetition of a rehabilitation gesture (188);
* ``pushfit``: push-up clips of 1 to about 10 repetitions; no counts are given,
  so the script prints the distribution and writes a figure of the driving
  angles of a few clips, to count by eye (``--figure``).

Each clip is cleaned with the default :class:`sitrex.conditioning.Conditioning`
and segmented with :func:`sitrex.repetitions.segment_repetitions` on the
angles that matter for the exercise (the loader's ``exercise_angles``; for an
IRDS gesture, the angles of the limb that moves), exactly as
:func:`sitrex.compare` does with a coach's useful angles.

    python benchmarks/repetitions.py [--figure reps.png] [--json repetitions.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def counts(dataset) -> list[int]:
    from sitrex.conditioning import Conditioning
    from sitrex.exceptions import InputError
    from sitrex.repetitions import segment_repetitions

    out = []
    cleaner = Conditioning()
    for skel, label in zip(dataset.skeletons, dataset.labels):
        angles = cleaner.skeleton(skel).angles(dataset.angle_kind)
        try:
            reps = segment_repetitions(angles, fps=skel.fps, columns=dataset.exercise_angles[label])
        except InputError:
            reps = []
        out.append(len(reps))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("SITREX_DATA")
                        or str(REPO.parent / "shared" / "data"))
    parser.add_argument("--figure", help="PushFit clips' driving angles, to count by eye")
    parser.add_argument("--json", default="repetitions.json")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    from sitrex import datasets

    results = {}
    for name, loader, expected in (("squat_errors", datasets.load_squat_errors, 1),
                                   ("irds", datasets.load_irds, 1),
                                   ("pushfit", datasets.load_pushfit, None)):
        started = time.perf_counter()
        ds = loader(args.data)
        if name == "pushfit":   # clips of unknown frame rate cannot be timed
            keep = np.flatnonzero(np.isfinite(np.asarray(ds.extra["fps"], float)))
            ds = ds.subset(keep)
        found = counts(ds)
        hist = dict(sorted(Counter(found).items()))
        line = f"{name:<13} {len(found)} clips; repetitions found: {hist}"
        if expected is not None:
            share = float(np.mean(np.asarray(found) == expected))
            line += f"; exactly {expected}: {100 * share:.1f}%"
            results[name] = {"clips": len(found), "histogram": hist, "exact": share}
        else:
            results[name] = {"clips": len(found), "histogram": hist}
        print(f"{line} ({time.perf_counter() - started:.0f} s)", flush=True)
        if name == "pushfit" and args.figure:
            figure(ds, found, args.figure)
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
    print(f"wrote {args.json}")


def figure(ds, found, path, n=8) -> None:
    """The push-up angles of `n` clips with the repetitions found, to check by eye."""
    import matplotlib.pyplot as plt

    from sitrex.conditioning import Conditioning
    from sitrex.repetitions import segment_repetitions

    rng = np.random.default_rng(0)
    chosen = rng.choice(len(found), n, replace=False)
    fig, axes = plt.subplots(n // 2, 2, figsize=(12, 2.2 * n // 2), squeeze=False)
    columns = ds.exercise_angles["push-up"]
    for ax, i in zip(axes.ravel(), chosen):
        skel = ds.skeletons[i]
        angles = Conditioning().skeleton(skel).angles()
        reps = segment_repetitions(angles, fps=skel.fps, columns=columns)
        t = np.arange(len(angles)) / skel.fps
        for c in columns:
            ax.plot(t, angles[:, c], lw=0.8)
        for r in reps:
            ax.axvspan(r.start / skel.fps, r.end / skel.fps, color="k", alpha=0.08)
            ax.axvline(r.turn / skel.fps, color="k", lw=0.5)
        ax.set_title(f"clip {i} ({ds.sources[i].split('/')[-1]}): {len(reps)} found", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
