"""matplotlib figures of a coach / athlete comparison (a :class:`~sitrex.feedback.FeedbackReport`).

Three pictures, each drawn on a matplotlib ``Axes`` (a new one, or yours):

:func:`plot_similarity_heatmap`
    Angles x time, coloured red (differs from the coach) to green (matches).
    Frames that were not scored are grey; frames without a person are hatched.
:func:`plot_angle_curves`
    The coach's and the athlete's values of chosen angles over time. When the
    report aligned the athlete to the coach in time (``report.alignment``), the
    coach is drawn on the athlete's time axis, frame for frame.
:func:`plot_repetitions`
    One group of bars per repetition: the mean similarity of each useful angle,
    or its range of motion next to the coach's.

:func:`save_report_figure` stacks the three into one figure and writes it as
PNG or SVG, atomically (the ``--plot`` option of ``sitrex compare``).

matplotlib is imported the first time a function needs it (``pip install
"sitrex[docs]"`` installs it). Nothing here calls ``plt.show``: the functions
return the ``Axes`` or ``Figure`` for you to show, change or save.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sitrex._imports import import_optional

__all__ = [
    "SIMILARITY_CMAP",
    "plot_angle_curves",
    "plot_repetitions",
    "plot_similarity_heatmap",
    "report_figure",
    "save_report_figure",
]

#: The matplotlib colour map of similarity: red (0, differs) to green (1, matches).
SIMILARITY_CMAP = "RdYlGn"
_NOT_SCORED = "#b0b0b0"  # grey: similarity NaN
_NO_PERSON_HATCH = "////"
_FORMATS = {".png": "png", ".svg": "svg"}
_MAX_DEFAULT_CURVES = 4


# ---------------------------------------------------------------------------- helpers
def _import_matplotlib():
    return import_optional("matplotlib", "sitrex's figures", "docs")


def _axes(ax, figsize: tuple[float, float]):
    """``ax``, or the Axes of a new pyplot figure (so that notebooks display it)."""
    if ax is not None:
        return ax
    _import_matplotlib()
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _check_report(report: Any) -> None:
    missing = [name for name in ("angle_names", "similarity", "present", "times", "useful")
               if not hasattr(report, name)]
    if missing:
        raise TypeError(
            f"expected a FeedbackReport (from sitrex.feedback.compare), got {type(report).__name__} "
            f"without {', '.join(missing)}"
        )


def _angle_columns(report: Any, angles: Any) -> list[int]:
    """Column indices of ``angles`` (names or indices) in ``report.angle_names``."""
    names = list(report.angle_names)
    if isinstance(angles, (str, int, np.integer)):
        angles = [angles]
    columns: list[int] = []
    for a in angles:
        if isinstance(a, str):
            if a not in names:
                raise KeyError(f"{a!r} is not an angle of this report; its angles are: "
                               f"{', '.join(names)}")
            columns.append(names.index(a))
        elif isinstance(a, (int, np.integer)) and not isinstance(a, bool):
            if not -len(names) <= a < len(names):
                raise IndexError(f"angle index {a} is out of range for {len(names)} angles")
            columns.append(int(a) % len(names))
        else:
            raise TypeError(f"angles are given by name or column index, got {a!r}")
    if not columns:
        raise ValueError("angles is empty: name at least one angle to plot")
    return columns


def _useful_columns(report: Any) -> list[int]:
    return [int(i) for i in np.flatnonzero(np.asarray(report.useful, dtype=bool))]


def _angle_colour(report: Any, column: int) -> str:
    """One colour per angle, the same in every panel: by position among the useful angles."""
    focus = _useful_columns(report) or list(range(len(report.angle_names)))
    position = focus.index(column) if column in focus else len(focus) + column
    return f"C{position % 10}"


def _mean_similarity(report: Any) -> np.ndarray:
    """(A,) mean similarity per angle over scored frames (NaN when never scored)."""
    sim = np.asarray(report.similarity, dtype=np.float64)
    scored = np.isfinite(sim)
    count = scored.sum(axis=0)
    total = np.where(scored, sim, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _frame_step(times: np.ndarray, fps: Any) -> float:
    if fps:
        return 1.0 / float(fps)
    if times.size > 1:
        step = float(np.nanmedian(np.diff(times)))
        if step > 0:
            return step
    return 1.0


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end exclusive) of each run of True in a 1-D bool array."""
    padded = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _shade_no_person(ax, report: Any, times: np.ndarray, step: float, *, label: bool) -> None:
    """Hatch the spans of frames without a person."""
    absent = ~np.asarray(report.present, dtype=bool)
    for i, (start, end) in enumerate(_runs(absent)):
        ax.axvspan(times[start] - step / 2, times[end - 1] + step / 2, facecolor="none",
                   edgecolor="0.35", hatch=_NO_PERSON_HATCH, linewidth=0.0,
                   label="no person" if (label and i == 0) else None)


