"""Execution faults injected into real, correct executions: training data with per-angle labels.

A correct execution (a :class:`~sitrex.skeleton.Skeleton`) becomes a faulty
one by moving its landmarks the way a person performing the fault would: one
joint's **distal chain** (e.g. the shank and foot below a knee) is rotated
about the joint, in the plane of the joint's two segments, by an amount that
follows the movement; or the whole upper body leans about the hips; or the
knees come in. All angles are then recomputed from the moved landmarks, so
every angle the fault changes (the joint's own, and the neighbours that move
with the chain) is labelled from the geometry, and the movement stays
plausible.

Fault kinds (:data:`FAULT_KINDS`; ``phase`` is the movement's progress from
rest, 0, to its turning point, 1, measured on the clip's most moving angle):

``rom_less``
    Less range: one of the clip's four most moving joints (shoulder, elbow,
    hip, knee; at least 15 degrees of range) is pulled toward its rest
    angle, ``theta' = rest + k (theta - rest)``, ``k`` in [0.45, 0.95].
``rom_more``
    More range, ``k`` in [1.05, 1.6] (angles kept in [5, 178] degrees). A
    joint moved *further* than the reference is a tolerated variation, not
    a fault: its labels are all 1 (:data:`TOLERATED_KINDS`).
``phase_off``
    A compensation that grows with the movement: ``theta' = theta +/- a *
    phase``, ``a`` in [3, 30] degrees, any of the four joints.
``const_off``
    An offset posture throughout: ``theta' = theta +/- a``, ``a`` in [3, 25].
``trunk_lean``
    Landmarks 0-22 (head, arms, trunk) rotated about the mid-hip by ``+/- a
    * phase``, ``a`` in [3, 30] degrees: about the hip axis in 3-D data,
    within the image plane in 2-D data (every z equal to 0).
``knee_in``
    Both knees moved toward each other by a share ``f * phase`` of their
    distance, ``f`` in [0.05, 0.5].

Labels (:func:`fault_labels`): an angle is **changed** (label 0) when the 90th
percentile over frames of its absolute change reaches 6 degrees,
**unchanged** (1) below 2.5 degrees, and ambiguous in between (NaN: left out
of training), as are angles not measured in at least half the frames.

Examples
--------
>>> import numpy as np
>>> from sitrex.datasets import make_exercise
>>> squat = make_exercise(1, ["squat"], n_reps=2, random_state=0)[0][0]
>>> faulty, fault = inject_fault(squat, "rom_less", random_state=0)
>>> fault.kind, fault.joint in ("left hip", "right hip", "left knee", "right knee")
('rom_less', True)
>>> from sitrex import ANGLE_NAMES
>>> labels = fault_labels(squat.angles(), faulty.angles())
>>> bool(labels[ANGLE_NAMES.index(fault.joint)] == 0)         # the joint's own angle changed
True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn.utils import check_random_state

from sitrex.angles import range_of_motion
from sitrex.exceptions import InputError
from sitrex.skeleton import Skeleton

__all__ = ["FAULT_KINDS", "TOLERATED_KINDS", "Fault", "fault_labels", "inject_fault",
           "random_fault"]

#: The kinds of fault :func:`inject_fault` makes.
FAULT_KINDS = ("rom_less", "rom_more", "phase_off", "const_off", "trunk_lean", "knee_in")
#: Kinds that are a tolerated variation (labels all 1): a joint moved further than usual.
TOLERATED_KINDS = ("rom_more",)

#: joint: (landmark, parent landmark, distal chain), left side (the right side is +1)
_JOINTS = {
    "shoulder": (11, 23, (13, 15, 17, 19, 21)),
    "elbow": (13, 11, (15, 17, 19, 21)),
    "hip": (23, 11, (25, 27, 29, 31)),
    "knee": (25, 23, (27, 29, 31)),
}
#: severity ranges: ratio k (rom kinds), degrees (offsets, lean), share of distance (knee_in)
_SEVERITY = {"rom_less": (0.45, 0.95), "rom_more": (1.05, 1.6), "phase_off": (3.0, 30.0),
             "const_off": (3.0, 25.0), "trunk_lean": (3.0, 30.0), "knee_in": (0.05, 0.5)}
_UPPER_BODY = np.arange(23)
_CHANGED, _UNCHANGED = 6.0, 2.5


@dataclass(frozen=True)
class Fault:
    """What :func:`inject_fault` did.

    Attributes
    ----------
    kind : str
        One of :data:`FAULT_KINDS`.
    joint : str or None
        The joint moved (``"left knee"``), None for ``trunk_lean`` and ``knee_in``.
    amount : float
        The ratio ``k`` (rom kinds), the signed offset or lean in degrees, or
        the share ``f`` of the knees' distance.
    """

    kind: str
    joint: str | None
    amount: float

    @property
    def tolerated(self) -> bool:
        """True for a tolerated variation (:data:`TOLERATED_KINDS`)."""
        return self.kind in TOLERATED_KINDS

    def to_dict(self) -> dict[str, Any]:
        """Plain values (for ``Skeleton.meta`` and JSON)."""
        return {**asdict(self), "tolerated": self.tolerated}


def _joint_landmarks(joint: str, right: bool) -> tuple[int, int, list[int]]:
    landmark, parent, chain = _JOINTS[joint]
    shift = int(right)
    return landmark + shift, parent + shift, [c + shift for c in chain]


def _joint_angle(coords: np.ndarray, joint: str, right: bool):
    """The unsigned angle at the joint (degrees) and its two segment vectors, per frame."""
    j, p, chain = _joint_landmarks(joint, right)
    u, v = coords[:, p] - coords[:, j], coords[:, chain[0]] - coords[:, j]
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = (u * v).sum(1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))), u, v


def _range(x: np.ndarray) -> float:
    return float(np.nan_to_num(range_of_motion(np.where(np.isfinite(x), x, np.nan)), nan=0.0))


def _rest_value(x: np.ndarray) -> float:
    """The median of the first and last tenth of the frames: where the movement rests."""
    edge = max(1, len(x) // 10)
    ends = np.concatenate([x[:edge], x[-edge:]])
    ends = ends[np.isfinite(ends)]
    return float(np.median(ends)) if ends.size else float(np.nanmedian(x))


def _phase(angles: np.ndarray) -> np.ndarray:
    """Progress of the most moving angle from its rest value (0) to its far extreme (1)."""
    with np.errstate(all="ignore"):
        spans = np.array([_range(angles[:, k]) for k in range(angles.shape[1])])
    signal = angles[:, int(np.argmax(spans))]
    signal = np.where(np.isfinite(signal), signal, np.nanmedian(signal))
    rest = _rest_value(signal)
    far = signal[np.argmax(np.abs(signal - rest))]
    span = far - rest if abs(far - rest) > 1e-6 else 1.0
    return np.clip((signal - rest) / span, 0.0, 1.0)


def _plane_normals(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Unit normals of the planes of (u, v), one orientation throughout the clip.

    Where the two segments are nearly aligned (the plane is ill-defined) the
    clip's mean normal is used.
    """
    n = np.cross(u, v)
    size = np.linalg.norm(n, axis=1)
    with np.errstate(invalid="ignore"):
        well_defined = size > 0.2 * np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1)
    weight = np.nan_to_num(size)
    if (weight > 0).any():
        reference = n[int(np.argmax(weight))]
        sign = np.sign(np.nan_to_num(n) @ reference)
        sign[sign == 0] = 1.0
        mean = np.nansum(n * sign[:, None], axis=0)
        mean /= np.linalg.norm(mean) + 1e-12
    else:
        mean = np.array([0.0, 0.0, 1.0])
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = np.where(well_defined[:, None], n / size[:, None], mean)
    orientation = np.sign(np.nan_to_num(unit) @ mean)
    orientation[orientation == 0] = 1.0
    return unit * orientation[:, None]


