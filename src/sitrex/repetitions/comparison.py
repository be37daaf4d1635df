"""Comparing an athlete's repetitions with the coach's typical one, and the messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sitrex._validation import as_angle_array, check_fps, check_number, resolve_columns
from sitrex.exceptions import InputError
from sitrex.repetitions._signals import smoothed_columns
from sitrex.repetitions.segmentation import Repetition, segment_repetitions

__all__ = ["RepetitionFeedback", "RepetitionIssue", "compare_repetitions", "judge_repetitions"]

_SHIFT_FRACTION = 0.2  # an extreme is shifted beyond this fraction of the coach's range
_MAX_MESSAGE_ISSUES = 3  # a message names at most this many issues (the worst); `issues` has all


@dataclass(frozen=True)
class RepetitionIssue:
    """One finding about one angle in one repetition.

    Parameters
    ----------
    angle : str
        Angle name.
    kind : {"shallow", "excessive", "shifted", "different"}
        ``"shallow"``: the range of motion is below ``shallow_below`` times
        the coach's (an incomplete repetition); ``"excessive"``: above
        ``excessive_above`` times; ``"shifted"``: the range is fine but the
        extreme reached differs from the coach's by more than
        ``shift_tolerance`` degrees (see :func:`compare_repetitions`);
        ``"different"``: a comparator's similarity says the angle differs
        although its range and extreme pass those checks (the way it moves
        differs; see :func:`judge_repetitions`).
    value, reference : float
        The athlete's and the coach's range of motion (shallow, excessive,
        different) or extreme (shifted), degrees.

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
        if self.kind == "different":
            if not (np.isfinite(self.value) and np.isfinite(self.reference)):
                return f"{self.angle} moves differently"   # a range not measured in a clip
            return (f"{self.angle} moves differently ({self.value:.0f}° range vs the coach's "
                    f"{self.reference:.0f}°)")
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
        The compared angles (the useful columns).
    rom, coach_rom : dict of str to float
        Range of motion (max - min of the smoothed angle within the
        repetition), degrees: this repetition's, and the median over the
        coach's repetitions. NaN when the angle is missing in more than half
        of the repetition's frames (of every coach repetition's, for the
        coach's); such an angle is still judged by a comparator's similarity
        (:func:`judge_repetitions`), not by its range.
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
    similarity : dict of str to float
        Per angle, a comparator's mean similarity over the repetition's
        scored frames, when the issues were judged by it
        (:func:`judge_repetitions`, as :func:`sitrex.compare` does; NaN where
        no frame of the repetition was scored); empty for the range checks
        alone.

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
    similarity: dict[str, float] = field(default_factory=dict)

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
                "message": self.message, "similarity": dict(self.similarity)}


def _message(index: int, n: int, issues: Sequence[RepetitionIssue], otherwise: str) -> str:
    """``"rep i of n: "`` and the worst issues (at most three), or `otherwise` without any."""
    shown = "; ".join(i.text for i in issues[:_MAX_MESSAGE_ISSUES])
    if len(issues) > _MAX_MESSAGE_ISSUES:
        shown += f" (and {len(issues) - _MAX_MESSAGE_ISSUES} more)"
    return f"rep {index + 1} of {n}: " + (shown if issues else otherwise)


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
                        coach_repetitions: list[Repetition] | None = None,
                        athlete_repetitions: list[Repetition] | None = None,
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
    coach_repetitions : list of Repetition, optional
        The coach's repetitions (frames of `coach_angles`), when already
        known (e.g. only the one chosen as the reference); default: segment
        the coach's clip.
    athlete_repetitions : list of Repetition, optional
        The athlete's repetitions (frames of `athlete_angles`), when already
        known (e.g. cut by a comparator); default: segment the athlete's clip.
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
    coach = as_angle_array(coach_angles, "coach_angles")
    athlete = as_angle_array(athlete_angles, "athlete_angles")
    if coach.shape[1] != athlete.shape[1]:
        raise InputError(f"coach_angles has {coach.shape[1]} columns but athlete_angles has "
                         f"{athlete.shape[1]}; both need the same angle columns")
    names = [str(n) for n in angle_names]
    if len(names) != coach.shape[1]:
        raise InputError(f"angle_names has {len(names)} names but the angles have "
                         f"{coach.shape[1]} columns")
    fps = check_fps(fps, required=True)
    coach_fps = fps if coach_fps is None else check_fps(coach_fps, "coach_fps", required=True)
    shallow_below = check_number(shallow_below, "shallow_below", low=0.0, low_open=True)
    excessive_above = check_number(excessive_above, "excessive_above", low=0.0, low_open=True)
    if excessive_above <= shallow_below:
        raise InputError(f"excessive_above ({excessive_above}) must be larger than shallow_below "
                         f"({shallow_below})")
    shift_tolerance = check_number(shift_tolerance, "shift_tolerance", low=0.0)
    min_rom = check_number(min_rom, "min_rom", low=0.0)
    cols = resolve_columns(columns, coach.shape[1], names)
    smooth = segment_options.get("smooth", 0.08)

    coach_reps = (list(coach_repetitions) if coach_repetitions is not None else
                  segment_repetitions(coach, fps=coach_fps, columns=cols, **segment_options))
    if not coach_reps:
        raise InputError("no repetition found in the coach's clip: check that `columns` are the "
                         "angles that move in this exercise, or lower `prominence` / `min_range`")
    athlete_reps = (list(athlete_repetitions) if athlete_repetitions is not None else
                    segment_repetitions(athlete, fps=fps, columns=cols, **segment_options))
    if not athlete_reps:
        return []

    # per-column smoothed signals (same cleaning as the segmentation), on the shared columns
    c_sm, c_missing = smoothed_columns(coach, cols, smooth, coach_fps), np.isnan(coach[:, cols])
    a_sm, a_missing = smoothed_columns(athlete, cols, smooth, fps), np.isnan(athlete[:, cols])
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
    compared = range(len(cols))        # ranges NaN where a clip measures too little of it
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
        message = _message(r, n, issues, "matches the coach's range of motion")
        feedback.append(RepetitionFeedback(
            repetition=rep, n_repetitions=n, angles=angle_list,
            rom={names[cols[k]]: float(a_rom[r, k]) for k in compared},
            coach_rom={names[cols[k]]: float(c_rom[k]) for k in compared},
            extreme={names[cols[k]]: float(a_extreme[r, k]) for k in compared},
            coach_extreme={names[cols[k]]: float(c_extreme[k]) for k in compared},
            duration=rep.duration(fps), coach_duration=coach_duration,
            issues=issues, message=message))
    return feedback


