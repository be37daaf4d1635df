"""Reading and writing videos: RGB frames with their timestamps.

:class:`VideoReader` opens a video file with OpenCV and yields
:class:`Frame` objects (index, time in seconds, RGB ``uint8`` pixels). Frames
are always converted from OpenCV's BGR to **RGB**: the pose models expect RGB,
and the SiTrEx paper's notebook fed BGR frames to MediaPipe for one of its
videos, which silently degrades the landmarks.

:class:`VideoWriter` writes RGB frames to a video atomically (the file
appears complete or not at all). OpenCV is imported the first time a video is
opened, so importing this module is cheap. Without OpenCV the error says ``pip install "sitrex[video]"``.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sitrex._imports import import_optional
from sitrex.exceptions import VideoError

__all__ = ["VIDEO_SUFFIXES", "Frame", "VideoError", "VideoInfo", "VideoReader", "VideoWriter",
           "read_video_info"]

#: File suffixes treated as videos (case-insensitive).
VIDEO_SUFFIXES: tuple[str, ...] = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg",
                                   ".mpeg", ".wmv")


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about a video.

    Attributes
    ----------
    path : pathlib.Path
    fps : float or None
        Frames per second, None when the container does not say.
    frame_count : int
        Number of frames the container reports (0 when unknown; decoders
        sometimes disagree by a frame or two).
    width, height : int
        Frame size in pixels.

    Examples
    --------
    >>> info = VideoInfo(Path("clip.mp4"), 30.0, 90, 640, 480)
    >>> info.size, info.duration
    ((640, 480), 3.0)
    """

    path: Path
    fps: float | None
    frame_count: int
    width: int
    height: int

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return (self.width, self.height)

    @property
    def duration(self) -> float | None:
        """frame_count / fps in seconds, or None when either is unknown."""
        if not self.fps or not self.frame_count:
            return None
        return self.frame_count / self.fps


@dataclass(frozen=True)
class Frame:
    """One decoded frame.

    Attributes
    ----------
    index : int
        Frame number in the video, counted from 0.
    time : float
        Timestamp in seconds, ``index / fps`` (NaN when the fps is unknown).
    rgb : numpy.ndarray, shape (H, W, 3), uint8
        The pixels in RGB order.

    Examples
    --------
    >>> f = Frame(3, 0.1, np.zeros((2, 2, 3), np.uint8))
    >>> f.timestamp_ms
    100
    """

    index: int
    time: float
    rgb: np.ndarray

    @property
    def timestamp_ms(self) -> int:
        """The time in whole milliseconds (rounded), as MediaPipe's VIDEO mode wants."""
        return int(round(self.time * 1000.0))


def _import_cv2():
    return import_optional("cv2", "reading videos (OpenCV)", "video")


def _open(path: Path, cv2):
    if not path.exists():
        raise FileNotFoundError(f"no video file at {str(path)!r}; check the path")
    if path.is_dir():
        raise VideoError(f"{str(path)!r} is a folder, not a video file")
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        cap.release()
        raise VideoError(
            f"{path.name}: OpenCV cannot open this file as a video (is it a video, is it "
            "complete, and does this OpenCV build have its codec? The PyPI opencv wheels "
            "read H.264 and VP9)"
        )
    return cap


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
    FileNotFoundError: no video file at 'no/such/video.mp4'; check the path
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no video file at {str(path)!r}; check the path")
    cv2 = _import_cv2()
    cap = _open(path, cv2)
    try:
        return _info_from_capture(path, cap, cv2)
    finally:
        cap.release()