def _rotate(points: np.ndarray, centre: np.ndarray, axes: np.ndarray, degrees: np.ndarray
            ) -> np.ndarray:
    """Points (T, k, 3) rotated about per-frame centres and unit axes (Rodrigues' formula)."""
    rel = points - centre[:, None]
    angle = np.radians(degrees)[:, None, None]
    axis = axes[:, None, :]
    rotated = (rel * np.cos(angle) + np.cross(axis, rel) * np.sin(angle)
               + axis * (rel * axis).sum(-1, keepdims=True) * (1 - np.cos(angle)))
    return centre[:, None] + rotated


def _move_joint(coords: np.ndarray, joint: str, right: bool, target) -> np.ndarray:
    """Rotate the joint's distal chain so that its angle becomes ``target(theta)``."""
    theta, u, v = _joint_angle(coords, joint, right)
    if np.isfinite(theta).mean() < 0.5:
        raise InputError(f"the {'right' if right else 'left'} {joint} is missing in most "
                         "frames: this fault cannot be injected there")
    j, _, chain = _joint_landmarks(joint, right)
    delta = np.nan_to_num(target(theta) - theta)
    out = coords.copy()
    out[:, chain] = _rotate(coords[:, chain], coords[:, j], _plane_normals(u, v), delta)
    return out


