"""The interface every pose backend implements, and the shared video/person logic.

A backend subclasses :class:`PoseBackend` and implements two small hooks:

``_detect_image(rgb)``
    All people in one RGB image, as :class:`Detections`.
``_detect_frames(frames)``
    A generator of :class:`Detections`, one per :class:`~sitrex.video.Frame`,
    for streaming/tracking models (MediaPipe's VIDEO mode, YOLO's tracker).
    The default calls ``_detect_image`` on each frame.

Everything else is shared: reading images and videos (RGB, via
:mod:`sitrex.video`), choosing **one person consistently** across frames,
turning frames without that person into NaN frames (counted in
``meta["no_person_frames"]``), the progress bar and the metadata of the
resulting :class:`~sitrex.skeleton.Skeleton`.
"""

from __future__ import annotations

import abc
import importlib.util
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from sitrex.exceptions import BackendError, BackendNotFoundError, ModelNotAvailableError
from sitrex.landmarks import N_LANDMARKS
from sitrex.skeleton import Skeleton

__all__ = [
    "BackendError",
    "BackendNotFoundError",
    "Detections",
    "ModelNotAvailableError",
    "PoseBackend",
]


@dataclass(frozen=True)
class Detections:
    """Every person a backend found in one frame.

    Attributes
    ----------
    coords : ndarray, shape (N, 33, 3)
        Landmarks in the backend's output units (see
        :attr:`PoseBackend.units`); NaN where missing.
    confidence : ndarray, shape (N, 33)
    boxes : ndarray, shape (N, 4)
        Person boxes ``x0, y0, x1, y1`` in pixels, used to choose the person.
    scores : ndarray, shape (N,)
        Person detection scores.
    ids : ndarray of int, shape (N,), optional
        Track ids from the backend's tracker, when it has one.

    Examples
    --------
    >>> Detections.empty().n
    0
    """

    coords: np.ndarray
    confidence: np.ndarray
    boxes: np.ndarray
    scores: np.ndarray
    ids: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.coords.shape[0])

    @classmethod
    def empty(cls) -> Detections:
        """No person."""
        return cls(
            np.empty((0, N_LANDMARKS, 3)), np.empty((0, N_LANDMARKS)), np.empty((0, 4)),
            np.empty(0), None,
        )


def boxes_from_points(xy: np.ndarray) -> np.ndarray:
    """(N, K, 2) pixel points -> (N, 4) boxes around the present ones (NaN box if none).

    Examples
    --------
    >>> boxes_from_points(np.array([[[1.0, 2.0], [3.0, np.nan], [5.0, 0.0]]])).tolist()
    [[1.0, 0.0, 5.0, 2.0]]
    """
    xy = np.asarray(xy, dtype=np.float64)
    if xy.shape[0] == 0:
        return np.empty((0, 4))
    ok = ~np.isnan(xy).any(axis=-1, keepdims=True)
    lo = np.where(ok, xy, np.inf).min(axis=1)
    hi = np.where(ok, xy, -np.inf).max(axis=1)
    boxes = np.concatenate([lo, hi], axis=1)
    boxes[~np.isfinite(boxes).all(axis=1)] = np.nan
    return boxes


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = inter / (area + areas - inter)
    return np.nan_to_num(iou, nan=0.0)


_PERSON_RULES = ("largest", "central")


def _check_person(person: Any) -> str | int:
    if isinstance(person, str) and person in _PERSON_RULES:
        return person
    if isinstance(person, (int, np.integer)) and not isinstance(person, bool) and person >= 0:
        return int(person)
    raise ValueError(
        f"person must be 'largest', 'central' or a rank >= 0 (0 = largest person, 1 = the "
        f"second largest, ...), got {person!r}"
    )


