"""Scoring an athlete repetition by repetition: the feedback path of a "repetitions" comparator.

A comparator whose ``scoring`` is ``"repetitions"``
(:class:`sitrex.RepetitionComparator`) does not read sliding windows: it
scores each (repetition, angle) of the athlete once against one repetition of
the coach's, the template
(:meth:`~sitrex.RepetitionComparator.score_repetitions`). Here those scores
become the report's per-frame similarity:

* the athlete's movement is read from where it starts to where it ends
  (:func:`sitrex.repetitions.movement_span`: a still stretch longer than
  half a second at either end is left out);
* a movement in which :func:`sitrex.repetitions.segment_repetitions` counts
  **two or more repetitions** on the angles that matter is scored on those
  repetitions, each aligned onto the template on its own, the way the live
  comparator scores the repetitions it counts. Otherwise (one repetition, or
  none counted) the comparator cuts the movement along its alignment onto
  the template, as in training. (The alignment of a whole clip onto one
  repetition can lose count: an athlete whose arms are held far from the
  coach's had two squats scored as one and the next left out, and web-video
  push-ups were matched with one template frame throughout. Counting first
  keeps every repetition of a set scored.);
* every frame of a scored repetition gets that repetition's similarity;
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

from sitrex.exceptions import InputError

from .coach import CoachReference

__all__ = ["counted_repetitions", "reference_profile", "repetition_similarity"]


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
                          comparator, columns=None) -> tuple[np.ndarray, np.ndarray, dict]:
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
    columns : sequence of int, optional
        The angles that matter (measured in both clips), on which the
        athlete's repetitions are counted; default the coach's
        (:attr:`CoachReference.focus <sitrex.feedback.coach.CoachReference>`).

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
    counted = counted_repetitions(athlete[span], coach.fps,
                                  coach.focus if columns is None else columns)
    scores = comparator.score_repetitions(profile, athlete[span], repetitions=counted)
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


def counted_repetitions(athlete: np.ndarray, fps: float, columns) -> list | None:
    """The athlete's repetitions as :func:`~sitrex.repetitions.segment_repetitions` counts them
    on `columns`, as ``(start, stop)`` frames, when it counts at least two; else None.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(300) / 30.0
    >>> knee = 170 - 45 * (1 - np.cos(2 * np.pi * t / 2.5))       # 4 squats
    >>> len(counted_repetitions(knee[:, None], 30.0, [0]))
    4
    >>> counted_repetitions(knee[:75, None], 30.0, [0]) is None    # one: cut along the alignment
    True
    """
    from sitrex.repetitions import segment_repetitions

    if not len(columns) or len(athlete) < 2:
        return None
    try:
        reps = segment_repetitions(athlete, fps=fps, columns=list(columns))
    except InputError:                  # too short, nothing measured: the comparator's own cut
        return None
    return [(r.start, r.end) for r in reps] if len(reps) >= 2 else None


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
