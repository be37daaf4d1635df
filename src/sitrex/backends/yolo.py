"""Ultralytics YOLO-pose backend: COCO-17 keypoints mapped onto the 33-landmark skeleton.

Single images go through ``YOLO.predict``; videos through ``YOLO.track``
(ByteTrack by default), whose track ids let :class:`~sitrex.backends.PoseBackend`
follow one person across frames. Keypoints land on their MediaPipe indices
(:data:`sitrex.layouts.COCO17_TO_MEDIAPIPE`); the 16 landmarks COCO lacks
(hands, feet, mouth, inner eyes) stay NaN, so angles that need them are NaN.
Poses are 2-D (z = 0, ``meta["dimensions"] = 2``) in image heights.

Colour order: ultralytics takes numpy images as **BGR** (OpenCV's order) and
converts them to RGB itself, so this backend hands it ``rgb[..., ::-1]``;
passing RGB straight through would swap the red and blue channels.

Import-order trap: see :mod:`sitrex.backends.mediapipe`. If TensorFlow is
already loaded (e.g. by Keras' TensorFlow backend) and Triton is not, loading
Triton -- which ``torch._dynamo`` does when torchvision is imported -- aborts
the process. In that case, and only then, ``sys.modules["triton"]`` is set to
None while torch, torchvision and ultralytics are imported: torch treats
Triton as absent, which is fine on CPU and for plain inference. torchvision is
imported there explicitly, since ultralytics >= 8.4 would import it only at the
first prediction, outside the guard (which crashed a TensorFlow-then-YOLO
process at its first frame).
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from sitrex._imports import import_optional
from sitrex._validation import check_int, check_number
from sitrex.backends._resolve import MODEL_FILES, resolve_model_file, unloadable_model_error
from sitrex.backends.base import Detections, PoseBackend
from sitrex.exceptions import InputError
from sitrex.layouts import coco17_landmarks

__all__ = ["YoloBackend"]

_IMPORT_LOCK = threading.Lock()


def import_ultralytics():
    """Import ``ultralytics.YOLO``, guarding against the TensorFlow/Triton LLVM clash.

    Raises
    ------
    sitrex.exceptions.MissingDependencyError
        Without ultralytics, naming the pip extra (an ``ImportError``).

    Examples
    --------
    >>> import_ultralytics().__name__
    'YOLO'
    """
    with _IMPORT_LOCK:
        block = "tensorflow" in sys.modules and "triton" not in sys.modules
        if block:
            sys.modules["triton"] = None  # type: ignore[assignment]
        try:
            YOLO = import_optional("ultralytics", "the 'yolo' pose backend", "yolo").YOLO
            # ultralytics imports torchvision lazily, at the first prediction, and torchvision
            # loads torch._dynamo and so Triton: import it here, inside the guard.
            import_optional("torchvision", "the 'yolo' pose backend", "yolo")
            return YOLO
        finally:
            if block and sys.modules.get("triton", 0) is None:
                del sys.modules["triton"]


def _has_lap() -> bool:
    import importlib.util

    return importlib.util.find_spec("lap") is not None


class YoloBackend(PoseBackend):
    """Pose from an Ultralytics YOLO-pose model (COCO-17 keypoints, 2-D).

    Parameters
    ----------
    model : {"n", "s", "m", "l", "x"}, default "n"
        YOLO11 pose model size (``yolo11<model>-pose.pt``).
    model_path : str or os.PathLike, optional
        The ``.pt`` weights file (or a folder holding ``yolo11<model>-pose.pt``).
        Otherwise ``$SITREX_YOLO_WEIGHTS``, then the cache folder, then a
        download (see :func:`sitrex.backends._resolve.resolve_model_file`).
        Any ultralytics pose checkpoint works when given explicitly.
    device : str, default "cpu"
        Torch device, e.g. ``"cpu"``, ``"cuda:0"``, ``"mps"``.
    imgsz : int, default 640
        Inference size (the model was trained at 640).
    conf : float, default 0.25
        Minimum person detection score.
    iou : float, default 0.7
        Non-maximum-suppression IoU threshold.
    min_keypoint_confidence : float, default 0.5
        Keypoints scoring below it are missing (NaN). YOLO reports keypoints
        it cannot see at low scores, often at (0, 0).
    tracker : str or None, default "bytetrack.yaml"
        Ultralytics tracker config for videos. None, or a tracker whose
        dependency ``lap`` is missing, falls back to ``predict`` per frame
        with the person followed by box overlap alone.
    person : {"largest", "central"} or int, default "largest"
        Which person to keep, see :class:`~sitrex.backends.PoseBackend`.
    progress : bool, optional
        Progress bar for videos (None: only on a terminal).
    download : bool, default True
        Allow downloading the weights when they are nowhere else.
    weights : str or os.PathLike, optional
        Deprecated name of `model_path` (sitrex 0.1); it works, with a
        :class:`DeprecationWarning`, until sitrex 0.2.

    Attributes
    ----------
    model_path : pathlib.Path
        The weights file in use.

    Raises
    ------
    sitrex.exceptions.MissingDependencyError
        Without ultralytics (``pip install "sitrex[yolo]"``).
    sitrex.exceptions.InputError
        For an unknown `model` or an option out of range.
    sitrex.exceptions.ModelNotAvailableError
        If the weights cannot be found or fetched.
    sitrex.exceptions.IntegrityError
        If the weights file fails its checksum or ultralytics cannot load it.

    Examples
    --------
    >>> YoloBackend.name, YoloBackend.install_hint()
    ('yolo', 'pip install "sitrex[yolo]"')

    With the weights at hand::

        backend = YoloBackend("n", model_path="yolo11n-pose.pt", person="central")
        skel = backend.estimate_video("two_people.mp4")
    """

    name = "yolo"
    extra = "yolo"
    requires = ("ultralytics", "cv2")
    dimensions = 2

    def __init__(
        self,
        model: str = "n",
        *,
        model_path: str | os.PathLike[str] | None = None,
        device: str = "cpu",
        imgsz: int = 640,
        conf: float = 0.25,
        iou: float = 0.7,
        min_keypoint_confidence: float = 0.5,
        tracker: str | None = "bytetrack.yaml",
        person: str | int = "largest",
        progress: bool | None = None,
        download: bool = True,
        weights: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(person=person, progress=progress)
        if ("yolo", model) not in MODEL_FILES:
            raise InputError(f"model must be one of 'n', 's', 'm', 'l', 'x', got {model!r}")
        model_path = _renamed_weights(model_path, weights)
        self.model = model
        self.device = device
        self.imgsz = check_int(imgsz, "imgsz")
        self.conf = check_number(conf, "conf", low=0, high=1)
        self.iou = check_number(iou, "iou", low=0, high=1)
        self.min_keypoint_confidence = check_number(
            min_keypoint_confidence, "min_keypoint_confidence", low=0, high=1)
        self.tracker = tracker
        YOLO = import_ultralytics()
        spec = MODEL_FILES["yolo", model]
        self.model_path = resolve_model_file(spec, model_path, download=download)
        try:
            self._yolo = YOLO(str(self.model_path), task="pose")
            if self.model_path.suffix.lower() != ".pt":  # other formats load on first use
                self._yolo.predict(np.zeros((self.imgsz, self.imgsz, 3), np.uint8),
                                   **self._kwargs())
        except Exception as exc:  # ultralytics reports a bad checkpoint in many ways
            raise unloadable_model_error(self.model_path, spec, "ultralytics", exc) from exc

    @property
    def weights(self):
        """Deprecated name of :attr:`model_path` (until sitrex 0.2)."""
        warnings.warn("YoloBackend.weights is now YoloBackend.model_path (the old name works "
                      "until sitrex 0.2)", DeprecationWarning, stacklevel=2)
        return self.model_path

    def __repr__(self) -> str:
        return (f"YoloBackend(model={self.model!r}, device={self.device!r}, "
                f"tracker={self.tracker!r}, person={self.person!r})")

    def metadata(self) -> dict[str, Any]:
        return {"model": self.model_path.name, "landmarks": "coco17"}

    def _kwargs(self) -> dict[str, Any]:
        return {"device": self.device, "imgsz": self.imgsz, "conf": self.conf, "iou": self.iou,
                "verbose": False, "classes": [0]}

    def _to_detections(self, result, image_size: tuple[int, int], with_ids: bool) -> Detections:
        kp = result.keypoints
        if kp is None or result.boxes is None or len(result.boxes) == 0:
            return Detections.empty()
        xy = kp.xy.cpu().numpy()  # (N, 17, 2) pixels
        score = kp.conf.cpu().numpy() if kp.conf is not None else None
        # YOLO reports keypoints it cannot see at low scores, often at (0, 0): those become NaN.
        coords, confidence = coco17_landmarks(
            xy, score, min_confidence=self.min_keypoint_confidence, image_size=image_size)
        boxes = result.boxes.xyxy.cpu().numpy().astype(np.float64)
        scores = result.boxes.conf.cpu().numpy().astype(np.float64)
        ids = None
        if with_ids and result.boxes.id is not None:
            ids = result.boxes.id.cpu().numpy().astype(np.int64)
        keep = scores >= self.conf  # tracking runs at a lower threshold; see detect_frames
        if not keep.all():
            ids = None if ids is None else ids[keep]
            coords, confidence, boxes, scores = coords[keep], confidence[keep], boxes[keep], scores[keep]
        return Detections(coords, confidence, boxes, scores, ids)

    def detect_image(self, rgb: np.ndarray) -> Detections:
        bgr = np.ascontiguousarray(rgb[..., ::-1])  # ultralytics expects BGR arrays
        result = self._yolo.predict(bgr, **self._kwargs())[0]
        return self._to_detections(result, _size(rgb), with_ids=False)

    def detect_frames(self, frames: Iterable[Any]) -> Iterator[Detections]:
        if self.tracker is None or not _has_lap():
            yield from super().detect_frames(frames)
            return
        first = True
        for frame in frames:
            bgr = np.ascontiguousarray(frame.rgb[..., ::-1])
            # persist=False on the first frame starts a fresh tracker for this video.
            # The tracker sees detections down to 0.1 (ultralytics' own tracking default:
            # ByteTrack uses low-score boxes to keep tracks alive); the person still has to
            # score `conf` to be used.
            kwargs = {**self._kwargs(), "conf": min(self.conf, 0.1)}
            result = self._yolo.track(bgr, persist=not first, tracker=self.tracker, **kwargs)[0]
            first = False
            yield self._to_detections(result, _size(frame.rgb), with_ids=True)


def _size(rgb: np.ndarray) -> tuple[int, int]:
    """(width, height) of an image array."""
    return rgb.shape[1], rgb.shape[0]


def _renamed_weights(model_path, weights):
    """`model_path`, accepting the sitrex 0.1 name ``weights=`` with a DeprecationWarning."""
    if weights is None:
        return model_path
    if model_path is not None:
        raise InputError("pass the weights file once, as model_path= (weights= is its old name)")
    warnings.warn("YoloBackend(weights=...) is now YoloBackend(model_path=...), like the other "
                  "backends; the old name works until sitrex 0.2", DeprecationWarning,
                  stacklevel=3)
    return weights
