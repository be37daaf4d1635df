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

The figures read the report (its useful angles, mean similarities, frames
without a person); they compute nothing the report already has. Angles are
chosen by name, column index or boolean mask, as everywhere in sitrex.

matplotlib is imported the first time a function needs it (``pip install
"sitrex[plots]"``). Nothing here calls ``plt.show``: the functions return the
``Axes`` or ``Figure`` for you to show, change or save.
"""

from sitrex.plots._base import SIMILARITY_CMAP
from sitrex.plots._base import _NOT_SCORED, _example_report  # noqa: F401 (doctests, tests)
from sitrex.plots._figure import report_figure, save_report_figure
from sitrex.plots._repetitions import plot_repetitions
from sitrex.plots._timeline import plot_angle_curves, plot_similarity_heatmap

__all__ = [
    "SIMILARITY_CMAP",
    "plot_angle_curves",
    "plot_repetitions",
    "plot_similarity_heatmap",
    "report_figure",
    "save_report_figure",
]
