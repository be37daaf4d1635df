"""Live feedback: an athlete in front of a camera, per-angle feedback frame by frame.

:class:`LiveComparator` prepares a coach once and then takes one frame at a
time, from any source (a camera, a video file, frames pushed by a web or
mobile back end), returning the feedback now (:class:`LiveFeedback`).
:class:`RepetitionCounter` counts repetitions as they complete.

One concept per module: :mod:`~sitrex.live.comparator` (the coach prepared
once, a frame in, the feedback out), :mod:`~sitrex.live.feedback` (the
feedback on one frame), :mod:`~sitrex.live.counter` (repetitions counted as
they complete), and the private ``_clock`` (time stamps and the model's
frame clock) and ``_pose`` (pixels to one person's landmarks, frame by frame).
"""

from __future__ import annotations

from sitrex.live.comparator import LiveComparator
from sitrex.live.counter import LiveRepetition, RepetitionCounter
from sitrex.live.feedback import LiveFeedback

__all__ = ["LiveComparator", "LiveFeedback", "LiveRepetition", "RepetitionCounter"]
