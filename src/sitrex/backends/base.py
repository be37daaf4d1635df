"""The plugin contract of pose backends: :class:`PoseBackend` and :class:`Detections`.

A plugin implements the hooks of :class:`PoseBackend` and inherits the rest.
The shared machinery lives beside it: reading images and frames in
:mod:`sitrex.video`, choosing and following one person in
``sitrex.backends._tracking``.
"""

from __future__ import annotations

import abc
import importlib.util
import os
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from sitrex import video as _video
from sitrex.backends._tracking import PersonTrack, check_person
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

#: Public hook -> the private name it had in sitrex 0.1, still accepted (with a
#: DeprecationWarning when the class is created) until sitrex 0.2.
_RENAMED_HOOKS = {"detect_image": "_detect_image", "detect_frames": "_detect_frames",
                  "metadata": "_meta"}


@dataclass(frozen=True)
class Detections:
    """Every person a backend found in one frame.

    Attributes
    ----------
    coords : ndarray, shape (N, 33, 3)
        Landmarks in MediaPipe's 33-landmark layout and the backend's output
        units (see :attr:`PoseBackend.units`); NaN where missing.
        :mod:`sitrex.layouts` maps other keypoint layouts onto it.
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


def _first_definer(cls: type, attribute: str) -> int:
    """Position in ``cls.__mro__`` of the class that defines `attribute` (len(mro) if none)."""
    return next((i for i, klass in enumerate(cls.__mro__) if attribute in vars(klass)),
                len(cls.__mro__))


class PoseBackend(abc.ABC):
    """Base class of every pose backend: images and videos in, a :class:`~sitrex.skeleton.Skeleton` out.

    **A plugin implements** (the methods sitrex calls, see each for details):

    * :meth:`detect_image` (required): every person in one RGB image;
    * :meth:`detect_frames` (optional): every person in each frame of one
      video, for models that keep state across frames;
    * :meth:`metadata` (optional): entries for the ``meta`` of every result;

    **and describes itself** with the class attributes :attr:`name`,
    :attr:`extra`, :attr:`requires`, :attr:`units` and :attr:`dimensions`.

    Options (model size, thresholds, device) are keyword arguments of the
    subclass's ``__init__``, which passes `person` and `progress` on to this
    one. Import heavy libraries in ``__init__``, not at module level: listing
    the installed backends imports the module. :meth:`close` releases
    native resources. Everything else (video reading, the choice of person,
    NaN frames, progress bars, metadata) is inherited.

    The sitrex 0.1 names of the hooks, ``_detect_image``, ``_detect_frames``
    and ``_meta``, still work until sitrex 0.2, with a
    :class:`DeprecationWarning` when the class is defined.

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

    Raises
    ------
    TypeError
        If the class does not implement :meth:`detect_image`.

    Examples
    --------
    A minimal backend that "finds" one fixed pose in every image:

    >>> class Fixed(PoseBackend):
    ...     name = "fixed"
    ...     def detect_image(self, rgb):
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
    #: Units of the output coordinates (``Skeleton.meta["units"]``), e.g.
    #: ``"image_height"`` (pixels divided by the image height) or ``"meters"``.
    units: str = "image_height"
    #: 2 for image-plane poses (z = 0), 3 otherwise.
    dimensions: int = 3

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        renamed = {public: private for public, private in _RENAMED_HOOKS.items()
                   if _first_definer(cls, private) < _first_definer(cls, public)}
        for public, private in renamed.items():
            setattr(cls, public, getattr(cls, private))
        if renamed:
            names = ", ".join(f"{old}() -> {new}()" for new, old in renamed.items())
            warnings.warn(
                f"{cls.__module__}.{cls.__qualname__} implements pose-backend hooks under their "
                f"sitrex 0.1 private names; rename them: {names} (the old names work until "
                "sitrex 0.2)", DeprecationWarning, stacklevel=3)  # the class statement

    def __init__(self, *, person: str | int = "largest", progress: bool | None = None) -> None:
        self.person = check_person(person)
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
    def detect_image(self, rgb: np.ndarray) -> Detections:
        """Every person in one image. Required.

        Parameters
        ----------
        rgb : ndarray, shape (H, W, 3), uint8
            The pixels in **RGB** order, C-contiguous.

        Returns
        -------
        Detections
            Landmarks in the 33-landmark layout and :attr:`units`, a
            confidence per landmark, a box in pixels and a score per person;
            :meth:`Detections.empty` when nobody is found.
        """

    def detect_frames(self, frames: Iterable[Any]) -> Iterator[Detections]:
        """Every person in each frame of one video. Optional.

        Override it for models that keep state across frames (temporal
        smoothing, a tracker that reports ``ids``); the default calls
        :meth:`detect_image` on each frame.

        Parameters
        ----------
        frames : iterable of sitrex.video.Frame
            The frames of one video, in order, with strictly increasing
            ``time``; read lazily, so consume them one at a time.

        Yields
        ------
        Detections
            One per frame, in order.
        """
        for frame in frames:
            yield self.detect_image(frame.rgb)

    def metadata(self) -> dict[str, Any]:
        """Entries added to the ``meta`` of every result (model file, options). Optional.

        Returns
        -------
        dict
            JSON-friendly values; the default is empty.
        """
        return {}

    def _detect_frames(self, frames: Iterable[Any]) -> Iterator[Detections]:
        # Deprecated (sitrex 0.1 name): the default, for old subclasses calling super().
        return PoseBackend.detect_frames(self, frames)

    def _meta(self) -> dict[str, Any]:
        # Deprecated (sitrex 0.1 name): the default, for old subclasses calling super().
        return PoseBackend.metadata(self)

    def close(self) -> None:
        """Release models and native resources (the backend can be used again afterwards)."""

    def __enter__(self) -> PoseBackend:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(person={self.person!r})"

    # ------------------------------------------------------------------ public API
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
            rgb = _video.read_image(image)
        else:
            rgb = _video.as_rgb(image)
        height, width = rgb.shape[:2]
        det = self.detect_image(rgb)
        track = PersonTrack(self.person)
        track.add(det, (width, height))
        return self._skeleton(track, image_size=(width, height), fps=None, source=source,
                              extra_meta={"people_in_view": det.n})

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
        source = _video._frame_source(video, fps=fps, start=start, stop=stop, step=step,
                               max_frames=max_frames)
        reader = source.reader
        label = f"{self.name}:{reader.path.name}" if reader is not None else None
        track = PersonTrack(self.person)
        bar = None
        if _video.progress_enabled(self.progress if progress is None else progress):
            from tqdm.auto import tqdm

            bar = tqdm(total=source.total, unit="frame", desc=f"{self.name} pose", leave=False)
        try:
            for det in self.detect_frames(source):
                track.add(det, source.size)
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
        if not len(track):
            raise _video.VideoError(f"{label or 'the frame iterable'}: no frames to estimate (the "
                             "result would have 0 frames)")
        extra: dict[str, Any] = {"max_people_in_view": int(max(track.people))}
        if reader is not None:
            extra.update(video=reader.path.name, start_frame=reader.start,
                         frame_step=reader.step, video_frame_count=reader.frame_count)
        return self._skeleton(track, image_size=source.size, fps=source.fps, source=label,
                              extra_meta=extra)

    def _skeleton(self, track: PersonTrack, *, image_size, fps, source, extra_meta) -> Skeleton:
        """The followed person as a Skeleton, with the metadata every backend records."""
        coords, conf = track.arrays()
        meta: dict[str, Any] = {
            "dimensions": self.dimensions,
            "units": self.units,
            "image_size": (int(image_size[0]), int(image_size[1])),
            "backend": self.name,
            "person": self.person,
            "n_frames": coords.shape[0],
            "no_person_frames": int(np.isnan(coords[..., 0]).all(axis=1).sum()),
        }
        meta.update(self.metadata())
        meta.update(extra_meta)
        return Skeleton(coords, conf, fps=fps, source=source, meta=meta)


# Names that lived here in sitrex 0.1 and moved: importable from here until sitrex 0.2.
_MOVED = {"read_image": "sitrex.video", "PersonSelector": "sitrex.backends._tracking",
          "boxes_from_points": "sitrex.backends._tracking"}


def __getattr__(name: str) -> Any:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"sitrex.backends.base.{name} moved to {_MOVED[name]}.{name}; import it from "
                  "there (the old location works until sitrex 0.2)",
                  DeprecationWarning, stacklevel=2)
    return getattr(importlib.import_module(_MOVED[name]), name)
