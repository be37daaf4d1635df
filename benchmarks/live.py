"""Live feedback latency: frames per second end to end, and the comparison's own cost per frame.

Run:  python benchmarks/live.py [--shared ../shared] [--json live.json] [--minutes 5]

A shared video is read **as a live feed** (:class:`sitrex.live.PacedVideo`: at its own
pace, a frame the machine is too busy for is skipped, as with a webcam), poses come
from MediaPipe lite, and :class:`sitrex.LiveComparator` compares every frame it gets
with a coach's clip (Pose2Sim's camera 1). For two comparators:

* ``default``: the comparator ``sitrex.compare`` uses when none is given
  (``LiveComparator(coach, comparator=None)``: sitrex-default, shipped with
  sitrex), which scores each repetition once the live counter has counted it;
* ``paper``: the paper's window comparator (sitrex-paper, read from
  ``$SITREX_WEIGHTS``, by default ``<shared>/weights/sitrex-paper``), which
  scores the window ending at every frame.

Figures, for each comparator:

1. **live feed, end to end**: frames compared per wall-clock second (target >= 25), with
   the overlay written (``overlay``) and without (``no overlay``); frames skipped;
2. **every frame**: the same video not paced, every frame compared as fast as the
   machine goes (the throughput);
3. **comparison's own cost per frame**: :meth:`LiveComparator.update` on the
   videos' landmarks (no pose estimation), milliseconds, median / 95th percentile
   / maximum (target p95 < 5 ms); it includes cleaning, angles, the repetition
   counter, and the scoring (a window's embedding and similarity at every
   frame, or a repetition's scores when one is counted);
4. **memory over a long session** (``--minutes``): the landmarks of the videos
   looped as one long feed through the default comparator; Python heap in use
   (tracemalloc, after a garbage collection) after each minute.

The machine's load average is printed with each figure: on a shared 2-core machine
the figures are upper bounds of the cost.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
COACH = "pose2sim_single_cam01.mp4"
FEEDS = ("pose2sim_single_cam02.mp4", "sports2d_demo.mp4")


def _load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def _comparators():
    """(label, comparator) pairs; None is the default comparator of ``sitrex.compare``."""
    from sitrex.estimators import ExerciseComparator

    yield "default (what sitrex.compare uses)", None
    yield "paper", ExerciseComparator.from_pretrained("sitrex-paper")


def _stats(ms) -> dict:
    ms = np.asarray(ms, dtype=np.float64)
    return {"median": round(float(np.median(ms)), 2), "p95": round(float(np.percentile(ms, 95)), 2),
            "max": round(float(ms.max()), 2), "n": int(ms.size)}


def _feed(live, video: Path, *, realtime: bool, overlay: bool) -> dict:
    from sitrex.live import PacedVideo, run_live

    live.reset()
    with tempfile.TemporaryDirectory() as tmp:
        load = _load()
        run = run_live(live, PacedVideo(video, realtime=realtime),
                       output=Path(tmp) / "overlay.mp4" if overlay else None)
    return {"fps": round(run.fps, 1), "frames": run.frames, "skipped": run.dropped,
            "pose_ms": _stats(run.pose_ms), "compare_ms": _stats(run.compare_ms),
            "load": load}


def _own_cost(live, poses) -> dict:
    times = []
    for skeleton in poses:
        live.reset()
        for t in range(skeleton.n_frames):
            started = time.perf_counter()
            live.update(skeleton.coords[t], t / skeleton.fps)
            times.append(1000 * (time.perf_counter() - started))
    return {**_stats(times), "load": _load()}


def _memory(live, poses, minutes: int) -> list[dict]:
    """Heap in use after each minute of a feed made of the poses, looped."""
    live.reset()
    frames = np.concatenate([p.coords for p in poses])
    fps = poses[0].fps
    tracemalloc.start()
    out = []
    t = 0
    for minute in range(1, minutes + 1):
        while t < minute * 60 * fps:
            live.update(frames[t % len(frames)], t / fps)
            t += 1
        gc.collect()                      # cyclic garbage is not memory in use
        current, _ = tracemalloc.get_traced_memory()
        out.append({"minute": minute, "heap_mb": round(current / 2**20, 2),
                    "repetitions": live.repetitions})
    tracemalloc.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path,
                        default=Path(os.environ.get("SITREX_SHARED", REPO.parent / "shared")))
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--minutes", type=int, default=5, help="length of the memory test")
    args = parser.parse_args()
    os.environ.setdefault("SITREX_MEDIAPIPE_MODEL",
                          str(args.shared / "models" / "pose_landmarker_lite.task"))
    os.environ.setdefault("SITREX_WEIGHTS", str(args.shared / "weights" / "sitrex-paper"))
    from sitrex.backends import get_backend
    from sitrex.live import LiveComparator

    videos = args.shared / "videos"
    backend = get_backend("mediapipe", model="lite", progress=False)
    poses = [backend.estimate_video(videos / name) for name in FEEDS]
    results = {"cpu_count": os.cpu_count(), "load_at_start": _load(), "comparators": {}}
    first = None
    for label, comparator in _comparators():
        live = LiveComparator(videos / COACH, comparator, backend=backend)
        weights = (getattr(live.comparator, "metadata_", None) or {}).get("weights")
        label += f" [{weights} weights]" if weights else ""
        print(f"\n== {label}")
        figures = {"scoring": "repetitions" if live.scores_repetitions else "windows"}
        if not live.scores_repetitions:
            figures["window_s"] = live.window / live.rate
        for video in FEEDS:
            for mode, realtime, overlay in (("live feed, overlay", True, True),
                                            ("live feed, no overlay", True, False),
                                            ("every frame, no overlay", False, False)):
                res = _feed(live, videos / video, realtime=realtime, overlay=overlay)
                figures[f"{video}: {mode}"] = res
                print(f"{video:<28} {mode:<24} {res['fps']:6.1f} fps  skipped {res['skipped']:4d}"
                      f"  pose p95 {res['pose_ms']['p95']:6.1f} ms  compare p95 "
                      f"{res['compare_ms']['p95']:6.1f} ms  (load {res['load']})")
        cost = _own_cost(live, poses)
        figures["comparison's own cost per frame (ms)"] = cost
        print(f"comparison's own cost per frame: median {cost['median']} ms, p95 {cost['p95']} "
              f"ms, max {cost['max']} ms over {cost['n']} frames (load {cost['load']})")
        results["comparators"][label] = figures
        if first is None:
            first = live
    memory = _memory(first, poses, args.minutes)
    results["memory"] = memory
    print("\nmemory over a long session (default comparator):",
          ", ".join(f"{m['minute']} min: {m['heap_mb']} MB" for m in memory))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
