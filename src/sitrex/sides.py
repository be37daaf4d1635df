"""Body sides: which side a movement works, and the same movement mirrored.

A physiotherapist facing a patient shows a right-arm exercise with the right
arm, and the patient copies it with the left; a phone's front camera records a
mirror image, in which a person's right arm becomes a left arm. Compared column
by column, such an athlete's working arm moves where the coach's is still, and
every correct execution looks wrong. This module says when that is the case:

* :func:`mirror_columns` pairs each angle column with its mirror twin (``left
  elbow`` with ``right elbow``; an angle of no side, such as ``torso
  flexion``, with itself). Every angle sitrex measures is unsigned and built
  the same way on both sides, so the angles of a mirrored pose are exactly the
  angles of the pose with the twin columns swapped.
* :func:`laterality` measures how one-sided a movement is: ``(L - R) / (L +
  R)`` with ``L`` and ``R`` the summed ranges of motion of the left and the
  right angles (of the angles that matter and their twins, when they are
  given), from -1 (only the right side moves) to 1 (only the left).
* :func:`works_other_side` decides: the coach's movement is one-sided
  (laterality at least :data:`ONE_SIDED` either way: one side moves 2.3 times
  as much as the other) and the athlete's leans at least :data:`OTHER_SIDE`
  to the other side (1.5 times).
* :func:`alternating_runs` finds where an athlete who alternates sides
  (right, left, right, left) against a one-sided coach works which side
  (:mod:`sitrex.feedback.alternating` scores each run on its side).
* When both sides move, but differently (a lunge: front and back leg; a
  step-up), ranges cannot say which side works. :func:`sitrex.compare` then
  scores the athlete against the coach as recorded and mirrored, and reports
  the mirrored comparison when it scores at least :data:`MIRRORED_BETTER`
  higher: the athlete's execution is then far closer to the mirror image.

Measured on coaches of the shared real data (one correct repetition, on the
angles that matter for it and their twins, as :func:`sitrex.compare` does):
the one-arm IRDS gestures (elbow flexion, shoulder flexion and abduction) have
laterality 0.45-0.98 (medians 0.85-0.92), sitrex's synthetic knee raise and
side leg raise 0.81-0.94; squat_errors' 504 correct squats at most 0.31 (95 %
under 0.17), IRDS' two-arm elevation at most 0.14. PushFit's 139 correct
push-ups stay under 0.37 in 95 % of coaches but reach 0.55: filmed from the
side, the far arm and leg are the noisier, so a few push-up coaches count as
one-sided. Mirroring a symmetric movement changes little (both sides do the
same), so that error costs less than missing a one-sided one, where every
athlete working the other side would be told that the whole movement is
missing. IRDS' side taps barely move any angle and their laterality is
noise (0.07-0.80). The score of the mirrored comparison minus the score as
recorded, on the benchmark's pairs of its one-shot comparators (12 athletes
of 3 coaches per task, as recorded and mirrored): squats, push-ups and IRDS'
two-arm elevation -0.12 to 0.12, so :data:`MIRRORED_BETTER` (0.25) leaves
symmetric movements side for side; a synthetic lunge with the other leg
forward 0.44.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from sitrex.exceptions import InputError

__all__ = ["DOMINANT", "MIN_RUN_DEGREES", "MIRRORED_BETTER", "ONE_SIDED", "OTHER_SIDE",
           "alternating_runs", "laterality", "mirror_columns", "side_worked", "works_other_side"]

#: A movement this lateral or more (either way) works one side (:func:`laterality`).
ONE_SIDED = 0.4
#: An athlete whose laterality leans this far to the side the coach does not work works that side.
OTHER_SIDE = 0.2
#: With ``sides="auto"``, a comparison with the coach mirrored that scores this much higher
#: than as recorded is the one reported, whatever the laterality says.
MIRRORED_BETTER = 0.25
#: In each run of an athlete who alternates sides, the working side moves at least this many
#: times as far as the other (:func:`alternating_runs`): sides that move together do not alternate.
DOMINANT = 2.0
#: ... and at least this many degrees (summed over its angles that matter): the sides of a smaller
#: movement (a side tap moves 15-35 degrees) are not told from a pose estimator's noise.
MIN_RUN_DEGREES = 20.0
#: ... and in at least one run of each side, the working side moves at least this share of the
#: coach's range: a side that only twitches is not worked.
_WORKED_SHARE = 0.5
#: A run in which the working side moves less than this share of the coach's range is idle (a
#: pause, a seam between two recordings): it joins the run before it.
_IDLE_SHARE = 0.3
#: Shortest moving average of each side's speed, seconds (:func:`alternating_runs`).
_SPEED_SMOOTHING = 0.25
#: Frames whose summed speed is below this share of its 95th percentile are pauses: they take the
#: side of the nearest movement.
_PAUSE_SHARE = 0.1
_SIDES = ("left ", "right ")


def _twin(name: str) -> str:
    for this, other in (_SIDES, _SIDES[::-1]):
        if name.startswith(this):
            return other + name[len(this):]
    return name


def mirror_columns(angle_names: Sequence[str]) -> np.ndarray:
    """For each angle column, the column of its mirror twin.

    Parameters
    ----------
    angle_names : sequence of str
        Column names; a side is a ``"left "`` or ``"right "`` prefix.

    Returns
    -------
    numpy.ndarray of int, shape (n_angles,)
        ``angles[:, mirror_columns(names)]`` are the angles of the mirrored
        pose. A column of no side maps to itself.

    Raises
    ------
    sitrex.exceptions.InputError
        When a sided column's twin is not among the names (its mirror image
        could not be compared).

    Examples
    --------
    >>> mirror_columns(["left elbow", "right elbow", "torso flexion"]).tolist()
    [1, 0, 2]
    """
    names = [str(n) for n in angle_names]
    where = {n: k for k, n in enumerate(names)}
    missing = [n for n in names if _twin(n) not in where]
    if missing:
        raise InputError(f"cannot mirror the angle columns: {missing} have no twin of the other "
                         f"side among {names}; give both sides of every sided angle, or compare "
                         "with sides='same'")
    return np.array([where[_twin(n)] for n in names], dtype=np.int64)


def laterality(angles: Any, angle_names: Sequence[str], columns: Any = None) -> float:
    """How one-sided a movement is, from -1 (right side only) to 1 (left side only).

    ``(L - R) / (L + R)``, with ``L`` and ``R`` the sums of the ranges of
    motion (:func:`sitrex.angles.range_of_motion`) of the left and the right
    angles, over the twin pairs measured on both sides.

    Parameters
    ----------
    angles : array_like, shape (T, n_angles)
        Degrees; NaN where not measured.
    angle_names : sequence of str
    columns : array_like of bool, shape (n_angles,), optional
        Count only the twin pairs with a side among these columns (e.g. the
        angles that matter for a coach's exercise, so that the noise of
        joints the exercise keeps still does not dilute the measure).

    Returns
    -------
    float
        NaN when no twin pair is measured or nothing moves.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 2 * np.pi, 60)
    >>> curl = np.column_stack([160 - 60 * np.sin(t) ** 2, np.full(60, 165.0), 10 + 0 * t])
    >>> round(laterality(curl, ["left elbow", "right elbow", "torso flexion"]), 2)
    1.0
    """
    from sitrex.angles import range_of_motion

    names = list(angle_names)
    x = np.asarray(angles, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != len(names):
        raise InputError(f"angles must be (n_frames, {len(names)}) for {len(names)} angle names; "
                         f"got shape {x.shape}")
    twins = mirror_columns(names)
    left = np.array([n.startswith(_SIDES[0]) for n in names])
    with np.errstate(invalid="ignore"):
        rom = range_of_motion(x) if len(x) else np.full(len(names), np.nan)
    both = left & np.isfinite(rom) & np.isfinite(rom[twins])
    if columns is not None:
        chosen = np.asarray(columns, dtype=bool)
        if chosen.shape != (len(names),):
            raise InputError(f"columns must be a boolean mask of the {len(names)} angles; got "
                             f"shape {chosen.shape}")
        both &= chosen | chosen[twins]
    total_left, total_right = rom[both].sum(), rom[twins[both]].sum()
    if total_left + total_right <= 0:
        return float("nan")
    return float((total_left - total_right) / (total_left + total_right))


def works_other_side(coach_laterality: float, athlete_laterality: float) -> bool:
    """Whether the athlete works the side opposite the coach's one-sided movement.

    True when the coach's laterality is at least :data:`ONE_SIDED` either
    way and the athlete's leans at least :data:`OTHER_SIDE` the other way.

    Examples
    --------
    >>> works_other_side(-0.7, 0.6), works_other_side(-0.7, -0.6), works_other_side(0.1, -0.5)
    (True, False, False)
    """
    c, a = float(coach_laterality), float(athlete_laterality)
    if not (np.isfinite(c) and np.isfinite(a)) or abs(c) < ONE_SIDED:
        return False
    return bool(a * np.sign(c) <= -OTHER_SIDE)


def _moving_average(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average of each column (edges averaged over the frames they have)."""
    kernel = np.ones(width)
    total = np.apply_along_axis(np.convolve, 0, x, kernel, mode="same")
    count = np.convolve(np.ones(len(x)), kernel, mode="same")
    return total / count[:, None]


