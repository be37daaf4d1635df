"""Forward kinematics of a procedural human body (private helper of :mod:`.synthetic`).

The body lives in a *body frame* in metres: **x toward the person's own
left, y up, z forward** (the direction the person faces), right-handed. The
origin is the mid-hip. Every function is vectorised over frames: joint
angles are ``(T,)`` arrays and poses come out as ``(T, 33, 3)`` arrays.

Joint angles (degrees) and their sign conventions:

``body_pitch``
    Whole body rotated forward about the mid-hip (head toward +z); ~75-85
    for a push-up plank, 0 when upright.
``trunk_lean``
    The rigid trunk (pelvis, torso, head) leaning forward.
``hip_flex``, ``hip_abd``
    Thigh swung forward / outward, relative to the trunk.
``knee_flex``
    Shank swung backward relative to the thigh (0 = straight leg).
``ankle_dorsi``
    Toes raised relative to the shank (only for ``feet="chain"``; with
    ``feet="flat"`` the soles stay parallel to the body's floor).
``shoulder_flex``, ``shoulder_abd``, ``shoulder_rot``
    Upper arm raised forward, raised sideways, rotated outward (external
    rotation) about its own axis, relative to the trunk.
``elbow_flex``, ``wrist_flex``
    Forearm and hand swung toward the palm side (0 = straight).
``head_pitch``
    Head nodding forward relative to the trunk.

Sided angles are ``(2, T)`` arrays: row 0 the left side, row 1 the right.
"""

from __future__ import annotations

import numpy as np

from sitrex.landmarks import N_LANDMARKS, landmark_index

__all__ = ["SEGMENT_RATIOS", "draw_body", "pose", "profile", "rest_on_floor", "rotation", "swivel", "to_camera"]

#: Segment lengths as fractions of stature (rounded anthropometric averages).
SEGMENT_RATIOS: dict[str, float] = {
    "hip_width": 0.115,      # between the hip joint centres
    "shoulder_width": 0.205,  # between the shoulder joint centres
    "torso": 0.290,          # mid-hip to mid-shoulder
    "neck": 0.105,           # mid-shoulder to the centre of the head
    "head": 0.060,           # scale of the face landmarks around the head centre
    "thigh": 0.245,
    "shank": 0.246,
    "ankle_height": 0.039,   # ankle joint above the sole
    "heel": 0.030,           # heel behind the ankle
    "foot": 0.150,           # heel to toe tip
    "upper_arm": 0.186,
    "forearm": 0.146,
    "hand": 0.108,           # wrist to finger tips
    "palm_width": 0.048,
}

