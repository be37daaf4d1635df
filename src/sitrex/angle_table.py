"""The table of the 23 SiTrEx joint angles: what each one measures, from which landmarks.

This module is data: one :class:`AngleDefinition` per angle, in the
alphabetical order of names that the paper's models use. The vectorised
computation that reads it lives in :mod:`sitrex.angles`.

It also says where each angle is drawn (:func:`angle_geometry`: a vertex and
two arms, read from the same rows) and, for landmarks in any units, where
those are in each frame (:func:`angle_arms`); :mod:`sitrex.overlay` turns
them into pixels.

The definitions follow the SiTrEx reference implementation (Sellam et al.,
Neurocomputing 658, 2025; upstream ``sitrex/preprocessing.py``), checked
against the golden outputs of that code to about 1e-11 degrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from sitrex import _geometry as geo
from sitrex.exceptions import InputError
from sitrex.landmarks import landmark_index

__all__ = [
    "ANGLE_DEFINITIONS",
    "ANGLE_KINDS",
    "ANGLE_NAMES",
    "MULTI_PLANE_ANGLES",
    "PLANES",
    "PLANE_NORMAL_AXIS",
    "TORSO_AXES",
    "AngleDefinition",
    "AngleGeometry",
    "angle_arms",
    "angle_definition",
    "angle_geometry",
    "check_kind",
    "column_landmarks",
    "depth_columns",
]

ANGLE_KINDS: tuple[str, ...] = ("unsigned", "sagittal", "coronal", "transverse", "max-energy", "all")
PLANES: tuple[str, ...] = ("sagittal", "coronal", "transverse")

#: The torso axes, in the order of ``sitrex._geometry.torso_frame``.
TORSO_AXES: tuple[str, ...] = ("horizontal", "upward", "forward")
#: Each anatomical plane is orthogonal to one torso axis (an index into TORSO_AXES).
PLANE_NORMAL_AXIS = {"sagittal": 0, "transverse": 1, "coronal": 2}
# landmarks behind each torso axis: the horizontal axis is the shoulder line alone,
# the other two also need the hips
_AXIS_LANDMARKS = {
    "horizontal": frozenset({"left_shoulder", "right_shoulder"}),
    "upward": frozenset({"left_shoulder", "right_shoulder", "left_hip", "right_hip"}),
    "forward": frozenset({"left_shoulder", "right_shoulder", "left_hip", "right_hip"}),
}


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

        Besides the landmarks the angle is drawn between, an angle needs
        those of the torso axes it uses: the sagittal plane's normal is the
        shoulder line (both shoulders); the coronal and transverse normals and
        the upward reference axis also need both hips. Unsigned joint angles
        use no torso axis.

        Examples
        --------
        >>> sorted(angle_definition("left elbow").landmarks())
        ['left_elbow', 'left_shoulder', 'left_wrist']
        >>> sorted(angle_definition("left elbow").landmarks("sagittal"))
        ['left_elbow', 'left_shoulder', 'left_wrist', 'right_shoulder']
        >>> len(angle_definition("left elbow").landmarks("coronal"))
        6
        """
        names = {landmark for point in self.points for landmark in point}
        for axis in self.torso_axes(kind):
            names |= _AXIS_LANDMARKS[axis]
        return frozenset(names)

    def torso_axes(self, kind: str = "unsigned") -> frozenset[str]:
        """Names of the torso axes (see :data:`TORSO_AXES`) this angle uses for ``kind``.

        Examples
        --------
        >>> sorted(angle_definition("left ankle dorsiflexion").torso_axes())
        ['horizontal', 'upward']
        >>> sorted(angle_definition("left knee").torso_axes("max-energy"))
        ['forward', 'horizontal', 'upward']
        """
        kind = check_kind(kind)
        if self.measure == "joint" and kind == "unsigned":
            return frozenset()
        if self.plane is not None:
            planes = {self.plane}
        elif kind in PLANES:
            planes = {kind}
        else:  # max-energy and all use every plane
            planes = set(PLANES)
        axes = {TORSO_AXES[PLANE_NORMAL_AXIS[p]] for p in planes}
        if self.reference is not None:
            axes.add(self.reference)
        return frozenset(axes)


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


def column_landmarks(kind: str = "unsigned") -> tuple[frozenset[str], ...]:
    """The landmarks behind each output column of ``kind``, aligned with ``angle_names(kind)``.

    A column is NaN exactly when one of its landmarks is missing (for
    ``"max-energy"``, whose plane is chosen per sequence, this is the union
    over the three planes and so an upper bound).

    Examples
    --------
    >>> cols = column_landmarks("all")
    >>> len(cols), sorted(cols[1])
    (43, ['left_elbow', 'left_shoulder', 'left_wrist', 'right_shoulder'])
    """
    kind = check_kind(kind)
    if kind != "all":
        return tuple(d.landmarks(kind) for d in ANGLE_DEFINITIONS)
    return tuple(
        d.landmarks(plane)
        for d in ANGLE_DEFINITIONS
        for plane in (PLANES if d.multi_plane else (d.plane or "sagittal",))
    )


