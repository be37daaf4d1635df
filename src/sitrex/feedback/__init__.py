"""Feedback on an athlete's execution of an exercise, joint by joint, against a coach's.

:func:`compare` takes the two executions (videos, landmark files, skeletons,
arrays of angles or landmarks) and a fitted :class:`sitrex.ExerciseComparator`, and returns a
:class:`FeedbackReport`: which angles matter for the exercise, the per-frame,
per-angle similarity of the athlete to the coach, the ranges where they
differ, plain-language messages, repetitions, and JSON / CSV export.

The modules, one concept each:

* :mod:`~sitrex.feedback.pipeline`: :func:`compare`, the pipeline;
* :mod:`~sitrex.feedback.many`: :func:`compare_many`, many athletes against
  one coach prepared once, on local processes or a Dask cluster;
* :mod:`~sitrex.feedback.table`: its summary table (CSV and JSON);
* :mod:`~sitrex.feedback.windows`: sliding windows scored against a reference
  encoded once;
* :mod:`~sitrex.feedback.ranges`: frame ranges where a condition holds;
* :mod:`~sitrex.feedback.report`: the report;
* :mod:`~sitrex.feedback.summary`: per-angle summaries and plain-language messages;
* :mod:`~sitrex.feedback.export`: to and from dicts, JSON and CSV.

Importing this package loads numpy only; Keras is imported when a comparator
runs.

Examples
--------
>>> from sitrex.feedback import FeedbackReport, compare
>>> callable(compare), FeedbackReport.__name__
(True, 'FeedbackReport')
"""

from .many import compare_many
from .pipeline import compare
from .report import FeedbackReport
from .summary import AngleSummary
from .table import ManyResult
from .windows import windowed_similarity

__all__ = ["AngleSummary", "FeedbackReport", "ManyResult", "compare", "compare_many",
           "windowed_similarity"]
