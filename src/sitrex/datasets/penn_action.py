"""Penn Action's eight exercise classes as an :class:`~sitrex.datasets.ExerciseDataset`.

Reads ``penn_action.npz`` (the Penn Action label files of the classes
bench_press, clean_and_jerk, jump_rope, jumping_jacks, pullup, pushup, situp
and squat: 1,163 clips, 96,934 frames, 13 hand-labelled 2-D joints). sitrex
never downloads it; see :func:`load_penn_action` for where it is looked for.

Conversion
----------
Each clip goes through :func:`sitrex.layouts.from_penn13`: joints placed at
their anatomically correct MediaPipe landmarks (Penn's README has left and
right swapped; the archive's ``mediapipe_index`` is checked against
:data:`sitrex.layouts.PENN13_TO_MEDIAPIPE`), invisible joints NaN, z = 0,
coordinates in image-height units.

Missing values
--------------
Frames are never dropped, so frame ``t`` of a sequence is frame ``t`` of the
clip. An angle whose joints are not visible is NaN. In side views the far
side of the body is often occluded, so per-side angles are NaN in roughly
half the frames of those clips; ``extra["nan_fraction"]`` gives, per clip,
the fraction of NaN values among the angles that matter for its exercise.

Useful angles
-------------
:data:`PENN_ACTION_EXERCISE_ANGLES` says which angles matter for each class.
It is reasoned from the anatomy of each exercise and then restricted to what
Penn's 13 joints can measure in 2-D:

* no wrist angles: they need the pinky and index landmarks, which Penn lacks,
  so they are always NaN;
* angles measured in the torso frame (ankle dorsiflexion, torso flexion,
  frontal shoulder abduction, ...) need both shoulders and both hips, which
  side views rarely show. They are kept only for classes filmed mostly from
  the front, where at least one side is finite in at least half the frames
  (checked on the real data by the test suite).

So squat keeps knees and hips but not ankle dorsiflexion or torso flexion
(finite in about 31% of squat frames), push-up keeps the hip angle (the
shoulder-hip-knee line) in place of torso flexion (12%), and sit-up keeps hips
and knees in place of torso flexion (5%).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex.angle_table import check_kind
from sitrex.angles import angle_names
from sitrex.layouts import PENN13_TO_MEDIAPIPE, from_penn13

from ._clips import angles_of_clips, exercise_columns
from ._dataset import ExerciseDataset
from sitrex._fetch import read_data_archive

__all__ = ["PENN_ACTION_CLASSES", "PENN_ACTION_EXERCISE_ANGLES", "load_penn_action"]

FILENAME = "penn_action.npz"

#: The eight Penn Action classes that are exercises.
PENN_ACTION_CLASSES: tuple[str, ...] = (
    "bench_press", "clean_and_jerk", "jump_rope", "jumping_jacks", "pullup", "pushup",
    "situp", "squat",
)


def _both(*parts: str) -> list[str]:
    return [f"{side} {part}" for part in parts for side in ("left", "right")]


#: Exercise -> names of the angles that matter for it, limited to angles that
#: Penn Action's 13 2-D joints can measure (see the module documentation).
PENN_ACTION_EXERCISE_ANGLES: dict[str, list[str]] = {
    # pressing the bar: elbow extension and shoulder flexion/horizontal adduction
    "bench_press": sorted(_both("elbow", "shoulder")),
    # triple extension (knees, hips) then the overhead jerk (elbows, shoulders), upright torso
    "clean_and_jerk": sorted(_both("knee", "hip", "elbow", "shoulder") + ["torso flexion"]),
    # small knee bends and ankle push-off; elbows turn the rope
    "jump_rope": sorted(_both("knee", "ankle dorsiflexion", "elbow")),
    # arms sweep up in the frontal plane, legs abduct at the hips
    "jumping_jacks": sorted(_both("shoulder", "frontal shoulder abduction", "hip", "knee")),
    # elbow flexion and shoulder adduction in the frontal plane
    "pullup": sorted(_both("elbow", "shoulder", "frontal shoulder abduction")),
    # elbow flexion, shoulder angle, and the hip angle for the straight body line
    "pushup": sorted(_both("elbow", "shoulder", "hip")),
    # hip flexion, with the knees held bent
    "situp": sorted(_both("hip", "knee")),
    # knee and hip flexion
    "squat": sorted(_both("knee", "hip")),
}


def load_penn_action(
    path: str | os.PathLike[str] | None = None,
    *,
    kind: str = "unsigned",
    exercises: Any = None,
    keep_skeletons: bool = True,
) -> ExerciseDataset:
    """Load Penn Action's exercise clips as joint-angle sequences.

    Parameters
    ----------
    path : str or os.PathLike, optional
        ``penn_action.npz`` or the folder holding it. Default: the folder
        the data home: ``$SITREX_DATA`` if set, else ``~/sitrex_data``
        (:func:`sitrex.datasets.get_data_home`). Nothing is ever downloaded.
    kind : str
        Angle kind, see :data:`sitrex.angles.ANGLE_KINDS`. On these 2-D
        poses the plane kinds are of limited meaning; ``"unsigned"`` is the
        natural choice.
    exercises : str or sequence of str, optional
        Keep only these classes (names as in :data:`PENN_ACTION_CLASSES`).
    keep_skeletons : bool
        Keep each clip's :class:`~sitrex.skeleton.Skeleton` in
        ``dataset.skeletons`` (source ``"penn_action:0123"``).

    Returns
    -------
    ExerciseDataset
        One sequence per clip, shape (frames, n_angles), NaN kept (see the
        module documentation); labels are the class names;
        ``exercise_angles`` from :data:`PENN_ACTION_EXERCISE_ANGLES`;
        ``groups`` the Penn clip ids; ``sources`` like ``"labels/0123.mat"``;
        ``extra``: ``"view"``, ``"train"`` (official split), ``"clip_id"``,
        ``"width"``, ``"height"``, ``"nan_fraction"``.

    Raises
    ------
    FileNotFoundError
        If the file is not found (the message says where it looked).
    sitrex.exceptions.InputError
        For an unknown class in `exercises`, a file that is not the Penn
        Action archive (not a ``.npz``, or another data set's arrays), or an
        archive whose joint mapping disagrees with sitrex's.
    """
    kind = check_kind(kind)
    file, data = read_data_archive(path, FILENAME, "load_penn_action", (
        "xy", "visibility", "offsets", "action", "view", "train", "height", "width", "clip_id",
        "source", "mediapipe_index"))
    if tuple(int(i) for i in data["mediapipe_index"]) != PENN13_TO_MEDIAPIPE:
        raise InputError(
            f"{file.name}: its mediapipe_index {data['mediapipe_index'].tolist()} differs from "
            f"sitrex.layouts.PENN13_TO_MEDIAPIPE {list(PENN13_TO_MEDIAPIPE)}; refusing to guess "
            "which side is which"
        )
    action = data["action"].astype(str)
    offsets = data["offsets"]
    if exercises is None:
        chosen = np.arange(len(action))
    else:
        wanted = [exercises] if isinstance(exercises, str) else [str(e) for e in exercises]
        unknown = sorted(set(wanted) - set(PENN_ACTION_CLASSES))
        if unknown:
            raise InputError(
                f"load_penn_action: unknown exercise(s) {', '.join(map(repr, unknown))}; "
                f"choose from {', '.join(PENN_ACTION_CLASSES)}"
            )
        chosen = np.flatnonzero(np.isin(action, wanted))

    xy, vis = data["xy"], data["visibility"]
    width, height = data["width"], data["height"]
    skeletons, coords = [], []
    for i in chosen:
        a, b = int(offsets[i]), int(offsets[i + 1])
        skel = from_penn13(
            xy[a:b], vis[a:b],
            image_size=(int(width[i]), int(height[i])),
            source=f"penn_action:{int(data['clip_id'][i]):04d}",
            meta={"dataset": "penn_action", "action": str(action[i]), "view": str(data["view"][i])},
        )
        skeletons.append(skel)
        coords.append(skel.coords)
    sequences = angles_of_clips(coords, kind)
    columns = angle_names(kind)
    exercise_angles = exercise_columns(PENN_ACTION_EXERCISE_ANGLES, kind)
    labels = action[chosen]
    nan_fraction = np.array([
        float(np.isnan(seq[:, exercise_angles[lab]]).mean()) if len(seq) else 0.0
        for seq, lab in zip(sequences, labels)
    ])
    return ExerciseDataset(
        sequences,
        labels,
        columns,
        kind,
        exercise_angles=exercise_angles,
        skeletons=skeletons if keep_skeletons else None,
        groups=data["clip_id"][chosen],
        sources=data["source"][chosen].astype(str),
        extra={
            "view": data["view"][chosen].astype(str),
            "train": data["train"][chosen].astype(bool),
            "clip_id": data["clip_id"][chosen],
            "width": width[chosen],
            "height": height[chosen],
            "nan_fraction": nan_fraction,
        },
        meta={"path": str(file), "dataset": "penn_action", "dimensions": 2},
    )
