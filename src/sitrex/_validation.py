"""Input checks behind :class:`sitrex.skeleton.Skeleton` (private).

Each check returns a clean value or raises a ValueError whose message says
what is wrong and how to fix it.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from sitrex.landmarks import LANDMARK_NAMES, N_LANDMARKS

__all__ = ["check_arrays", "check_fps", "frame_key"]


def _shape_hint(shape: tuple[int, ...]) -> str:
    """Suggest a converter for coordinates of the wrong shape."""
    n = shape[-2] if len(shape) >= 2 else None
    d = shape[-1] if len(shape) >= 1 else None
    if n == 17:
        return "; convert COCO-17 keypoints with Skeleton.from_coco17"
    if n == 13:
        return "; convert Penn Action joints with Skeleton.from_penn13"
    if n == N_LANDMARKS and d == 4:
        return (
            "; drop the 4th (visibility) channel, or use Skeleton.from_normalized_image "
            "for MediaPipe x, y, z, visibility"
        )
    if n == N_LANDMARKS and d == 2:
        return (
            "; append a z column of zeros for 2-D landmarks "
            "(np.dstack([xy, np.zeros(xy.shape[:2])]))"
        )
    return ""


def _format_shape(shape: tuple[int, ...]) -> str:
    if len(shape) == 3:
        return "(" + ", ".join(["T", *map(str, shape[1:])]) + ")"
    return str(shape)


def check_arrays(coords: Any, confidence: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validated float64 copies: coords (T, 33, 3) and confidence (T, 33).

    A landmark with any NaN coordinate is made all-NaN and gets NaN confidence.
    Missing confidence defaults to 1.0.

    Examples
    --------
    >>> xyz, conf = check_arrays(np.zeros((33, 3)), None)
    >>> xyz.shape, conf.shape
    ((1, 33, 3), (1, 33))
    """
    xyz = np.array(coords, dtype=np.float64, copy=True)
    if xyz.shape == (N_LANDMARKS, 3):
        xyz = xyz[np.newaxis]
    if xyz.ndim != 3 or xyz.shape[1:] != (N_LANDMARKS, 3):
        raise ValueError(
            f"expected coordinates of shape (T, {N_LANDMARKS}, 3), got "
            f"{_format_shape(xyz.shape)}{_shape_hint(xyz.shape)}"
        )
    if np.isinf(xyz).any():
        frame, lm, _ = np.argwhere(np.isinf(xyz))[0]
        raise ValueError(
            f"coordinates contain inf (first at frame {frame}, landmark "
            f"{LANDMARK_NAMES[lm]!r}); use NaN to mark a missing landmark"
        )
    missing = np.isnan(xyz).any(axis=-1)
    xyz[missing] = np.nan

    if confidence is None:
        conf = np.ones(xyz.shape[:2])
    else:
        conf = np.array(confidence, dtype=np.float64, copy=True)
        if conf.shape == (N_LANDMARKS,) and xyz.shape[0] == 1:
            conf = conf[np.newaxis]
        if conf.shape != xyz.shape[:2]:
            raise ValueError(
                f"confidence must have shape (T, {N_LANDMARKS}) = {xyz.shape[:2]} to match "
                f"the coordinates, got {conf.shape}; pass one value per frame and landmark"
            )
        if np.isinf(conf).any():
            raise ValueError("confidence contains inf; use values in [0, 1], or NaN if unknown")
    conf[missing] = np.nan
    return xyz, conf


def check_fps(fps: Any) -> float | None:
    """A positive finite frame rate, or None (NaN also means unknown).

    Examples
    --------
    >>> check_fps(30), check_fps(float("nan"))
    (30.0, None)
    """
    if fps is None:
        return None
    try:
        value = float(fps)
    except (TypeError, ValueError):
        raise ValueError(
            f"fps must be a positive number of frames per second or None, got {fps!r}"
        ) from None
    if np.isnan(value):
        return None
    if not (value > 0 and np.isfinite(value)):
        raise ValueError(
            f"fps must be a positive, finite number of frames per second, got {fps!r}; "
            "pass None if the frame rate is unknown"
        )
    return value


def frame_key(key: Any, n_frames: int) -> slice | np.ndarray:
    """A numpy index that selects frames (keeping the time axis) from `key`.

    An int becomes a one-frame slice; lists and arrays are checked.

    Examples
    --------
    >>> frame_key(-1, 5), frame_key([0, 2], 5).tolist()
    (slice(-1, None, None), [0, 2])
    """
    if isinstance(key, tuple):
        raise TypeError(
            "Skeleton indexing takes one key: a landmark name (skel['left_knee']) or "
            "a frame selection (skel[10:20]); for one landmark in some frames use "
            "skel[10:20]['left_knee']"
        )
    if isinstance(key, numbers.Integral) and not isinstance(key, bool):
        i = int(key)
        if not -n_frames <= i < n_frames:
            raise IndexError(
                f"frame {i} is out of range for a Skeleton of {n_frames} frames"
            )
        key = slice(i, i + 1) if i != -1 else slice(i, None)
    elif not isinstance(key, slice):
        key = np.asarray(key)
        if key.dtype == bool:
            if key.shape != (n_frames,):
                raise IndexError(
                    f"boolean frame mask must have shape ({n_frames},), got "
                    f"{key.shape}; build it from a per-frame quantity such as skel.has_person"
                )
        elif key.size == 0:
            key = key.astype(np.intp)
        elif not np.issubdtype(key.dtype, np.integer):
            raise TypeError(
                f"cannot index a Skeleton with {key.dtype} values; use a landmark name, "
                "an int, a slice, integer frame indices or a boolean mask"
            )
    return key


def as_angle_array(x: Any, name: str = "angles", *, need_frames: bool = False) -> np.ndarray:
    """A (n_frames, n_angles) float64 array of angles in degrees, or a ValueError naming the fix.

    A 1-D input is one angle column. NaN (a missing value) is allowed; inf is not.

    Examples
    --------
    >>> as_angle_array([10.0, 20.0]).shape
    (2, 1)
    >>> as_angle_array(np.zeros((0, 2)), "reference", need_frames=True)
    Traceback (most recent call last):
    ...
    ValueError: reference has no frames; at least one is needed
    """
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} could not be converted to a float array: {exc}") from exc
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (n_frames, n_angles) array of angles in degrees "
                         f"(or 1-D for one angle); got shape {arr.shape}")
    if need_frames and arr.shape[0] == 0:
        raise ValueError(f"{name} has no frames; at least one is needed")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has no angle columns")
    if np.isinf(arr).any():
        raise ValueError(f"{name} contains inf; angles must be finite degrees (NaN marks a "
                         "missing value)")
    return arr
