"""Reading the JSON files OpenPose writes (``--write_json``): one file per frame, everybody in it.

OpenPose names its files ``<video>_<frame number, 12 digits>_keypoints.json``
and lists every person it found in a frame under ``"people"``. The clip a
comparison needs is *one* person: :func:`read_openpose` chooses that person as
the video backends do (``person="largest"`` in the first frame with somebody,
then the same person by OpenPose's ``person_id`` when tracking gave one, else
by box overlap) and maps the keypoints with :func:`sitrex.layouts.from_openpose`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from sitrex.backends._tracking import PersonTrack, boxes_from_points, check_person
from sitrex.backends.base import Detections
from sitrex.exceptions import InputError, MissingFileError, SkeletonFileError
from sitrex.io import _parse_json
from sitrex.layouts._common import _finish
from sitrex.layouts.openpose import (OPENPOSE_LAYOUTS, _layout, _layout_for_count,
                                     openpose_landmarks)
from sitrex.skeleton import Skeleton

__all__ = ["read_openpose"]

_DIGITS = re.compile(r"(\d+)")


def _frame_number(path: Path) -> int | None:
    runs = _DIGITS.findall(path.stem)
    return int(runs[-1]) if runs else None


def _frame_files(path: str | os.PathLike[str] | Iterable[Any]) -> list[Path]:
    """The per-frame JSON files in frame order.

    A folder gives its ``*.json`` files, ordered by the last number in their
    names (OpenPose's frame number; by name if a file has none); a single
    file is one frame; a list of files is taken in its own order.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for n in (10, 9, 100):
    ...     _ = (folder / f"clip_{n:012d}_keypoints.json").write_text('{"people": []}')
    >>> [p.name[:17] for p in _frame_files(folder)]
    ['clip_000000000009', 'clip_000000000010', 'clip_000000000100']
    """
    if isinstance(path, (str, os.PathLike)):
        path = Path(path)
        if path.is_dir():
            files = [p for p in path.iterdir() if p.suffix.lower() == ".json" and p.is_file()]
            if not files:
                raise MissingFileError(f"no .json file in {str(path)!r}; point read_openpose at "
                                       "the folder OpenPose's --write_json wrote")
            numbers = [_frame_number(p) for p in files]
            if any(n is None for n in numbers):
                return sorted(files)
            return [p for _, p in sorted(zip(numbers, files), key=lambda t: (t[0], t[1].name))]
        files = [path]
    else:
        files = [Path(p) for p in path]
        if not files:
            raise InputError("read_openpose: the list of files is empty")
    for p in files:
        if not p.is_file():
            raise MissingFileError(f"no such file: {str(p)!r}")
    return files


def _people(path: Path, keys: tuple[str, ...]) -> tuple[str, list[dict[str, Any]]]:
    """A file's people, and which of `keys` (the same thing under names of several versions)
    holds their body keypoints."""
    try:
        document = _parse_json(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise SkeletonFileError(f"{str(path)!r} is not valid JSON ({exc}); is it an OpenPose "
                                "--write_json file?") from None
    people = document.get("people") if isinstance(document, dict) else None
    if not isinstance(people, list) or not all(isinstance(p, dict) for p in people):
        raise SkeletonFileError(f"{str(path)!r} has no 'people' list: not an OpenPose "
                                "--write_json file")
    key = next((k for k in keys if people and k in people[0]), keys[0])
    if any(key not in p for p in people):
        three_d = "; for 3-D keypoints OpenPose must run with --3d" if "3d" in key else ""
        raise SkeletonFileError(f"{str(path)!r}: a person without {key!r}{three_d}")
    return key, people


def _array(values: Any, channels: int, path: Path, key: str) -> np.ndarray:
    try:
        flat = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise SkeletonFileError(f"{str(path)!r}: {key} holds something other than numbers") from None
    if flat.size % channels:
        raise SkeletonFileError(f"{str(path)!r}: {key} has {flat.size} values, not a multiple "
                                f"of {channels} ({'x, y, z, c' if channels == 4 else 'x, y, c'} "
                                "per keypoint)")
    return flat.reshape(-1, channels)


def _frame(path, key, people, hand_keys, channels, layout, options):
    """One file's people as :class:`~sitrex.backends.Detections` (and the layout, once known)."""
    if not people:
        return Detections.empty(), layout
    body = [_array(p[key], channels, path, key) for p in people]
    sizes = {len(b) for b in body}
    if len(sizes) != 1:
        raise SkeletonFileError(f"{str(path)!r}: people with different keypoint counts "
                                f"{sorted(sizes)}")
    count = sizes.pop()
    layout = layout or _layout_for_count(count, f"read_openpose ({path.name})")
    if len(OPENPOSE_LAYOUTS[layout][0]) != count:
        raise SkeletonFileError(f"{str(path)!r}: {count} keypoints per person, but layout "
                                f"{layout!r} has {len(OPENPOSE_LAYOUTS[layout][0])}")
    hands = [None, None]
    for side, hand_key in enumerate(hand_keys):
        arrays = [_array(p.get(hand_key) or [], channels, path, hand_key) for p in people]
        if all(len(a) == 21 for a in arrays):
            hands[side] = np.stack(arrays)
    keypoints = np.stack(body)
    coords, confidence, _ = openpose_landmarks(keypoints, layout=layout, hand_left=hands[0],
                                               hand_right=hands[1], **options)
    seen = keypoints[..., -1] > 0
    xy = keypoints[..., :2]
    if options["units"] == "normalized" and options["image_size"] is not None:
        xy = xy * np.asarray(options["image_size"], dtype=np.float64)   # boxes in pixels
    boxes = boxes_from_points(np.where(seen[..., None], xy, np.nan))
    scores = (np.where(seen, keypoints[..., -1], 0.0).sum(axis=1)
              / np.maximum(seen.sum(axis=1), 1))
    ids = np.array([_person_id(p) for p in people])
    return Detections(coords, confidence, boxes, scores, ids if (ids >= 0).all() else None), layout


def _person_id(person: dict[str, Any]) -> int:
    value = person.get("person_id", -1)
    value = value[0] if isinstance(value, list) and value else value
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else -1


def read_openpose(
    path: str | os.PathLike[str] | Iterable[Any],
    *,
    fps: float | None = None,
    person: str | int = "largest",
    layout: str | None = None,
    dimensions: int = 2,
    hands: bool = True,
    min_confidence: float | None = None,
    units: str = "pixels",
    image_size: tuple[float, float] | None = None,
) -> Skeleton:
    """Read OpenPose's per-frame JSON files into one person's Skeleton.

    Parameters
    ----------
    path : path or list of paths
        The folder OpenPose's ``--write_json`` wrote (its ``*.json`` files in
        frame-number order), one file, or a list of files in frame order.
    fps : float, optional
        The video's frame rate; the files do not hold it. Without it
        :func:`sitrex.compare` assumes 30 fps, with a warning.
    person : {"largest", "central"} or int, default "largest"
        Whom to follow when a frame holds several people, as for the video
        backends: the largest person in the first frame with somebody, the one
        nearest the image centre (needs `image_size`), or the k-th largest.
        Later frames keep that person by OpenPose's ``person_id`` (when it
        ran with ``--tracking``) or by box overlap; a frame without them is a
        frame without a person.
    layout : {"body25", "coco18", "coco17"}, optional
        The keypoint order; by default read from the keypoint count (25, 18,
        17; :data:`sitrex.layouts.OPENPOSE_LAYOUTS`).
    dimensions : {2, 3}, default 2
        Read ``pose_keypoints_2d`` or the 3-D ``pose_keypoints_3d`` (OpenPose
        with ``--3d``; older versions call it ``body_keypoints_3d``).
    hands : bool, default True
        Use the hand keypoints when the files have them (OpenPose with
        ``--hand``): the wrist angles need the index and pinky knuckles.
    min_confidence, units, image_size
        As for :func:`sitrex.layouts.from_openpose`.

    Returns
    -------
    Skeleton
        One row per file; ``meta["people"]`` counts the people of each frame.

    Raises
    ------
    MissingFileError
        A file, or any ``.json`` file in the folder, is missing.
    SkeletonFileError
        A file is not OpenPose's JSON (its name is in the message).
    InputError
        For an unknown layout or option.

    Examples
    --------
    >>> import json, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> body = np.zeros((25, 3))
    >>> body[[2, 5, 9, 12], :] = [[400, 200, 0.9], [300, 200, 0.9], [390, 400, 0.8],
    ...                           [310, 400, 0.8]]          # shoulders and hips
    >>> for frame in range(3):
    ...     people = [] if frame == 1 else [{"person_id": [-1],
    ...                                      "pose_keypoints_2d": body.ravel().tolist()}]
    ...     path = folder / f"squat_{frame:012d}_keypoints.json"
    ...     _ = path.write_text(json.dumps({"version": 1.3, "people": people}))
    >>> s = read_openpose(folder, fps=30, image_size=(640, 480))
    >>> s.n_frames, s.meta["people"], s.present[:, 11].tolist()
    (3, [1, 0, 1], [True, False, True])
    """
    if dimensions not in (2, 3):
        raise InputError(f"read_openpose: dimensions must be 2 or 3, got {dimensions!r}")
    if layout is not None:
        _layout(layout, "read_openpose")         # an unknown name fails before any file is read
    person = check_person(person)
    if person == "central" and (image_size is None or dimensions == 3):
        raise InputError("read_openpose: person='central' needs 2-D keypoints and "
                         "image_size=(width, height) of the video, to know where its centre is")
    files = _frame_files(path)
    keys = ("pose_keypoints_2d",) if dimensions == 2 else ("pose_keypoints_3d",
                                                            "body_keypoints_3d")
    hand_keys = tuple(f"hand_{side}_keypoints_{dimensions}d" for side in ("left", "right"))
    options = dict(min_confidence=min_confidence, units=units, image_size=image_size)
    channels = dimensions + 1
    track = PersonTrack(person)
    for file in files:
        key, people = _people(file, keys)
        det, layout = _frame(file, key, people, hand_keys if hands else (), channels, layout,
                             options)
        track.add(det, image_size=image_size or (np.nan, np.nan))
    coords, confidence = track.arrays()
    units_label = "as recorded" if dimensions == 3 else (
        "pixels" if image_size is None else "image_height")
    return _finish(coords, confidence, dimensions=dimensions, units=units_label,
                   image_size=image_size, fps=fps, source=str(path) if isinstance(
                       path, (str, os.PathLike)) else None,
                   meta={"people": track.people, "layout": layout})