_SIDES = ((0, 1.0), (1, -1.0))  # (row, sign of "outward" along body x): left, right
_L = {name: landmark_index(name) for name in (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right")}
# face landmarks around the head centre, in units of SEGMENT_RATIOS["head"], left side at +x
_FACE = {
    "nose": (0.0, -0.15, 1.45),
    "left_eye_inner": (0.25, 0.40, 1.30), "right_eye_inner": (-0.25, 0.40, 1.30),
    "left_eye": (0.50, 0.42, 1.25), "right_eye": (-0.50, 0.42, 1.25),
    "left_eye_outer": (0.75, 0.40, 1.10), "right_eye_outer": (-0.75, 0.40, 1.10),
    "left_ear": (1.25, 0.10, 0.0), "right_ear": (-1.25, 0.10, 0.0),
    "mouth_left": (0.35, -0.70, 1.20), "mouth_right": (-0.35, -0.70, 1.20),
}


def draw_body(rng: np.random.Generator, spread: float = 0.10) -> dict[str, float]:
    """Random body proportions: stature ~ N(1.72, 0.09) m, each ratio x U(1 - spread, 1 + spread)."""
    height = float(np.clip(rng.normal(1.72, 0.09), 1.50, 1.95))
    factors = rng.uniform(1.0 - spread, 1.0 + spread, size=len(SEGMENT_RATIOS))
    body = {k: height * r * f for (k, r), f in zip(SEGMENT_RATIOS.items(), factors)}
    body["height"] = height
    body["toe_out"] = float(rng.uniform(5.0, 15.0))  # degrees
    return body


def rotation(axis: int, degrees) -> np.ndarray:
    """Right-handed rotation matrices about body axis 0 (x), 1 (y) or 2 (z): shape (..., 3, 3)."""
    a = np.radians(np.asarray(degrees, dtype=np.float64))
    c, s = np.cos(a), np.sin(a)
    i, j = {0: (1, 2), 1: (2, 0), 2: (0, 1)}[axis]
    r = np.zeros(a.shape + (3, 3))
    r[..., axis, axis] = 1.0
    r[..., i, i] = c
    r[..., j, j] = c
    r[..., i, j] = -s
    r[..., j, i] = s
    return r


def _at(frames: np.ndarray, vector) -> np.ndarray:
    """Apply (T, 3, 3) frames to a fixed 3-vector: (T, 3)."""
    return frames @ np.asarray(vector, dtype=np.float64)


def pose(body: dict[str, float], dof: dict[str, np.ndarray], feet="flat") -> np.ndarray:
    """Landmarks (T, 33, 3) in the body frame for joint-angle time series ``dof``.

    ``feet`` is "flat" or "chain" (see ``ankle_dorsi``), or a (left, right) pair of them.
    ``dof`` holds every angle named in the module docstring: unsided ones as
    (T,) arrays and sided ones as (2, T) arrays (left, right).
    """
    n = len(dof["trunk_lean"])
    out = np.empty((n, N_LANDMARKS, 3))
    root = rotation(0, dof["body_pitch"])
    trunk = root @ rotation(0, dof["trunk_lean"])
    mid_shoulder = _at(trunk, (0.0, body["torso"], 0.0))
    head = trunk @ rotation(0, dof["head_pitch"])
    centre = mid_shoulder + _at(trunk, (0.0, body["neck"], 0.0))
    for name, offset in _FACE.items():
        out[:, _L[name]] = centre + _at(head, body["head"] * np.asarray(offset))

    for row, side in _SIDES:
        prefix = ("left_", "right_")[row]

        def put(part: str, value: np.ndarray) -> None:
            out[:, landmark_index(prefix + part)] = value

        # leg
        hip = _at(trunk, (side * body["hip_width"] / 2, 0.0, 0.0))
        thigh = trunk @ rotation(0, -dof["hip_flex"][row]) @ rotation(2, side * dof["hip_abd"][row])
        knee = hip + _at(thigh, (0.0, -body["thigh"], 0.0))
        shank = thigh @ rotation(0, dof["knee_flex"][row])
        ankle = knee + _at(shank, (0.0, -body["shank"], 0.0))
        toe_out = rotation(1, np.full(n, side * body["toe_out"]))
        mode = feet if isinstance(feet, str) else feet[row]
        foot = (root if mode == "flat" else shank @ rotation(0, -dof["ankle_dorsi"][row])) @ toe_out
        put("hip", hip)
        put("knee", knee)
        put("ankle", ankle)
        put("heel", ankle + _at(foot, (0.0, -body["ankle_height"], -body["heel"])))
        put("foot_index", ankle + _at(foot, (0.0, -body["ankle_height"], body["foot"] - body["heel"])))

        # arm
        shoulder = mid_shoulder + _at(trunk, (side * body["shoulder_width"] / 2, 0.0, 0.0))
        upper = (trunk @ rotation(0, -dof["shoulder_flex"][row]) @ rotation(2, side * dof["shoulder_abd"][row])
                 @ rotation(1, side * dof["shoulder_rot"][row]))
        elbow = shoulder + _at(upper, (0.0, -body["upper_arm"], 0.0))
        fore = upper @ rotation(0, -dof["elbow_flex"][row])
        wrist = elbow + _at(fore, (0.0, -body["forearm"], 0.0))
        hand = fore @ rotation(0, -dof["wrist_flex"][row])
        h, w = body["hand"], body["palm_width"]
        put("shoulder", shoulder)
        put("elbow", elbow)
        put("wrist", wrist)
        put("index", wrist + _at(hand, (side * 0.3 * w, -0.75 * h, 0.1 * w)))
        put("pinky", wrist + _at(hand, (-side * 0.5 * w, -0.65 * h, 0.1 * w)))
        put("thumb", wrist + _at(hand, (side * 0.7 * w, -0.40 * h, 0.4 * w)))
    return out


def swivel(coords: np.ndarray, joint: str, axis_from: str, axis_to: str, moved: tuple[str, ...],
           degrees: np.ndarray, toward: np.ndarray) -> np.ndarray:
    """Rotate a middle joint about the line through its two neighbours (a rigid "swivel").

    ``joint`` (and the landmarks in ``moved``, e.g. the hand) turn by
    ``degrees`` (T,) about the axis from ``axis_from`` to ``axis_to``, in the
    sense that carries the joint toward the (T, 3) direction ``toward``. Both
    segment lengths, the joint's own angle and every other landmark are
    unchanged: this is how knee valgus and elbow flare are injected.
    """
    out = coords.copy()
    a = coords[:, landmark_index(axis_from)]
    u = coords[:, landmark_index(axis_to)] - a
    u /= np.linalg.norm(u, axis=-1, keepdims=True)
    r = coords[:, landmark_index(joint)] - a
    r -= np.sum(r * u, axis=-1, keepdims=True) * u
    sense = np.sign(np.sum(np.cross(u, r) * toward, axis=-1))
    theta = np.radians(degrees) * sense
    c, s = np.cos(theta)[:, None], np.sin(theta)[:, None]
    for name in (joint, *moved):
        i = landmark_index(name)
        v = coords[:, i] - a
        along = np.sum(v * u, axis=-1, keepdims=True) * u
        out[:, i] = a + v * c + np.cross(u, v) * s + along * (1.0 - c)
    return out


def rest_on_floor(xyz: np.ndarray, support: list[int], height: float) -> np.ndarray:
    """Pitch each frame about the x axis through the origin so the mid-``support`` is ``height`` above it."""
    v = xyz[:, support].mean(axis=1)
    reach = np.hypot(v[:, 1], v[:, 2])
    alpha = np.arctan2(v[:, 2], v[:, 1])  # y cos(phi) - z sin(phi) = reach cos(phi + alpha)
    turn = np.arccos(np.clip(height / reach, -1.0, 1.0))
    phi = np.where(np.abs(turn - alpha) < np.abs(-turn - alpha), turn - alpha, -turn - alpha)
    phi = (phi + np.pi) % (2 * np.pi) - np.pi
    return np.einsum("tij,tkj->tki", rotation(0, np.degrees(phi)), xyz)


def profile(rng, n_reps: int, tempo: float, fps: float):
    """Rep profile p(t) in [0, 1] (0 = start pose, 1 = end-of-rep pose), raised-cosine moves with pauses."""
    lead_in, lead_out = rng.uniform(0.3, 0.8, size=2)
    durations = tempo * rng.uniform(0.92, 1.08, size=n_reps)
    phases = rng.dirichlet([8.0, 2.0, 8.0, 2.0], size=n_reps) * durations[:, None]  # down, hold, up, hold
    steps = np.concatenate([[0.0, lead_in], phases.ravel(), [lead_out]])
    knots = np.cumsum(steps)
    values = np.concatenate([[0.0, 0.0], np.tile([1.0, 1.0, 0.0, 0.0], n_reps), [0.0]])
    n_frames = int(np.floor(knots[-1] * fps)) + 1
    t = np.arange(n_frames) / fps
    p = 0.5 - 0.5 * np.cos(np.pi * np.interp(t, knots, values))
    starts = knots[1:-1:4][:n_reps]
    frame = lambda s: np.minimum(np.round(np.asarray(s) * fps).astype(int), n_frames - 1)  # noqa: E731
    bounds = [(int(a), int(b)) for a, b in zip(frame(starts), frame(knots[5::4][:n_reps]))]
    extremes = frame((knots[2::4][:n_reps] + knots[3::4][:n_reps]) / 2)
    return t, p, bounds, [int(e) for e in extremes]


def to_camera(xyz, yaw, pitch, distance, t, rng) -> np.ndarray:
    """Body frame (x left, y up, z forward) -> camera (x right, y down, z away), plus a small sway.

    The camera sits ``distance`` metres in front of the first frame's mid-hip,
    at its height, tilted by ``pitch`` degrees about its own x axis.
    """
    amp, freq, phase = rng.uniform(0.003, 0.012, 3), rng.uniform(0.1, 0.35, 3), rng.uniform(0, 2 * np.pi, 3)
    wobble = amp * np.sin(2 * np.pi * freq * t[:, None] + phase)  # (T, 3): x, z sway in m, yaw in 1/100 deg
    turn = rotation(1, yaw + 100.0 * wobble[:, 2])
    world = np.einsum("tij,tkj->tki", turn, xyz)
    world[..., 0] += wobble[:, 0:1]
    world[..., 2] += wobble[:, 1:2]
    cam = world * np.array([1.0, -1.0, -1.0])
    cam = cam - cam[0, 23:25].mean(axis=0) + np.array([0.0, 0.0, distance])
    return cam @ rotation(0, pitch).T