def _check_range(start: int, stop: int | None, max_frames: int | None, step: int) -> None:
    if isinstance(start, bool) or not isinstance(start, (int, np.integer)) or start < 0:
        raise ValueError(f"start must be a frame index >= 0, got {start!r}")
    if stop is not None and (not isinstance(stop, (int, np.integer)) or stop < 0):
        raise ValueError(f"stop must be None or a frame index >= 0, got {stop!r}")
    if max_frames is not None and (not isinstance(max_frames, (int, np.integer)) or max_frames < 1):
        raise ValueError(f"max_frames must be None or a positive int, got {max_frames!r}")
    if not isinstance(step, (int, np.integer)) or step < 1:
        raise ValueError(f"step must be a positive int, got {step!r}")


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
    like an empty result.

    Examples
    --------
    >>> VideoReader("missing.mp4")
    Traceback (most recent call last):
    ...
    FileNotFoundError: no video file at 'missing.mp4'; check the path

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
            raise FileNotFoundError(f"no video file at {str(self.path)!r}; check the path")
        self.start, self.stop, self.step, self.max_frames = int(start), stop, int(step), max_frames
        self.info = read_video_info(self.path)
        if fps is not None:
            if not (float(fps) > 0 and math.isfinite(float(fps))):
                raise ValueError(f"fps must be a positive number, got {fps!r}")
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
                        break
                    index += 1
                    continue
                ok, bgr = cap.read()
                if not ok or bgr is None:
                    break
                if bgr.ndim == 2:  # grey video
                    rgb = cv2.cvtColor(bgr, cv2.COLOR_GRAY2RGB)
                elif bgr.shape[2] == 4:
                    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGRA2RGB)
                else:
                    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                t = index / fps if fps else math.nan
                yield Frame(index, t, rgb)
                yielded += 1
                self.frames_decoded = yielded
                index += 1
        finally:
            cap.release()
        if yielded == 0:
            where = f" from frame {self.start}" if self.start else ""
            raise VideoError(
                f"{self.path.name}: no frame could be decoded{where} (the container reports "
                f"{self.info.frame_count} frames); the file may be empty, truncated or in a "
                "codec this OpenCV build cannot decode"
            )


def progress_enabled(progress: bool | None) -> bool:
    """Resolve a ``progress`` argument: None means "only when stderr is a terminal".

    Examples
    --------
    >>> progress_enabled(False), progress_enabled(True)
    (False, True)
    """
    if progress is None:
        stream = sys.stderr
        return bool(getattr(stream, "isatty", lambda: False)())
    return bool(progress)


