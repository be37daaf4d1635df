"""Steps shared by the real-data loaders: ragged clips in, angle sequences out.

The archives store every clip's frames one after the other, with ``offsets``
marking where clip ``i`` starts and ends. The loaders condition the poses clip
by clip, then compute the angles of all frames in one vectorised call
(:func:`angles_of_clips`) and name the useful columns for the angle kind
(:func:`exercise_columns`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from sitrex.angles import angle_names, compute_angles

__all__ = ["angles_of_clips", "clip_index", "exercise_columns"]


def clip_index(offsets: np.ndarray) -> np.ndarray:
    """(n_frames,) the clip of every frame, from ``offsets`` (n_clips + 1 boundaries).

    Examples
    --------
    >>> clip_index(np.array([0, 2, 5])).tolist()
    [0, 0, 1, 1, 1]
    """
    offsets = np.asarray(offsets, dtype=np.int64)
    return np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))


def angles_of_clips(coords: Sequence[np.ndarray], kind: str) -> list[np.ndarray]:
    """The angles of each clip's ``(T_i, 33, 3)`` coordinates, as ``(T_i, n_angles)`` arrays.

    All frames go through :func:`sitrex.compute_angles` in one call, except for
    ``kind="max-energy"``, which chooses a plane per sequence and so is computed
    clip by clip.

    Examples
    --------
    >>> clips = [np.random.default_rng(0).normal(size=(t, 33, 3)) for t in (2, 3)]
    >>> [a.shape for a in angles_of_clips(clips, "unsigned")]
    [(2, 23), (3, 23)]
    """
    n_columns = len(angle_names(kind))
    if not len(coords):
        return []
    if kind == "max-energy":
        return [compute_angles(c, kind) if len(c) else np.zeros((0, n_columns)) for c in coords]
    angles = compute_angles(np.concatenate(coords), kind)
    bounds = np.cumsum([0] + [len(c) for c in coords])
    return [angles[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def exercise_columns(names_by_exercise: Mapping[str, Iterable[str]], kind: str
                     ) -> dict[str, list[int]]:
    """Column indices of the named angles for `kind`.

    For ``kind="all"`` a multi-plane angle named ``"left knee"`` stands for
    its three columns ``"left knee (sagittal)"``, ``"(coronal)"`` and
    ``"(transverse)"``.

    Examples
    --------
    >>> exercise_columns({"curl": ["left elbow"]}, "all")
    {'curl': [1, 2, 3]}
    >>> exercise_columns({"curl": ["left elbow"]}, "unsigned")
    {'curl': [1]}
    """
    columns = angle_names(kind)
    indices = {}
    for exercise, names in names_by_exercise.items():
        wanted = set(names)
        indices[exercise] = [j for j, column in enumerate(columns) if column.split(" (")[0] in wanted]
    return indices
