"""Pose backends: images and videos in, a :class:`~sitrex.skeleton.Skeleton` out.

Every backend subclasses :class:`PoseBackend` (the plugin contract: it
implements ``detect_image`` and inherits ``estimate_image`` and
``estimate_video``) and is registered under the entry-point group
``sitrex.backends``, the built-in ``mediapipe`` and ``yolo`` exactly like
third-party ones. :func:`list_backends` tells which are usable;
:func:`get_backend` creates one with its options.

Importing this package is cheap: MediaPipe, ultralytics, torch and OpenCV are
imported when a backend is *instantiated* (or a video is read).

Examples
--------
>>> from sitrex.backends import get_backend, list_backends
>>> "mediapipe" in list_backends(all=True)
True

With the dependencies and model files at hand::

    backend = get_backend("yolo", model="n", model_path="yolo11n-pose.pt")
    skeleton = backend.estimate_video("squat.mp4", max_frames=300)
"""

from __future__ import annotations

from sitrex._imports import lazy_exports

from sitrex.backends._registry import (
    ENTRY_POINT_GROUP,
    BackendStatus,
    get_backend,
    list_backends,
    refresh_backends,
)
from sitrex.backends.base import (
    BackendError,
    BackendNotFoundError,
    Detections,
    ModelNotAvailableError,
    PoseBackend,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "BackendError",
    "BackendNotFoundError",
    "BackendStatus",
    "Detections",
    "ModelNotAvailableError",
    "PoseBackend",
    "extract_folder",
    "extract_videos",
    "get_backend",
    "list_backends",
    "refresh_backends",
]


__getattr__, __dir__, _ = lazy_exports(
    __name__, {"extract_folder": ".batch", "extract_videos": ".batch"}, namespace=globals())
