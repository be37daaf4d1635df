"""IntelliRehabDS (IRDS) rehabilitation gestures as an :class:`~sitrex.datasets.ExerciseDataset`.

Reads ``irds.npz``: 188 clips (14,142 frames) of three IRDS patients
[Miron2021]_ (subjects 215 and 216 standing, 217 in a wheelchair) performing
nine rehabilitation gestures, recorded with a Kinect v2. sitrex never
downloads it; see :func:`load_irds` for where it is looked for.

The archive's traps, and what the loader does about each, are in the Notes
of :func:`load_irds`.
"""

from __future__ import annotations

import os

import numpy as np

from sitrex._fetch import read_data_archive
from sitrex.angle_table import check_kind
from sitrex.angles import angle_names
from sitrex.exceptions import InputError
from sitrex.landmarks import N_LANDMARKS, landmark_index
from sitrex.layouts import KINECT25_TO_MEDIAPIPE, KINECT_TRACKING_CONFIDENCE
from sitrex.skeleton import Skeleton

from ._clips import angles_of_clips, clip_index, exercise_columns
from ._dataset import ExerciseDataset

__all__ = ["IRDS_GESTURES", "IRDS_GESTURE_ANGLES", "IRDS_MOVING_SIDE", "load_irds"]

FILENAME = "irds.npz"
#: Frame rate of the uniform clock (Kinect v2's nominal rate).
FPS = 30.0

#: The nine IRDS gestures, by gesture id (0-8), named as IRDS names them.
IRDS_GESTURES: tuple[str, ...] = (
    "Elbow Flexion Left", "Elbow Flexion Right", "Shoulder Flexion Left",
    "Shoulder Flexion Right", "Shoulder Abduction Left", "Shoulder Abduction Right",
    "Shoulder Forward Elevation", "Side Tap Left", "Side Tap Right",
)

def _split_side(gesture: str) -> tuple[str, str | None]:
    """``"Side Tap Left"`` -> ``("Side Tap", "Left")``; no side -> ``(gesture, None)``."""
    movement, _, side = gesture.rpartition(" ")
    return (movement, side) if side in ("Left", "Right") else (gesture, None)


#: Gesture -> the side whose limb moves in this data: the opposite of the
#: side in the name, or ``"both"``.
IRDS_MOVING_SIDE: dict[str, str] = {
    gesture: {"Left": "right", "Right": "left", None: "both"}[_split_side(gesture)[1]]
    for gesture in IRDS_GESTURES
}

#: Movement -> the angle (without side) it moves.
_MOVEMENT_ANGLES: dict[str, tuple[str, ...]] = {
    # the elbow bends and straightens
    "Elbow Flexion": ("elbow",),
    # the arm rises forward, in the sagittal plane
    "Shoulder Flexion": ("shoulder", "shoulder extension"),
    # the arm rises sideways, in the frontal plane
    "Shoulder Abduction": ("shoulder", "frontal shoulder abduction"),
    # both arms rise forward
    "Shoulder Forward Elevation": ("shoulder", "shoulder extension"),
    # the leg taps out to the side and back (hip abduction, with the knee
    # slightly bent; see IRDS_GESTURE_ANGLES for how little they move)
    "Side Tap": ("hip", "knee", "knee valgus indicator"),
}


def _angles_of(gesture: str) -> list[str]:
    movement, _ = _split_side(gesture)
    side = IRDS_MOVING_SIDE[gesture]
    sides = ("left", "right") if side == "both" else (side,)
    return sorted(f"{s} {part}" for s in sides for part in _MOVEMENT_ANGLES[movement])


#: Gesture -> the angles of the limb that actually moves (see
#: :data:`IRDS_MOVING_SIDE`), so ``"Elbow Flexion Left"`` -> ``["right elbow"]``.
#:
#: Side taps barely change any angle. Their entry is the moving leg's hip (the
#: joint that abducts), knee and knee valgus indicator. Over the correct
#: clips the moving leg's median ranges are 9-11 degrees for the hip, 10-21
#: for the knee and 9-11 for the valgus indicator (mid-hip origin), against
#: 7, 7 and 3 for the leg that stays; the valgus indicator tells the sides
#: apart best (in 93% of those clips). The ankle's travel (landmark
#: positions) shows a tap far better than any angle.
IRDS_GESTURE_ANGLES: dict[str, list[str]] = {g: _angles_of(g) for g in IRDS_GESTURES}

