"""Input checks in one place (private).

Each check returns a clean value or raises an
:class:`~sitrex.exceptions.InputError` (a ``ValueError``) whose message says
what is wrong and how to fix it: coordinates and confidences, frame rates,
numbers in a range, angle arrays, and the choice of angle columns (by name,
index or mask, :func:`resolve_columns`, the one resolver every module uses).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex.landmarks import LANDMARK_NAMES, N_LANDMARKS

__all__ = ["as_angle_array", "check_angle_values", "check_arrays", "check_fps", "check_int", "check_number",
           "check_probability", "check_recording", "frame_key", "resolve_columns"]


def _shape_hint(shape: tuple[int, ...]) -> str:
    """Suggest a converter for coordinates of the wrong shape."""
    n = shape[-2] if len(shape) >= 2 else None
    d = shape[-1] if len(shape) >= 1 else None
    if n == 17:
        return "; convert COCO-17 keypoints with Skeleton.from_coco17"
    if n == 13:
        return "; convert Penn Action joints with Skeleton.from_penn13"
    if n in (18, 25):
        return "; convert OpenPose keypoints with Skeleton.from_openpose"
    if n == N_LANDMARKS and d == 4:
        return (
            "; drop the 4th (visibility) channel, or use Skeleton.from_normalized_image "
            "for MediaPipe x, y, z, visibility"
        )
    return ""


def _format_shape(shape: tuple[int, ...]) -> str:
    if len(shape) == 3:
        return "(" + ", ".join(["T", *map(str, shape[1:])]) + ")"
    return str(shape)


def check_arrays(coords: Any, confidence: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validated float64 copies: coords (T, 33, 3) and confidence (T, 33).

    A landmark with any NaN coordinate is made all-NaN and gets NaN confidence.
    Missing confidence defaults to 1.0. Landmarks without depth, (T, 33, 2)
    or a z that is NaN wherever x and y are given, are image-plane landmarks:
    their z is 0 (what a 2-D pose estimator facing the person gives).

    Examples
    --------
    >>> xyz, conf = check_arrays(np.zeros((33, 3)), None)
    >>> xyz.shape, conf.shape
    ((1, 33, 3), (1, 33))
    >>> xy = np.ones((5, 33, 2))
    >>> check_arrays(xy, None)[0][0, 0].tolist()
    [1.0, 1.0, 0.0]
    >>> no_depth = np.dstack([xy, np.full((5, 33), np.nan)])
    >>> check_arrays(no_depth, None)[0][0, 0].tolist()
    [1.0, 1.0, 0.0]
    """
    try:
        xyz = np.array(coords, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise InputError(f"coordinates must be numbers, shape (T, {N_LANDMARKS}, 3); got "
                         f"{type(coords).__name__} ({exc})") from None
    if xyz.shape[-2:] == (N_LANDMARKS, 2) and xyz.ndim in (2, 3):
        xyz = np.concatenate([xyz, np.zeros(xyz.shape[:-1] + (1,))], axis=-1)
    if xyz.shape == (N_LANDMARKS, 3):
        xyz = xyz[np.newaxis]
    if xyz.ndim != 3 or xyz.shape[1:] != (N_LANDMARKS, 3):
        raise InputError(
            f"expected coordinates of shape (T, {N_LANDMARKS}, 3), got "
            f"{_format_shape(xyz.shape)}{_shape_hint(xyz.shape)}"
        )
    if np.isinf(xyz).any():
        frame, lm, _ = np.argwhere(np.isinf(xyz))[0]
        raise InputError(
            f"coordinates contain inf (first at frame {frame}, landmark "
            f"{LANDMARK_NAMES[lm]!r}); use NaN to mark a missing landmark"
        )
    with np.errstate(invalid="ignore"):
        huge = np.abs(xyz) > MAX_COORDINATE
    if huge.any():
        frame, lm, _ = np.argwhere(huge)[0]
        raise InputError(
            f"coordinate {xyz[frame, lm][huge[frame, lm]][0]:g} at frame {frame}, landmark "
            f"{LANDMARK_NAMES[lm]!r} is not a plausible position (beyond {MAX_COORDINATE:g}); "
            "set glitches to NaN, or check the units"
        )
    planar = ~np.isnan(xyz[..., :2]).any(axis=-1)
    if planar.any() and np.isnan(xyz[..., 2][planar]).all():
        xyz[..., 2][planar] = 0.0                 # no depth anywhere: image-plane landmarks
    missing = np.isnan(xyz).any(axis=-1)
    xyz[missing] = np.nan

    if confidence is None:
        conf = np.ones(xyz.shape[:2])
    else:
        conf = np.array(confidence, dtype=np.float64, copy=True)
        if conf.shape == (N_LANDMARKS,) and xyz.shape[0] == 1:
            conf = conf[np.newaxis]
        if conf.shape != xyz.shape[:2]:
            raise InputError(
                f"confidence must have shape (T, {N_LANDMARKS}) = {xyz.shape[:2]} to match "
                f"the coordinates, got {conf.shape}; pass one value per frame and landmark"
            )
        if np.isinf(conf).any():
            raise InputError("confidence contains inf; use values in [0, 1], or NaN if unknown")
    conf[missing] = np.nan
    return xyz, conf


#: The frame rates sitrex accepts, in frames per second: below one frame a second a
#: movement is not sampled, and no camera films people at more than 10,000.
FPS_RANGE = (1.0, 10_000.0)


def check_fps(fps: Any, name: str = "fps", *, required: bool = False) -> float | None:
    """A frame rate within :data:`FPS_RANGE`; None (or NaN) means unknown unless `required`.

    Examples
    --------
    >>> check_fps(30), check_fps(float("nan"))
    (30.0, None)
    >>> check_fps(None, "coach_fps", required=True)
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: coach_fps must be a positive number of frames per second; got None
    >>> check_fps(0.01)
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: fps must be between 1 and 10000 frames per second; got 0.01 (a video's frame rate, such as 30)
    """
    unknown = fps is None or (isinstance(fps, numbers.Real) and not isinstance(fps, bool)
                              and bool(np.isnan(fps)))
    if unknown and not required:
        return None
    if unknown or isinstance(fps, bool) or not isinstance(fps, numbers.Real) \
            or not (np.isfinite(fps) and fps > 0):
        hint = "" if required else "; pass None if the frame rate is unknown"
        raise InputError(f"{name} must be a positive number of frames per second; got "
                         f"{fps!r}{hint}")
    if not FPS_RANGE[0] <= fps <= FPS_RANGE[1]:
        raise InputError(f"{name} must be between {FPS_RANGE[0]:g} and {FPS_RANGE[1]:g} frames "
                         f"per second; got {fps!r} (a video's frame rate, such as 30)")
    return float(fps)


def check_number(value: Any, name: str, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number within ``[low, high]`` (an end is excluded when ``*_open``).

    Examples
    --------
    >>> check_number(0.5, "conf", low=0, high=1)
    0.5
    >>> check_number(-1, "smooth", low=0)
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: smooth must be a number >= 0; got -1
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and \
        bool(np.isfinite(value))
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        if low is not None and high is not None:
            span = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        elif low is not None:
            span = f"{'>' if low_open else '>='} {low:g}"
        elif high is not None:
            span = f"{'<' if high_open else '<='} {high:g}"
        else:
            span = "finite"
        raise InputError(f"{name} must be a number {span}; got {value!r}")
    return float(value)


def check_probability(value: Any, name: str, default: float | None = None) -> float:
    """A probability strictly between 0 and 1 (thresholds); None takes `default`.

    Examples
    --------
    >>> check_probability(None, "threshold", 0.5)
    0.5
    >>> check_probability(1.5, "threshold")
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: threshold must be a probability in (0, 1); got 1.5
    """
    value = default if value is None else value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 < value < 1.0:
        raise InputError(f"{name} must be a probability in (0, 1); got {value!r}")
    return float(value)


def check_int(value: Any, name: str, *, low: int | None = 1, high: int | None = None) -> int:
    """An integer (not a bool) within ``[low, high]``.

    Examples
    --------
    >>> check_int(3, "stride")
    3
    >>> check_int(0, "stride")
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: stride must be an integer >= 1; got 0
    """
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if ok and low is not None and value < low:
        ok = False
    if ok and high is not None and value > high:
        ok = False
    if not ok:
        if low is not None and high is not None:
            span = f"from {low} to {high}"
        elif low is not None:
            span = f">= {low}"
        elif high is not None:
            span = f"<= {high}"
        else:
            span = ""
        raise InputError(f"{name} must be an integer {span}; got {value!r}".replace("  ", " "))
    return int(value)


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
    sitrex.exceptions.InputError: reference has no frames; at least one is needed
    """
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} could not be converted to a float array: {exc}") from exc
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise InputError(f"{name} must be a 2-D (n_frames, n_angles) array of angles in degrees "
                         f"(or 1-D for one angle); got shape {arr.shape}")
    if need_frames and arr.shape[0] == 0:
        raise InputError(f"{name} has no frames; at least one is needed")
    if arr.shape[1] == 0:
        raise InputError(f"{name} has no angle columns")
    if np.isinf(arr).any():
        raise InputError(f"{name} contains inf; angles must be finite degrees (NaN marks a "
                         "missing value)")
    return arr


def resolve_columns(columns: Any, n_columns: int, angle_names: Any = None, *,
                    name: str = "columns") -> np.ndarray:
    """Column indices from angle names, column indices or a boolean mask.

    The one way every sitrex function reads a choice of angle columns.

    Parameters
    ----------
    columns : None, str, int, sequence of str or int, or boolean mask
        None selects every column. Names need `angle_names`. Negative
        indices count from the end.
    n_columns : int
        How many columns there are.
    angle_names : sequence of str, optional
        The column names, to resolve names.
    name : str
        The argument's name, for messages.

    Returns
    -------
    numpy.ndarray of intp
        Indices in the order given (ascending for a mask), duplicates dropped.

    Examples
    --------
    >>> names = ["left knee", "right knee", "torso flexion"]
    >>> resolve_columns(["right knee", 0], 3, names).tolist()
    [1, 0]
    >>> resolve_columns([True, False, True], 3).tolist()
    [0, 2]
    >>> resolve_columns("left elbow", 3, names)
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: columns: unknown angle 'left elbow'; known: left knee, right knee, torso flexion
    """
    if columns is None:
        return np.arange(n_columns, dtype=np.intp)
    if isinstance(columns, (str, numbers.Integral)):
        columns = [columns]
    if isinstance(columns, np.ndarray):
        items = columns.tolist() if columns.ndim == 1 else None
        if items is None:
            raise InputError(f"{name} must be one-dimensional (names, indices or a mask); got "
                             f"shape {columns.shape}")
    else:
        try:
            items = list(columns)
        except TypeError:
            raise InputError(f"{name} must hold angle names, column indices or a boolean mask; "
                             f"got {type(columns).__name__}") from None
    if items and all(isinstance(c, (bool, np.bool_)) for c in items):
        if len(items) != n_columns:
            raise InputError(f"{name}: a boolean mask must have {n_columns} entries (one per "
                             f"angle column); got {len(items)}")
        items = [i for i, c in enumerate(items) if c]
        if not items:
            raise InputError(f"{name}: the mask selects no column; choose at least one")
    names = None if angle_names is None else [str(n) for n in angle_names]
    out: list[int] = []
    for c in items:
        if isinstance(c, str):
            if names is None or c not in names:
                known = ("; pass angle_names to choose columns by name" if names is None
                         else f"; known: {', '.join(names)}")
                raise InputError(f"{name}: unknown angle {c!r}{known}")
            index = names.index(c)
        elif isinstance(c, (numbers.Integral, np.integer)) and not isinstance(c, (bool, np.bool_)):
            if not -n_columns <= int(c) < n_columns:
                raise InputError(f"{name}: column {int(c)} is outside 0..{n_columns - 1}")
            index = int(c) % n_columns
        else:
            raise InputError(f"{name} must hold angle names, column indices or a boolean mask; "
                             f"got {c!r}")
        if index not in out:
            out.append(index)
    if not out:
        raise InputError(f"{name} is empty: choose at least one angle column")
    return np.asarray(out, dtype=np.intp)


#: Beyond this magnitude a coordinate is no position at all (and squaring it overflows).
MAX_COORDINATE = 1e9


def check_angle_values(angles: np.ndarray, kind: str, name: str = "angles") -> np.ndarray:
    """Angles in degrees within the range of their kind, or an InputError saying what looks wrong.

    Unsigned angles lie in [0, 180]; plane angles in one turn, [0, 360) as
    sitrex computes them (a [-180, 180) convention is accepted too). Values
    that all fit in [-pi, pi] look like radians.

    Examples
    --------
    >>> check_angle_values(np.array([[10.0, 170.0]]), "unsigned").shape
    (1, 2)
    >>> check_angle_values(np.array([[0.2, 1.4], [2.9, 0.1]]), "unsigned")
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: angles look like radians (all within [-3.2, 3.2]); pass degrees (np.degrees(angles))
    >>> check_angle_values(np.array([[-400.0]]), "unsigned")
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: angles hold -400 degrees; unsigned angles lie in [0, 180] degrees
    """
    values = angles[np.isfinite(angles)]
    if values.size == 0:
        return angles
    low, high = float(values.min()), float(values.max())
    if values.size >= 4 and high <= np.pi + 1e-6 and low >= -np.pi - 1e-6 and high - low > 0.05:
        raise InputError(f"{name} look like radians (all within [-3.2, 3.2]); pass degrees "
                         f"(np.degrees({name}))")
    if kind == "unsigned":
        bad = low if low < -1e-6 else high if high > 180.0 + 1e-6 else None
        if bad is not None:
            raise InputError(f"{name} hold {bad:g} degrees; unsigned angles lie in [0, 180] "
                             "degrees")
    else:
        if low < -180.0 - 1e-6 or high > 360.0 + 1e-6 or high - low > 360.0 + 1e-6:
            bad = low if low < -180.0 - 1e-6 else high
            raise InputError(f"{name} hold {bad:g} degrees; {kind} angles lie within one turn, "
                             "[0, 360) degrees")
    return angles


def check_recording(skeleton: Any, name: str, *, need_fps: bool = False) -> None:
    """A recording worth comparing or saving: frames, a person in one of them, a frame rate.

    Raises an InputError naming `name` (the file or the role) otherwise.

    Examples
    --------
    >>> from sitrex.skeleton import Skeleton
    >>> check_recording(Skeleton(np.full((4, 33, 3), np.nan), fps=30.0), "clip.mp4")
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: clip.mp4: no frame has a person in it (4 frames, all empty); check the clip, or try another pose backend
    """
    if skeleton.n_frames == 0:
        raise InputError(f"{name} has no frames")
    if not skeleton.has_person.any():
        raise InputError(f"{name}: no frame has a person in it ({skeleton.n_frames} frames, all "
                         "empty); check the clip, or try another pose backend")
    if need_fps and skeleton.fps is None:
        raise InputError(f"{name}: the frame rate is unknown (the file does not say it); a "
                         "landmark file without one cannot be timed")
