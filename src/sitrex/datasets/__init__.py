"""Exercise data sets as joint-angle sequences.

* :func:`load_sitrex` / :func:`save_sitrex`: the SiTrEx paper's folder layout
  (``<exercise>_json/*.json`` plus ``exercise_angles.json``).
* :func:`load_penn_action`: Penn Action's eight exercise classes (2-D, 13
  joints), with :data:`PENN_ACTION_EXERCISE_ANGLES`.
* :func:`load_pushfit`: the PushFit push-up clips, correct vs wrong form.
* :func:`load_squat_errors`: squat clips in seven form classes (two correct
  styles, five faults; triangulated 3-D), with :data:`SQUAT_FAULT_ANGLES`.
* :func:`load_irds`: the IRDS rehabilitation gestures (Kinect v2, three
  patients, nine gestures), with :data:`IRDS_GESTURE_ANGLES`.
* :func:`make_exercise` and :data:`EXERCISES`: synthetic exercise sequences
  (from :mod:`sitrex.datasets.synthetic`, imported on first use).
* :func:`make_rotation_exercise` and :data:`ROTATION_EXERCISES`: synthetic
  shoulder external rotation and trunk rotation (from
  :mod:`sitrex.datasets.synthetic_rotations`).
* :func:`jitter`, :func:`drop_landmarks`, :func:`retime`: a recording as
  another capture system would make it (from :mod:`sitrex.datasets.augment`).

Every loader returns an :class:`ExerciseDataset`. The real-data loaders read
local ``.npz`` files, from ``path=`` or the data home (:func:`get_data_home`:
``$SITREX_DATA``, else ``~/sitrex_data``), and never download anything.
"""

from __future__ import annotations

from sitrex._imports import lazy_exports

from sitrex._fetch import get_data_home

from ._dataset import ExerciseDataset
from .irds import IRDS_GESTURE_ANGLES, IRDS_GESTURES, IRDS_MOVING_SIDE, load_irds
from .penn_action import PENN_ACTION_EXERCISE_ANGLES, load_penn_action
from .pushfit import PUSHFIT_EXERCISE_ANGLES, load_pushfit
from .sitrex_layout import load_sitrex, save_sitrex
from .squat_errors import (
    SQUAT_CORRECT_FORMS,
    SQUAT_EXERCISE_ANGLES,
    SQUAT_FAULT_ANGLES,
    SQUAT_FORMS,
    load_squat_errors,
)

__getattr__, __dir__, _ = lazy_exports(
    __name__, {"make_exercise": ".synthetic", "EXERCISES": ".synthetic",
               "SYNTHETIC_EXERCISE_ANGLES": ".synthetic", "jitter": ".augment",
               "drop_landmarks": ".augment", "retime": ".augment",
               "make_rotation_exercise": ".synthetic_rotations",
               "ROTATION_EXERCISES": ".synthetic_rotations"}, namespace=globals())

__all__ = [
    "EXERCISES",
    "IRDS_GESTURES",
    "IRDS_GESTURE_ANGLES",
    "IRDS_MOVING_SIDE",
    "PENN_ACTION_EXERCISE_ANGLES",
    "PUSHFIT_EXERCISE_ANGLES",
    "ROTATION_EXERCISES",
    "SQUAT_CORRECT_FORMS",
    "SQUAT_EXERCISE_ANGLES",
    "SQUAT_FAULT_ANGLES",
    "SQUAT_FORMS",
    "SYNTHETIC_EXERCISE_ANGLES",
    "ExerciseDataset",
    "drop_landmarks",
    "get_data_home",
    "jitter",
    "load_irds",
    "load_penn_action",
    "load_pushfit",
    "load_sitrex",
    "load_squat_errors",
    "make_exercise",
    "make_rotation_exercise",
    "retime",
    "save_sitrex",
]
