"""sitrex.video.VideoWriter: RGB frames written atomically, or nothing left behind."""

from __future__ import annotations

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

from sitrex.exceptions import InputError, OutputError  # noqa: E402
from sitrex.video import VideoReader, VideoWriter, read_video_info  # noqa: E402

SIZE = (64, 48)  # width, height
RED = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
RED[..., 0] = 255


def test_frames_are_written_as_rgb_and_read_back_in_order(tmp_path):
    out = tmp_path / "clip.mp4"
    with VideoWriter(out, fps=25, size=SIZE) as video:
        for level in (0, 255, 0, 255, 0):
            video.write(RED if level else np.zeros_like(RED))
    assert video.frames_written == 5
    info = read_video_info(out)
    assert (info.frame_count, info.size, info.fps) == (5, SIZE, 25.0)
    frames = np.stack([f.rgb for f in VideoReader(out)]).astype(int)
    red = frames[:, 24, 32]
    assert (red[[1, 3], 0] > 200).all() and (red[[1, 3], 1:] < 60).all()  # red stays red
    assert (red[[0, 2, 4]] < 30).all()
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_write_leaves_no_file_and_no_temporary_file(tmp_path, error):
    with pytest.raises(error):
        with VideoWriter(tmp_path / "clip.mp4", fps=25, size=SIZE) as video:
            video.write(RED)
            raise error()
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_write_keeps_the_previous_video(tmp_path):
    out = tmp_path / "clip.mp4"
    with VideoWriter(out, fps=25, size=SIZE) as video:
        video.write(RED)
    before = out.read_bytes()
    with pytest.raises(KeyboardInterrupt):
        with VideoWriter(out, fps=25, size=SIZE) as video:
            for _ in range(3):
                video.write(RED)
            raise KeyboardInterrupt
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]


def test_a_frame_of_the_wrong_size_or_type_is_refused_and_nothing_is_left(tmp_path):
    with pytest.raises(InputError, match=r"frame 1 of clip.mp4 .* shape \(48, 32, 3\); expected "
                                         r"uint8 RGB of shape \(48, 64, 3\)"):
        with VideoWriter(tmp_path / "clip.mp4", fps=25, size=SIZE) as video:
            video.write(RED)
            video.write(RED[:, :32])
    with pytest.raises(InputError, match="float64"):
        with VideoWriter(tmp_path / "clip.mp4", fps=25, size=SIZE) as video:
            video.write(RED / 255.0)
    assert list(tmp_path.iterdir()) == []


def test_a_video_without_frames_is_not_written(tmp_path):
    with pytest.raises(OutputError, match="no frame was written"):
        with VideoWriter(tmp_path / "clip.mp4", fps=25, size=SIZE):
            pass
    assert list(tmp_path.iterdir()) == []


def test_output_errors_name_the_users_path_never_the_temporary_file(tmp_path):
    folder = tmp_path / "taken.mp4"
    folder.mkdir()
    with pytest.raises(OutputError, match="taken.mp4': it is a folder"):
        with VideoWriter(folder, fps=25, size=SIZE):
            pass
    with pytest.raises(OutputError) as info:  # OpenCV cannot encode this
        with VideoWriter(tmp_path / "clip.avi", fps=25, size=SIZE, codec="zzzz"):
            pass
    assert str(tmp_path / "clip.avi") in str(info.value) and ".clip.avi." not in str(info.value)
    assert [p.name for p in tmp_path.iterdir()] == ["taken.mp4"]


def test_bad_arguments_name_the_fix(tmp_path):
    with pytest.raises(InputError, match=r"end the file name in one of \.mp4"):
        VideoWriter(tmp_path / "clip.txt", fps=25, size=SIZE)
    with pytest.raises(InputError, match="fps must be a positive number"):
        VideoWriter(tmp_path / "clip.mp4", fps=0, size=SIZE)
    with pytest.raises(InputError, match="size must be"):
        VideoWriter(tmp_path / "clip.mp4", fps=25, size=64)
    with pytest.raises(InputError, match="the video height must be an integer >= 1"):
        VideoWriter(tmp_path / "clip.mp4", fps=25, size=(64, 0))
    with pytest.raises(InputError, match="not open"):
        VideoWriter(tmp_path / "clip.mp4", fps=25, size=SIZE).write(RED)
    with pytest.raises(OutputError, match="does not exist"):
        with VideoWriter(tmp_path / "missing" / "clip.mp4", fps=25, size=SIZE):
            pass
    assert list(tmp_path.iterdir()) == []
