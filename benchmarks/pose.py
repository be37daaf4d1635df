"""Frames per second of each pose backend and model size on the shared videos, decoding included.

Run:  python benchmarks/pose.py [--shared ../shared] [--frames 0] [--backends mediapipe yolo]

Each run is one ``estimate_video`` call on a whole video (``--frames N`` limits it),
so the figure includes OpenCV decoding, the BGR->RGB conversion, the model and
the conversion to a Skeleton; model loading is done before the clock starts.
Targets on the project's 2-core machines: MediaPipe lite >= 30 fps (real time),
YOLO11n-pose >= 10 fps.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from sitrex.backends import get_backend
from sitrex.video import VideoReader

REPO = Path(__file__).resolve().parents[1]
VIDEOS = ("pose2sim_single_cam01.mp4", "pose2sim_single_cam02.mp4", "sports2d_demo.mp4")


def _configs(models: Path, backends: list[str]):
    if "mediapipe" in backends:
        for size in ("lite", "full", "heavy"):
            if (models / f"pose_landmarker_{size}.task").is_file():
                yield f"mediapipe {size}", "mediapipe", {"model": size, "model_path": models}
    if "yolo" in backends:
        for size in ("n", "s", "m"):
            weights = models / f"yolo11{size}-pose.pt"
            if weights.is_file():
                yield f"yolo11{size}-pose", "yolo", {"model": size, "weights": weights}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path,
                        default=Path(os.environ.get("SITREX_SHARED", REPO.parent / "shared")))
    parser.add_argument("--frames", type=int, default=0, help="frames per video (0: all)")
    parser.add_argument("--backends", nargs="+", default=["mediapipe", "yolo"])
    args = parser.parse_args()
    models, videos = args.shared / "models", args.shared / "videos"
    max_frames = args.frames or None
    print(f"{'backend':<16} {'video':<28} {'frames':>6} {'size':>10} {'seconds':>8} {'fps':>7}")
    decode_only = {}
    for name in VIDEOS:
        start = time.perf_counter()
        n = sum(1 for _ in VideoReader(videos / name, max_frames=max_frames))
        decode_only[name] = n / (time.perf_counter() - start)
    for label, backend, options in _configs(models, args.backends):
        pose = get_backend(backend, download=False, progress=False, **options)
        # warm-up outside the clock (first inference allocates, JIT-compiles kernels)
        pose.estimate_video(videos / VIDEOS[0], max_frames=3)
        total_frames = total_time = 0.0
        for name in VIDEOS:
            start = time.perf_counter()
            skel = pose.estimate_video(videos / name, max_frames=max_frames)
            seconds = time.perf_counter() - start
            total_frames += skel.n_frames
            total_time += seconds
            w, h = skel.meta["image_size"]
            print(f"{label:<16} {name:<28} {skel.n_frames:>6} {f'{w}x{h}':>10} {seconds:8.2f} "
                  f"{skel.n_frames / seconds:7.1f}")
        print(f"{label:<16} {'ALL':<28} {int(total_frames):>6} {'':>10} {total_time:8.2f} "
              f"{total_frames / total_time:7.1f}")
        pose.close()
    print("decode only (OpenCV + RGB): "
          + ", ".join(f"{k} {v:.0f} fps" for k, v in decode_only.items()))


if __name__ == "__main__":
    main()
