"""scikit-learn estimators around the SiTrEx networks.

* :class:`AngleUsefulnessClassifier`: one angle sequence -> which angles
  matter (multi-label);
* :class:`ExerciseComparator`: (reference, candidate) pairs -> per-angle
  similarity, plus the usefulness of each angle for the reference (the
  paper's networks, sliding windows);
* :class:`RepetitionComparator`: the same contract, repetition by
  repetition (a curve Siamese ensemble mixed with a direction-aware
  statistic; the default's class);
* :func:`load_comparator`: a comparator file of either class.

Importing this module does not import Keras: the networks are built, and
Keras imported (JAX backend by default, see ``KERAS_BACKEND``), in ``fit``,
``predict``, ``load`` or when a fitted estimator is unpickled.
"""

from ._persistence import load_comparator
from .comparator import ExerciseComparator
from .repetition import RepetitionComparator
from .usefulness import AngleUsefulnessClassifier

__all__ = ["AngleUsefulnessClassifier", "ExerciseComparator", "RepetitionComparator",
           "load_comparator"]
