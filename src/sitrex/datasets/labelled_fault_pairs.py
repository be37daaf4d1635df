"""Training pairs with the data sets' own labelled faults: a correct coach against a recorded faulty athlete.

The default recipe (:mod:`sitrex.datasets.training_pairs`) teaches what
differs from faults *injected* into correct executions. Two of the real data
sets also hold executions recorded with a known fault: squat_errors' five
form faults and IRDS' incorrect rehabilitation gestures. This module pairs
them with correct coaches of other groups, the pairs of the benchmark's
protocol, so a comparator may learn from recorded faults as well (the
issue's training signal (b)). It is an option of the recipe
(``training_pairs(labelled_faults=True)``), not part of the shipped one.

Labels. Only what the data set says is labelled: target 0 on the angles the
fault is known to move (:data:`~sitrex.datasets.SQUAT_FAULT_ANGLES`; IRDS:
the moving limb's angles, :data:`~sitrex.datasets.IRDS_GESTURE_ANGLES`),
where the athlete's clip measures them; every other angle is unlabelled
(NaN), since a recorded fault may change more than its named angles.
PushFit's wrong push-ups name no angle and give no pair. Such a pair counts
as a fault (its ``faults`` entry is ``"labelled: <form>"``), never as a
correct execution.

One-shot evaluation stays one-shot: a data set left out of a build
(``leave_out=``) takes its labelled faults with it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sitrex.measurement import COMPARISON_ANGLE_NAMES

from .protocol import ProtocolData, model_angles

__all__ = ["FAULT_SOURCES", "fault_angles", "labelled_fault_pairs"]

#: The data sets whose faulty clips name the angles they move.
FAULT_SOURCES = ("squat_errors", "irds")


def fault_angles(data: ProtocolData, clip: int) -> tuple[str, ...]:
    """The angles the fault of a faulty `clip` is known to move (empty when unknown).

    Examples
    --------
    >>> from sitrex.datasets import make_exercise
    >>> from sitrex.datasets.protocol import ProtocolData
    >>> clips, _ = make_exercise(2, ["squat"], random_state=0)
    >>> data = ProtocolData("squat_errors", clips, ["squat"] * 2, ["a", "b"],
    ...                     [True, False], forms=["olympic squat", "heels lifting"])
    >>> fault_angles(data, 1)
    ('left ankle dorsiflexion', 'right ankle dorsiflexion')
    >>> fault_angles(data, 0)
    ()
    """
    from . import IRDS_GESTURE_ANGLES, SQUAT_FAULT_ANGLES

    if data.correct[clip]:
        return ()
    if data.name == "squat_errors" and data.forms is not None:
        return tuple(SQUAT_FAULT_ANGLES.get(str(data.forms[clip]), ()))
    if data.name == "irds":
        return tuple(IRDS_GESTURE_ANGLES.get(str(data.exercises[clip]), ()))
    return ()


def labelled_fault_pairs(data: ProtocolData, *, n_coaches: int = 15, n_athletes: int = 20,
                         coach_reps: tuple[int, ...] = (1, 3), random_state: Any = 1):
    """Pairs of correct coaches and recorded faulty athletes of other groups.

    Parameters
    ----------
    data : ProtocolData
        squat_errors or IRDS (:func:`~sitrex.datasets.protocol.protocol_data`);
        any other data set gives no pair.
    n_coaches : int, default 15
        Correct coaches per exercise.
    n_athletes : int, default 20
        Faulty athletes of other groups per coach.
    coach_reps : tuple of int, default (1, 3)
        The coach inputs (:func:`~sitrex.datasets.protocol.coach_input`).
    random_state : int or numpy.random.Generator, default 1

    Returns
    -------
    TrainingPairs
        Targets 0 on the fault's angles the athlete measures, NaN elsewhere;
        ``faults`` ``"labelled: <form or gesture>"``; source ``data.name``.
    """
    from sitrex.conditioning import Conditioning

    from .training_pairs import _Builder, _coach_reference, _measured

    rng = np.random.default_rng(random_state)
    builder = _Builder(data.name)
    column = {name: k for k, name in enumerate(COMPARISON_ANGLE_NAMES)}
    named = [fault_angles(data, i) for i in range(len(data.skeletons))]
    labelled = np.array([bool(angles) for angles in named])
    athletes: dict[int, tuple[int, np.ndarray]] = {}

    def athlete(i: int) -> tuple[int, np.ndarray]:
        if i not in athletes:
            angles = model_angles(Conditioning().skeleton(data.skeletons[i]), conditioned=True)
            targets = np.full(len(COMPARISON_ANGLE_NAMES), np.nan)
            targets[[column[name] for name in named[i]]] = 0.0
            targets[~_measured(angles)] = np.nan
            athletes[i] = (builder.add_sequence(angles), targets)
        return athletes[i]

    for exercise in sorted(set(data.exercises.tolist())):
        mine = data.exercises == exercise
        coaches = [int(c) for c in np.flatnonzero(mine & data.correct)
                   if (mine & labelled & (data.groups != data.groups[c])).any()]
        if not coaches:
            continue
        for coach in sorted(rng.choice(coaches, min(n_coaches, len(coaches)), replace=False)):
            pool = np.flatnonzero(mine & labelled & (data.groups != data.groups[coach]))
            chosen = rng.choice(pool, min(n_athletes, len(pool)), replace=False)
            for reps in coach_reps:
                made = _coach_reference(builder, data, coach, reps, rng)
                if made is None:
                    continue
                reference = made[0]
                for i in chosen:
                    sequence, targets = athlete(int(i))
                    if np.isfinite(targets).any():
                        kind = data.forms[i] if data.forms is not None else data.exercises[i]
                        builder.add_pair(reference, sequence, targets, f"labelled: {kind}", reps)
    return builder.result()
