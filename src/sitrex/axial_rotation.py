"""Axial rotations: the turns about a segment's own long axis, which the paper's 23 angles do not see.

The paper's angles measure where segments point (a joint's flexion, an arm's
elevation in a torso plane). A turn of a segment about its own long axis
moves none of them: in a shoulder external rotation, the classic
rehabilitation exercise, the upper arm stays by the side and the elbow stays
bent at 90 degrees while the forearm sweeps outwards; in a trunk rotation the
shoulders turn against the hips. Measured with the 23 angles alone, a patient
who does not rotate at all matches a coach who rotates 70 degrees.

This module measures the two such rotations that landmarks can show:

* :func:`shoulder_rotation`, per side: where the forearm points around the
  upper arm, measured from the **outward** direction carried along with the
  arm. With the upper arm by the side and the elbow bent, 90 degrees is the
  forearm pointing forwards (neutral), 0 pointing straight outwards (full
  external rotation) and 180 across the belly (internal rotation). The
  reference is the torso's outward axis turned by the smallest rotation that
  takes the torso's downward axis onto the upper arm, so it follows the arm
  when it is raised. Undefined (NaN) where the elbow is nearly straight (the
  forearm then has no direction about the upper arm: flexed less than
  :data:`MIN_ELBOW_FLEXION`) or the upper arm points nearly straight up
  (within :data:`MAX_ARM_ELEVATION` of it, where that smallest rotation has no
  direction).
* :func:`trunk_rotation`: the angle between the shoulder line and the hip
  line, both seen along the trunk's axis (mid-hip to mid-shoulder); 0 when
  the shoulders are square over the hips.

Both are **unsigned** (a turn to the left and one to the right read alike),
like the paper's unsigned angles: they do not depend on the handedness of the
coordinate axes, so mirroring a recording changes neither. Like every angle
sitrex compares, they do not depend on units, origin or orientation of the
axes.

:func:`sitrex.measurement.comparison_angles` computes them for the names in
:data:`AXIAL_ROTATION_NAMES`; the default comparator compares them beside the
paper's 23 (:data:`sitrex.measurement.COMPARISON_ANGLE_NAMES`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sitrex import _geometry as geo
from sitrex.exceptions import InputError
from sitrex.landmarks import landmark_index

__all__ = ["AXIAL_ROTATION_LANDMARKS", "AXIAL_ROTATION_NAMES", "MAX_ARM_ELEVATION", "MIN_ELBOW_FLEXION",
           "axial_rotations", "shoulder_rotation", "trunk_rotation"]

#: The axial rotations sitrex measures, in the order :func:`axial_rotations` returns them.
AXIAL_ROTATION_NAMES: tuple[str, ...] = ("left shoulder rotation", "right shoulder rotation",
                                         "trunk rotation")

_TORSO = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
#: The landmarks each rotation needs: its segments' and the torso's.
AXIAL_ROTATION_LANDMARKS: dict[str, frozenset[str]] = {
    "left shoulder rotation": frozenset(_TORSO + ("left_elbow", "left_wrist")),
    "right shoulder rotation": frozenset(_TORSO + ("right_elbow", "right_wrist")),
    "trunk rotation": frozenset(_TORSO),
}

#: Degrees of elbow flexion below which the forearm's direction about the upper arm is not read: the
#: rotation exercises hold the elbow at about 90; nearer straight, the direction is a small offset and a
#: pose estimator's jitter turns it widely (in the shared Kinect gestures with a nearly straight elbow,
#: 30 degrees let such noise count as a movement of the arm).
MIN_ELBOW_FLEXION = 60.0
#: Degrees from straight up within which the upper arm's carried reference is undefined.
MAX_ARM_ELEVATION = 20.0


def _points(coords: Any) -> np.ndarray:
    arr = np.asarray(coords, dtype=np.float64)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[1:] != (33, 3):
        raise InputError(f"landmarks must have shape (T, 33, 3) or (33, 3); got {np.shape(coords)}")
    return arr


def _at(arr: np.ndarray, name: str) -> np.ndarray:
    """Component-first (3, T) positions of landmark `name`."""
    return arr[:, landmark_index(name)].T


def _angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Degrees in [0, 180] between component-first vectors, exact at any scale (NaN for a zero vector)."""
    size = geo.norm(a) * geo.norm(b)
    return np.where(size > 0, np.degrees(np.arctan2(geo.norm(geo.cross(a, b)), geo.dot(a, b))), np.nan)


def _torso(arr: np.ndarray):
    return geo.torso_frame(*(_at(arr, name) for name in _TORSO))


