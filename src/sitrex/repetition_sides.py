"""Which of an athlete's repetitions are the coach's movement mirrored, when both sides move.

A coach shows one lunge with the right leg forward; the athlete lunges right,
left, right, left. Both legs move in every lunge, so the speed of one side
against the other (:func:`sitrex.sides.alternating_runs`, made for one-sided
movements such as a knee raise) cannot say which leg leads. What does say it
is the *shape*: in a right lunge the right hip flexes while the left one
extends, in a left lunge the reverse. Compared with the coach's repetition
side for side, a left lunge differs on every sided angle; compared with the
coach's repetition mirrored (each angle against its twin on the other side),
it matches.

:func:`repetition_sides` cuts the athlete's clip into repetitions on signals
that do not depend on the side (each pair of twin angles as its smaller and
larger value, :func:`both_sides_alike`, so that a right and a left lunge look
alike and a right + left cycle is two repetitions, not one), then gives each
repetition to the side whose version of the coach's repetition it is clearly
closer to, by how far each sided angle goes at the repetition's turn (so that
pauses and tempo do not count): :func:`repetition_side` for one repetition. It
answers only for a coach whose movement differs from its own mirror image
(:data:`ASYMMETRY`): a squat mirrored is a squat, and its repetitions have no
side to find.

:mod:`sitrex.feedback.alternating` scores each run of repetitions against the
coach on its side; :func:`sitrex.compare` does so with ``sides="auto"``. A
live session (:class:`sitrex.LiveComparator`) does so with
``sides="alternating"``: it cannot see the whole clip first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex.sides import mirror_columns

__all__ = ["ASYMMETRY", "MIRROR_CLOSER", "asymmetry", "both_sides_alike", "repetition_side",
           "repetition_sides"]

#: A coach's repetition has a side when its sided angles differ in shape from their twins by at
#: least this share of their range (:func:`asymmetry`). Measured on one-repetition coaches:
#: sitrex's synthetic lunge 0.31, its squat, deadlift, push-up, raises and presses 0.02-0.08;
#: real squats (squat_errors) 0.11-0.23, IRDS' two-arm elevation 0.04-0.19, but PushFit's
#: side-view push-ups 0.28-0.38 and IRDS' side taps 0.26-0.31 (noise on the far side, small
#: ranges). Those pass, and :data:`MIRROR_CLOSER` decides: their repetitions are no closer to
#: the coach mirrored than as recorded.
ASYMMETRY = 0.25
#: A repetition is the coach's movement mirrored when its sided angles' excursions (at its turn,
#: from where it starts and ends) are at most this share as far from those of the coach's
#: repetition mirrored as from those as recorded, and on the coach's side in the reverse case;
#: an athlete alternates only when every repetition is one or the other. On the real data's
#: symmetric movements the share has a 5th percentile of 0.75 and a median of 1 (as far either
#: way); on sitrex's synthetic lunges, alternated under random views, 0.02-0.57 for the other
#: leg's lunges (shallow ones included) and above 2 for the coach's leg's.
MIRROR_CLOSER = 0.6
_MIN_PAIR_RANGE = 10.0   # degrees: a pair of twin angles moving less has no shape to compare


def _excursion(x: np.ndarray, start: int, stop: int) -> np.ndarray:
    """(k,) how far each column of a repetition is at its turn from where it starts and ends.

    The turn is the frame where the columns together are furthest from the
    mean of the repetition's edges (the first and last 3 frames); its value
    is averaged over +-2 frames. Timing and pauses do not enter.
    """
    stop = max(stop, start + 1)
    part = x[start:stop]
    deviation = part - (part[:3].mean(axis=0) + part[-3:].mean(axis=0)) / 2.0
    turn = int(np.argmax(np.abs(deviation).sum(axis=1)))
    return deviation[max(turn - 2, 0):turn + 3].mean(axis=0)


def _sided_pairs(angle_names: Sequence[str], columns: Any, template: np.ndarray,
                 angles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sided columns (and their twins) of which one side matters, measured in both clips."""
    twins = mirror_columns(angle_names)
    chosen = np.asarray(columns, dtype=bool)
    with np.errstate(invalid="ignore"):
        measured = (np.isfinite(template).mean(axis=0) >= 0.5) & \
            (np.isfinite(angles).mean(axis=0) >= 0.5 if len(angles) else False)
    sided = (chosen | chosen[twins]) & (twins != np.arange(len(twins)))
    sided &= measured & measured[twins]
    own = np.flatnonzero(sided)
    return own, twins[own]


