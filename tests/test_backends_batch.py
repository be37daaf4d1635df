"""Batch extraction of a folder of videos: parallel, resumable, one bad video does not stop the rest."""

from __future__ import annotations

import numpy as np
import pytest

from sitrex.backends import BackendNotFoundError, extract_folder, extract_videos
from sitrex.skeleton import Skeleton
from sitrex.video import VideoReader

cv2 = pytest.importorskip("cv2")
pytestmark = pytest.mark.assets


def _small_clip(src, dst, n=4):
    """First n frames of a real video, downscaled to 270x480 (fast to process)."""
    writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"MJPG"), 60.0, (270, 480))
    for frame in VideoReader(src, max_frames=n):
        writer.write(cv2.resize(frame.rgb[..., ::-1], (270, 480), interpolation=cv2.INTER_AREA))
    writer.release()


def test_extract_folder_parallel_resumable_and_robust(shared_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SITREX_MEDIAPIPE_MODEL", str(shared_dir / "models"))
    monkeypatch.setenv("SITREX_OFFLINE", "1")
    videos = tmp_path / "videos"
    (videos / "sub").mkdir(parents=True)
    _small_clip(shared_dir / "videos" / "pose2sim_single_cam01.mp4", videos / "a.avi")
    _small_clip(shared_dir / "videos" / "pose2sim_single_cam02.mp4", videos / "sub" / "b.avi")
    (videos / "broken.mp4").write_bytes(b"not a video at all")
    (videos / "notes.txt").write_text("ignored")
    out = tmp_path / "landmarks"

    result = extract_folder(videos, out, "mediapipe", backend_options={"model": "lite"},
                            recursive=True, n_jobs=2)
    assert not result.ok
    assert [p.relative_to(out).as_posix() for p in result.written] == ["a.npz", "sub/b.npz"]
    assert list(result.failed) == [videos / "broken.mp4"]
    assert "VideoError" in result.failed[videos / "broken.mp4"]
    skel = Skeleton.load(out / "a.npz")
    assert skel.n_frames == 4 and skel.fps == 60.0 and skel.meta["no_person_frames"] == 0
    assert not list(out.glob("**/.*"))  # no temporary leftovers

    # resumable: finished outputs are skipped, the bad video is retried (and fails again)
    again = extract_folder(videos, out, "mediapipe", backend_options={"model": "lite"},
                           recursive=True, n_jobs=1, max_frames=2)
    assert sorted(p.name for p in again.skipped) == ["a.npz", "b.npz"]
    assert again.written == [] and len(again.failed) == 1
    np.testing.assert_array_equal(Skeleton.load(out / "a.npz").coords, skel.coords)

    json_run = extract_folder(videos, tmp_path / "json", "mediapipe",
                              backend_options={"model": "lite"}, suffix=".json", n_jobs=1)
    assert [p.name for p in json_run.written] == ["a.json"]


def test_extract_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        extract_folder(tmp_path / "nope", tmp_path / "out")
    with pytest.raises(BackendNotFoundError):
        extract_folder(tmp_path, tmp_path / "out", "openpose")
    with pytest.raises(ValueError, match="suffix"):
        extract_folder(tmp_path, tmp_path / "out", suffix=".csv")


def test_extract_videos_list(shared_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SITREX_MEDIAPIPE_MODEL", str(shared_dir / "models"))
    monkeypatch.setenv("SITREX_OFFLINE", "1")
    (tmp_path / "x").mkdir()
    _small_clip(shared_dir / "videos" / "pose2sim_single_cam01.mp4", tmp_path / "x" / "a.avi")
    result = extract_videos([tmp_path / "x" / "a.avi"], tmp_path / "out", "mediapipe",
                            backend_options={"model": "lite"}, n_jobs=1)
    assert result.ok and [p.name for p in result.written] == ["a.npz"]
    with pytest.raises(FileNotFoundError, match="nope.mp4"):
        extract_videos([tmp_path / "nope.mp4"], tmp_path / "out")
    (tmp_path / "y").mkdir()
    (tmp_path / "y" / "a.avi").write_bytes(b"")
    with pytest.raises(ValueError, match="same file"):
        extract_videos([tmp_path / "x" / "a.avi", tmp_path / "y" / "a.avi"], tmp_path / "out")
