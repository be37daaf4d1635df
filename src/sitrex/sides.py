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

from collections.abc import Sequence
from typing import Any

import numpy as np

from sitrex.exceptions import InputError

__all__ = ["MIRRORED_BETTER", "ONE_SIDED", "OTHER_SIDE", "laterality", "mirror_columns",
           "works_other_side"]

#: A movement this lateral or more (either way) works one side (:func:`laterality`).
ONE_SIDED = 0.4
#: An athlete whose laterality leans this far to the side the coach does not work works that side.
OTHER_SIDE = 0.2
#: With ``sides="auto"``, a comparison with the coach mirrored that scores this much higher
#: than as recorded is the one reported, whatever the laterality says.
MIRRORED_BETTER = 0.25
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
