"""Frames per second of sitrex.angles.compute_angles, for each angle kind, on one core.

Run:  python benchmarks/angles.py [--frames 100000] [--repeat 5]

The landmarks are 100 synthetic sequences of 1,000 frames (random poses, so the
numbers do not depend on any data set). The paper's per-frame reference code
does about 4,400 frames/s (unsigned) and 1,100 frames/s (sagittal) on the
project's 2-core machines.
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core, as the target is stated

import time  # noqa: E402

import numpy as np  # noqa: E402

from sitrex.angles import ANGLE_KINDS, compute_angles  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per kind; the best is reported")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    sequences = max(1, args.frames // 1000)
    landmarks = rng.normal(size=(sequences, args.frames // sequences, 33, 3))
    n = landmarks.shape[0] * landmarks.shape[1]
    print(f"{n:,} frames ({sequences} sequences), numpy {np.__version__}, one thread")
    print(f"{'kind':<12} {'best s':>8} {'frames/s':>14}")
    for kind in ANGLE_KINDS:
        compute_angles(landmarks[:1, :10], kind)  # warm-up
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            compute_angles(landmarks, kind)
            times.append(time.perf_counter() - start)
        best = min(times)
        print(f"{kind:<12} {best:8.3f} {n / best:14,.0f}")


if __name__ == "__main__":
    main()
