"""What the figures of :mod:`sitrex.plots` share: matplotlib, the report, angle choice, colours."""

from __future__ import annotations

from typing import Any

import numpy as np

from sitrex._imports import import_optional
from sitrex._validation import resolve_columns

#: The matplotlib colour map of similarity: red (0, differs) to green (1, matches).
SIMILARITY_CMAP = "RdYlGn"
_NOT_SCORED = "#b0b0b0"  # grey: similarity NaN
_NO_PERSON_HATCH = "////"


def import_matplotlib():
    """matplotlib, or a MissingDependencyError naming ``sitrex[plots]``."""
    return import_optional("matplotlib", "sitrex's figures", "plots")


def new_axes(ax, figsize: tuple[float, float]):
    """``ax``, or the Axes of a new pyplot figure (so that notebooks display it)."""
    if ax is not None:
        return ax
    import_matplotlib()
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def check_report(report: Any) -> None:
    """A TypeError unless `report` is a FeedbackReport."""
    from sitrex.feedback.report import FeedbackReport

    if not isinstance(report, FeedbackReport):
        raise TypeError(f"expected a FeedbackReport (from sitrex.feedback.compare), got "
                        f"{type(report).__name__}")


def angle_columns(report: Any, angles: Any) -> list[int]:
    """Columns of `angles` (names, indices or a boolean mask), by the one resolver of sitrex."""
    names = report.angle_names
    return resolve_columns(angles, len(names), names, name="angles").tolist()


def angle_colour(report: Any, column: int) -> str:
    """One colour per angle, the same in every panel: by position among the focus angles.

    The first ten are matplotlib's colour cycle (``C0`` .. ``C9``); a movement with more
    angles that matter (a squat has up to 20) goes on in the 40 colours of ``tab20b`` and
    ``tab20c``, so that no two angles of one figure share a colour.
    """
    focus = report.focus.tolist()
    position = focus.index(column) if column in focus else len(focus) + column
    if position < 10:
        return f"C{position}"
    import_matplotlib()
    from matplotlib import colormaps, colors

    extra = colormaps["tab20b"].colors + colormaps["tab20c"].colors
    return colors.to_hex(extra[(position - 10) % len(extra)])


def coach_name(report: Any, column: int) -> str:
    """Legend name of the coach's curve of `column`: ``"coach"``, or, for a report that compared
    the athlete with the coach mirrored, the coach's angle it holds (the twin's)."""
    if not getattr(report, "coach_mirrored", False):
        return "coach"
    from sitrex.exceptions import InputError
    from sitrex.sides import mirror_columns

    try:
        twin = int(mirror_columns(report.angle_names)[column])
    except InputError:             # a sided angle without its twin: nothing says which it holds
        return "coach, mirrored"
    return f"coach's {report.angle_names[twin]}, mirrored" if twin != column else "coach"


def frame_step(times: np.ndarray, fps: Any) -> float:
    """Seconds between frames: 1 / fps, else the median step of `times`, else 1."""
    if fps:
        return 1.0 / float(fps)
    if times.size > 1:
        step = float(np.nanmedian(np.diff(times)))
        if step > 0:
            return step
    return 1.0


def shade_no_person(ax, report: Any, step: float, *, label: bool) -> None:
    """Hatch the report's spans of frames without a person."""
    times = report.times
    for i, (start, end) in enumerate(report.no_person_ranges()):  # both ends included
        ax.axvspan(times[start] - step / 2, times[end] + step / 2, facecolor="none",
                   edgecolor="0.35", hatch=_NO_PERSON_HATCH, linewidth=0.0,
                   label="no person" if (label and i == 0) else None)


def _example_report():
    """A tiny FeedbackReport for the examples: 3 angles (2 useful), 6 frames, 2 repetitions."""
    from sitrex.feedback.report import FeedbackReport
    from sitrex.repetitions import Repetition

    t = np.arange(6) / 2.0
    similarity = np.array([[np.nan, np.nan, 0.9], [0.9, 0.2, 0.8], [0.8, 0.1, 0.7],
                           [np.nan, np.nan, np.nan], [0.9, 0.3, 0.9], [1.0, 0.4, 0.9]])
    coach = 90 + 40 * np.sin(np.stack([t, t, t], axis=1))
    athlete = coach + np.array([5.0, 25.0, 0.0])
    athlete[3] = np.nan
    return FeedbackReport(
        angle_names=("left knee", "right knee", "torso flexion"),
        usefulness=np.array([0.9, 0.8, 0.1]), useful=np.array([True, True, False]),
        similarity=similarity, present=np.array([True, True, True, False, True, True]),
        times=t, fps=2.0, threshold=0.5, coach_angles=coach, athlete_angles=athlete,
        coach_source="coach.mp4", athlete_source="athlete.mp4",
        repetitions=[Repetition(0, 0, 3, 1), Repetition(1, 3, 6, 4)],
    )
