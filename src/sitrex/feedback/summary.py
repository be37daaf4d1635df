"""Readable summaries of a FeedbackReport: per-angle statistics and plain-language lines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ranges import condition_ranges

__all__ = ["AngleSummary", "angle_summaries", "report_messages"]

#: Ranges listed per angle in a message before "and N more".
_MAX_RANGES_IN_MESSAGE = 3


@dataclass(frozen=True)
class AngleSummary:
    """How one angle of the athlete compares with the coach's over the clip.

    Attributes
    ----------
    name : str
        Angle name.
    column : int
        Its column in the report's arrays.
    usefulness : float
        Probability that the angle matters for the coach's exercise.
    mean_similarity : float
        Mean similarity over the scored frames (NaN if none was scored).
    below_fraction : float
        Fraction of the scored frames below the threshold.
    ranges : tuple of (int, int)
        Frame ranges ``(start, end)``, both included, where the similarity
        falls below the threshold (after the merging rule of
        :meth:`FeedbackReport.summary`).
    time_ranges : tuple of (float, float)
        The same ranges in seconds (time of the first and of the last frame).

    Examples
    --------
    >>> s = AngleSummary("left knee", 5, 0.9, 0.4, 0.5, ((0, 29),), ((0.0, 0.97),))
    >>> s.differs
    True
    """

    name: str
    column: int
    usefulness: float
    mean_similarity: float
    below_fraction: float
    ranges: tuple[tuple[int, int], ...]
    time_ranges: tuple[tuple[float, float], ...]

    @property
    def differs(self) -> bool:
        """Whether the angle falls below the threshold somewhere (any range)."""
        return bool(self.ranges)


def _frames_text(ranges, times) -> str:
    parts = [f"{a}-{b} ({times[a]:.1f}-{times[b]:.1f} s)" if a != b else f"{a} ({times[a]:.1f} s)"
             for a, b in ranges[:_MAX_RANGES_IN_MESSAGE]]
    text = ", ".join(parts)
    extra = len(ranges) - _MAX_RANGES_IN_MESSAGE
    return text + (f" and {extra} more" if extra > 0 else "")


def angle_summaries(report, *, min_frames: int = 2, max_gap: int | None = None
                    ) -> list[AngleSummary]:
    """See :meth:`FeedbackReport.summary`."""
    gap = max(1, int(round(0.1 * report.fps))) if max_gap is None else int(max_gap)
    mean = report.mean_similarity
    times = report.times
    out = []
    for column in report.focus:
        values = report.similarity[:, column]
        scored = np.isfinite(values)
        below = scored & (values < report.threshold)
        ranges = tuple(condition_ranges(below, min_frames=min_frames, max_gap=gap))
        out.append(AngleSummary(
            name=report.angle_names[column], column=int(column),
            usefulness=float(report.usefulness[column]), mean_similarity=float(mean[column]),
            below_fraction=float(below.sum() / scored.sum()) if scored.any() else float("nan"),
            ranges=ranges,
            time_ranges=tuple((float(times[a]), float(times[b])) for a, b in ranges)))
    return out


def report_messages(report) -> list[str]:
    """See :attr:`FeedbackReport.messages`."""
    score = report.score
    score_text = "n/a" if np.isnan(score) else f"{score:.2f}"
    scored = report.scored_frames
    over = (f"over {scored} scored frame(s) ({scored / report.fps:.1f} s) of "
            f"{report.n_frames}")
    useful = np.flatnonzero(report.useful)
    unjudged = [report.angle_names[i] for i in useful
                if not np.isfinite(report.similarity[:, i]).any()]
    if report.useful.any():
        lines = [f"overall similarity {score_text} on the {len(useful) - len(unjudged)} "
                 f"angle(s) that matter for this exercise, {over} (threshold "
                 f"{report.threshold:g})"]
    else:
        lines = [f"overall similarity {score_text} on all angles, {over}: none was found to "
                 f"matter for this exercise (threshold {report.threshold:g})"]
    if scored == 0:
        lines.append("nothing was scored: the clip is too short for the window, or nobody is "
                     "in view; no angle is judged")
    lines.extend(report.metadata.get("notes", []))
    if unjudged:
        lines.append(f"not judged: {', '.join(unjudged)} (they matter for this exercise, but are "
                     "measured in too few of the athlete's frames)")
    summaries = sorted(report.summary(), key=lambda s: np.nan_to_num(s.mean_similarity, nan=2.0))
    lines += [f"{s.name}: differs from the coach in frames {_frames_text(s.ranges, report.times)}"
              for s in summaries if s.ranges]
    # "matches" only when no scored frame is below the threshold; brief dips are said as such
    matching = [s.name for s in summaries if s.below_fraction == 0]
    dipping = [s.name for s in summaries if not s.ranges and s.below_fraction > 0]
    if matching:
        lines.append(f"matches the coach throughout: {', '.join(matching)}")
    if dipping:
        lines.append(f"below the coach only in isolated frames: {', '.join(dipping)}")
    absent = report.no_person_ranges()
    if absent:
        lines.append(f"no person in frames {_frames_text(absent, report.times)}: not scored")
    lines.extend(str(getattr(f, "message", f)) for f in report.repetition_feedback)
    if report.repetition_note:
        lines.append(report.repetition_note)
    return lines
