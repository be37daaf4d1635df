"""Throughput of video extraction and of compare_many: one process, local processes, Dask workers.

Run:  python benchmarks/scale.py [--shared ../shared] [--copies 2] [--athletes 48]
                                 [--scheduler tcp://host:8786] [--json scale.json]

Two jobs, each run in several ways on the same inputs:

* **extraction**: :func:`sitrex.backends.extract_videos` with MediaPipe lite over
  the three shared videos, ``--copies`` times each (430 frames a copy);
* **compare_many**: :func:`sitrex.compare_many` of ``--athletes`` real push-up
  clips (PushFit landmark files) against one coach clip, with the paper's
  comparator (``sitrex-paper``, from ``<shared>/weights``).

Ways: in this process (``n_jobs=1``); joblib's local worker processes (its
default backend, loky) with ``n_jobs=2``; a Dask ``LocalCluster`` of one and of
two worker processes (one thread each) through ``client=``; and, with
``--scheduler``, an existing Dask cluster. Each way runs each job twice: **cold**
(worker processes start, import sitrex, Keras, MediaPipe, load the model and
compile it) and **warm** (the same workers again, into a new output folder).

Scaling efficiency = warm throughput with two workers / (2 x warm throughput
with one). The machine has 2 cores; MediaPipe and XLA already use more than
one thread in a single process, so two processes cannot double a single
process's speed. The figures are wall-clock times on a machine shared with
other jobs: upper bounds (each line records the machine's load average, which
is about 2 when the two cores are busy with this script alone).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VIDEOS = ("pose2sim_single_cam01.mp4", "pose2sim_single_cam02.mp4", "sports2d_demo.mp4")


def _prepare_inputs(shared: Path, work: Path, copies: int, athletes: int):
    """Symbolic links to the videos (distinct names), and PushFit clips as landmark files."""
    from sitrex.datasets import load_pushfit

    videos = []
    for k in range(copies):
        for name in VIDEOS:
            link = work / "videos" / f"{Path(name).stem}-{k}.mp4"
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(shared / "videos" / name)
            videos.append(link)
    skeletons = load_pushfit(path=shared / "data").skeletons[:athletes + 1]
    folder = work / "athletes"
    folder.mkdir()
    skeletons[0].save(work / "coach.npz")
    for k, skeleton in enumerate(skeletons[1:]):
        skeleton.save(folder / f"athlete{k:03d}.npz")
    frames = sum(copies * n for n in (100, 100, 230))
    return videos, folder, frames


def _time(job, out: Path, **where) -> tuple[float, object]:
    started = time.perf_counter()
    result = job(out, **where)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path,
                        default=Path(os.environ.get("SITREX_SHARED", REPO.parent / "shared")))
    parser.add_argument("--copies", type=int, default=2, help="copies of the 3 videos")
    parser.add_argument("--athletes", type=int, default=48, help="PushFit clips compared")
    parser.add_argument("--scheduler", help="also run on the Dask cluster at this address")
    parser.add_argument("--json", default="scale.json")
    args = parser.parse_args()

    os.environ.setdefault("SITREX_MEDIAPIPE_MODEL", str(args.shared / "models"))
    os.environ.setdefault("SITREX_OFFLINE", "1")
    from distributed import Client, LocalCluster

    import sitrex
    from sitrex.backends import extract_videos
    from sitrex.estimators import ExerciseComparator

    work = Path(tempfile.mkdtemp(prefix="sitrex-scale-"))
    videos, athletes, frames = _prepare_inputs(args.shared, work, args.copies, args.athletes)
    comparator = ExerciseComparator.from_pretrained(
        "sitrex-paper", path=args.shared / "weights" / "sitrex-paper")

    def extraction(out, **where):
        result = extract_videos(videos, out, "mediapipe", backend_options={"model": "lite"},
                                progress=False, **where)
        assert result.ok and len(result.written) == len(videos), result
        return result

    def comparison(out, **where):
        result = sitrex.compare_many(work / "coach.npz", athletes, comparator, output_dir=out,
                                     progress=False, **where)
        assert result.ok and len(result.compared) == args.athletes, result
        return result

    jobs = {"extraction": (extraction, len(videos), "videos", frames),
            "compare_many": (comparison, args.athletes, "athletes", None)}
    ways = [("in-process (n_jobs=1)", 1, None), ("joblib loky, 2 processes", 2, None),
            ("Dask LocalCluster, 1 worker", None, 1), ("Dask LocalCluster, 2 workers", None, 2)]
    if args.scheduler:
        ways.append((f"Dask at {args.scheduler}", None, args.scheduler))
    rows = []
    print(f"{'job':<13} {'way':<30} {'cold s':>8} {'warm s':>8} {'items/s warm':>13} "
          f"{'load':>6}")
    for label, n_jobs, dask in ways:
        cluster = client = None
        if isinstance(dask, int):
            cluster = LocalCluster(n_workers=dask, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        elif dask:
            client = Client(dask)
        where = {"client": client} if client is not None else {"n_jobs": n_jobs}
        try:
            for name, (job, n_items, unit, n_frames) in jobs.items():
                out = work / "out" / f"{label}-{name}".replace(" ", "_")
                cold, _ = _time(job, out / "cold", **where)
                warm, _ = _time(job, out / "warm", **where)
                row = {"job": name, "way": label, "items": n_items, "unit": unit,
                       "load_average": round(os.getloadavg()[0], 1),
                       "cold_seconds": round(cold, 2), "warm_seconds": round(warm, 2),
                       "items_per_second_warm": round(n_items / warm, 3),
                       "items_per_second_cold": round(n_items / cold, 3)}
                if n_frames:
                    row["frames_per_second_warm"] = round(n_frames / warm, 1)
                rows.append(row)
                print(f"{name:<13} {label:<30} {cold:8.1f} {warm:8.1f} "
                      f"{n_items / warm:9.2f} {unit:<8} {row['load_average']:4.1f}")
        finally:
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()

    def rate(job, way):
        return next(r["items_per_second_warm"] for r in rows if r["job"] == job and
                    r["way"] == way)

    efficiency = {}
    for job in jobs:
        efficiency[job] = {
            "joblib 2 processes vs 1 process": round(
                rate(job, ways[1][0]) / (2 * rate(job, ways[0][0])), 2),
            "Dask 2 workers vs 1 worker": round(
                rate(job, ways[3][0]) / (2 * rate(job, ways[2][0])), 2)}
        print(f"scaling efficiency, {job}: " + ", ".join(
            f"{k} {v:.2f}" for k, v in efficiency[job].items()))
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform()},
               "inputs": {"videos": len(videos), "video_frames": frames,
                          "athletes": args.athletes, "comparator": "sitrex-paper"},
               "rows": rows, "scaling_efficiency": efficiency}
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
    print(f"wrote {args.json}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
