"""Video overlay of a coach / athlete comparison, like the SiTrEx paper's.

:func:`render_overlay` draws, on every frame of the athlete's video, each
useful joint angle as an arc at its vertex, coloured from red (differs from
the coach) through yellow to green (matches) by that frame's similarity, with
the angle's value in degrees. Frames without a person are marked. Optionally
the coach's video runs beside it (the coach frame matched to each athlete
frame when the report aligned them in time). The result is an MP4 written
with :class:`sitrex.video.VideoWriter`, atomically.

This module reads the report and decides what goes on each frame; it draws
from data, not from a second table. Where an angle is drawn (its vertex and
arms) comes from the angle table (:func:`sitrex.angle_table.angle_geometry`,
:func:`sitrex.angle_table.angle_arms`), and landmarks are mapped to pixels
with :meth:`sitrex.Skeleton.pixel_coords`, which undoes the image-height
units (and MediaPipe's aspect-ratio correction) using ``meta["image_size"]``.

OpenCV is imported the first time a video is written (``pip install
"sitrex[video]"``).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from sitrex._imports import import_optional
from sitrex._painter import Painter as _Painter
from sitrex._painter import fit_inside, letterbox
from sitrex._validation import check_int
from sitrex.angle_table import AngleGeometry, angle_arms, angle_geometry
from sitrex.exceptions import InputError, MissingFileError, VideoError
from sitrex.landmarks import landmark_index
from sitrex.video import VIDEO_SUFFIXES, VideoReader, VideoWriter, progress_enabled, \
    read_video_info

__all__ = ["AngleGeometry", "angle_geometry", "draw_athlete_frame", "render_overlay",
           "similarity_colors"]

# RGB anchors of the similarity colours (ColorBrewer RdYlGn ends and middle).
_ANCHORS = np.array([0.0, 0.5, 1.0])
_ANCHOR_RGB = np.array([[215, 48, 39], [254, 224, 139], [26, 152, 80]], dtype=np.float64)
_NOT_SCORED_RGB = (160, 160, 160)
_COACH_RGB = (90, 170, 255)


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


# ---------------------------------------------------------------------------- one frame
def draw_athlete_frame(painter: _Painter, img: np.ndarray, points: np.ndarray, arms,
                       colours: np.ndarray, values: np.ndarray, header: list[str],
                       present: bool) -> None:
    """Draw one athlete frame in place: stick figure, angle arcs and a banner, or "no person".

    The one look of an athlete frame, for :func:`render_overlay` and the live
    overlay (:mod:`sitrex.live.display`).

    Parameters
    ----------
    painter : sitrex._painter.Painter
        Sized for the frame.
    img : ndarray (H, W, 3) uint8
        RGB, drawn on in place.
    points : ndarray (33, 3)
        The athlete's landmarks in pixels (NaN where missing).
    arms : sequence of three ndarray (k, 3)
        Vertex and arm directions of the drawn angles
        (:func:`sitrex.angle_table.angle_arms` of one frame).
    colours : ndarray (k, 3)
        RGB of each arc (:func:`similarity_colors`).
    values : ndarray (k,)
        Each angle's value in degrees.
    header : list of str
        The banner's lines.
    present : bool
        Whether the frame has a person (else a red border and "NO PERSON").
    """
    if present:
        painter.bones(img, points)
        painter.arcs(img, *arms, colours, values)
        painter.banner(img, header, fill=(0, 0, 0))
    else:
        painter.no_person(img)
        painter.banner(img, header + ["NO PERSON"], colour=(255, 120, 120), fill=(90, 0, 0))


# ---------------------------------------------------------------------------- the two sides
def _skeleton_pixels(skeleton: Any, who: str) -> np.ndarray:
    try:
        return skeleton.pixel_coords()
    except ValueError as exc:
        raise InputError(
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

    def __init__(self, who: str, path: Path | None, size: tuple[int, int], start: int,
                 step: int) -> None:
        self.who, self.path, self.size, self.start, self.step = who, path, size, start, step
        self._iter: Iterator[Any] | None = None
        self._index = -1
        self._rgb: np.ndarray | None = None
        self._blank = np.zeros((size[1], size[0], 3), np.uint8) if path is None else None

    def get(self, i: int) -> np.ndarray:
        """The i-th frame of the range (0-based), as RGB of :attr:`size`."""
        if self._blank is not None:
            return self._blank
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
        if self._rgb.shape[:2] != (self.size[1], self.size[0]):
            raise VideoError(f"frame {i} of the {self.who} video is {self._rgb.shape[1]}x"
                             f"{self._rgb.shape[0]}, not {self.size[0]}x{self.size[1]}")
        return self._rgb


def _open_side(who: str, video: Any, skeleton: Any, source: Any, n_frames: int) -> _Frames:
    """Check a side's video against its landmarks and return its frames."""
    meta = getattr(skeleton, "meta", {}) if skeleton is not None else {}
    size = _image_size(skeleton) if skeleton is not None else None
    start = int(meta.get("start_frame", 0) or 0)
    step = int(meta.get("frame_step", 1) or 1)
    path = None
    if video is not None:
        path = Path(video)
        if not path.exists():
            raise MissingFileError(f"no {who} video at {str(path)!r}; check the path")
    elif source is not None and Path(str(source)).suffix.lower() in VIDEO_SUFFIXES:
        path = Path(str(source))
        if not path.exists():
            raise MissingFileError(
                f"the report's {who} video {str(path)!r} is not there any more; pass "
                f"{who}_video= with its new location"
            )
    if path is None:
        if size is None:
            raise InputError(
                f"no {who} video to draw on: pass {who}_video=, or give the {who} as landmarks "
                "with meta['image_size'] to draw on a blank frame"
            )
        return _Frames(who, None, size, 0, 1)
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
    return _Frames(who, path, info.size, start, step)


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


