"""Procedural, SYNTHETIC skeleton sequences of workout exercises.

:func:`make_exercise` builds 3-D skeleton sequences in the style of
scikit-learn's ``make_*`` generators. The data are **synthetic**: a
forward-kinematics body with random proportions is driven through
hand-written joint-angle targets (:data:`EXERCISE_TABLE`). Nothing here was
recorded from people; use it for tests, demos, tutorials and sanity checks,
not as evidence about real movement.

Coordinates
-----------
Metres, in the OpenCV camera convention (MediaPipe's axes, y pointing down
as in images): **x to the image right, y DOWN, z away from the camera**
(larger z = farther). The origin is the camera, 2.5-4 m in front of the
person's first-frame mid-hip and at its height (so that the position-based
knee valgus indicator is well defined). With ``view="front"``
the person faces the camera, so their own left side is at larger x.

Faults
------
:data:`FAULT_TABLE` lists, per fault, the exercises it applies to and the
:data:`sitrex.angles.ANGLE_NAMES` it is expected to move on each of them.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex.datasets import _body
from sitrex.landmarks import landmark_index
from sitrex.skeleton import Skeleton

__all__ = ["EXERCISES", "EXERCISE_TABLE", "FAULTS", "FAULT_TABLE", "SYNTHETIC_EXERCISE_ANGLES", "check_random_state", "make_exercise"]

# Unlisted joint angles keep these values (degrees). (start, end) pairs are the start
# pose and the end-of-rep pose; a pair of pairs is ((left start, end), (right start, end)).
_NEUTRAL = {
    "body_pitch": 0.0, "trunk_lean": 3.0, "head_pitch": 5.0, "hip_flex": 3.0, "hip_abd": 6.0,
    "knee_flex": 4.0, "ankle_dorsi": 0.0, "shoulder_flex": 5.0, "shoulder_abd": 8.0,
    "shoulder_rot": 0.0, "elbow_flex": 10.0, "wrist_flex": 5.0,
}
_SIDED = ("hip_flex", "hip_abd", "knee_flex", "ankle_dorsi", "shoulder_flex", "shoulder_abd",
          "shoulder_rot", "elbow_flex", "wrist_flex")

#: Exercise name -> joint-angle targets and body set-up (data, read by make_exercise).
#: ``main``: the joints whose range of motion defines the exercise (``incomplete_rom``
#: shrinks them); ``main_angle``: the angle column that traces the repetitions;
#: ``anchor``: landmarks that stay put on the floor; ``support``: landmarks held 4 cm
#: above the anchor's floor by pitching the whole (rigid) body about the anchor;
#: ``feet``: "flat" soles or a "chain"ed ankle, per side or both; ``lead``: True when
#: the leading leg is drawn at random (the table's left leg leads).
EXERCISE_TABLE: dict[str, dict[str, Any]] = {
    "squat": dict(
        dof={"trunk_lean": (5, 40), "hip_flex": (5, 125), "hip_abd": (12, 16), "knee_flex": (5, 115),
             "shoulder_flex": (80, 85), "elbow_flex": (10, 10)},
        main=("hip_flex", "knee_flex", "trunk_lean"), main_angle="left knee",
        anchor=("left_heel", "right_heel", "left_foot_index", "right_foot_index"), feet="flat"),
    "lunge": dict(
        dof={"trunk_lean": (3, 8), "hip_flex": ((30, 95), (-31, -14)), "knee_flex": ((8, 95), (15, 79)),
             "ankle_dorsi": ((0, 0), (-25, 40)), "hip_abd": (5, 5), "shoulder_abd": (20, 20),
             "elbow_flex": (90, 90), "shoulder_rot": (-10, -10)},
        main=("hip_flex", "knee_flex"), main_angle="left knee",
        anchor=("left_heel", "left_foot_index"), feet=("flat", "chain"), lead=True),
    "deadlift": dict(
        dof={"trunk_lean": (3, 75), "hip_flex": (3, 95), "hip_abd": (8, 8), "knee_flex": (5, 30),
             "shoulder_flex": (3, 75), "shoulder_abd": (6, 6), "elbow_flex": (5, 5)},
        main=("trunk_lean", "hip_flex", "knee_flex", "shoulder_flex"), main_angle="left hip",
        anchor=("left_heel", "right_heel", "left_foot_index", "right_foot_index"), feet="flat"),
    "arm curl": dict(
        dof={"elbow_flex": (10, 140), "shoulder_flex": (3, 15), "shoulder_abd": (6, 6),
             "wrist_flex": (5, 15)},
        main=("elbow_flex",), main_angle="left elbow",
        anchor=("left_heel", "right_heel", "left_foot_index", "right_foot_index"), feet="flat"),
    "shoulder press": dict(
        dof={"shoulder_flex": (25, 15), "shoulder_abd": (75, 165), "shoulder_rot": (80, 80),
             "elbow_flex": (95, 12), "wrist_flex": (-20, -5)},
        main=("shoulder_abd", "elbow_flex"), main_angle="left elbow",
        anchor=("left_heel", "right_heel", "left_foot_index", "right_foot_index"), feet="flat"),
    "lateral raise": dict(
        dof={"shoulder_flex": (8, 12), "shoulder_abd": (8, 85), "elbow_flex": (15, 15),
             "shoulder_rot": (0, -10)},
        main=("shoulder_abd",), main_angle="left shoulder",
        anchor=("left_heel", "right_heel", "left_foot_index", "right_foot_index"), feet="flat"),
    # rehabilitation-style movements: one joint chain at a time, the rest of the body still
    "front raise": dict(
        dof={"shoulder_flex": (5, 100), "shoulder_abd": (8, 8), "elbow_flex": (10, 10)},
        main=("shoulder_flex",), main_angle="left shoulder",
        anchor=("left_heel", "right_heel", "left_foot_index", "right_foot_index"), feet="flat"),
    "side leg raise": dict(  # standing hip abduction of the leading leg, on the other foot
        dof={"hip_abd": ((6, 38), (6, 6)), "shoulder_abd": (15, 15), "elbow_flex": (10, 10)},
        main=("hip_abd",), main_angle="left hip",
        anchor=("right_heel", "right_foot_index"), feet=("chain", "flat"), lead=True),
    "knee raise": dict(  # standing hip and knee flexion of the leading leg, on the other foot
        dof={"hip_flex": ((3, 90), (3, 3)), "knee_flex": ((4, 90), (4, 4)), "shoulder_abd": (15, 15),
             "elbow_flex": (10, 10)},
        main=("hip_flex", "knee_flex"), main_angle="left hip",
        anchor=("right_heel", "right_foot_index"), feet=("chain", "flat"), lead=True),
    "sit to stand": dict(  # from seated (the rest pose) to standing and back; no chair is drawn
        dof={"trunk_lean": (35, 3), "hip_flex": (95, 3), "knee_flex": (95, 5), "hip_abd": (10, 10),
             "shoulder_abd": (10, 10), "elbow_flex": (15, 15)},
        main=("hip_flex", "knee_flex", "trunk_lean"), main_angle="left knee",
        anchor=("left_heel", "right_heel", "left_foot_index", "right_foot_index"), feet="flat"),
    "push-up": dict(  # prone: the whole body pitched forward, toes on the floor
        dof={"body_pitch": (72, 79), "trunk_lean": (0, 0), "hip_flex": (0, 0), "hip_abd": (4, 4),
             "knee_flex": (3, 3), "ankle_dorsi": (-15, -15), "head_pitch": (-10, -10),
             "shoulder_flex": (74, 37), "shoulder_abd": (15, 15), "elbow_flex": (5, 90),
             "wrist_flex": (-75, -75)},
        main=("elbow_flex", "shoulder_flex", "body_pitch"), main_angle="left elbow",
        anchor=("left_foot_index", "right_foot_index"), feet="chain", support=("left_wrist", "right_wrist")),
}
#: The exercises :func:`make_exercise` can generate.
EXERCISES: tuple[str, ...] = tuple(EXERCISE_TABLE)


def _both(*parts: str) -> tuple[str, ...]:
    return tuple(f"{side} {part}" for part in parts for side in ("left", "right"))


#: The unsigned angles (:data:`sitrex.angles.ANGLE_NAMES`) that matter for each synthetic
#: exercise: those its moving joints drive (see :data:`EXERCISE_TABLE`), as an
#: ``exercise_angles`` mapping for :func:`sitrex.make_pairs`. Angles that are ill-defined
#: in a pose (horizontal shoulder adduction with the arm hanging, for instance) may swing
#: without meaning and are not listed.
SYNTHETIC_EXERCISE_ANGLES: dict[str, tuple[str, ...]] = {
    "squat": _both("ankle dorsiflexion", "knee", "hip") + ("torso flexion",),
    "lunge": _both("ankle dorsiflexion", "knee", "hip"),
    "deadlift": _both("knee", "hip", "shoulder", "shoulder extension") + ("torso flexion",),
    "arm curl": _both("elbow"),
    "shoulder press": _both("elbow", "frontal shoulder abduction", "shoulder",
                            "shoulder extension"),
    "lateral raise": _both("frontal shoulder abduction", "shoulder"),
    "front raise": _both("shoulder", "shoulder extension"),
    "side leg raise": _both("hip"),
    "knee raise": _both("hip", "knee"),
    "sit to stand": _both("knee", "hip") + ("torso flexion",),
    "push-up": _both("elbow", "shoulder", "shoulder extension"),
}


_LEGS = _both("knee", "hip")
_LUNGE = ("left knee", "left hip", "right knee", "right ankle dorsiflexion")  # left leg leads
#: Fault name -> how it is injected (``effect``) and, per exercise it applies to, the
#: angle names (sitrex.angles.ANGLE_NAMES) it is expected to move. Effects:
#: ("scale", joints, k): each joint's range of motion x (1 - k * severity);
#: ("add", joints, deg): + deg * severity, growing with the repetition;
#: ("swivel", limb, deg): the knee / elbow turns about the hip-ankle / shoulder-wrist
#: line by deg * severity (medially for knees, outward for elbows), growing as it bends.
#: ``kind``: the compute_angles kind the angles move in (default "unsigned"). For a
#: lunge led by the right leg, left and right swap in the angle names.
FAULT_TABLE: dict[str, dict[str, Any]] = {
    "shallow_depth": dict(
        effect=("scale", ("hip_flex", "knee_flex"), 0.5),
        angles={"squat": _LEGS + ("torso flexion",), "lunge": _LUNGE}),
    "knee_valgus": dict(  # a swivel keeps the unsigned knee angle: it shows in the coronal plane
        effect=("swivel", "knee", 40.0), kind="coronal",
        angles={"squat": _LEGS}),
    "elbow_flare": dict(
        effect=("swivel", "elbow", 45.0),
        angles={"push-up": _both("shoulder", "horizontal shoulder adduction", "frontal shoulder abduction"),
                "shoulder press": _both("horizontal shoulder adduction")}),
    "incomplete_rom": dict(
        effect=("scale", "main", 0.6),
        angles={"squat": _LEGS + ("torso flexion",), "lunge": _LUNGE,
                "deadlift": _both("hip", "shoulder", "ankle dorsiflexion") + ("torso flexion",),
                "arm curl": _both("elbow"), "shoulder press": _both("elbow", "shoulder", "frontal shoulder abduction"),
                "lateral raise": _both("shoulder", "frontal shoulder abduction"),
                "front raise": _both("shoulder", "shoulder extension"),
                "side leg raise": ("left hip",), "knee raise": ("left hip", "left knee"),
                "sit to stand": _LEGS + ("torso flexion",),
                "push-up": _both("elbow", "shoulder", "shoulder extension")}),
    "torso_lean": dict(
        effect=("add", ("trunk_lean", "hip_flex"), 30.0),
        angles={ex: _both("hip", "ankle dorsiflexion") + ("torso flexion",) for ex in ("squat", "deadlift")}),
}
#: The faults :func:`make_exercise` can inject.
FAULTS: tuple[str, ...] = tuple(FAULT_TABLE)

def check_random_state(random_state) -> np.random.Generator:
    """A :class:`numpy.random.Generator` from None, an int, a Generator or a legacy RandomState."""
    if random_state is None or isinstance(random_state, (numbers.Integral, np.random.SeedSequence)):
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(int(random_state.randint(0, 2**63 - 1, dtype=np.int64)))
    raise InputError(f"random_state must be None, an int, a numpy Generator or RandomState; "
                     f"got {type(random_state).__name__}")


def _range(value, name: str, *, integer: bool = False, low: float = 0.0,
           strict: bool = True) -> tuple[float, float]:
    """A (low, high) pair from a number or a pair; checks the bounds."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    kinds = numbers.Integral if integer else numbers.Real
    if len(pair) != 2 or not all(isinstance(v, kinds) and not isinstance(v, bool) for v in pair):
        what = "an int" if integer else "a number"
        raise InputError(f"{name} must be {what} or a (low, high) pair, got {value!r}")
    lo, hi = pair
    if not (lo <= hi and (lo > low if strict else lo >= low)) or not np.isfinite([lo, hi]).all():
        raise InputError(f"{name} must satisfy {low} {'<' if strict else '<='} low <= high, got {value!r}")
    return pair


