"""Figures over time: the similarity heat map and the angle curves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sitrex.plots._base import (
    _NOT_SCORED,
    SIMILARITY_CMAP,
    angle_colour,
    angle_columns,
    check_report,
    coach_name,
    frame_step,
    import_matplotlib,
    new_axes,
    shade_no_person,
)

_MAX_DEFAULT_CURVES = 4


def plot_similarity_heatmap(report: Any, *, ax=None, useful_only: bool = True):
    """Similarity of each angle in each frame, as a heat map (angles x time).

    Parameters
    ----------
    report : FeedbackReport
        From :func:`sitrex.feedback.compare`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    useful_only : bool, default True
        Only the angles the usefulness model kept (``report.useful``). With
        no useful angle, all angles are shown (``report.focus``).

    Returns
    -------
    matplotlib.axes.Axes
        One image row per angle (top to bottom in the report's order), time
        in seconds on x. Red is 0 (differs from the coach), green 1
        (matches). Grey cells were not scored (similarity NaN); frames
        without a person are hatched. A colour bar is attached.

    Examples
    --------
    >>> from sitrex.plots import plot_similarity_heatmap
    >>> from sitrex.plots import _example_report
    >>> ax = plot_similarity_heatmap(_example_report())
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['left knee', 'right knee']
    >>> ax.images[0].get_array().shape
    (2, 6)
    """
    check_report(report)
    matplotlib = import_matplotlib()
    columns = report.focus if useful_only else np.arange(len(report.angle_names))
    sim = report.similarity[:, columns].T  # (A', T)
    times = report.times
    step = frame_step(times, report.fps)
    names = [report.angle_names[c] for c in columns]

    ax = new_axes(ax, (10.0, 1.2 + 0.35 * len(columns)))
    cmap = matplotlib.colormaps[SIMILARITY_CMAP].with_extremes(bad=_NOT_SCORED)
    t0, t1 = (times[0], times[-1]) if times.size else (0.0, 0.0)
    image = ax.imshow(np.ma.masked_invalid(sim), cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto",
                      interpolation="nearest",
                      extent=(t0 - step / 2, t1 + step / 2, len(columns) - 0.5, -0.5))
    ax.set_yticks(np.arange(len(columns)), labels=names)
    ax.set_xlabel("time (s)")
    title = "similarity to the coach"
    if useful_only and not report.useful.any():
        title += " (no angle marked useful: all angles)"
    ax.set_title(title)
    shade_no_person(ax, report, step, label=True)
    if not report.present.all():
        ax.legend(loc="upper right", fontsize="small", framealpha=0.8)
    colorbar = ax.figure.colorbar(image, ax=ax, pad=0.01)
    colorbar.set_label("0 differs .. 1 matches")
    return ax


def plot_angle_curves(report: Any, angles: Sequence[str | int] | str | int | None = None, *,
                      ax=None):
    """The coach's and the athlete's values of chosen angles over time.

    Parameters
    ----------
    report : FeedbackReport
        From :func:`sitrex.feedback.compare`.
    angles : str, int, sequence of them, or boolean mask, optional
        Angle names (``report.angle_names``), column indices, or a mask with
        one entry per angle. Default: the useful angles with the lowest mean
        similarity, at most four (``report.worst_angles(4)``; all angles are
        candidates when none is useful).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        Per angle, the athlete as a solid line and the coach as a dashed line
        of the same colour, in degrees against the athlete's time in seconds.
        With ``report.alignment``, the coach's frame matched to each athlete
        frame is drawn at that athlete frame's time ("coach (aligned)");
        otherwise the coach runs on its own clock from 0. Frames without a
        person are hatched; repetition boundaries are thin vertical lines.

    Raises
    ------
    sitrex.exceptions.InputError
        For an unknown angle name, an index out of range, a mask of the
        wrong length or an empty choice.

    Examples
    --------
    >>> from sitrex.plots import plot_angle_curves, _example_report
    >>> ax = plot_angle_curves(_example_report(), ["left knee"])
    >>> [line.get_label() for line in ax.get_lines()[:2]]
    ['left knee: athlete', 'left knee: coach']
    >>> ax.get_ylabel()
    'angle (degrees)'
    """
    check_report(report)
    import_matplotlib()
    if angles is None:
        angles = report.worst_angles(_MAX_DEFAULT_CURVES)
    columns = angle_columns(report, angles)

    times = report.times
    coach = report.coach_angles
    if report.alignment is not None:  # one coach frame per athlete frame
        coach_times, coach = times, coach[np.clip(report.alignment, 0, coach.shape[0] - 1)]
        aligned = " (aligned)"
    else:
        coach_fps = (getattr(report.coach_skeleton, "fps", None)
                     or report.metadata.get("coach_fps") or report.fps)
        coach_times = np.arange(coach.shape[0]) * frame_step(times, coach_fps)
        aligned = ""

    ax = new_axes(ax, (10.0, 4.0))
    for column in columns:
        name = report.angle_names[column]
        colour = angle_colour(report, column)
        ax.plot(times, report.athlete_angles[:, column], "-", linewidth=1.6, color=colour,
                label=f"{name}: athlete")
        ax.plot(coach_times, coach[:, column], "--", linewidth=1.2, color=colour,
                label=f"{name}: {coach_name(report, column)}{aligned}")
    step = frame_step(times, report.fps)
    shade_no_person(ax, report, step, label=True)
    for rep in report.repetitions[1:]:
        if 0 <= rep.start < times.size:
            ax.axvline(times[rep.start] - step / 2, color="0.6", linewidth=0.8, zorder=0)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("angle (degrees)")
    ax.set_title("coach vs athlete")
    ax.legend(loc="best", fontsize="small", ncol=2 if len(columns) > 2 else 1)
    return ax