def asymmetry(template: Any, angle_names: Sequence[str], columns: Any) -> float:
    """How far a repetition's sided angles are from their twins, in units of their range.

    Over the sided angles of which one side matters (`columns`, with their
    twins) and whose pair moves at least 10 degrees: the sum of the mean
    ``|angle - twin|`` over the repetition's frames, each angle taken about
    its own mean (a constant offset between the sides, as a camera's view
    gives one, is not a difference of shape), over the sum of each pair's
    larger range of motion. 0 for a movement both sides make alike (a
    squat); sitrex's synthetic lunge 0.26-0.31 (:data:`ASYMMETRY`); NaN when
    no sided angle matters or nothing moves.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0.0, 1.0, 30)
    >>> bend = 90 * np.sin(np.pi * t)
    >>> names = ["left hip", "right hip"]
    >>> round(asymmetry(np.column_stack([180 - bend, 180 - bend]), names, [True, True]), 2)
    0.0
    >>> round(asymmetry(np.column_stack([180 - bend, 180 + 0 * t]), names, [True, True]), 2)
    0.3
    """
    from sitrex.angles import range_of_motion
    from sitrex.sequences import interpolate_gaps

    x = np.asarray(template, dtype=np.float64)
    own, twin = _sided_pairs(angle_names, columns, x, x)
    if not len(own):
        return float("nan")
    filled = interpolate_gaps(x[:, np.r_[own, twin]], fill_value=0.0)
    span = range_of_motion(filled)
    scale = np.maximum(span[:len(own)], span[len(own):])      # the pair's larger range
    moving = scale >= _MIN_PAIR_RANGE
    if not moving.any():
        return float("nan")
    shape = filled - filled.mean(axis=0)        # a constant offset between sides is not shape
    difference = np.abs(shape[:, :len(own)] - shape[:, len(own):]).mean(axis=0)
    return float(difference[moving].sum() / scale[moving].sum())


def both_sides_alike(own: Any, twin: Any) -> np.ndarray:
    """Each pair of twin angles as its smaller and its larger value: the same whichever side does
    what, so that a right and a left lunge (or side tap) give one signal.

    Parameters
    ----------
    own, twin : array_like, shape (T, k)
        Angles and their mirror twins, degrees (NaN where not measured).

    Returns
    -------
    numpy.ndarray, shape (T, 2 k)
        The pairs' smaller values, then their larger ones; swapping `own`
        and `twin` gives the same array. Unlike the pairs' mean, a movement
        of one side keeps its whole range.

    Examples
    --------
    >>> import numpy as np
    >>> right_tap = np.array([[170.0, 170.0], [170.0, 140.0], [170.0, 170.0]])
    >>> both_sides_alike(right_tap[:, :1], right_tap[:, 1:]).tolist()
    [[170.0, 170.0], [140.0, 170.0], [170.0, 170.0]]
    >>> bool((both_sides_alike(right_tap[:, 1:], right_tap[:, :1])
    ...       == both_sides_alike(right_tap[:, :1], right_tap[:, 1:])).all())
    True
    """
    a, b = np.asarray(own, dtype=np.float64), np.asarray(twin, dtype=np.float64)
    return np.concatenate([np.fmin(a, b), np.fmax(a, b)], axis=-1)


def _side_pairs_of(angles: Any, angle_names: Sequence[str], columns: Any, template: Any
                   ) -> tuple[np.ndarray, np.ndarray, int] | None:
    """The athlete's and the coach's sided columns of which one side matters, then their twins
    (gaps filled), and how many sided columns; None when the coach's repetition has no side
    (:data:`ASYMMETRY`) or the athlete's clip does not measure them."""
    from sitrex.sequences import interpolate_gaps

    x = np.asarray(angles, dtype=np.float64)
    ref = np.asarray(template, dtype=np.float64)
    if len(ref) < 2 or len(x) < 2 or not asymmetry(ref, angle_names, columns) >= ASYMMETRY:
        return None
    own, twin = _sided_pairs(angle_names, columns, ref, x)
    if not len(own):
        return None
    pairs = np.r_[own, twin]
    return (interpolate_gaps(x[:, pairs], fill_value=0.0),
            interpolate_gaps(ref[:, pairs], fill_value=0.0), len(own))


def _closer(shapes: np.ndarray, template: np.ndarray, n_own: int
            ) -> tuple[np.ndarray, np.ndarray]:
    """Per repetition (rows of `shapes`, excursions of the sided columns then their twins):
    clearly the coach's movement mirrored, and clearly as recorded (:data:`MIRROR_CLOSER`)."""
    coach = _excursion(template, 0, len(template))
    mirrored = np.concatenate([coach[n_own:], coach[:n_own]])
    as_recorded = np.abs(shapes - coach).sum(axis=-1)
    as_mirrored = np.abs(shapes - mirrored).sum(axis=-1)
    return as_mirrored <= MIRROR_CLOSER * as_recorded, as_recorded <= MIRROR_CLOSER * as_mirrored


