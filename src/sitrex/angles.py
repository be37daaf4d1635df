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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from . import _geometry as geo
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
    "compute_angles",
]

ANGLE_KINDS: tuple[str, ...] = ("unsigned", "sagittal", "coronal", "transverse", "max-energy", "all")
PLANES: tuple[str, ...] = ("sagittal", "coronal", "transverse")

# torso axes, in the order of geo.torso_frame; each plane is orthogonal to one axis
_AXES = ("horizontal", "upward", "forward")
_PLANE_NORMAL_AXIS = {"sagittal": 0, "transverse": 1, "coronal": 2}
_TORSO_LANDMARKS = frozenset({"left_shoulder", "right_shoulder", "left_hip", "right_hip"})
# a vector shorter than this (in coordinate units) is degenerate for degenerate="nan"
_DEGENERATE_LENGTH = 1e-9


@dataclass(frozen=True)
class AngleDefinition:
    """One row of the angle table.

    Attributes
    ----------
    name : str
        The paper's name, e.g. ``"left knee"``.
    measure : {"joint", "segment", "valgus"}
        ``"joint"``: the angle at ``points[1]`` between the segments to
        ``points[0]`` and ``points[2]``. ``"segment"``: the segment from
        ``points[0]`` to ``points[1]`` is projected onto ``plane`` and measured
        against the torso axis ``reference``. ``"valgus"``: the paper's knee
        valgus indicator (hip, knee and ankle *positions* projected onto the
        coronal plane before the angle at the knee is taken; it depends on
        where the coordinate origin is).
    points : tuple of tuple of str
        Landmark names; a point given by several landmarks is their midpoint.
    plane : {"sagittal", "coronal", "transverse"} or None
        The plane the signed kinds measure this angle in; ``None`` for the
        ten multi-plane angles, whose plane is chosen by the angle kind.
    reference : {"horizontal", "upward", "forward"} or None
        For ``"segment"`` angles, the torso axis the segment is measured from.
    description : str
        One line in plain words.
    """

    name: str
    measure: Literal["joint", "segment", "valgus"]
    points: tuple[tuple[str, ...], ...]
    plane: str | None
    reference: str | None
    description: str

    @property
    def multi_plane(self) -> bool:
        """Whether the plane kinds give this angle a different value per plane."""
        return self.plane is None

    def landmarks(self, kind: str = "unsigned") -> frozenset[str]:
        """Names of the landmarks this angle needs for ``kind``.

        Signed kinds, segment angles and the valgus indicator also need the
        torso frame (both shoulders and both hips).

        Examples
        --------
        >>> sorted(angle_definition("left elbow").landmarks())
        ['left_elbow', 'left_shoulder', 'left_wrist']
        >>> len(angle_definition("left elbow").landmarks("sagittal"))
        6
        """
        kind = _check_kind(kind)
        names = {landmark for point in self.points for landmark in point}
        if kind != "unsigned" or self.measure != "joint":
            names |= _TORSO_LANDMARKS
        return frozenset(names)


