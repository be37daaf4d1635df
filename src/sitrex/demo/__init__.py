"""The offline demo: a coach, a faulty athlete, a small model, the feedback. SYNTHETIC data.

:func:`run_demo` is what ``sitrex demo`` runs. It needs no file and no
download:

1. it makes a coach's and an athlete's execution of an exercise with the
   synthetic generator :func:`sitrex.datasets.make_exercise`, the athlete
   with a known fault (by default a squat with the torso leaning too far
   forward);
2. it trains a small :class:`sitrex.ExerciseComparator` on other synthetic
   executions (:func:`make_demo_pairs`), in well under a minute on a small
   two-core machine;
3. it compares the two with :func:`sitrex.feedback.compare` (time-aligned by
   dynamic time warping, repetitions counted and compared) and writes the
   report (JSON, CSV, the messages as text) and a figure.

**All of it is synthetic**: procedurally animated skeletons, not recordings
of people. The demo shows how the pieces fit and what the output looks
like; it is not evidence about real athletes.
The package: :mod:`sitrex.demo.training` makes the training pairs and trains
the small comparator; :mod:`sitrex.demo.run` runs the demo, writes its files
and holds :class:`DemoResult`.
"""

from __future__ import annotations

from sitrex.demo.run import DemoResult, run_demo, write_plot
from sitrex.demo.training import DEMO_EXERCISE_ANGLES, make_demo_pairs, train_demo_comparator

__all__ = ["DEMO_EXERCISE_ANGLES", "DemoResult", "make_demo_pairs", "run_demo",
           "train_demo_comparator", "write_plot"]
