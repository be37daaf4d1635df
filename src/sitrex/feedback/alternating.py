"""An athlete who alternates sides against a coach who shows one side.

A coach records a one-sided exercise once (a right knee raise, a left arm
raise); the athlete does it right, left, right, left (marching, alternating
raises). Compared side for side, only the repetitions on the coach's side
meet a moving coach, and the other side's repetitions pass as pauses between
them: a report of half the repetitions, with the other side's never judged.
Compared with the coach mirrored, the reverse.

With ``sides="auto"`` (:func:`sitrex.compare`), when the coach's movement is
one-sided (:data:`sitrex.sides.ONE_SIDED`) and the athlete's clip splits into
runs in which one side or the other works (:func:`sitrex.sides.alternating_runs`),
each run is scored on its own: the runs on the coach's side against the coach,
the others against the coach mirrored (each angle against the coach's on the
other side), and the pieces make one report. Its useful angles are those of
both sides, its repetitions those of every run, numbered in order; its
``metadata["side_runs"]`` lists the runs (start and end in seconds, and
``"coach's side"`` or ``"other side"``) and a message says how many
repetitions were on each side.

A movement in which both sides move, each its own way (a lunge: the front
leg's hip flexes, the back leg's extends), has no one-sided coach; there the
athlete's repetitions are cut on signals both sides share, and each goes to
the side whose version of the coach's repetition it is
(:func:`sitrex.repetition_sides.repetition_sides`): right, left, right, left
lunges are four repetitions, each compared with the coach on its side, not
two right + left cycles in which a good lunge hid a shallow one. A symmetric
movement (a squat) has no side to find and is compared as one clip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from sitrex.exceptions import InputError

from ._inputs import Execution
from .coach import CoachReference
from .report import FeedbackReport

__all__ = ["RUN_SHARE", "alternating_report", "side_runs"]

#: Shortest run of one side, as a share of the coach's reference repetition (at least
#: ``MIN_CLIP_SECONDS``): a run holds a repetition, not a twitch.
RUN_SHARE = 0.5


def side_runs(coach: CoachReference, athlete: np.ndarray, angle_names, *, min_seconds: float
              ) -> list[tuple[int, int, bool]]:
    """Runs of the athlete's frames (model rate) on the coach's side and on the other.

    Empty unless the athlete alternates. A one-sided coach: where one side
    moves and the other does not (:func:`sitrex.sides.alternating_runs` on
    the coach's useful angles, in units of the coach's ranges over its
    movement). A coach whose movement moves both sides, differently (a
    lunge): which of the athlete's repetitions are the coach's repetition
    mirrored (:func:`sitrex.repetition_sides.repetition_sides`).
    """
    from sitrex.repetition_sides import repetition_sides
    from sitrex.sides import alternating_runs, mirror_columns

    try:
        mirror_columns(angle_names)
    except InputError:          # a sided column without its twin: no side to swap
        return []
    if coach.one_sided(angle_names):
        return alternating_runs(athlete, angle_names, coach.useful, coach.span_range, coach.fps,
                                min_seconds=min_seconds)
    if coach.reference is None:
        return []
    return repetition_sides(athlete, angle_names, coach.useful, coach.reference, coach.fps,
                            min_seconds=min_seconds)


def _shifted(rep, offset: int, index: int):
    return replace(rep, index=index, start=rep.start + offset, end=rep.end + offset,
                   turn=rep.turn + offset)


def alternating_report(coach: CoachReference, athlete_x: Execution, retimed: tuple, comparator,
                       runs: list, score: Callable[..., FeedbackReport], *, threshold: float,
                       **options: Any) -> FeedbackReport:
    """One report from each run scored against the coach on its side (module documentation).

    Parameters
    ----------
    coach : CoachReference
        As recorded (its mirror is :meth:`CoachReference.mirrored`).
    athlete_x : Execution
        The athlete as loaded.
    retimed : tuple
        ``athlete_x.at_rate(coach.fps)``.
    comparator
        Fitted.
    runs : list of (start, stop, other_side)
        Model frames, from :func:`side_runs`, covering the clip.
    score : callable
        Scores one piece against one coach, as
        ``score(coach, execution, retimed, comparator, threshold=..., **options)``
        (the scorer of one side-matched comparison in
        :mod:`sitrex.feedback.scoring`).
    threshold : float
        Similarity below which an angle differs.
    **options
        Passed to `score`.

    Raises
    ------
    sitrex.exceptions.InputError
        When a run cannot be scored (the caller then compares the clip as one).
    """
    from sitrex.repetitions import judge_repetitions
    from sitrex.sides import mirror_columns

    names = tuple(comparator.angle_names_)
    twins = mirror_columns(names)
    athlete, present, frame_of = retimed
    pieces = []
    for start, stop, other in runs:
        a, b = (int(i) for i in np.searchsorted(frame_of, [start, stop]))
        if b - a < 2:
            continue
        piece = replace(athlete_x, angles=athlete_x.angles[a:b], present=athlete_x.present[a:b],
                        skeleton=None)
        part = score(coach.mirrored(names) if other else coach, piece,
                     (athlete[start:stop], present[start:stop], frame_of[a:b] - start),
                     comparator, threshold=threshold, **options)
        pieces.append((a, b, start, bool(other), part))
    if len({other for *_, other, _ in pieces}) < 2:
        raise InputError("the athlete's runs on each side are too short to score")

    n_frames, n_angles = len(athlete_x.angles), len(names)
    similarity = np.full((n_frames, n_angles), np.nan)
    coverage = np.zeros(n_frames)
    alignment = None if pieces[0][-1].alignment is None else np.zeros(n_frames, np.int64)
    useful = np.zeros(n_angles, bool)
    reps, feedback, cuts, notes = [], [], [], []
    counts = {False: 0, True: 0}
    for a, b, start, other, part in pieces:
        similarity[a:b] = part.similarity
        coverage[a:b] = part.coverage if part.coverage is not None else 0.0
        if alignment is not None:
            alignment[a:b] = part.alignment
        useful |= part.useful
        reps += [_shifted(r, a, len(reps) + k) for k, r in enumerate(part.repetitions)]
        feedback += [(a, fb) for fb in part.repetition_feedback]
        counts[other] += len(part.repetitions)
        offset = start / coach.fps
        cuts += [[s + offset, e + offset] for s, e in
                 part.metadata.get("scoring", {}).get("repetitions", [])]
        notes += [n for n in part.metadata.get("notes", []) if n not in notes]
    feedback = [replace(fb, repetition=_shifted(fb.repetition, a, k), n_repetitions=len(feedback))
                for k, (a, fb) in enumerate(feedback)]
    feedback = judge_repetitions(feedback, similarity, angle_names=names, threshold=threshold)
    fps = athlete_x.fps
    first = pieces[0][-1]
    metadata = dict(first.metadata)
    if "scoring" in metadata:
        metadata["scoring"] = {**metadata["scoring"], "repetitions": cuts}
    metadata["scored_frames"] = int(sum(p.metadata.get("scored_frames", 0) for *_, p in pieces))
    metadata["scored_seconds"] = metadata["scored_frames"] / fps
    metadata["side_runs"] = [[a / fps, b / fps, "other side" if other else "coach's side"]
                             for a, b, _, other, _ in pieces]
    metadata["notes"] = [
        f"the athlete alternates sides ({counts[False]} repetition(s) on the coach's side, "
        f"{counts[True]} on the other): each side is compared with the coach's movement on that "
        "side (the other side's with the coach mirrored, left and right swapped; sides='same' "
        "compares the whole clip side for side)", *notes]
    usefulness = np.fmax(coach.usefulness, coach.usefulness[twins])
    variation = None if coach.variation is None else np.fmax(coach.variation,
                                                              coach.variation[twins])
    return replace(
        first, usefulness=usefulness, useful=useful, similarity=similarity,
        present=athlete_x.present, times=np.arange(n_frames) / fps,
        coach_angles=coach.execution.angles, athlete_angles=athlete_x.angles,
        athlete_skeleton=athlete_x.skeleton, alignment=alignment, repetitions=reps,
        repetition_feedback=feedback,
        repetition_note=next((p.repetition_note for *_, p in pieces if p.repetition_note), None),
        coverage=coverage, coach_variation=variation, coach_mirrored=False, metadata=metadata)
