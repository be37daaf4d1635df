"""One athlete scored against a prepared coach: the second half of :func:`~sitrex.compare`.

:func:`compare_with_coach` takes a coach prepared once
(:class:`~sitrex.feedback.coach.CoachReference`) and one athlete's cleaned
angles, and makes the :class:`~sitrex.feedback.report.FeedbackReport`: the
window scored at each frame (:func:`default_window`, :func:`default_warmup`,
shared with :class:`sitrex.LiveComparator`), the optional alignment, the
causal variant, and the athlete's repetitions compared with the coach's (each
repetition names what the similarity says differs in it,
:func:`sitrex.repetitions.judge_repetitions`).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex.sequences import carry_forward, interpolate_gaps

from ._inputs import Execution
from .alternating import RUN_SHARE, alternating_report, side_runs
from .coach import CoachReference, scores_repetitions, side_matched
from .report import FeedbackReport
from .repetition_scoring import repetition_similarity
from .windows import window_coverage, windowed_similarity

__all__ = ["compare_with_coach", "compared_coach_repetitions", "default_warmup",
           "default_window", "scored_repetitions"]


#: A clip shorter than this shows no movement to judge.
MIN_CLIP_SECONDS = 0.3


def default_window(coach: CoachReference, comparator) -> int:
    """Frames (at the model's rate) of the window scored at each frame, by default.

    The duration of the coach's reference (one repetition, or the whole
    clip), at most the comparator's ``max_len`` (if it has one).
    """
    max_len = int(getattr(comparator, "max_len", 0) or 0)
    return min(max_len, len(coach.reference)) if max_len else len(coach.reference)



def default_warmup(window: int) -> int:
    """History (frames) a window needs before it is scored, by default: half the window."""
    return max(1, int(window) // 2)



def _align(coach: CoachReference, athlete: np.ndarray, rate: float, band, circular: bool
           ) -> np.ndarray:
    """For each athlete frame (model rate), the matched frame of the coach's reference.

    With a one-repetition reference, each athlete repetition is aligned with
    it on its own (frames before the first repetition match the reference's
    start, frames after the last its end); otherwise the whole clips are.
    """
    from sitrex.alignment import align_to_reference
    from sitrex.repetitions import segment_repetitions

    ref = coach.reference
    cols = coach.focus
    reps = []
    if coach.reference_rep is not None:
        try:
            reps = segment_repetitions(athlete, fps=rate, columns=cols)
        except InputError:
            reps = []
    if not reps:
        return align_to_reference(ref, athlete, columns=cols, band=band, circular=circular)
    out = np.empty(len(athlete), dtype=np.int64)
    out[:reps[0].start] = 0
    out[reps[-1].end:] = len(ref) - 1
    for rep in reps:
        out[rep.slice] = align_to_reference(ref, athlete[rep.slice], columns=cols, band=band,
                                            circular=circular)
    return out



def compared_coach_repetitions(coach: CoachReference, coach_rep) -> list:
    """The coach's repetitions an athlete's repetitions are compared with (see ``coach_rep``)."""
    if coach_rep in ("typical", "whole"):
        return list(coach.repetitions)
    return [coach.repetitions[coach.reference_rep]]



def scored_repetitions(bounds, frame_of: np.ndarray, angles: np.ndarray, columns) -> list:
    """The repetitions a comparator scored, as :class:`~sitrex.repetitions.Repetition` of the clip.

    Parameters
    ----------
    bounds : sequence of (int, int)
        ``(start, end)`` of each scored repetition, frames at the model's rate.
    frame_of : ndarray (T,) int
        For each frame of the athlete's clip, its frame at the model's rate
        (non-decreasing).
    angles : ndarray (T, A)
        The athlete's angles (frames of the clip), for the turn of each
        repetition: the frame furthest from its start on `columns`, each
        in units of its range within the repetition.
    columns : sequence of int
        The angles that matter.

    Examples
    --------
    >>> import numpy as np
    >>> angles = np.r_[np.linspace(170, 90, 30), np.linspace(90, 170, 30)][:, None]
    >>> scored_repetitions([(0, 30)], np.arange(60) // 2, angles, [0])
    [Repetition(index=0, start=0, end=60, turn=29)]
    """
    from sitrex.repetitions import Repetition

    reps = []
    for start, end in bounds:
        a, b = (int(i) for i in np.searchsorted(frame_of, [start, end]))
        if b - a < 2:
            continue
        block = angles[a:b][:, list(columns)]
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)     # an all-NaN column
            span = np.nanmax(block, axis=0) - np.nanmin(block, axis=0)
            away = np.nansum(np.abs(block - block[0]) / np.where(span > 0, span, np.nan),
                             axis=1)
        reps.append(Repetition(index=len(reps), start=a, end=b, turn=a + int(np.argmax(away))))
    return reps


def _repetitions(coach: CoachReference, athlete: Execution, names, columns, coach_rep,
                 scored_bounds, frame_of: np.ndarray) -> tuple[list, list, Any]:
    """The report's repetitions and their lines: the repetitions a comparator scored (a
    "repetitions" comparator), so that each holds one similarity; else those counted."""
    from sitrex.repetitions import compare_repetitions, segment_repetitions

    if not len(columns):
        return [], [], "repetitions not counted: no angle is measured in both clips"
    reps = scored_repetitions(scored_bounds, frame_of, athlete.angles, columns)
    if not reps:
        try:
            reps = segment_repetitions(athlete.angles, fps=athlete.fps, columns=columns)
        except InputError as exc:
            return [], [], f"repetitions not counted: {exc}"
    if not reps:
        return [], [], "no repetition found in the athlete's clip: feedback is per frame only"
    if not coach.repetitions:
        return reps, [], f"repetitions not compared with the coach: {coach.note}"
    coach_reps = compared_coach_repetitions(coach, coach_rep)
    try:
        feedback = compare_repetitions(coach.angles, athlete.angles, angle_names=names,
                                       columns=columns, fps=athlete.fps, coach_fps=coach.fps,
                                       coach_repetitions=coach_reps, athlete_repetitions=reps)
    except InputError as exc:
        return reps, [], f"repetitions not compared with the coach: {exc}"
    return reps, feedback, None



def _window_scores(coach: CoachReference, athlete: np.ndarray, present: np.ndarray, comparator,
                   *, window, warmup, stride, batch_size, alignment, causal, measured):
    """The window path: each frame scored on the window of movement ending there (model rate)."""
    rate = coach.fps
    used_window = default_window(coach, comparator) if window is None else int(window)
    duration = len(athlete) / rate
    notes = []
    if warmup is None:
        warmup = default_warmup(used_window)
        if len(athlete) < warmup:      # a short clip: judged on its second half, and said so
            warmup = max(1, len(athlete) // 2)
            notes.append(f"the athlete's clip ({duration:.2f} s) is shorter than the "
                         f"coach's reference ({used_window / rate:.2f} s): its second half is "
                         "scored, with less history than usual")
    elif len(athlete) < warmup:
        raise InputError(
            f"the athlete's clip is {duration:.2f} s long, shorter than the warm-up "
            f"asked for ({warmup / rate:.2f} s); shorten the warm-up (warmup_seconds=...)")
    if warmup > used_window:
        raise InputError(f"the warm-up ({warmup} frames) must not exceed the window "
                         f"({used_window} frames)")
    athlete_input = carry_forward(athlete, fill_value=0.0) if causal else \
        interpolate_gaps(athlete, fill_value=0.0)
    similarity = windowed_similarity(
        comparator, coach.reference, athlete_input, present=present, window=used_window,
        stride=stride, batch_size=batch_size,
        warped_reference=None if alignment is None else coach.reference[alignment],
        reference_embedding=None if alignment is not None else
        coach.reference_embedding(comparator))
    if causal:    # an angle is scored from its first measured frame on
        similarity[~(coach.measured & np.maximum.accumulate(~np.isnan(athlete), axis=0))] = \
            np.nan
    else:
        similarity[:, ~measured] = np.nan
    similarity[:warmup - 1] = np.nan              # too little history yet
    scoring = {"scoring": {"method": "windows"}, "window_frames": used_window,
               "window_seconds": used_window / rate, "warmup_seconds": warmup / rate,
               "notes": notes}
    return similarity, window_coverage(present, used_window), scoring


def compare_with_coach(coach: CoachReference, athlete_x: Execution, comparator, *,
                       sides: str = "auto", **options: Any) -> FeedbackReport:
    """Score one loaded athlete against a prepared coach (the second half of :func:`compare`).

    `options` are those of :func:`compare` (``kind``, ``window``, ``warmup``,
    ``band``, ``stride``, ``threshold``, ``usefulness_threshold``, ``align``,
    ``repetitions``, ``batch_size``, ``coach_rep``, ``causal``). With
    ``sides="auto"`` the coach is mirrored when its movement is one-sided and
    the athlete works the other side (:func:`side_matched`); otherwise, when
    the athlete's execution is so much closer to the coach's mirrored that the
    mirrored comparison scores at least :data:`sitrex.sides.MIRRORED_BETTER`
    higher (a lunge with the other leg forward: both legs move, so neither
    side's range says which one works), that comparison is the report. An
    athlete who alternates sides (a one-sided movement, or one of both sides
    such as a lunge) has each side's runs compared with the coach on that
    side (:mod:`sitrex.feedback.alternating`).
    """
    from sitrex.sides import MIRRORED_BETTER

    names = tuple(comparator.angle_names_)
    retimed = athlete_x.at_rate(coach.fps)
    if sides == "auto":     # before the ranges: an athlete who alternates leans to either side
        runs = side_runs(coach, retimed[0], names,
                         min_seconds=max(RUN_SHARE * coach.reference_seconds, MIN_CLIP_SECONDS))
        if runs:
            try:
                return alternating_report(coach, athlete_x, retimed, comparator, runs,
                                          _scored, sides=sides, **options)
            except InputError:       # a run too short to score: the clip as one
                pass
    matched, note = side_matched(coach, retimed[0], names, sides)
    report = _scored(matched, athlete_x, retimed, comparator, sides=sides, sides_note=note,
                     **options)
    if sides != "auto" or matched is not coach or not report.score >= 0:
        return report
    try:
        mirrored = _scored(coach.mirrored(names), athlete_x, retimed, comparator, sides=sides,
                           sides_note=None, **options)
    except InputError:        # a sided column without its twin, or nothing in common mirrored
        return report
    if not mirrored.score >= report.score + MIRRORED_BETTER:
        return report
    mirrored.metadata["notes"] = [
        f"the athlete's execution is far closer to the coach's movement mirrored (left and right "
        f"swapped: score {mirrored.score:.2f}) than as recorded ({report.score:.2f}): the athlete "
        "works the other side, and is compared with the coach mirrored, each angle with the "
        "coach's on the other side (sides='same' compares them side for side)",
        *mirrored.metadata.get("notes", [])]
    return mirrored


def _scored(coach: CoachReference, athlete_x: Execution, retimed: tuple, comparator, *,
            kind: str, window: int | None, warmup: int | None, band: int | None, stride: int,
            threshold: float, usefulness_threshold: float, align: bool, repetitions: bool,
            batch_size: int | None, coach_rep, causal: bool = False, sides: str = "auto",
            sides_note: str | None = None) -> FeedbackReport:
    """The report of one athlete against the coach as given (already side-matched).

    `retimed` is ``athlete_x.at_rate(coach.fps)``, computed once by the caller.
    """
    rate = coach.fps
    names = tuple(comparator.angle_names_)
    athlete, present, frame_of = retimed
    measured = coach.measured & ~np.isnan(athlete).all(axis=0)
    if not measured.any():
        raise InputError("the coach and the athlete have no measured angle in common: every "
                         "angle is NaN throughout one of the two clips")
    useful = coach.useful & measured
    focus = np.flatnonzero(useful) if useful.any() else np.flatnonzero(measured)

    if athlete_x.duration < MIN_CLIP_SECONDS or len(athlete) < 2:
        raise InputError(
            f"the athlete's clip is {athlete_x.duration:.2f} s long ({len(athlete_x.angles)} "
            f"frames); at least {MIN_CLIP_SECONDS:g} s of movement is needed to judge it")
    alignment = None
    if align:
        alignment = _align(coach, athlete, rate, band, circular=kind != "unsigned")
    if scores_repetitions(comparator):   # each frame its repetition's
        similarity, coverage, scoring = repetition_similarity(coach, athlete, present, comparator,
                                                              columns=focus)
        used_window, scoring["notes"] = len(coach.reference), []
        similarity[:, ~measured] = np.nan
    else:
        similarity, coverage, scoring = _window_scores(
            coach, athlete, present, comparator, window=window, warmup=warmup, stride=stride,
            batch_size=batch_size, alignment=alignment, causal=causal, measured=measured)
        used_window = scoring.pop("window_frames")
    lacking = np.flatnonzero(coach.useful & ~measured)
    if lacking.size:
        scoring["notes"] = [*scoring.get("notes", []), (
            f"{', '.join(names[i] for i in lacking)}: matter for this exercise (the coach's "
            "clip shows them) but are not measured anywhere in the athlete's clip (their landmarks "
            "are missing): not compared")]
    coverage = coverage[frame_of]
    similarity = similarity[frame_of]
    similarity[~athlete_x.present] = np.nan
    coach_frames = None
    if alignment is not None:   # as frames of the coach's own clip
        model_frame = coach.reference_slice.start + alignment[frame_of]
        coach_frames = np.minimum(np.rint(model_frame / rate * coach.execution.fps),
                                  len(coach.execution.angles) - 1).astype(np.int64)

    reps, rep_feedback, note = [], [], None
    if repetitions:
        from sitrex.repetitions import judge_repetitions

        cut = [np.rint(np.multiply(b, rate)).astype(int)      # seconds -> model frames
               for b in scoring["scoring"].get("repetitions", [])]
        reps, rep_feedback, note = _repetitions(coach, athlete_x, names, focus, coach_rep, cut,
                                                frame_of)
        rep_feedback = judge_repetitions(rep_feedback, similarity, angle_names=names,
                                         threshold=threshold)
    scored = int(np.isfinite(similarity[:, focus]).any(axis=1).sum())
    metadata = {
        "model_fps": rate, "coach_fps": coach.execution.fps, "scored_frames": scored,
        "scored_seconds": scored / athlete_x.fps,
        "coach_repetitions": len(coach.repetitions), "coach_reference_rep": coach.reference_rep,
        "coach_reference_seconds": coach.reference_seconds, "coach_note": coach.note,
        "coach_movement_seconds": [coach.span.start / rate, coach.span.stop / rate],
        "conditioning": {"coach": coach.execution.conditioning,
                         "athlete": athlete_x.conditioning},
        "causal": bool(causal), "sides": sides, **scoring,
    }
    if sides_note:
        metadata["notes"] = [sides_note, *metadata.get("notes", [])]
    n_frames = len(athlete_x.angles)
    return FeedbackReport(
        angle_names=names, usefulness=coach.usefulness, useful=useful, similarity=similarity,
        present=athlete_x.present, times=np.arange(n_frames) / athlete_x.fps, fps=athlete_x.fps,
        threshold=threshold, coach_angles=coach.execution.angles,
        athlete_angles=athlete_x.angles, coach_skeleton=coach.execution.skeleton,
        athlete_skeleton=athlete_x.skeleton, coach_source=coach.execution.source,
        athlete_source=athlete_x.source, alignment=coach_frames, repetitions=reps,
        repetition_feedback=rep_feedback, repetition_note=note,
        usefulness_threshold=usefulness_threshold, window=used_window, stride=int(stride),
        kind=kind, coverage=coverage, coach_repetitions=list(coach.repetitions),
        coach_variation=coach.variation, coach_mirrored=coach.is_mirrored, metadata=metadata)

