"""Vectorised 3-D geometry kernels behind :mod:`sitrex.angles`.

Vectors are stored *component-first*: an array of shape ``(3, ...)`` holds x,
y and z as three contiguous blocks. Dot and cross products are then a few
element-wise operations on large contiguous arrays, which is several times
faster in numpy than reducing over a trailing axis of length 3.

The small epsilons are those of the SiTrEx reference implementation; they are
kept so that sitrex reproduces the paper's angles to about 1e-9 degrees.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "cross",
    "dot",
    "normalize",
    "project_onto_plane",
    "reject",
    "signed_angle",
    "torso_frame",
    "unsigned_angle",
]

#: added to the product of the two norms in :func:`unsigned_angle`
UNSIGNED_EPS = 1e-6


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dot product of component-first vectors: shape (3, ...) → (...)."""
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross product of component-first vectors: shape (3, ...) → (3, ...)."""
    return np.stack([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])


def norm(v: np.ndarray) -> np.ndarray:
    """Euclidean length of component-first vectors."""
    return np.sqrt(dot(v, v))


def normalize(v: np.ndarray) -> np.ndarray:
    """Unit vectors; a zero vector is returned unchanged.

    Leaving zero vectors at zero (rather than producing NaN) is the reference
    behaviour: an angle measured against a zero vector then takes the
    documented degenerate value (90 degrees unsigned, 0 degrees signed).
    """
    n = norm(v)
    return v / np.where(n == 0.0, 1.0, n)


def unsigned_angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle in degrees, in [0, 180], between two vectors.

    Computed as ``arccos(a.b / (|a||b| + 1e-6))``: a zero-length vector gives
    exactly 90 degrees, and NaN inputs give NaN.
    """
    cosine = dot(a, b) / (np.sqrt(dot(a, a) * dot(b, b)) + UNSIGNED_EPS)
    np.clip(cosine, -1.0, 1.0, out=cosine)
    return np.degrees(np.arccos(cosine, out=cosine), out=cosine)


def signed_angle(a: np.ndarray, b: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """Angle in degrees, in [0, 360), that turns ``a`` onto ``b`` about ``normal``.

    The rotation is counter-clockwise when seen from the tip of ``normal``
    (right-hand rule). A zero-length input gives 0 degrees.

    The reference first scales both vectors to unit length (adding 1e-8 to
    each norm). ``atan2`` does not change when both of its arguments are
    scaled by the same positive factor, so that step is skipped here: the
    result is the same to rounding, at a fraction of the cost.
    """
    # "+ 0.0" turns -0.0 into +0.0, so that a zero-length input gives 0 degrees rather
    # than the 180 degrees that atan2(-0.0, -0.0) would give
    sine = dot(cross(a, b), normal) + 0.0
    cosine = dot(a, b) + 0.0
    degrees = np.degrees(np.arctan2(sine, cosine, out=sine), out=sine)
    np.remainder(degrees, 360.0, out=degrees)
    # a tiny negative angle wraps to exactly 360.0 after rounding: keep the range half-open
    degrees[degrees >= 360.0] -= 360.0
    return degrees


def reject(v: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """Component of ``v`` orthogonal to the unit vector ``normal`` (not normalised)."""
    return v - dot(v, normal) * normal


def project_onto_plane(v: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """Unit vector of ``v`` projected onto the plane orthogonal to unit ``normal``."""
    return normalize(reject(v, normal))


def torso_frame(
    left_shoulder: np.ndarray,
    right_shoulder: np.ndarray,
    left_hip: np.ndarray,
    right_hip: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Orthonormal torso axes (horizontal, upward, forward), each component-first.

    - *horizontal* points from the left to the right shoulder;
    - *upward* points from the mid-hip to the mid-shoulder, then is
      re-orthogonalised as ``forward x horizontal``;
    - *forward* is ``horizontal x upward``.

    The three anatomical planes are the planes orthogonal to these axes:
    sagittal (normal *horizontal*), transverse (normal *upward*) and coronal
    (normal *forward*).
    """
    mid_shoulder = (left_shoulder + right_shoulder) / 2
    mid_hip = (left_hip + right_hip) / 2
    horizontal = normalize(right_shoulder - left_shoulder)
    upward = normalize(mid_shoulder - mid_hip)
    forward = normalize(cross(horizontal, upward))
    upward = normalize(cross(forward, horizontal))
    return horizontal, upward, forward
