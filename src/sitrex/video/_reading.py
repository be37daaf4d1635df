"""Reading videos as RGB frames with their timestamps (private; see :mod:`sitrex.video`)."""

from __future__ import annotations

import itertools
import math
import os
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from sitrex._native_logs import native_logs_silenced
from sitrex.exceptions import InputError, MissingFileError, VideoError

from ._frames import Frame, VideoInfo, _frames_from_iterable, _import_cv2

#: Share of the frames the container reports below which a read that stops early is said to be
#: cut short (a truncated file); containers' frame counts can be a few frames off.
_DECODED_SHARE = 0.9


def _open(path: Path, cv2):
    if not path.exists():
        raise MissingFileError(f"no video file at {str(path)!r}; check the path")
    if path.is_dir():
        raise VideoError(f"{str(path)!r} is a folder, not a video file")
    with native_logs_silenced():        # FFmpeg's own lines ("moov atom not found") stay out
        cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        cap.release()
        raise VideoError(
            f"{path.name}: OpenCV cannot open this file as a video (is it a video, is it "
            "complete, and does this OpenCV build have its codec? The PyPI opencv wheels "
            "read H.264 and VP9)"
        )
    return cap


def to_rgb(cv2, bgr: np.ndarray) -> np.ndarray:
    """A frame as OpenCV decodes it (BGR, BGRA or grey) in RGB."""
    if bgr.ndim == 2:  # grey video
        return cv2.cvtColor(bgr, cv2.COLOR_GRAY2RGB)
    if bgr.shape[2] == 4:
        return cv2.cvtColor(bgr, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def open_capture(path: str | os.PathLike[str]):
    """``(cv2, an opened cv2.VideoCapture)`` of a video file, for readers of their own.

    Raises as :class:`VideoReader` does for a missing or unreadable file.
    """
    cv2 = _import_cv2()
    return cv2, _open(Path(path), cv2)


def _info_from_capture(path: Path, cap, cv2) -> VideoInfo:
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
    if not (math.isfinite(fps) and 0.0 < fps < 10_000.0):
        fps = None
    count = cap.get(cv2.CAP_PROP_FRAME_COUNT)
    count = int(count) if math.isfinite(count) and count > 0 else 0
    width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
    height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
    return VideoInfo(path, fps, count, width, height)


def read_video_info(path: str | os.PathLike[str]) -> VideoInfo:
    """Frame rate, frame count and size of a video, from its container.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    VideoInfo

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    VideoError
        If OpenCV cannot open it.
    ImportError
        Without OpenCV (``pip install "sitrex[video]"``).

    Examples
    --------
    >>> read_video_info("no/such/video.mp4")
    Traceback (most recent call last):
    ...
    sitrex.exceptions.MissingFileError: no video file at 'no/such/video.mp4'; check the path
    """
    path = Path(path)
    if not path.exists():
        raise MissingFileError(f"no video file at {str(path)!r}; check the path")
    cv2 = _import_cv2()
    cap = _open(path, cv2)
    try:
        return _info_from_capture(path, cap, cv2)
    finally:
        cap.release()


def _check_range(start: int, stop: int | None, max_frames: int | None, step: int) -> None:
    if isinstance(start, bool) or not isinstance(start, (int, np.integer)) or start < 0:
        raise InputError(f"start must be a frame index >= 0, got {start!r}")
    if stop is not None and (not isinstance(stop, (int, np.integer)) or stop < 0):
        raise InputError(f"stop must be None or a frame index >= 0, got {stop!r}")
    if max_frames is not None and (not isinstance(max_frames, (int, np.integer)) or max_frames < 1):
        raise InputError(f"max_frames must be None or a positive int, got {max_frames!r}")
    if not isinstance(step, (int, np.integer)) or step < 1:
        raise InputError(f"step must be a positive int, got {step!r}")


class VideoReader:
    """Iterate over the frames of a video file as RGB arrays with timestamps.

    Parameters
    ----------
    path : str or os.PathLike
        The video file.
    start : int, default 0
        First frame index to yield (earlier frames are skipped exactly, by
        decoding, not by an approximate seek).
    stop : int, optional
        Frame index to stop before (like a slice).
    step : int, default 1
        Yield every `step`-th frame; timestamps keep the video's clock.
    max_frames : int, optional
        Yield at most this many frames.
    fps : float, optional
        Override the container's frame rate (e.g. when it is missing or
        wrong). Timestamps are ``index / fps``.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    VideoError
        If OpenCV cannot open it, or (while iterating) if it yields no frame.
    ImportError
        Without OpenCV: ``pip install "sitrex[video]"``.

    Notes
    -----
    The file is opened (and its container read) when the reader is created;
    each iteration re-opens it, so a reader can be iterated more than once.
    Iteration raises :class:`VideoError` if not a single frame could be
    decoded in the requested range, so an empty or broken file never looks
    like an empty result, and warns (``UserWarning``) when decoding stops
    well short of the frames the container reports (a truncated file: an
    interrupted copy or download).

    Examples
    --------
    >>> VideoReader("missing.mp4")
    Traceback (most recent call last):
    ...
    sitrex.exceptions.MissingFileError: no video file at 'missing.mp4'; check the path

    With a real file (needs OpenCV and a video)::

        with VideoReader("squat.mp4", max_frames=10) as video:
            for frame in video:
                print(frame.index, frame.time, frame.rgb.shape)
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        start: int = 0,
        stop: int | None = None,
        step: int = 1,
        max_frames: int | None = None,
        fps: float | None = None,
    ) -> None:
        self.path = Path(path)
        _check_range(start, stop, max_frames, step)
        if not self.path.exists():
            raise MissingFileError(f"no video file at {str(self.path)!r}; check the path")
        self.start, self.stop, self.step, self.max_frames = int(start), stop, int(step), max_frames
        self.info = read_video_info(self.path)
        if fps is not None:
            if not (float(fps) > 0 and math.isfinite(float(fps))):
                raise InputError(f"fps must be a positive number, got {fps!r}")
            self.info = VideoInfo(self.path, float(fps), self.info.frame_count,
                                  self.info.width, self.info.height)
        self.frames_decoded = 0

    # ------------------------------------------------------------------ container facts
    @property
    def fps(self) -> float | None:
        """Frames per second (container, or the `fps` override)."""
        return self.info.fps

    @property
    def frame_count(self) -> int:
        """Frames in the whole file, as the container reports (0 when unknown)."""
        return self.info.frame_count

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.info.size

    def __len__(self) -> int:
        """Expected number of frames yielded, from the container's frame count."""
        end = self.info.frame_count if self.stop is None else min(self.stop, self.info.frame_count)
        n = max(0, -(-(end - self.start) // self.step))
        if self.max_frames is not None:
            n = min(n, self.max_frames)
        return n

    def __repr__(self) -> str:
        return (f"VideoReader({self.path.name!r}, fps={self.fps}, frames={self.frame_count}, "
                f"size={self.size})")

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    # ------------------------------------------------------------------ frames
    def __iter__(self) -> Iterator[Frame]:
        cv2 = _import_cv2()
        cap = _open(self.path, cv2)
        fps = self.info.fps
        yielded = 0
        self.frames_decoded = 0
        cut_short = False
        try:
            index = 0
            while index < self.start:  # exact skipping: grab() decodes nothing we keep
                if not cap.grab():
                    break
                index += 1
            while self.stop is None or index < self.stop:
                if self.max_frames is not None and yielded >= self.max_frames:
                    break
                if (index - self.start) % self.step:
                    if not cap.grab():
                        cut_short = True
                        break
                    index += 1
                    continue
                ok, bgr = cap.read()
                if not ok or bgr is None:
                    cut_short = True
                    break
                t = index / fps if fps else math.nan
                yield Frame(index, t, to_rgb(cv2, bgr))
                yielded += 1
                self.frames_decoded = yielded
                index += 1
        finally:
            cap.release()
        limited = self.max_frames == 1 or (self.stop is not None and self.stop - self.start <= 1)
        if yielded == 1 and not limited:
            raise VideoError(
                f"{self.path.name}: holds a single frame; it looks like an image, not a video "
                "(a video needs at least 2 frames; for one image use estimate_image)")
        if yielded == 0:
            where = f" from frame {self.start}" if self.start else ""
            raise VideoError(
                f"{self.path.name}: no frame could be decoded{where} (the container reports "
                f"{self.info.frame_count} frames); the file may be empty, truncated or in a "
                "codec this OpenCV build cannot decode"
            )
        expected = len(self)
        if cut_short and yielded < _DECODED_SHARE * expected:
            warnings.warn(
                f"{self.path.name}: only {yielded} of the {expected} frames the container reports "
                "could be decoded; the file looks truncated (an interrupted copy or download?): "
                "check it, or copy it again", UserWarning, stacklevel=2)




class _FrameSource:
    """Frames to estimate; records their times and the image size as they are read.

    Attributes
    ----------
    total : int or None
        Expected number of frames, for a progress bar.
    reader : VideoReader or None
        Set when the frames come from a video file.
    times : list of float
        Timestamps of the frames read so far.
    size : (width, height) or None
        Of the first frame, once it is read.
    """

    def __init__(self, frames: Iterable[Frame], total: int | None, fps: float | None,
                 reader: VideoReader | None) -> None:
        self._frames, self._fps = frames, fps
        self.total, self.reader = total, reader
        self.times: list[float] = []
        self.size: tuple[int, int] | None = None

    def __iter__(self) -> Iterator[Frame]:
        for frame in self._frames:
            self.times.append(frame.time)
            if self.size is None:
                self.size = (frame.rgb.shape[1], frame.rgb.shape[0])
            yield frame

    @property
    def fps(self) -> float | None:
        """The given or container frame rate, else the median rate of the timestamps read."""
        if self._fps is None and len(self.times) > 1:
            dt = float(np.median(np.diff(self.times)))
            return 1.0 / dt if dt > 0 else None
        return self._fps


def _frame_source(video: Any, *, fps: float | None = None, start: int = 0,
                  stop: int | None = None, step: int = 1,
                  max_frames: int | None = None) -> _FrameSource:
    """Frames from a video file, a :class:`VideoReader` or an iterable of frames.

    Examples
    --------
    >>> black = np.zeros((2, 4, 3), np.uint8)
    >>> source = _frame_source([(black, 0.0), (black, 0.5), (black, 1.0)], max_frames=2)
    >>> source.total, len(list(source)), source.size, source.fps
    (2, 2, (4, 2), 2.0)
    """
    if isinstance(video, (str, os.PathLike)):
        video = VideoReader(video, start=start, stop=stop, step=step, max_frames=max_frames,
                            fps=fps)
    if isinstance(video, VideoReader):
        return _FrameSource(video, len(video) or None,
                            video.fps / video.step if video.fps else None, video)
    frames: Iterable[Frame] = _frames_from_iterable(video, fps)
    total = len(video) if hasattr(video, "__len__") else None
    if max_frames is not None:
        frames = itertools.islice(frames, int(max_frames))
        total = None if total is None else min(total, int(max_frames))
    return _FrameSource(frames, total, fps, None)


