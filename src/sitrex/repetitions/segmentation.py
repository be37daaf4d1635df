"""Segmenting and counting repetitions: the driving signal, its turns, the boundaries.

The steps are described in :mod:`sitrex.repetitions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sitrex._validation import as_angle_array, check_fps, check_number
from sitrex.exceptions import InputError
from sitrex.repetitions._signals import prepare
from sitrex.sequences import interpolate_gaps

__all__ = ["LONG_STILL", "Repetition", "count_repetitions", "movement_span", "segment_repetitions"]

#: Seconds: a clip that holds still for longer than this before its movement starts (or after it
#: ends) is cut where the movement starts (ends) by :func:`movement_span`.
LONG_STILL = 0.5
#: A pose counts as still while every moving angle is within this share of its range of the
#: pose at that end of the clip (first or last frame with a person).
_STILL_SHARE = 0.05
#: Shortest movement :func:`movement_span` cuts a clip to, seconds.
_MIN_MOVEMENT_SECONDS = 0.3
#: An angle moves, for :func:`movement_span`, when its range is at least this many degrees and
#: this share of the largest range (the thresholds of the default comparator's usefulness rule).
_MOVING_RANGE, _MOVING_SHARE = 15.0, 0.25

_REST_FRACTION = 0.15   # a frame within this fraction of the rep's height above rest is at rest
_END_FRACTION = 0.05    # the last rep ends where the signal is back within this fraction of rest
_EDGE_FRACTION = 0.10   # the first / last frames that say where the rest pose is: this fraction
_EDGE_SECONDS = 0.25    # of the clip, at most this many seconds


@dataclass(frozen=True)
class Repetition:
    """One repetition: frames ``start`` (inclusive) to ``end`` (exclusive).

    Parameters
    ----------
    index : int
        0-based position among the clip's repetitions.
    start, end : int
        First frame and one past the last frame.
    turn : int
        Frame of the repetition's extreme (the bottom of a squat, the top of
        a curl), ``start <= turn < end``.

    Examples
    --------
    >>> rep = Repetition(index=0, start=10, end=70, turn=40)
    >>> rep.n_frames, rep.duration(30.0), rep.slice
    (60, 2.0, slice(10, 70, None))
    """

    index: int
    start: int
    end: int
    turn: int

    @property
    def n_frames(self) -> int:
        """Number of frames, ``end - start``."""
        return self.end - self.start

    @property
    def slice(self) -> slice:
        """``slice(start, end)``, to index the frames of an angle array."""
        return slice(self.start, self.end)

    def duration(self, fps: float) -> float:
        """Length in seconds at `fps` frames per second."""
        return self.n_frames / check_fps(fps, required=True)

    def times(self, fps: float) -> tuple[float, float, float]:
        """``(start, turn, end)`` in seconds at `fps` frames per second."""
        fps = check_fps(fps, required=True)
        return self.start / fps, self.turn / fps, self.end / fps



def _driving_signal(smoothed: np.ndarray, fps: float, rest_at: str = "edges") -> np.ndarray:
    """First principal component (degrees), oriented so that the rest pose is low."""
    centred = smoothed - smoothed.mean(axis=0)
    if centred.shape[1] == 1:
        signal = centred[:, 0]
    else:
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        signal = centred @ vt[0]
    n = len(signal)
    edge = max(1, min(int(round(_EDGE_FRACTION * n)), int(round(_EDGE_SECONDS * fps))))
    rest = np.mean(signal[:edge] if rest_at == "start" else
                   np.concatenate([signal[:edge], signal[-edge:]]))
    low, high = np.percentile(signal, [5, 95])
    if abs(rest - high) < abs(rest - low):
        signal = -signal
    return signal


def _turns(signal: np.ndarray, fps: float, min_duration: float, prominence: float,
           min_range: float) -> np.ndarray:
    from scipy.signal import find_peaks

    low, high = np.percentile(signal, [5, 95])
    height = max(prominence * (high - low), min_range)
    if high - low < min_range:
        return np.zeros(0, dtype=np.intp)
    distance = max(1, int(round(min_duration * fps)))
    peaks, _ = find_peaks(signal, prominence=height, distance=distance)
    return peaks.astype(np.intp)


def _boundaries(signal: np.ndarray, turns: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each repetition around its turn (see the module documentation)."""
    n = len(signal)
    starts, ends = [], []
    for k, turn in enumerate(turns):
        lo = 0 if k == 0 else int(turns[k - 1])
        segment = signal[lo:turn + 1]
        trough = lo + int(np.argmin(segment))
        rest = signal[trough]
        level = rest + _REST_FRACTION * (signal[turn] - rest)
        at_rest = np.flatnonzero(signal[trough:turn + 1] <= level)
        start = trough + int(at_rest[-1]) if at_rest.size else trough
        if k == 0 and signal[:turn + 1].min() > level:
            start = 0
        starts.append(start)
    for k, turn in enumerate(turns):
        if k + 1 < len(turns):
            ends.append(starts[k + 1])
            continue
        tail = signal[turn:]
        rest = tail.min()
        level = rest + _END_FRACTION * (signal[turn] - rest)
        back = np.flatnonzero(tail <= level)
        ends.append(n if not back.size else min(n, turn + int(back[0]) + 1))
    return [(int(s), int(max(e, t + 1))) for s, e, t in zip(starts, ends, turns)]


