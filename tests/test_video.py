"""sitrex.video: RGB frames, timestamps, container facts, clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sitrex.exceptions import InputError
from sitrex.video import (Frame, VideoError, VideoReader, _frame_source, as_rgb, read_image,
                          read_video_info)

cv2 = pytest.importorskip("cv2")

VIDEOS = {  # name: (frames, fps, (width, height)) from ../shared/videos/README.md
    "pose2sim_single_cam01.mp4": (100, 60.0, (1080, 1920)),
    "pose2sim_single_cam02.mp4": (100, 60.0, (1080, 1920)),
    "sports2d_demo.mp4": (230, 30.0, (1768, 994)),
}


@pytest.mark.assets
@pytest.mark.parametrize("name", sorted(VIDEOS))
def test_container_facts(shared_dir, name):
    frames, fps, size = VIDEOS[name]
    info = read_video_info(shared_dir / "videos" / name)
    assert (info.frame_count, info.fps, info.size) == (frames, fps, size)
    assert math.isclose(info.duration, frames / fps)


@pytest.mark.assets
def test_frames_are_rgb_with_timestamps(shared_dir):
    path = shared_dir / "videos" / "pose2sim_single_cam01.mp4"
    cap = cv2.VideoCapture(str(path))
    ok, bgr = cap.read()
    cap.release()
    assert ok
    frames = list(VideoReader(path, max_frames=3))
    assert [f.index for f in frames] == [0, 1, 2]
    assert [f.timestamp_ms for f in frames] == [0, 17, 33]
    assert frames[0].rgb.dtype == np.uint8 and frames[0].rgb.shape == (1920, 1080, 3)
    np.testing.assert_array_equal(frames[0].rgb, bgr[..., ::-1])


@pytest.mark.assets
def test_start_stop_step_and_len(shared_dir):
    path = shared_dir / "videos" / "pose2sim_single_cam01.mp4"
    reader = VideoReader(path, start=90, step=3)
    assert len(reader) == 4
    frames = list(reader)
    assert [f.index for f in frames] == [90, 93, 96, 99]
    assert frames[0].time == pytest.approx(1.5)
    assert len(VideoReader(path, start=10, stop=20, max_frames=4)) == 4
    assert [f.index for f in VideoReader(path, start=10, stop=13)] == [10, 11, 12]


@pytest.mark.assets
def test_start_past_the_end_is_a_clear_error(shared_dir):
    with pytest.raises(VideoError, match="no frame could be decoded from frame 500"):
        list(VideoReader(shared_dir / "videos" / "pose2sim_single_cam01.mp4", start=500))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no video file"):
        VideoReader(tmp_path / "nope.mp4")


@pytest.mark.parametrize("content", [b"", b"this is not a video" * 10])
def test_unreadable_or_empty_file(tmp_path, content):
    path = tmp_path / "bad.mp4"
    path.write_bytes(content)
    with pytest.raises(VideoError, match="bad.mp4"):
        VideoReader(path)


def test_folder_is_not_a_video(tmp_path):
    with pytest.raises(VideoError, match="folder"):
        read_video_info(tmp_path)


# ---------------------------------------------------------------------- images and frame input
@pytest.mark.parametrize("image, expected", [
    (np.full((2, 3), 7, np.uint8), [7, 7, 7]),                      # grey: repeated
    (np.full((2, 3, 4), (1, 2, 3, 99), np.uint8), [1, 2, 3]),       # RGBA: alpha dropped
    (np.full((2, 3, 3), (1.0, 0.5, 0.0)), [255, 127, 0]),           # floats in [0, 1]
    (np.full((2, 3, 3), (300, -5, 40)), [255, 0, 40]),              # other numbers: clipped
])
def test_as_rgb_gives_contiguous_rgb_uint8(image, expected):
    rgb = as_rgb(image)
    assert rgb.shape == (2, 3, 3) and rgb.dtype == np.uint8 and rgb.flags.c_contiguous
    assert rgb[1, 2].tolist() == expected


@pytest.mark.parametrize("image", [np.zeros((4, 4, 2)), np.zeros(5), np.zeros((0, 4, 3))])
def test_as_rgb_refuses_what_is_not_an_image(image):
    with pytest.raises(InputError, match="shape"):
        as_rgb(image)


def test_read_image_is_rgb(tmp_path):
    path = tmp_path / "red.png"
    cv2.imwrite(str(path), np.full((5, 6, 3), (0, 0, 255), np.uint8))  # BGR red
    rgb = read_image(path)
    assert rgb.shape == (5, 6, 3) and rgb[0, 0].tolist() == [255, 0, 0]


def test_read_image_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no image file"):
        read_image(tmp_path / "missing.png")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    with pytest.raises(InputError, match="broken.png"):
        read_image(broken)


def test_frames_from_an_iterable_get_times_from_fps_or_pairs():
    black = np.zeros((2, 4, 3), np.uint8)
    source = _frame_source([black] * 5, fps=10.0, max_frames=3)
    frames = list(source)
    assert [f.time for f in frames] == [0.0, 0.1, 0.2] and source.total == 3
    assert source.fps == 10.0 and source.size == (4, 2) and source.reader is None
    timed = _frame_source((pair for pair in [(black, 0.0), (black, 0.04), (black, 0.08)]))
    assert [f.index for f in timed] == [0, 1, 2]
    assert timed.total is None and timed.fps == pytest.approx(25.0)  # from the timestamps


def test_frames_from_an_iterable_are_checked():
    black = np.zeros((2, 2, 3), np.uint8)
    with pytest.raises(InputError, match="fps"):
        list(_frame_source([black]))
    with pytest.raises(InputError, match="strictly increase"):
        list(_frame_source([(black, 0.5), (black, 0.2)]))


def test_bad_ranges(tmp_path):
    path = tmp_path / "x.mp4"
    path.write_bytes(b"")
    for kw in ({"start": -1}, {"step": 0}, {"max_frames": 0}, {"stop": -2}):
        with pytest.raises(ValueError):
            VideoReader(path, **kw)


def test_written_video_roundtrip(tmp_path):
    path = tmp_path / "tiny.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25.0, (32, 24))
    for i in range(6):
        writer.write(np.full((24, 32, 3), (255, 0, 0), np.uint8))  # BGR: pure blue
    writer.release()
    reader = VideoReader(path)
    assert (reader.fps, reader.frame_count, reader.size) == (25.0, 6, (32, 24))
    frames = list(reader)
    assert len(frames) == 6 and reader.frames_decoded == 6
    r, g, b = frames[0].rgb[12, 16].astype(int)
    assert b > 200 and r < 50  # blue stays blue in RGB
    assert isinstance(frames[-1], Frame) and frames[-1].time == pytest.approx(0.2)
    fixed = VideoReader(path, fps=50.0)
    assert list(fixed)[1].time == pytest.approx(0.02)
