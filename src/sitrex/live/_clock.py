"""Time in a live session: the source's time stamps, and the model's frame clock (private).

A live source's time stamps may repeat (a frame delivered twice), jump (frames
dropped by a busy machine, a camera that stalled) or go back (a source that
restarted). :class:`SessionClock` turns them into session seconds that start
at 0 and never go back. :class:`ModelClock` then re-times the frames to the
comparator's rate as they come: model frame ``k`` is at ``k / rate`` seconds,
interpolated between the two source frames around it, the causal twin of
:meth:`sitrex.feedback._inputs.Execution.at_rate` (which re-times a whole
recording with :func:`sitrex.sequences.resample`): on a regular stream both
give the same frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sitrex._validation import check_number
from sitrex.exceptions import InputError

__all__ = ["ModelClock", "Retimed", "SessionClock"]

#: Tolerance of "at the same time" (seconds).
_EPS = 1e-9


class SessionClock:
    """Source time stamps -> session seconds: 0 at the first frame, never decreasing.

    Parameters
    ----------
    restart_after : float, default 1.0
        A time stamp this many seconds *before* the previous one means the
        source restarted its clock: the session goes on from the previous
        frame plus one typical frame interval. A smaller step back is a
        repeated frame and keeps the previous time.

    Examples
    --------
    >>> clock = SessionClock()
    >>> [clock(t) for t in (10.0, 10.5, 10.5, 11.0, 0.0, 0.5)]
    [0.0, 0.5, 0.5, 1.0, 1.5, 2.0]
    >>> [clock(t) for t in (1e9, 1.0)]      # a jump, then a restart: one interval after it
    [1000000001.5, 1000000002.0]
    """

    def __init__(self, restart_after: float = 1.0) -> None:
        self.restart_after = check_number(restart_after, "restart_after", low=0.0)
        self._origin: float | None = None
        self._last: float | None = None
        self._step = 0.0

    def __call__(self, timestamp: float) -> float:
        """Session time of a frame stamped `timestamp` (seconds)."""
        stamp = float(timestamp)
        if not math.isfinite(stamp):
            raise InputError(f"a frame's time stamp must be a finite number of seconds; got "
                             f"{timestamp!r}")
        if self._origin is None:
            self._origin, self._last = stamp, 0.0
            return 0.0
        t = stamp - self._origin
        if t < self._last - self.restart_after:                # the source restarted
            self._origin = stamp - (self._last + self._step)
            t = self._last + self._step
        t = max(t, self._last)
        if 0 < t - self._last <= self.restart_after:     # a frame interval, not a jump
            self._step = t - self._last
        self._last = t
        return t


@dataclass(frozen=True)
class Retimed:
    """Model frames made by one source frame.

    Attributes
    ----------
    first : int
        Index of the first model frame in `values` (model frame ``k`` is at
        ``k / rate`` s). Frames between the previous call's last one and
        `first` were skipped: nobody in them (a jump in time).
    values : ndarray (n, A)
    present : ndarray (n,) bool
    """

    first: int
    values: np.ndarray
    present: np.ndarray

    @property
    def n(self) -> int:
        """Number of model frames."""
        return len(self.present)


class ModelClock:
    """Source frames re-timed to the model's rate as they come (linear interpolation).

    Model frame ``k`` (at ``k / rate`` s) is made when the first source frame
    at or after its time arrives: interpolated between that frame and the
    one before, with a person when the nearer of the two has one. A model
    frame that falls on a source frame keeps its values (NaN included).
    Across a jump longer than `max_gap` nothing is interpolated: the frames
    in between have nobody, and at most `max_frames` of them are made.

    Parameters
    ----------
    rate : float
        The model's frame rate.
    max_gap : float, default 0.5
        Longest jump in time that is interpolated, seconds.
    max_frames : int, default 300
        Most model frames one source frame makes (the rest of a long jump is
        skipped: see :attr:`Retimed.first`).

    Examples
    --------
    >>> clock = ModelClock(rate=30.0)
    >>> out = [clock.add(i / 60.0, np.array([float(i)]), True) for i in range(5)]
    >>> [(r.first, r.values[:, 0].tolist()) for r in out if r.n]
    [(0, [0.0]), (1, [2.0]), (2, [4.0])]
    """

    def __init__(self, rate: float, *, max_gap: float = 0.5, max_frames: int = 300) -> None:
        self.rate = check_number(rate, "rate", low=0.0, low_open=True)
        self.max_gap = check_number(max_gap, "max_gap", low=0.0)
        self.max_frames = int(max_frames)
        self.next_index = 0               # the next model frame to make
        self._prev: tuple[float, np.ndarray, bool, int] | None = None   # time, values, person, #
        self._count = 0                   # source frames received

    def add(self, time: float, values: np.ndarray, present: bool) -> Retimed:
        """The model frames that source frame (`time`, `values`, `present`) completes."""
        values = np.asarray(values, dtype=np.float64)
        index, self._count = self._count, self._count + 1
        prev, self._prev = self._prev, (float(time), values, bool(present), index)
        if prev is None:                                    # the session's first frame: k = 0
            return self._make(np.array([0]), values[None], np.array([bool(present)]))
        t0, v0, p0, i0 = prev
        if time <= t0:                                      # a repeated frame: no new time
            self._prev = prev
            return self._make(np.zeros(0, np.int64), values[None][:0], np.zeros(0, bool))
        last = math.floor(time * self.rate + 1e-9)       # as sitrex.sequences.resample
        ks = np.arange(max(self.next_index, last + 1 - self.max_frames), last + 1)
        times = ks / self.rate
        frac = np.clip((times - t0) / (time - t0), 0.0, 1.0)
        exact = times >= time - _EPS
        out = v0 * (1 - frac[:, None]) + values * frac[:, None]
        out[exact] = values
        person = np.where(np.rint(i0 + frac) > i0, present, p0)
        if time - t0 > self.max_gap:                        # nothing is invented across a jump
            out[~exact] = np.nan
            person = person & exact
        return self._make(ks, out, person)

    def _make(self, ks: np.ndarray, values: np.ndarray, present: np.ndarray) -> Retimed:
        first = int(ks[0]) if len(ks) else self.next_index
        if len(ks):
            self.next_index = int(ks[-1]) + 1
        return Retimed(first, values, np.asarray(present, dtype=bool))
