"""LiveFeedback: what a live comparison says about one frame, as values and in words."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .counter import LiveRepetition

__all__ = ["LiveFeedback"]


@dataclass(frozen=True, eq=False)
class LiveFeedback:
    """The feedback on one frame of a live feed: what :meth:`LiveComparator.update` returns.

    Attributes
    ----------
    time : float
        Session seconds (0 at the first frame).
    present : bool
        A person is in this frame.
    similarity : ndarray (A,)
        Per-angle similarity of the window ending now with the coach's
        reference (1: moves like the coach); NaN where not scored (no
        person, warming up, angle not measured yet).
    angles : ndarray (A,)
        The athlete's cleaned angles now, degrees (NaN where not measured).
    angle_names : tuple of str
    focus : ndarray of int
        The angles that matter for the exercise (the coach's useful angles).
    threshold : float
        Similarity below which an angle differs.
    repetitions : int
        Repetitions counted so far.
    new_repetitions : tuple of LiveRepetition
        Those this frame completed (usually none; print them as they come).
    last_repetition : LiveRepetition or None
        The latest counted, with its verdict.
    coverage : float
        Fraction of the window's frames that had a person.
    landmarks : ndarray (33, 3) or None
        The pose as the backend gave it (its units), to draw; None for angle
        input.
    image_size : (int, int) or None
        (width, height) of the frame, for pixel input.
    units : str or None
        Units of `landmarks` (the backend's, e.g. ``"image_height"``).
    latency : dict
        Seconds this frame took: ``"pose"`` (pose estimation) and
        ``"compare"`` (everything else).
    """

    time: float
    present: bool
    similarity: np.ndarray
    angles: np.ndarray
    angle_names: tuple[str, ...]
    focus: np.ndarray
    threshold: float
    repetitions: int = 0
    new_repetitions: tuple[LiveRepetition, ...] = ()
    last_repetition: LiveRepetition | None = None
    coverage: float = 0.0
    landmarks: np.ndarray | None = field(default=None, repr=False)
    image_size: tuple[int, int] | None = None
    units: str | None = None
    latency: dict = field(default_factory=dict, repr=False)

    @property
    def scored(self) -> bool:
        """Whether an angle that matters has a similarity now."""
        return bool(np.isfinite(self.similarity[self.focus]).any())

    @property
    def differs(self) -> tuple[str, ...]:
        """The angles that matter whose similarity is below the threshold now, worst first."""
        values = self.similarity[self.focus]
        with np.errstate(invalid="ignore"):
            low = np.flatnonzero(values < self.threshold)
        return tuple(self.angle_names[self.focus[i]] for i in low[np.argsort(values[low])])

    @property
    def text(self) -> str:
        """The feedback now, in words.

        Examples
        --------
        >>> fb = LiveFeedback(1.0, True, np.array([0.2, 0.9]), np.array([80.0, 170.0]),
        ...                   ("left knee", "right knee"), np.array([0, 1]), 0.5, repetitions=2)
        >>> fb.text
        'left knee differs from the coach; 2 repetitions'
        """
        reps = f"{self.repetitions} repetition{'s' if self.repetitions != 1 else ''}"
        if not self.present:
            now = "no person in view"
        elif not self.scored:
            now = "watching (not enough movement seen yet)"
        elif self.differs:
            now = f"{', '.join(self.differs)} differ{'s' if len(self.differs) == 1 else ''} " \
                  "from the coach"
        else:
            now = "moving like the coach"
        return f"{now}; {reps}"

    def to_dict(self) -> dict[str, Any]:
        """Plain Python types (JSON-ready; NaN becomes None)."""
        def plain(values):
            return [None if not math.isfinite(v) else float(v) for v in values]

        return {"time": self.time, "present": self.present,
                "similarity": dict(zip(self.angle_names, plain(self.similarity))),
                "angles": dict(zip(self.angle_names, plain(self.angles))),
                "differs": list(self.differs), "repetitions": self.repetitions,
                "new_repetitions": [r.to_dict() for r in self.new_repetitions],
                "coverage": self.coverage, "text": self.text}
