"""Time sitrex.datasets.load_sitrex on a data set the size of the SiTrEx paper's (727 files).

Run:  python benchmarks/load_sitrex.py [--files 727] [--min-frames 100] [--max-frames 400]
                                       [--jobs 1 2] [--repeat 1] [--keep DIR]

A folder in the paper's layout (``<exercise>_json/*.json`` + ``exercise_angles.json``)
is written to a temporary directory with :func:`sitrex.datasets.save_sitrex`.
The poses are real MediaPipe landmarks from ``pushfit.npz`` (x, y, z,
visibility as MediaPipe reports them, like the paper's files, no-person frames
included) when ``../shared/data`` (or ``$SITREX_DATA``) has it, otherwise
random valid poses; the output says which. Each file takes a random clip, a
random start and a random length in [min, max] frames, looping the clip when
it is shorter. The paper's reference loader is stated to take minutes for its
727 files.
"""

from __future__ import annotations

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from sitrex.angles import compute_angles  # noqa: E402
from sitrex.datasets import load_sitrex, save_sitrex  # noqa: E402
from sitrex.io import read_sitrex_json  # noqa: E402
from sitrex.skeleton import Skeleton  # noqa: E402

EXERCISES = {
    "push up": ["left elbow", "right elbow", "left shoulder", "right shoulder", "torso flexion"],
    "squat": ["left knee", "right knee", "left hip", "right hip", "left ankle dorsiflexion",
              "right ankle dorsiflexion"],
    "lunge": ["left knee", "right knee", "left hip", "right hip"],
    "bicep curl": ["left elbow", "right elbow"],
    "shoulder press": ["left elbow", "right elbow", "left frontal shoulder abduction",
                       "right frontal shoulder abduction"],
    "plank": ["left hip", "right hip", "torso flexion"],
    "jumping jack": ["left shoulder", "right shoulder", "left hip", "right hip"],
}


def _pose_source():
    """Real PushFit clips as (frames, 33, 4) arrays, or None."""
    folder = os.environ.get("SITREX_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
    path = Path(folder) / "pushfit.npz"
    if not path.is_file():
        return None, f"random valid poses ({path} not found)"
    with np.load(path) as z:
        lm, off = z["landmarks"], z["offsets"]
    clips = [lm[a:b].astype(np.float64) for a, b in zip(off[:-1], off[1:])]
    return clips, f"real MediaPipe poses from {path} ({len(clips)} clips)"


def _random_clip(rng, n):
    """Random but plausible poses: a jittered standing pose, all landmarks present."""
    base = rng.uniform(0.3, 0.7, size=(33, 3))
    walk = np.cumsum(rng.normal(scale=0.005, size=(n, 33, 3)), axis=0)
    xyz = base + walk
    vis = rng.uniform(0.5, 1.0, size=(n, 33, 1))
    return np.concatenate([xyz, vis], axis=-1)


def build(folder: Path, n_files: int, lo: int, hi: int, seed: int = 0) -> tuple[int, str]:
    rng = np.random.default_rng(seed)
    clips, origin = _pose_source()
    names = list(EXERCISES)
    skeletons, labels = [], []
    for i in range(n_files):
        n = int(rng.integers(lo, hi + 1))
        if clips is None:
            frames = _random_clip(rng, n)
        else:
            clip = clips[int(rng.integers(len(clips)))]
            start = int(rng.integers(len(clip)))
            frames = np.take(clip, np.arange(start, start + n), axis=0, mode="wrap")
        skeletons.append(Skeleton(frames[..., :3], frames[..., 3]))
        labels.append(names[i % len(names)])
    save_sitrex(skeletons, labels, EXERCISES, folder)
    return sum(len(s) for s in skeletons), origin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=727)
    parser.add_argument("--min-frames", type=int, default=100)
    parser.add_argument("--max-frames", type=int, default=400)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2],
                        help="n_jobs values to time (default: 1 2)")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs each; best reported")
    parser.add_argument("--keep", type=Path, help="write the data set here and keep it")
    args = parser.parse_args()

    tmp = None
    if args.keep:
        folder = args.keep
    else:
        tmp = tempfile.mkdtemp(prefix="sitrex_bench_")
        folder = Path(tmp) / "dataset"
    try:
        t0 = time.perf_counter()
        n_frames, origin = build(folder, args.files, args.min_frames, args.max_frames)
        t_write = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in folder.rglob("*.json"))
        print(f"data: {args.files} files, {n_frames:,} frames, {size / 1e6:.0f} MB of JSON, "
              f"{len(EXERCISES)} exercises; {origin}")
        print(f"written by save_sitrex in {t_write:.1f} s (not part of the timing)")
        print(f"numpy {np.__version__}, {os.cpu_count()} CPUs")

        # parts of the work, single process
        files = sorted(folder.glob("*_json/*.json"))
        t0 = time.perf_counter()
        coords = np.concatenate([read_sitrex_json(f).coords for f in files])
        t_parse = time.perf_counter() - t0
        t0 = time.perf_counter()
        compute_angles(coords)
        t_angles = time.perf_counter() - t0
        print(f"breakdown: parsing {t_parse:.2f} s, one compute_angles call {t_angles:.2f} s "
              f"({len(coords) / t_angles:,.0f} frames/s)")

        print(f"{'load_sitrex':<24} {'best s':>8} {'files':>6} {'frames':>9} {'frames/s':>10}")
        for jobs in args.jobs:
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                ds = load_sitrex(folder, progress=False, n_jobs=jobs)
                times.append(time.perf_counter() - t0)
            best = min(times)
            frames = int(ds.extra["n_frames"].sum())
            print(f"{f'n_jobs={jobs}':<24} {best:8.2f} {len(ds):6d} {frames:9,d} "
                  f"{frames / best:10,.0f}")
        print(f"(angle frames after dropping no-person frames: {ds.n_frames:,})")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