def _moving_joints(coords: np.ndarray) -> list[tuple[float, str, bool]]:
    """(range, joint, right) of the four most moving joints with at least 15 degrees of range."""
    found = []
    for joint in _JOINTS:
        for right in (False, True):
            theta = _joint_angle(coords, joint, right)[0]
            if np.isfinite(theta).mean() > 0.5:
                found.append((_range(theta), joint, right))
    found.sort(reverse=True)
    return [f for f in found[:4] if f[0] >= 15.0]


def inject_fault(skeleton: Skeleton, kind: str | None = None, *, random_state: Any = None
                 ) -> tuple[Skeleton, Fault]:
    """A copy of a correct execution with one fault injected (see the module documentation).

    Parameters
    ----------
    skeleton : Skeleton
        A correct execution, preferably cleaned (:mod:`sitrex.conditioning`).
    kind : str, optional
        One of :data:`FAULT_KINDS`; default: drawn at random.
    random_state : int, RandomState or None
        Draws the kind, joint, side, direction and severity.

    Returns
    -------
    faulty : Skeleton
        The moved landmarks (same frames, frame rate and source); its
        ``meta["fault"]`` describes the fault.
    fault : Fault

    Raises
    ------
    sitrex.exceptions.InputError
        For an unknown kind, or when the fault cannot be applied to this clip
        (no joint moves 15 degrees for a rom kind, or the landmarks it needs
        are missing in most frames).
    """
    if not isinstance(skeleton, Skeleton):
        raise InputError(f"inject_fault takes a sitrex.Skeleton; got {type(skeleton).__name__}")
    rng = check_random_state(random_state)
    kind = FAULT_KINDS[rng.randint(len(FAULT_KINDS))] if kind is None else kind
    if kind not in FAULT_KINDS:
        raise InputError(f"kind must be one of {', '.join(FAULT_KINDS)}; got {kind!r}")
    coords = np.array(skeleton.coords, dtype=np.float64)
    right = bool(rng.rand() < 0.5)
    sign = 1.0 if rng.rand() < 0.5 else -1.0
    amount = float(rng.uniform(*_SEVERITY[kind]))
    phase = _phase(skeleton.angles())
    joint = None
    if kind in ("rom_less", "rom_more"):
        moving = _moving_joints(coords)
        if not moving:
            raise InputError("no shoulder, elbow, hip or knee moves 15 degrees in this clip: "
                             f"a {kind} fault needs a moving joint")
        _, name, right = moving[rng.randint(len(moving))]
        rest = _rest_value(_joint_angle(coords, name, right)[0])
        moved = _move_joint(coords, name, right,
                            lambda theta: np.clip(rest + amount * (theta - rest), 5.0, 178.0))
        joint = f"{'right' if right else 'left'} {name}"
    elif kind in ("phase_off", "const_off"):
        name = tuple(_JOINTS)[rng.randint(len(_JOINTS))]
        profile = phase if kind == "phase_off" else np.ones_like(phase)
        amount *= sign
        moved = _move_joint(coords, name, right,
                            lambda theta: np.clip(theta + amount * profile, 3.0, 179.0))
        joint = f"{'right' if right else 'left'} {name}"
    elif kind == "trunk_lean":
        hips = coords[:, [23, 24]]
        if np.isnan(hips).any(axis=(1, 2)).mean() > 0.5:
            raise InputError("the hips are missing in most frames: no trunk lean can be injected")
        centre = hips.mean(axis=1)
        if np.nanmax(np.abs(coords[..., 2])) == 0:          # 2-D data: lean within the image
            axes = np.tile([0.0, 0.0, 1.0], (len(coords), 1))
        else:
            axis = hips[:, 1] - hips[:, 0]
            axes = axis / (np.linalg.norm(axis, axis=1, keepdims=True) + 1e-12)
        amount *= sign
        moved = coords.copy()
        moved[:, _UPPER_BODY] = _rotate(coords[:, _UPPER_BODY], centre, np.nan_to_num(axes),
                                        amount * phase)
    else:                                                   # knee_in
        knees = coords[:, [25, 26]]
        if np.isnan(knees).any(axis=(1, 2)).mean() > 0.5:
            raise InputError("the knees are missing in most frames: no knee_in can be injected")
        step = 0.5 * amount * (knees[:, 1] - knees[:, 0]) * phase[:, None]
        moved = coords.copy()
        moved[:, 25], moved[:, 26] = knees[:, 0] + step, knees[:, 1] - step
    fault = Fault(kind, joint, amount)
    faulty = skeleton.replace(coords=moved, confidence=skeleton.confidence,
                              meta={**skeleton.meta, "fault": fault.to_dict()})
    return faulty, fault


