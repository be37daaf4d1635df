"""Frames, images and video facts: what reading and writing share (private).

:class:`Frame` and :class:`VideoInfo`, :data:`VIDEO_SUFFIXES`, image input
(:func:`read_image`, :func:`as_rgb`), frames given in memory, the lazy OpenCV
import and the progress-bar rule.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sitrex._imports import import_optional
from sitrex.exceptions import InputError, MissingFileError

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


# ---------------------------------------------------------------------- images and frame input
def as_rgb(image: Any) -> np.ndarray:
    """An image as a contiguous RGB ``uint8`` array of shape (H, W, 3).

    Grey images are repeated on the three channels, an alpha channel is
    dropped, and floats in [0, 1] are scaled to [0, 255]. The channel order
    is taken as given: convert OpenCV's BGR arrays first.

    Parameters
    ----------
    image : array_like, shape (H, W), (H, W, 3) or (H, W, 4)

    Returns
    -------
    numpy.ndarray, shape (H, W, 3), uint8

    Raises
    ------
    sitrex.exceptions.InputError
        If the array is not an image or is empty.

    Examples
    --------
    >>> as_rgb(np.ones((2, 3))).shape, as_rgb(np.ones((2, 3)))[0, 0].tolist()
    ((2, 3, 3), [255, 255, 255])
    >>> as_rgb(np.zeros((4, 4, 2)))
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: expected an RGB image of shape (H, W, 3) (or a path), got an array of shape (4, 4, 2)
    """
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., np.newaxis], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise InputError(
            f"expected an RGB image of shape (H, W, 3) (or a path), got an array of shape "
            f"{arr.shape}"
        )
    if arr.shape[2] == 4:
        arr = arr[..., :3]
    if arr.dtype != np.uint8:
        if np.issubdtype(arr.dtype, np.floating) and arr.size and np.nanmax(arr) <= 1.0:
            arr = arr * 255.0
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise InputError(f"the image is empty: shape {arr.shape}")
    return np.ascontiguousarray(arr)


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image file as an RGB ``uint8`` array (H, W, 3), with OpenCV.

    Raises
    ------
    sitrex.exceptions.MissingFileError
        If there is no such file (a ``FileNotFoundError``).
    sitrex.exceptions.InputError
        If OpenCV cannot decode it.
    sitrex.exceptions.MissingDependencyError
        Without OpenCV (``pip install "sitrex[video]"``).

    Examples
    --------
    >>> read_image("no/such/image.jpg")
    Traceback (most recent call last):
    ...
    sitrex.exceptions.MissingFileError: no image file at 'no/such/image.jpg'; check the path
    """
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"no image file at {str(path)!r}; check the path")
    cv2 = _import_cv2()
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise InputError(f"{path.name}: OpenCV cannot decode this file as an image")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _frames_from_iterable(frames: Iterable[Any], fps: float | None) -> Iterator[Frame]:
    """User frames (:class:`Frame`, ``(rgb, seconds)`` pairs or bare arrays) as RGB Frames.

    Bare arrays need `fps`; timestamps must strictly increase.

    Examples
    --------
    >>> black = np.zeros((2, 2, 3), np.uint8)
    >>> [f.time for f in _frames_from_iterable([black, black], fps=4.0)]
    [0.0, 0.25]
    >>> list(_frames_from_iterable([(black, 1.0), (black, 1.0)], fps=None))
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: frame timestamps must strictly increase; frame 1 has time 1.0 after 1.0
    """
    last_t = -math.inf
    for i, item in enumerate(frames):
        if isinstance(item, Frame):
            frame = Frame(item.index, item.time, as_rgb(item.rgb))
        elif isinstance(item, tuple) and len(item) == 2:
            frame = Frame(i, float(item[1]), as_rgb(item[0]))
        else:
            if fps is None:
                raise InputError(
                    "frames given as bare arrays need fps=...; or pass (rgb, time_in_seconds) "
                    "pairs"
                )
            frame = Frame(i, i / fps, as_rgb(item))
        if not frame.time > last_t:
            raise InputError(
                f"frame timestamps must strictly increase; frame {i} has time {frame.time} "
                f"after {last_t}"
            )
        last_t = frame.time
        yield frame


def _import_cv2():
    return import_optional("cv2", "reading videos (OpenCV)", "video")


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


