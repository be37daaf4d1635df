"""Repetitions from joint-angle signals: segment, count and compare with a coach.

A repetition is one excursion of the moving joints away from their rest pose
and back (down and up for a squat, up and down for a curl). The steps:

1. **Clean.** The chosen angle columns are unwrapped (no 360-degree jumps),
   NaN gaps are filled by linear interpolation in time (and the nearest value
   at the ends); columns measured in fewer than a quarter of the frames are
   left out.
2. **Smooth.** A Gaussian filter of ``smooth`` seconds (standard deviation)
   removes landmark jitter.
3. **Driving signal.** The first principal component of the centred,
   smoothed angles, in degrees (no standardisation, so the joints that move
   most lead and a still, noisy joint cannot). Its sign is set so that the
   rest pose is low and every repetition is a peak: the rest pose is taken
   to be where the clip starts and ends (the mean of the first and last
   0.25 s, at most 10 % of the clip each, is compared with the signal's 5th
   and 95th percentiles).
4. **Turns.** :func:`scipy.signal.find_peaks`: peaks at least ``prominence``
   times the signal's range (5th to 95th percentile) high, and never less
   than ``min_range`` degrees, at least ``min_duration`` seconds apart.
   A turn is the frame of the repetition's extreme (the bottom of a squat).
5. **Boundaries.** Between two turns, the next repetition starts at the
   last frame that is still at rest: within 15 % of that repetition's
   height above the lowest point between them. The first repetition starts
   the same way after the clip's start (frame 0 when the clip starts
   mid-movement); the last one ends where the signal is back at rest (the
   clip's end when it never is). Each repetition thus includes its pause at
   rest, and ``end`` of one is ``start`` of the next. The last one ends
   where the signal is back within 5 % of its height from rest, or at the
   clip's end when it never is.

:func:`compare_repetitions` then compares each repetition of an athlete with
the coach's typical (median) repetition, angle by angle.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Repetition", "RepetitionFeedback", "RepetitionIssue", "compare_repetitions",
           "count_repetitions", "segment_repetitions"]

_REST_FRACTION = 0.15   # a frame within this fraction of the rep's height above rest is at rest
_END_FRACTION = 0.05    # the last rep ends where the signal is back within this fraction of rest
_EDGE_FRACTION = 0.10   # the first / last frames that say where the rest pose is: this fraction
_EDGE_SECONDS = 0.25    # of the clip, at most this many seconds
_SHIFT_FRACTION = 0.2  # an extreme is shifted beyond this fraction of the coach's range
_MAX_MESSAGE_ISSUES = 3  # a message names at most this many issues (the worst); `issues` has all
_MIN_MEASURED = 0.25    # columns measured in fewer frames than this fraction are dropped


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
        return self.n_frames / float(_check_fps(fps))

    def times(self, fps: float) -> tuple[float, float, float]:
        """``(start, turn, end)`` in seconds at `fps` frames per second."""
        fps = float(_check_fps(fps))
        return self.start / fps, self.turn / fps, self.end / fps


# --------------------------------------------------------------------------- validation
def _check_fps(fps: Any, name: str = "fps") -> float:
    if isinstance(fps, bool) or not isinstance(fps, numbers.Real) or not np.isfinite(fps) \
            or fps <= 0:
        raise ValueError(f"{name} must be a positive number of frames per second; got {fps!r}")
    return float(fps)


def _check_positive(value: Any, name: str, *, allow_zero: bool = False) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value) \
        and (value >= 0 if allow_zero else value > 0)
    if not ok:
        raise ValueError(f"{name} must be a {'non-negative' if allow_zero else 'positive'} "
                         f"number; got {value!r}")
    return float(value)


def _as_angles(angles: Any, name: str = "angles") -> np.ndarray:
    try:
        arr = np.asarray(angles, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} could not be converted to a float array: {exc}") from exc
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (n_frames, n_angles) array of angles in degrees "
                         f"(or 1-D for one angle); got shape {arr.shape}")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has no angle columns")
    if np.isinf(arr).any():
        raise ValueError(f"{name} contains inf; angles must be finite degrees (NaN = missing)")
    return arr


def _resolve_columns(columns: Any, n_columns: int, angle_names=None) -> np.ndarray:
    if columns is None:
        return np.arange(n_columns)
    if isinstance(columns, (str, numbers.Integral)):
        columns = [columns]
    cols = list(np.asarray(columns).tolist()) if not isinstance(columns, (list, tuple)) \
        else list(columns)
    if cols and all(isinstance(c, (bool, np.bool_)) for c in cols):
        if len(cols) != n_columns:
            raise ValueError(f"a boolean columns mask must have {n_columns} entries; got "
                             f"{len(cols)}")
        cols = [i for i, c in enumerate(cols) if c]
    out = []
    for c in cols:
        if isinstance(c, str):
            if angle_names is None or c not in angle_names:
                known = "" if angle_names is None else f"; known: {', '.join(angle_names)}"
                raise ValueError(f"unknown angle column {c!r} (names need angle_names{known})")
            out.append(list(angle_names).index(c))
        elif isinstance(c, numbers.Integral) and not isinstance(c, bool):
            if not -n_columns <= c < n_columns:
                raise ValueError(f"column {c} is outside 0..{n_columns - 1}")
            out.append(int(c) % n_columns)
        else:
            raise ValueError(f"columns must hold column indices or angle names; got {c!r}")
    if not out:
        raise ValueError("columns is empty: choose at least one angle column")
    return np.array(sorted(set(out)), dtype=np.intp)


# --------------------------------------------------------------------------- signal steps
def _fill(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unwrapped, gap-filled copy of (T, k) angles and the mask of usable columns."""
    t = np.arange(len(columns))
    out = np.empty_like(columns)
    usable = np.zeros(columns.shape[1], dtype=bool)
    for k in range(columns.shape[1]):
        col = columns[:, k]
        ok = ~np.isnan(col)
        usable[k] = ok.sum() >= max(2, _MIN_MEASURED * len(col))
        if not usable[k]:
            out[:, k] = np.nan
            continue
        known = np.unwrap(col[ok], period=360.0)
        out[:, k] = np.interp(t, t[ok], known)
    return out, usable