def segment_repetitions(angles: Any, *, fps: float, columns: Any = None,
                        min_duration: float = 0.4, prominence: float = 0.35,
                        min_range: float = 10.0, smooth: float = 0.08,
                        angle_names=None, rest_at: str = "edges") -> list[Repetition]:
    """Split an exercise clip into repetitions from its joint angles.

    The steps are in the module documentation: clean (unwrap, fill NaN
    gaps), smooth, take the first principal component of the chosen angles
    as the driving signal, find its peaks, and put the boundaries where the
    signal is at rest.

    Parameters
    ----------
    angles : array_like, shape (T, n_angles) or (T,)
        Joint angles in degrees (e.g. ``skeleton.angles()``); NaN where not
        measured.
    fps : float
        Frame rate, frames per second (the time parameters are in seconds).
    columns : sequence of int or str, or boolean mask, optional
        The angle columns that move in this exercise (e.g. its useful
        angles); names need `angle_names`. Default: all columns. Fewer, well
        chosen columns give a cleaner signal.
    min_duration : float, default 0.4
        Shortest repetition, seconds (minimum distance between two turns).
    prominence : float, default 0.35
        How far (as a fraction of the driving signal's 5-95 percentile
        range) a peak must stand out from its surroundings to count.
    min_range : float, default 10.0
        Degrees. A signal moving less than this has no repetition, and a
        peak must be at least this prominent: noise on a still pose is not
        counted.
    smooth : float, default 0.08
        Standard deviation of the Gaussian smoothing, seconds (0: none).
    angle_names : sequence of str, optional
        Column names, to pass `columns` by name.
    rest_at : {"edges", "start"}, default "edges"
        Where the rest pose is: where the clip starts and ends, or where it
        starts only (a clip that may stop mid-movement, such as a live stream
        so far: :class:`sitrex.live.RepetitionCounter`). It sets which way
        the driving signal goes up.

    Returns
    -------
    list of Repetition
        In time order; empty when no repetition is found.

    Raises
    ------
    ValueError
        For a wrong shape, inf values, a bad `fps` or parameter, unknown
        columns, or chosen columns that are (almost) all NaN.

    Examples
    --------
    >>> import numpy as np
    >>> fps = 30.0
    >>> t = np.arange(int(10 * fps)) / fps
    >>> knee = 170 - 45 * (1 - np.cos(2 * np.pi * t / 2.5))    # 4 squats of 2.5 s
    >>> reps = segment_repetitions(knee, fps=fps)
    >>> len(reps), [r.turn for r in reps]
    (4, [37, 112, 187, 262])
    """
    min_duration = check_number(min_duration, "min_duration", low=0.0)
    prominence = check_number(prominence, "prominence", low=0.0)
    min_range = check_number(min_range, "min_range", low=0.0)
    if rest_at not in ("edges", "start"):
        raise InputError(f"rest_at must be 'edges' or 'start'; got {rest_at!r}")
    arr = as_angle_array(angles)
    if len(arr) < 3:
        raise InputError(f"angles has {len(arr)} frames; at least 3 are needed to find "
                         "repetitions")
    smoothed, _, fps = prepare(arr, fps, columns, smooth, angle_names)
    signal = _driving_signal(smoothed, fps, rest_at)
    turns = _turns(signal, fps, min_duration, prominence, min_range)
    return [Repetition(index=k, start=s, end=e, turn=int(t))
            for k, ((s, e), t) in enumerate(zip(_boundaries(signal, turns), turns))]


