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

__all__ = [
    "ANGLE_DEFINITIONS",
    "ANGLE_KINDS",
    "ANGLE_NAMES",
    "MULTI_PLANE_ANGLES",
    "PLANES",
    "TORSO_AXES",
    "AngleDefinition",
    "angle_definition",
    "check_kind",
]

ANGLE_KINDS: tuple[str, ...] = ("unsigned", "sagittal", "coronal", "transverse", "max-energy", "all")
PLANES: tuple[str, ...] = ("sagittal", "coronal", "transverse")

# torso axes, in the order of sitrex._geometry.torso_frame; each plane is orthogonal to one axis
#: The torso axes
TORSO_AXES: tuple[str, ...] = ("horizontal", "upward", "forward")
PLANE_NORMAL_AXIS = {"sagittal": 0, "transverse": 1, "coronal": 2}
_TORSO_LANDMARKS = frozenset({"left_shoulder", "right_shoulder", "left_hip", "right_hip"})


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
        kind = check_kind(kind)
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




def check_kind(kind: str) -> str:
    if kind not in ANGLE_KINDS:
        hint = " The reference's 'signed' kind is degenerate (always 0/180/360) and not offered." \
            if kind == "signed" else ""
        raise ValueError(f"unknown angle kind {kind!r}; choose one of {', '.join(ANGLE_KINDS)}.{hint}")
    return kind
