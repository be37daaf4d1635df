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
   and 95th percentiles; with ``rest_at="start"``, where it starts only, for
   a stream that may stop mid-movement).
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
the coach's typical (median) repetition, angle by angle, by its range of
motion and extreme; :func:`judge_repetitions` keeps, per repetition, the
angles a comparator's similarity says differ (what :func:`sitrex.compare`
reports).

The package holds one concept per module: :mod:`~sitrex.repetitions.segmentation`
(the driving signal, :class:`Repetition`, :func:`segment_repetitions`,
:func:`count_repetitions`, and :func:`movement_span`, a clip without its long
still ends) and :mod:`~sitrex.repetitions.comparison`
(:class:`RepetitionIssue`, :class:`RepetitionFeedback`, :func:`compare_repetitions`,
:func:`judge_repetitions` and their messages); the input checks and the cleaning
steps they share are in the private ``_signals`` module.
"""

from __future__ import annotations

from sitrex.repetitions.comparison import (
    RepetitionFeedback,
    RepetitionIssue,
    compare_repetitions,
    judge_repetitions,
)
from sitrex.repetitions.segmentation import (
    LONG_STILL,
    Repetition,
    count_repetitions,
    movement_span,
    segment_repetitions,
)

__all__ = ["LONG_STILL", "Repetition", "RepetitionFeedback", "RepetitionIssue",
           "compare_repetitions", "count_repetitions", "judge_repetitions", "movement_span",
           "segment_repetitions"]