def _names(values, valid: tuple[str, ...], what: str) -> list[str]:
    values = [values] if isinstance(values, str) else list(values)
    unknown = [v for v in values if v not in valid]
    if unknown:
        raise InputError(f"unknown {what} {', '.join(map(repr, unknown))}; valid {what}s: "
                         f"{', '.join(map(repr, valid))}")
    if not values:
        raise InputError(f"no {what} given; choose from {', '.join(map(repr, valid))}")
    return values


def _fault_weights(faults, fault_rate, exercises) -> dict[str, float]:
    if not (isinstance(fault_rate, numbers.Real) and 0.0 <= fault_rate <= 1.0):
        raise InputError(f"fault_rate must be a number in [0, 1], got {fault_rate!r}")
    if faults is None:
        return {f: 1.0 for f in FAULTS}
    weights = dict(faults) if isinstance(faults, dict) else {f: 1.0 for f in _names(faults, FAULTS, "fault")}
    _names(list(weights), FAULTS, "fault")
    if any(not (isinstance(w, numbers.Real) and w >= 0) for w in weights.values()) or sum(weights.values()) <= 0:
        raise InputError(f"fault probabilities must be non-negative with a positive sum, got {faults!r}")
    wanted = [f for f, w in weights.items() if w > 0]
    if fault_rate > 0 and not any(set(FAULT_TABLE[f]["angles"]) & set(exercises) for f in wanted):
        where = "; ".join(f"{f} applies only to {', '.join(FAULT_TABLE[f]['angles'])}" for f in wanted)
        raise InputError(f"none of the requested faults applies to the requested exercises "
                         f"({', '.join(exercises)}): {where}")
    return weights


