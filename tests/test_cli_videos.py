"""The sitrex command on real videos: a short clip is scored, and --quiet keeps C++ logs away."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.assets


@pytest.fixture(scope="module")
def two_cameras(tmp_path_factory):
    """`sitrex compare` of the two Pose2Sim cameras (1.7 s, 60 fps) with --quiet, as a user runs it."""
    from conftest import require_asset

    videos = require_asset("videos")
    weights = require_asset("weights/sitrex-paper")
    model = require_asset("models/pose_landmarker_lite.task")
    out = tmp_path_factory.mktemp("cli")
    env = {**os.environ, "SITREX_MEDIAPIPE_MODEL": str(model), "SITREX_OFFLINE": "1"}
    env.pop("SITREX_NATIVE_LOGS", None)
    command = [sys.executable, "-m", "sitrex", "compare", str(videos / "pose2sim_single_cam01.mp4"),
               str(videos / "pose2sim_single_cam02.mp4"), "--align", "--quiet",
               "--weights", "sitrex-paper", "--weights-path", str(weights),
               "-o", str(out / "report.json"),
               "--plot", str(out / "report.png")]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    return done, out


def test_quiet_prints_nothing_not_even_third_party_logs(two_cameras):
    done, _ = two_cameras
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr == "", done.stderr      # no MediaPipe / TensorFlow Lite / absl lines


def test_a_short_real_clip_gets_scored_frames_and_a_cleaned_signal(two_cameras):
    _, out = two_cameras
    report = json.loads((out / "report.json").read_text())
    meta = report["metadata"]
    assert report["n_frames"] == 100 and report["fps"] == 60.0
    assert meta["scored_frames"] >= 30 and meta["scored_seconds"] >= 0.5
    assert meta["model_fps"] == 30.0 and meta["window_seconds"] <= 1.7
    assert meta["conditioning"]["athlete"]["lowpass_hz"] == 6.0
    assert (out / "report.png").stat().st_size > 10_000


def test_debug_lets_the_third_party_logs_through(tmp_path):
    from conftest import require_asset

    videos = require_asset("videos")
    model = require_asset("models/pose_landmarker_lite.task")
    env = {**os.environ, "SITREX_MEDIAPIPE_MODEL": str(model), "SITREX_OFFLINE": "1"}
    command = [sys.executable, "-m", "sitrex", "extract", str(videos / "pose2sim_single_cam01.mp4"),
               "-o", str(tmp_path), "--jobs", "1", "--debug"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "INFO:" in done.stderr or "WARNING:" in done.stderr or "W0000" in done.stderr
