"""Input checks and placement into the 33 landmarks shared by the layout converters."""

from __future__ import annotations

from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex.landmarks import N_LANDMARKS
from sitrex.skeleton import Skeleton


def _check_image_size(image_size: Any, who: str) -> tuple[float, float]:
    try:
        width, height = (float(v) for v in image_size)
    except (TypeError, ValueError):
        raise InputError(
            f"{who}: image_size must be (width, height) in pixels, got {image_size!r}"
        ) from None
    if not (width > 0 and height > 0 and np.isfinite(width) and np.isfinite(height)):
        raise InputError(
            f"{who}: image_size must be two positive numbers (width, height), got {image_size!r}"
        )
    return width, height


def _plain_size(image_size: Any) -> tuple[int | float, int | float]:
    """(width, height) as plain Python numbers, so meta stays JSON-friendly."""
    out = []
    for v in image_size:
        v = float(v)
        out.append(int(v) if v.is_integer() else v)
    return out[0], out[1]


def _as_points(points: Any, n: int, name: str, who: str, channels: tuple[int, ...]) -> np.ndarray:
    arr = np.array(points, dtype=np.float64, copy=True)
    if arr.ndim == 2:
        arr = arr[np.newaxis]
    if arr.ndim != 3 or arr.shape[1] != n or arr.shape[2] not in channels:
        want = " or ".join(f"(T, {n}, {c})" for c in channels)
        raise InputError(f"{who}: expected {name} of shape {want}, got {arr.shape}")
    return arr


def _per_keypoint(values: Any, shape: tuple[int, int], name: str, who: str, dtype=np.float64):
    arr = np.asarray(values, dtype=dtype)
    if arr.ndim == 1 and shape[0] == 1:
        arr = arr[np.newaxis]
    if arr.shape != shape:
        raise InputError(
            f"{who}: {name} must have shape {shape} (one value per frame and keypoint), "
            f"got {arr.shape}"
        )
    return arr


def _place(
    xyz: np.ndarray, confidence: np.ndarray, index: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Scatter (T, K, 3) points and (T, K) confidence into the 33-landmark layout."""
    n_frames = xyz.shape[0]
    coords = np.full((n_frames, N_LANDMARKS, 3), np.nan)
    conf = np.full((n_frames, N_LANDMARKS), np.nan)
    coords[:, list(index)] = xyz
    conf[:, list(index)] = confidence
    return coords, conf


def _finish(
    coords, conf, *, dimensions, units, image_size, fps, source, meta
) -> Skeleton:
    info: dict[str, Any] = {"dimensions": dimensions, "units": units}
    if image_size is not None:
        info["image_size"] = _plain_size(image_size)
    info.update(meta or {})
    return Skeleton(coords, conf, fps=fps, source=source, meta=info)
