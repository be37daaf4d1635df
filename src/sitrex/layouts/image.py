"""2-D image layouts (COCO-17, Penn Action, MediaPipe's normalised image landmarks) and their units.

See :mod:`sitrex.layouts` for the units every converter here gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex.landmarks import N_LANDMARKS
from sitrex.skeleton import Skeleton

from ._common import _as_points, _check_image_size, _finish, _per_keypoint, _place

__all__ = [
    "COCO17_NAMES",
    "COCO17_TO_MEDIAPIPE",
    "PENN13_NAMES",
    "PENN13_README_NAMES",
    "PENN13_TO_MEDIAPIPE",
    "coco17_landmarks",
    "from_coco17",
    "from_normalized_image",
    "from_penn13",
    "to_pixels",
]

#: COCO-17 keypoint order, as used by YOLO-pose.
COCO17_NAMES: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
)

#: MediaPipe landmark index of each COCO-17 keypoint.
COCO17_TO_MEDIAPIPE: tuple[int, ...] = (
    0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28,
)

#: Penn Action's 13 columns as its README names them. The README has left and
#: right swapped relative to the anatomy; see :data:`PENN13_NAMES`.
PENN13_README_NAMES: tuple[str, ...] = (
    "head", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist",
    "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle",
)

#: What each Penn Action column actually holds, anatomically (the person's own
#: left and right). Checked on front, back and side views of the exercise
#: classes: the README's "left_*" columns are the person's right side.
PENN13_NAMES: tuple[str, ...] = (
    "head", "right_shoulder", "left_shoulder", "right_elbow", "left_elbow", "right_wrist",
    "left_wrist", "right_hip", "left_hip", "right_knee", "left_knee", "right_ankle",
    "left_ankle",
)

#: MediaPipe landmark index of each Penn Action column, anatomically correct
#: (the head goes to the nose).
PENN13_TO_MEDIAPIPE: tuple[int, ...] = (0, 12, 11, 14, 13, 16, 15, 24, 23, 26, 25, 28, 27)

_UNITS = ("pixels", "normalized")



def _to_image_height(
    xy: np.ndarray, units: str, image_size: Any, who: str
) -> tuple[np.ndarray, str]:
    """Convert 2-D pixel or normalised x, y in place; return (xy, units label)."""
    if units not in _UNITS:
        raise InputError(f"{who}: units must be one of {_UNITS}, got {units!r}")
    if units == "normalized":
        if image_size is None:
            raise InputError(
                f"{who}: normalised coordinates need image_size=(width, height) to correct "
                "the aspect ratio; pass the frame size in pixels"
            )
        width, height = _check_image_size(image_size, who)
        xy[..., 0] *= width / height
        return xy, "image_height"
    if image_size is None:
        return xy, "pixels"
    _, height = _check_image_size(image_size, who)
    xy /= height
    return xy, "image_height"


def _planar_landmarks(
    xy: np.ndarray, confidence: np.ndarray, index: tuple[int, ...], units: str, image_size: Any,
    who: str,
) -> tuple[np.ndarray, np.ndarray, str]:
    """2-D keypoints of another layout → 33-landmark (coords, confidence, units label).

    z = 0 where a keypoint is present; missing keypoints (NaN x or y) are NaN
    in both arrays, as a :class:`~sitrex.skeleton.Skeleton` holds them.
    """
    xy, unit_label = _to_image_height(xy, units, image_size, who)
    missing = np.isnan(xy).any(axis=-1)
    xyz = np.concatenate([xy, np.zeros(xy.shape[:2] + (1,))], axis=-1)
    xyz[missing] = np.nan
    coords, conf33 = _place(xyz, np.where(missing, np.nan, confidence), index)
    return coords, conf33, unit_label


def _planar_skeleton(
    xy: np.ndarray, confidence: np.ndarray, index: tuple[int, ...], units: str, image_size: Any,
    who: str, *, fps, source, meta,
) -> Skeleton:
    """2-D keypoints of another layout → a Skeleton with z = 0 and isotropic units."""
    coords, conf33, unit_label = _planar_landmarks(xy, confidence, index, units, image_size, who)
    return _finish(
        coords, conf33, dimensions=2, units=unit_label, image_size=image_size,
        fps=fps, source=source, meta=meta,
    )


def _coco17(
    keypoints: Any, scores: Any, min_confidence: float | None, units: str, image_size: Any,
    who: str,
) -> tuple[np.ndarray, np.ndarray, str]:
    """The COCO-17 mapping behind :func:`from_coco17` and :func:`coco17_landmarks`."""
    kp = _as_points(keypoints, 17, "keypoints", who, (2, 3))
    if kp.shape[2] == 3:
        if scores is not None:
            raise InputError(
                f"{who}: scores given twice, as a 3rd keypoint channel and as scores=; "
                "pass keypoints[..., :2] or drop scores="
            )
        scores = kp[..., 2]
    xy = kp[..., :2]
    conf = (
        np.ones(xy.shape[:2])
        if scores is None
        else _per_keypoint(scores, xy.shape[:2], "scores", who).astype(np.float64)
    )
    if min_confidence is not None:
        low = ~(conf >= min_confidence)  # NaN scores count as low
        xy = xy.copy()
        xy[low] = np.nan
    return _planar_landmarks(np.ascontiguousarray(xy), conf, COCO17_TO_MEDIAPIPE, units,
                             image_size, who)


def from_coco17(
    keypoints: Any,
    scores: Any = None,
    *,
    min_confidence: float | None = None,
    units: str = "pixels",
    image_size: tuple[float, float] | None = None,
    fps: float | None = None,
    source: str | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Skeleton:
    """Map COCO-17 (YOLO-pose) keypoints into a 33-landmark :class:`~sitrex.skeleton.Skeleton`.

    Parameters
    ----------
    keypoints : array_like, shape (T, 17, 2) or (T, 17, 3)
        x, y (and optionally a score) per keypoint, in :data:`COCO17_NAMES`
        order. A single frame (17, 2|3) is accepted.
    scores : array_like, shape (T, 17), optional
        Keypoint scores; not allowed together with a score channel.
    min_confidence : float, optional
        Keypoints scoring below it become missing (NaN). YOLO reports
        undetected keypoints at (0, 0) with a low score, so set this.
    units : {"pixels", "normalized"}
        Whether x, y are pixels or normalised by width and height separately.
    image_size : (width, height), optional
        Frame size in pixels. Required for ``units="normalized"``; with it,
        pixel input is converted to image-height units.
    fps, source, meta
        As for :class:`~sitrex.skeleton.Skeleton`; `meta` entries override
        the ``dimensions``, ``units`` and ``image_size`` set here.

    Returns
    -------
    Skeleton
        Keypoints at indices :data:`COCO17_TO_MEDIAPIPE`, z = 0.0, the other
        16 landmarks NaN; confidence = score (1.0 without scores).

    Examples
    --------
    >>> kp = np.zeros((1, 17, 3))
    >>> kp[0, :, :2] = 100.0
    >>> kp[0, :, 2] = 0.9
    >>> kp[0, 0, 2] = 0.1                       # a poorly detected nose
    >>> s = from_coco17(kp, min_confidence=0.5, image_size=(400, 200))
    >>> s["left_shoulder"].tolist(), bool(s.present[0, 0])
    ([[0.5, 0.5, 0.0]], False)
    """
    coords, conf, unit_label = _coco17(keypoints, scores, min_confidence, units, image_size,
                                       "from_coco17")
    return _finish(
        coords, conf, dimensions=2, units=unit_label, image_size=image_size,
        fps=fps, source=source, meta=meta,
    )


def coco17_landmarks(
    keypoints: Any,
    scores: Any = None,
    *,
    min_confidence: float | None = None,
    units: str = "pixels",
    image_size: tuple[float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """COCO-17 keypoints of several people (or frames) as 33-landmark arrays.

    The array form of :func:`from_coco17`, e.g. for a pose backend that
    reports several people per image (see :class:`~sitrex.backends.Detections`).

    Parameters
    ----------
    keypoints : array_like, shape (N, 17, 2) or (N, 17, 3)
        x, y (and optionally a score) per keypoint, in :data:`COCO17_NAMES`
        order, for N people. One person (17, 2|3) is accepted.
    scores, min_confidence, units, image_size
        As for :func:`from_coco17`.

    Returns
    -------
    coords : ndarray, shape (N, 33, 3)
        Keypoints at indices :data:`COCO17_TO_MEDIAPIPE`, z = 0.0, in image
        heights when `image_size` is given (else as given: pixels). The
        other 16 landmarks, and keypoints scoring below `min_confidence`,
        are NaN.
    confidence : ndarray, shape (N, 33)
        The scores (1.0 without scores); NaN where the landmark is missing.

    Examples
    --------
    >>> kp = np.full((2, 17, 2), 100.0)
    >>> scores = np.full((2, 17), 0.9)
    >>> scores[1, 5] = 0.2                      # the second person's left shoulder
    >>> coords, conf = coco17_landmarks(kp, scores, min_confidence=0.5, image_size=(400, 200))
    >>> coords.shape, coords[0, 11].tolist(), float(conf[0, 11])
    ((2, 33, 3), [0.5, 0.5, 0.0], 0.9)
    >>> bool(np.isnan(coords[1, 11]).all()), bool(np.isnan(conf[1, 11]))
    (True, True)
    """
    coords, conf, _ = _coco17(keypoints, scores, min_confidence, units, image_size,
                              "coco17_landmarks")
    return coords, conf


def from_penn13(
    xy: Any,
    visibility: Any = None,
    *,
    image_size: tuple[float, float] | None = None,
    fps: float | None = None,
    source: str | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Skeleton:
    """Map Penn Action's 13 labelled joints into a 33-landmark Skeleton.

    Parameters
    ----------
    xy : array_like, shape (T, 13, 2)
        Joint x, y in pixels (origin top-left), in Penn's column order.
    visibility : array_like of bool, shape (T, 13), optional
        Penn's visibility flag. Invisible joints become missing (NaN): many
        of them hold placeholder coordinates near the origin. Default: all
        visible.
    image_size : (width, height), optional
        Frame size in pixels; with it, coordinates are converted to
        image-height units, otherwise they stay in pixels.
    fps, source, meta
        As for :class:`~sitrex.skeleton.Skeleton`. Penn Action labels carry
        no frame rate.

    Returns
    -------
    Skeleton
        Joints at :data:`PENN13_TO_MEDIAPIPE`, z = 0.0, others NaN.

    Notes
    -----
    Penn Action's README lists the columns as head, left_shoulder,
    right_shoulder, ... but the data hold the person's *right* side in the
    "left_*" columns and vice versa. sitrex uses the anatomical mapping
    ``[0, 12, 11, 14, 13, 16, 15, 24, 23, 26, 25, 28, 27]``
    (:data:`PENN13_TO_MEDIAPIPE`), so README column 1 ("left_shoulder") goes
    to MediaPipe's right shoulder (12).

    Examples
    --------
    >>> xy = np.arange(26.0).reshape(1, 13, 2)
    >>> vis = np.ones((1, 13), bool)
    >>> vis[0, 12] = False                     # column 12: left ankle, invisible
    >>> s = from_penn13(xy, vis)
    >>> s["right_shoulder"].tolist()            # column 1
    [[2.0, 3.0, 0.0]]
    >>> bool(s.present[0, 27])                  # left ankle
    False
    """
    who = "from_penn13"
    pts = _as_points(xy, 13, "xy", who, (2,))
    if visibility is None:
        vis = np.ones(pts.shape[:2], dtype=bool)
    else:
        vis = _per_keypoint(visibility, pts.shape[:2], "visibility", who, dtype=bool)
    pts[~vis] = np.nan
    return _planar_skeleton(
        pts, np.ones(pts.shape[:2]), PENN13_TO_MEDIAPIPE, "pixels", image_size, who,
        fps=fps, source=source, meta=meta,
    )


def from_normalized_image(
    xyz: Any,
    visibility: Any = None,
    *,
    image_size: tuple[float, float] | None = None,
    fps: float | None = None,
    source: str | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Skeleton:
    """Skeleton from MediaPipe normalised image landmarks, with the aspect ratio corrected.

    Parameters
    ----------
    xyz : array_like, shape (T, 33, 3) or (T, 33, 4)
        MediaPipe ``x`` (divided by the image width), ``y`` (divided by the
        height), ``z`` (on x's scale) and optionally ``visibility``. A single
        pose (33, 3|4) is accepted. NaN marks a missing landmark or frame.
    visibility : array_like, shape (T, 33), optional
        Used as confidence; not allowed together with a 4th channel.
    image_size : (width, height)
        Frame size in pixels. Required: without it the aspect ratio cannot be
        undone and angles would be distorted.
    fps, source, meta
        As for :class:`~sitrex.skeleton.Skeleton`.

    Returns
    -------
    Skeleton
        In image-height units: ``x * width / height``, ``y``,
        ``z * width / height``; ``meta["dimensions"] = 3``.

    Examples
    --------
    >>> lm = np.full((1, 33, 4), 0.5)
    >>> s = from_normalized_image(lm, image_size=(1920, 1080))
    >>> s["nose"][0].round(4).tolist()
    [0.8889, 0.5, 0.8889]
    """
    who = "from_normalized_image"
    if image_size is None:
        raise InputError(
            f"{who} needs image_size=(width, height) in pixels: MediaPipe divides x by the "
            "width and y by the height, and the aspect ratio must be undone before angles "
            "are measured"
        )
    width, height = _check_image_size(image_size, who)
    arr = _as_points(xyz, N_LANDMARKS, "landmarks", who, (3, 4))
    if arr.shape[2] == 4:
        if visibility is not None:
            raise InputError(
                f"{who}: visibility given twice, as a 4th channel and as visibility=; "
                "pass xyz[..., :3] or drop visibility="
            )
        visibility = arr[..., 3]
    conf = None
    if visibility is not None:
        conf = _per_keypoint(visibility, arr.shape[:2], "visibility", who)
    coords = arr[..., :3] * np.array([width / height, 1.0, width / height])
    return _finish(
        coords, conf, dimensions=3, units="image_height", image_size=image_size,
        fps=fps, source=source, meta=meta,
    )


def to_pixels(skeleton: Skeleton) -> np.ndarray:
    """Coordinates of a Skeleton in pixels, e.g. to draw an overlay on the video.

    Parameters
    ----------
    skeleton : Skeleton
        With ``meta["units"]`` ``"image_height"`` (and ``meta["image_size"]``)
        or ``"pixels"``.

    Returns
    -------
    ndarray, shape (T, 33, 3)
        x, y (and z) multiplied by the image height; a copy.

    Raises
    ------
    ValueError
        If the skeleton is in other units (e.g. after
        :meth:`~sitrex.skeleton.Skeleton.normalized`).

    Examples
    --------
    >>> s = from_coco17(np.full((1, 17, 2), 0.5), units="normalized", image_size=(640, 480))
    >>> to_pixels(s)[0, 0].tolist()
    [320.0, 240.0, 0.0]
    """
    units = skeleton.meta.get("units")
    if units == "pixels":
        return skeleton.coords.copy()
    if units != "image_height":
        raise InputError(
            f"to_pixels needs a skeleton in 'image_height' or 'pixels' units, but this one "
            f"has units {units!r}; convert the skeleton before normalized(), or build it with "
            "from_normalized_image/from_coco17/from_penn13 and image_size=(width, height)"
        )
    if "image_size" not in skeleton.meta:
        raise InputError(
            "to_pixels needs meta['image_size'] = (width, height) to undo image-height units; "
            "set it with skel.replace(meta={**skel.meta, 'image_size': (w, h)})"
        )
    _, height = _check_image_size(skeleton.meta["image_size"], "to_pixels")
    return skeleton.coords * height