def shoulder_rotation(coords: Any, side: str) -> np.ndarray:
    """The upper arm's axial rotation on one side, degrees in [0, 180] (see the module docstring).

    Parameters
    ----------
    coords : array_like, shape (T, 33, 3) or (33, 3)
        MediaPipe-33 landmarks, any units and axes; NaN where missing.
    side : {"left", "right"}

    Returns
    -------
    numpy.ndarray, shape (T,)
        0 with the forearm pointing outwards, 90 forwards (or backwards), 180
        inwards; NaN where a landmark is missing, the elbow is flexed less
        than :data:`MIN_ELBOW_FLEXION` or the upper arm points within
        :data:`MAX_ARM_ELEVATION` of straight up.

    Examples
    --------
    An upper arm by the side, the elbow bent at 90 degrees, the forearm
    pointing forwards, then turned 60 degrees outwards (x to the person's
    right, y up, z forwards):

    >>> import numpy as np
    >>> pose = np.zeros((2, 33, 3))
    >>> pose[:, 11] = [-0.2, 0.5, 0]; pose[:, 12] = [0.2, 0.5, 0]      # shoulders
    >>> pose[:, 23] = [-0.1, 0.0, 0]; pose[:, 24] = [0.1, 0.0, 0]      # hips
    >>> pose[:, 14] = [0.2, 0.2, 0]                                     # right elbow
    >>> turn = np.radians(60)
    >>> pose[0, 16] = [0.2, 0.2, 0.25]                                  # forearm forwards
    >>> pose[1, 16] = [0.2 + 0.25 * np.sin(turn), 0.2, 0.25 * np.cos(turn)]
    >>> np.round(shoulder_rotation(pose, "right"), 3).tolist()
    [90.0, 30.0]
    """
    if side not in ("left", "right"):
        raise InputError(f"side must be 'left' or 'right'; got {side!r}")
    arr = _points(coords)
    horizontal, upward, _ = _torso(arr)
    outward = horizontal if side == "right" else -horizontal
    shoulder, elbow, wrist = (_at(arr, f"{side}_{part}") for part in ("shoulder", "elbow", "wrist"))
    with np.errstate(invalid="ignore", divide="ignore"):
        arm = geo.normalize(elbow - shoulder)
        forearm = wrist - elbow
        down = -upward
        # the smallest rotation taking `down` onto `arm`, applied to `outward` (Rodrigues, with
        # w = down x arm and c = down . arm: v' = v + w x v + w x (w x v) / (1 + c))
        w = geo.cross(down, arm)
        c = geo.dot(down, arm)
        wv = geo.cross(w, outward)
        reference = outward + wv + geo.cross(w, wv) / (1.0 + c)
        across = geo.reject(forearm, arm)
        angle = _angle(across, reference)
        flexion = _angle(forearm, arm)
        elevation = _angle(arm, down)
    defined = (flexion >= MIN_ELBOW_FLEXION) & (elevation <= 180.0 - MAX_ARM_ELEVATION)
    return np.where(defined, angle, np.nan)


def trunk_rotation(coords: Any) -> np.ndarray:
    """The shoulders' turn against the hips about the trunk's axis, degrees in [0, 180].

    Parameters
    ----------
    coords : array_like, shape (T, 33, 3) or (33, 3)

    Returns
    -------
    numpy.ndarray, shape (T,)
        The angle between the shoulder line and the hip line projected onto
        the plane across the trunk (normal: mid-hip to mid-shoulder); NaN
        where a shoulder or a hip is missing.

    Examples
    --------
    >>> import numpy as np
    >>> pose = np.zeros((1, 33, 3))
    >>> pose[0, 23] = [-0.1, 0.0, 0]; pose[0, 24] = [0.1, 0.0, 0]      # hips
    >>> turn = np.radians(35)                                           # shoulders turned 35 degrees
    >>> pose[0, 11] = [-0.2 * np.cos(turn), 0.5, 0.2 * np.sin(turn)]
    >>> pose[0, 12] = [0.2 * np.cos(turn), 0.5, -0.2 * np.sin(turn)]
    >>> np.round(trunk_rotation(pose), 3).tolist()
    [35.0]
    """
    arr = _points(coords)
    ls, rs, lh, rh = (_at(arr, name) for name in _TORSO)
    with np.errstate(invalid="ignore", divide="ignore"):
        axis = geo.normalize((ls + rs) / 2 - (lh + rh) / 2)
        return _angle(geo.reject(rs - ls, axis), geo.reject(rh - lh, axis))


def axial_rotations(coords: Any, names=None) -> np.ndarray:
    """The axial rotations named in `names` (default: all of :data:`AXIAL_ROTATION_NAMES`), (T, n).

    Examples
    --------
    >>> import numpy as np
    >>> axial_rotations(np.full((4, 33, 3), np.nan)).shape
    (4, 3)
    """
    chosen = AXIAL_ROTATION_NAMES if names is None else tuple(names)
    unknown = [n for n in chosen if n not in AXIAL_ROTATION_NAMES]
    if unknown:
        raise InputError(f"unknown axial rotation {unknown[0]!r}; choose from {AXIAL_ROTATION_NAMES}")
    arr = _points(coords)
    columns = {"left shoulder rotation": lambda: shoulder_rotation(arr, "left"),
               "right shoulder rotation": lambda: shoulder_rotation(arr, "right"),
               "trunk rotation": lambda: trunk_rotation(arr)}
    if not chosen:
        return np.zeros((len(arr), 0))
    return np.column_stack([columns[name]() for name in chosen])