def _coach_side(report: Any, coach_video: Any, columns: np.ndarray, size: tuple[int, int],
                n_out: int):
    """The coach's frames, the coach frame shown with each athlete frame, and what is drawn on it.

    Returns ``(frames, index, pixels, arms, values)``: `pixels` are the coach's
    landmarks where its letterboxed frame puts them, `arms` the angle arcs of
    :func:`sitrex.angle_table.angle_arms` and `values` the coach's angles, per
    shown frame; the last three are None without coach landmarks. For a
    report compared with the coach mirrored (or an alternating athlete's runs
    on the other side), each arc is drawn on the coach's twin joint, the one
    the athlete's angle was compared with.
    """
    skeleton = report.coach_skeleton
    n_coach = report.coach_angles.shape[0] if skeleton is None else skeleton.n_frames
    frames = _open_side("coach", coach_video, skeleton, report.coach_source, n_coach)
    index = _coach_frames(report, skeleton, n_coach, report.n_frames)[:n_out]
    if skeleton is None:
        return frames, index, None, None, None
    scale, _, (dx, dy) = fit_inside(frames.size, size)
    pixels = _skeleton_pixels(skeleton, "coach")[index] * scale
    pixels[..., :2] += (dx, dy)
    arms, values = _coach_drawing(report, pixels, index, columns)
    return frames, index, pixels, arms, values


def _coach_drawing(report: Any, pixels: np.ndarray, index: np.ndarray, columns: np.ndarray):
    """The coach's arcs (:func:`sitrex.angle_table.angle_arms`) and angle values (n, k) beside
    each of the first n athlete frames; where the athlete was compared with the coach's other
    side (a mirrored report, or the ``"other side"`` runs of ``report.metadata["side_runs"]``),
    those of the coach's twin joint, the one the athlete's angle was compared with."""
    from sitrex.sides import mirror_columns

    names, columns = report.angle_names, np.asarray(columns, dtype=np.intp)
    mirrored = getattr(report, "coach_mirrored", False)
    other = report.other_side_frames()[:len(index)]
    sided = mirrored or bool(other.any())
    twins = mirror_columns(names)[columns] if sided else columns
    measured = index < report.coach_angles.shape[0]  # else no angle values for that frame
    values = np.full((2, len(index), len(columns)), np.nan)
    for k, drawn in enumerate((columns, twins)):
        values[k, measured] = report.coach_angles[index[measured]][:, drawn]
    if not sided or mirrored:      # a mirrored report's coach_angles hold the twins already
        return angle_arms(pixels, [names[c] for c in twins]), values[0]
    arms = [angle_arms(pixels, [names[c] for c in drawn]) for drawn in (columns, twins)]
    return (tuple(np.where(other[:, None, None], twin, own) for own, twin in zip(*arms)),
            np.where(other[:, None], values[1], values[0]))