class PersonSelector:
    """Choose one person in the first frame that has one, then follow that person.

    Parameters
    ----------
    person : {"largest", "central"} or int
        How to choose when locking on: the largest box, the box whose centre
        is nearest the image centre, or the k-th largest (0 = largest).
    image_size : (width, height)
        For the "central" rule.
    iou_threshold : float, default 0.3
        In later frames the person is the detection with the same track id
        or, when there is no id match, the best overlap (IoU) with the
        person's last box, if at least this. Otherwise the frame has no
        person.

    Examples
    --------
    >>> sel = PersonSelector("largest", (100, 100))
    >>> boxes = np.array([[0, 0, 10, 10], [50, 50, 90, 90.0]])
    >>> det = Detections(np.zeros((2, 33, 3)), np.ones((2, 33)), boxes, np.ones(2))
    >>> sel.pick(det)
    1
    >>> moved = Detections(det.coords, det.confidence, boxes[::-1] + 2, np.ones(2))
    >>> sel.pick(moved)                    # the same person, now listed first
    0
    """

    def __init__(self, person: str | int, image_size: tuple[int, int], iou_threshold: float = 0.3):
        self.person = _check_person(person)
        self.image_size = image_size
        self.iou_threshold = float(iou_threshold)
        self.track_id: int | None = None
        self.last_box: np.ndarray | None = None

    def rank(self, det: Detections) -> int | None:
        """Index of the person the rule chooses among `det`, ignoring history."""
        boxes = det.boxes
        valid = np.flatnonzero(np.isfinite(boxes).all(axis=1))
        if valid.size == 0:
            return None
        b = boxes[valid]
        if self.person == "central":
            w, h = self.image_size
            centre = 0.5 * (b[:, :2] + b[:, 2:])
            dist = np.hypot(centre[:, 0] - w / 2.0, centre[:, 1] - h / 2.0)
            return int(valid[np.argmin(dist)])
        area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        order = valid[np.argsort(-area, kind="stable")]
        k = 0 if self.person == "largest" else self.person
        return int(order[k]) if k < order.size else None

    def pick(self, det: Detections) -> int | None:
        """Index of the followed person in `det`, or None when absent."""
        if det.n == 0:
            return None
        if self.last_box is None:
            i = self.rank(det)
        else:
            i = None
            if det.ids is not None and self.track_id is not None:
                hit = np.flatnonzero(det.ids == self.track_id)
                if hit.size:
                    i = int(hit[0])
            if i is None:
                iou = _iou(self.last_box, det.boxes)
                best = int(np.argmax(iou))
                if iou[best] >= self.iou_threshold:
                    i = best
        if i is not None:
            self.last_box = det.boxes[i].copy()
            if det.ids is not None:
                self.track_id = int(det.ids[i])
        return i


def _as_rgb(image: Any) -> np.ndarray:
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., np.newaxis], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ValueError(
            f"expected an RGB image of shape (H, W, 3) (or a path), got an array of shape "
            f"{arr.shape}"
        )
    if arr.shape[2] == 4:
        arr = arr[..., :3]
    if arr.dtype != np.uint8:
        if np.issubdtype(arr.dtype, np.floating) and arr.size and np.nanmax(arr) <= 1.0:
            arr = arr * 255.0
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"the image is empty: shape {arr.shape}")
    return np.ascontiguousarray(arr)


