"""Measuring a pose for comparison: its size in torso lengths, and its angles where they are defined.

A comparison must not depend on how a recording was made. Two things do
not carry over from one capture system to another, and this module removes
them before angles are compared:

* **units**: :func:`in_torso_lengths` expresses coordinates in the body's
  own unit, its median torso length (:func:`body_size`), so millimetres,
  metres and image fractions give the same angles;
* **constructions without meaning**: :func:`comparison_angles` leaves an
  angle unmeasured (NaN) in the frames where the paper's construction has
  no direction: the knee valgus indicators of a straight leg in a wide
  stance, and, in a 2-D pose (:func:`image_plane_frames`), the angles
  measured in a plane that holds the line of sight.

:func:`sitrex.compare`, :class:`sitrex.LiveComparator` and the training
pairs of the default comparator measure angles with
:func:`comparison_angles`; :class:`sitrex.Conditioning` uses the body
measures (:func:`body_size`, :func:`hip_centre`, :func:`torso_lengths`)
for its glitch floor and its origin.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["body_size", "comparison_angles", "hip_centre", "image_plane_frames",
           "in_torso_lengths", "torso_lengths"]


def body_size(coords: np.ndarray) -> float:
    """The size of the body in `coords` ``(T, 33, 3)``: its median torso length.

    Without a torso in any frame, the spread of the coordinates; 1.0 when
    there is nothing to measure.
    """
    torso = torso_lengths(coords)
    torso = torso[np.isfinite(torso) & (torso > 0)]
    if torso.size:
        return float(np.median(torso))
    if not np.isfinite(coords).any():
        return 1.0
    spread = float(np.nanstd(coords))
    return spread if spread > 0 else 1.0


def in_torso_lengths(coords: Any) -> np.ndarray:
    """`coords` ``(T, 33, 3)`` divided by :func:`body_size`: the same body whatever the units.

    Joint angles do not depend on the units, except through the small guard
    of the paper's angle formula (``arccos(a.b / (|a||b| + 1e-6))``, kept by
    :func:`sitrex.angles.compute_angles` to reproduce the paper), which
    bends angles near 0 and 180 degrees when the body is small in its
    units: for a person a tenth of the frame high in image-height units, by
    up to 7 degrees at the wrist and 2.4 at the knee; in kilometres, by tens
    of degrees. Measured in torso lengths, the verdict does not depend on
    the units.

    Examples
    --------
    >>> from sitrex.datasets import make_exercise
    >>> coords = make_exercise(1, ["squat"], random_state=0)[0][0].coords
    >>> bool(np.allclose(in_torso_lengths(coords * 1e-3), in_torso_lengths(coords)))
    True
    """
    coords = np.asarray(coords, dtype=np.float64)
    return coords / body_size(coords)


def comparison_angles(coords: Any, kind: str = "unsigned", *, names=None) -> np.ndarray:
    """The angles a comparator compares: measured in torso lengths, where they are defined.

    :func:`sitrex.angles.compute_angles` of :func:`in_torso_lengths`
    coordinates, with two kinds of values left unmeasured (NaN) where the
    paper's construction has no meaning:

    * the knee valgus indicators, in the frames where the construction has
      no direction (``valgus_min_spread=``:data:`sitrex.angles.VALGUS_MIN_SPREAD`):
      with the mid-hip as origin, a straight leg in a wide stance puts the
      knee and the ankle on one ray, and the indicator then flips between
      about 40 and 145 degrees in a person standing still;
    * in the frames of a 2-D pose (every landmark at the same depth, as the
      image-plane backends and layouts give them), the angles measured in a
      plane that holds the line of sight (:func:`sitrex.angle_table.depth_columns`:
      shoulder extension, horizontal shoulder adduction and ankle
      dorsiflexion for the unsigned kind). There the paper's formula only
      says on which side of the torso axis the segment points: shoulder
      extension jumps from 180 to 0 degrees when an arm passes the
      horizontal, whatever else it does.

    :func:`sitrex.compare`, :class:`sitrex.LiveComparator` and the default
    comparator's training pairs (:func:`sitrex.datasets.protocol.model_angles`)
    all measure angles this way.

    Examples
    --------
    >>> from sitrex.datasets import make_exercise
    >>> coords = make_exercise(1, ["squat"], random_state=0)[0][0].coords
    >>> comparison_angles(coords, names=["left knee"]).shape == (len(coords), 1)
    True
    >>> flat = coords.copy(); flat[..., 2] = 0.0            # the same poses, 2-D
    >>> bool(np.isnan(comparison_angles(flat, names=["left shoulder extension"])).all())
    True
    """
    from sitrex.angle_table import depth_columns
    from sitrex.angles import VALGUS_MIN_SPREAD, _select, compute_angles

    scaled = in_torso_lengths(coords)
    angles = compute_angles(scaled, kind, names=names, valgus_min_spread=VALGUS_MIN_SPREAD)
    depth = np.array(depth_columns(kind))
    if names is not None:            # the columns compute_angles returned, in its order
        depth = depth[_select(kind, names)]
    if depth.any():
        flat = image_plane_frames(scaled)[:, None]
        angles[:, depth] = np.where(flat, np.nan, angles[:, depth])
    return angles


def image_plane_frames(coords: np.ndarray) -> np.ndarray:
    """``(T,)`` bool: the frames of ``(T, 33, 3)`` coordinates whose landmarks all share one depth.

    A 2-D pose (z = 0, or any constant) has no depth to measure; a frame
    with fewer than three measured landmarks is not called flat.

    Examples
    --------
    >>> pose = np.random.default_rng(0).normal(size=(2, 33, 3))
    >>> pose[1, :, 2] = 0.0
    >>> image_plane_frames(pose).tolist()
    [False, True]
    """
    z = np.asarray(coords, dtype=np.float64)[..., 2]
    seen = np.isfinite(z)
    high = np.where(seen, z, -np.inf).max(axis=-1)
    low = np.where(seen, z, np.inf).min(axis=-1)
    return (seen.sum(axis=-1) >= 3) & (high == low)


def torso_lengths(coords: np.ndarray) -> np.ndarray:
    """``(T,)`` mid-shoulder to mid-hip distance of ``(T, 33, 3)`` coordinates (NaN without them)."""
    from sitrex.landmarks import landmark_index

    shoulders = coords[:, [landmark_index("left_shoulder"), landmark_index("right_shoulder")]]
    with np.errstate(invalid="ignore"):
        return np.linalg.norm(shoulders.mean(axis=1) - hip_centre(coords), axis=-1)


def hip_centre(coords: np.ndarray) -> np.ndarray:
    """``(T, 3)`` mid-point of the two hips of ``(T, 33, 3)`` coordinates (NaN without both)."""
    from sitrex.landmarks import landmark_index

    return coords[:, [landmark_index("left_hip"), landmark_index("right_hip")]].mean(axis=1)