def _joint_series(spec: dict, rng, lead_right: bool) -> dict[str, tuple]:
    """Per joint angle: (start, amplitude) arrays, with per-person jitter (sided: shape (2,))."""
    amp = rng.uniform(0.9, 1.05)
    out = {}
    for name, neutral in _NEUTRAL.items():
        value = spec.get(name, (neutral, neutral))
        if name in _SIDED:
            pair = np.array(value if isinstance(value[0], (tuple, list)) else (value, value), dtype=float)
            if lead_right:
                pair = pair[::-1]
            start, end = pair[:, 0] + rng.normal(0.0, 1.0, 2), pair[:, 1]
            out[name] = (start, (end - pair[:, 0]) * amp * rng.normal(1.0, 0.03, 2))
        else:
            start, end = map(float, value)
            out[name] = (start + rng.normal(0.0, 1.0), (end - start) * amp)
    return out


def _apply_fault(series: dict, fault: str | None, severity: float, exercise: str) -> dict:
    if fault is None:
        return series
    kind, joints, size = FAULT_TABLE[fault]["effect"]
    if kind == "scale":
        joints = EXERCISE_TABLE[exercise]["main"] if joints == "main" else joints
        for j in joints:
            start, amp = series[j]
            series[j] = (start, amp * (1.0 - size * severity))
    elif kind == "add":
        for j in joints:
            start, amp = series[j]
            series[j] = (start, amp + size * severity)
    return series