# ---------------------------------------------------------------------------- figures
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
        no useful angle, all angles are shown.

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
    _check_report(report)
    matplotlib = _import_matplotlib()
    columns = _useful_columns(report) if useful_only else []
    shown_all = not columns
    if shown_all:
        columns = list(range(len(report.angle_names)))
    sim = np.asarray(report.similarity, dtype=np.float64)[:, columns].T  # (A', T)
    times = np.asarray(report.times, dtype=np.float64)
    step = _frame_step(times, getattr(report, "fps", None))
    names = [report.angle_names[c] for c in columns]

    ax = _axes(ax, (10.0, 1.2 + 0.35 * len(columns)))
    cmap = matplotlib.colormaps[SIMILARITY_CMAP].with_extremes(bad=_NOT_SCORED)
    t0, t1 = (times[0], times[-1]) if times.size else (0.0, 0.0)
    image = ax.imshow(np.ma.masked_invalid(sim), cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto",
                      interpolation="nearest",
                      extent=(t0 - step / 2, t1 + step / 2, len(columns) - 0.5, -0.5))
    ax.set_yticks(np.arange(len(columns)), labels=names)
    ax.set_xlabel("time (s)")
    title = "similarity to the coach"
    if useful_only and shown_all:
        title += " (no angle marked useful: all angles)"
    ax.set_title(title)
    _shade_no_person(ax, report, times, step, label=True)
    if not np.asarray(report.present, dtype=bool).all():
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
    angles : str, int or sequence of them, optional
        Angle names (``report.angle_names``) or column indices. Default: the
        useful angles with the lowest mean similarity, at most four (all
        angles are candidates when none is useful).
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

    Examples
    --------
    >>> from sitrex.plots import plot_angle_curves, _example_report
    >>> ax = plot_angle_curves(_example_report(), ["left knee"])
    >>> [line.get_label() for line in ax.get_lines()[:2]]
    ['left knee: athlete', 'left knee: coach']
    >>> ax.get_ylabel()
    'angle (degrees)'
    """
    _check_report(report)
    _import_matplotlib()
    if angles is None:
        candidates = _useful_columns(report) or list(range(len(report.angle_names)))
        mean = _mean_similarity(report)[candidates]
        order = np.argsort(np.where(np.isnan(mean), np.inf, mean), kind="stable")
        columns = [candidates[i] for i in order[:_MAX_DEFAULT_CURVES]]
    else:
        columns = _angle_columns(report, angles)

    times = np.asarray(report.times, dtype=np.float64)
    athlete = np.asarray(report.athlete_angles, dtype=np.float64)
    coach = np.asarray(report.coach_angles, dtype=np.float64)
    alignment = getattr(report, "alignment", None)
    if alignment is not None:
        alignment = np.asarray(alignment, dtype=np.intp)
        if alignment.shape != times.shape:
            raise ValueError(f"report.alignment has shape {alignment.shape}; expected one coach "
                             f"frame per athlete frame, {times.shape}")
        coach_times, coach = times, coach[np.clip(alignment, 0, coach.shape[0] - 1)]
        coach_label = "coach (aligned)"
    else:
        coach_skel = getattr(report, "coach_skeleton", None)
        coach_fps = getattr(coach_skel, "fps", None) or getattr(report, "fps", None)
        coach_times = np.arange(coach.shape[0]) * _frame_step(times, coach_fps)
        coach_label = "coach"

    ax = _axes(ax, (10.0, 4.0))
    for column in columns:
        name = report.angle_names[column]
        colour = _angle_colour(report, column)
        ax.plot(times, athlete[:, column], "-", linewidth=1.6, color=colour,
                label=f"{name}: athlete")
        ax.plot(coach_times, coach[:, column], "--", linewidth=1.2, color=colour,
                label=f"{name}: {coach_label}")
    step = _frame_step(times, getattr(report, "fps", None))
    _shade_no_person(ax, report, times, step, label=True)
    for rep in list(getattr(report, "repetitions", None) or [])[1:]:
        if 0 <= rep.start < times.size:
            ax.axvline(times[rep.start] - step / 2, color="0.6", linewidth=0.8, zorder=0)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("angle (degrees)")
    ax.set_title("coach vs athlete")
    ax.legend(loc="best", fontsize="small", ncol=2 if len(columns) > 2 else 1)
    return ax


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
        coach's range over its whole sequence as a dashed line per angle.
    angles : sequence of str or int, optional
        Angles to show; default the useful ones (all when none is useful).

    Returns
    -------
    matplotlib.axes.Axes
        One group of bars per repetition (x tick labels ``rep 1``, ``rep 2``,
        ...), one bar per angle. Without repetitions the axes say so in text.

    Examples
    --------
    >>> from sitrex.plots import plot_repetitions, _example_report
    >>> ax = plot_repetitions(_example_report())
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['rep 1', 'rep 2']
    >>> len(ax.patches)   # 2 repetitions x 2 useful angles
    4
    """
    _check_report(report)
    _import_matplotlib()
    if metric not in ("similarity", "range"):
        raise ValueError(f"metric must be 'similarity' or 'range', got {metric!r}")
    if angles is None:
        columns = _useful_columns(report) or list(range(len(report.angle_names)))
    else:
        columns = _angle_columns(report, angles)
    reps = list(getattr(report, "repetitions", None) or [])
    ax = _axes(ax, (10.0, 3.5))
    ax.set_title("per repetition: " + ("mean similarity" if metric == "similarity"
                                       else "range of motion"))
    if not reps:
        ax.text(0.5, 0.5, "no repetitions found", ha="center", va="center",
                transform=ax.transAxes, color="0.4")
        ax.set_xticks([])
        return ax

    values = _per_repetition(report, reps, columns, metric)  # (R, C)
    n_reps, n_cols = values.shape
    width = 0.8 / n_cols
    x = np.arange(n_reps)
    for j, column in enumerate(columns):
        offset = (j - (n_cols - 1) / 2) * width
        ax.bar(x + offset, np.nan_to_num(values[:, j]), width, label=report.angle_names[column],
               color=_angle_colour(report, column))
    if metric == "similarity":
        ax.set_ylim(0.0, 1.0)
        ax.set_ylabel("mean similarity")
        threshold = getattr(report, "threshold", None)
        if threshold is not None and np.isfinite(threshold):
            ax.axhline(float(threshold), color="0.3", linestyle=":", linewidth=1.0,
                       label=f"threshold {float(threshold):g}")
    else:
        coach = np.asarray(report.coach_angles, dtype=np.float64)[:, columns]
        with np.errstate(all="ignore"):
            coach_range = _nanrange(coach, axis=0)
        for j, value in enumerate(coach_range):
            if np.isfinite(value):
                ax.axhline(value, color=_angle_colour(report, columns[j]), linestyle="--",
                           linewidth=1.0,
                           label=f"{report.angle_names[columns[j]]}: coach")
        ax.set_ylabel("range of motion (degrees)")
    ax.set_xticks(x, labels=[f"rep {r.index + 1}" for r in reps])
    ax.legend(loc="best", fontsize="small", ncol=2 if n_cols > 2 else 1)
    return ax


