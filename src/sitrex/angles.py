"""The 23 SiTrEx joint angles: one declarative table and vectorised kernels.

Each angle is a row of :data:`ANGLE_DEFINITIONS`: its name, the landmarks it
is measured from, how it is measured and in which anatomical plane. The
functions here read that table once, turn it into index arrays, and compute
every angle of every frame of every sequence with a few numpy operations (no
Python loop over frames).

Angle kinds
-----------
``"unsigned"``
    The paper's default and what its models take: the 3-D angle in
    [0, 180] degrees between two segments.
``"sagittal"``, ``"coronal"``, ``"transverse"``
    Signed angles in [0, 360). The ten *multi-plane* angles (elbows,
    shoulders, wrists, knees, hips) are projected onto the chosen plane of the
    torso frame and signed about its normal; the other thirteen angles always
    use the plane they are defined in, so they are identical in the three
    kinds (and differ from their unsigned values).
``"max-energy"``
    Per sequence and per multi-plane angle, the plane whose values vary most
    over time (largest standard deviation). Needs a time axis.
``"all"``
    43 columns: the three planes (sagittal, coronal, transverse) of each
    multi-plane angle, and the single value of each other angle.

The reference implementation also has a ``"signed"`` kind. Its sign is a dot
product with a cross product that contains one of its own vectors, so it is
always zero and the kind only ever yields 0, 180 or about 360 degrees. sitrex
does not offer it; the plane kinds are the meaningful signed angles.

Angle order
-----------
Columns follow the alphabetical order of the angle names
(:data:`ANGLE_NAMES`), which is the order the paper's models were trained on.

Degenerate geometry
-------------------
By default (``degenerate="paper"``) a zero-length segment gives the paper's
values: 90 degrees for unsigned angles (the reference adds 1e-6 to the
product of the norms) and 0 degrees for signed angles. With
``degenerate="nan"`` such angles are NaN instead. Missing landmarks (NaN
coordinates) always give NaN for exactly the angles that use them (see
:meth:`AngleDefinition.landmarks`).

The valgus indicator where it is undefined
------------------------------------------
The paper's knee valgus indicator normalises the hip, knee and ankle
positions, projected onto the coronal plane, to unit vectors from the
origin before it takes the angle at the knee. When the knee and the ankle
(or the hip) lie almost on one ray from the origin, as they do for a
straight leg in a wide stance seen from the mid-hip, the vector between
their unit directions is a few thousandths long and its direction is
landmark noise: the indicator then jumps between about 40 and 145 degrees
from frame to frame in a person standing still (measured on the shared
IRDS recordings of arm exercises). With ``valgus_min_spread=d`` the indicator is
NaN in the frames where, seen from the origin in the coronal plane, the knee
lies within ``d`` degrees of the direction of the hip or of the ankle. The
default, 0, keeps every frame (the paper). :data:`VALGUS_MIN_SPREAD` is a
value that removes the flips. sitrex's comparisons do not compare the
paper's indicator at all: they measure the knees' frontal-plane tracking in
its place (:func:`sitrex.measurement.knee_frontal_tilt`).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sitrex._validation import check_number
from sitrex.exceptions import InputError
from . import _geometry as geo
from .angle_table import (
    _ALL_COLUMNS,
    ANGLE_DEFINITIONS,
    ANGLE_KINDS,
    ANGLE_NAMES,
    MULTI_PLANE_ANGLES,
    PLANE_NORMAL_AXIS,
    PLANES,
    TORSO_AXES,
    AngleDefinition,
    angle_definition,
    check_kind,
    column_landmarks,
)
from .landmarks import N_LANDMARKS, landmark_index

__all__ = [
    "ANGLE_DEFINITIONS",
    "ANGLE_KINDS",
    "ANGLE_NAMES",
    "MULTI_PLANE_ANGLES",
    "PLANES",
    "AngleDefinition",
    "angle_definition",
    "angle_names",
    "column_landmarks",
    "compute_angles",
    "range_of_motion",
    "VALGUS_MIN_SPREAD",
]

#: A ``valgus_min_spread`` that removes the flips, degrees: the indicator's
#: vectors are then at least 0.1 long (chords of the unit circle), so one
#: percent of landmark noise moves their direction by a few degrees, not by
#: a hundred.
VALGUS_MIN_SPREAD = 6.0

def angle_names(kind: str = "unsigned") -> tuple[str, ...]:
    """Column names of :func:`compute_angles` for ``kind``, in column order.

    Examples
    --------
    >>> angle_names()[:2]
    ('left ankle dorsiflexion', 'left elbow')
    >>> len(angle_names("all")), angle_names("all")[1]
    (43, 'left elbow (sagittal)')
    """
    return _ALL_COLUMNS if check_kind(kind) == "all" else ANGLE_NAMES


class _Plan:
    """The angle table compiled into index arrays (built once at import).

    Angles are computed in three groups, each a single vectorised pass:
    ``joint`` angles (13, the only ones whose plane can follow the kind),
    ``segment`` angles (8) and ``valgus`` indicators (2). ``order`` maps the
    concatenation ``[joints, segments, valgus]`` back to table order.
    """

    def __init__(self, definitions: tuple[AngleDefinition, ...]):
        points: dict[tuple[str, ...], int] = {}
        for d in definitions:
            for p in d.points:
                points.setdefault(p, len(points))
        pairs = [(landmark_index(p[0]), landmark_index(p[-1])) for p in points]
        self.first, self.second = (np.array(c, dtype=np.intp) for c in zip(*pairs))
        self.midpoints = np.flatnonzero(self.first != self.second)

        def group(measure: str) -> dict[str, np.ndarray]:
            rows = [(i, d) for i, d in enumerate(definitions) if d.measure == measure]
            return {
                "column": np.array([i for i, _ in rows], dtype=np.intp),
                "point": np.array([[points[p] for p in d.points] for _, d in rows], dtype=np.intp),
                "plane": np.array([PLANE_NORMAL_AXIS.get(d.plane, -1) for _, d in rows], dtype=np.intp),
                "reference": np.array([TORSO_AXES.index(d.reference) if d.reference else -1 for _, d in rows],
                                      dtype=np.intp),
            }

        self.joint, self.segment, self.valgus = group("joint"), group("segment"), group("valgus")
        grouped = np.concatenate([self.joint["column"], self.segment["column"], self.valgus["column"]])
        self.order = np.argsort(grouped)  # grouped position of each table column
        self.n_joint = len(self.joint["column"])
        self.joint_multi_plane = self.joint["plane"] < 0
        frame = [landmark_index(n) for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]
        self.frame_landmarks = np.array(frame, dtype=np.intp)


_PLAN = _Plan(ANGLE_DEFINITIONS)
# a vector shorter than this (in coordinate units) is degenerate for degenerate="nan"
_DEGENERATE_LENGTH = 1e-9
_CHUNK_FRAMES = 2048  # frames per block: keeps the temporaries in cache


def _as_landmarks(landmarks) -> np.ndarray:
    coords = getattr(landmarks, "coords", landmarks)  # a Skeleton, or anything array-like
    try:
        coords = np.asarray(coords, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"landmarks must be a numeric array of shape (..., 33, 3): {exc}") from None
    if coords.ndim < 2 or coords.shape[-2:] != (N_LANDMARKS, 3):
        fix = ""
        if coords.ndim >= 2 and coords.shape[-2:] == (N_LANDMARKS, 2):
            fix = " For 2-D landmarks, append z = 0 (angles are then measured in the image plane)."
        elif coords.ndim >= 2 and coords.shape[-2] in (13, 17):
            fix = " Convert other layouts first: Skeleton.from_coco17 or Skeleton.from_penn13."
        elif coords.ndim >= 2 and coords.shape[-2:] == (N_LANDMARKS, 4):
            fix = " Drop the visibility channel: landmarks[..., :3]."
        raise InputError(
            f"landmarks must have shape (..., 33, 3) (MediaPipe's 33 landmarks, x y z); got {coords.shape}.{fix}"
        )
    return coords


def _short(*vectors: np.ndarray) -> np.ndarray:
    return np.logical_or.reduce([geo.dot(v, v) < _DEGENERATE_LENGTH ** 2 for v in vectors])


class _Block:
    """Angles of one block of frames; vectors are component-first arrays (3, n, k)."""

    def __init__(self, coords: np.ndarray, flag_degenerate: bool, valgus_min_chord: float = 0.0):
        c = np.ascontiguousarray(coords.transpose(2, 0, 1))  # (3, n, 33): x, y, z blocks
        if np.isinf(c).any():
            raise InputError("landmarks contain infinite values; mark unknown landmarks with NaN instead.")
        points = c[..., _PLAN.first]  # (3, n, n_points)
        mid = _PLAN.midpoints
        points[..., mid] = (points[..., mid] + c[..., _PLAN.second[mid]]) / 2
        self.points = points
        ls, rs, lh, rh = (c[..., i] for i in _PLAN.frame_landmarks)
        self.frame = np.stack(geo.torso_frame(ls, rs, lh, rh), axis=-1)  # (3, n, 3 axes)
        self.flag = flag_degenerate
        self.valgus_min_chord = valgus_min_chord
        if flag_degenerate:
            across, up = rs - ls, (ls + rs) / 2 - (lh + rh) / 2
            # per torso axis: the horizontal axis needs only the shoulder line
            upright_bad = _short(across, up, geo.cross(across, up))
            self.axis_bad = np.stack([_short(across), upright_bad, upright_bad], axis=-1)  # (n, 3)
        j = _PLAN.joint
        vertex = self._point(j, 1)
        self.joint_a, self.joint_c = self._point(j, 0) - vertex, self._point(j, 2) - vertex

    def _point(self, group: dict, k: int) -> np.ndarray:
        return self.points[..., group["point"][:, k]]

    def joints(self, kind: str, plane_axis: int = -1) -> np.ndarray:
        """Joint angles (n, 13) of ``kind``; ``plane_axis`` is the plane of the multi-plane ones."""
        a, c = self.joint_a, self.joint_c
        if kind == "unsigned":
            return self._checked(geo.unsigned_angle(a, c), (a, c), axes=())
        plane = _PLAN.joint["plane"]
        axis = np.where(plane < 0, plane_axis, plane)
        normal = self.frame[..., axis]
        a, c = geo.reject(a, normal), geo.reject(c, normal)
        return self._checked(geo.signed_angle(a, c, normal), (a, c), axes=(axis,))  # atan2: no unit vectors

    def plane_fixed(self, kind: str) -> np.ndarray:
        """Segment angles then valgus indicators (n, 10): their plane never depends on the kind."""
        unsigned = kind == "unsigned"
        s = _PLAN.segment
        segment = self._point(s, 1) - self._point(s, 0)
        normal = self.frame[..., s["plane"]]
        in_plane = geo.reject(segment, normal)
        reference = self.frame[..., s["reference"]]
        values = (geo.unsigned_angle(geo.normalize(in_plane), reference) if unsigned
                  else geo.signed_angle(in_plane, reference, normal))
        segments = self._checked(values, (segment, in_plane), axes=(s["plane"], s["reference"]))

        v = _PLAN.valgus
        normal = self.frame[..., v["plane"]]
        hip, knee, ankle = (geo.project_onto_plane(self._point(v, k), normal) for k in range(3))
        a, c = hip - knee, ankle - knee
        values = geo.unsigned_angle(a, c) if unsigned else geo.signed_angle(a, c, normal)
        valgus = self._checked(values, (a, c), axes=(v["plane"],))
        if self.valgus_min_chord > 0:     # a and c are chords between unit vectors
            floor = self.valgus_min_chord ** 2
            with np.errstate(invalid="ignore"):
                valgus[(geo.dot(a, a) < floor) | (geo.dot(c, c) < floor)] = np.nan
        return np.concatenate([segments, valgus], axis=1)

    def _checked(self, values: np.ndarray, vectors, axes) -> np.ndarray:
        """With ``degenerate="nan"``, blank values whose vectors or torso ``axes`` (per column) collapse."""
        if self.flag:
            bad = _short(*vectors)
            for axis in axes:
                bad |= self.axis_bad[:, axis]
            values[bad] = np.nan
        return values


def compute_angles(landmarks, kind: str = "unsigned", *, names=None,
                   degenerate: Literal["paper", "nan"] = "paper",
                   valgus_min_spread: float = 0.0) -> np.ndarray:
    """Compute the SiTrEx joint angles of poses, vectorised over all leading axes.

    Parameters
    ----------
    landmarks : array-like of shape (..., 33, 3) or Skeleton
        Landmark coordinates in the MediaPipe 33-landmark layout; NaN marks a
        missing landmark. Any number of leading axes (frames, sequences).
        ``"max-energy"`` needs a time axis: shape (..., T, 33, 3).
    kind : {"unsigned", "sagittal", "coronal", "transverse", "max-energy", "all"}
        How the angles are measured (see the module documentation).
    names : sequence of str, optional
        Return only these columns (names from :func:`angle_names` for
        ``kind``), in this order. Default: all columns.
    degenerate : {"paper", "nan"}
        Value of an angle whose segment has zero length or whose torso frame
        collapses: the paper's values (90 degrees unsigned, 0 degrees signed)
        or NaN.
    valgus_min_spread : float, default 0
        Degrees in [0, 90]: the knee valgus indicators are NaN in the
        frames where, seen from the origin in the coronal plane, the knee
        lies within this angle of the direction of the hip or of the ankle
        (their vectors are then too short to have a direction; see "The
        valgus indicator where it is undefined" in the module
        documentation). 0 keeps every frame, as the paper does.

    Returns
    -------
    ndarray of shape (..., n_columns), float64
        Angles in degrees: [0, 180] for ``"unsigned"``, [0, 360) otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> pose = np.zeros((33, 3))
    >>> pose[23], pose[25], pose[27] = [0, 0, 0], [0, 1, 0], [1, 1, 0]   # hip, knee, ankle
    >>> float(compute_angles(pose, names=["left knee"])[0].round(3))
    90.0
    >>> compute_angles(np.zeros((2, 50, 33, 3))).shape
    (2, 50, 23)
    """
    kind = check_kind(kind)
    if degenerate not in ("paper", "nan"):
        raise InputError(f"degenerate must be 'paper' or 'nan', got {degenerate!r}")
    spread = check_number(valgus_min_spread, "valgus_min_spread", low=0, high=90)
    chord = 2.0 * np.sin(np.radians(spread) / 2.0)   # between unit vectors `spread` apart
    coords = _as_landmarks(landmarks)
    if kind == "max-energy" and coords.ndim < 3:
        raise InputError("the 'max-energy' kind picks a plane per sequence and needs a time axis: "
                         f"landmarks of shape (..., T, 33, 3); got {coords.shape}.")
    columns = _select(kind, names)
    lead = coords.shape[:-2]
    flat = coords.reshape(-1, N_LANDMARKS, 3)
    n = flat.shape[0]
    if n == 0:    # no frame: no angle (of the right width)
        width = len(angle_names(kind)) if columns is None else len(columns)
        return np.zeros((*lead, width))
    planes = [kind] if kind in ("unsigned", *PLANES) else list(PLANES)
    joints = np.empty((len(planes), n, _PLAN.n_joint))
    fixed = np.empty((n, len(ANGLE_NAMES) - _PLAN.n_joint))
    for start in range(0, n, _CHUNK_FRAMES):
        stop = min(start + _CHUNK_FRAMES, n)
        block = _Block(flat[start:stop], degenerate == "nan", chord)
        fixed[start:stop] = block.plane_fixed(planes[0])
        for p, plane in enumerate(planes):
            joints[p, start:stop] = block.joints(plane, PLANE_NORMAL_AXIS.get(plane, -1))

    if kind == "all":
        result = _interleave_all(joints, fixed)
    else:
        chosen = joints[0] if len(planes) == 1 else _max_energy(joints.reshape(3, *lead, _PLAN.n_joint))
        result = np.concatenate([chosen.reshape(n, -1), fixed], axis=1)[:, _PLAN.order]
    result = result.reshape(*lead, result.shape[-1])
    return result if columns is None else result[..., columns]


def range_of_motion(angles, axis: int = 0) -> np.ndarray:
    """How far each angle moves: the span between its 5th and 95th percentiles.

    The percentiles, not the extremes, so that a few frames of pose-estimation
    noise do not count as movement. NaN frames are ignored; an angle never
    measured has a NaN range.

    Parameters
    ----------
    angles : array_like of float
        Angles in degrees, e.g. ``(T, n_angles)`` from :func:`compute_angles`.
    axis : int, default 0
        The time axis.

    Returns
    -------
    numpy.ndarray of float
        `angles` without its time axis, e.g. ``(n_angles,)``, in degrees.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 2 * np.pi, 201)
    >>> angles = np.stack([90 + 45 * np.sin(t), np.full(201, 170.0), np.full(201, np.nan)], 1)
    >>> range_of_motion(angles).round(1).tolist()
    [88.9, 0.0, nan]
    """
    x = np.moveaxis(np.asarray(angles, dtype=float), axis, 0)
    span = np.full(x.shape[1:], np.nan)
    measured = ~np.isnan(x).all(axis=0)
    if measured.any():
        low, high = np.nanpercentile(x[:, measured], [5, 95], axis=0)
        span[measured] = high - low
    return span


def _interleave_all(joints: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """Joint values per plane (3, n, 13) and fixed values (n, 10) → the 43 ``"all"`` columns."""
    stacked = np.concatenate([joints[0], joints[1], joints[2], fixed], axis=1)  # (n, 3*13 + 10)
    return stacked[:, _ALL_SOURCE]


def _max_energy(joints: np.ndarray) -> np.ndarray:
    """Per sequence and multi-plane joint, keep the plane whose values vary most over time.

    ``joints`` is (3 planes, ..., T, 13). The reference measures the spread as
    the standard deviation of the raw [0, 360) values; so does this.
    """
    spread = _nanstd(joints, axis=-2)  # (3, ..., 13)
    spread = np.where(np.isnan(spread), -np.inf, spread)
    best = np.argmax(spread, axis=0)  # first plane wins ties
    best[..., ~_PLAN.joint_multi_plane] = 0
    return np.take_along_axis(joints, best[None, ..., None, :], axis=0)[0]


def _nanstd(x: np.ndarray, axis: int) -> np.ndarray:
    """Standard deviation ignoring NaN (NaN where a slice has no value), without warnings."""
    valid = ~np.isnan(x)
    if valid.all():
        return np.std(x, axis=axis)
    count = valid.sum(axis=axis, keepdims=True)
    filled = np.where(valid, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=axis, keepdims=True) / count
        deviation = np.where(valid, x - mean, 0.0)
        return np.sqrt((deviation * deviation).sum(axis=axis) / np.squeeze(count, axis=axis))


def _all_source() -> np.ndarray:
    """Column of ``_interleave_all``'s stacked array behind each ``"all"`` column."""
    n_joint = _PLAN.n_joint
    grouped = {int(c): g for g, c in enumerate(_PLAN.joint["column"])}
    fixed = {int(c): n_joint * 3 + g for g, c in
             enumerate(np.concatenate([_PLAN.segment["column"], _PLAN.valgus["column"]]))}
    source = []
    for i, d in enumerate(ANGLE_DEFINITIONS):
        if d.multi_plane:
            source.extend(p * n_joint + grouped[i] for p in range(3))
        elif i in grouped:
            source.append(grouped[i])
        else:
            source.append(fixed[i])
    return np.array(source, dtype=np.intp)


_ALL_SOURCE = _all_source()


def _select(kind: str, names) -> np.ndarray | None:
    if names is None:
        return None
    if isinstance(names, str):
        names = [names]
    available = angle_names(kind)
    index = {n: i for i, n in enumerate(available)}
    missing = [n for n in names if n not in index]
    if missing:
        raise InputError(f"{', '.join(map(repr, missing))} not among the {kind!r} angle columns; "
                         f"see sitrex.angles.angle_names({kind!r}).")
    return np.array([index[n] for n in names], dtype=np.intp)