def judge_repetitions(feedback: Sequence[RepetitionFeedback], similarity: Any, *, angle_names,
                      threshold: float) -> list[RepetitionFeedback]:
    """Name in each repetition only what a comparator's similarity says differs.

    The range checks of :func:`compare_repetitions` use fixed ratios (0.75
    and 1.3 of the coach's range), which correct executions by other people
    often cross; a calibrated comparator says instead whether an angle
    differs *more than correct executions do* (its similarity below the
    threshold). This keeps the two from contradicting each other in one
    report: an angle is named for a repetition when its mean similarity over
    the repetition's scored frames is below `threshold`, worst first,
    described by its range check when one fired (shallow, excessive,
    shifted) and as ``"different"`` with its range of motion otherwise. The
    ranges and extremes of every compared angle stay as they were.

    Parameters
    ----------
    feedback : sequence of RepetitionFeedback
        From :func:`compare_repetitions`.
    similarity : array_like, shape (T, n_angles)
        Per frame of the athlete's clip (the frames the repetitions index)
        and angle, the comparator's similarity; NaN where not scored.
    angle_names : sequence of str
        Names of the `similarity` columns; every compared angle must be one.
    threshold : float
        Similarity below which an angle differs.

    Returns
    -------
    list of RepetitionFeedback
        The same repetitions with ``issues``, ``message`` and ``similarity``
        set. A repetition without a scored frame says so and names nothing.

    Raises
    ------
    sitrex.InputError
        When `similarity` is not 2-D with one column per name, or a compared
        angle is not among `angle_names`.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(300) / 30.0
    >>> coach = 170 - 45 * (1 - np.cos(2 * np.pi * t / 2.5))
    >>> athlete = 170 - 30 * (1 - np.cos(2 * np.pi * t / 2.5))   # two thirds of the range
    >>> ranges = compare_repetitions(coach[:, None], athlete[:, None],
    ...                              angle_names=["left knee"], columns=[0], fps=30.0)
    >>> ranges[0].message
    "rep 1 of 4: shallow left knee (59° range vs the coach's 88°)"
    >>> similarity = np.full((300, 1), 0.8)            # within what correct people vary
    >>> similarity[159:] = 0.2                          # ... until it is not
    >>> judged = judge_repetitions(ranges, similarity, angle_names=["left knee"], threshold=0.5)
    >>> judged[0].message, round(judged[0].similarity["left knee"], 2)
    ('rep 1 of 4: moves like the coach', 0.8)
    >>> judged[2].message
    "rep 3 of 4: shallow left knee (59° range vs the coach's 88°)"
    """
    names = [str(n) for n in angle_names]
    sim = np.asarray(similarity, dtype=np.float64)
    if sim.ndim != 2 or sim.shape[1] != len(names):
        raise InputError(f"similarity must have shape (frames, {len(names)}), one column per "
                         f"angle name; got {sim.shape}")
    threshold = check_number(threshold, "threshold")
    column = {name: k for k, name in enumerate(names)}
    judged = []
    for fb in feedback:
        missing = [a for a in fb.angles if a not in column]
        if missing:
            raise InputError(f"angle(s) {missing} of repetition {fb.repetition.index + 1} are not "
                             "among angle_names")
        block = sim[fb.repetition.start:fb.repetition.end, [column[a] for a in fb.angles]]
        counts = np.isfinite(block).sum(axis=0)
        means = np.where(counts > 0, np.nansum(block, axis=0) / np.maximum(counts, 1), np.nan)
        per_angle = {a: float(m) for a, m in zip(fb.angles, means)}
        found = {i.angle: i for i in fb.issues}
        below = sorted((m, a) for a, m in per_angle.items() if m < threshold)   # NaN: never
        issues = tuple(found.get(a) or RepetitionIssue(a, "different", fb.rom[a], fb.coach_rom[a])
                       for _, a in below)
        otherwise = ("moves like the coach" if counts.any() else
                     "not scored (no frame of it was compared with the coach)")
        judged.append(replace(fb, issues=issues, similarity=per_angle,
                              message=_message(fb.repetition.index, fb.n_repetitions, issues,
                                               otherwise)))
    return judged
