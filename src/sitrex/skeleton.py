"""A sequence of poses in the MediaPipe 33-landmark topology.

:class:`Skeleton` is the one container every pose source is converted into
(MediaPipe, YOLO-pose via :meth:`Skeleton.from_coco17`, Penn Action labels via
:meth:`Skeleton.from_penn13`, Kinect v2 via :meth:`Skeleton.from_kinect_v2`, files via
:func:`sitrex.io.load_skeleton`).
It holds ``(T, 33, 3)`` coordinates, a ``(T, 33)`` confidence, an optional
frame rate, a short ``source`` string and a free-form ``meta`` dict.

A landmark is *missing* when its coordinates are NaN; a frame whose 33
landmarks are all missing is a frame with no person.

Long module: one class, the Skeleton container, with its views and converters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex._validation import check_arrays, check_fps, frame_key
from sitrex.landmarks import landmark_index, mirror_permutation

__all__ = ["Skeleton", "concatenate"]

_LEFT_HIP, _RIGHT_HIP = landmark_index("left_hip"), landmark_index("right_hip")
_LEFT_SHOULDER, _RIGHT_SHOULDER = landmark_index("left_shoulder"), landmark_index("right_shoulder")


class Skeleton:
    """A sequence of poses in the MediaPipe 33-landmark topology.

    Parameters
    ----------
    coords : array_like, shape (T, 33, 3) or (33, 3)
        x, y, z of each landmark in each frame. A single pose ``(33, 3)`` is a
        one-frame sequence. NaN marks a missing landmark: if any of a
        landmark's x, y, z is NaN, all three are set to NaN. Infinite values
        are rejected. Landmarks without depth (2-D pose estimators), shape
        ``(T, 33, 2)`` or with z NaN wherever x and y are given, get z = 0:
        the image plane.
    confidence : array_like, shape (T, 33), optional
        Per-landmark confidence (e.g. MediaPipe visibility). Defaults to 1.0
        for present landmarks. It is always NaN where a landmark is missing.
    fps : float, optional
        Frame rate in frames per second. None (or NaN) means unknown.
    source : str, optional
        Where the poses come from, e.g. ``"mediapipe:video.mp4"`` or
        ``"penn_action:0123"``.
    meta : mapping, optional
        Free-form metadata, e.g. ``{"dimensions": 2, "units": "image_height",
        "image_size": (w, h), "no_person_frames": n}``. Copied (shallowly).

    Raises
    ------
    ValueError
        For coordinates or confidence of the wrong shape, infinite values or
        a non-positive frame rate. Messages suggest the converter to use.

    Notes
    -----
    The arrays are stored as read-only float64 copies; build a new Skeleton
    (e.g. with :meth:`replace`) to change them.

    Examples
    --------
    >>> import numpy as np
    >>> skel = Skeleton(np.zeros((4, 33, 3)), fps=2.0, source="demo")
    >>> skel
    Skeleton(n_frames=4, fps=2.0, source='demo', present=100%)
    >>> skel["left_knee"].shape
    (4, 3)
    >>> skel.duration
    2.0
    """

    __slots__ = ("_coords", "_confidence", "_fps", "_source", "_meta")

    def __init__(
        self,
        coords: Any,
        confidence: Any = None,
        fps: float | None = None,
        source: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        xyz, conf = check_arrays(coords, confidence)
        xyz.flags.writeable = False
        conf.flags.writeable = False
        self._coords = xyz
        self._confidence = conf
        self._fps = check_fps(fps)
        if source is not None and not isinstance(source, str):
            raise InputError(
                "source must be a short str such as 'mediapipe:video.mp4', got "
                f"{type(source).__name__}"
            )
        self._source = source
        if meta is not None and not isinstance(meta, Mapping):
            raise InputError(f"meta must be a dict, got {type(meta).__name__}; pass meta={{...}}")
        self._meta = dict(meta or {})

    # ------------------------------------------------------------------ properties
    @property
    def coords(self) -> np.ndarray:
        """Read-only (T, 33, 3) float64 coordinates; NaN where missing."""
        return self._coords

    @property
    def confidence(self) -> np.ndarray:
        """Read-only (T, 33) float64 confidence; NaN where missing."""
        return self._confidence

    @property
    def fps(self) -> float | None:
        """Frame rate in frames per second, or None when unknown."""
        return self._fps

    @property
    def source(self) -> str | None:
        """Short description of where the poses come from."""
        return self._source

    @property
    def meta(self) -> dict[str, Any]:
        """Free-form metadata dict (units, image size, dimensions, ...)."""
        return self._meta

    @property
    def n_frames(self) -> int:
        """Number of frames T."""
        return self._coords.shape[0]

    def __len__(self) -> int:
        return self.n_frames

    @property
    def present(self) -> np.ndarray:
        """(T, 33) bool: True where a landmark has coordinates."""
        return ~np.isnan(self._coords[..., 0])

    @property
    def has_person(self) -> np.ndarray:
        """(T,) bool: True for frames with at least one landmark present."""
        return self.present.any(axis=1)

    def _require_fps(self, what: str) -> float:
        if self._fps is None:
            raise InputError(
                f"{what} needs a frame rate, but this Skeleton has fps=None; "
                "set one with skel.replace(fps=30.0) (or pass fps= when creating it)"
            )
        return self._fps

    @property
    def times(self) -> np.ndarray:
        """(T,) time of each frame in seconds, starting at 0 (needs `fps`).

        Examples
        --------
        >>> Skeleton(np.zeros((3, 33, 3)), fps=10.0).times.tolist()
        [0.0, 0.1, 0.2]
        """
        return np.arange(self.n_frames) / self._require_fps("times")

    @property
    def duration(self) -> float:
        """Length of the sequence in seconds, ``n_frames / fps`` (needs `fps`)."""
        return self.n_frames / self._require_fps("duration")

    # ------------------------------------------------------------------ access
    def __getitem__(self, key: Any) -> np.ndarray | Skeleton:
        """Named landmark access or slicing in time.

        ``skel["left_knee"]`` returns that landmark's (T, 3) coordinates
        (read-only). Any other key selects frames and returns a new Skeleton
        with the same fps, source and meta: slices, integer lists or arrays,
        boolean masks of length T, and a single integer, which gives a
        **one-frame Skeleton** (not an array), so ``skel[5].coords`` has
        shape (1, 33, 3).

        Examples
        --------
        >>> skel = Skeleton(np.arange(5 * 33 * 3.0).reshape(5, 33, 3), fps=25.0)
        >>> skel["nose"][0].tolist()
        [0.0, 1.0, 2.0]
        >>> skel[1:3].n_frames, skel[1:3].fps
        (2, 25.0)
        >>> skel[-1].coords.shape
        (1, 33, 3)
        """
        if isinstance(key, str):
            return self._coords[:, landmark_index(key)]
        key = frame_key(key, self.n_frames)
        return Skeleton(
            self._coords[key], self._confidence[key], self._fps, self._source, self._meta
        )

    def replace(self, **changes: Any) -> Skeleton:
        """Return a copy with some of coords, confidence, fps, source, meta changed.

        Examples
        --------
        >>> Skeleton(np.zeros((2, 33, 3))).replace(fps=30.0).fps
        30.0
        """
        fields = {
            "coords": self._coords,
            "confidence": self._confidence,
            "fps": self._fps,
            "source": self._source,
            "meta": self._meta,
        }
        unknown = set(changes) - set(fields)
        if unknown:
            raise TypeError(
                f"replace() got unknown field(s) {sorted(unknown)}; choose from {list(fields)}"
            )
        if "coords" in changes and "confidence" not in changes:
            fields["confidence"] = None
        fields.update(changes)
        return Skeleton(**fields)

    # ------------------------------------------------------------------ combining
    @classmethod
    def concatenate(cls, skeletons: Iterable[Skeleton]) -> Skeleton:
        """Join skeletons end to end in time.

        Parameters
        ----------
        skeletons : iterable of Skeleton
            At least one. Their fps must all be equal, or all None.

        Returns
        -------
        Skeleton
            With the first skeleton's meta, and the distinct sources joined
            with ``" + "``.

        Raises
        ------
        ValueError
            If the list is empty or two frame rates differ.

        Examples
        --------
        >>> a = Skeleton(np.zeros((2, 33, 3)), fps=30.0, source="a")
        >>> b = Skeleton(np.ones((3, 33, 3)), fps=30.0, source="b")
        >>> both = Skeleton.concatenate([a, b])
        >>> both.n_frames, both.source
        (5, 'a + b')
        """
        items = list(skeletons)
        if not items:
            raise InputError("concatenate needs at least one Skeleton; got an empty sequence")
        for i, s in enumerate(items):
            if not isinstance(s, Skeleton):
                raise TypeError(
                    f"concatenate takes Skeleton objects; item {i} is {type(s).__name__}"
                )
        first = items[0]
        for i, s in enumerate(items[1:], start=1):
            if s.fps != first.fps:
                raise InputError(
                    f"cannot concatenate skeletons with different frame rates: item 0 has "
                    f"fps={first.fps} and item {i} has fps={s.fps}; resample one of them or "
                    "set a common rate with .replace(fps=...)"
                )
        sources: list[str] = []
        for s in items:
            if s.source is not None and s.source not in sources:
                sources.append(s.source)
        return cls(
            np.concatenate([s.coords for s in items]),
            np.concatenate([s.confidence for s in items]),
            fps=first.fps,
            source=" + ".join(sources) if sources else None,
            meta=first.meta,
        )

    # ------------------------------------------------------------------ geometry
    def normalized(self, center: str | None = "mid_hip", scale: str | None = "torso") -> Skeleton:
        """Translate and scale every frame isotropically (x, y and z alike).

        Parameters
        ----------
        center : {"mid_hip"} or None
            Subtract the per-frame mid-hip (mean of landmarks 23 and 24) from
            x, y **and** z. None: no translation.
        scale : {"torso"} or None
            Divide x, y **and** z by the per-frame torso length: the 3-D
            distance from mid-shoulder (mean of 11 and 12) to mid-hip. None:
            no scaling.

        Returns
        -------
        Skeleton
            Frames whose hips or shoulders are missing, or whose torso length
            is 0, become all-NaN (no person) rather than being divided by
            zero. ``meta["units"]`` becomes ``"torso_length"`` when scaled.

        Notes
        -----
        The SiTrEx paper's notebook normalised x and y this way but left z
        untouched, which makes the result anisotropic (a rotation in depth
        changes the angles). sitrex deliberately treats all three axes the
        same, so a rotated, scaled and translated copy of a pose normalises to
        the rotated pose.

        Examples
        --------
        >>> xyz = np.zeros((1, 33, 3))
        >>> xyz[0, [11, 12], 1] = 2.0       # shoulders 2 units above the hips
        >>> n = Skeleton(xyz).normalized()
        >>> n["left_shoulder"].tolist()
        [[0.0, 1.0, 0.0]]
        """
        if center not in ("mid_hip", None):
            raise InputError(f"center must be 'mid_hip' or None, got {center!r}")
        if scale not in ("torso", None):
            raise InputError(f"scale must be 'torso' or None, got {scale!r}")
        xyz = self._coords
        mid_hip = 0.5 * (xyz[:, _LEFT_HIP] + xyz[:, _RIGHT_HIP])  # NaN if either is missing
        out = xyz.copy()
        meta = dict(self._meta)
        if center is not None:
            out = out - mid_hip[:, np.newaxis]
        if scale is not None:
            mid_shoulder = 0.5 * (xyz[:, _LEFT_SHOULDER] + xyz[:, _RIGHT_SHOULDER])
            torso = np.linalg.norm(mid_shoulder - mid_hip, axis=-1)
            bad = ~(torso > 0)  # NaN or 0
            torso = np.where(bad, np.nan, torso)
            out = out / torso[:, np.newaxis, np.newaxis]
            meta["units"] = "torso_length"
        elif center is not None:
            out[np.isnan(mid_hip).any(axis=-1)] = np.nan
        meta["normalized"] = {"center": center, "scale": scale}
        return Skeleton(out, self._confidence, self._fps, self._source, meta)

    def mirrored(self) -> Skeleton:
        """Mirror the pose: negate x and swap every left landmark with its right twin.

        The mirror plane is x = 0 (the mid-hip plane after :meth:`normalized`).
        Mirroring twice gives the original skeleton back.

        Examples
        --------
        >>> xyz = np.zeros((1, 33, 3))
        >>> xyz[0, 11, 0] = 1.0            # left shoulder at x = 1
        >>> m = Skeleton(xyz).mirrored()
        >>> float(m["right_shoulder"][0, 0])
        -1.0
        """
        perm = list(mirror_permutation())
        out = self._coords[:, perm] * np.array([-1.0, 1.0, 1.0])
        return Skeleton(out, self._confidence[:, perm], self._fps, self._source, self._meta)

    def angles(self, kind: str = "unsigned", **kw: Any) -> np.ndarray:
        """Joint angles of every frame, via :func:`sitrex.angles.compute_angles`.

        Parameters
        ----------
        kind : str
            Angle type, see :data:`sitrex.angles.ANGLE_KINDS`.
        **kw
            Passed on to :func:`sitrex.angles.compute_angles`.

        Returns
        -------
        ndarray, shape (T, n_angles)

        Examples
        --------
        >>> Skeleton(np.random.default_rng(0).normal(size=(2, 33, 3))).angles().shape[0]
        2
        """
        from sitrex.angles import compute_angles

        return compute_angles(self._coords, kind=kind, **kw)

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        parts = [f"n_frames={self.n_frames}", f"fps={self._fps}"]
        if self._source is not None:
            parts.append(f"source={self._source!r}")
        if "dimensions" in self._meta:
            parts.append(f"dimensions={self._meta['dimensions']}")
        if "units" in self._meta:
            parts.append(f"units={self._meta['units']!r}")
        pct = 100.0 * self.present.mean() if self.n_frames else 0.0
        parts.append(f"present={pct:.0f}%")
        return f"Skeleton({', '.join(parts)})"

    # ------------------------------------------------------------------ converters (sitrex.layouts)
    @classmethod
    def from_coco17(cls, keypoints: Any, scores: Any = None, **kw: Any) -> Skeleton:
        """Build a Skeleton from COCO-17 (YOLO-pose) keypoints.

        See :func:`sitrex.layouts.from_coco17` for the parameters.

        Examples
        --------
        >>> Skeleton.from_coco17(np.ones((2, 17, 2))).present.sum(axis=1).tolist()
        [17, 17]
        """
        from sitrex.layouts import from_coco17

        return from_coco17(keypoints, scores, **kw)

    @classmethod
    def from_penn13(cls, xy: Any, visibility: Any = None, **kw: Any) -> Skeleton:
        """Build a Skeleton from Penn Action's 13 joints.

        See :func:`sitrex.layouts.from_penn13` for the parameters.

        Examples
        --------
        >>> Skeleton.from_penn13(np.ones((3, 13, 2))).n_frames
        3
        """
        from sitrex.layouts import from_penn13

        return from_penn13(xy, visibility, **kw)

    @classmethod
    def from_normalized_image(cls, xyz: Any, visibility: Any = None, **kw: Any) -> Skeleton:
        """Build a Skeleton from MediaPipe's normalised image landmarks.

        See :func:`sitrex.layouts.from_normalized_image` for the parameters.

        Examples
        --------
        >>> s = Skeleton.from_normalized_image(np.full((1, 33, 3), 0.5), image_size=(200, 100))
        >>> s["nose"].tolist()
        [[1.0, 0.5, 1.0]]
        """
        from sitrex.layouts import from_normalized_image

        return from_normalized_image(xyz, visibility, **kw)

    @classmethod
    def from_kinect_v2(cls, joints: Any, tracking: Any = None, **kw: Any) -> Skeleton:
        """Build a Skeleton from Kinect v2's 25 body joints (3-D, metres).

        See :func:`sitrex.layouts.from_kinect_v2` for the parameters.

        Examples
        --------
        >>> Skeleton.from_kinect_v2(np.ones((2, 25, 3))).present.sum(axis=1).tolist()
        [19, 19]
        """
        from sitrex.layouts import from_kinect_v2

        return from_kinect_v2(joints, tracking, **kw)

    @classmethod
    def from_openpose(cls, keypoints: Any, **kw: Any) -> Skeleton:
        """Build a Skeleton from OpenPose's BODY_25 (or COCO-18, COCO-17) keypoints.

        See :func:`sitrex.layouts.from_openpose` for the parameters, and
        :func:`sitrex.read_openpose` for OpenPose's JSON files.

        Examples
        --------
        >>> Skeleton.from_openpose(np.ones((2, 25, 3))).present.sum(axis=1).tolist()
        [21, 21]
        """
        from sitrex.layouts import from_openpose

        return from_openpose(keypoints, **kw)

    def pixel_coords(self) -> np.ndarray:
        """Coordinates in pixels, for drawing overlays; see :func:`sitrex.layouts.to_pixels`.

        Examples
        --------
        >>> s = Skeleton.from_penn13(np.full((1, 13, 2), 40.0), image_size=(160, 80))
        >>> s.pixel_coords()[0, 0].tolist()
        [40.0, 40.0, 0.0]
        """
        from sitrex.layouts import to_pixels

        return to_pixels(self)

    def save(self, path) -> Any:
        """Write to ``.npz`` or SiTrEx ``.json`` (by suffix), atomically; see :func:`sitrex.io.save_skeleton`."""
        from sitrex.io import save_skeleton

        return save_skeleton(self, path)

    @classmethod
    def load(cls, path) -> Skeleton:
        """Read a ``.npz`` or SiTrEx ``.json`` landmark file; see :func:`sitrex.io.load_skeleton`.

        Examples
        --------
        >>> import tempfile, os
        >>> with tempfile.TemporaryDirectory() as d:
        ...     path = Skeleton(np.zeros((4, 33, 3)), fps=30).save(os.path.join(d, "pose.npz"))
        ...     Skeleton.load(path).n_frames
        4
        """
        from sitrex.io import load_skeleton

        return load_skeleton(path)


def concatenate(skeletons: Iterable[Skeleton]) -> Skeleton:
    """Join skeletons end to end in time; see :meth:`Skeleton.concatenate`.

    Examples
    --------
    >>> s = Skeleton(np.zeros((2, 33, 3)))
    >>> concatenate([s, s, s]).n_frames
    6
    """
    return Skeleton.concatenate(skeletons)
