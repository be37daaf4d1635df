"""Exercise data sets as joint-angle sequences.

* :func:`load_sitrex` / :func:`save_sitrex`: the SiTrEx paper's folder layout
  (``<exercise>_json/*.json`` plus ``exercise_angles.json``).
* :func:`load_penn_action`: Penn Action's eight exercise classes (2-D, 13
  joints), with :data:`PENN_ACTION_EXERCISE_ANGLES`.
* :func:`load_pushfit`: the PushFit push-up clips, correct vs wrong form.
* :func:`make_exercise` and :data:`EXERCISES`: synthetic exercise sequences
  (from :mod:`sitrex.datasets.synthetic`, imported on first use).

Every loader returns an :class:`ExerciseDataset`. The real-data loaders read
local ``.npz`` files, from ``path=`` or the data home (:func:`get_data_home`:
``$SITREX_DATA``, else ``~/sitrex_data``), and never download anything.
"""

from __future__ import annotations

from sitrex._imports import lazy_exports

from sitrex._fetch import get_data_home

from ._dataset import ExerciseDataset
from .penn_action import PENN_ACTION_EXERCISE_ANGLES, load_penn_action
from .pushfit import PUSHFIT_EXERCISE_ANGLES, load_pushfit
from .sitrex_layout import load_sitrex, save_sitrex

__getattr__, __dir__, _ = lazy_exports(
    __name__, {"make_exercise": ".synthetic", "EXERCISES": ".synthetic",
               "SYNTHETIC_EXERCISE_ANGLES": ".synthetic"}, namespace=globals())

__all__ = [
    "EXERCISES",
    "PENN_ACTION_EXERCISE_ANGLES",
    "PUSHFIT_EXERCISE_ANGLES",
    "SYNTHETIC_EXERCISE_ANGLES",
    "ExerciseDataset",
    "get_data_home",
    "load_penn_action",
    "load_pushfit",
    "load_sitrex",
    "make_exercise",
    "save_sitrex",
]
