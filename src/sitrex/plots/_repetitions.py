"""The per-repetition panel: one group of bars per repetition."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex.plots._base import (angle_colour, angle_columns, check_report, coach_name,
                                import_matplotlib, new_axes)

_METRICS = ("similarity", "range")


def plot_repetitions(report: Any, *, ax=None, metric: str = "similarity",
                     angles: Sequence[str | int] | None = None):
    """Per-repetition bars: mean similarity, or range of motion, of each useful angle.

    Parameters
    ----------
    report : FeedbackReport
        From :func:`sitrex.feedback.compare`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.
    metric : {"similarity", "range"}, default "similarity"
        ``"similarity"``: the mean over each repetition's scored frames, with
        the report's threshold as a dotted line. ``"range"``: the athlete's
        range of motion (max - min, degrees) in each repetition, with the
        coach's range over its whole sequence as a dashed line per angle;
        for an athlete who alternates sides, a dash over each repetition's
        bars, the range of the coach's angle that repetition was compared
        with (the twin on the other side in the ``"other side"`` runs).
    angles : str, int, sequence of them, or boolean mask, optional
        Angles to show, by name, column index or mask; default the useful
        ones (all when none is useful: ``report.focus``).

    Returns
    -------
    matplotlib.axes.Axes
        One group of bars per repetition (x tick labels ``rep 1``, ``rep 2``,
        ...), one bar per angle. Without repetitions the axes say so in text.

    Raises
    ------
    sitrex.exceptions.InputError
        For an unknown `metric` or a bad choice of `angles`.

    Examples
    --------
    >>> from sitrex.plots import plot_repetitions, _example_report
    >>> ax = plot_repetitions(_example_report())
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['rep 1', 'rep 2']
    >>> len(ax.patches)   # 2 repetitions x 2 useful angles
    4
    """
    check_report(report)
    import_matplotlib()
    if metric not in _METRICS:
        raise InputError(f"metric must be 'similarity' or 'range', got {metric!r}")
    columns = report.focus.tolist() if angles is None else angle_columns(report, angles)
    reps = report.repetitions
    ax = new_axes(ax, (10.0, 3.5))
    ax.set_title("per repetition: " + ("mean similarity" if metric == "similarity"
                                       else "range of motion"))
    if not reps:
        ax.text(0.5, 0.5, "no repetitions found", ha="center", va="center",
                transform=ax.transAxes, color="0.4")
        ax.set_xticks([])
        return ax

    data = (report.similarity if metric == "similarity" else report.athlete_angles)[:, columns]
    values = np.full((len(reps), len(columns)), np.nan)  # (R, C)
    for r, rep in enumerate(reps):
        values[r] = _per_column(data[max(int(rep.start), 0):max(int(rep.end), 0)], metric)
    n_reps, n_cols = values.shape
    width = 0.8 / n_cols
    x = np.arange(n_reps)
    for j, column in enumerate(columns):
        offset = (j - (n_cols - 1) / 2) * width
        ax.bar(x + offset, values[:, j], width, label=report.angle_names[column],
               color=angle_colour(report, column))          # NaN: no bar, not a bar of 0
    for r in np.flatnonzero(~np.isfinite(values).any(axis=1)):
        ax.text(x[r], 0.02, "not scored", ha="center", va="bottom", rotation=90,
                transform=ax.get_xaxis_transform(), color="0.4", fontsize="small")
    if metric == "similarity":
        ax.set_ylim(0.0, 1.0)
        ax.set_ylabel("mean similarity")
        if np.isfinite(report.threshold):
            ax.axhline(report.threshold, color="0.3", linestyle=":", linewidth=1.0,
                       label=f"threshold {report.threshold:g}")
    else:
        _coach_ranges(ax, report, columns, reps, x)
        ax.set_ylabel("range of motion (degrees)")
    ax.set_xticks(x, labels=[f"rep {r.index + 1}" for r in reps])
    ax.legend(loc="best", fontsize="small", ncol=2 if n_cols > 2 else 1)
    return ax


def _coach_ranges(ax, report: Any, columns: list[int], reps: list, x: np.ndarray) -> None:
    """The coach's range of each angle, dashed: across the axes, or, for an athlete who
    alternates sides, over each repetition's bars, of the coach's angle it was compared with."""
    own = _per_column(report.coach_angles[:, columns], "range")
    other_side = report.other_side_frames()
    flipped = [bool(other_side[min(max(int(rep.start), 0), len(other_side) - 1)])
               if len(other_side) else False for rep in reps]
    if not any(flipped):
        for column, value in zip(columns, own):
            if np.isfinite(value):
                ax.axhline(value, color=angle_colour(report, column), linestyle="--",
                           linewidth=1.0,
                           label=f"{report.angle_names[column]}: {coach_name(report, column)}")
        return
    from sitrex.sides import mirror_columns

    twin = _per_column(report.coach_angles[:, mirror_columns(report.angle_names)[columns]],
                       "range")
    for j, column in enumerate(columns):
        label = f"{report.angle_names[column]}: coach, on each repetition's side"
        for r, other in enumerate(flipped):
            value = twin[j] if other else own[j]
            if np.isfinite(value):
                ax.hlines(value, x[r] - 0.45, x[r] + 0.45, colors=angle_colour(report, column),
                          linestyles="--", linewidth=1.0, label=label)
                label = None


def _per_column(values: np.ndarray, metric: str) -> np.ndarray:
    """Per column of (frames, C) `values`: the mean ("similarity") or max - min ("range") of
    its finite values; NaN for a column without any (or no frame at all)."""
    if values.shape[0] == 0:
        return np.full(values.shape[1], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column: NaN
        if metric == "similarity":
            return np.nanmean(values, axis=0)
        return np.nanmax(values, axis=0) - np.nanmin(values, axis=0)
