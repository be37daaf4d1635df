"""Video overlay of a coach / athlete comparison, like the SiTrEx paper's.

:func:`render_overlay` draws, on every frame of the athlete's video, each
useful joint angle as an arc at its vertex, coloured from red (differs from
the coach) through yellow to green (matches) by that frame's similarity, with
the angle's value in degrees. Frames without a person are marked. Optionally
the coach's video runs beside it (the coach frame matched to each athlete
frame when the report aligned them in time). The result is an MP4 written
with OpenCV, atomically.

Where things are drawn comes from data, not from a second table: an angle's
vertex and arms are read from :data:`sitrex.angle_table.ANGLE_DEFINITIONS`
(see :func:`angle_geometry`), and landmarks are mapped to pixels with
:meth:`sitrex.Skeleton.pixel_coords`, which undoes the image-height units
(and MediaPipe's aspect-ratio correction) using ``meta["image_size"]``.

OpenCV is imported the first time a video is written (``pip install
"sitrex[video]"``).
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sitrex.angle_table import ANGLE_DEFINITIONS, TORSO_AXES, angle_definition
from sitrex.landmarks import landmark_index
from sitrex.video import VIDEO_SUFFIXES

__all__ = ["AngleGeometry", "angle_geometry", "render_overlay", "similarity_colors"]

# RGB anchors of the similarity colours (ColorBrewer RdYlGn ends and middle).
_ANCHORS = np.array([0.0, 0.5, 1.0])
_ANCHOR_RGB = np.array([[215, 48, 39], [254, 224, 139], [26, 152, 80]], dtype=np.float64)
_NOT_SCORED_RGB = (160, 160, 160)
_COACH_RGB = (90, 170, 255)
_BONE_RGB = (235, 235, 235)
_NO_PERSON_RGB = (200, 30, 30)

# Stick figure drawn under the arcs (connectivity only; the angles come from the angle table).
_BONES = tuple((landmark_index(a), landmark_index(b)) for a, b in (
    ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
    ("left_ankle", "left_heel"), ("left_heel", "left_foot_index"), ("left_ankle", "left_foot_index"),
    ("right_ankle", "right_heel"), ("right_heel", "right_foot_index"),
    ("right_ankle", "right_foot_index"),
))


# ---------------------------------------------------------------------------- colours
def similarity_colors(similarity: Any) -> np.ndarray:
    """RGB colours of similarity values: red (0, differs), yellow (0.5), green (1, matches).

    Parameters
    ----------
    similarity : array_like of float
        Any shape; values are clipped to [0, 1]. NaN (not scored) is grey.

    Returns
    -------
    ndarray of uint8, shape ``similarity.shape + (3,)``
        Red, green, blue.

    Examples
    --------
    >>> similarity_colors([0.0, 1.0, float("nan")]).tolist()
    [[215, 48, 39], [26, 152, 80], [160, 160, 160]]
    """
    s = np.asarray(similarity, dtype=np.float64)
    flat = np.clip(s.ravel(), 0.0, 1.0)
    rgb = np.stack([np.interp(flat, _ANCHORS, _ANCHOR_RGB[:, c]) for c in range(3)], axis=-1)
    rgb[np.isnan(flat)] = _NOT_SCORED_RGB
    return np.rint(rgb).astype(np.uint8).reshape(*s.shape, 3)


# ---------------------------------------------------------------------------- geometry
@dataclass(frozen=True)
class AngleGeometry:
    """Where an angle is drawn, derived from its row of the angle table.

    Attributes
    ----------
    name : str
        The angle's name.
    vertex : tuple of int
        Landmark indices whose mean is the arc's centre.
    arms : tuple of (tuple of int or None)
        The two arm ends as landmark index tuples (their mean); ``None``
        means the arm is a torso axis (see `axis`).
    axis : str or None
        For segment angles, the torso axis (``"horizontal"``, ``"upward"``,
        ``"forward"``) the second arm follows.
    axis_sign : float
        +1 or -1: the second arm points along or against `axis` (an angle
        measured at the far end of a segment is drawn against the axis, which
        keeps its opening the same).

    Examples
    --------
    >>> g = angle_geometry("left elbow")
    >>> g.vertex, g.arms
    ((13,), ((11,), (15,)))
    """

    name: str
    vertex: tuple[int, ...]
    arms: tuple[tuple[int, ...] | None, tuple[int, ...] | None]
    axis: str | None = None
    axis_sign: float = 1.0


def _indices(point: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(landmark_index(n) for n in point)


def angle_geometry(name: str) -> AngleGeometry:
    """The vertex and arms of an angle, read from :data:`sitrex.angle_table.ANGLE_DEFINITIONS`.

    ``joint`` and ``valgus`` angles are drawn at their middle point, between
    the two other points. A ``segment`` angle (a segment against a torso axis)
    is drawn at the end of the segment that its name refers to (the ankle for
    ``"left ankle dorsiflexion"``, the shoulder for ``"left shoulder
    extension"``), else at the segment's first point; its arms are the
    segment and the torso axis.

    Parameters
    ----------
    name : str
        An angle name (:data:`sitrex.ANGLE_NAMES`).

    Returns
    -------
    AngleGeometry

    Examples
    --------
    >>> angle_geometry("left knee").vertex
    (25,)
    >>> g = angle_geometry("left ankle dorsiflexion")
    >>> g.vertex, g.arms[0], g.axis, g.axis_sign
    ((27,), (25,), 'upward', -1.0)
    >>> angle_geometry("torso flexion").vertex          # the mid-hip
    (23, 24)
    """
    d = angle_definition(name)
    if d.measure in ("joint", "valgus"):
        first, vertex, last = (_indices(p) for p in d.points)
        return AngleGeometry(d.name, vertex, (first, last))
    start, end = d.points[0], d.points[-1]
    words = set(d.name.split())

    def named(point: tuple[str, ...]) -> bool:
        return any(part in words for n in point for part in n.split("_")[1:])

    if named(end) and not named(start):
        return AngleGeometry(d.name, _indices(end), (_indices(start), None), d.reference, -1.0)
    return AngleGeometry(d.name, _indices(start), (_indices(end), None), d.reference, 1.0)


_GEOMETRY = {d.name: angle_geometry(d.name) for d in ANGLE_DEFINITIONS}


def _mean_point(points: np.ndarray, idx: tuple[int, ...]) -> np.ndarray:
    return points[list(idx)].mean(axis=0)


def _torso_axes(points3: np.ndarray) -> dict[str, np.ndarray]:
    """Torso axes of one frame in pixel space (3-D), by the same construction as the angles."""
    ls, rs, lh, rh = (points3[landmark_index(n)] for n in
                      ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))
    from sitrex import _geometry as geo

    h, u, f = geo.torso_frame(*(v[:, None] for v in (ls, rs, lh, rh)))
    return {name: axis[:, 0] for name, axis in zip(TORSO_AXES, (h, u, f))}


def _arcs_of_frame(points3: np.ndarray, names: list[str]):
    """Per angle: (vertex xy, direction a, direction c) in pixels, or None when not drawable."""
    axes = None
    out = []
    for name in names:
        g = _GEOMETRY.get(name)
        if g is None:
            out.append(None)
            continue
        vertex = _mean_point(points3, g.vertex)
        a = _mean_point(points3, g.arms[0]) - vertex
        if g.arms[1] is not None:
            c = _mean_point(points3, g.arms[1]) - vertex
            if not np.isfinite(c[:2]).all():  # a landmark the angle needs is missing
                out.append(None)
                continue
        else:
            if axes is None:
                axes = _torso_axes(points3)
            c = g.axis_sign * axes[g.axis]
        if not (np.isfinite(vertex[:2]).all() and np.isfinite(a[:2]).all()):
            out.append(None)
            continue
        out.append((vertex[:2], a[:2], c[:2]))
    return out


# ---------------------------------------------------------------------------- frames
def _import_cv2():
    from sitrex.video import _import_cv2 as imp

    return imp()


def _skeleton_pixels(skeleton: Any, who: str) -> np.ndarray:
    try:
        return skeleton.pixel_coords()
    except ValueError as exc:
        raise ValueError(
            f"cannot place the {who}'s landmarks on the video: {exc}. The overlay needs "
            "landmarks in image units, as the pose backends and landmark files from "
            "`sitrex extract` give"
        ) from None


def _image_size(skeleton: Any) -> tuple[int, int] | None:
    size = getattr(skeleton, "meta", {}).get("image_size")
    if size is None:
        return None
    return int(round(float(size[0]))), int(round(float(size[1])))


class _Frames:
    """The frames of one side: a video file (sequential, re-opened to go back) or a blank canvas."""

    def __init__(self, path: Path | None, size: tuple[int, int], start: int, step: int) -> None:
        self.path, self.size, self.start, self.step = path, size, start, step
        self._iter: Iterator[Any] | None = None
        self._index = -1
        self._rgb: np.ndarray | None = None
        self._blank = np.zeros((size[1], size[0], 3), np.uint8) if path is None else None

    def get(self, i: int) -> np.ndarray:
        """The i-th frame of the range (0-based), as RGB."""
        if self._blank is not None:
            return self._blank
        from sitrex.video import VideoError, VideoReader

        if self._iter is None or i < self._index:
            self._iter = iter(VideoReader(self.path, start=self.start, step=self.step))
            self._index, self._rgb = -1, None
        while self._index < i:
            try:
                frame = next(self._iter)
            except StopIteration:
                raise VideoError(
                    f"{self.path.name}: the video ended after {self._index + 1} frames (from frame "
                    f"{self.start}, step {self.step}), but the report needs frame {i + 1}; the "
                    "video does not match the report"
                ) from None
            self._rgb = frame.rgb
            self._index += 1
        assert self._rgb is not None
        return self._rgb


def _open_side(who: str, video: Any, skeleton: Any, source: Any, n_frames: int) -> _Frames:
    """Check a side's video against its landmarks and return its frames."""
    from sitrex.video import VideoError, read_video_info

    meta = getattr(skeleton, "meta", {}) if skeleton is not None else {}
    size = _image_size(skeleton) if skeleton is not None else None
    start = int(meta.get("start_frame", 0) or 0)
    step = int(meta.get("frame_step", 1) or 1)
    path = None
    if video is not None:
        path = Path(video)
        if not path.exists():
            raise FileNotFoundError(f"no {who} video at {str(path)!r}; check the path")
    elif source is not None and Path(str(source)).suffix.lower() in VIDEO_SUFFIXES:
        path = Path(str(source))
        if not path.exists():
            raise FileNotFoundError(
                f"the report's {who} video {str(path)!r} is not there any more; pass "
                f"{who}_video= with its new location"
            )
    if path is None:
        if size is None:
            raise ValueError(
                f"no {who} video to draw on: pass {who}_video=, or give the {who} as landmarks "
                "with meta['image_size'] to draw on a blank frame"
            )
        return _Frames(None, size, 0, 1)
    info = read_video_info(path)
    if size is not None and info.size != size:
        raise VideoError(
            f"{path.name} is {info.width}x{info.height} pixels, but the {who}'s landmarks were "
            f"taken on {size[0]}x{size[1]} frames; pass the video the report was computed from"
        )
    if info.frame_count:
        available = max(0, -(-(info.frame_count - start) // step))
        if available < n_frames:
            raise VideoError(
                f"{path.name} has {available} frames (from frame {start}, step {step}) but the "
                f"report has {n_frames} {who} frames; pass the video the report was computed from"
            )
        if available > n_frames and meta.get("video") != path.name:
            raise VideoError(
                f"{path.name} has {available} frames but the report has {n_frames} {who} frames, "
                f"and the {who}'s landmarks do not say they came from this video; pass the video "
                "the report was computed from (or a clip of exactly those frames)"
            )
    return _Frames(path, info.size, start, step)


# ---------------------------------------------------------------------------- drawing
class _Painter:
    """Draws arcs, labels and banners on RGB frames of one size."""

    def __init__(self, cv2, width: int, height: int) -> None:
        self.cv2 = cv2
        unit = min(width, height)
        self.radius = max(8, int(round(0.035 * unit)))
        self.thick = max(1, int(round(unit / 300)))
        self.font = cv2.FONT_HERSHEY_SIMPLEX
        self.font_scale = max(0.35, unit / 1100)
        self.text_thick = max(1, int(round(unit / 450)))

    def text(self, img, s: str, org, colour, scale: float | None = None) -> None:
        cv2, sc = self.cv2, scale or self.font_scale
        org = (int(org[0]), int(org[1]))
        cv2.putText(img, s, org, self.font, sc, (0, 0, 0), self.text_thick + 2, cv2.LINE_AA)
        cv2.putText(img, s, org, self.font, sc, tuple(int(v) for v in colour), self.text_thick,
                    cv2.LINE_AA)

    def bones(self, img, points: np.ndarray) -> None:
        cv2 = self.cv2
        for i, j in _BONES:
            p, q = points[i, :2], points[j, :2]
            if np.isfinite(p).all() and np.isfinite(q).all():
                cv2.line(img, _pt(p), _pt(q), _BONE_RGB, self.thick, cv2.LINE_AA)

    def arcs(self, img, points3: np.ndarray, names: list[str], colours: np.ndarray,
             values: np.ndarray) -> None:
        """Arcs of the named angles; colours (k, 3) RGB, values (k,) degrees."""
        cv2 = self.cv2
        geometry = _arcs_of_frame(points3, names)
        layer = img.copy()
        seen: dict[tuple[int, int], int] = {}
        outlines = []
        for g, colour, value in zip(geometry, colours, values):
            if g is None or not np.isfinite(value):  # not measured in this frame
                continue
            vertex, a, c = g
            centre = _pt(vertex)
            k = seen.get(centre, 0)
            seen[centre] = k + 1
            r = int(round(self.radius * (1.0 + 0.7 * k)))
            colour = tuple(int(v) for v in colour)
            theta_a = math.degrees(math.atan2(a[1], a[0]))
            if not (np.isfinite(c).all() and np.hypot(*c) > 1e-6):
                # the second arm points out of the image (e.g. the torso's forward axis in 2-D)
                cv2.circle(img, centre, r, colour, self.thick + 1, cv2.LINE_AA)
                outlines.append((centre, r, theta_a, value, colour))
                continue
            theta_c = math.degrees(math.atan2(c[1], c[0]))
            sweep = (theta_c - theta_a) % 360.0
            start, sweep = (theta_a, sweep) if sweep <= 180.0 else (theta_c, 360.0 - sweep)
            cv2.ellipse(layer, centre, (r, r), 0.0, start, start + sweep, colour, -1, cv2.LINE_AA)
            cv2.ellipse(img, centre, (r, r), 0.0, start, start + sweep, colour, self.thick + 1,
                        cv2.LINE_AA)
            outlines.append((centre, r, start + sweep / 2.0, value, colour))
        cv2.addWeighted(layer, 0.45, img, 0.55, 0.0, dst=img)
        for centre, r, middle, value, colour in outlines:
            cv2.circle(img, centre, max(2, self.thick + 1), colour, -1, cv2.LINE_AA)
            rad = math.radians(middle)
            label = f"{value:.0f}"
            (tw, th), _ = cv2.getTextSize(label, self.font, self.font_scale, self.text_thick)
            x = centre[0] + (r + 4 + tw / 2) * math.cos(rad) - tw / 2
            y = centre[1] + (r + 4 + th / 2) * math.sin(rad) + th / 2
            self.text(img, label, (x, y), colour)

    def no_person(self, img) -> None:
        """A red border: this frame has no person (nothing is scored)."""
        h, w = img.shape[:2]
        border = max(2, int(round(0.012 * min(w, h))))
        self.cv2.rectangle(img, (0, 0), (w - 1, h - 1), _NO_PERSON_RGB, 2 * border)

    def banner(self, img, lines: list[str], colour=(255, 255, 255), fill=None) -> None:
        cv2 = self.cv2
        (_, th), _ = cv2.getTextSize("Ag", self.font, self.font_scale, self.text_thick)
        pad = max(4, th // 2)
        if fill is not None:
            height = pad + len(lines) * (th + pad) + pad
            band = img[:height].copy()
            cv2.rectangle(band, (0, 0), (img.shape[1], height), fill, -1)
            cv2.addWeighted(band, 0.6, img[:height], 0.4, 0.0, dst=img[:height])
        for k, line in enumerate(lines):
            self.text(img, line, (pad, pad + (k + 1) * (th + pad) - pad // 2), colour)


def _pt(xy) -> tuple[int, int]:
    return int(round(float(xy[0]))), int(round(float(xy[1])))


def _letterbox(cv2, rgb: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, float, int, int]:
    """Fit ``rgb`` inside ``size`` (w, h), keeping its aspect ratio; return image, scale, dx, dy."""
    w, h = size
    src_h, src_w = rgb.shape[:2]
    if (src_w, src_h) == (w, h):
        return rgb, 1.0, 0, 0
    scale = min(w / src_w, h / src_h)
    new_w, new_h = max(1, int(round(src_w * scale))), max(1, int(round(src_h * scale)))
    resized = cv2.resize(rgb, (new_w, new_h), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((h, w, 3), np.uint8)
    dx, dy = (w - new_w) // 2, (h - new_h) // 2
    canvas[dy:dy + new_h, dx:dx + new_w] = resized
    return canvas, scale, dx, dy


def _coach_frames(report: Any, coach_skel: Any, n_coach: int, n_report: int) -> np.ndarray:
    """The coach frame shown beside each athlete frame."""
    alignment = getattr(report, "alignment", None)
    if alignment is not None:
        return np.clip(np.asarray(alignment, dtype=np.intp), 0, n_coach - 1)
    coach_fps = getattr(coach_skel, "fps", None)
    fps = getattr(report, "fps", None)
    if coach_fps and fps and abs(coach_fps - fps) > 1e-6 * fps:
        # same time, not same index: the coach frame on screen at the athlete frame's time
        times = np.asarray(report.times, dtype=np.float64)
        index = np.floor(times * coach_fps + 1e-6).astype(np.intp)
    else:
        index = np.arange(n_report)
    return np.minimum(index, n_coach - 1)


# ---------------------------------------------------------------------------- writing
def _check_output(output: Any) -> Path:
    path = Path(output)
    if path.suffix.lower() != ".mp4":
        raise ValueError(f"the overlay is written as MP4: name the output '*.mp4', got {path.name!r}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(
            f"cannot write {str(path)!r}: folder {str(folder)!r} does not exist; create it first "
            "(e.g. mkdir -p)"
        )
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a folder; give a file name ending in .mp4")
    return path


@contextlib.contextmanager
def _atomic_video(cv2, path: Path, fps: float, size: tuple[int, int]):
    """A cv2.VideoWriter on a temporary .mp4 beside `path`, renamed over it on success."""
    from sitrex._atomic import _UMASK

    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".mp4", dir=path.parent or ".")
    os.close(fd)
    writer = None
    try:
        writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*"mp4v"), float(fps), size)
        if not writer.isOpened():
            raise OSError(f"OpenCV cannot write an mp4v video to {tmp!r} "
                          f"(size {size[0]}x{size[1]}, {fps:g} fps)")
        yield writer
        writer.release()
        writer = None
        with contextlib.suppress(OSError):  # best effort: the data on disk before the rename
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        try:
            mode = path.stat().st_mode & 0o7777
        except OSError:
            mode = 0o666 & ~_UMASK
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if writer is not None:
            writer.release()
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _progress_bar(progress: Any, total: int):
    from sitrex.video import progress_enabled

    if not progress_enabled(progress):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="frame", desc="overlay", leave=False)


def render_overlay(report: Any, output: str | os.PathLike[str], *, athlete_video: Any = None,
                   coach_video: Any = None, side_by_side: bool = False,
                   max_frames: int | None = None, progress: bool | None = None,
                   useful_only: bool = True) -> Path:
    """Write the athlete's video with each useful angle drawn as a red-to-green arc.

    Parameters
    ----------
    report : FeedbackReport
        From :func:`sitrex.feedback.compare`, with the athlete's landmarks
        (``report.athlete_skeleton``) in image units (as the pose backends
        and ``sitrex extract`` give them).
    output : str or os.PathLike
        The ``.mp4`` file to write. Its folder must exist. It is written
        atomically: a temporary ``.mp4`` in the same folder is renamed over
        it once complete, so a failure never leaves a half-written video.
    athlete_video : str or os.PathLike, optional
        The athlete's video. Default: ``report.athlete_source`` when it is a
        video file; otherwise a black frame of the landmarks' image size.
        It must have the landmarks' frame size and the report's frames (from
        the landmarks' ``meta["start_frame"]``, every ``meta["frame_step"]``).
    coach_video : str or os.PathLike, optional
        The coach's video, for `side_by_side` (default:
        ``report.coach_source`` when it is a video file).
    side_by_side : bool, default False
        Put the coach on the left of the athlete, scaled to the athlete's
        frame size (output twice as wide). The coach frame shown with athlete
        frame ``t`` is ``report.alignment[t]`` when the report is aligned in
        time, else the coach frame at the same time (frame ``t`` when both
        clips have the same frame rate), and the coach's last frame once its
        clip has ended.
    max_frames : int, optional
        Render only the first `max_frames` frames.
    progress : bool, optional
        Progress bar (None: only on a terminal).
    useful_only : bool, default True
        Draw the useful angles only (all angles when none is useful).

    Returns
    -------
    pathlib.Path
        `output`.

    Raises
    ------
    ValueError
        For a report without athlete landmarks in image units, an output not
        ending in ``.mp4``, or a bad `max_frames`.
    FileNotFoundError
        For a missing video or output folder.
    sitrex.exceptions.VideoError
        For an unreadable video, or one whose size or frame count does not
        match the report.
    ImportError
        Without OpenCV (``pip install "sitrex[video]"``).

    Notes
    -----
    Each frame shows the time, the frame number and the mean similarity of
    the drawn angles; frames without a person get a dark "no person" banner
    and no arcs. Angle values are the report's (``report.athlete_angles``);
    the arcs are drawn in the image plane between the angle's arms, so a
    3-D angle seen at a slant looks narrower or wider than its value.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sitrex.overlay import render_overlay, _example_report
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "overlay.mp4"
    >>> render_overlay(_example_report(), out).name       # on a blank frame
    'overlay.mp4'
    >>> from sitrex.video import read_video_info
    >>> info = read_video_info(out)
    >>> info.frame_count, info.size
    (4, (160, 120))
    """
    skeleton = getattr(report, "athlete_skeleton", None)
    if skeleton is None:
        raise ValueError(
            "the overlay draws on the athlete's landmarks, but this report has none "
            "(report.athlete_skeleton is None: it was computed from angle arrays); compare "
            "videos or landmark files to draw one"
        )
    if max_frames is not None and (isinstance(max_frames, bool)
                                   or not isinstance(max_frames, (int, np.integer))
                                   or max_frames < 1):
        raise ValueError(f"max_frames must be None or a positive int, got {max_frames!r}")
    path = _check_output(output)
    n_report = len(np.asarray(report.times))
    if skeleton.n_frames != n_report:
        raise ValueError(f"the report has {n_report} frames but its athlete landmarks have "
                         f"{skeleton.n_frames}; the report is inconsistent")
    cv2 = _import_cv2()
    athlete_px = _skeleton_pixels(skeleton, "athlete")
    athlete = _open_side("athlete", athlete_video, skeleton,
                         getattr(report, "athlete_source", None), n_report)
    width, height = athlete.size

    coach = coach_px = None
    coach_index = None
    coach_angles = np.asarray(report.coach_angles, dtype=np.float64)
    if side_by_side:
        coach_skel = getattr(report, "coach_skeleton", None)
        n_coach = coach_angles.shape[0]
        if coach_skel is not None:
            coach_px = _skeleton_pixels(coach_skel, "coach")
            n_coach = coach_skel.n_frames
        coach = _open_side("coach", coach_video, coach_skel,
                           getattr(report, "coach_source", None), n_coach)
        coach_index = _coach_frames(report, coach_skel, n_coach, n_report)

    names = list(report.angle_names)
    useful = np.flatnonzero(np.asarray(report.useful, dtype=bool)) if useful_only else []
    columns = np.asarray(useful if len(useful) else np.arange(len(names)), dtype=np.intp)
    drawn = [names[c] for c in columns]
    similarity = np.asarray(report.similarity, dtype=np.float64)[:, columns]
    colours = similarity_colors(similarity)  # (T, k, 3), once for the whole video
    values = np.asarray(report.athlete_angles, dtype=np.float64)[:, columns]
    present = np.asarray(report.present, dtype=bool)
    times = np.asarray(report.times, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        scored = np.isfinite(similarity)
        frame_mean = np.where(scored.any(axis=1),
                              np.where(scored, similarity, 0).sum(axis=1)
                              / np.maximum(scored.sum(axis=1), 1), np.nan)

    fps = getattr(report, "fps", None) or getattr(skeleton, "fps", None) or 30.0
    n_out = n_report if max_frames is None else min(n_report, int(max_frames))
    out_size = (2 * width if side_by_side else width, height)
    painter = _Painter(cv2, width, height)
    bar = _progress_bar(progress, n_out)
    try:
        with _atomic_video(cv2, path, fps, out_size) as writer:
            for t in range(n_out):
                img = athlete.get(t).copy()
                if img.shape[:2] != (height, width):
                    raise ValueError(f"frame {t} of the athlete video is {img.shape[1]}x"
                                     f"{img.shape[0]}, not {width}x{height}")
                header = [f"athlete  {times[t]:.2f} s  frame {t}"]
                if present[t]:
                    painter.bones(img, athlete_px[t])
                    painter.arcs(img, athlete_px[t], drawn, colours[t], values[t])
                    if np.isfinite(frame_mean[t]):
                        header.append(f"similarity {frame_mean[t]:.2f}")
                    painter.banner(img, header, fill=(0, 0, 0))
                else:
                    painter.no_person(img)
                    painter.banner(img, header + ["NO PERSON"], colour=(255, 120, 120),
                                   fill=(90, 0, 0))
                if coach is not None:
                    j = int(coach_index[t])
                    side, scale, dx, dy = _letterbox(cv2, coach.get(j), (width, height))
                    side = side.copy()
                    if coach_px is not None and j < coach_angles.shape[0]:
                        pts = coach_px[j].copy()
                        pts[:, :2] = pts[:, :2] * scale + (dx, dy)
                        pts[:, 2] = pts[:, 2] * scale
                        if np.isfinite(pts[:, :2]).any():
                            painter.bones(side, pts)
                            k = len(columns)
                            painter.arcs(side, pts, drawn, np.tile(_COACH_RGB, (k, 1)),
                                         coach_angles[j, columns])
                    painter.banner(side, [f"coach  frame {j}"], fill=(0, 0, 0))
                    img = np.concatenate([side, img], axis=1)
                writer.write(cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return path


# ---------------------------------------------------------------------------- doctest helper
def _example_report():
    """A tiny FeedbackReport: 4 frames of a left arm on a 160x120 image, no video."""
    from sitrex.feedback.report import FeedbackReport
    from sitrex.skeleton import Skeleton

    xyz = np.full((4, 33, 3), np.nan)
    for name, x, y in [("left_shoulder", 60, 40), ("left_elbow", 80, 70), ("left_wrist", 110, 60)]:
        xyz[:, landmark_index(name)] = (x / 120, y / 120, 0.0)
    xyz[2] = np.nan  # no person in frame 2
    skel = Skeleton(xyz, fps=10.0, meta={"units": "image_height", "image_size": (160, 120)})
    names = ["left elbow", "right elbow"]
    angles = skel.angles(names=names)
    return FeedbackReport(
        angle_names=tuple(names), usefulness=np.array([0.9, 0.1]), useful=np.array([True, False]),
        similarity=np.array([[0.2, np.nan], [0.8, np.nan], [np.nan, np.nan], [1.0, np.nan]]),
        present=skel.has_person, times=skel.times, fps=10.0, threshold=0.5,
        coach_angles=angles, athlete_angles=angles, coach_skeleton=skel, athlete_skeleton=skel,
    )