def _merge_short(labels: np.ndarray, min_frames: int) -> list[tuple[int, int, bool]]:
    """Runs of equal `labels`; a run shorter than `min_frames` joins the run before it (the first
    one, the run after it)."""
    cuts = np.flatnonzero(np.diff(labels.astype(np.int8))) + 1
    runs = [[int(a), int(b), bool(labels[a])] for a, b in
            zip(np.r_[0, cuts], np.r_[cuts, len(labels)])]
    merged: list[list] = []
    for run in runs:
        if merged and (run[1] - run[0] < min_frames or merged[-1][2] == run[2]):
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    if len(merged) > 1 and merged[0][1] - merged[0][0] < min_frames:
        merged[1][0] = 0
        merged.pop(0)
    out: list[list] = []
    for run in merged:                    # neighbours of one side after a merge: one run
        if out and out[-1][2] == run[2]:
            out[-1][1] = run[1]
        else:
            out.append(run)
    return [(a, b, side) for a, b, side in out]


def alternating_runs(angles: Any, angle_names: Sequence[str], columns: Any, coach_range: Any,
                     fps: float, *, min_seconds: float) -> list[tuple[int, int, bool]]:
    """Where an athlete who alternates sides works the coach's side, and where the other.

    A coach shows a one-sided exercise (a right knee raise); the athlete does
    it with the right leg, then the left, in turn (marching, alternating
    raises). Each frame is given to the side that moves more there: the
    summed speed of the coach's sided angles that matter (`columns`),
    against that of their mirror twins, each pair in units of the coach's
    range (the angles and their speeds each averaged over half of
    `min_seconds`, at least a quarter of a second). A pause, or a frame
    where neither side moves at least twice as fast as the other, takes the
    side of the nearest frame where one does; a run shorter than
    `min_seconds` joins its neighbour, and so does a run in which the
    working side moves less than 0.3 times the coach's range.

    Parameters
    ----------
    angles : array_like, shape (T, n_angles)
        The athlete's angles, degrees, at `fps`; NaN where not measured.
    angle_names : sequence of str
    columns : array_like of bool, shape (n_angles,)
        The coach's angles that matter. Pairs of which both sides matter (a
        lunge moves both legs) say nothing about the side and are left out.
    coach_range : array_like, shape (n_angles,)
        The coach's range of motion per angle, degrees.
    fps : float
    min_seconds : float
        Shortest run: a fraction of the coach's repetition, so that a run
        holds a repetition.

    Returns
    -------
    list of (start, stop, other_side)
        Frame runs covering the clip, in order, ``other_side`` True where the
        athlete works the side the coach does not. Empty unless the athlete
        alternates: runs of both sides, in every run the working side moving
        at least :data:`DOMINANT` times as far as the other and at least
        :data:`MIN_RUN_DEGREES`, and, on each side, a run in which it moves at
        least half the coach's range.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(240) / 30.0
    >>> lift = 60 * np.sin(np.pi * (t % 2) / 2) ** 2          # one raise every 2 s
    >>> right_turn = (t // 2) % 2 == 0                         # right, left, right, left
    >>> hips = np.column_stack([np.where(right_turn, 0, lift), np.where(right_turn, lift, 0)])
    >>> names = ["left hip", "right hip"]
    >>> alternating_runs(180 - hips, names, [False, True], [0.0, 60.0], 30.0, min_seconds=1.0)
    [(0, 61, False), (61, 121, True), (121, 181, False), (181, 240, True)]
    """
    from sitrex.sequences import interpolate_gaps

    names = list(angle_names)
    x = np.asarray(angles, dtype=np.float64)
    chosen = np.asarray(columns, dtype=bool)
    scale = np.asarray(coach_range, dtype=np.float64)
    twins = mirror_columns(names)
    sided = chosen & ~chosen[twins] & (twins != np.arange(len(names)))
    measured = np.isfinite(x).mean(axis=0) >= 0.5 if len(x) else np.zeros(len(names), bool)
    sided &= measured & measured[twins] & (np.nan_to_num(scale) > 0)
    min_frames = max(2, int(round(min_seconds * fps)))
    if not sided.any() or len(x) < 2 * min_frames:
        return []
    own, other = np.flatnonzero(sided), twins[np.flatnonzero(sided)]
    degrees = interpolate_gaps(x[:, np.r_[own, other]], fill_value=0.0)
    filled = degrees / np.r_[scale[own], scale[own]]
    width = 2 * int(round(max(_SPEED_SMOOTHING, min_seconds / 2) * fps / 2)) + 1  # odd: centred
    # angles averaged before the speed is taken, so that noise does not add speed to both sides
    speed = _moving_average(np.abs(np.gradient(_moving_average(filled, width), axis=0)), width)
    own_speed, other_speed = speed[:, :len(own)].sum(axis=1), speed[:, len(own):].sum(axis=1)
    total = own_speed + other_speed
    moving = total > _PAUSE_SHARE * np.percentile(total, 95)
    # a frame is decided where one side moves at least twice as fast as the other
    decided = moving & (np.abs(other_speed - own_speed) > total / 3)
    if not decided.any():
        return []
    frames = np.arange(len(x))
    before = np.maximum.accumulate(np.where(decided, frames, -len(x)))     # last decided frame
    after = np.minimum.accumulate(np.where(decided, frames, 2 * len(x))[::-1])[::-1]  # next one
    nearest = np.where(frames - before <= after - frames, before, after)
    labels = (other_speed > own_speed)[nearest]
    runs = _merge_short(labels, min_frames)
    working = _working_ranges(filled, runs, len(own))
    if (working[:, 0] < _IDLE_SHARE * len(own)).any():      # idle runs join the run before
        lengths = [b - a for a, b, _ in runs]
        idle = np.repeat(working[:, 0] < _IDLE_SHARE * len(own), lengths)
        labels = np.repeat([side for *_, side in runs], lengths)
        kept = np.maximum.accumulate(np.where(idle, -1, np.arange(len(labels))))
        labels = labels[np.where(kept >= 0, kept, int(np.argmin(idle)))]
        runs = _merge_short(labels, 1)
        working = _working_ranges(filled, runs, len(own))
    sides = np.array([side for *_, side in runs])
    if len(set(sides.tolist())) < 2 or (working[:, 0] < DOMINANT * working[:, 1]).any():
        return []
    if (_working_ranges(degrees, runs, len(own))[:, 0] < MIN_RUN_DEGREES).any():
        return []                 # a small movement: its sides are not told from noise
    worked = working[:, 0] >= _WORKED_SHARE * len(own)
    return runs if worked[sides].any() and worked[~sides].any() else []


