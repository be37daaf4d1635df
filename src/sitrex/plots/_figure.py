"""The report's figure: the three panels in one, and writing it to a file."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sitrex._atomic import atomic_write
from sitrex.exceptions import InputError
from sitrex.plots._base import check_report, import_matplotlib
from sitrex.plots._repetitions import plot_repetitions
from sitrex.plots._timeline import plot_angle_curves, plot_similarity_heatmap

_FORMATS = {".png": "png", ".svg": "svg"}


def report_figure(report: Any, *, angles: Sequence[str | int] | None = None):
    """One figure with the heat map, the angle curves and the repetition bars.

    Built on :class:`matplotlib.figure.Figure` directly (no pyplot), so it
    never opens a window and is freed with the last reference.

    Parameters
    ----------
    report : FeedbackReport
    angles : str, int, sequence of them, or boolean mask, optional
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
    check_report(report)
    import_matplotlib()
    from matplotlib.figure import Figure

    heat = 1.2 + 0.3 * len(report.focus)
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
    parts = [f"{label}: {Path(str(source)).name}"
             for label, source in (("coach", report.coach_source),
                                   ("athlete", report.athlete_source))
             if source is not None]
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
    angles : str, int, sequence of them, or boolean mask, optional
        Angles for the curves panel.
    dpi : float, default 100
        Resolution of a PNG.

    Returns
    -------
    pathlib.Path
        `path`.

    Raises
    ------
    sitrex.exceptions.InputError
        For another file type (an ``InputError`` is a ``ValueError``).
    FileNotFoundError
        If the folder does not exist.
    sitrex.exceptions.OutputError
        If the file cannot be written (e.g. `path` is a folder).
    sitrex.exceptions.MissingDependencyError
        Without matplotlib (``pip install "sitrex[plots]"``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sitrex.plots import save_report_figure, _example_report
    >>> out = save_report_figure(_example_report(), pathlib.Path(tempfile.mkdtemp()) / "r.png")
    >>> out.read_bytes()[:4]
    b'\\x89PNG'
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"cannot save a figure as {path.name!r}: use a .png or .svg file name")
    check_report(report)
    import_matplotlib()
    metadata = {"Software": "sitrex"} if fmt == "png" else {"Creator": "sitrex"}
    with atomic_write(path, "wb") as f:  # checks the folder before the figure is drawn
        report_figure(report, angles=angles).savefig(f, format=fmt, dpi=dpi, metadata=metadata)
    return path
