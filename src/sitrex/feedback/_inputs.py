"""Turn what the user passes (video, landmark file, Skeleton, angle array) into angles."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sitrex._validation import check_angle_values, check_arrays, check_fps, check_recording
from sitrex.angle_table import ANGLE_NAMES
from sitrex.conditioning import Conditioning
from sitrex.exceptions import InputError, MissingFileError
from sitrex.io import SUPPORTED_SUFFIXES as LANDMARK_SUFFIXES
from sitrex.landmarks import N_LANDMARKS
from sitrex.measurement import COMPARISON_ANGLE_NAMES, comparison_angles
from sitrex.sequences import resample
from sitrex.skeleton import Skeleton
from sitrex.video import VIDEO_SUFFIXES

#: Frame rate assumed when neither the input nor ``fps=`` gives one.
DEFAULT_FPS = 30.0


@dataclass
class Execution:
    """One side of a comparison: its (conditioned) angles and where they came from."""

    angles: np.ndarray                 # (T, A) float64, NaN where not measured; conditioned
    present: np.ndarray                # (T,) bool: a person in the frame
    fps: float
    skeleton: Skeleton | None          # the poses as read (before conditioning)
    source: str | None
    conditioning: dict | None = None   # what was done to clean the angles
    fps_assumed: bool = False          # no rate given anywhere: DEFAULT_FPS was assumed

    @property
    def duration(self) -> float:
        """Seconds from the first to the last frame, plus one frame."""
        return len(self.angles) / self.fps

    def at_rate(self, fps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Angles and person flags re-timed to `fps`, and each original frame's new frame.

        Returns ``(angles, present, frame_of_original)``: ``(T', A)`` angles by
        linear interpolation, ``(T',)`` person flags (a new frame has a person
        when its nearest original frame has), and for every original frame the
        latest new frame at or before it (so a score never uses later frames).
        """
        angles, nearest = resample(self.angles, self.fps, fps)
        present = self.present[nearest]
        original_times = np.arange(len(self.angles)) / self.fps
        latest = np.floor(original_times * fps + 1e-9).astype(np.int64)
        return angles, present, np.minimum(latest, len(angles) - 1)


def _estimate_video(path: Path, backend: Any) -> Skeleton:
    from sitrex.backends import PoseBackend, get_backend

    if isinstance(backend, PoseBackend):
        return backend.estimate_video(path)
    if backend is not None and not isinstance(backend, str):
        raise InputError(f"backend must be a backend name such as 'mediapipe' or 'yolo', or a "
                         f"sitrex.backends.PoseBackend; got {type(backend).__name__}")
    with get_backend(backend or "mediapipe") as pose:
        return pose.estimate_video(path)


def _read_path(value, role: str, backend: Any) -> tuple[Skeleton, str]:
    path = Path(value)
    if path.is_dir():
        raise InputError(f"{role} {str(path)!r} is a folder, not a file; pass a video or a "
                         "landmark file (a folder of athletes goes to sitrex.compare_many)")
    suffix = path.suffix.lower()
    videos = VIDEO_SUFFIXES
    if suffix not in videos and suffix not in LANDMARK_SUFFIXES:
        raise InputError(
            f"{role} {str(path)!r}: unknown file type {path.suffix or '(no suffix)'!r}; pass a "
            f"video ({', '.join(videos)}), a landmark file ({', '.join(LANDMARK_SUFFIXES)}), a "
            "sitrex.Skeleton or an angle array")
    if not path.is_file():
        raise MissingFileError(f"{role} file {str(path)!r} does not exist; check the path")
    if suffix in videos:
        return _estimate_video(path, backend), str(path)
    from sitrex.io import load_skeleton

    return load_skeleton(path), str(path)


def _skeleton_angles(skeleton: Skeleton, role: str, comparator, kind: str) -> np.ndarray:
    from sitrex.measurement import comparison_angle_names

    names = tuple(comparator.angle_names_)
    available = comparison_angle_names(kind)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise InputError(
            f"the comparator's angle columns {unknown[:3]} are not {kind!r} joint angles, so a "
            f"{role} skeleton cannot be turned into its inputs; pass the {role}'s angles as a "
            f"(T, {len(names)}) array in the comparator's column order, or use a comparator "
            f"trained on sitrex angles (kind={kind!r})")
    return comparison_angles(getattr(skeleton, "coords", skeleton), kind, names=list(names),
                             knee_valgus=knee_valgus_measure(comparator))


def knee_valgus_measure(comparator) -> str:
    """What `comparator` was trained on in the knee valgus indicator columns.

    ``comparator.metadata_["knee_valgus"]`` (the paper's weights say
    ``"paper"``), else ``"frontal tilt"``, the measure of sitrex's
    comparisons (:func:`sitrex.measurement.comparison_angles`).
    """
    from sitrex.measurement import KNEE_VALGUS_MEASURES

    measure = (getattr(comparator, "metadata_", None) or {}).get("knee_valgus", "frontal tilt")
    if measure not in KNEE_VALGUS_MEASURES:
        raise InputError(f"the comparator's metadata_['knee_valgus'] is {measure!r}; sitrex "
                         f"measures one of {KNEE_VALGUS_MEASURES}")
    return measure


