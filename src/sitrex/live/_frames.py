"""What a live frame and its time stamp may be, checked before they touch a session (private).

:meth:`sitrex.LiveComparator.update` takes RGB pixels, one pose's landmarks,
one frame's angles or None. A frame that is none of these, or holds infinite
values, or a time stamp that is not a finite number, is refused with an
:class:`~sitrex.InputError` *before* the session's clocks and filters see it,
so the session goes on with the next good frame as if the bad one had never
come.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex.landmarks import N_LANDMARKS
from sitrex.skeleton import Skeleton

__all__ = ["MIN_IMAGE_SIDE", "frame_time", "frame_values"]

#: Fewest pixels on an image's side: anything smaller is not a camera frame.
MIN_IMAGE_SIDE = 16


def _accepted(n_angles: int) -> str:
    return (f"a live frame must be RGB pixels (H, W, 3), one pose's landmarks ({N_LANDMARKS}, 3), "
            f"one frame's angles ({n_angles},) in the comparator's columns, or None")


def frame_time(time: Any) -> float | None:
    """A frame's time stamp as seconds, None when not given.

    Examples
    --------
    >>> frame_time(None), frame_time(np.float32(1.5))
    (None, 1.5)
    >>> frame_time(float("nan"))
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: a frame's time stamp must be a finite number of seconds; got nan (give time=None to use the wall clock)
    """
    if time is None:
        return None
    try:
        seconds = float(time)
    except (TypeError, ValueError):
        raise InputError(f"a frame's time stamp must be a number of seconds; got "
                         f"{type(time).__name__} {time!r}") from None
    if not math.isfinite(seconds):
        raise InputError(f"a frame's time stamp must be a finite number of seconds; got {time!r} "
                         "(give time=None to use the wall clock)")
    return seconds


def frame_values(frame: Any, n_angles: int) -> np.ndarray | None:
    """The frame as an array (pixels, landmarks or angles), None for nobody in view.

    Examples
    --------
    >>> frame_values(np.zeros((33, 3)), 26).shape
    (33, 3)
    >>> frame_values(np.zeros((1, 33, 3)), 26)
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: a live frame of shape (1, 33, 3) looks like 1 pose(s) of landmarks; give one pose, (33, 3), per call to update()
    """
    if frame is None:
        return None
    if isinstance(frame, Skeleton):
        raise InputError("a live frame is one pose, not a whole Skeleton: give its frames one at "
                         "a time (skeleton.coords[i], or sitrex.compare for a recording)")
    try:
        values = np.asarray(frame)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{_accepted(n_angles)}; got {type(frame).__name__} ({exc})") from None
    if not (np.issubdtype(values.dtype, np.number) or values.dtype == bool) \
            or values.ndim not in (1, 2, 3):
        raise InputError(f"{_accepted(n_angles)}; got {type(frame).__name__} of shape "
                         f"{values.shape} and dtype {values.dtype}")
    if values.ndim == 3 and values.shape[1] == N_LANDMARKS and values.shape[2] in (3, 4):
        raise InputError(f"a live frame of shape {values.shape} looks like {values.shape[0]} "
                         f"pose(s) of landmarks; give one pose, ({N_LANDMARKS}, 3), per call to "
                         "update()")
    if values.ndim == 3:
        if min(values.shape[:2]) < MIN_IMAGE_SIDE:
            raise InputError(f"{_accepted(n_angles)}; got an image of shape {values.shape}, "
                             f"smaller than {MIN_IMAGE_SIDE} pixels on a side")
        return values
    if np.isinf(values).any():
        raise InputError("the frame holds infinite values; mark unknown landmarks or angles with "
                         "NaN instead (the frame was not used)")
    return values
