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


def test_two_videos_with_one_output_are_refused_before_any_work(tmp_path):
    """clip.mp4 and clip.mov would both be written to clip.npz: extract_folder refuses them as
    extract_videos does, and leaves hidden files (macOS' ._clip.mp4) out."""
    videos = tmp_path / "videos"
    videos.mkdir()
    for name in ("clip.mp4", "clip.mov"):
        (videos / name).write_bytes(b"")
    with pytest.raises(ValueError, match=r"same file \(clip.npz\)"):
        extract_folder(videos, tmp_path / "out", "mediapipe", n_jobs=1)
    assert not (tmp_path / "out").exists()
    (videos / "clip.mov").unlink()
    (videos / "._clip.mp4").write_bytes(b"\x00\x05\x16\x07 macOS metadata")
    (videos / ".hidden").mkdir()
    (videos / ".hidden" / "other.mp4").write_bytes(b"")
    result = extract_folder(videos, tmp_path / "out", "mediapipe", n_jobs=1, recursive=True)
    assert list(result.failed) == [videos / "clip.mp4"]        # the empty file, alone


@pytest.mark.parametrize("extract", [extract_videos, extract_folder])
def test_an_output_folder_that_cannot_be_written_is_refused_before_any_work(tmp_path, extract):
    from sitrex.exceptions import OutputError

    (tmp_path / "a.mp4").write_bytes(b"")
    source = [tmp_path / "a.mp4"] if extract is extract_videos else tmp_path
    with pytest.raises(OutputError, match="cannot create the folder"):
        extract(source, tmp_path / "a.mp4" / "out", "mediapipe", n_jobs=1)


def test_an_output_folder_without_write_permission_is_refused(tmp_path, monkeypatch):
    """The check the command line makes (sitrex.cli._checks), made by the library too."""
    import tempfile

    from sitrex.exceptions import OutputError

    (tmp_path / "a.mp4").write_bytes(b"")

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    with pytest.raises(OutputError, match="cannot write output_dir into .*Permission denied"):
        extract_videos([tmp_path / "a.mp4"], tmp_path / "out", "mediapipe", n_jobs=1)


def test_a_truncated_video_is_warned_about(shared_dir, tmp_path, monkeypatch):
    """An interrupted copy: 8 of the 100 frames its container reports decode."""
    monkeypatch.setenv("SITREX_MEDIAPIPE_MODEL", str(shared_dir / "models"))
    monkeypatch.setenv("SITREX_OFFLINE", "1")
    videos = tmp_path / "videos"
    videos.mkdir()
    whole = (shared_dir / "videos" / "pose2sim_single_cam02.mp4").read_bytes()
    (videos / "cut.mp4").write_bytes(whole[:100_000])
    with pytest.warns(UserWarning, match=r"cut.mp4: only \d+ of the 100 frames .* truncated"):
        assert len(list(VideoReader(videos / "cut.mp4"))) < 90
    with pytest.warns(UserWarning, match="truncated"):
        result = extract_folder(videos, tmp_path / "out", "mediapipe", n_jobs=1,
                                backend_options={"model": "lite"})
    assert result.written == [tmp_path / "out" / "cut.npz"]
    assert "truncated" in result.warnings[videos / "cut.mp4"][0]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")                      # a whole video: no warning
        assert len(list(VideoReader(shared_dir / "videos" / "pose2sim_single_cam02.mp4",
                                    step=3))) == 34


def test_the_command_lists_failed_videos_even_when_quiet(shared_dir, tmp_path, monkeypatch,
                                                       capsys):
    from sitrex.cli import EXIT_CODES, main

    monkeypatch.setenv("SITREX_MEDIAPIPE_MODEL", str(shared_dir / "models"))
    monkeypatch.setenv("SITREX_OFFLINE", "1")
    _small_clip(shared_dir / "videos" / "pose2sim_single_cam01.mp4", tmp_path / "a.avi")
    (tmp_path / "broken.mp4").write_bytes(b"not a video at all")
    status = main(["extract", str(tmp_path / "a.avi"), str(tmp_path / "broken.mp4"), "-o",
                   str(tmp_path / "out"), "--jobs", "1", "--model-size", "lite", "-q"])
    out, err = capsys.readouterr()
    assert status == EXIT_CODES["partial"] and out == ""
    assert err.count("\n") == 1 and "sitrex extract: failed: " in err and "broken.mp4" in err