def _sided(side: str) -> list[AngleDefinition]:
    other = "right" if side == "left" else "left"

    def lm(part: str, which: str = side) -> tuple[str]:
        return (f"{which}_{part}",)

    return [
        AngleDefinition(f"{side} elbow", "joint", (lm("shoulder"), lm("elbow"), lm("wrist")), None, None,
                        "elbow flexion: upper arm against forearm"),
        AngleDefinition(f"{side} shoulder", "joint", (lm("hip"), lm("shoulder"), lm("elbow")), None, None,
                        "arm elevation: trunk side against upper arm"),
        AngleDefinition(f"{side} wrist", "joint",
                        ((f"{side}_pinky", f"{side}_index"), lm("wrist"), lm("elbow")), None, None,
                        "wrist: hand (mid pinky-index) against forearm"),
        AngleDefinition(f"{side} frontal shoulder abduction", "segment", (lm("shoulder"), lm("elbow")),
                        "coronal", "upward", "upper arm in the coronal plane against the torso's up axis"),
        AngleDefinition(f"{side} scapular upward rotation", "joint",
                        (lm("shoulder"), lm("hip"), lm("hip", other)), "coronal", None,
                        "at the hip: flank (hip to shoulder) against the pelvis line"),
        # ankle first: the reference signs the knee from the shin to the thigh
        AngleDefinition(f"{side} knee", "joint", (lm("ankle"), lm("knee"), lm("hip")), None, None,
                        "knee flexion: thigh against shin"),
        AngleDefinition(f"{side} hip", "joint", (lm("shoulder"), lm("hip"), lm("knee")), None, None,
                        "hip flexion: trunk side against thigh"),
        AngleDefinition(f"{side} ankle dorsiflexion", "segment", (lm("knee"), lm("ankle")),
                        "sagittal", "upward", "shin in the sagittal plane against the torso's up axis"),
        AngleDefinition(f"{side} knee valgus indicator", "valgus", (lm("hip"), lm("knee"), lm("ankle")),
                        "coronal", None,
                        "the paper's valgus indicator: hip, knee, ankle positions projected on the "
                        "coronal plane (origin-dependent)"),
        AngleDefinition(f"{side} horizontal shoulder adduction", "segment", (lm("shoulder"), lm("elbow")),
                        "transverse", "forward", "upper arm in the transverse plane against the forward axis"),
        AngleDefinition(f"{side} shoulder extension", "segment", (lm("shoulder"), lm("elbow")),
                        "sagittal", "upward", "upper arm in the sagittal plane against the torso's up axis"),
    ]


#: The angle table, in alphabetical order of names (the models' column order).
ANGLE_DEFINITIONS: tuple[AngleDefinition, ...] = tuple(sorted(
    [
        AngleDefinition("torso flexion", "joint",
                        (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
                         ("left_ankle", "right_ankle")),
                        "sagittal", None, "at the mid-hip: trunk against the line to the mid-ankle"),
        *_sided("left"),
        *_sided("right"),
    ],
    key=lambda d: d.name,
))

#: The 23 angle names in column order (alphabetical).
ANGLE_NAMES: tuple[str, ...] = tuple(d.name for d in ANGLE_DEFINITIONS)
#: The ten angles whose signed value depends on the plane.
MULTI_PLANE_ANGLES: tuple[str, ...] = tuple(d.name for d in ANGLE_DEFINITIONS if d.multi_plane)
_BY_NAME = {d.name: d for d in ANGLE_DEFINITIONS}
_ALL_COLUMNS: tuple[str, ...] = tuple(
    f"{d.name} ({plane})" if d.multi_plane else d.name
    for d in ANGLE_DEFINITIONS
    for plane in (PLANES if d.multi_plane else (None,))
)


