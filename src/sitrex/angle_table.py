"""The table of the 23 SiTrEx joint angles: what each one measures, from which landmarks.

This module is data: one :class:`AngleDefinition` per angle, in the
alphabetical order of names that the paper's models use. The vectorised
computation that reads it lives in :mod:`sitrex.angles`.

The definitions follow the SiTrEx reference implementation (Sellam et al.,
Neurocomputing 658, 2025; upstream ``sitrex/preprocessing.py``), checked
against the golden outputs of that code to about 1e-11 degrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sitrex.exceptions import InputError

__all__ = [
    "ANGLE_DEFINITIONS",
    "ANGLE_KINDS",
    "ANGLE_NAMES",
    "MULTI_PLANE_ANGLES",
    "PLANES",
    "PLANE_NORMAL_AXIS",
    "TORSO_AXES",
    "AngleDefinition",
    "angle_definition",
    "check_kind",
    "column_landmarks",
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


def check_kind(kind: str) -> str:
    if kind not in ANGLE_KINDS:
        hint = " The reference's 'signed' kind is degenerate (always 0/180/360) and not offered." \
            if kind == "signed" else ""
        raise InputError(f"unknown angle kind {kind!r}; choose one of {', '.join(ANGLE_KINDS)}.{hint}")
    return kind
