"""OpenPose's keypoint layouts (BODY_25, its COCO-18, and COCO-17 as other tools write it).

OpenPose (Cao et al., IEEE TPAMI 43(1), 2021) is the pose estimator most
clinical and sports-science studies used before MediaPipe. Its ``--write_json``
output holds, per person, ``pose_keypoints_2d`` as ``x, y, c`` triplets (and,
with ``--hand``, 21 keypoints per hand; with ``--3d``, ``x, y, z, c``
quadruplets). :func:`from_openpose` maps one person's keypoints into the
33-landmark :class:`~sitrex.skeleton.Skeleton`; :func:`sitrex.openpose_json.read_openpose`
reads the JSON files themselves.

OpenPose writes a keypoint it did not find as ``0, 0, 0``: a confidence of 0
always means "missing" here, whatever `min_confidence` says, so that no joint
is ever placed at the image's corner.

See :mod:`sitrex.layouts` for the units of 2-D keypoints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex.skeleton import Skeleton

from ._common import _as_points, _finish, _place
from .image import COCO17_NAMES, COCO17_TO_MEDIAPIPE, _planar_landmarks

__all__ = [
    "BODY25_NAMES",
    "BODY25_TO_MEDIAPIPE",
    "COCO18_NAMES",
    "COCO18_TO_MEDIAPIPE",
    "OPENPOSE_HAND_TO_MEDIAPIPE",
    "OPENPOSE_LAYOUTS",
    "from_openpose",
    "openpose_landmarks",
]

#: OpenPose's BODY_25 keypoint order (its default model).
BODY25_NAMES: tuple[str, ...] = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder",
    "left_elbow", "left_wrist", "mid_hip", "right_hip", "right_knee", "right_ankle", "left_hip",
    "left_knee", "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear",
    "left_big_toe", "left_small_toe", "left_heel", "right_big_toe", "right_small_toe",
    "right_heel",
)

#: MediaPipe landmark index of each BODY_25 keypoint; -1 where MediaPipe has
#: no such point (neck, mid-hip, small toes). The big toe goes to MediaPipe's
#: foot index.
BODY25_TO_MEDIAPIPE: tuple[int, ...] = (
    0, -1, 12, 14, 16, 11, 13, 15, -1, 24, 26, 28, 23, 25, 27, 5, 2, 8, 7, 31, -1, 29, 32, -1,
    30,
)

#: OpenPose's older COCO-18 model: COCO's 17 keypoints in another order, plus a neck.
COCO18_NAMES: tuple[str, ...] = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder",
    "left_elbow", "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip",
    "left_knee", "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear",
)

#: MediaPipe landmark index of each COCO-18 keypoint (-1: the neck).
COCO18_TO_MEDIAPIPE: tuple[int, ...] = (
    0, -1, 12, 14, 16, 11, 13, 15, 24, 26, 28, 23, 25, 27, 5, 2, 8, 7,
)

#: OpenPose hand keypoint -> (left hand's, right hand's) MediaPipe landmark:
#: the thumb's second knuckle, the index and pinky knuckles (MediaPipe's
#: hand points on the pose), which the wrist angles need.
OPENPOSE_HAND_TO_MEDIAPIPE: dict[int, tuple[int, int]] = {2: (21, 22), 5: (19, 20), 17: (17, 18)}

#: Layout name -> (keypoint names, MediaPipe index of each keypoint). "coco17"
#: is COCO's own order, which AlphaPose and others write in OpenPose's format.
OPENPOSE_LAYOUTS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "body25": (BODY25_NAMES, BODY25_TO_MEDIAPIPE),
    "coco18": (COCO18_NAMES, COCO18_TO_MEDIAPIPE),
    "coco17": (COCO17_NAMES, COCO17_TO_MEDIAPIPE),
}

_HAND_KEYPOINTS = 21


def _layout_for_count(n_keypoints: int, who: str) -> str:
    """The layout whose keypoint count is `n_keypoints` (OpenPose's files do not name it)."""
    for name, (names, _) in OPENPOSE_LAYOUTS.items():
        if len(names) == n_keypoints:
            return name
    known = ", ".join(f"{len(names)} ({name})" for name, (names, _) in OPENPOSE_LAYOUTS.items())
    raise InputError(
        f"{who}: {n_keypoints} keypoints per person match no layout sitrex reads ({known}); "
        "export BODY_25 (OpenPose's default model) or map the keypoints yourself "
        "(docs: 'Your own landmarks')"
    )


def _layout(layout: str, who: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    if layout not in OPENPOSE_LAYOUTS:
        raise InputError(f"{who}: layout must be one of {sorted(OPENPOSE_LAYOUTS)}, got {layout!r}")
    return OPENPOSE_LAYOUTS[layout]


def _hand(values: Any, side: int, like: np.ndarray, who: str):
    """One hand's (points, confidence, MediaPipe index) for the knuckles sitrex uses."""
    name = ("hand_left", "hand_right")[side]
    hand = _as_points(values, _HAND_KEYPOINTS, name, who, (like.shape[2],))
    if hand.shape[0] != like.shape[0]:
        raise InputError(f"{who}: {name} has {hand.shape[0]} rows, the body keypoints "
                         f"{like.shape[0]}; give one hand per person (or frame)")
    picked = sorted(OPENPOSE_HAND_TO_MEDIAPIPE)
    index = tuple(OPENPOSE_HAND_TO_MEDIAPIPE[k][side] for k in picked)
    return hand[:, picked, :-1], hand[:, picked, -1], index


def _keypoints(keypoints, layout, hand_left, hand_right, min_confidence, who):
    """Mapped keypoints: points (N, M, D) with NaN where missing, confidence (N, M), index."""
    names, to_mediapipe = _layout(layout, who)
    kp = _as_points(keypoints, len(names), "keypoints", who, (3, 4))
    mapped = [k for k, target in enumerate(to_mediapipe) if target >= 0]
    parts = [(kp[:, mapped, :-1], kp[:, mapped, -1], tuple(to_mediapipe[k] for k in mapped))]
    for side, hand in enumerate((hand_left, hand_right)):
        if hand is not None:
            parts.append(_hand(hand, side, kp, who))
    points = np.concatenate([p for p, _, _ in parts], axis=1)
    confidence = np.concatenate([c for _, c, _ in parts], axis=1)
    index = sum((i for _, _, i in parts), ())
    missing = ~(confidence > 0) | np.isnan(points).any(axis=-1)  # OpenPose's 0, 0, 0
    if min_confidence is not None:
        missing |= ~(confidence >= float(min_confidence))
    points[missing] = np.nan
    return points, np.where(missing, np.nan, confidence), index


def openpose_landmarks(
    keypoints: Any,
    *,
    layout: str = "body25",
    hand_left: Any = None,
    hand_right: Any = None,
    min_confidence: float | None = None,
    units: str = "pixels",
    image_size: tuple[float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, str]:
    """OpenPose keypoints of several people (or frames) as 33-landmark arrays.

    The array form of :func:`from_openpose`.

    Parameters
    ----------
    keypoints, layout, hand_left, hand_right, min_confidence, units, image_size
        As for :func:`from_openpose`, with N people (or frames) in the first axis.

    Returns
    -------
    coords : ndarray, shape (N, 33, 3)
        z = 0 for 2-D keypoints; NaN where a landmark is missing or unmapped.
    confidence : ndarray, shape (N, 33)
    units : str
        ``"image_height"``, ``"pixels"`` (2-D) or ``"as recorded"`` (3-D).

    Examples
    --------
    >>> kp = np.zeros((2, 25, 3))               # two people, nothing found ...
    >>> kp[0, 2] = [300.0, 100.0, 0.8]          # ... but the first one's right shoulder
    >>> coords, conf, units = openpose_landmarks(kp, image_size=(640, 400))
    >>> coords[0, 12].tolist(), float(conf[0, 12]), units
    ([0.75, 0.25, 0.0], 0.8, 'image_height')
    >>> bool(np.isnan(coords[1]).all())
    True
    """
    who = "openpose_landmarks"
    points, confidence, index = _keypoints(keypoints, layout, hand_left, hand_right,
                                           min_confidence, who)
    if points.shape[2] == 2:
        return _planar_landmarks(points, confidence, index, units, image_size, who)
    coords, conf = _place(points, confidence, index)
    return coords, conf, "as recorded"


def from_openpose(
    keypoints: Any,
    *,
    layout: str = "body25",
    hand_left: Any = None,
    hand_right: Any = None,
    min_confidence: float | None = None,
    units: str = "pixels",
    image_size: tuple[float, float] | None = None,
    fps: float | None = None,
    source: str | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Skeleton:
    """Map one person's OpenPose keypoints, frame by frame, into a 33-landmark Skeleton.

    Parameters
    ----------
    keypoints : array_like, shape (T, K, 3) or (T, K, 4)
        ``x, y, c`` (``pose_keypoints_2d``) or ``x, y, z, c``
        (``pose_keypoints_3d``) per keypoint, K = 25 for ``layout="body25"``.
        A single frame (K, 3|4) is accepted.
    layout : {"body25", "coco18", "coco17"}
        The keypoint order (:data:`OPENPOSE_LAYOUTS`): OpenPose's default
        BODY_25, its older COCO-18 model, or COCO's own 17.
    hand_left, hand_right : array_like, shape (T, 21, 3|4), optional
        OpenPose's hand keypoints (``hand_left_keypoints_2d`` ...): their
        index and pinky knuckles give the wrist angles, which the body
        keypoints alone leave unmeasured.
    min_confidence : float, optional
        Keypoints below it become missing (NaN). A confidence of 0 is missing
        in any case (OpenPose's ``0, 0, 0`` for a keypoint it did not find).
    units : {"pixels", "normalized"}
        For 2-D keypoints, as OpenPose's ``--keypoint_scale`` wrote them:
        pixels (its default) or normalised to [0, 1] by width and height.
    image_size : (width, height), optional
        Frame size in pixels; converts 2-D keypoints to image-height units
        (required for ``units="normalized"``).
    fps, source, meta
        As for :class:`~sitrex.skeleton.Skeleton`.

    Returns
    -------
    Skeleton
        2-D keypoints with z = 0 (``meta["dimensions"] = 2``) or 3-D ones as
        recorded (``meta["units"] = "as recorded"``: the units of OpenPose's
        camera calibration). Neck, mid-hip and small toes have no MediaPipe
        counterpart and are not kept.

    Raises
    ------
    InputError
        For a shape that does not match the layout, or an unknown layout.

    Examples
    --------
    >>> kp = np.zeros((1, 25, 3))
    >>> kp[0, 5] = [120.0, 80.0, 0.9]           # left shoulder
    >>> kp[0, 6] = [130.0, 140.0, 0.02]         # left elbow, barely seen
    >>> s = from_openpose(kp, min_confidence=0.1, fps=25)
    >>> s["left_shoulder"].tolist(), bool(s.present[0, 13]), s.meta["units"]
    ([[120.0, 80.0, 0.0]], False, 'pixels')
    """
    coords, conf, unit_label = openpose_landmarks(
        keypoints, layout=layout, hand_left=hand_left, hand_right=hand_right,
        min_confidence=min_confidence, units=units, image_size=image_size)
    dimensions = 3 if unit_label == "as recorded" else 2
    return _finish(coords, conf, dimensions=dimensions, units=unit_label,
                   image_size=image_size, fps=fps, source=source, meta=meta)