_HIPS = [landmark_index("left_hip"), landmark_index("right_hip")]


def _clock_slots(time_ms: np.ndarray, fps: float = FPS) -> np.ndarray:
    """Frame index of each recorded frame on a uniform clock starting at the first.

    Each frame goes to the slot nearest its time stamp, but always at least
    one slot after the previous frame, so jitter never puts two frames in
    one slot and a missing frame leaves an empty slot.

    Parameters
    ----------
    time_ms : array_like of shape (T,)
        Increasing time stamps in milliseconds, the first one 0.
    fps : float
        Rate of the clock.

    Returns
    -------
    numpy.ndarray of int64, shape (T,)

    Examples
    --------
    >>> _clock_slots(np.array([0, 33, 68, 133, 150, 200])).tolist()
    [0, 1, 2, 4, 5, 6]
    """
    nearest = np.rint(np.asarray(time_ms, dtype=np.float64) * fps / 1000.0).astype(np.int64)
    frame = np.arange(len(nearest))
    return frame + np.maximum.accumulate(nearest - frame) if len(nearest) else nearest


def _place(values: np.ndarray, bounds: list[tuple[int, int]], slots: list[np.ndarray]
           ) -> list[np.ndarray]:
    """Each clip's frames of `values` put at their `slots`, with NaN in the empty slots.

    Examples
    --------
    >>> clips = _place(np.array([1.0, 2.0, 3.0]), [(0, 1), (1, 3)], [np.array([0]), np.array([0, 2])])
    >>> [clip.tolist() for clip in clips]
    [[1.0], [2.0, nan, 3.0]]
    """
    placed = []
    for (a, b), at in zip(bounds, slots):
        clip = np.full((int(at[-1]) + 1 if len(at) else 0, *values.shape[1:]), np.nan)
        clip[at] = values[a:b]
        placed.append(clip)
    return placed


