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
Triton as absent, which is fine on CPU and for plain inference.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from sitrex.backends._resolve import MODEL_FILES, resolve_model_file
from sitrex.backends.base import BackendError, Detections, PoseBackend
from sitrex.landmarks import N_LANDMARKS
from sitrex.layouts import COCO17_TO_MEDIAPIPE

__all__ = ["YoloBackend"]

_IMPORT_LOCK = threading.Lock()
_COCO = np.asarray(COCO17_TO_MEDIAPIPE)


def import_ultralytics():
    """Import ``ultralytics.YOLO``, guarding against the TensorFlow/Triton LLVM clash.

    Raises
    ------
    ImportError
        Without ultralytics, naming the pip extra.

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
            from ultralytics import YOLO
        except ImportError as exc:
            raise ImportError(
                f'the \'yolo\' pose backend needs ultralytics; install it with: pip install '
                f'"sitrex[yolo]" ({exc})'
            ) from exc
        finally:
            if block and sys.modules.get("triton", 0) is None:
                del sys.modules["triton"]
    return YOLO


def _has_lap() -> bool:
    import importlib.util

    return importlib.util.find_spec("lap") is not None


class YoloBackend(PoseBackend):
    """Pose from an Ultralytics YOLO-pose model (COCO-17 keypoints, 2-D).

    Parameters
    ----------
    model : {"n", "s", "m", "l", "x"}, default "n"
        YOLO11 pose model size (``yolo11<model>-pose.pt``).
    weights : str or os.PathLike, optional
        The ``.pt`` file (or a folder holding it). Otherwise
        ``$SITREX_YOLO_WEIGHTS``, then the cache folder, then a download
        (see :func:`sitrex.backends._resolve.resolve_model_file`). Any
        ultralytics pose checkpoint works when given explicitly.
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

    Raises
    ------
    ImportError
        Without ultralytics (``pip install "sitrex[yolo]"``).
    ModelNotAvailableError
        If the weights cannot be found or fetched.

    Examples
    --------
    >>> YoloBackend.name, YoloBackend.install_hint()
    ('yolo', 'pip install "sitrex[yolo]"')

    With the weights at hand::

        backend = YoloBackend("n", weights="yolo11n-pose.pt", person="central")
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
        weights: str | os.PathLike[str] | None = None,
        device: str = "cpu",
        imgsz: int = 640,
        conf: float = 0.25,
        iou: float = 0.7,
        min_keypoint_confidence: float = 0.5,
        tracker: str | None = "bytetrack.yaml",
        person: str | int = "largest",
        progress: bool | None = None,
        download: bool = True,
    ) -> None:
        super().__init__(person=person, progress=progress)
        if ("yolo", model) not in MODEL_FILES:
            raise ValueError(f"model must be one of 'n', 's', 'm', 'l', 'x', got {model!r}")
        for label, value in (("conf", conf), ("iou", iou),
                             ("min_keypoint_confidence", min_keypoint_confidence)):
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"{label} must be in [0, 1], got {value!r}")
        self.model = model
        self.device = device
        self.imgsz = int(imgsz)
        self.conf = float(conf)
        self.iou = float(iou)
        self.min_keypoint_confidence = float(min_keypoint_confidence)
        self.tracker = tracker
        YOLO = import_ultralytics()
        self.weights = resolve_model_file(MODEL_FILES["yolo", model], weights,
                                          argument="weights", download=download)
        try:
            self._yolo = YOLO(str(self.weights), task="pose")
        except Exception as exc:
            raise BackendError(
                f"ultralytics cannot load {self.weights} as YOLO-pose weights ({exc})"
            ) from exc

    def __repr__(self) -> str:
        return (f"YoloBackend(model={self.model!r}, device={self.device!r}, "
                f"tracker={self.tracker!r}, person={self.person!r})")

    def _meta(self) -> dict[str, Any]:
        return {"model": self.weights.name, "landmarks": "coco17"}

    def _kwargs(self) -> dict[str, Any]:
        return {"device": self.device, "imgsz": self.imgsz, "conf": self.conf, "iou": self.iou,
                "verbose": False, "classes": [0]}

    def _to_detections(self, result, height: int, with_ids: bool) -> Detections:
        kp = result.keypoints
        if kp is None or result.boxes is None or len(result.boxes) == 0:
            return Detections.empty()
        xy = kp.xy.cpu().numpy().astype(np.float64)  # (N, 17, 2) pixels
        n = xy.shape[0]
        score = (kp.conf.cpu().numpy().astype(np.float64) if kp.conf is not None
                 else np.ones(xy.shape[:2]))
        xy[score < self.min_keypoint_confidence] = np.nan
        coords = np.full((n, N_LANDMARKS, 3), np.nan)
        confidence = np.full((n, N_LANDMARKS), np.nan)
        coords[:, _COCO, :2] = xy / height
        coords[:, _COCO, 2] = np.where(np.isnan(xy[..., 0]), np.nan, 0.0)
        confidence[:, _COCO] = score
        boxes = result.boxes.xyxy.cpu().numpy().astype(np.float64)
        scores = result.boxes.conf.cpu().numpy().astype(np.float64)
        ids = None
        if with_ids and result.boxes.id is not None:
            ids = result.boxes.id.cpu().numpy().astype(np.int64)
        keep = scores >= self.conf  # tracking runs at a lower threshold; see _detect_frames
        if not keep.all():
            ids = None if ids is None else ids[keep]
            coords, confidence, boxes, scores = coords[keep], confidence[keep], boxes[keep], scores[keep]
        return Detections(coords, confidence, boxes, scores, ids)

    def _detect_image(self, rgb: np.ndarray) -> Detections:
        bgr = np.ascontiguousarray(rgb[..., ::-1])  # ultralytics expects BGR arrays
        result = self._yolo.predict(bgr, **self._kwargs())[0]
        return self._to_detections(result, rgb.shape[0], with_ids=False)

    def _detect_frames(self, frames: Iterable[Any]) -> Iterator[Detections]:
        if self.tracker is None or not _has_lap():
            yield from super()._detect_frames(frames)
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
            yield self._to_detections(result, frame.rgb.shape[0], with_ids=True)
