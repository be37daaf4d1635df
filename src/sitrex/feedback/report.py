"""FeedbackReport: what :func:`sitrex.feedback.compare` found, per frame and per angle."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from .ranges import condition_ranges
from .summary import AngleSummary

__all__ = ["AngleSummary", "FeedbackReport"]


@dataclass(eq=False)
class FeedbackReport:
    """Per-frame, per-angle comparison of an athlete's execution with a coach's.

    Made by :func:`sitrex.feedback.compare`; every array is numpy, one row per
    athlete frame (``T``) or per coach frame (``Tc``), one column per angle
    (``A``), in the comparator's angle order.

    Attributes
    ----------
    angle_names : tuple of str
        The A angle names.
    usefulness : ndarray (A,) float
        Probability that each angle matters for the coach's exercise (the
        usefulness network on the coach's sequence).
    useful : ndarray (A,) bool
        The angles that matter: ``usefulness >= usefulness_threshold`` (or the
        angles the caller named), never an angle the coach or the athlete
        lacks entirely.
    similarity : ndarray (T, A) float
        Probability that the athlete matches the coach on each angle, for the
        window ending at each frame. NaN where not scored: frames without a
        person, and angles never measured in either clip.
    present : ndarray (T,) bool
        Frames of the athlete's clip with a person in them.
    times : ndarray (T,) float
        Time of each athlete frame in seconds, from 0.
    fps : float
        The athlete's frame rate.
    threshold : float
        Similarity below which an angle "differs from the coach".
    coach_angles : ndarray (Tc, A) float
        The coach's angles in degrees (NaN where not measured).
    athlete_angles : ndarray (T, A) float
        The athlete's angles in degrees (NaN where not measured), as
        compared: cleaned and, from landmarks, measured in torso lengths
        (:func:`sitrex.measurement.in_torso_lengths`).
    coach_skeleton, athlete_skeleton : Skeleton or None
        The poses, when the input was a video, a landmark file or a Skeleton.
    coach_source, athlete_source : str or None
        The input file's path, when the input was a file.
    alignment : ndarray (T,) int or None
        With ``align=True``: for each athlete frame, the coach frame matched
        to it by dynamic time warping (an index into ``coach_angles``,
        defined for every frame).
    repetitions : list of sitrex.repetitions.Repetition
        The athlete's repetitions (empty when none was found or not asked):
        the segmentation's, or, when it finds none, those a comparator that
        scores repetitions cut.
    repetition_feedback : list of sitrex.repetitions.RepetitionFeedback
        Per repetition, how it differs from the coach's (each has a
        ``message``).
    repetition_note : str or None
        Why `repetitions` is empty, when it is.
    usefulness_threshold : float
        Probability at or above which an angle is useful.
    window : int
        Window length in frames.
    stride : int
        One window computed in `stride` (the others hold the last value).
    kind : str
        Angle kind of the angles (see :data:`sitrex.ANGLE_KINDS`).
    coverage : ndarray (T,) float or None
        Fraction of each frame's window with a person in it: a score whose
        window is mostly interpolated over a gap deserves less trust.
    coach_repetitions : list of sitrex.repetitions.Repetition
        The coach's repetitions, in frames at the comparator's rate
        (``metadata["model_fps"]``).
    coach_variation : ndarray (A,) float or None
        The coach's rep-to-rep variation of each angle, degrees (NaN with
        fewer than two repetitions): what "normal" variation means.
    coach_mirrored : bool
        The athlete was compared with the coach's movement mirrored (the
        athlete works the other side; ``sides=`` of :func:`sitrex.compare`).
        Every column is then the athlete's angle: column ``k`` of
        `coach_angles`, `usefulness`, `useful` and `coach_variation` is the
        coach's mirror twin of angle ``k`` (the right elbow's for the left
        elbow); `coach_skeleton` stays as recorded.
    metadata : dict
        How the comparison was made: ``model_fps``, ``coach_fps`` (the
        frame rate of `coach_angles`), ``window_seconds``,
        ``warmup_seconds``, ``scored_frames`` and ``scored_seconds``, the
        coach's repetitions and reference, and ``conditioning`` (the cleaning
        of each input).

    Examples
    --------
    >>> import numpy as np
    >>> sim = np.full((40, 2), 0.9)
    >>> sim[10:25, 0] = 0.2
    >>> report = FeedbackReport(
    ...     angle_names=("left knee", "right knee"), usefulness=np.array([0.9, 0.8]),
    ...     useful=np.array([True, True]), similarity=sim, present=np.ones(40, bool),
    ...     times=np.arange(40) / 10.0, fps=10.0, threshold=0.5,
    ...     coach_angles=np.zeros((30, 2)), athlete_angles=np.zeros((40, 2)))
    >>> report.worst_angles(1)
    ['left knee']
    >>> report.messages[1]
    'left knee: differs from the coach in frames 10-24 (1.0-2.4 s)'
    >>> round(report.score, 3)
    0.769
    """

    angle_names: tuple[str, ...]
    usefulness: np.ndarray
    useful: np.ndarray
    similarity: np.ndarray
    present: np.ndarray
    times: np.ndarray
    fps: float
    threshold: float
    coach_angles: np.ndarray
    athlete_angles: np.ndarray
    coach_skeleton: Any = None
    athlete_skeleton: Any = None
    coach_source: str | None = None
    athlete_source: str | None = None
    alignment: np.ndarray | None = None
    repetitions: list = field(default_factory=list)
    repetition_feedback: list = field(default_factory=list)
    repetition_note: str | None = None
    usefulness_threshold: float = 0.5
    window: int | None = None
    stride: int = 1
    kind: str = "unsigned"
    coverage: np.ndarray | None = None
    coach_repetitions: list = field(default_factory=list)
    coach_variation: np.ndarray | None = None
    metadata: dict = field(default_factory=dict)
    coach_mirrored: bool = False

    def __post_init__(self):
        self.angle_names = tuple(str(n) for n in self.angle_names)
        n_angles = len(self.angle_names)
        self.usefulness = np.asarray(self.usefulness, dtype=np.float64).reshape(n_angles)
        self.useful = np.asarray(self.useful, dtype=bool).reshape(n_angles)
        self.similarity = np.asarray(self.similarity, dtype=np.float64)
        n_frames = self.similarity.shape[0]
        if self.similarity.shape != (n_frames, n_angles):
            raise InputError(f"similarity must have shape (T, {n_angles}); got "
                             f"{self.similarity.shape}")
        self.present = np.asarray(self.present, dtype=bool).reshape(n_frames)
        self.times = np.asarray(self.times, dtype=np.float64).reshape(n_frames)
        self.coach_angles = np.asarray(self.coach_angles, dtype=np.float64).reshape(-1, n_angles)
        self.athlete_angles = np.asarray(self.athlete_angles, dtype=np.float64).reshape(
            n_frames, n_angles)
        if self.alignment is not None:
            self.alignment = np.asarray(self.alignment, dtype=np.int64).reshape(n_frames)
        if self.coverage is not None:
            self.coverage = np.asarray(self.coverage, dtype=np.float64).reshape(n_frames)
        self.fps, self.threshold = float(self.fps), float(self.threshold)
        if self.coach_variation is not None:
            self.coach_variation = np.asarray(self.coach_variation, dtype=np.float64).reshape(
                n_angles)
        self.repetitions = list(self.repetitions)
        self.repetition_feedback = list(self.repetition_feedback)
        self.coach_repetitions = list(self.coach_repetitions)
        self.metadata = dict(self.metadata or {})

    # ------------------------------------------------------------------ basic views
    @property
    def n_frames(self) -> int:
        """Number of athlete frames T."""
        return int(self.similarity.shape[0])

    @property
    def focus(self) -> np.ndarray:
        """Columns the summary, score and messages are about: the useful angles (all if none)."""
        useful = np.flatnonzero(self.useful)
        return useful if len(useful) else np.arange(len(self.angle_names))

    @property
    def mean_similarity(self) -> np.ndarray:
        """(A,) mean similarity of each angle over its scored frames (NaN if never scored)."""
        scored = np.isfinite(self.similarity)
        count = scored.sum(axis=0)
        total = np.where(scored, self.similarity, 0.0).sum(axis=0)
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)

    @property
    def scored_frames(self) -> int:
        """Athlete frames with a score on at least one angle of :attr:`focus`."""
        return int(np.isfinite(self.similarity[:, self.focus]).any(axis=1).sum())

    @property
    def score(self) -> float:
        """Overall score in [0, 1]: the mean similarity over the useful angles and scored frames.

        Every (frame, useful angle) cell with a score counts once (frames
        without a person do not count). When no angle is useful, all angles
        count. NaN if nothing was scored.
        """
        values = self.similarity[:, self.focus]
        values = values[np.isfinite(values)]
        return float(values.mean()) if values.size else float("nan")

    # ------------------------------------------------------------------ summaries
    def summary(self, *, min_frames: int = 2, max_gap: int | None = None) -> list[AngleSummary]:
        """Per useful angle: mean similarity and where it falls below the threshold.

        The ranges follow :func:`sitrex.feedback.ranges.condition_ranges`:
        frames scored below the threshold, runs separated by at most
        `max_gap` frames merged, then ranges shorter than `min_frames`
        dropped. Unscored frames (no person) never count as below.

        Parameters
        ----------
        min_frames : int, default 2
            Shortest range reported (2 ignores one-frame blips).
        max_gap : int, optional
            Largest gap merged; default 0.1 s worth of frames (at least 1).

        Returns
        -------
        list of AngleSummary
            One per angle of :attr:`focus`, in column order.

        Examples
        --------
        >>> import numpy as np
        >>> sim = np.array([[0.9], [0.2], [0.2], [0.9], [0.3], [0.9], [0.9], [0.1], [0.9]])
        >>> r = FeedbackReport(("knee",), [0.9], [True], sim, np.ones(9, bool), np.arange(9.0),
        ...                    1.0, 0.5, np.zeros((9, 1)), np.zeros((9, 1)))
        >>> r.summary()[0].ranges          # frames 1-2 and 4 merge; frame 7 is a blip
        ((1, 4),)
        """
        from .summary import angle_summaries

        return angle_summaries(self, min_frames=min_frames, max_gap=max_gap)

    def worst_angles(self, k: int = 3) -> list[str]:
        """Names of the `k` useful angles with the lowest mean similarity, worst first.

        Angles never scored come last. When no angle is useful, all angles
        are ranked.

        Examples
        --------
        >>> import numpy as np
        >>> sim = np.array([[0.9, 0.1, 0.5]] * 4)
        >>> r = FeedbackReport(("a", "b", "c"), [1, 1, 1], [True, True, True], sim,
        ...                    np.ones(4, bool), np.arange(4.0), 1.0, 0.5, sim, sim)
        >>> r.worst_angles(2)
        ['b', 'c']
        """
        focus = self.focus
        mean = self.mean_similarity[focus]
        order = np.argsort(np.where(np.isnan(mean), np.inf, mean), kind="stable")
        return [self.angle_names[focus[i]] for i in order[:max(0, int(k))]]

    def other_side_frames(self) -> np.ndarray:
        """Per athlete frame, True where its angles were compared with the coach's twins.

        The ``"other side"`` runs of an athlete who alternates sides
        (``metadata["side_runs"]``, :mod:`sitrex.feedback.alternating`): there
        each angle was compared with the coach's angle of the other side (left
        and right swapped), not with the one `coach_angles` holds in its
        column. False elsewhere, and throughout a report that mirrored the
        whole coach (`coach_mirrored`), whose `coach_angles` hold the twins.
        """
        times = np.asarray(self.times, dtype=np.float64)
        other = np.zeros(times.shape, dtype=bool)
        for start, end, side in (self.metadata or {}).get("side_runs", []):
            other |= (side == "other side") & (times >= start) & (times < end)
        return other

    def no_person_ranges(self) -> list[tuple[int, int]]:
        """Frame ranges ``(start, end)`` (both included) without a person in the athlete's clip."""
        return condition_ranges(~self.present, min_frames=1, max_gap=0)

    @property
    def messages(self) -> list[str]:
        """Short plain-language lines: overall score, angles that differ, gaps, repetitions.

        Angles that differ come worst first, each with its frame ranges and
        times (:meth:`summary` with its defaults); then the angles that match
        throughout, the frames without a person, and the per-repetition
        messages.
        """
        from .summary import report_messages

        return report_messages(self)

    def __repr__(self) -> str:
        score = self.score
        return (f"FeedbackReport(n_frames={self.n_frames}, fps={self.fps:g}, "
                f"useful={[self.angle_names[i] for i in np.flatnonzero(self.useful)]}, "
                f"score={'nan' if np.isnan(score) else f'{score:.3f}'}, "
                f"repetitions={len(self.repetitions)})")

    # ------------------------------------------------------------------ export (export.py)
    def to_dict(self) -> dict[str, Any]:
        """Everything but the skeletons as plain JSON-safe Python (lists, no numpy; NaN -> None).

        Also holds the derived ``score``, ``worst_angles``, ``summary`` and
        ``messages``. :meth:`from_dict` rebuilds a report from it.

        Examples
        --------
        >>> import json, numpy as np
        >>> r = FeedbackReport(("knee",), [0.9], [True], [[np.nan], [0.7]], [False, True],
        ...                    [0.0, 0.5], 2.0, 0.5, [[10.0]], [[np.nan], [12.0]])
        >>> d = r.to_dict()
        >>> d["similarity"], d["present"]
        ([[None], [0.7]], [False, True])
        >>> _ = json.dumps(d, allow_nan=False)
        """
        from .export import report_to_dict

        return report_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeedbackReport:
        """Rebuild a report from :meth:`to_dict` output (skeletons are not stored: None).

        Examples
        --------
        >>> r = FeedbackReport(("knee",), [0.9], [True], [[0.7]], [True], [0.0], 1.0, 0.5,
        ...                    [[10.0]], [[12.0]])
        >>> FeedbackReport.from_dict(r.to_dict()).similarity.tolist()
        [[0.7]]
        """
        from .export import report_from_dict

        return report_from_dict(cls, data)

    def to_json(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`to_dict` as JSON, atomically; returns the path.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> r = FeedbackReport(("knee",), [0.9], [True], [[0.7]], [True], [0.0], 1.0, 0.5,
        ...                    [[10.0]], [[12.0]])
        >>> path = r.to_json(pathlib.Path(tempfile.mkdtemp()) / "report.json")
        >>> FeedbackReport.from_json(path).score
        0.7
        """
        from .export import write_json

        return write_json(self, path)

    @classmethod
    def from_json(cls, path: str | os.PathLike[str]) -> FeedbackReport:
        """Read a report written by :meth:`to_json`."""
        from .export import read_json

        return read_json(cls, path)

    def to_csv(self, path: str | os.PathLike[str]) -> Path:
        """Write the per-frame table, atomically; returns the path.

        Columns: ``frame``, ``time`` (s), ``present`` (1/0), then one column
        of similarity per angle (named as in :attr:`angle_names`; empty where
        not scored).

        Examples
        --------
        >>> import pathlib, tempfile
        >>> r = FeedbackReport(("left knee",), [0.9], [True], [[float("nan")], [0.75]],
        ...                    [False, True], [0.0, 0.5], 2.0, 0.5, [[10.0]], [[1.0], [12.0]])
        >>> print(r.to_csv(pathlib.Path(tempfile.mkdtemp()) / "r.csv").read_text())
        frame,time,present,left knee
        0,0,0,
        1,0.5,1,0.75
        <BLANKLINE>
        """
        from .export import write_csv

        return write_csv(self, path)