def _build(body, series, p, feet, fault, severity, anchor, support=()):
    dof = {name: (start[..., None] + amp[..., None] * p) if np.ndim(start) else start + amp * p
           for name, (start, amp) in series.items()}
    xyz = _body.pose(body, dof, feet)
    if fault is not None and FAULT_TABLE[fault]["effect"][0] == "swivel":
        limb, size = FAULT_TABLE[fault]["effect"][1:]
        outward = (_body.rotation(0, dof["body_pitch"]) @ _body.rotation(0, dof["trunk_lean"]))[:, :, 0]
        flex = "knee_flex" if limb == "knee" else "elbow_flex"
        mid, ends, moved, sense = {"knee": ("knee", ("hip", "ankle"), (), -1.0),
                                   "elbow": ("elbow", ("shoulder", "wrist"), ("pinky", "index", "thumb"), 1.0)}[limb]
        for row, (prefix, side) in enumerate((("left_", 1.0), ("right_", -1.0))):
            bend = dof[flex][row] - dof[flex][row].min()
            bend = bend / max(bend.max(), 1e-9)  # 0 where the limb is straightest, 1 where most bent
            xyz = _body.swivel(xyz, prefix + mid, *(prefix + e for e in ends), tuple(prefix + m for m in moved),
                               size * severity * bend, sense * side * outward)
    anchor_xyz = xyz[:, [landmark_index(a) for a in anchor]].mean(axis=1)
    xyz = xyz - anchor_xyz[:, None, :]
    if support:  # pitch the whole body about the anchor so that the support rests on the floor
        xyz = _body.rest_on_floor(xyz, [landmark_index(a) for a in support], 0.04)
    return xyz + anchor_xyz[0]