def repetition_side(angles: Any, angle_names: Sequence[str], columns: Any, template: Any
                    ) -> bool | None:
    """Which side one repetition works, against a coach whose movement moves both sides.

    The rule of :func:`repetition_sides` for one repetition already cut
    (a live session's, :class:`sitrex.LiveComparator`).

    Parameters
    ----------
    angles : array_like, shape (T, n_angles)
        The repetition's angles, degrees (from rest to rest).
    angle_names : sequence of str
    columns : array_like of bool, shape (n_angles,)
        The coach's angles that matter.
    template : array_like, shape (Tr, n_angles)
        The coach's repetition, degrees.

    Returns
    -------
    bool or None
        True: the coach's movement mirrored (the other side); False: as
        recorded (the coach's side); None: neither clearly, or the coach's
        repetition has no side (:func:`asymmetry` below :data:`ASYMMETRY`).

    Examples
    --------
    >>> import numpy as np
    >>> bend = np.sin(np.pi * np.arange(60) / 60) ** 2
    >>> coach = np.column_stack([180 + 15 * bend, 180 - 90 * bend])    # right leg forward
    >>> names = ["left hip", "right hip"]
    >>> [repetition_side(rep, names, [False, True], coach)
    ...  for rep in (coach, coach[:, ::-1], np.column_stack([180 - 40 * bend] * 2))]
    [False, True, None]
    """
    prepared = _side_pairs_of(angles, angle_names, columns, template)
    if prepared is None:
        return None
    athlete, coach, n_own = prepared
    other, same = _closer(_excursion(athlete, 0, len(athlete)), coach, n_own)
    return True if other else False if same else None


def repetition_sides(angles: Any, angle_names: Sequence[str], columns: Any, template: Any,
                     fps: float, *, min_seconds: float) -> list[tuple[int, int, bool]]:
    """Runs of an athlete's repetitions on the coach's side and on the other, when both sides move.

    Parameters
    ----------
    angles, angle_names, columns
        The athlete's clip (degrees at `fps`, NaN where not measured), the
        angles' names and the coach's angles that matter, as for
        :func:`sitrex.sides.alternating_runs`.
    template : array_like, shape (Tr, n_angles)
        The coach's repetition, degrees, at `fps`.
    fps : float
    min_seconds : float
        Shortest repetition (a fraction of the coach's repetition).

    Returns
    -------
    list of (start, stop, other_side)
        Frame runs covering the clip, in order, ``other_side`` True for the
        repetitions that are the coach's movement mirrored: the excursions of
        their sided angles (at the repetition's turn, from where it starts and
        ends) are at most :data:`MIRROR_CLOSER` times as far from the coach's
        mirrored as from the coach's as recorded (and the reverse for the
        coach's side). A run ends halfway between the last repetition of one
        side and the first of the other. Empty when a repetition is of
        neither side clearly. Empty unless the
        coach's repetition is one-sided in shape (:func:`asymmetry` at least
        :data:`ASYMMETRY`) and the athlete has repetitions of both sides.

    Examples
    --------
    A coach's lunge with the right leg forward (the right hip flexes, the
    left one extends a little) and an athlete who lunges right, left, right,
    left:

    >>> import numpy as np
    >>> t = np.arange(60) / 30.0
    >>> bend = np.sin(np.pi * t / 2) ** 2                  # 0 -> 1 -> 0 in 2 s
    >>> front, back = 180 - 90 * bend, 180 + 15 * bend
    >>> coach = np.column_stack([back, front])             # left hip, right hip
    >>> names = ["left hip", "right hip"]
    >>> athlete = np.concatenate([coach, coach[:, ::-1], coach, coach[:, ::-1]])
    >>> repetition_sides(athlete, names, [False, True], coach, 30.0, min_seconds=1.0)
    [(0, 67, False), (67, 127, True), (127, 187, False), (187, 240, True)]
    >>> repetition_sides(np.concatenate([coach] * 4), names, [False, True], coach, 30.0,
    ...                  min_seconds=1.0)
    []
    """
    from sitrex.repetitions import segment_repetitions

    prepared = _side_pairs_of(angles, angle_names, columns, template)
    if prepared is None:
        return []
    athlete, coach, n_own = prepared
    both = both_sides_alike(athlete[:, :n_own], athlete[:, n_own:])
    try:
        reps = segment_repetitions(both, fps=fps, min_duration=max(0.4, float(min_seconds)))
    except InputError:          # nothing to cut (too short a clip): no alternation to find
        return []
    if len(reps) < 2:
        return []
    other, same = _closer(np.stack([_excursion(athlete, r.start, r.end) for r in reps]), coach,
                          n_own)
    if not (other | same).all() or other.all() or same.all():
        return []           # a repetition of no clear side, or all on one side
    cuts = [0] + [(reps[k].end + reps[k + 1].start) // 2 for k in range(len(reps) - 1)
                  if other[k] != other[k + 1]] + [len(athlete)]
    sides = [bool(other[0])] + [bool(other[k + 1]) for k in range(len(reps) - 1)
                                if other[k] != other[k + 1]]
    return [(int(a), int(b), side) for a, b, side in zip(cuts[:-1], cuts[1:], sides)]