# ---------------------------------------------------------------------------- the video
def _progress_bar(progress: Any, total: int):
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
        atomically (:class:`sitrex.video.VideoWriter`): a temporary ``.mp4``
        in the same folder is renamed over it once complete, so a failure or
        an interruption never leaves a half-written video.
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
        Draw the useful angles only (all angles when none is useful:
        ``report.focus``).

    Returns
    -------
    pathlib.Path
        `output`.

    Raises
    ------
    sitrex.exceptions.InputError
        For a report without athlete landmarks in image units, an output not
        ending in ``.mp4``, or a bad `max_frames` (an ``InputError`` is a
        ``ValueError``).
    FileNotFoundError
        For a missing video (:class:`~sitrex.exceptions.MissingFileError`)
        or output folder.
    sitrex.exceptions.VideoError
        For an unreadable video, or one whose size or frame count does not
        match the report.
    sitrex.exceptions.OutputError
        When the video cannot be written (e.g. `output` is a folder).
    sitrex.exceptions.MissingDependencyError
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
        raise InputError(
            "the overlay draws on the athlete's landmarks, but this report has none "
            "(report.athlete_skeleton is None: it was computed from angle arrays, or read back "
            "from JSON, which keeps no landmarks); draw it from the report of a comparison of "
            "videos or landmark files, before saving it"
        )
    if max_frames is not None:
        check_int(max_frames, "max_frames")
    path = Path(output)
    if path.suffix.lower() != ".mp4":
        raise InputError(f"the overlay is written as MP4: name the output '*.mp4', got "
                         f"{path.name!r}")
    n_report = report.n_frames
    if skeleton.n_frames != n_report:
        raise InputError(f"the report has {n_report} frames but its athlete landmarks have "
                         f"{skeleton.n_frames}; the report is inconsistent")
    cv2 = import_optional("cv2", "drawing the overlay (OpenCV)", "video")
    n_out = n_report if max_frames is None else min(n_report, int(max_frames))
    athlete_px = _skeleton_pixels(skeleton, "athlete")[:n_out]
    athlete = _open_side("athlete", athlete_video, skeleton, report.athlete_source, n_report)
    width, height = athlete.size

    # what is drawn: the report's angles, colours and values, for every frame at once
    columns = report.focus if useful_only else np.arange(len(report.angle_names))
    drawn = [report.angle_names[c] for c in columns]
    similarity = report.similarity[:n_out, columns]
    colours = similarity_colors(similarity)  # (T, k, 3)
    values = report.athlete_angles[:n_out, columns]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a frame with nothing scored: NaN
        frame_mean = np.nanmean(similarity, axis=1)
    arms = angle_arms(athlete_px, drawn)  # vertex, first arm, second arm: (T, k, 3) each

    if side_by_side:
        coach, coach_index, coach_px, coach_arms, coach_values = _coach_side(
            report, coach_video, columns, (width, height), n_out)
        coach_colours = np.tile(_COACH_RGB, (len(columns), 1))

    painter = _Painter(cv2, width, height)
    bar = _progress_bar(progress, n_out)
    try:
        with VideoWriter(path, report.fps, (2 * width if side_by_side else width, height)
                         ) as video:
            for t in range(n_out):
                img = athlete.get(t).copy()
                header = [f"athlete  {report.times[t]:.2f} s  frame {t}"]
                if report.present[t] and np.isfinite(frame_mean[t]):
                    header.append(f"similarity {frame_mean[t]:.2f}")
                draw_athlete_frame(painter, img, athlete_px[t], [a[t] for a in arms],
                                   colours[t], values[t], header, bool(report.present[t]))
                if side_by_side:
                    j = int(coach_index[t])
                    side = letterbox(cv2, coach.get(j), (width, height)).copy()
                    if coach_px is not None and np.isfinite(coach_px[t, :, :2]).any():
                        painter.bones(side, coach_px[t])
                        painter.arcs(side, *(a[t] for a in coach_arms), coach_colours,
                                     coach_values[t])
                    painter.banner(side, [f"coach  frame {j}"], fill=(0, 0, 0))
                    img = np.concatenate([side, img], axis=1)
                video.write(img)
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
