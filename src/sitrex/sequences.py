"""Time series of joint angles (or landmarks): gaps, re-timing, padding, unwrapping, smoothing.

Every function works on arrays whose first axis is time, ``(T, ...)``, with
NaN marking a value that was not measured, and is vectorised over the other
axes (no per-frame Python loop). They are the one home of sequence
preprocessing in sitrex: training pairs, the estimators, the feedback and the
repetition counter all call them.

* :func:`interpolate_gaps` / :func:`fill_gaps`: linear interpolation over
  missing frames, optionally only across gaps up to a maximum length;
* :func:`carry_forward`: the causal counterpart: a missing frame keeps the
  last measured value (live use: a frame never depends on later ones);
* :func:`unwrap_angles`: remove 360-degree jumps of plane angles;
* :func:`resample`: re-time a sequence to another frame rate;
* :func:`pad_sequences`: zero-pad (and mask) sequences to one length;
* :func:`seconds_to_frames`: durations given in seconds, as frames at a rate.

The filters (low-pass, glitch rejection, live smoothing) are in
:mod:`sitrex.filters`.

Examples
--------
>>> import numpy as np
>>> from sitrex.sequences import interpolate_gaps
>>> interpolate_gaps(np.array([0.0, np.nan, 20.0, np.nan, np.nan, np.nan, 60.0]), max_gap=2).tolist()
[0.0, 10.0, 20.0, nan, nan, nan, 60.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sitrex._validation import check_fps, check_int, check_number
from sitrex.exceptions import InputError

__all__ = ["carry_forward", "fill_gaps", "interpolate_gaps", "pad_sequences", "resample", "seconds_to_frames",
           "unwrap_angles"]


def _as_series(x: Any, name: str) -> np.ndarray:
    try:
        arr = np.array(x, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} could not be converted to a float array: {exc}") from None
    if arr.ndim == 0:
        raise InputError(f"{name} must have a time axis (shape (T, ...)); got a scalar")
    return arr


def interpolate_gaps(x: Any, *, max_gap: int | None = None, fill_value: float | None = None
                     ) -> np.ndarray:
    """Fill missing frames (NaN) by linear interpolation in time, per column.

    Parameters
    ----------
    x : array_like, shape (T, ...)
        Time on the first axis; every other entry is its own series.
    max_gap : int, optional
        Longest run of missing frames that is filled; longer runs stay NaN
        (a person out of view for a second is not invented). Leading and
        trailing runs count the same way. None fills every gap.
    fill_value : float, optional
        Value of a series that is never measured; None leaves it NaN.

    Returns
    -------
    numpy.ndarray, float64, same shape
        Interior gaps interpolated between the measured frames around them;
        leading and trailing gaps take the nearest measured value.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[np.nan, np.nan], [10.0, np.nan], [np.nan, np.nan], [30.0, np.nan]])
    >>> interpolate_gaps(x, fill_value=0.0).tolist()
    [[10.0, 0.0], [10.0, 0.0], [20.0, 0.0], [30.0, 0.0]]
    """
    arr = _as_series(x, "x")
    if max_gap is not None:
        max_gap = check_int(max_gap, "max_gap", low=0)
    shape = arr.shape
    flat = arr.reshape(len(arr), -1)
    missing = np.isnan(flat)
    if not missing.any() or len(flat) == 0:
        return arr
    n = len(flat)
    t = np.arange(n)[:, None]
    seen = ~missing
    prev = np.maximum.accumulate(np.where(seen, t, -1), axis=0)
    nxt = np.minimum.accumulate(np.where(seen, t, n)[::-1], axis=0)[::-1]
    has_prev, has_next = prev >= 0, nxt < n
    lo = np.take_along_axis(flat, np.clip(prev, 0, n - 1), axis=0)
    hi = np.take_along_axis(flat, np.clip(nxt, 0, n - 1), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = (t - prev) / np.maximum(nxt - prev, 1)
    filled = np.where(has_prev & has_next, lo + (hi - lo) * frac,
                      np.where(has_prev, lo, hi))
    out = np.where(missing, filled, flat)
    if max_gap is not None:
        gap = np.where(has_prev & has_next, nxt - prev - 1,
                       np.where(has_prev, n - 1 - prev, nxt))
        out[missing & (gap > max_gap)] = np.nan
    never = ~seen.any(axis=0)
    out[:, never] = np.nan if fill_value is None else float(fill_value)
    return out.reshape(shape)


def carry_forward(x: Any, *, fill_value: float | None = None) -> np.ndarray:
    """Fill missing frames (NaN) with the last measured value of their series: causal gap filling.

    The counterpart of :func:`interpolate_gaps` for live use: frame ``t`` of
    the result depends on frames ``<= t`` only, so a stream filled frame by
    frame and a recording filled at once give the same values.

    Parameters
    ----------
    x : array_like, shape (T, ...)
        Time on the first axis; every other entry is its own series.
    fill_value : float, optional
        Value before a series is first measured; None leaves it NaN.

    Returns
    -------
    numpy.ndarray, float64, same shape

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[np.nan, 1.0], [10.0, np.nan], [np.nan, np.nan], [30.0, 4.0]])
    >>> carry_forward(x, fill_value=0.0).tolist()
    [[0.0, 1.0], [10.0, 1.0], [10.0, 1.0], [30.0, 4.0]]
    """
    arr = _as_series(x, "x")
    if arr.size == 0:
        return arr
    flat = arr.reshape(len(arr), -1)
    seen = ~np.isnan(flat)
    last = np.maximum.accumulate(np.where(seen, np.arange(len(flat))[:, None], -1), axis=0)
    out = np.take_along_axis(flat, np.maximum(last, 0), axis=0)
    out[last < 0] = np.nan if fill_value is None else float(fill_value)
    return out.reshape(arr.shape)


def fill_gaps(sequences: Sequence[Any], fill_value: float = 0.0) -> list[np.ndarray]:
    """Fill NaN angles in each of several sequences: linear interpolation in time, then a constant.

    Per sequence and per angle, NaN frames between measured ones are
    interpolated linearly, leading and trailing NaN take the nearest
    measured value, and an angle never measured in the sequence becomes
    `fill_value` (see :func:`interpolate_gaps`).

    Parameters
    ----------
    sequences : sequence of array_like, each (T_i, n_angles)
    fill_value : float

    Returns
    -------
    list of ndarray (float64), same shapes

    Examples
    --------
    >>> import numpy as np
    >>> seq = np.array([[np.nan, np.nan], [10.0, np.nan], [np.nan, np.nan], [30.0, np.nan]])
    >>> fill_gaps([seq])[0].tolist()
    [[10.0, 0.0], [10.0, 0.0], [20.0, 0.0], [30.0, 0.0]]
    """
    out = []
    for i, seq in enumerate(sequences):
        arr = _as_series(seq, f"sequences[{i}]")
        if arr.ndim != 2:
            raise InputError(f"fill_gaps: every sequence must be 2-D (T, n_angles); "
                             f"sequences[{i}] has shape {arr.shape}")
        out.append(interpolate_gaps(arr, fill_value=fill_value))
    return out


def unwrap_angles(x: Any, period: float = 360.0) -> np.ndarray:
    """Remove jumps of a full turn from angle series (NaN-aware), per column.

    A plane angle that crosses 0/360 degrees jumps by a full turn; unwrapped,
    it keeps moving smoothly past 360 or below 0. Missing frames stay NaN and
    the series continues across them.

    Examples
    --------
    >>> unwrap_angles([350.0, 355.0, float("nan"), 5.0, 10.0]).tolist()
    [350.0, 355.0, nan, 365.0, 370.0]
    """
    arr = _as_series(x, "x")
    missing = np.isnan(arr)
    if arr.size == 0:
        return arr
    flat = arr.reshape(len(arr), -1)
    t = np.arange(len(flat))[:, None]
    last_seen = np.maximum.accumulate(np.where(~np.isnan(flat), t, -1), axis=0)
    first_seen = np.argmax(~np.isnan(flat), axis=0)[None, :]
    # hold the last measured value across a gap (interpolating across a wrap would invent a path)
    held = np.take_along_axis(flat, np.where(last_seen < 0, first_seen, last_seen), axis=0)
    held = np.where(np.isnan(held), 0.0, held).reshape(arr.shape)
    steps = np.diff(held, axis=0)
    wrapped = (steps + period / 2) % period - period / 2
    out = held.copy()
    turns = np.round((wrapped - steps) / period)    # whole turns only: exact values
    out[1:] += period * np.cumsum(turns, axis=0)
    out[missing] = np.nan
    return out


def resample(x: Any, from_fps: float, to_fps: float) -> tuple[np.ndarray, np.ndarray]:
    """A sequence re-timed to another frame rate by linear interpolation.

    Frame ``k`` of the result is at time ``k / to_fps``; the result covers
    the input's duration ``(T - 1) / from_fps``. A new frame next to a
    missing one is missing too.

    Parameters
    ----------
    x : array_like, shape (T, ...)
    from_fps, to_fps : float
        The input's frame rate and the one wanted.

    Returns
    -------
    resampled : numpy.ndarray, shape (T', ...)
    nearest : numpy.ndarray of int, shape (T',)
        For each new frame, the nearest original frame.

    Examples
    --------
    >>> import numpy as np
    >>> out, nearest = resample(np.array([0.0, 10.0, 20.0]), 10.0, 20.0)
    >>> out.tolist(), nearest.tolist()
    ([0.0, 5.0, 10.0, 15.0, 20.0], [0, 0, 1, 2, 2])

    A new frame that falls on an old one keeps its value, even next to a
    missing one, whatever the rounding of its time (31 / 30 * 60 is not 62
    in floating point):

    >>> x = np.arange(64.0)
    >>> x[1::2] = np.nan                     # every other frame missing
    >>> out = resample(x, 60.0, 30.0)[0]
    >>> bool(np.isnan(out).any()), out[31]
    (False, np.float64(62.0))
    """
    arr = np.asarray(x, dtype=np.float64)
    from_fps = check_fps(from_fps, "from_fps", required=True)
    to_fps = check_fps(to_fps, "to_fps", required=True)
    if len(arr) == 0 or abs(from_fps - to_fps) <= 1e-6 * to_fps:
        return arr, np.arange(len(arr))
    duration = (len(arr) - 1) / from_fps
    n_new = int(np.floor(duration * to_fps + 1e-9)) + 1
    position = np.arange(n_new) / to_fps * from_fps
    on_frame = np.abs(position - np.rint(position)) < 1e-9     # 0.1 * 60 is 6.000000000000001
    position[on_frame] = np.rint(position[on_frame])
    lo = np.minimum(np.floor(position).astype(np.int64), len(arr) - 1)
    hi = np.minimum(lo + 1, len(arr) - 1)
    frac = (position - lo).reshape(-1, *([1] * (arr.ndim - 1)))
    out = arr[lo] * (1 - frac) + arr[hi] * frac
    exact = frac.reshape(-1) == 0
    out[exact] = arr[lo[exact]]            # a frame on the old clock keeps its value (and NaN)
    nearest = np.minimum(np.rint(position).astype(np.int64), len(arr) - 1)
    return out, nearest


def pad_sequences(sequences: Sequence[np.ndarray], max_len: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Zero-padded ``(n, max_len, A)`` float32 and a ``(n, max_len)`` mask of real frames.

    Sequences longer than `max_len` keep their **last** `max_len` frames
    (the most recent movement).

    Examples
    --------
    >>> import numpy as np
    >>> x, mask = pad_sequences([np.ones((2, 1)), np.arange(5.0)[:, None]], 3)
    >>> x[:, :, 0].tolist(), mask.tolist()
    ([[1.0, 1.0, 0.0], [2.0, 3.0, 4.0]], [[1.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
    """
    max_len = check_int(max_len, "max_len")
    n_angles = sequences[0].shape[1]
    x = np.zeros((len(sequences), max_len, n_angles), dtype=np.float32)
    mask = np.zeros((len(sequences), max_len), dtype=np.float32)
    for i, s in enumerate(sequences):
        s = s[-max_len:]
        x[i, :len(s)] = s
        mask[i, :len(s)] = 1.0
    return x, mask



def seconds_to_frames(seconds: float, fps: float, *, minimum: int = 1, name: str = "duration"
                      ) -> int:
    """A duration in seconds as a whole number of frames at `fps` (rounded, at least `minimum`).

    Examples
    --------
    >>> seconds_to_frames(2.0, 30), seconds_to_frames(2.0, 25), seconds_to_frames(0.01, 30)
    (60, 50, 1)
    """
    seconds = check_number(seconds, name, low=0.0)
    fps = check_fps(fps, required=True)
    return max(int(minimum), int(np.floor(seconds * fps + 0.5)))