def _other_side(name: str) -> str:
    """`name` with left and right exchanged ("left_heel" -> "right_heel", "right hip" -> "left hip")."""
    return name.replace("left", "\0").replace("right", "left").replace("\0", "right")


def _view(view, rng) -> float:
    named = {"random": (-60.0, 60.0), "front": (0.0, 0.0), "side": (90.0, 90.0)}
    if isinstance(view, str):
        if view not in named:
            raise InputError(f"view must be 'random', 'front', 'side', a yaw in degrees or a (low, high) "
                             f"range; got {view!r}")
        view = named[view]
    lo, hi = _range(view, "view", low=-360.0, strict=False)
    return float(rng.uniform(lo, hi))


def make_exercise(n_samples: int = 20, exercises=None, *, n_reps=(2, 5), tempo=(1.5, 3.0), fps: float = 30.0,
                  view="random", pitch=(-5.0, 5.0), noise: float = 0.005, faults=None,
                  fault_rate: float = 0.0, severity=(0.5, 1.0), random_state=None, return_info: bool = False):
    """Generate SYNTHETIC 3-D skeleton sequences of workout exercises.

    The sequences are procedural, **not recorded from people**: a body with
    random proportions (stature ~1.72 m, segment ratios +/-10 %) is driven by
    forward kinematics through the joint-angle targets of
    :data:`EXERCISE_TABLE`, with raised-cosine repetitions, pauses at both
    ends of each rep, a small sway, a random camera view and Gaussian noise.

    Parameters
    ----------
    n_samples : int, default 20
        Number of sequences. Exercises are assigned round-robin (balanced:
        counts differ by at most one), in random order.
    exercises : str or sequence of str, optional
        Names from :data:`EXERCISES`; default all of them.
    n_reps : int or (int, int), default (2, 5)
        Repetitions per sequence, or an inclusive range to draw from.
    tempo : float or (float, float), default (1.5, 3.0)
        Seconds per repetition (drawn per sequence; each rep varies +/-8 %).
    fps : float, default 30.0
        Frame rate. The length follows: lead-in + reps + lead-out (0.3-0.8 s each end).
    view : {"random", "front", "side"}, float or (float, float), default "random"
        Camera yaw about the vertical, degrees: "random" is U(-60, 60),
        "front" 0 (facing the camera), "side" 90 (facing the image right).
    pitch : float or (float, float), default (-5, 5)
        Small camera tilt about its horizontal axis, degrees.
    noise : float, default 0.005
        Standard deviation of Gaussian landmark noise, metres; 0 gives clean data.
    faults : None, sequence of str or dict, default None
        Faults to draw from (:data:`FAULTS`), or {fault: relative weight}.
        None means all faults. Each sequence gets at most one fault, drawn
        among those that apply to its exercise (:data:`FAULT_TABLE`); a
        sequence whose exercise none of them applies to gets no fault.
    fault_rate : float in [0, 1], default 0.0
        Probability that a sequence gets a fault.
    severity : float or (float, float) in [0, 1], default (0.5, 1.0)
        Fault severity (fixed, or drawn uniformly).
    random_state : None, int, numpy Generator or RandomState
        Seed. Each sample draws its body, timing, view, fault and noise from
        separate streams, so the same seed with and without faults gives the
        same people, tempi and views.
    return_info : bool, default False
        Also return the ground truth of every sequence.

    Returns
    -------
    skeletons : list of Skeleton
        ``(T, 33, 3)`` coordinates in metres: x right, y DOWN, z away from the
        camera, origin at the camera (see the module documentation). ``fps`` is set,
        ``source`` is e.g. ``"synthetic:squat#3"``, ``meta`` has
        ``{"synthetic": True, "units": "metres", "axes": ..., "exercise": ...}``.
    labels : ndarray of str, shape (n_samples,)
        Exercise of each sequence.
    info : list of dict, only with ``return_info=True``
        Per sequence: ``exercise``, ``n_reps``, ``rep_boundaries`` (start,
        end frame of each rep), ``rep_extremes`` (frame of each end-of-rep
        pose), ``tempo`` (s/rep), ``yaw``, ``pitch`` (degrees), ``distance`` (m), ``fault``
        (name or None), ``severity`` (0.0 without fault), ``affected_angles``
        (angle names the fault moves), ``affected_kind`` (the
        :func:`~sitrex.angles.compute_angles` kind they move in), ``main_angle`` (on the
        leading side), ``height`` (m), ``lead_side`` (lunge, side leg raise, knee raise:
        "left"/"right", else None).

    Raises
    ------
    ValueError
        For unknown exercise or fault names (the message lists the valid
        ones), requested faults none of which applies to any requested
        exercise (when ``fault_rate > 0``), or out-of-range numbers.

    Examples
    --------
    >>> from sitrex.datasets.synthetic import make_exercise
    >>> skels, labels = make_exercise(4, ["squat", "arm curl"], n_reps=3, random_state=0)
    >>> sorted(labels.tolist())
    ['arm curl', 'arm curl', 'squat', 'squat']
    >>> skels[0].coords.shape[1:], skels[0].fps, skels[0].meta["synthetic"]
    ((33, 3), 30.0, True)
    >>> _, _, info = make_exercise(2, "squat", faults=["shallow_depth"], fault_rate=1.0,
    ...                            random_state=1, return_info=True)
    >>> info[0]["fault"], info[0]["n_reps"] >= 2
    ('shallow_depth', True)
    """
    if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool) or n_samples < 1:
        raise InputError(f"n_samples must be a positive int, got {n_samples!r}")
    exercises = list(EXERCISES) if exercises is None else _names(exercises, EXERCISES, "exercise")
    reps = _range(n_reps, "n_reps", integer=True)
    tempo = _range(tempo, "tempo")
    pitch = _range(pitch, "pitch", low=-90.0)
    severity = _range(severity, "severity", strict=False)
    if severity[1] > 1:
        raise InputError(f"severity must lie in [0, 1], got {severity!r}")
    if not (isinstance(fps, numbers.Real) and np.isfinite(fps) and fps > 0):
        raise InputError(f"fps must be a positive number, got {fps!r}")
    if not (isinstance(noise, numbers.Real) and np.isfinite(noise) and noise >= 0):
        raise InputError(f"noise must be a non-negative number of metres, got {noise!r}")
    weights = _fault_weights(faults, fault_rate, exercises)
    _view(view, np.random.default_rng(0))  # validate early

    rng = check_random_state(random_state)
    k = len(exercises)
    order = rng.permutation((np.arange(n_samples) + rng.integers(k)) % k)
    root = np.random.SeedSequence(int(rng.integers(2**63 - 1)))
    skeletons, labels, infos = [], [], []
    for i, child in enumerate(root.spawn(n_samples)):
        exercise = exercises[order[i]]
        spec = EXERCISE_TABLE[exercise]
        r_body, r_time, r_view, r_fault, r_noise = (np.random.default_rng(s) for s in child.spawn(5))
        body = _body.draw_body(r_body)
        lead_right = bool(spec.get("lead") and r_body.random() < 0.5)
        series = _joint_series(spec["dof"], r_body, lead_right)
        count = int(r_time.integers(reps[0], reps[1] + 1))
        speed = float(r_time.uniform(*tempo))
        t, p, bounds, extremes = _body.profile(r_time, count, speed, float(fps))
        yaw, tilt = _view(view, r_view), float(r_view.uniform(*pitch))
        distance = float(r_view.uniform(2.5, 4.0))

        eligible = [f for f, w in weights.items() if w > 0 and exercise in FAULT_TABLE[f]["angles"]]
        hit, pick, level = r_fault.random(), r_fault.random(), float(r_fault.uniform(*severity))
        fault = None
        if eligible and hit < fault_rate:
            cum = np.cumsum([weights[f] for f in eligible])
            fault = eligible[min(int(np.searchsorted(cum, pick * cum[-1], side="right")), len(eligible) - 1)]
        series = _apply_fault(series, fault, level, exercise)
        anchor = [_other_side(a) if lead_right else a for a in spec["anchor"]]
        feet = spec["feet"][::-1] if lead_right and not isinstance(spec["feet"], str) else spec["feet"]
        xyz = _build(body, series, p, feet, fault, level, anchor, spec.get("support", ()))
        xyz = _body.to_camera(xyz, yaw, tilt, distance, t, r_time)
        if noise > 0:
            xyz = xyz + r_noise.normal(0.0, noise, xyz.shape)
        meta = {"synthetic": True, "units": "metres", "dimensions": 3, "exercise": exercise,
                "axes": "x right, y down, z away from the camera; origin: the camera",
                "generator": "sitrex.datasets.synthetic.make_exercise"}
        skeletons.append(Skeleton(xyz, fps=float(fps), source=f"synthetic:{exercise}#{i}", meta=meta))
        labels.append(exercise)
        affected = FAULT_TABLE[fault]["angles"][exercise] if fault else ()
        main_angle = spec["main_angle"]
        if lead_right:
            affected = tuple(sorted(_other_side(a) for a in affected))
            main_angle = _other_side(main_angle)
        infos.append({
            "exercise": exercise, "n_reps": count, "rep_boundaries": bounds, "rep_extremes": extremes,
            "tempo": speed, "fps": float(fps), "n_frames": len(t), "yaw": yaw, "pitch": tilt, "distance": distance,
            "fault": fault, "severity": level if fault else 0.0, "affected_angles": list(affected),
            "affected_kind": FAULT_TABLE[fault].get("kind", "unsigned") if fault else None,
            "main_angle": main_angle, "height": body["height"],
            "lead_side": ("right" if lead_right else "left") if spec.get("lead") else None,
        })
    labels = np.array(labels, dtype=str)
    return (skeletons, labels, infos) if return_info else (skeletons, labels)