def count_repetitions(angles: Any, *, fps: float, columns: Any = None, **kwargs: Any) -> int:
    """Number of repetitions in a clip: ``len(segment_repetitions(...))``.

    Parameters
    ----------
    angles : array_like, shape (T, n_angles) or (T,)
        Joint angles in degrees.
    fps : float
        Frame rate.
    columns : sequence of int or str, or boolean mask, optional
        The angle columns that move in this exercise.
    **kwargs
        Further options of :func:`segment_repetitions`.

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(300) / 30.0
    >>> elbow = 150 - 60 * (1 - np.cos(2 * np.pi * t / 2.0))   # 5 curls
    >>> count_repetitions(elbow, fps=30.0)
    5
    >>> count_repetitions(np.full(300, 90.0), fps=30.0)        # standing still
    0
    """
    return len(segment_repetitions(angles, fps=fps, columns=columns, **kwargs))


def movement_span(angles: np.ndarray, present: np.ndarray, fps: float) -> slice:
    """The frames from the start to the end of the movement in a clip.

    From the first to the last frame with a person; a still stretch at
    either end longer than :data:`LONG_STILL` seconds is left out (keeping
    some of it would not do: how much a clip cut from a longer recording
    keeps differs from clip to clip). A frame is still while every moving
    angle (range at least 15 degrees and a quarter of the largest, the 1st
    to 99th percentile) stays within 5 % of its range of its value at that
    end. A person recorded standing for seconds before and after one
    repetition is then read as that repetition, not as a clip that mostly
    holds still (for a coach, that shrinks every range and changes which
    angles matter; for an athlete, the standing became part of the
    repetition scored), while a clip that starts moving within half a
    second, as a repetition cut from a longer recording does, is kept
    whole. Nothing is cut from a clip without a moving angle, or where the
    movement would be shorter than 0.3 s.

    Parameters
    ----------
    angles : numpy.ndarray, shape (T, n_angles)
        Cleaned angles, degrees, NaN where not measured.
    present : numpy.ndarray of bool, shape (T,)
        Frames with a person; at least one.
    fps : float

    Returns
    -------
    slice

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(150) / 30.0
    >>> knee = 170 - 40 * (1 - np.cos(2 * np.pi * np.clip(t - 2.0, 0, 1)))   # still 2 s, 1 squat
    >>> span = movement_span(np.column_stack([knee, 90 + 0 * t]), np.ones(150, bool), 30.0)
    >>> span.start, span.stop      # beyond 5 % of its range from 2.07 s to 2.93 s
    (63, 88)
    >>> movement_span(np.column_stack([knee, 90 + 0 * t])[50:100], np.ones(50, bool), 30.0)
    slice(0, 50, None)
    """
    frames = np.flatnonzero(present)
    first, stop = int(frames[0]), int(frames[-1]) + 1
    whole = slice(first, stop)
    x = interpolate_gaps(np.asarray(angles, dtype=np.float64)[whole])
    measured = np.isfinite(x).any(axis=0)
    if not measured.any():
        return whole
    with np.errstate(invalid="ignore"):
        lo, hi = np.nanpercentile(x[:, measured], [1, 99], axis=0)
    span = hi - lo
    moving = span >= max(_MOVING_RANGE, _MOVING_SHARE * float(span.max()))
    if not moving.any():
        return whole
    x, span = x[:, measured][:, moving], span[moving]
    with np.errstate(invalid="ignore"):
        left = np.nanmax(np.abs(x - x[0]) / span, axis=1) > _STILL_SHARE
        right = np.nanmax(np.abs(x - x[-1]) / span, axis=1) > _STILL_SHARE
    if not left.any() or not right.any():
        return whole
    still_before, still_after = int(np.argmax(left)), int(np.argmax(right[::-1]))
    start = still_before if still_before > LONG_STILL * fps else 0
    end = len(x) - (still_after if still_after > LONG_STILL * fps else 0)
    if end - start < _MIN_MOVEMENT_SECONDS * fps:
        return whole
    return slice(first + start, first + end)