def angle_definition(name: str) -> AngleDefinition:
    """Look up one row of the angle table by name.

    Examples
    --------
    >>> angle_definition("left knee").measure
    'joint'
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"{name!r} is not a SiTrEx angle; known angles: {', '.join(ANGLE_NAMES)}") from None


def angle_names(kind: str = "unsigned") -> tuple[str, ...]:
    """Column names of :func:`compute_angles` for ``kind``, in column order.

    Examples
    --------
    >>> angle_names()[:2]
    ('left ankle dorsiflexion', 'left elbow')
    >>> len(angle_names("all")), angle_names("all")[1]
    (43, 'left elbow (sagittal)')
    """
    return _ALL_COLUMNS if _check_kind(kind) == "all" else ANGLE_NAMES


def _check_kind(kind: str) -> str:
    if kind not in ANGLE_KINDS:
        hint = " The reference's 'signed' kind is degenerate (always 0/180/360) and not offered." \
            if kind == "signed" else ""
        raise ValueError(f"unknown angle kind {kind!r}; choose one of {', '.join(ANGLE_KINDS)}.{hint}")
    return kind


class _Plan:
    """The angle table compiled into index arrays (built once at import)."""

    def __init__(self, definitions: tuple[AngleDefinition, ...]):
        points: dict[tuple[str, ...], int] = {}
        for d in definitions:
            for p in d.points:
                points.setdefault(p, len(points))
        pairs = [(landmark_index(p[0]), landmark_index(p[-1])) for p in points]
        self.first, self.second = (np.array(c, dtype=np.intp) for c in zip(*pairs))

        def group(measure: str) -> dict[str, np.ndarray]:
            rows = [(i, d) for i, d in enumerate(definitions) if d.measure == measure]
            plane = [_PLANE_NORMAL_AXIS.get(d.plane, -1) for _, d in rows]
            return {
                "column": np.array([i for i, _ in rows], dtype=np.intp),
                "point": np.array([[points[p] for p in d.points] for _, d in rows], dtype=np.intp),
                "plane": np.array(plane, dtype=np.intp),
                "reference": np.array([_AXES.index(d.reference) if d.reference else -1 for _, d in rows],
                                      dtype=np.intp),
            }

        self.joint, self.segment, self.valgus = group("joint"), group("segment"), group("valgus")
        self.multi_plane = np.array([d.multi_plane for d in definitions])
        frame = [landmark_index(n) for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]
        self.frame_landmarks = np.array(frame, dtype=np.intp)


_PLAN = _Plan(ANGLE_DEFINITIONS)


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
        raise ValueError(
            f"landmarks must have shape (..., 33, 3) (MediaPipe's 33 landmarks, x y z); got {coords.shape}.{fix}"
        )
    if np.isinf(coords).any():
        raise ValueError("landmarks contain infinite values; mark unknown landmarks with NaN instead.")
    return coords


def _plane_values(points, frame, plane_axis, degenerate_nan, kind, out):
    """Fill ``out`` (..., 23) with one kind's values; ``plane_axis`` picks the multi-plane plane."""
    unsigned = kind == "unsigned"
    bad = np.zeros(out.shape, dtype=bool) if degenerate_nan else None

    j = _PLAN.joint
    vertex = points[..., j["point"][:, 1], :]
    a = points[..., j["point"][:, 0], :] - vertex
    c = points[..., j["point"][:, 2], :] - vertex
    if unsigned:
        out[..., j["column"]] = geo.unsigned_angle(a, c)
        vectors = (a, c)
    else:
        normal = frame[..., np.where(j["plane"] < 0, plane_axis, j["plane"]), :]
        a, c = geo.reject(a, normal), geo.reject(c, normal)
        out[..., j["column"]] = geo.signed_angle(geo.normalize(a), geo.normalize(c), normal)
        vectors = (a, c)
    if degenerate_nan:
        bad[..., j["column"]] = _short(*vectors)

    s = _PLAN.segment
    segment = points[..., s["point"][:, 1], :] - points[..., s["point"][:, 0], :]
    normal = frame[..., s["plane"], :]
    in_plane = geo.reject(segment, normal)
    projected = geo.normalize(in_plane)
    reference = frame[..., s["reference"], :]
    out[..., s["column"]] = (geo.unsigned_angle(projected, reference) if unsigned
                             else geo.signed_angle(projected, reference, normal))
    if degenerate_nan:
        bad[..., s["column"]] = _short(segment, in_plane)

    v = _PLAN.valgus
    normal = frame[..., v["plane"], :]
    hip, knee, ankle = (geo.project_onto_plane(points[..., v["point"][:, k], :], normal) for k in range(3))
    a, c = hip - knee, ankle - knee
    out[..., v["column"]] = geo.unsigned_angle(a, c) if unsigned else geo.signed_angle(a, c, normal)
    if degenerate_nan:
        bad[..., v["column"]] = _short(a, c)
    return bad


def _short(*vectors: np.ndarray) -> np.ndarray:
    return np.logical_or.reduce([geo.dot(v, v) < _DEGENERATE_LENGTH ** 2 for v in vectors])


def _frame_is_degenerate(landmarks: np.ndarray) -> np.ndarray:
    ls, rs, lh, rh = (landmarks[..., i, :] for i in _PLAN.frame_landmarks)
    across = rs - ls
    up = (ls + rs) / 2 - (lh + rh) / 2
    return _short(across, up, np.cross(across, up))


