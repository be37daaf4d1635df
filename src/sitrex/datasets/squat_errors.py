"""Squat clips with seven form classes (two correct styles, five faults) as an
:class:`~sitrex.datasets.ExerciseDataset`.

Reads ``squat_errors.npz``: 1,334 squat clips (137,037 frames) from the
Squat-Analysis project [Chariar2023]_, 19 MediaPipe landmarks per frame,
triangulated to 3-D from a stereo pair. sitrex never downloads it; see
:func:`load_squat_errors` for where it is looked for.

The archive's traps, and what the loader does about each, are in the Notes
of :func:`load_squat_errors`.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from sitrex._fetch import read_data_archive
from sitrex._validation import check_fps, check_number
from sitrex.angle_table import check_kind
from sitrex.angles import angle_names
from sitrex.exceptions import InputError
from sitrex.filters import rolling_median
from sitrex.landmarks import N_LANDMARKS, landmark_index
from sitrex.skeleton import Skeleton

from ._clips import angles_of_clips, clip_index, exercise_columns
from ._dataset import ExerciseDataset

__all__ = [
    "SQUAT_CORRECT_FORMS",
    "SQUAT_EXERCISE_ANGLES",
    "SQUAT_FAULT_ANGLES",
    "SQUAT_FORMS",
    "load_squat_errors",
]

FILENAME = "squat_errors.npz"
LABEL = "squat"

#: The seven form classes of ``squat_errors.npz``, in the archive's order.
SQUAT_FORMS: tuple[str, ...] = (
    "bending forward", "heels lifting", "knees caving", "no depth", "olympic squat",
    "powerlifting squat", "toes lifting",
)

#: The two correct squat styles among :data:`SQUAT_FORMS`.
SQUAT_CORRECT_FORMS: tuple[str, ...] = ("olympic squat", "powerlifting squat")

#: Each form fault -> the SiTrEx angles it is expected to move.
#:
#: ``knees caving`` maps to the valgus indicators, the only SiTrEx angles of
#: the knees' frontal-plane tracking, but they show it weakly: centred on the
#: mid-hip as the loader does, their per-clip median is 144 degrees for this
#: class against 141-142.5 for the others (with the camera as origin, 168
#: against 162-170). The knee-to-knee distance relative to the ankles' at
#: the bottom of the squat (landmark positions, not an angle) separates it
#: far better, and so does the knee frontal tilt that sitrex's comparisons
#: measure in the valgus indicator columns
#: (:func:`sitrex.measurement.knee_frontal_tilt`; per-clip ROC-AUC 0.96
#: against 0.65, see :func:`sitrex.measurement.comparison_angles`).
#: ``toes lifting`` maps to ankle dorsiflexion, but in this data neither
#: the ankle angles nor the height of the toes show it clearly.
SQUAT_FAULT_ANGLES: dict[str, list[str]] = {
    "bending forward": ["left hip", "right hip", "torso flexion"],
    "heels lifting": ["left ankle dorsiflexion", "right ankle dorsiflexion"],
    "knees caving": ["left knee valgus indicator", "right knee valgus indicator"],
    "no depth": ["left hip", "left knee", "right hip", "right knee"],
    "toes lifting": ["left ankle dorsiflexion", "right ankle dorsiflexion"],
}

#: The angles that matter for a squat: the union of :data:`SQUAT_FAULT_ANGLES`
#: (knees and hips for depth, torso flexion for the forward lean, ankle
#: dorsiflexion for the heels and toes, the valgus indicators for the knees'
#: tracking). A comparison that left any of them out would be blind to one
#: of the five faults.
SQUAT_EXERCISE_ANGLES: dict[str, list[str]] = {
    LABEL: sorted({name for names in SQUAT_FAULT_ANGLES.values() for name in names}),
}

#: Frame rate assumed by default (see the Notes of :func:`load_squat_errors`).
DEFAULT_FPS = 30.0
#: Lower bound on the true frame rate from the recording time stamps.
FPS_LOWER_BOUND = 22.0
#: Half-width, in frames, of the running median that gives the mid-hip track.
TRACK_HALF_WINDOW = 7

#: The 19 MediaPipe landmarks the archive measures (the others are NaN).
_MEASURED = np.array([0, 2, 5, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32])
_HIPS = [int(np.flatnonzero(_MEASURED == landmark_index(n))[0]) for n in ("left_hip", "right_hip")]
_SHOULDERS = [int(np.flatnonzero(_MEASURED == landmark_index(n))[0])
              for n in ("left_shoulder", "right_shoulder")]


def _distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sqrt(((a - b) ** 2).sum(axis=-1))


def _reject_failures(landmarks: np.ndarray, clips: np.ndarray, days: np.ndarray,
                     max_distance: float) -> dict[str, np.ndarray]:
    """Find failed triangulations over all frames at once (see :func:`load_squat_errors`).

    `landmarks` holds only the measured landmarks, (T, K, 3), ordered like
    :data:`_MEASURED`. Returns the mid-hip track (T, 3), the day's torso
    length per frame (T,), and (T, K) masks of the landmarks rejected as
    behind the camera or as too far from the hips.
    """
    present = ~np.isnan(landmarks[..., 0])
    behind = present & (landmarks[..., 2] <= 0)
    in_front = np.where(behind[..., None], np.nan, landmarks)
    hips, shoulders = in_front[:, _HIPS], in_front[:, _SHOULDERS]
    mid_hip = hips.mean(axis=1)
    track = rolling_median(mid_hip, TRACK_HALF_WINDOW, groups=clips)
    torso = _distance(shoulders.mean(axis=1), mid_hip)
    day_names, day_of_frame = np.unique(days, return_inverse=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # a day with no torso stays NaN
        day_torso = np.array([np.nanmedian(torso[day_of_frame == d]) for d in range(len(day_names))])
    torso_length = day_torso[day_of_frame]
    within = _distance(in_front, track[:, None]) <= max_distance * torso_length[:, None]
    far = present & ~behind & ~within   # `within` is False wherever a value is NaN
    return {"track": track, "torso_length": torso_length, "behind": behind, "far": far}


def load_squat_errors(
    path: str | os.PathLike[str] | None = None,
    *,
    kind: str = "unsigned",
    keep_skeletons: bool = True,
    fps: float | None = DEFAULT_FPS,
    max_distance: float = 3.0,
    include_unlabelled: bool = False,
) -> ExerciseDataset:
    """Load the squat form clips as joint-angle sequences, with failed landmarks rejected.

    The archive's traps, and how each is handled, are in the Notes below.

    Parameters
    ----------
    path : str or os.PathLike, optional
        ``squat_errors.npz`` or the folder holding it. Default: the data
        home: ``$SITREX_DATA`` if set, else ``~/sitrex_data``
        (:func:`sitrex.datasets.get_data_home`). Nothing is ever downloaded.
    kind : str
        Angle kind, see :data:`sitrex.angles.ANGLE_KINDS`.
    keep_skeletons : bool
        Keep each clip's :class:`~sitrex.skeleton.Skeleton` (centred on the
        mid-hip track, with the assumed fps) in ``dataset.skeletons``.
    fps : float or None
        Frame rate to assume; upstream does not state it (at least about 22
        fps). Default 30. None leaves it unknown (``Skeleton.fps`` None).
    max_distance : float
        Landmarks farther than this many torso lengths from the mid-hip
        track are rejected as triangulation failures. Default 3.
    include_unlabelled : bool
        Also return the 11 clips that have no form label upstream (form
        ``""``, split ``""``). Default False: 1,323 clips.

    Returns
    -------
    ExerciseDataset
        Label ``"squat"`` for every clip, angles in :func:`sitrex.angles.angle_names`
        order for `kind`, ``exercise_angles`` from
        :data:`SQUAT_EXERCISE_ANGLES`; ``groups`` the recording day
        (``"2023-04-05"``); ``sources`` the upstream files
        (``"data/mediapipe/recording_05042023_123600.npy"``); ``extra``:
        ``"form"`` (one of :data:`SQUAT_FORMS`), ``"correct"`` (a correct
        style), ``"split"`` (``"train"`` / ``"test"``, upstream's random
        split), ``"recording_date"``, ``"recording_time"``,
        ``"filename"``, ``"rejected_landmarks"`` (landmark values rejected
        as failures), ``"rejected_frames"`` (frames with at least one) and
        ``"empty_frames"`` (frames left with no landmark). ``meta`` records
        the file, ``fps`` and ``fps_assumed``, the units, the rejection
        rule and its totals, the failed and the left-out clips.

    Raises
    ------
    sitrex.exceptions.MissingFileError
        If the file is not found (the message says where it looked and how
        to point sitrex at it).
    sitrex.exceptions.InputError
        For an invalid `kind`, `fps` or `max_distance`, a file that is not
        the squat_errors archive (not a ``.npz``, or another data set's
        arrays), or an archive whose landmark array is not ``(frames, 33, 3)``.

    Notes
    -----
    **19 of the 33 landmarks.** The nose, the eyes, shoulders, elbows, wrists,
    hips, knees, ankles, heels and toes; the other 14 landmarks are NaN. So
    ``left wrist`` and ``right wrist`` (which need the pinky and index
    landmarks) are NaN in every frame; the other 21 angles are measured.

    **Camera frame, unknown units.** x points to the image right, y down and z
    away from the camera (MediaPipe's axis sense), with the origin at the
    camera. The unit is not stated upstream and is not the metre: a median
    torso (mid-shoulder to mid-hip) is 38 units, roughly 1.4 cm per unit, and
    the scale changes between recording days (a day's median torso ranges from
    30 to 59 units). Angles do not depend on the unit; ``meta["units"]`` is
    ``"unknown"`` and each skeleton's ``meta["torso_length"]`` gives the
    scale of its recording day.

    **Centred on the hips.** The ``knee valgus indicator`` projects landmark
    *positions* onto the body's coronal plane, so it depends on the origin.
    As in MediaPipe's world landmarks, every frame is centred on the mid-hip:
    the skeletons hold coordinates relative to a robust mid-hip track (below),
    and ``meta["origin_in_camera"]`` holds that track, so ``skel.coords +
    skel.meta["origin_in_camera"][:, None]`` gives the camera coordinates back.

    **Triangulation failures.** Some landmarks land far from the body (up to
    6.7e5 units away) or behind the camera (z <= 0); in two clips
    (``recording_13042023_155248`` and ``recording_13042023_161931``) the
    whole triangulation failed. Each landmark of each frame is *rejected*
    (made NaN) when

    * its z is <= 0, or
    * it lies more than `max_distance` torso lengths (default 3) from the
      clip's mid-hip track, or that track is unknown at that frame.

    The mid-hip track is the running median, over 15 frames (7 on each side,
    within the clip), of the per-frame mid-hip of the landmarks in front of the
    camera, so an isolated wild hip does not move it. The torso length is the
    median mid-shoulder to mid-hip distance over all frames of the clip's
    recording day: a per-clip length would be wrecked by the clips that failed
    as a whole, and a single length for the archive would not fit days recorded
    at another scale. A standing body reaches about 2 torso lengths from its
    mid-hip; 3 leaves room for body size (a clip's own torso length lies within
    0.7-1.3 times its day's) and catches most wild wrists, which are the typical near
    misses. The two wholly failed clips become all-NaN sequences (a hip lies
    behind the camera in each of their frames); they are listed in
    ``meta["failed_clips"]``. ``extra["rejected_landmarks"]`` and
    ``meta["rejected_landmarks"]`` count what was rejected. Errors that leave a
    landmark near the body (a distorted depth, say) are not detected.

    **Padding.** The archive has already dropped upstream's padding. The two
    frames inside clips whose every value was the padding value -1 (one in
    ``recording_18042023_122011``, one in ``recording_20042023_112729``) are
    all-NaN frames; frames are never dropped, so frame ``t`` is frame ``t`` of
    the recording.

    **Frame rate unknown.** Upstream does not state it. The recording time stamps
    (1 s resolution) give a lower bound of about 22 fps (219 frames, next
    recording 9 s later). The loader *assumes* `fps`: by default 30, the usual
    capture rate of consumer and webcam-class cameras. 24 or 25 would fit the
    bound as well, so durations and speeds in seconds are approximate.
    ``meta["fps_assumed"]`` is True, ``meta["fps_lower_bound"]`` is 22 and the
    skeletons carry the assumed rate. Pass ``fps=None`` to leave it unknown.

    **Labels.** Every clip is a ``"squat"``. The form class is in
    ``extra["form"]``: ``olympic squat`` and ``powerlifting squat`` are the two
    correct styles (``extra["correct"]`` True), and ``bending forward``,
    ``heels lifting``, ``knees caving``, ``no depth`` and ``toes lifting`` are
    faults. :data:`SQUAT_FAULT_ANGLES` says which angles each fault should move.
    11 clips have no label (and no split) upstream; they are left out unless
    ``include_unlabelled=True`` (their form is then ``""``).

    **Groups.** There are no subject ids. ``groups`` is the recording day, the
    closest available stand-in for a person: the upstream train/test split
    (``extra["split"]``) is a random split of clips, so every day, and
    presumably every person, is on both sides of it. Split by group for an
    honest estimate.

    Examples
    --------
    >>> from sitrex.datasets import load_squat_errors
    >>> squats = load_squat_errors()                        # doctest: +SKIP
    >>> squats                                              # doctest: +SKIP
    ExerciseDataset(1323 sequences, 135949 frames, 23 'unsigned' angles; squat: 1323)
    >>> faults = squats.subset(~squats.extra["correct"])    # doctest: +SKIP
    >>> squats.meta["fps_assumed"], squats.meta["fps"]      # doctest: +SKIP
    (True, 30.0)
    """
    kind = check_kind(kind)
    fps = check_fps(fps, "fps")
    max_distance = check_number(max_distance, "max_distance", low=0, low_open=True)
    file, data = read_data_archive(path, FILENAME, "load_squat_errors", (
        "landmarks", "offsets", "filename", "label", "split", "recording_date",
        "recording_time", "mediapipe_index"))
    landmarks, offsets = data["landmarks"], data["offsets"]
    if landmarks.ndim != 3 or landmarks.shape[1:] != (N_LANDMARKS, 3) \
            or data["mediapipe_index"].tolist() != _MEASURED.tolist():
        raise InputError(
            f"{file.name}: expected landmarks of shape (frames, {N_LANDMARKS}, 3) measured at "
            f"MediaPipe landmarks {_MEASURED.tolist()}; got shape {landmarks.shape} and "
            f"{data['mediapipe_index'].tolist()}. Is this the squat_errors archive?")
    measured = landmarks[:, _MEASURED].astype(np.float64)
    form = data["label"].astype(str)
    filename = data["filename"].astype(str)
    dates = data["recording_date"].astype(str)
    clips = clip_index(offsets)

    found = _reject_failures(measured, clips, dates[clips], max_distance)
    rejected = found["behind"] | found["far"]
    centred = np.full((len(measured), N_LANDMARKS, 3), np.nan)
    centred[:, _MEASURED] = np.where(rejected[..., None], np.nan, measured) - found["track"][:, None]
    n_clips = len(filename)
    rejected_landmarks = np.bincount(clips, rejected.sum(axis=1), n_clips).astype(np.int64)
    rejected_frames = np.bincount(clips, rejected.any(axis=1), n_clips).astype(np.int64)
    empty_frames = np.bincount(clips, np.isnan(centred[..., 0]).all(axis=1), n_clips
                               ).astype(np.int64)

    labelled = form != ""
    chosen = np.arange(n_clips) if include_unlabelled else np.flatnonzero(labelled)
    upstream = np.array([f"data/mediapipe/{name}.npy" for name in filename])
    lengths = np.diff(offsets)
    coords = [centred[offsets[i]:offsets[i + 1]] for i in chosen]
    sequences = angles_of_clips(coords, kind)
    skeletons = None
    if keep_skeletons:
        skeletons = [Skeleton(
            c, fps=fps, source=f"squat_errors:{filename[i]}",
            meta={"dataset": "squat_errors", "dimensions": 3, "units": "unknown",
                  "file": str(file), "upstream_file": str(upstream[i]),
                  "form": str(form[i]), "fps_assumed": fps is not None,
                  "origin": "mid-hip track",
                  "origin_in_camera": found["track"][offsets[i]:offsets[i + 1]],
                  "torso_length": float(found["torso_length"][offsets[i]]),
                  "rejection_radius": float(max_distance * found["torso_length"][offsets[i]]),
                  "rejected_landmarks": int(rejected_landmarks[i])})
            for c, i in zip(coords, chosen)]
    frames = np.isin(clips, chosen)
    return ExerciseDataset(
        sequences,
        [LABEL] * len(chosen),
        angle_names(kind),
        kind,
        exercise_angles=exercise_columns(SQUAT_EXERCISE_ANGLES, kind),
        skeletons=skeletons,
        groups=dates[chosen],
        sources=upstream[chosen],
        extra={
            "form": form[chosen],
            "correct": np.isin(form[chosen], SQUAT_CORRECT_FORMS),
            "split": data["split"][chosen].astype(str),
            "recording_date": dates[chosen],
            "recording_time": data["recording_time"][chosen].astype(str),
            "filename": filename[chosen],
            "rejected_landmarks": rejected_landmarks[chosen],
            "rejected_frames": rejected_frames[chosen],
            "empty_frames": empty_frames[chosen],
        },
        meta={
            "path": str(file), "dataset": "squat_errors", "dimensions": 3, "units": "unknown",
            "fps": fps, "fps_assumed": fps is not None, "fps_lower_bound": FPS_LOWER_BOUND,
            "origin": "mid-hip track (running median over "
                      f"{2 * TRACK_HALF_WINDOW + 1} frames)",
            "max_distance_torso_lengths": max_distance,
            "rejected_landmarks": int(rejected[frames].sum()),
            "rejected_behind_camera": int(found["behind"][frames].sum()),
            "rejected_far_from_hips": int(found["far"][frames].sum()),
            "rejected_frames": int(rejected[frames].any(axis=1).sum()),
            "failed_clips": filename[chosen][empty_frames[chosen] == lengths[chosen]].tolist(),
            "left_out_unlabelled": [] if include_unlabelled else filename[~labelled].tolist(),
        },
    )
