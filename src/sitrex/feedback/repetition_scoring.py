"""Scoring an athlete repetition by repetition: the feedback path of a "repetitions" comparator.

A comparator whose ``scoring`` is ``"repetitions"``
(:class:`sitrex.RepetitionComparator`) does not read sliding windows: it
aligns the athlete's whole clip onto one repetition of the coach's (the
template), cuts the athlete's clip into repetitions along the alignment and
scores each (repetition, angle) once
(:meth:`~sitrex.RepetitionComparator.score_repetitions`). Here those scores
become the report's per-frame similarity:

* every frame of a scored repetition gets that repetition's similarity;
* the athlete's movement is read from where it starts to where it ends
  (:func:`sitrex.repetitions.movement_span`: a still stretch longer than
  half a second at either end is left out);
* frames outside the scored repetitions (a partial repetition at either end
  of the movement, a pause) are not scored (NaN), unless no repetition
  qualifies: then the whole movement is one repetition;
* the template is the coach's reference repetition
  (:attr:`CoachReference.reference <sitrex.feedback.coach.CoachReference>`:
  the first repetition by default, as the comparator's recipe was trained,
  or the one ``coach_rep`` names), the coach's other repetitions give the
  rep-to-rep spread; a coach clip with fewer than two repetitions is the
  template as a whole.

``report.metadata["scoring"]`` records what was done.
"""

from __future__ import annotations

import numpy as np

from .coach import CoachReference

__all__ = ["reference_profile", "repetition_similarity"]


def reference_profile(coach: CoachReference, comparator):
    """The comparator's profile of the coach's clip (its ``reference_embedding``).

    The coach's movement (:attr:`CoachReference.span`: the frames with a
    person, without long still ends), its repetitions with the reference one
    first (it is the template), cut to that span (a repetition is counted on
    the angles, which re-timing can carry a frame past the last one with a
    person). A reference repetition with fewer than two frames in the span
    leaves the span as a whole.
    """
    start, stop = coach.span.start, coach.span.stop
    reps = [(max(r.start, start) - start, min(r.end, stop) - start) for r in coach.repetitions]
    reference = None if coach.reference_rep is None else reps[coach.reference_rep]
    if reference is None or reference[1] - reference[0] < 2:
        reps = []
    else:
        reps.insert(0, reps.pop(coach.reference_rep))
        reps = [(a, b) for a, b in reps if b - a >= 2]
    return comparator.reference_profile(coach.angles[coach.span], repetitions=reps)


def repetition_similarity(coach: CoachReference, athlete: np.ndarray, present: np.ndarray,
                          comparator) -> tuple[np.ndarray, np.ndarray, dict]:
    """Per-frame similarity of `athlete` (model rate) from its repetitions' scores.

    Parameters
    ----------
    coach : CoachReference
        The prepared coach, on the comparator's clock; the comparator's
        profile of it is computed once (:func:`reference_profile`).
    athlete : ndarray (T, A)
        The athlete's cleaned angles at the comparator's rate (NaN where not
        measured).
    present : ndarray (T,) bool
        Frames with a person.
    comparator : sitrex.RepetitionComparator
        Fitted.

    Returns
    -------
    similarity : ndarray (T, A)
        Each frame of a scored repetition holds that repetition's
        similarity; other frames NaN.
    coverage : ndarray (T,)
        Share of each frame's repetition with a person in it (0 outside).
    metadata : dict
        ``{"scoring": {"method": "repetitions", "repetitions": [[start, end]
        seconds, ...], "template_seconds", "combine", "statistic_weight"}}``.
    """
    from sitrex.repetitions import movement_span

    profile = coach.reference_embedding(comparator)
    span = movement_span(athlete, present, coach.fps) if present.any() else slice(0, len(athlete))
    scores = comparator.score_repetitions(profile, athlete[span])
    bounds = [(a + span.start, b + span.start) for a, b in scores.repetitions.bounds]
    similarity, coverage = _per_frame(bounds, scores.similarity, present,
                                      n_angles=athlete.shape[1])
    rate = coach.fps
    metadata = {"scoring": {
        "method": "repetitions",
        "repetitions": [[a / rate, b / rate] for a, b in bounds],
        "template_seconds": len(profile.template) / rate,
        "combine": str(getattr(comparator, "combine", "")),
        "statistic_weight": float(getattr(comparator, "statistic_weight", np.nan))}}
    return similarity, coverage, metadata


def _per_frame(bounds, scores: np.ndarray, present: np.ndarray, *, n_angles: int
               ) -> tuple[np.ndarray, np.ndarray]:
    """Spread (n_reps, A) repetition scores over the frames of each repetition (`bounds`).

    Examples
    --------
    >>> import numpy as np
    >>> frames, coverage = _per_frame([(2, 5)], np.array([[0.9, 0.2]]), np.ones(7, bool),
    ...                               n_angles=2)
    >>> frames[:, 1].round(1).tolist()
    [nan, nan, 0.2, 0.2, 0.2, nan, nan]
    >>> coverage.tolist()
    [0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    """
    similarity = np.full((len(present), n_angles), np.nan)
    coverage = np.zeros(len(present))
    for (start, end), values in zip(bounds, scores):
        similarity[start:end] = values
        coverage[start:end] = present[start:end].mean()
    return similarity, coverage