def _working_ranges(filled: np.ndarray, runs, n_own: int) -> np.ndarray:
    """(n_runs, 2): per run, the summed range of the working side's columns and of the other's."""
    from sitrex.angles import range_of_motion

    out = np.empty((len(runs), 2))
    for k, (start, stop, side) in enumerate(runs):
        ranges = range_of_motion(filled[start:stop])
        own, other = ranges[:n_own].sum(), ranges[n_own:].sum()
        out[k] = (other, own) if side else (own, other)
    return out


def side_worked(angles: Any, columns: Any, twins: Any, *, min_range: float = 0.0) -> bool | None:
    """Which side one repetition worked: `columns` (True), their `twins` (False), or neither.

    A side worked when its summed range of motion is at least :data:`DOMINANT`
    times the other side's, at least :data:`MIN_RUN_DEGREES` and at least
    `min_range` (the rules of :func:`alternating_runs`, for one repetition).

    Parameters
    ----------
    angles : array_like, shape (T, n_angles)
        Degrees; NaN where not measured.
    columns, twins : array_like of int
        A side's angle columns and their mirror twins, in the same order.
    min_range : float, default 0.0
        Degrees a side's summed range must reach (e.g. half the coach's).

    Returns
    -------
    bool or None
        None when neither side dominates (both moved, or nothing did).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, np.pi, 40)
    >>> raise_left = np.column_stack([170 - 80 * np.sin(t), 170 + 2 * np.sin(3 * t)])
    >>> side_worked(raise_left, [0], [1]), side_worked(raise_left, [1], [0])
    (True, False)
    >>> side_worked(raise_left[:, [0, 0]], [0], [1]) is None       # both legs together
    True
    """
    from sitrex.angles import range_of_motion

    x = np.asarray(angles, dtype=np.float64)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)          # a column never measured
        ranges = np.nan_to_num(range_of_motion(x)) if len(x) else np.zeros(x.shape[-1])
    own, other = ranges[np.asarray(columns, int)].sum(), ranges[np.asarray(twins, int)].sum()
    for side, working, resting in ((True, own, other), (False, other, own)):
        if working >= max(DOMINANT * resting, MIN_RUN_DEGREES, min_range):
            return side
    return None
