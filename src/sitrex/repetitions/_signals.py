"""Cleaning of the joint-angle columns a repetition analysis looks at (private).

Steps 1 and 2 of :mod:`sitrex.repetitions`: choose the columns, unwrap them,
fill NaN gaps, drop the columns measured too rarely, smooth. The pieces
themselves live in :mod:`sitrex.sequences` and :mod:`sitrex._validation`.
"""

from __future__ import annotations

import numpy as np

from sitrex._validation import as_angle_array, check_fps, check_number, resolve_columns
from sitrex.exceptions import InputError
from sitrex.filters import gaussian_smooth
from sitrex.sequences import interpolate_gaps, unwrap_angles

_MIN_MEASURED = 0.25    # columns measured in fewer frames than this fraction are dropped


def clean_columns(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unwrapped, gap-filled copy of (T, k) angles and the mask of usable columns.

    A column is usable when measured in at least a quarter of the frames (and
    two frames); the others are all NaN in the copy.
    """
    measured = (~np.isnan(columns)).sum(axis=0)
    usable = measured >= max(2.0, _MIN_MEASURED * len(columns))
    out = np.full(columns.shape, np.nan)
    out[:, usable] = interpolate_gaps(unwrap_angles(columns[:, usable]))
    return out, usable


def smoothed_columns(angles: np.ndarray, columns: np.ndarray, smooth: float, fps: float
                     ) -> np.ndarray:
    """The chosen columns cleaned and smoothed (NaN for unusable columns)."""
    filled, usable = clean_columns(angles[:, columns])
    out = np.full_like(filled, np.nan)
    out[:, usable] = gaussian_smooth(filled[:, usable], smooth * fps)
    return out


def prepare(angles, fps, columns, smooth, angle_names=None):
    """Checked angles -> (smoothed usable columns, their indices, fps)."""
    arr = as_angle_array(angles)
    fps = check_fps(fps, required=True)
    smooth = check_number(smooth, "smooth", low=0.0)
    cols = resolve_columns(columns, arr.shape[1], angle_names)
    smoothed = smoothed_columns(arr, cols, smooth, fps)
    usable = ~np.isnan(smoothed).all(axis=0)
    if not usable.any():
        raise InputError("no usable angle column: each chosen column is NaN in more than "
                         f"{100 * (1 - _MIN_MEASURED):.0f}% of the frames; choose columns that "
                         "were measured (e.g. the useful angles of the exercise)")
    return smoothed[:, usable], cols[usable], fps