def load_irds(
    path: str | os.PathLike[str] | None = None,
    *,
    kind: str = "unsigned",
    keep_skeletons: bool = True,
    uniform_clock: bool = True,
) -> ExerciseDataset:
    """Load the IRDS rehabilitation gestures as joint-angle sequences on a uniform clock.

    The archive's traps, and how each is handled, are in the Notes below.

    Parameters
    ----------
    path : str or os.PathLike, optional
        ``irds.npz`` or the folder holding it. Default: the data home:
        ``$SITREX_DATA`` if set, else ``~/sitrex_data``
        (:func:`sitrex.datasets.get_data_home`). Nothing is ever downloaded.
    kind : str
        Angle kind, see :data:`sitrex.angles.ANGLE_KINDS`.
    keep_skeletons : bool
        Keep each clip's :class:`~sitrex.skeleton.Skeleton` (metres, centred
        on the mid-hip, 30 fps) in ``dataset.skeletons``.
    uniform_clock : bool
        Place the frames on a uniform 30 fps clock with an all-NaN frame for
        every dropped one (default). False keeps the frames as recorded.

    Returns
    -------
    ExerciseDataset
        One sequence per clip; labels are the gesture names (the nine
        exercises of :data:`IRDS_GESTURES`), angles in
        :func:`sitrex.angles.angle_names` order for `kind`,
        ``exercise_angles`` from :data:`IRDS_GESTURE_ANGLES`; ``groups`` the
        subject ids; ``sources`` the upstream files
        (``"IRDS/RawDataCopy/215_18_0_1_1_stand.txt"``); ``extra``:
        ``"gesture"`` (the name as given), ``"gesture_id"``,
        ``"moving_side"`` (``"left"``, ``"right"`` or ``"both"``),
        ``"correct"``, ``"position"`` (``"stand"`` / ``"wheelchair"``),
        ``"repetition"``, ``"subject"``, ``"fps"`` (30.0),
        ``"effective_fps"`` (frames recorded per second),
        ``"dropped_frames"`` (all-NaN frames inserted; 0 without
        `uniform_clock`) and ``"inferred_fraction"`` (share of mapped joint
        values Kinect inferred rather than tracked).

    Raises
    ------
    sitrex.exceptions.MissingFileError
        If the file is not found (the message says where it looked and how
        to point sitrex at it).
    sitrex.exceptions.InputError
        For an invalid `kind`, a file that is not the IRDS archive (not a
        ``.npz``, or another data set's arrays), or an archive whose gestures
        or landmark array differ from the expected ones.

    Notes
    -----
    **Kinect joints on MediaPipe landmarks.** The archive places 19 of Kinect's
    25 joints on their nearest MediaPipe landmark, in metres, in MediaPipe's axis
    sense (x to the image right, y down, z away from the camera). Several are
    approximate (Kinect's head centre as the nose, its hand tip as the index
    knuckle, narrower hips, a shorter foot). There is no pinky, so ``left
    wrist`` and ``right wrist`` are NaN in every frame; the other 21 angles are
    measured. Kinect's ``TrackingState`` becomes the confidence: 1.0 for a
    tracked joint, 0.5 for an inferred one.

    **Centred on the hips.** As in MediaPipe's world landmarks, and as
    :func:`~sitrex.datasets.load_squat_errors` does, each frame is centred on its
    mid-hip (the ``knee valgus indicator`` depends on the origin; no other angle
    does). ``meta["origin_in_camera"]`` of each skeleton holds the subtracted
    camera-frame mid-hip.

    **Gesture names say the opposite side.** In this copy of IRDS a gesture
    named "Left" is performed with the person's *right* limb and vice versa
    (Kinect's own left/right labels are anatomically right here). Labels keep
    the names as given (``extra["gesture"]``); ``extra["moving_side"]`` and
    :data:`IRDS_GESTURE_ANGLES` follow the limb that actually moves, so
    ``"Elbow Flexion Left"`` has the *right* elbow as its useful angle.

    **Dropped frames.** Kinect's time stamps show missing frames (2.4% of frame
    steps exceed 50 ms; the longest gap is 435 ms) and a jitter of a few ms. By
    default each recorded frame is placed on a uniform 30 fps clock, at the slot
    nearest its time stamp (and always after the previous frame's slot), and
    every slot left empty is an all-NaN frame. The recorded values are not
    changed, only spaced out: frame ``t`` is at ``t / 30`` s, within the clock's
    jitter. Resampling by interpolation was not chosen because it would alter
    every measured value and invent poses across the longer gaps; fill the
    NaN frames when a model needs them (:func:`sitrex.fill_gaps`,
    :meth:`~sitrex.datasets.ExerciseDataset.for_models`). ``extra["dropped_frames"]``
    counts the inserted frames, ``extra["effective_fps"]`` gives the rate actually
    recorded, and each skeleton's ``meta["time_ms"]`` holds the original time
    stamp of each frame (NaN where inserted). ``uniform_clock=False`` keeps the
    frames as recorded instead, at a nominal 30 fps.

    **Groups and labels.** ``groups`` is the subject (215, 216, 217). Labels are
    the nine gesture names; ``extra["correct"]`` is IRDS's correct / incorrect
    label, ``extra["position"]`` is ``"stand"`` or ``"wheelchair"`` (IRDS's own
    words), ``extra["repetition"]`` the repetition number (1-10).

    Examples
    --------
    >>> from sitrex.datasets import load_irds
    >>> irds = load_irds()                                  # doctest: +SKIP
    >>> irds.exercise_angle_names("Elbow Flexion Left")     # doctest: +SKIP
    ['right elbow']
    >>> irds.extra["dropped_frames"].sum()                  # doctest: +SKIP
    np.int64(392)
    """
    kind = check_kind(kind)
    file, data = read_data_archive(path, FILENAME, "load_irds", (
        "landmarks", "offsets", "kinect_tracking", "time_ms", "mediapipe_index", "subject",
        "gesture", "gesture_names", "repetition", "correct", "position", "filename"))
    landmarks, offsets = data["landmarks"], data["offsets"]
    if tuple(data["gesture_names"].astype(str)) != IRDS_GESTURES \
            or landmarks.ndim != 3 or landmarks.shape[1:] != (N_LANDMARKS, 3):
        raise InputError(
            f"{file.name}: expected the nine IRDS gestures {list(IRDS_GESTURES)} and landmarks "
            f"of shape (frames, {N_LANDMARKS}, 3); got {data['gesture_names'].tolist()} and "
            f"{landmarks.shape}. Is this the irds archive?")
    if tuple(data["mediapipe_index"].tolist()) != KINECT25_TO_MEDIAPIPE:
        raise InputError(f"{file.name}: its Kinect-to-MediaPipe joint mapping differs from "
                         "sitrex.layouts.KINECT25_TO_MEDIAPIPE; is this the irds archive?")
    mapped = data["mediapipe_index"] >= 0
    confidence = np.full(landmarks.shape[:2], np.nan)
    confidence[:, data["mediapipe_index"][mapped]] = \
        np.asarray(KINECT_TRACKING_CONFIDENCE)[data["kinect_tracking"][:, mapped]]
    mid_hip = landmarks[:, _HIPS].astype(np.float64).mean(axis=1)
    centred = landmarks - mid_hip[:, None]
    time_ms = data["time_ms"].astype(np.float64)

    n_clips = len(data["filename"])
    bounds = list(zip(offsets[:-1], offsets[1:]))
    slots = [_clock_slots(time_ms[a:b]) if uniform_clock else np.arange(b - a) for a, b in bounds]
    coords = _place(centred, bounds, slots)
    sequences = angles_of_clips(coords, kind)

    lengths = np.diff(offsets)
    with np.errstate(divide="ignore", invalid="ignore"):   # a one-frame clip has no rate
        effective_fps = (lengths - 1) / (time_ms[offsets[1:] - 1] / 1000.0)
    dropped = np.array([len(c) for c in coords]) - lengths
    gesture = data["gesture_names"].astype(str)[data["gesture"]]
    filename = data["filename"].astype(str)
    sources = np.array([f"IRDS/RawDataCopy/{name}" for name in filename])
    clips = clip_index(offsets)
    inferred = data["kinect_tracking"][:, mapped] == 1
    inferred_fraction = np.bincount(clips, inferred.mean(axis=1), n_clips) / lengths

    skeletons = None
    if keep_skeletons:
        clip_confidence, clip_origin, clip_time_ms = (
            _place(values, bounds, slots) for values in (confidence, mid_hip, time_ms))
        skeletons = [
            Skeleton(coords[i], clip_confidence[i], fps=FPS, source=f"irds:{filename[i]}",
                     meta={"dataset": "irds", "dimensions": 3, "units": "metres",
                           "file": str(file), "upstream_file": str(sources[i]),
                           "gesture": str(gesture[i]), "subject": int(data["subject"][i]),
                           "origin": "mid-hip", "origin_in_camera": clip_origin[i],
                           "time_ms": clip_time_ms[i], "uniform_clock": uniform_clock,
                           "dropped_frames": int(dropped[i])})
            for i in range(n_clips)]
    return ExerciseDataset(
        sequences,
        gesture,
        angle_names(kind),
        kind,
        exercise_angles=exercise_columns(IRDS_GESTURE_ANGLES, kind),
        skeletons=skeletons,
        groups=data["subject"],
        sources=sources,
        extra={
            "gesture": gesture,
            "gesture_id": data["gesture"],
            "moving_side": np.array([IRDS_MOVING_SIDE[g] for g in gesture]),
            "correct": data["correct"].astype(bool),
            "position": data["position"].astype(str),
            "repetition": data["repetition"],
            "subject": data["subject"],
            "fps": np.full(n_clips, FPS),
            "effective_fps": effective_fps,
            "dropped_frames": dropped,
            "inferred_fraction": inferred_fraction,
        },
        meta={"path": str(file), "dataset": "irds", "dimensions": 3, "units": "metres",
              "fps": FPS, "fps_assumed": False, "uniform_clock": uniform_clock,
              "origin": "mid-hip", "dropped_frames": int(dropped.sum())},
    )