def _smooth(x: np.ndarray, sigma_frames: float) -> np.ndarray:
    if sigma_frames <= 0 or len(x) < 3:
        return x
    from scipy.ndimage import gaussian_filter1d

    return gaussian_filter1d(x, sigma_frames, axis=0, mode="nearest")


def _driving_signal(smoothed: np.ndarray, fps: float) -> np.ndarray:
    """First principal component (degrees), oriented so that the rest pose is low."""
    centred = smoothed - smoothed.mean(axis=0)
    if centred.shape[1] == 1:
        signal = centred[:, 0]
    else:
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        signal = centred @ vt[0]
    n = len(signal)
    edge = max(1, min(int(round(_EDGE_FRACTION * n)), int(round(_EDGE_SECONDS * fps))))
    rest = np.mean(np.concatenate([signal[:edge], signal[-edge:]]))
    low, high = np.percentile(signal, [5, 95])
    if abs(rest - high) < abs(rest - low):
        signal = -signal
    return signal


def _prepare(angles, fps, columns, smooth, angle_names=None):
    arr = _as_angles(angles)
    fps = _check_fps(fps)
    smooth = _check_positive(smooth, "smooth", allow_zero=True)
    cols = _resolve_columns(columns, arr.shape[1], angle_names)
    filled, usable = _fill(arr[:, cols])
    if not usable.any():
        raise ValueError("no usable angle column: each chosen column is NaN in more than "
                         f"{100 * (1 - _MIN_MEASURED):.0f}% of the frames; choose columns that "
                         "were measured (e.g. the useful angles of the exercise)")
    smoothed = _smooth(filled[:, usable], smooth * fps)
    return smoothed, cols[usable], fps


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
                        angle_names=None) -> list[Repetition]:
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
    min_duration = _check_positive(min_duration, "min_duration", allow_zero=True)
    prominence = _check_positive(prominence, "prominence", allow_zero=True)
    min_range = _check_positive(min_range, "min_range", allow_zero=True)
    arr = _as_angles(angles)
    if len(arr) < 3:
        raise ValueError(f"angles has {len(arr)} frames; at least 3 are needed to find "
                         "repetitions")
    smoothed, _, fps = _prepare(arr, fps, columns, smooth, angle_names)
    signal = _driving_signal(smoothed, fps)
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


