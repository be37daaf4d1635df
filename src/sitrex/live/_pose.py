"""Pixels of a live feed to one person's landmarks, one frame at a time (private).

A pose backend's video mode (:meth:`sitrex.backends.PoseBackend.detect_frames`)
takes an iterable of frames; a live feed has one frame at a time. :class:`PoseFeed`
is that iterable, handed each frame just before the backend asks for it, so the
backend keeps its state across frames (MediaPipe's tracking, its increasing
time stamps) through the public plugin contract. The person followed is chosen
as for a video (``sitrex.backends._tracking``).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["PoseFeed"]


class PoseFeed:
    """Frames pushed one at a time through a backend's video mode (its ``detect_frames``)."""

    def __init__(self, backend) -> None:
        from sitrex.backends._tracking import PersonSelector

        self.backend = backend
        self._selector_class = PersonSelector
        self._selector = None
        self._frames = None             # the backend's generator, fed by __next__
        self._pending = None
        self._index = 0
        self._last_time = -math.inf

    def __iter__(self):
        return self

    def __next__(self):
        frame, self._pending = self._pending, None
        if frame is None:
            raise StopIteration
        return frame

    def detect(self, rgb: np.ndarray, time: float) -> tuple[np.ndarray | None, tuple[int, int]]:
        """The followed person's ``(33, 3)`` landmarks in this frame (None: nobody) and its size."""
        from sitrex.video import Frame

        size = (rgb.shape[1], rgb.shape[0])
        if self._selector is None:
            self._selector = self._selector_class(self.backend.person, size)
        time = max(time, self._last_time + 1e-3)       # the video mode wants increasing times
        self._last_time = time
        self._pending = Frame(self._index, time, rgb)
        self._index += 1
        if self._frames is None:
            self._frames = self.backend.detect_frames(self)
        try:
            detections = next(self._frames)
        except BaseException:
            frames, self._frames = self._frames, None   # a fresh start on the next frame
            frames.close()
            raise
        person = self._selector.pick(detections)
        return (None if person is None else detections.coords[person]), size

    def warm_up(self, size: tuple[int, int]) -> None:
        """Start the backend's video mode now, on a blank frame, rather than on the feed's first.

        (MediaPipe takes most of a second to start; the feed would skip the
        frames of that second.) The person is chosen afresh afterwards.
        """
        self.detect(np.zeros((int(size[1]), int(size[0]), 3), np.uint8),
                    max(self._last_time, 0.0))
        self._selector = None

    def close(self) -> None:
        if self._frames is not None:
            self._frames.close()
            self._frames = None