def read_image(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image file as an RGB uint8 array (H, W, 3), with OpenCV.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ValueError
        If OpenCV cannot decode it.

    Examples
    --------
    >>> read_image("no/such/image.jpg")
    Traceback (most recent call last):
    ...
    FileNotFoundError: no image file at 'no/such/image.jpg'; check the path
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no image file at {str(path)!r}; check the path")
    from sitrex.video import _import_cv2

    cv2 = _import_cv2()
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ValueError(f"{path.name}: OpenCV cannot decode this file as an image")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _frames_from_iterable(frames: Iterable[Any], fps: float | None):
    """Normalise user frames (Frame, (rgb, seconds) pairs, or bare arrays) to Frame objects."""
    from sitrex.video import Frame

    last_t = -math.inf
    for i, item in enumerate(frames):
        if isinstance(item, Frame):
            frame = Frame(item.index, item.time, _as_rgb(item.rgb))
        elif isinstance(item, tuple) and len(item) == 2:
            frame = Frame(i, float(item[1]), _as_rgb(item[0]))
        else:
            if fps is None:
                raise ValueError(
                    "frames given as bare arrays need fps=...; or pass (rgb, time_in_seconds) "
                    "pairs"
                )
            frame = Frame(i, i / fps, _as_rgb(item))
        if not frame.time > last_t:
            raise ValueError(
                f"frame timestamps must strictly increase; frame {i} has time {frame.time} "
                f"after {last_t}"
            )
        last_t = frame.time
        yield frame


class PoseBackend(abc.ABC):
    """Base class of every pose backend: images and videos in, a :class:`~sitrex.skeleton.Skeleton` out.

    Backend options (model size, thresholds, device, which person) are
    constructor arguments of the subclass. Subclasses set the class
    attributes :attr:`name`, :attr:`extra` and :attr:`requires`, and
    implement :meth:`_detect_image` (and optionally :meth:`_detect_frames`).

    Parameters
    ----------
    person : {"largest", "central"} or int, default "largest"
        Which person to follow when several are in view: chosen in the first
        frame with a person (the largest box, the most central box, or the
        k-th largest, 0 = largest), then followed by track id and box
        overlap. Frames where that person is absent become NaN frames.
    progress : bool, optional
        Show a tqdm progress bar for videos. None (default): only when
        stderr is a terminal.

    Examples
    --------
    A minimal backend that "finds" one fixed pose in every image:

    >>> class Fixed(PoseBackend):
    ...     name = "fixed"
    ...     def _detect_image(self, rgb):
    ...         h, w = rgb.shape[:2]
    ...         xyz = np.full((1, 33, 3), 0.5)
    ...         return Detections(xyz, np.ones((1, 33)), np.array([[0, 0, w, h]]), np.ones(1))
    >>> skel = Fixed().estimate_image(np.zeros((10, 20, 3), np.uint8))
    >>> skel.n_frames, skel.meta["backend"], skel.meta["no_person_frames"]
    (1, 'fixed', 0)
    >>> frames = [np.zeros((10, 20, 3), np.uint8)] * 4
    >>> Fixed().estimate_video(frames, fps=2.0).duration
    2.0
    """

    #: Registry name of the backend.
    name: ClassVar[str] = "base"
    #: pip extra that installs the backend's dependencies (``sitrex[<extra>]``), if any.
    extra: ClassVar[str | None] = None
    #: Importable modules the backend needs; checked without importing them.
    requires: ClassVar[tuple[str, ...]] = ()
    #: Units of the output coordinates (``Skeleton.meta["units"]``).
    units: str = "image_height"
    #: 2 for image-plane poses (z = 0), 3 otherwise.
    dimensions: int = 3

    def __init__(self, *, person: str | int = "largest", progress: bool | None = None) -> None:
        self.person = _check_person(person)
        self.progress = progress

    # ------------------------------------------------------------------ availability
    @classmethod
    def missing_requirements(cls) -> list[str]:
        """The entries of :attr:`requires` that are not installed (nothing is imported).

        Examples
        --------
        >>> PoseBackend.missing_requirements()
        []
        """
        missing = []
        for module in cls.requires:
            try:
                found = importlib.util.find_spec(module) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                missing.append(module)
        return missing

    @classmethod
    def is_available(cls) -> bool:
        """Whether the backend's dependencies are installed (without importing them).

        Examples
        --------
        >>> PoseBackend.is_available()
        True
        """
        return not cls.missing_requirements()

    @classmethod
    def install_hint(cls) -> str:
        """How to install what the backend needs.

        Examples
        --------
        >>> from sitrex.backends.yolo import YoloBackend
        >>> YoloBackend.install_hint()
        'pip install "sitrex[yolo]"'
        """
        if cls.extra:
            return f'pip install "sitrex[{cls.extra}]"'
        return "pip install " + " ".join(cls.requires) if cls.requires else "nothing to install"

    # ------------------------------------------------------------------ hooks
    @abc.abstractmethod
    def _detect_image(self, rgb: np.ndarray) -> Detections:
        """All people in one RGB uint8 image."""

    def _detect_frames(self, frames: Iterable[Any]) -> Iterator[Detections]:
        """One :class:`Detections` per frame; override for streaming or tracking models."""
        for frame in frames:
            yield self._detect_image(frame.rgb)

    def _meta(self) -> dict[str, Any]:
        """Backend-specific metadata added to every result (model name, options)."""
        return {}

    def close(self) -> None:
        """Release models and native resources (the backend can be used again afterwards)."""

    def __enter__(self) -> PoseBackend:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(person={self.person!r})"

    # ------------------------------------------------------------------ public API
    def _finish(self, coords, conf, *, image_size, fps, source, extra_meta) -> Skeleton:
        n_frames = coords.shape[0]
        no_person = int(np.isnan(coords[..., 0]).all(axis=1).sum())
        meta: dict[str, Any] = {
            "dimensions": self.dimensions,
            "units": self.units,
            "image_size": (int(image_size[0]), int(image_size[1])),
            "backend": self.name,
            "person": self.person,
            "n_frames": n_frames,
            "no_person_frames": no_person,
        }
        meta.update(self._meta())
        meta.update(extra_meta)
        return Skeleton(coords, conf, fps=fps, source=source, meta=meta)

    def estimate_image(self, image: Any) -> Skeleton:
        """Pose of one person in one image, as a one-frame Skeleton.

        Parameters
        ----------
        image : str, os.PathLike or array_like
            An image file, or RGB pixels of shape (H, W, 3) (uint8, or
            floats in [0, 1]). Arrays are taken as **RGB**; convert OpenCV's
            BGR images first.

        Returns
        -------
        Skeleton
            One frame with ``fps=None``. If nobody is found the frame is all
            NaN and ``meta["no_person_frames"]`` is 1. With several people,
            the `person` rule chooses one.
        """
        source = None
        if isinstance(image, (str, os.PathLike)):
            source = f"{self.name}:{Path(image).name}"
            rgb = read_image(image)
        else:
            rgb = _as_rgb(image)
        h, w = rgb.shape[:2]
        det = self._detect_image(rgb)
        coords = np.full((1, N_LANDMARKS, 3), np.nan)
        conf = np.full((1, N_LANDMARKS), np.nan)
        i = PersonSelector(self.person, (w, h)).rank(det) if det.n else None
        if i is not None:
            coords[0], conf[0] = det.coords[i], det.confidence[i]
        extra = {"people_in_view": det.n}
        return self._finish(coords, conf, image_size=(w, h), fps=None, source=source,
                            extra_meta=extra)

    def estimate_video(
        self,
        video: Any,
        *,
        fps: float | None = None,
        start: int = 0,
        stop: int | None = None,
        step: int = 1,
        max_frames: int | None = None,
        progress: bool | None = None,
    ) -> Skeleton:
        """Pose of one person in every frame of a video.

        Parameters
        ----------
        video : str, os.PathLike, VideoReader or iterable
            A video file; a :class:`~sitrex.video.VideoReader`; or an
            iterable of frames: :class:`~sitrex.video.Frame` objects,
            ``(rgb, time_in_seconds)`` pairs, or bare RGB arrays (then `fps`
            is required). Timestamps must strictly increase.
        fps : float, optional
            Frame rate. For files it overrides the container's; for
            iterables of timed frames it defaults to the median rate of the
            timestamps.
        start, stop, step, max_frames : int, optional
            Frame range of a video file (see :class:`~sitrex.video.VideoReader`);
            `max_frames` also limits iterables.
        progress : bool, optional
            Progress bar; defaults to the backend's `progress` setting (None:
            only on a terminal).

        Returns
        -------
        Skeleton
            One frame per decoded frame, ``fps`` of the video (divided by
            `step`). Frames without the chosen person are NaN;
            ``meta["no_person_frames"]`` counts them.

        Raises
        ------
        FileNotFoundError
            If the video file does not exist.
        sitrex.exceptions.VideoError
            If it cannot be opened or no frame can be decoded, or the
            iterable is empty.
        """
        from sitrex.video import VideoError, VideoReader, progress_enabled

        reader = None
        source = None
        if isinstance(video, (str, os.PathLike)):
            reader = VideoReader(video, start=start, stop=stop, step=step,
                                 max_frames=max_frames, fps=fps)
        elif isinstance(video, VideoReader):
            reader = video
        if reader is not None:
            source = f"{self.name}:{reader.path.name}"
            frames: Iterable[Any] = reader
            total = len(reader) or None
            video_fps = reader.fps / reader.step if reader.fps else None
        else:
            frames = _frames_from_iterable(video, fps)
            if max_frames is not None:
                import itertools

                frames = itertools.islice(frames, int(max_frames))
            total = len(video) if hasattr(video, "__len__") else None
            if max_frames is not None and total is not None:
                total = min(total, int(max_frames))
            video_fps = fps

        show = progress_enabled(self.progress if progress is None else progress)
        times: list[float] = []
        size: list[tuple[int, int]] = []

        def recorded(it):
            for frame in it:
                times.append(frame.time)
                if not size:
                    h, w = frame.rgb.shape[:2]
                    size.append((w, h))
                yield frame

        coords_list: list[np.ndarray] = []
        conf_list: list[np.ndarray] = []
        people: list[int] = []
        selector: PersonSelector | None = None
        bar = None
        if show:
            from tqdm.auto import tqdm

            bar = tqdm(total=total, unit="frame", desc=f"{self.name} pose", leave=False)
        try:
            for det in self._detect_frames(recorded(frames)):
                if selector is None:
                    selector = PersonSelector(self.person, size[0])
                i = selector.pick(det)
                people.append(det.n)
                if i is None:
                    coords_list.append(np.full((N_LANDMARKS, 3), np.nan))
                    conf_list.append(np.full(N_LANDMARKS, np.nan))
                else:
                    coords_list.append(det.coords[i])
                    conf_list.append(det.confidence[i])
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
        if not coords_list:
            what = source or "the frame iterable"
            raise VideoError(f"{what}: no frames to estimate (the result would have 0 frames)")
        if video_fps is None and len(times) > 1:
            dt = float(np.median(np.diff(times)))
            video_fps = 1.0 / dt if dt > 0 else None
        extra: dict[str, Any] = {
            "max_people_in_view": int(max(people)),
        }
        if reader is not None:
            extra.update(video=reader.path.name, start_frame=reader.start,
                         frame_step=reader.step, video_frame_count=reader.frame_count)
        return self._finish(
            np.stack(coords_list), np.stack(conf_list), image_size=size[0], fps=video_fps,
            source=source, extra_meta=extra,
        )