# --------------------------------------------------------------------------- comparison
@dataclass(frozen=True)
class RepetitionIssue:
    """One finding about one angle in one repetition.

    Parameters
    ----------
    angle : str
        Angle name.
    kind : {"shallow", "excessive", "shifted"}
        ``"shallow"``: the range of motion is below ``shallow_below`` times
        the coach's (an incomplete repetition); ``"excessive"``: above
        ``excessive_above`` times; ``"shifted"``: the range is fine but the
        extreme reached differs from the coach's by more than
        ``shift_tolerance`` degrees (see :func:`compare_repetitions`).
    value, reference : float
        The athlete's and the coach's range of motion (shallow, excessive)
        or extreme (shifted), degrees.

    Examples
    --------
    >>> RepetitionIssue("left knee", "shallow", 62.0, 95.0).text
    "shallow left knee (62° range vs the coach's 95°)"
    """

    angle: str
    kind: str
    value: float
    reference: float

    @property
    def text(self) -> str:
        """The issue in words."""
        if self.kind == "shifted":
            return (f"{self.angle} reaches {self.value:.0f}° vs the coach's "
                    f"{self.reference:.0f}°")
        return (f"{self.kind} {self.angle} ({self.value:.0f}° range vs the coach's "
                f"{self.reference:.0f}°)")


@dataclass(frozen=True)
class RepetitionFeedback:
    """How one athlete repetition compares with the coach's typical repetition.

    Parameters
    ----------
    repetition : Repetition
        The athlete's repetition (frames of the athlete's clip).
    n_repetitions : int
        How many repetitions the athlete's clip has.
    angles : tuple of str
        The compared angles (the useful columns that were measured).
    rom, coach_rom : dict of str to float
        Range of motion (max - min of the smoothed angle within the
        repetition), degrees: this repetition's, and the median over the
        coach's repetitions. NaN when the angle is missing in the repetition.
    extreme, coach_extreme : dict of str to float
        The value reached at the far end of the movement (the maximum if the
        coach's angle rises from rest to the turn, else the minimum),
        degrees; the coach's is the median over repetitions.
    duration, coach_duration : float
        Seconds: this repetition's and the coach's median.
    issues : tuple of RepetitionIssue
        What differs, worst first.
    message : str
        E.g. ``"rep 3 of 5: shallow left knee (62° range vs the coach's 95°)"``;
        it names the three worst issues at most.

    Examples
    --------
    >>> rep = Repetition(0, 0, 60, 30)
    >>> fb = RepetitionFeedback(rep, 1, ("left knee",), {"left knee": 90.0},
    ...                         {"left knee": 95.0}, {"left knee": 80.0}, {"left knee": 75.0},
    ...                         2.0, 2.1, (), "rep 1 of 1: matches the coach")
    >>> fb.ok, round(fb.rom_ratio["left knee"], 3)
    (True, 0.947)
    """

    repetition: Repetition
    n_repetitions: int
    angles: tuple[str, ...]
    rom: dict[str, float]
    coach_rom: dict[str, float]
    extreme: dict[str, float]
    coach_extreme: dict[str, float]
    duration: float
    coach_duration: float
    issues: tuple[RepetitionIssue, ...] = field(default=())
    message: str = ""

    @property
    def ok(self) -> bool:
        """True when no issue was found."""
        return not self.issues

    @property
    def rom_ratio(self) -> dict[str, float]:
        """Per angle, this repetition's range of motion over the coach's."""
        return {a: (self.rom[a] / self.coach_rom[a] if self.coach_rom[a] > 0 else np.nan)
                for a in self.angles}

    def to_dict(self) -> dict[str, Any]:
        """Plain Python types (JSON-ready; NaN stays a float NaN)."""
        rep = self.repetition
        return {"repetition": {"index": rep.index, "start": rep.start, "end": rep.end,
                               "turn": rep.turn},
                "n_repetitions": self.n_repetitions, "angles": list(self.angles),
                "rom": dict(self.rom), "coach_rom": dict(self.coach_rom),
                "extreme": dict(self.extreme), "coach_extreme": dict(self.coach_extreme),
                "duration": self.duration, "coach_duration": self.coach_duration,
                "issues": [{"angle": i.angle, "kind": i.kind, "value": i.value,
                            "reference": i.reference} for i in self.issues],
                "message": self.message}