def _nanrange(values: np.ndarray, axis: int) -> np.ndarray:
    finite = np.isfinite(values)
    high = np.where(finite, values, -np.inf).max(axis=axis, initial=-np.inf)
    low = np.where(finite, values, np.inf).min(axis=axis, initial=np.inf)
    return np.where(finite.any(axis=axis), high - low, np.nan)


def _per_repetition(report: Any, reps: list, columns: list[int], metric: str) -> np.ndarray:
    """(R, C) mean similarity or range of motion of each repetition and angle."""
    if metric == "similarity":
        data = np.asarray(report.similarity, dtype=np.float64)[:, columns]
    else:
        data = np.asarray(report.athlete_angles, dtype=np.float64)[:, columns]
    out = np.full((len(reps), len(columns)), np.nan)
    for r, rep in enumerate(reps):
        chunk = data[max(int(rep.start), 0):max(int(rep.end), 0)]
        if chunk.size == 0:
            continue
        if metric == "similarity":
            finite = np.isfinite(chunk)
            count = finite.sum(axis=0)
            total = np.where(finite, chunk, 0.0).sum(axis=0)
            out[r] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        else:
            out[r] = _nanrange(chunk, axis=0)
    return out


def report_figure(report: Any, *, angles: Sequence[str | int] | None = None):
    """One figure with the heat map, the angle curves and the repetition bars.

    Built on :class:`matplotlib.figure.Figure` directly (no pyplot), so it
    never opens a window and is freed with the last reference.

    Parameters
    ----------
    report : FeedbackReport
    angles : sequence of str or int, optional
        Angles for the curves panel (see :func:`plot_angle_curves`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from sitrex.plots import report_figure, _example_report
    >>> fig = report_figure(_example_report())
    >>> len(fig.axes)     # three panels and the heat map's colour bar
    4
    """
    _check_report(report)
    _import_matplotlib()
    from matplotlib.figure import Figure

    n_rows = len(_useful_columns(report)) or len(report.angle_names)
    heat = 1.2 + 0.3 * n_rows
    fig = Figure(figsize=(11.0, heat + 7.0), layout="constrained")
    axes = fig.subplots(3, 1, height_ratios=[heat, 4.0, 3.0])
    plot_similarity_heatmap(report, ax=axes[0])
    plot_angle_curves(report, angles, ax=axes[1])
    plot_repetitions(report, ax=axes[2])
    summary = _title(report)
    if summary:
        fig.suptitle(summary)
    return fig


