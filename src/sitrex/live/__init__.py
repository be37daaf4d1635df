"""Live feedback: an athlete in front of a camera, per-angle feedback frame by frame.

:class:`LiveComparator` prepares a coach once and then takes one frame at a
time, from any source (a camera, a video file, frames pushed by a web or
mobile back end), returning the feedback now (:class:`LiveFeedback`).
:class:`RepetitionCounter` counts repetitions as they complete. Around it:
the sources (:class:`Camera`, :class:`PacedVideo`: a file read as if it were
a camera), the overlay (:class:`LiveOverlay`, shown in a window when
:func:`display_available`, written to a video) and :func:`run_live`, the
loop of ``sitrex live`` (stops cleanly on ``q`` or Ctrl-C).

One concept per module: :mod:`~sitrex.live.comparator` (the coach prepared
once, a frame in, the feedback out), :mod:`~sitrex.live.feedback` (the
feedback on one frame), :mod:`~sitrex.live.counter` (repetitions counted as
they complete), and the private ``_clock`` (time stamps and the model's
frame clock) and ``_pose`` (pixels to one person's landmarks, frame by frame);
:mod:`~sitrex.live.sources` (frame sources), :mod:`~sitrex.live.display` (the
overlay and the window), :mod:`~sitrex.live.session` (a session from start to
a clean stop).
"""

from __future__ import annotations

from sitrex.live.comparator import LIVE_DEFAULT_WEIGHTS, LiveComparator
from sitrex.live.counter import LiveRepetition, RepetitionCounter
from sitrex.live.display import LiveOverlay, display_available
from sitrex.live.feedback import LiveFeedback
from sitrex.live.session import LiveRun, run_live
from sitrex.live.sources import Camera, LiveSource, PacedVideo

__all__ = ["LIVE_DEFAULT_WEIGHTS", "Camera", "LiveComparator", "LiveFeedback", "LiveOverlay", "LiveRepetition",
           "LiveRun", "LiveSource", "PacedVideo", "RepetitionCounter", "display_available",
           "run_live"]
