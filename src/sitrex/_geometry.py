"""Vectorised 3-D geometry kernels behind :mod:`sitrex.angles`.

Every function works on arrays whose last axis holds x, y, z and broadcasts
over all leading axes, so a whole batch of sequences is processed with a
handful of numpy calls and no Python loop over frames.

The small epsilons are those of the SiTrEx reference implementation; they are
kept so that sitrex reproduces the paper's angles to about 1e-9 degrees.
"""

from __future__ import annotations

import numpy as np

__all__ = [
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
#: added to each norm before :func:`signed_angle` normalises its inputs
SIGNED_EPS = 1e-8


def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dot product over the last axis, broadcasting the others."""
    return np.einsum("...i,...i->...", a, b)


def _norm(v: np.ndarray) -> np.ndarray:
    return np.sqrt(dot(v, v))


def normalize(v: np.ndarray) -> np.ndarray:
    """Unit vectors along the last axis; a zero vector is returned unchanged.

    Leaving zero vectors at zero (rather than producing NaN) is the reference
    behaviour: an angle measured against a zero vector then takes the
    documented degenerate value (90 degrees unsigned, 0 degrees signed).
    """
    n = _norm(v)[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n == 0.0, v, v / n)


def unsigned_angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle in degrees, in [0, 180], between two vectors (last axis).

    Computed as ``arccos(a.b / (|a||b| + 1e-6))``: a zero-length vector gives
    exactly 90 degrees, and NaN inputs give NaN.
    """
    cosine = dot(a, b) / (_norm(a) * _norm(b) + UNSIGNED_EPS)
    return np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))


def signed_angle(a: np.ndarray, b: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """Angle in degrees, in [0, 360), that turns ``a`` onto ``b`` about ``normal``.

    The rotation is counter-clockwise when seen from the tip of ``normal``
    (right-hand rule). A zero-length input gives 0 degrees.
    """
    ua = a / (_norm(a)[..., None] + SIGNED_EPS)
    ub = b / (_norm(b)[..., None] + SIGNED_EPS)
    sine = dot(np.cross(ua, ub), normal)
    degrees = np.degrees(np.arctan2(sine, dot(ua, ub))) % 360.0
    # a tiny negative angle wraps to 360.0 after rounding: keep the range half-open
    return np.where(degrees >= 360.0, degrees - 360.0, degrees)


def reject(v: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """Component of ``v`` orthogonal to the unit vector ``normal`` (not normalised)."""
    return v - dot(v, normal)[..., None] * normal


def project_onto_plane(v: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """Unit vector of ``v`` projected onto the plane orthogonal to unit ``normal``."""
    return normalize(reject(v, normal))


def torso_frame(
    left_shoulder: np.ndarray,
    right_shoulder: np.ndarray,
    left_hip: np.ndarray,
    right_hip: np.ndarray,
) -> np.ndarray:
    """Orthonormal torso axes, stacked as ``(..., 3, 3)``: horizontal, upward, forward.

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
    forward = normalize(np.cross(horizontal, upward))
    upward = normalize(np.cross(forward, horizontal))
    return np.stack([horizontal, upward, forward], axis=-2)
