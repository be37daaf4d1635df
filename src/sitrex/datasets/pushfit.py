"""The PushFit push-up clips (correct vs wrong form) as an :class:`~sitrex.datasets.ExerciseDataset`.

Reads ``pushfit.npz``: 265 push-up clips (140 correct, 125 wrong, 32,539
frames) of MediaPipe's 33 landmarks, extracted from videos of varying frame
rate and size. sitrex never downloads it; see :func:`load_pushfit` for where
it is looked for.

Conversion
----------
MediaPipe normalises x by the image width and y by the height, which
distorts angles in non-square frames. Each clip goes through
:func:`sitrex.layouts.from_normalized_image` with its own frame size, giving
isotropic image-height units, and gets its own frame rate.

Four clips (``correct114``, ``wrong108``, ``wrong109``, ``wrong110``) have
no known size or frame rate. Their fps is None. Their aspect ratio is
*assumed* to be `unknown_aspect` (default 16:9, the aspect of 158 of the 261
clips whose size is known): x and z are multiplied by it, ``meta["units"]``
is ``"image_height"``, ``meta["aspect_assumed"]`` is that ratio and there is
no ``meta["image_size"]`` (so :func:`sitrex.layouts.to_pixels` refuses
them). ``extra["size_known"]`` is False for them. Pass
``unknown_aspect=None`` to leave them uncorrected (``meta["units"] =
"normalized"``).

Frames with no person
---------------------
393 frames have no person. They are kept, as NaN rows, in the skeletons
*and* in the angle sequences, so frame ``t`` is at time ``t / fps`` of the
video. ``extra["no_person_frames"]`` counts them per clip.
"""

from __future__ import annotations

import os

import numpy as np

from sitrex.exceptions import InputError
from sitrex.angle_table import check_kind
from sitrex.angles import angle_names
from sitrex.layouts import from_normalized_image
from sitrex.skeleton import Skeleton

from ._clips import angles_of_clips, exercise_columns
from ._dataset import ExerciseDataset
from sitrex._fetch import read_data_archive

__all__ = ["PUSHFIT_EXERCISE_ANGLES", "load_pushfit"]

FILENAME = "pushfit.npz"
LABEL = "push-up"

#: The angles that matter for a push-up, with full 3-D MediaPipe landmarks:
#: elbow flexion, shoulder angles, the straight body line (hips, knees, torso
#: flexion) and the wrists under load.
PUSHFIT_EXERCISE_ANGLES: dict[str, list[str]] = {
    LABEL: sorted(
        [f"{side} {part}" for part in ("elbow", "shoulder", "hip", "knee", "wrist",
                                       "horizontal shoulder adduction")
         for side in ("left", "right")] + ["torso flexion"]
    ),
}


def load_pushfit(
    path: str | os.PathLike[str] | None = None,
    *,
    kind: str = "unsigned",
    keep_skeletons: bool = True,
    unknown_aspect: float | None = 16 / 9,
) -> ExerciseDataset:
    """Load the PushFit push-up clips as joint-angle sequences.

    Parameters
    ----------
    path : str or os.PathLike, optional
        ``pushfit.npz`` or the folder holding it. Default: the folder
        the data home: ``$SITREX_DATA`` if set, else ``~/sitrex_data``
        (:func:`sitrex.datasets.get_data_home`). Nothing is ever downloaded.
    kind : str
        Angle kind, see :data:`sitrex.angles.ANGLE_KINDS`.
    keep_skeletons : bool
        Keep each clip's :class:`~sitrex.skeleton.Skeleton` (with its fps and
        image size) in ``dataset.skeletons``.
    unknown_aspect : float or None
        Width / height assumed for the four clips of unknown size (see the
        module documentation); None leaves them in normalised units.

    Returns
    -------
    ExerciseDataset
        Label ``"push-up"`` for every clip; no-person frames kept as NaN
        rows; ``sources`` the upstream paths; ``groups`` the clip names
        (``correct1`` ...); ``extra``: ``"form"`` (``correct``/``wrong``),
        ``"fps"`` (NaN where unknown), ``"width"``, ``"height"`` (−1 where
        unknown), ``"size_known"``, ``"no_person_frames"``.

    Raises
    ------
    FileNotFoundError
        If the file is not found (the message says where it looked).
    sitrex.exceptions.InputError
        For a file that is not the PushFit archive (not a ``.npz``, or
        another data set's arrays).
    """
    kind = check_kind(kind)
    if unknown_aspect is not None and not (np.isfinite(unknown_aspect) and unknown_aspect > 0):
        raise InputError(f"unknown_aspect must be a positive width/height ratio or None, "
                         f"got {unknown_aspect!r}")
    file, data = read_data_archive(path, FILENAME, "load_pushfit", (
        "landmarks", "offsets", "label", "source", "fps", "width", "height"))
    landmarks, offsets = data["landmarks"], data["offsets"]
    sources = data["source"].astype(str)
    clip_names = np.array([os.path.splitext(os.path.basename(s))[0] for s in sources])
    fps_values = data["fps"].astype(np.float64)
    width, height = data["width"], data["height"]
    size_known = (width > 0) & (height > 0)

    skeletons = []
    for i in range(len(sources)):
        lm = landmarks[offsets[i]:offsets[i + 1]].astype(np.float64)
        fps = float(fps_values[i]) if np.isfinite(fps_values[i]) else None
        no_person = int(np.isnan(lm[..., :3]).all(axis=(1, 2)).sum())
        meta = {"dataset": "pushfit", "form": str(data["label"][i]), "no_person_frames": no_person}
        source = f"pushfit:{clip_names[i]}"
        if size_known[i]:
            skel = from_normalized_image(lm, image_size=(int(width[i]), int(height[i])),
                                         fps=fps, source=source, meta=meta)
        elif unknown_aspect is not None:
            coords = lm[..., :3] * np.array([unknown_aspect, 1.0, unknown_aspect])
            skel = Skeleton(coords, lm[..., 3], fps=fps, source=source,
                            meta={"dimensions": 3, "units": "image_height",
                                  "aspect_assumed": float(unknown_aspect), **meta})
        else:
            skel = Skeleton(lm[..., :3], lm[..., 3], fps=fps, source=source,
                            meta={"dimensions": 3, "units": "normalized", **meta})
        skeletons.append(skel)

    sequences = angles_of_clips([s.coords for s in skeletons], kind)
    columns = angle_names(kind)
    exercise_angles = exercise_columns(PUSHFIT_EXERCISE_ANGLES, kind)
    return ExerciseDataset(
        sequences,
        [LABEL] * len(sequences),
        columns,
        kind,
        exercise_angles=exercise_angles,
        skeletons=skeletons if keep_skeletons else None,
        groups=clip_names,
        sources=sources,
        extra={
            "form": data["label"].astype(str),
            "fps": fps_values,
            "width": width,
            "height": height,
            "size_known": size_known,
            "no_person_frames": np.array([s.meta["no_person_frames"] for s in skeletons]),
        },
        meta={"path": str(file), "dataset": "pushfit", "dimensions": 3,
              "unknown_aspect": unknown_aspect},
    )
