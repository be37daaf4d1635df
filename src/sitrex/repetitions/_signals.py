"""Input checks and cleaning of joint-angle columns, shared by segmentation and comparison.

Private: the cleaning steps 1 and 2 of :mod:`sitrex.repetitions` (unwrap,
fill NaN gaps, drop columns measured too rarely, Gaussian smoothing) and the
checks of the public functions' arguments.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from sitrex._validation import as_angle_array

_MIN_MEASURED = 0.25    # columns measured in fewer frames than this fraction are dropped


def _check_fps(fps: Any, name: str = "fps") -> float:
    if isinstance(fps, bool) or not isinstance(fps, numbers.Real) or not np.isfinite(fps) \
            or fps <= 0:
        raise ValueError(f"{name} must be a positive number of frames per second; got {fps!r}")
    return float(fps)


def _check_positive(value: Any, name: str, *, allow_zero: bool = False) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value) \
        and (value >= 0 if allow_zero else value > 0)
    if not ok:
        raise ValueError(f"{name} must be a {'non-negative' if allow_zero else 'positive'} "
                         f"number; got {value!r}")
    return float(value)


def _as_angles(angles: Any, name: str = "angles") -> np.ndarray:
    return as_angle_array(angles, name)


def _resolve_columns(columns: Any, n_columns: int, angle_names=None) -> np.ndarray:
    if columns is None:
        return np.arange(n_columns)
    if isinstance(columns, (str, numbers.Integral)):
        columns = [columns]
    cols = list(np.asarray(columns).tolist()) if not isinstance(columns, (list, tuple)) \
        else list(columns)
    if cols and all(isinstance(c, (bool, np.bool_)) for c in cols):
        if len(cols) != n_columns:
            raise ValueError(f"a boolean columns mask must have {n_columns} entries; got "
                             f"{len(cols)}")
        cols = [i for i, c in enumerate(cols) if c]
    out = []
    for c in cols:
        if isinstance(c, str):
            if angle_names is None or c not in angle_names:
                known = "" if angle_names is None else f"; known: {', '.join(angle_names)}"
                raise ValueError(f"unknown angle column {c!r} (names need angle_names{known})")
            out.append(list(angle_names).index(c))
        elif isinstance(c, numbers.Integral) and not isinstance(c, bool):
            if not -n_columns <= c < n_columns:
                raise ValueError(f"column {c} is outside 0..{n_columns - 1}")
            out.append(int(c) % n_columns)
        else:
            raise ValueError(f"columns must hold column indices or angle names; got {c!r}")
    if not out:
        raise ValueError("columns is empty: choose at least one angle column")
    return np.array(sorted(set(out)), dtype=np.intp)



def _fill(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unwrapped, gap-filled copy of (T, k) angles and the mask of usable columns."""
    t = np.arange(len(columns))
    out = np.empty_like(columns)
    usable = np.zeros(columns.shape[1], dtype=bool)
    for k in range(columns.shape[1]):
        col = columns[:, k]
        ok = ~np.isnan(col)
        usable[k] = ok.sum() >= max(2, _MIN_MEASURED * len(col))
        if not usable[k]:
            out[:, k] = np.nan
            continue
        known = np.unwrap(col[ok], period=360.0)
        out[:, k] = np.interp(t, t[ok], known)
    return out, usable


def _smooth(x: np.ndarray, sigma_frames: float) -> np.ndarray:
    if sigma_frames <= 0 or len(x) < 3:
        return x
    from scipy.ndimage import gaussian_filter1d

    return gaussian_filter1d(x, sigma_frames, axis=0, mode="nearest")



def _prepare(angles, fps, columns, smooth, angle_names=None):
    arr = _as_angles(angles)
    fps = _check_fps(fps)
    smooth = _check_positive(smooth, "smooth", allow_zero=True)
    cols = _resolve_columns(columns, arr.shape[1], angle_names)
    filled, usable = _fill(arr[:, cols])
    if not usable.any():
        raise ValueError("no usable angle column: each chosen column is NaN in more than "
                         f"{100 * (1 - _MIN_MEASURED):.0f}% of the frames; choose columns that "
                         "were measured (e.g. the useful angles of the exercise)")
    smoothed = _smooth(filled[:, usable], smooth * fps)
    return smoothed, cols[usable], fps