def _title(report: Any) -> str:
    parts = []
    for label, attr in (("coach", "coach_source"), ("athlete", "athlete_source")):
        source = getattr(report, attr, None)
        if source is not None:
            parts.append(f"{label}: {Path(str(source)).name}")
    return "   ".join(parts)


def save_report_figure(report: Any, path: str | os.PathLike[str], *,
                       angles: Sequence[str | int] | None = None, dpi: float = 100.0) -> Path:
    """Draw :func:`report_figure` and write it as PNG or SVG, atomically.

    Parameters
    ----------
    report : FeedbackReport
    path : str or os.PathLike
        Ends in ``.png`` or ``.svg``; its folder must exist. An existing file
        is replaced only once the new one is completely written.
    angles : sequence of str or int, optional
        Angles for the curves panel.
    dpi : float, default 100
        Resolution of a PNG.

    Returns
    -------
    pathlib.Path
        `path`.

    Raises
    ------
    ValueError
        For another file type.
    FileNotFoundError
        If the folder does not exist.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sitrex.plots import save_report_figure, _example_report
    >>> out = save_report_figure(_example_report(), pathlib.Path(tempfile.mkdtemp()) / "r.png")
    >>> out.read_bytes()[:4]
    b'\\x89PNG'
    """
    from sitrex._atomic import atomic_write

    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"cannot save a figure as {path.name!r}: use a .png or .svg file name")
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"cannot write {str(path)!r}: folder {str(path.parent)!r} does not exist; create it "
            "first (e.g. mkdir -p)"
        )
    fig = report_figure(report, angles=angles)
    metadata = {"Software": "sitrex"} if fmt == "png" else {"Creator": "sitrex"}
    with atomic_write(path, "wb") as f:
        fig.savefig(f, format=fmt, dpi=dpi, metadata=metadata)
    return path


# ---------------------------------------------------------------------------- doctest helper
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