def depth_columns(kind: str = "unsigned") -> tuple[bool, ...]:
    """Which columns of ``kind`` are measured in a plane that holds the torso's forward axis.

    Aligned with ``angle_names(kind)``. For landmarks in the image plane
    (2-D poses, z = 0) the forward axis is the camera's line of sight: a
    segment projected onto the sagittal or transverse plane keeps only its
    up or sideways component, so these columns take only their projection's
    sign (the paper's formula gives 0 or 180 degrees, or a constant 90)
    whatever the pose. Unsigned joint angles are measured in 3-D (in the
    image plane for 2-D poses) and are never flagged; with ``"max-energy"``
    the multi-plane angles' plane is chosen per sequence, so they are not
    flagged either (its fixed-plane angles are, like those of the plane kinds).

    Examples
    --------
    >>> [n for n, d in zip(ANGLE_NAMES, depth_columns()) if d][:3]
    ['left ankle dorsiflexion', 'left horizontal shoulder adduction', 'left shoulder extension']
    """
    kind = check_kind(kind)
    signed = kind != "unsigned"

    def plane(d: AngleDefinition, multi_plane: str | None) -> str | None:
        """The plane a column of `d` is measured in (None: in 3-D, or chosen per sequence)."""
        if d.multi_plane:
            return multi_plane
        return d.plane if signed or d.measure != "joint" else None

    if kind == "all":
        planes = [plane(d, p) for d in ANGLE_DEFINITIONS
                  for p in (PLANES if d.multi_plane else (None,))]
    else:
        planes = [plane(d, kind if kind in PLANES else None) for d in ANGLE_DEFINITIONS]
    return tuple(p in ("sagittal", "transverse") for p in planes)


def check_kind(kind: str) -> str:
    if kind not in ANGLE_KINDS:
        hint = " The reference's 'signed' kind is degenerate (always 0/180/360) and not offered." \
            if kind == "signed" else ""
        raise InputError(f"unknown angle kind {kind!r}; choose one of {', '.join(ANGLE_KINDS)}.{hint}")
    return kind


# ---------------------------------------------------------------------------- drawing geometry
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
    """The vertex and arms of an angle, read from :data:`ANGLE_DEFINITIONS`.

    ``joint`` and ``valgus`` angles are drawn at their middle point, between
    the two other points. A ``segment`` angle (a segment against a torso axis)
    is drawn at the end of the segment that its name refers to (the ankle for
    ``"left ankle dorsiflexion"``, the shoulder for ``"left shoulder
    extension"``), else at the segment's first point; its arms are the
    segment and the torso axis.

    Parameters
    ----------
    name : str
        An angle name (:data:`ANGLE_NAMES`).

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
_TORSO_LANDMARKS = tuple(landmark_index(n) for n in
                         ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))


def _torso_axes(points: np.ndarray) -> dict[str, np.ndarray]:
    """(T, 3) unit vector of each torso axis, by :func:`sitrex._geometry.torso_frame`."""
    corners = (points[:, i].T for i in _TORSO_LANDMARKS)  # component-first, (3, T)
    return {name: axis.T for name, axis in zip(TORSO_AXES, geo.torso_frame(*corners))}


def angle_arms(points: np.ndarray, names: Sequence[str]
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where each named angle is drawn in each frame: its vertex and its two arms.

    Parameters
    ----------
    points : ndarray, shape (T, 33, 3)
        Landmark coordinates in any units (the overlay passes pixels); NaN
        marks a missing landmark.
    names : sequence of str
        Angle names; a name that is not in the table (such as a column of
        the ``"all"`` kind, ``"left knee (sagittal)"``) is never drawable.

    Returns
    -------
    vertex : ndarray, shape (T, k, 3)
        The arc's centre, the mean of :attr:`AngleGeometry.vertex`; all NaN
        where the angle cannot be drawn (its vertex or an arm's landmark
        missing in the image plane, x and y).
    first, second : ndarray, shape (T, k, 3)
        Arm directions from the vertex (not normalised). For segment angles
        `second` is the torso axis, a unit vector times
        :attr:`AngleGeometry.axis_sign`, NaN when the shoulders or hips it
        needs are missing.

    Examples
    --------
    >>> from sitrex.landmarks import landmark_index
    >>> points = np.full((1, 33, 3), np.nan)
    >>> for landmark, xyz in [("left_shoulder", (0, 0, 0)), ("left_elbow", (0, 2, 0)),
    ...                       ("left_wrist", (3, 2, 0))]:
    ...     points[0, landmark_index(landmark)] = xyz
    >>> vertex, first, second = angle_arms(points, ["left elbow", "left knee"])
    >>> vertex[0, 0].tolist(), first[0, 0].tolist(), second[0, 0].tolist()
    ([0.0, 2.0, 0.0], [0.0, -2.0, 0.0], [3.0, 0.0, 0.0])
    >>> bool(np.isnan(vertex[0, 1]).all())        # no knee in this frame
    True
    """
    points = np.asarray(points, dtype=np.float64)
    shape = (points.shape[0], len(names), 3)
    vertex, first, second = (np.full(shape, np.nan) for _ in range(3))
    axes = None
    for column, name in enumerate(names):
        g = _GEOMETRY.get(name)
        if g is None:
            continue
        centre = points[:, list(g.vertex)].mean(axis=1)
        arm = points[:, list(g.arms[0])].mean(axis=1) - centre
        drawable = np.isfinite(centre[:, :2]).all(axis=1) & np.isfinite(arm[:, :2]).all(axis=1)
        if g.arms[1] is not None:
            other = points[:, list(g.arms[1])].mean(axis=1) - centre
            drawable &= np.isfinite(other[:, :2]).all(axis=1)
        else:
            axes = _torso_axes(points) if axes is None else axes
            other = g.axis_sign * axes[g.axis]
        vertex[drawable, column] = centre[drawable]
        first[drawable, column] = arm[drawable]
        second[drawable, column] = other[drawable]
    return vertex, first, second
