"""MediaPipe Tasks ``PoseLandmarker`` backend (``mediapipe >= 0.10.30``).

IMAGE running mode for single images, VIDEO running mode for videos (with
timestamps from the video's clock, so MediaPipe's temporal tracking and
smoothing work as designed). Models: ``lite``, ``full`` (default) and
``heavy`` ``.task`` bundles, found by :mod:`sitrex.backends._resolve`.

Import-order trap (measured with mediapipe 1.2.3, tensorflow-cpu 2.21,
torch 2.15 / torchvision 0.29 / triton 3.9, Linux x86-64)
--------------------------------------------------------------------------
``from mediapipe.tasks.python import vision`` imports **TensorFlow**, although
it never uses it: ``mediapipe/tasks/python/core/optional_dependencies.py`` does
``from tensorflow.tools.docs import doc_controls`` (a documentation decorator)
and falls back to a no-op when TensorFlow is absent. TensorFlow's native
library and **Triton**'s (``libtriton.so``, loaded by ``torch._dynamo``, which
torchvision and so ultralytics import) both carry a statically linked LLVM and
register the same LLVM command-line options. Loading Triton *after*
TensorFlow aborts the whole process ("CommandLine Error: Option
'bitcode-mdindex-threshold' registered more than once! LLVM ERROR:
inconsistency in registered CommandLine options"); Triton first, then
TensorFlow, is fine. So ``import mediapipe`` then ``import torchvision``
crashed, the reverse order did not; ``import tensorflow; import triton`` alone
reproduces it, with no MediaPipe involved.

The fix here removes the cause rather than ordering imports: while MediaPipe is
imported, ``sys.modules["tensorflow"]`` is set to None (only if TensorFlow is
not already loaded), so MediaPipe takes its own TensorFlow-less fallback. The
import also gets faster (about 0.7 s instead of several seconds) and lighter.
The YOLO backend guards the other direction (see :mod:`sitrex.backends.yolo`).
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from sitrex._imports import import_optional
from sitrex._validation import check_int, check_number
from sitrex._native_logs import native_logs_silenced
from sitrex.backends._resolve import MODEL_FILES, resolve_model_file, unloadable_model_error
from sitrex.backends._tracking import boxes_from_points
from sitrex.backends.base import Detections, PoseBackend
from sitrex.exceptions import InputError, MissingDependencyError

__all__ = ["MediaPipeBackend"]

_MIN_VERSION = (0, 10, 30)
_IMPORT_LOCK = threading.Lock()
_LANDMARK_SETS = ("image", "world")


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def import_mediapipe():
    """Import MediaPipe's Tasks vision API without pulling in TensorFlow.

    Returns
    -------
    (module, module, type)
        ``mediapipe``, ``mediapipe.tasks.python.vision`` and ``BaseOptions``.

    Raises
    ------
    sitrex.exceptions.MissingDependencyError
        If MediaPipe is missing or older than 0.10.30, naming the pip extra
        (an ``ImportError``).

    Examples
    --------
    >>> mp, vision, BaseOptions = import_mediapipe()
    >>> vision.PoseLandmarker.__name__
    'PoseLandmarker'
    """
    with _IMPORT_LOCK:
        block = "tensorflow" not in sys.modules
        if block:
            # See the module docstring: keeps TensorFlow (and its LLVM) out of the process.
            sys.modules["tensorflow"] = None  # type: ignore[assignment]
        try:
            purpose = "the 'mediapipe' pose backend (MediaPipe >= 0.10.30)"
            mp = import_optional("mediapipe", purpose, "mediapipe")
            vision = import_optional("mediapipe.tasks.python.vision", purpose, "mediapipe")
            options = import_optional("mediapipe.tasks.python.core.base_options", purpose,
                                      "mediapipe")
        finally:
            if block and sys.modules.get("tensorflow", 0) is None:
                del sys.modules["tensorflow"]
    version = getattr(mp, "__version__", "0")
    if _version_tuple(version) < _MIN_VERSION:
        raise MissingDependencyError(
            f"MediaPipe {version} is too old: sitrex needs the Tasks API of mediapipe >= "
            f'0.10.30 to read .task models; upgrade with: pip install -U "sitrex[mediapipe]"'
        )
    return mp, vision, options.BaseOptions


def _close_at_exit(ref: weakref.ref, pid: int) -> None:
    if os.getpid() != pid:
        # A forked child (e.g. a ProcessPoolExecutor worker, whose exit also runs these
        # hooks) owns only a copy of the handle, and MediaPipe's dispatcher thread does
        # not exist there: closing would wait forever.
        return
    backend = ref()
    if backend is not None:
        with contextlib.suppress(Exception):
            backend.close()


def _close_before_shutdown(backend: MediaPipeBackend) -> None:
    """Close a backend's landmarker at exit, *before* ``concurrent.futures`` shuts down.

    MediaPipe 1.x closes a landmarker through a thread-pool executor; at
    interpreter exit that executor is gone before ordinary ``atexit``/``weakref``
    finalizers run, and a landmarker left open prints a traceback from its
    ``__del__``. ``threading._register_atexit`` hooks run earlier, in reverse
    order of registration, so a hook registered after MediaPipe was imported
    runs before the executor's shutdown.
    """
    register = getattr(threading, "_register_atexit", None)
    if register is None:  # pragma: no cover - other Pythons
        return
    with contextlib.suppress(RuntimeError):  # already shutting down
        register(_close_at_exit, weakref.ref(backend), os.getpid())


class MediaPipeBackend(PoseBackend):
    """Pose from MediaPipe's ``PoseLandmarker`` (33 BlazePose landmarks, 3-D).

    Parameters
    ----------
    model : {"lite", "full", "heavy"}, default "full"
        Model size: lite is fastest, heavy most accurate. "full" is the
        network of the legacy ``mp.solutions.pose`` default
        (``model_complexity=1``) that the SiTrEx data were made with.
    model_path : str or os.PathLike, optional
        The ``.task`` file (or a folder holding ``pose_landmarker_<model>.task``).
        Otherwise ``$SITREX_MEDIAPIPE_MODEL``, then the cache folder, then a
        download (see :func:`sitrex.backends._resolve.resolve_model_file`).
    landmarks : {"image", "world"}, default "image"
        ``"image"``: MediaPipe's normalised image landmarks with the aspect
        ratio undone, in image heights (x, y in the image, z on the same
        scale; ``meta["units"] = "image_height"``). They line up with the
        video, can be drawn (:meth:`~sitrex.skeleton.Skeleton.pixel_coords`),
        compare with YOLO, and are what the SiTrEx paper's data hold.
        ``"world"``: metric 3-D landmarks in metres centred on the hips
        (``meta["units"] = "meters"``), better for depth but not aligned with
        the pixels.
    num_poses : int, default 1
        People MediaPipe looks for. Raise it to choose among several people
        with `person` (each extra person costs a landmark pass).
    min_detection_confidence, min_presence_confidence, min_tracking_confidence : float
        MediaPipe's thresholds, default 0.5.
    person : {"largest", "central"} or int, default "largest"
        Which person to keep, see :class:`~sitrex.backends.PoseBackend`.
    progress : bool, optional
        Progress bar for videos (None: only on a terminal).
    download : bool, default True
        Allow downloading the model when it is nowhere else.

    Raises
    ------
    sitrex.exceptions.MissingDependencyError
        Without MediaPipe (``pip install "sitrex[mediapipe]"``).
    sitrex.exceptions.InputError
        For an unknown `model` or `landmarks`, or an option out of range.
    sitrex.exceptions.ModelNotAvailableError
        If the model file cannot be found or fetched.
    sitrex.exceptions.IntegrityError
        If MediaPipe cannot load the model file (raised when the first image
        or video is estimated, since the model is loaded then).

    Examples
    --------
    >>> MediaPipeBackend.name, MediaPipeBackend.install_hint()
    ('mediapipe', 'pip install "sitrex[mediapipe]"')

    With the model file at hand::

        backend = MediaPipeBackend("lite", model_path="pose_landmarker_lite.task")
        skel = backend.estimate_video("squat.mp4")      # VIDEO mode, real timestamps
        pose = backend.estimate_image("person.jpg")     # IMAGE mode
    """

    name = "mediapipe"
    extra = "mediapipe"
    requires = ("mediapipe", "cv2")

    def __init__(
        self,
        model: str = "full",
        *,
        model_path: str | os.PathLike[str] | None = None,
        landmarks: str = "image",
        num_poses: int = 1,
        min_detection_confidence: float = 0.5,
        min_presence_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        person: str | int = "largest",
        progress: bool | None = None,
        download: bool = True,
    ) -> None:
        super().__init__(person=person, progress=progress)
        if ("mediapipe", model) not in MODEL_FILES:
            raise InputError(f"model must be 'lite', 'full' or 'heavy', got {model!r}")
        if landmarks not in _LANDMARK_SETS:
            raise InputError(f"landmarks must be 'image' or 'world', got {landmarks!r}")
        self.model = model
        self.landmarks = landmarks
        self.num_poses = check_int(num_poses, "num_poses")
        self.thresholds = tuple(check_number(value, label, low=0, high=1) for label, value in (
            ("min_detection_confidence", min_detection_confidence),
            ("min_presence_confidence", min_presence_confidence),
            ("min_tracking_confidence", min_tracking_confidence)))
        self.units = "image_height" if landmarks == "image" else "meters"
        self._mp, self._vision, self._BaseOptions = import_mediapipe()
        self._model_file = MODEL_FILES["mediapipe", model]
        self.model_path = resolve_model_file(self._model_file, model_path, download=download)
        self._image_landmarker = None
        self._exit_hook = False

    def __repr__(self) -> str:
        return (f"MediaPipeBackend(model={self.model!r}, landmarks={self.landmarks!r}, "
                f"num_poses={self.num_poses}, person={self.person!r})")

    def metadata(self) -> dict[str, Any]:
        return {"model": self.model_path.name, "landmarks": self.landmarks}

    def _create(self, mode: str):
        vision = self._vision
        det, pres, track = self.thresholds
        options = vision.PoseLandmarkerOptions(
            base_options=self._BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=getattr(vision.RunningMode, mode),
            num_poses=self.num_poses,
            min_pose_detection_confidence=det,
            min_pose_presence_confidence=pres,
            min_tracking_confidence=track,
        )
        try:
            with native_logs_silenced():   # MediaPipe's C++ start-up lines (see _native_logs)
                return vision.PoseLandmarker.create_from_options(options)
        except Exception as exc:  # MediaPipe raises RuntimeError/ValueError on bad files
            raise unloadable_model_error(self.model_path, self._model_file, "MediaPipe",
                                         exc) from exc

    def _to_detections(self, result, width: int, height: int) -> Detections:
        poses = result.pose_landmarks
        if not poses:
            return Detections.empty()
        # (N, 33, 5): x, y, z, visibility, presence; one conversion per frame.
        raw = np.array(
            [[(p.x, p.y, p.z, p.visibility, p.presence) for p in pose] for pose in poses],
            dtype=np.float64,
        )
        pixels = raw[..., :2] * np.array([width, height], dtype=np.float64)
        boxes = boxes_from_points(pixels)
        confidence = raw[..., 3]
        if self.landmarks == "image":
            coords = raw[..., :3] * np.array([width / height, 1.0, width / height])
        else:
            coords = np.array(
                [[(p.x, p.y, p.z) for p in pose] for pose in result.pose_world_landmarks],
                dtype=np.float64,
            )
        scores = np.nanmean(raw[..., 4], axis=1)
        return Detections(coords, confidence, boxes, scores, None)

    def _mp_image(self, rgb: np.ndarray):
        mp = self._mp
        return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))

    def detect_image(self, rgb: np.ndarray) -> Detections:
        first = self._image_landmarker is None
        if first:
            self._image_landmarker = self._create("IMAGE")
            if not self._exit_hook:
                _close_before_shutdown(self)
                self._exit_hook = True
        with native_logs_silenced() if first else contextlib.nullcontext():
            result = self._image_landmarker.detect(self._mp_image(rgb))
        return self._to_detections(result, rgb.shape[1], rgb.shape[0])

    def detect_frames(self, frames: Iterable[Any]) -> Iterator[Detections]:
        # A fresh VIDEO-mode landmarker per video: its tracking state and the
        # strictly increasing timestamps belong to one video.
        landmarker = self._create("VIDEO")
        try:
            last_ms = -1
            for frame in frames:
                t = frame.time
                ms = int(round(t * 1000.0)) if math.isfinite(t) else last_ms + 33
                if ms <= last_ms:  # sub-millisecond spacing: keep timestamps increasing
                    ms = last_ms + 1
                first, last_ms = last_ms < 0, ms
                # the first inference logs its delegate set-up from C++
                with native_logs_silenced() if first else contextlib.nullcontext():
                    result = landmarker.detect_for_video(self._mp_image(frame.rgb), ms)
                yield self._to_detections(result, frame.rgb.shape[1], frame.rgb.shape[0])
        finally:
            with native_logs_silenced():
                landmarker.close()

    def close(self) -> None:
        """Release the cached IMAGE-mode landmarker."""
        landmarker, self._image_landmarker = self._image_landmarker, None
        if landmarker is not None:
            with native_logs_silenced():
                landmarker.close()