# ---------------------------------------------------------------------------- writing
class VideoWriter:
    """Write RGB frames to a video file, atomically.

    Use it as a context manager: the frames go to a temporary file in the
    destination's folder, which replaces `path` when the ``with`` block ends
    normally and is removed when it raises (any exception, including
    ``KeyboardInterrupt``), so a failed or interrupted write never leaves a
    half-written video, and an existing video stays as it was.

    Parameters
    ----------
    path : str or os.PathLike
        The video file; its suffix (:data:`VIDEO_SUFFIXES`) chooses the
        container. Its folder must exist.
    fps : float
        Frames per second.
    size : (int, int)
        ``(width, height)`` in pixels; every frame must have this size.
    codec : str, default "mp4v"
        OpenCV FourCC code. ``"mp4v"`` (MPEG-4 part 2) is what the PyPI
        OpenCV wheels can always write into ``.mp4``.

    Attributes
    ----------
    frames_written : int
        Frames written so far.

    Raises
    ------
    sitrex.exceptions.InputError
        For a file name that is not a video, a bad `fps` or `size`, and
        (from :meth:`write`) a frame of the wrong size or type.
    FileNotFoundError
        If the folder of `path` does not exist.
    sitrex.exceptions.OutputError
        If the video cannot be written (OpenCV cannot encode it, `path` is
        a folder, no permission), or no frame was written; the message
        names `path`, never the temporary file.
    sitrex.exceptions.MissingDependencyError
        Without OpenCV: ``pip install "sitrex[video]"``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "grey.mp4"
    >>> with VideoWriter(out, fps=10, size=(64, 48)) as video:
    ...     for level in (0, 128, 255):
    ...         video.write(np.full((48, 64, 3), level, np.uint8))
    >>> read_video_info(out).frame_count
    3
    >>> try:
    ...     with VideoWriter(out, fps=10, size=(64, 48)) as video:
    ...         video.write(np.zeros((48, 64, 3), np.uint8))
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     pass
    >>> read_video_info(out).frame_count, [p.name for p in out.parent.iterdir()]
    (3, ['grey.mp4'])
    """

    def __init__(self, path: str | os.PathLike[str], fps: float, size: tuple[int, int], *,
                 codec: str = "mp4v") -> None:
        from sitrex._validation import check_fps, check_int
        from sitrex.exceptions import InputError

        self.path = Path(path)
        if self.path.suffix.lower() not in VIDEO_SUFFIXES:
            raise InputError(f"cannot write a video to {self.path.name!r}: end the file name in "
                             f"one of {', '.join(VIDEO_SUFFIXES)}")
        self.fps = check_fps(fps, "fps", required=True)
        try:
            width, height = size
        except (TypeError, ValueError):
            raise InputError(f"size must be (width, height) in pixels; got {size!r}") from None
        self.size = (check_int(width, "the video width"), check_int(height, "the video height"))
        if not (isinstance(codec, str) and len(codec) == 4):
            raise InputError(f"codec must be a four-character FourCC code such as 'mp4v'; "
                             f"got {codec!r}")
        self.codec = codec
        self.frames_written = 0
        self._open: tuple[Any, Any, Any] | None = None  # (cv2, writer, exit stack) while open

    def __repr__(self) -> str:
        return (f"VideoWriter({self.path.name!r}, fps={self.fps:g}, size={self.size}, "
                f"frames_written={self.frames_written})")

    def __enter__(self) -> VideoWriter:
        import contextlib

        from sitrex._atomic import atomic_path
        from sitrex.exceptions import OutputError

        cv2 = import_optional("cv2", "writing videos (OpenCV)", "video")
        stack = contextlib.ExitStack()
        with stack:  # on an error here, the temporary file is removed
            tmp = stack.enter_context(atomic_path(self.path, suffix=self.path.suffix))
            writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*self.codec), self.fps,
                                     self.size)
            stack.callback(writer.release)
            if not writer.isOpened():
                raise OutputError(
                    f"cannot write {str(self.path)!r}: OpenCV cannot encode {self.codec!r} "
                    f"into {self.path.suffix} at {self.size[0]}x{self.size[1]} pixels; try "
                    "an .mp4 file name with codec 'mp4v'")
            self._open = (cv2, writer, stack.pop_all())
        self.frames_written = 0
        return self

    def write(self, rgb: np.ndarray) -> None:
        """Append one frame: a ``(height, width, 3)`` ``uint8`` RGB array of the video's size."""
        from sitrex.exceptions import InputError

        if self._open is None:
            raise InputError("write frames inside `with VideoWriter(...) as video:`; the video "
                             "is not open")
        cv2, writer, _ = self._open
        frame = np.asarray(rgb)
        width, height = self.size
        if frame.shape != (height, width, 3) or frame.dtype != np.uint8:
            raise InputError(
                f"frame {self.frames_written} of {self.path.name} is a {frame.dtype} array of "
                f"shape {frame.shape}; expected uint8 RGB of shape ({height}, {width}, 3)")
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        self.frames_written += 1

    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> bool:
        from sitrex.exceptions import OutputError

        if self._open is None:
            return False
        _, _, stack = self._open
        self._open = None
        if exc is None and self.frames_written == 0:
            error = OutputError(f"cannot write {str(self.path)!r}: no frame was written")
            if not stack.__exit__(OutputError, error, None):
                raise error
            return False
        # releases the OpenCV writer, then renames the finished file or removes it
        return bool(stack.__exit__(exc_type, exc, traceback))