def fault_labels(before: Any, after: Any, *, changed: float = _CHANGED,
                 unchanged: float = _UNCHANGED) -> np.ndarray:
    """Per-angle labels of an injected fault: 0 changed, 1 unchanged, NaN ambiguous or unmeasured.

    Parameters
    ----------
    before, after : array_like, shape (T, n_angles)
        The angles of the correct execution and of its faulty copy, degrees.
    changed : float, default 6.0
        Degrees: an angle whose 90th percentile of absolute change over the
        frames reaches it is changed.
    unchanged : float, default 2.5
        Degrees: below it the angle is unchanged; in between it is ambiguous.

    Returns
    -------
    numpy.ndarray of float, shape (n_angles,)

    Examples
    --------
    >>> import numpy as np
    >>> before = np.zeros((10, 3))
    >>> after = before + [[10.0, 1.0, 4.0]]
    >>> fault_labels(before, after).tolist()
    [0.0, 1.0, nan]
    """
    a = np.asarray(before, dtype=np.float64)
    b = np.asarray(after, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 2:
        raise InputError(f"before and after must be (T, n_angles) arrays of one shape; got "
                         f"{a.shape} and {b.shape}")
    diff = np.abs((b - a + 180.0) % 360.0 - 180.0)          # wrapped: right for plane angles too
    measured = (np.isfinite(a).mean(axis=0) >= 0.5) & (np.isfinite(b).mean(axis=0) >= 0.5)
    p90 = np.nanpercentile(np.where(np.isfinite(diff), diff, 0.0), 90, axis=0)
    labels = np.where(p90 >= changed, 0.0, np.where(p90 < unchanged, 1.0, np.nan))
    labels[~measured] = np.nan
    return labels


def random_fault(skeleton: Skeleton, *, random_state: Any = None, tries: int = 4,
                 kind: str = "unsigned") -> tuple[Skeleton, np.ndarray, Fault] | None:
    """A faulty copy that changes at least one angle, with its labels; None if none was found.

    Draws up to `tries` faults (:func:`inject_fault`) until one changes an
    angle (label 0) or is a tolerated variation (then every measured angle
    is labelled 1).

    Parameters
    ----------
    skeleton : Skeleton
    random_state : int, RandomState or None
    tries : int, default 4
    kind : str, default "unsigned"
        The angle kind the labels are computed on.

    Returns
    -------
    (faulty, labels, fault) or None
        ``labels`` as :func:`fault_labels`, shape (n_angles,), on the angles
        the default comparator compares
        (:func:`sitrex.measurement.comparison_angle_names`: the paper's
        angles of `kind`, then the axial rotations;
        :func:`sitrex.measurement.comparison_angles`:
        the knee frontal tilt in the valgus indicator columns, the angles
        that need depth unmeasured in a 2-D pose), which is what a comparator
        trained on these labels is given.
    """
    from sitrex.measurement import comparison_angle_names, comparison_angles

    rng = check_random_state(random_state)
    names = comparison_angle_names(kind)
    before = comparison_angles(skeleton.coords, kind, names=names)
    for _ in range(tries):
        try:
            faulty, fault = inject_fault(skeleton, random_state=rng)
        except InputError:
            continue
        after = comparison_angles(faulty.coords, kind, names=names)
        labels = fault_labels(before, after)
        if fault.tolerated:
            measured = (np.isfinite(before).mean(axis=0) >= 0.5) & \
                (np.isfinite(after).mean(axis=0) >= 0.5)
            return faulty, np.where(measured, 1.0, np.nan), fault
        if (labels == 0).any():
            return faulty, labels, fault
    return None
