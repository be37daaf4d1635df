"""`sitrex live` as a user runs it, headless: a shared video read as a camera, and Ctrl-C.

Each test starts the command in a subprocess without a display (as in CI): the
overlay must then go to a file, last as long as the feed, and be complete
however the session ends.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

pytestmark = pytest.mark.assets

COACH = "pose2sim_single_cam01.mp4"


def _command(*args: str, paper: bool = False) -> tuple[list[str], dict]:
    """The command; with `paper`, the paper's window comparator instead of the shipped default."""
    from conftest import require_asset

    videos = require_asset("videos")
    weights = ["--weights", "sitrex-paper", "--weights-path",
               str(require_asset("weights/sitrex-paper"))] if paper else []
    model = require_asset("models/pose_landmarker_lite.task")
    env = {**os.environ, "SITREX_MEDIAPIPE_MODEL": str(model), "SITREX_OFFLINE": "1"}
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SITREX_NATIVE_LOGS"):
        env.pop(name, None)                               # a headless machine
    command = [sys.executable, "-m", "sitrex", "live", "--coach", str(videos / COACH),
               *weights, "--json", *args]
    return command, env


def _playable(path) -> tuple[int, float]:
    """Frames actually decoded from `path`, and its frame rate."""
    from sitrex.video import VideoReader, read_video_info

    with VideoReader(path) as reader:
        decoded = sum(1 for _ in reader)
    return decoded, read_video_info(path).fps


def test_headless_the_overlay_is_written_and_lasts_as_long_as_the_feed(tmp_path):
    from conftest import require_asset

    feed = require_asset("videos/pose2sim_single_cam02.mp4")     # 100 frames at 60 fps
    command, env = _command("--video", str(feed), "--sides", "mirrored")
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert "no display here: writing the overlay to sitrex-live.mp4" in done.stderr
    run = json.loads(done.stdout)["live"]
    assert run["stopped_by"] == "end" and run["frames"] + run["dropped"] == 100
    assert run["sides"] == "mirrored" and run["both_sides"] is False
    video = tmp_path / "sitrex-live.mp4"
    assert run["video"] == "sitrex-live.mp4" and sorted(os.listdir(tmp_path)) == [video.name]
    decoded, fps = _playable(video)
    assert fps == 30.0                                 # the feed's 60 fps, capped at 30
    assert decoded == run["frames_written"] == 50      # 100 / 60 s at 30 fps: the feed's length


def _wait_for_frames(folder, *, timeout: float, size: int = 50_000) -> None:
    """Until the overlay being written (a hidden temporary file in `folder`) holds `size` bytes.

    On a loaded machine the first frames take seconds (the model is compiled on the first
    one): a fixed delay could interrupt the session before a second frame is written.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.stat().st_size >= size for p in folder.iterdir() if p.name.startswith(".")):
            return
        time.sleep(0.1)
    raise AssertionError(f"no overlay frames written within {timeout:g} s: "
                         f"{sorted(p.name for p in folder.iterdir())}")


def test_ctrl_c_stops_the_session_with_a_complete_video(tmp_path):
    from conftest import require_asset

    feed = require_asset("videos/sports2d_demo.mp4")             # 7.7 s at 30 fps
    out = tmp_path / "overlay.mp4"
    command, env = _command("--video", str(feed), "-o", str(out), paper=True)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    started, errors = threading.Event(), []

    def watch():
        for line in process.stderr:
            errors.append(line)
            if line.startswith("live: "):
                started.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        assert started.wait(timeout=300), "".join(errors)
        time.sleep(3.0)                                # a few seconds into the feed,
        _wait_for_frames(tmp_path, timeout=120)        # and some frames written, even when slow
        process.send_signal(signal.SIGINT)
        stdout, _ = process.communicate(timeout=120)
    finally:
        process.kill()
    watcher.join(timeout=10)
    assert process.returncode == 0, "".join(errors)
    run = json.loads(stdout)["live"]
    assert run["stopped_by"] == "interrupt"
    assert "stopped with Ctrl-C" not in stdout            # --json: the document only
    assert sorted(os.listdir(tmp_path)) == [out.name]    # no temporary file left behind
    decoded, fps = _playable(out)
    assert decoded == run["frames_written"] and fps == 30.0
    assert 0 < run["frames_written"] < 230               # stopped before the feed's end


def test_live_takes_auto_and_alternating_sides():
    from sitrex.cli import build_parser

    parse = build_parser().parse_args
    assert parse(["live", "--coach", "coach.mp4", "--sides", "auto"]).sides == "auto"
    assert parse(["live", "--coach", "coach.mp4", "--sides", "alternating"]).sides == \
        "alternating"
    assert parse(["live", "--coach", "coach.mp4"]).sides == "same"