def with_rotation_columns(arr: np.ndarray, names) -> np.ndarray:
    """Angles ``(..., 23)`` in the paper's columns, for a comparator of `names`: the axial rotations
    appended as unmeasured (NaN) when `names` are the comparison columns
    (:data:`sitrex.measurement.COMPARISON_ANGLE_NAMES`); any other array unchanged.

    An angle array (:meth:`sitrex.Skeleton.angles`) does not carry the landmarks the rotations need.
    """
    if tuple(names) != COMPARISON_ANGLE_NAMES or arr.shape[-1] != len(ANGLE_NAMES):
        return arr
    missing = np.full((*arr.shape[:-1], len(names) - arr.shape[-1]), np.nan)
    return np.concatenate([arr, missing], axis=-1)


def _array_angles(value, role: str, names, kind: str) -> np.ndarray:
    """`value` as angles in the comparator's columns `names` (see :func:`with_rotation_columns`)."""
    n_angles = len(names)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{role} must be a video or landmark file path, a sitrex.Skeleton or a "
                         f"(T, n_angles) angle array; got {type(value).__name__} ({exc})") from None
    if arr.ndim == 3:                 # landmarks, but not as sitrex takes them
        try:
            check_arrays(arr, None)
        except InputError as exc:
            raise InputError(f"{role} landmarks: {exc}") from None
    if arr.ndim != 2:
        raise InputError(f"{role} must be landmarks (n_frames, 33, 3) or angles (n_frames, "
                         f"n_angles); got {'None' if value is None else f'shape {arr.shape}'}")
    if arr.shape[0] == N_LANDMARKS and arr.shape[1] in (2, 3):
        raise InputError(f"{role} has shape {arr.shape}: one frame of landmarks? A clip is "
                         "(n_frames, 33, 3); angles are (n_frames, n_angles)")
    arr = with_rotation_columns(arr, names)
    if arr.shape[1] != n_angles:
        paper = (f" (or the paper's {len(ANGLE_NAMES)}, sitrex.Skeleton.angles(), without the "
                 "axial rotations)" if tuple(names) == COMPARISON_ANGLE_NAMES else "")
        raise InputError(f"{role} angles have {arr.shape[1]} columns but the comparator expects "
                         f"{n_angles}{paper}; pass angles in the comparator's column order "
                         "(comparator.angle_names_)")
    if np.isinf(arr).any():
        raise InputError(f"{role} angles contain inf; use NaN for angles that were not measured")
    return check_angle_values(arr, kind, f"the {role}'s angles")


def _frame_rate(rate, fps, role: str) -> tuple[float, bool]:
    """The input's rate, else `fps`, else DEFAULT_FPS with a warning; and whether it was assumed."""
    rate = rate if rate is not None else fps
    assumed = rate is None
    if assumed:
        warnings.warn(f"the {role}'s frame rate is unknown; assuming {DEFAULT_FPS:g} fps (give "
                      "it with fps=... in Python or --fps on the command line)", UserWarning,
                      stacklevel=4)
        rate = DEFAULT_FPS
    return check_fps(rate, "fps", required=True), assumed


def is_landmark_array(value: Any) -> bool:
    """A (T, 33, 3) or (T, 33, 2) array: landmarks, not angles."""
    try:
        shape = np.shape(value)
    except ValueError:                            # a ragged list: not an array at all
        return False
    return len(shape) == 3 and shape[1:] in ((N_LANDMARKS, 3), (N_LANDMARKS, 2))


def load_execution(value: Any, role: str, comparator, *, kind: str, backend: Any,
                   fps: float | None, conditioning: Conditioning) -> Execution:
    """Angles (conditioned), person flags, frame rate, skeleton and source of one input."""
    skeleton, source = None, None
    if isinstance(value, (str, os.PathLike)):
        skeleton, source = _read_path(value, role, backend)
    elif isinstance(value, Skeleton):
        skeleton = value
    elif is_landmark_array(value):
        skeleton = Skeleton(value)                # its frame rate: fps=, else the default
    where = f" ({source})" if source else ""
    if skeleton is not None:
        check_recording(skeleton, f"{role}{where}")
        rate, assumed = _frame_rate(skeleton.fps, fps, role)
        present = skeleton.has_person
        cleaned = conditioning.skeleton(skeleton.replace(fps=rate))
        angles = _skeleton_angles(cleaned, role, comparator, kind)
        info = cleaned.meta.get("conditioning")
    else:
        angles = _array_angles(value, role, tuple(comparator.angle_names_), kind)
        if len(angles) == 0:
            raise InputError(f"{role} has no frames")
        rate, assumed = _frame_rate(None, fps, role)
        present = ~np.isnan(angles).all(axis=1)
        angles = conditioning.angles(angles, rate, periodic=kind != "unsigned")
        info = conditioning.to_dict()
    if not present.any():
        raise InputError(f"{role}{where}: no frame has a person in it ({len(angles)} frames, all "
                         "empty); check the clip, or try another pose backend")
    if np.isnan(angles[present]).all():
        raise InputError(f"{role}{where}: every angle is NaN; the landmarks the angles need are "
                         "missing in all frames")
    return Execution(angles=angles, present=np.asarray(present, dtype=bool), fps=rate,
                     skeleton=skeleton, source=source, conditioning=info, fps_assumed=assumed)
