"""Writing RGB frames to a video file, atomically (private; see :mod:`sitrex.video`)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import numpy as np

from sitrex._atomic import atomic_path
from sitrex._imports import import_optional
from sitrex.exceptions import InputError, OutputError

from ._frames import VIDEO_SUFFIXES

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
    >>> from sitrex.video import read_video_info
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