def compute_angles(landmarks, kind: str = "unsigned", *, names=None,
                   degenerate: Literal["paper", "nan"] = "paper") -> np.ndarray:
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
    kind = _check_kind(kind)
    if degenerate not in ("paper", "nan"):
        raise ValueError(f"degenerate must be 'paper' or 'nan', got {degenerate!r}")
    coords = _as_landmarks(landmarks)
    if kind == "max-energy" and coords.ndim < 3:
        raise ValueError("the 'max-energy' kind picks a plane per sequence and needs a time axis: "
                         f"landmarks of shape (..., T, 33, 3); got {coords.shape}.")
    columns = _select(kind, names)

    points = (coords[..., _PLAN.first, :] + coords[..., _PLAN.second, :]) / 2
    # segment and valgus angles use the torso frame in every kind
    frame = geo.torso_frame(*(coords[..., i, :] for i in _PLAN.frame_landmarks))
    degenerate_nan = degenerate == "nan"
    frame_bad = _frame_is_degenerate(coords) if degenerate_nan else None

    def one(kind_: str, plane_axis: int = -1) -> np.ndarray:
        out = np.empty(coords.shape[:-2] + (len(ANGLE_NAMES),))
        bad = _plane_values(points, frame, plane_axis, degenerate_nan, kind_, out)
        if degenerate_nan:
            uses_frame = np.array([kind_ != "unsigned" or d.measure != "joint" for d in ANGLE_DEFINITIONS])
            bad |= frame_bad[..., None] & uses_frame
            out[bad] = np.nan
        return out

    if kind == "unsigned":
        result = one("unsigned")
    elif kind in PLANES:
        result = one(kind, _PLANE_NORMAL_AXIS[kind])
    else:
        per_plane = np.stack([one(p, _PLANE_NORMAL_AXIS[p]) for p in PLANES], axis=-1)  # (..., 23, 3)
        if kind == "all":
            result = _interleave_all(per_plane)
        else:
            result = _max_energy(per_plane)
    return result if columns is None else result[..., columns]


def _interleave_all(per_plane: np.ndarray) -> np.ndarray:
    """(..., 23, 3) plane values → (..., 43) columns of the ``"all"`` kind."""
    take = [(i, p) for i, d in enumerate(ANGLE_DEFINITIONS) for p in (range(3) if d.multi_plane else (0,))]
    rows, planes = (np.array(c, dtype=np.intp) for c in zip(*take))
    return per_plane[..., rows, planes]


def _max_energy(per_plane: np.ndarray) -> np.ndarray:
    """Per sequence and multi-plane angle, keep the plane whose values vary most over time."""
    # circular spread would be more principled; the reference uses the std of the raw
    # [0, 360) values, which this reproduces
    with np.errstate(invalid="ignore"), _quiet_nan_warnings():
        spread = np.nanstd(per_plane, axis=-3)  # (..., 23, 3) over the time axis
    spread = np.where(np.isnan(spread), -np.inf, spread)
    best = np.argmax(spread, axis=-1)  # (..., 23); first plane wins ties
    best = np.where(_PLAN.multi_plane, best, 0)
    chosen = np.take_along_axis(per_plane, best[..., None, :, None], axis=-1)[..., 0]
    return chosen


def _select(kind: str, names) -> np.ndarray | None:
    if names is None:
        return None
    if isinstance(names, str):
        names = [names]
    available = angle_names(kind)
    index = {n: i for i, n in enumerate(available)}
    missing = [n for n in names if n not in index]
    if missing:
        raise ValueError(f"{', '.join(map(repr, missing))} not among the {kind!r} angle columns; "
                         f"see sitrex.angles.angle_names({kind!r}).")
    return np.array([index[n] for n in names], dtype=np.intp)


class _quiet_nan_warnings:
    """Silence numpy's 'degrees of freedom' warnings for all-NaN slices."""

    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)