def _rep_stats(smoothed: np.ndarray, missing: np.ndarray, reps: list[Repetition]):
    """Per rep and column: min, max, value at start and at turn (NaN if mostly missing)."""
    out = np.full((len(reps), 4, smoothed.shape[1]), np.nan)
    for r, rep in enumerate(reps):
        seg = smoothed[rep.slice]
        measured = 1.0 - missing[rep.slice].mean(axis=0)
        good = measured >= 0.5
        out[r, 0, good] = seg[:, good].min(axis=0)
        out[r, 1, good] = seg[:, good].max(axis=0)
        out[r, 2, good] = smoothed[rep.start, good]
        out[r, 3, good] = smoothed[rep.turn, good]
    return out


def compare_repetitions(coach_angles: Any, athlete_angles: Any, *, angle_names, columns,
                        fps: float, coach_fps: float | None = None,
                        shallow_below: float = 0.75, excessive_above: float = 1.3,
                        shift_tolerance: float = 15.0, min_rom: float = 10.0,
                        **segment_options: Any) -> list[RepetitionFeedback]:
    """Compare each of an athlete's repetitions with the coach's typical repetition.

    Both clips are segmented with :func:`segment_repetitions` on `columns`.
    For every athlete repetition and every compared angle, the range of
    motion (max - min of the smoothed angle) and the extreme reached are
    set against the median over the coach's repetitions, and flagged:

    * ``"shallow"`` when the range is below ``shallow_below`` times the
      coach's (an incomplete repetition: a shallow squat, a half curl);
    * ``"excessive"`` when above ``excessive_above`` times the coach's;
    * ``"shifted"`` when the range is within those bounds but the extreme
      differs from the coach's by more than `shift_tolerance` degrees and
      more than a fifth of the coach's range (people's ranges differ by
      some 10 %: a 130-degree curl may end 20 degrees off without a fault).

    Range checks apply only to angles that move at least `min_rom` degrees
    in the coach's repetitions (the others are judged by their extreme
    only), so a joint held still is not flagged for a few degrees.

    Parameters
    ----------
    coach_angles, athlete_angles : array_like, shape (T, n_angles)
        Joint angles in degrees, same columns (NaN where not measured).
    angle_names : sequence of str
        Names of the ``n_angles`` columns (for messages; e.g.
        :data:`sitrex.ANGLE_NAMES`).
    columns : sequence of int or str, or boolean mask
        The angles that matter for the exercise (indices or names); they
        drive the segmentation and are compared.
    fps : float
        Frame rate of the athlete's clip (and of the coach's unless
        `coach_fps` is given).
    coach_fps : float, optional
        Frame rate of the coach's clip when it differs.
    shallow_below, excessive_above : float, default 0.75 and 1.3
        Range-of-motion ratios (athlete / coach) outside which a repetition
        is flagged. People differ: two correct synthetic squatters differ
        by up to about 20 % in range, which is why the defaults are not
        tighter.
    shift_tolerance : float, default 15.0
        Degrees (at least; see ``"shifted"`` above).
    min_rom : float, default 10.0
        Degrees of coach range below which an angle's range is not judged.
    **segment_options
        Passed to :func:`segment_repetitions` (``min_duration``,
        ``prominence``, ``min_range``, ``smooth``).

    Returns
    -------
    list of RepetitionFeedback
        One per athlete repetition; empty when the athlete's clip has none.

    Raises
    ------
    ValueError
        For bad shapes or parameters, or when the coach's clip has no
        repetition to compare with.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(300) / 30.0
    >>> coach = 170 - 45 * (1 - np.cos(2 * np.pi * t / 2.5))     # 90° of knee range
    >>> athlete = 170 - 25 * (1 - np.cos(2 * np.pi * t / 2.5))   # 50°: shallow
    >>> fb = compare_repetitions(coach[:, None], athlete[:, None], angle_names=["left knee"],
    ...                          columns=[0], fps=30.0)
    >>> len(fb), fb[0].issues[0].kind
    (4, 'shallow')
    >>> fb[0].message
    "rep 1 of 4: shallow left knee (49° range vs the coach's 88°)"
    """
    coach = _as_angles(coach_angles, "coach_angles")
    athlete = _as_angles(athlete_angles, "athlete_angles")
    if coach.shape[1] != athlete.shape[1]:
        raise ValueError(f"coach_angles has {coach.shape[1]} columns but athlete_angles has "
                         f"{athlete.shape[1]}; both need the same angle columns")
    names = [str(n) for n in angle_names]
    if len(names) != coach.shape[1]:
        raise ValueError(f"angle_names has {len(names)} names but the angles have "
                         f"{coach.shape[1]} columns")
    fps = _check_fps(fps)
    coach_fps = fps if coach_fps is None else _check_fps(coach_fps, "coach_fps")
    shallow_below = _check_positive(shallow_below, "shallow_below")
    excessive_above = _check_positive(excessive_above, "excessive_above")
    if excessive_above <= shallow_below:
        raise ValueError(f"excessive_above ({excessive_above}) must be larger than shallow_below "
                         f"({shallow_below})")
    shift_tolerance = _check_positive(shift_tolerance, "shift_tolerance", allow_zero=True)
    min_rom = _check_positive(min_rom, "min_rom", allow_zero=True)
    cols = _resolve_columns(columns, coach.shape[1], names)
    smooth = segment_options.get("smooth", 0.08)

    coach_reps = segment_repetitions(coach, fps=coach_fps, columns=cols, **segment_options)
    if not coach_reps:
        raise ValueError("no repetition found in the coach's clip: check that `columns` are the "
                         "angles that move in this exercise, or lower `prominence` / `min_range`")
    athlete_reps = segment_repetitions(athlete, fps=fps, columns=cols, **segment_options)
    if not athlete_reps:
        return []

    # per-column smoothed signals (same cleaning as the segmentation), on the shared columns
    def signals(arr, rate):
        filled, usable = _fill(arr[:, cols])
        sm = np.full_like(filled, np.nan)
        sm[:, usable] = _smooth(filled[:, usable], smooth * rate)
        return sm, np.isnan(arr[:, cols])

    c_sm, c_missing = signals(coach, coach_fps)
    a_sm, a_missing = signals(athlete, fps)
    c_stats = _rep_stats(c_sm, c_missing, coach_reps)
    a_stats = _rep_stats(a_sm, a_missing, athlete_reps)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN medians
        c_low, c_high, c_start, c_turn = np.nanmedian(c_stats, axis=0)
    c_rom = c_high - c_low
    rising = c_turn >= c_start
    c_extreme = np.where(rising, c_high, c_low)
    a_rom = a_stats[:, 1] - a_stats[:, 0]
    a_extreme = np.where(rising, a_stats[:, 1], a_stats[:, 0])
    coach_duration = float(np.median([r.duration(coach_fps) for r in coach_reps]))
    compared = [k for k in range(len(cols)) if np.isfinite(c_rom[k])]
    angle_list = tuple(names[cols[k]] for k in compared)

    feedback = []
    n = len(athlete_reps)
    for r, rep in enumerate(athlete_reps):
        issues = []
        for k in compared:
            name, rom, ref = names[cols[k]], a_rom[r, k], c_rom[k]
            if not np.isfinite(rom):
                continue
            severity = 0.0
            kind = None
            if ref >= min_rom and rom < shallow_below * ref:
                kind, value, reference, severity = "shallow", rom, ref, 1 - rom / ref
            elif ref >= min_rom and rom > excessive_above * ref:
                kind, value, reference, severity = "excessive", rom, ref, rom / ref - 1
            elif abs(a_extreme[r, k] - c_extreme[k]) > max(shift_tolerance, _SHIFT_FRACTION * ref):
                value, reference = a_extreme[r, k], c_extreme[k]
                kind, severity = "shifted", abs(value - reference) / max(ref, min_rom, 1e-9)
            if kind is not None:
                issues.append((severity, RepetitionIssue(name, kind, float(value),
                                                         float(reference))))
        issues = tuple(i for _, i in sorted(issues, key=lambda x: -x[0]))
        head = f"rep {r + 1} of {n}"
        shown = "; ".join(i.text for i in issues[:_MAX_MESSAGE_ISSUES])
        if len(issues) > _MAX_MESSAGE_ISSUES:
            shown += f" (and {len(issues) - _MAX_MESSAGE_ISSUES} more)"
        message = f"{head}: " + (shown if issues else "matches the coach's range of motion")
        feedback.append(RepetitionFeedback(
            repetition=rep, n_repetitions=n, angles=angle_list,
            rom={names[cols[k]]: float(a_rom[r, k]) for k in compared},
            coach_rom={names[cols[k]]: float(c_rom[k]) for k in compared},
            extreme={names[cols[k]]: float(a_extreme[r, k]) for k in compared},
            coach_extreme={names[cols[k]]: float(c_extreme[k]) for k in compared},
            duration=rep.duration(fps), coach_duration=coach_duration,
            issues=issues, message=message))
    return feedback
