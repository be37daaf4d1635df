"""Kinect v2's 25 body joints (3-D, metres) on the 33 landmarks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex.skeleton import Skeleton

from ._common import _as_points, _finish, _per_keypoint, _place

__all__ = ["KINECT25_NAMES", "KINECT25_TO_MEDIAPIPE", "KINECT_TRACKING_CONFIDENCE",
           "from_kinect_v2"]

#: Kinect v2 body joints in the SDK's ``JointType`` order (the person's own left and right).
KINECT25_NAMES: tuple[str, ...] = (
    "SpineBase", "SpineMid", "Neck", "Head", "ShoulderLeft", "ElbowLeft", "WristLeft", "HandLeft",
    "ShoulderRight", "ElbowRight", "WristRight", "HandRight", "HipLeft", "KneeLeft", "AnkleLeft",
    "FootLeft", "HipRight", "KneeRight", "AnkleRight", "FootRight", "SpineShoulder",
    "HandTipLeft", "ThumbLeft", "HandTipRight", "ThumbRight",
)

#: MediaPipe landmark index of each Kinect v2 joint; -1 where MediaPipe has none (the spine,
#: the neck and the palm centres). Head, hand tips, thumbs, hips and feet are approximate
#: (see :func:`from_kinect_v2`).
KINECT25_TO_MEDIAPIPE: tuple[int, ...] = (
    -1, -1, -1, 0, 11, 13, 15, -1, 12, 14, 16, -1, 23, 25, 27, 31, 24, 26, 28, 32, -1,
    19, 21, 20, 22,
)

#: Confidence of each Kinect ``TrackingState``: 0 NotTracked (missing), 1 Inferred, 2 Tracked.
KINECT_TRACKING_CONFIDENCE: tuple[float, ...] = (np.nan, 0.5, 1.0)


def from_kinect_v2(
    joints: Any,
    tracking: Any = None,
    *,
    inferred: str = "keep",
    fps: float | None = 30.0,
    source: str | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Skeleton:
    """Map Kinect v2 body joints into a 33-landmark :class:`~sitrex.skeleton.Skeleton`.

    Parameters
    ----------
    joints : array_like, shape (T, 25, 3)
        Camera-space positions in metres, in :data:`KINECT25_NAMES` order
        (Kinect's X to the sensor's left, Y up, Z away from the sensor). A
        single frame (25, 3) is accepted; NaN marks a missing joint.
    tracking : array_like of int, shape (T, 25), optional
        Kinect's ``TrackingState`` per joint: 2 tracked, 1 inferred, 0 not
        tracked (missing). Default: all tracked.
    inferred : {"keep", "drop"}, default "keep"
        Keep inferred joints (confidence 0.5; Kinect guesses them, e.g. a
        hand hidden behind the body) or make them missing.
    fps : float or None, default 30.0
        Kinect v2's nominal rate. Its time stamps jitter and skip frames; put
        the frames on a uniform clock first if the timing matters.
    source, meta
        As for :class:`~sitrex.skeleton.Skeleton`; `meta` entries override
        the ``dimensions`` and ``units`` set here.

    Returns
    -------
    Skeleton
        The 19 joints with a MediaPipe counterpart at
        :data:`KINECT25_TO_MEDIAPIPE`, in MediaPipe's axis sense (x to the
        image right, y down, z away from the camera: Kinect's X and Y negated,
        a rotation, so no side is mirrored); the other landmarks NaN.
        Confidence 1.0 for tracked joints, 0.5 for inferred ones.

    Raises
    ------
    sitrex.InputError
        For a wrong shape, a tracking state other than 0, 1 or 2, or an
        unknown `inferred`.

    Notes
    -----
    **What is approximate.** Kinect's Head is the centre of the head (as
    the nose here), HandTip and Thumb are finger points (as MediaPipe's index
    and thumb knuckles), its hips sit closer together than MediaPipe's, and
    Foot is on the forefoot (as the toe). There is no pinky, so the two
    wrist angles are NaN; the other 21 angles are measured. The spine, neck
    and palm centres have no MediaPipe landmark and are dropped. IRDS
    (:func:`sitrex.datasets.load_irds`) was mapped this way.

    **Left and right** are the person's own, as the Kinect SDK names them for
    a person facing the sensor; check them on a clip where you know which
    limb moves.

    Examples
    --------
    >>> joints = np.zeros((1, 25, 3))
    >>> joints[0, KINECT25_NAMES.index("ElbowLeft")] = (0.1, 1.2, 2.0)
    >>> tracking = np.full((1, 25), 2)
    >>> tracking[0, KINECT25_NAMES.index("HandTipLeft")] = 1          # inferred
    >>> s = from_kinect_v2(joints, tracking)
    >>> s["left_elbow"].tolist()
    [[-0.1, -1.2, 2.0]]
    >>> float(s.confidence[0, 19]), s.meta["units"], s.fps              # left_index
    (0.5, 'metres', 30.0)
    >>> bool(from_kinect_v2(joints, tracking, inferred="drop").present[0, 19])
    False
    """
    who = "from_kinect_v2"
    xyz = _as_points(joints, 25, "joints", who, (3,))
    if tracking is None:
        state = np.full(xyz.shape[:2], 2)
    else:
        state = _per_keypoint(tracking, xyz.shape[:2], "tracking", who)
        if not np.isin(state, (0, 1, 2)).all():
            bad = np.unique(state[~np.isin(state, (0, 1, 2))])[:5].tolist()
            raise InputError(f"{who}: tracking holds Kinect TrackingState values 0 (not "
                             f"tracked), 1 (inferred) or 2 (tracked); found {bad}")
        state = state.astype(int)
    if inferred not in ("keep", "drop"):
        raise InputError(f"{who}: inferred must be 'keep' or 'drop', got {inferred!r}")
    confidence = np.asarray(KINECT_TRACKING_CONFIDENCE)[state]
    if inferred == "drop":
        confidence[state == 1] = np.nan
    missing = np.isnan(confidence) | np.isnan(xyz).any(axis=-1)
    xyz = xyz * np.array([-1.0, -1.0, 1.0])            # Kinect's axes to MediaPipe's sense
    xyz[missing] = np.nan
    kept = [k for k, index in enumerate(KINECT25_TO_MEDIAPIPE) if index >= 0]
    coords, conf = _place(xyz[:, kept], np.where(missing, np.nan, confidence)[:, kept],
                          tuple(KINECT25_TO_MEDIAPIPE[k] for k in kept))
    return _finish(coords, conf, dimensions=3, units="metres", image_size=None, fps=fps,
                   source=source, meta=meta)
