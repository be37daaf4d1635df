"""Properties of :func:`sitrex.angles.compute_angles`, checked on random plausible bodies.

Each test states one behaviour of the angle code. The bodies are not arbitrary
point clouds: :func:`bodies` builds a skeleton from random proportions, trunk
lean and twist, and random shoulder, elbow, wrist, hip and knee bends, then
places it in space with a random rotation, translation and positive scale.
Landmarks no angle uses (face, thumbs, heels, toes) are left anywhere.

Known exceptions to the invariances, each tested on its own below:

* the two **knee valgus indicators** project landmark *positions*, measured
  from the coordinate origin, onto the coronal plane (the paper's
  definition). They do not change under rotations about the origin or
  uniform scaling about it, but they do change under translation (hence
  also under rotation about any other point);
* the **unsigned** kind adds the paper's 1e-6 to the product of the two
  segment lengths, so uniform scaling changes a joint angle's cosine by a
  factor ``P/(P + 1e-6)`` (``P`` the product of the lengths): negligible for a
  body of size ~1, visible for a very small one;
* **plane-projected** angles are ill-conditioned when a segment is (nearly)
  parallel to the plane's normal; such columns are left out of the
  comparisons (:func:`well_conditioned`), which for random bodies is rare.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sitrex.angles import (
    ANGLE_DEFINITIONS,
    ANGLE_KINDS,
    ANGLE_NAMES,
    MULTI_PLANE_ANGLES,
    PLANES,
    angle_definition,
    angle_names,
    compute_angles,
)
from sitrex.landmarks import LANDMARK_NAMES, N_LANDMARKS, landmark_index, mirror_permutation

# compute_angles must never warn, whatever the geometry (NaN, zero-length segments, ...)
pytestmark = [pytest.mark.filterwarnings("error::RuntimeWarning"), pytest.mark.filterwarnings("error:::sitrex")]

PLANE_KINDS = ("sagittal", "coronal", "transverse")
SIGNED_KINDS = PLANE_KINDS + ("max-energy", "all")
PER_FRAME_KINDS = ("unsigned",) + PLANE_KINDS + ("all",)  # kinds that need no time axis
UNSIGNED_EPS = 1e-6  # the paper's epsilon in the unsigned angle's denominator
VALGUS = ("left knee valgus indicator", "right knee valgus indicator")
# a segment whose in-plane part is shorter than this fraction of it is too close
# to the plane's normal for its projected direction to be meaningful
MIN_IN_PLANE_FRACTION = 1e-3


# --------------------------------------------------------------------------- helpers


def idx(name: str) -> int:
    return landmark_index(name)


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def circular_difference(a, b) -> np.ndarray:
    d = np.abs(np.asarray(a) - np.asarray(b)) % 360.0
    return np.minimum(d, 360.0 - d)


def quaternion_matrix(q) -> np.ndarray:
    """The rotation matrix of a (not necessarily normalised, non-zero) quaternion w, x, y, z."""
    w, x, y, z = np.asarray(q, dtype=np.float64) / np.linalg.norm(q)
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


def direction(polar_deg: float, azimuth_deg: float) -> np.ndarray:
    """Unit vector ``polar_deg`` away from straight down (-y), turned ``azimuth_deg`` about y."""
    p, a = np.radians(polar_deg), np.radians(azimuth_deg)
    return np.array([np.sin(p) * np.cos(a), -np.cos(p), np.sin(p) * np.sin(a)])


def bend(d: np.ndarray, angle_deg: float, twist_deg: float) -> np.ndarray:
    """Unit vector at ``angle_deg`` from ``d``, towards a perpendicular chosen by ``twist_deg``."""
    d = unit(d)
    helper = np.array([1.0, 0.0, 0.0]) if abs(d[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = unit(np.cross(d, helper))
    e2 = np.cross(d, e1)
    b, t = np.radians(angle_deg), np.radians(twist_deg)
    return np.cos(b) * d + np.sin(b) * (np.cos(t) * e1 + np.sin(t) * e2)


def torso_frame(landmarks: np.ndarray) -> np.ndarray:
    """The documented torso frame (horizontal, upward, forward), written independently."""
    ls, rs, lh, rh = (landmarks[..., idx(n), :] for n in
                      ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))
    horizontal = unit(rs - ls)
    forward = unit(np.cross(horizontal, (ls + rs) / 2 - (lh + rh) / 2))
    upward = np.cross(forward, horizontal)
    return np.stack([horizontal, upward, forward])


PLANE_NORMAL = {"sagittal": 0, "transverse": 1, "coronal": 2}  # row of torso_frame


def columns(kind: str) -> list[tuple[str, object, str | None]]:
    """(column name, definition, plane the column is measured in) for each column of ``kind``.

    The plane is None for unsigned joint angles; a multi-plane angle is measured in
    the kind's plane (or its column's plane for "all"), every other angle in its own.
    """
    out = []
    for d in ANGLE_DEFINITIONS:
        if kind == "all" and d.multi_plane:
            out += [(f"{d.name} ({p})", d, p) for p in PLANES]
        elif kind == "unsigned":
            out.append((d.name, d, None if d.measure == "joint" else d.plane))
        else:
            out.append((d.name, d, kind if d.multi_plane else d.plane))
    return out


def point(landmarks: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    return (landmarks[idx(names[0])] + landmarks[idx(names[-1])]) / 2


def measured_vectors(landmarks: np.ndarray, d) -> list[np.ndarray]:
    """The vectors an angle is measured between (positions, for the valgus indicator)."""
    p = [point(landmarks, names) for names in d.points]
    if d.measure == "joint":
        return [p[0] - p[1], p[2] - p[1]]
    if d.measure == "segment":
        return [p[1] - p[0]]
    return p


def well_conditioned(landmarks: np.ndarray, kind: str) -> np.ndarray:
    """Mask of the columns whose vectors are not (nearly) parallel to their plane's normal."""
    frame = torso_frame(landmarks)
    mask = []
    for _, d, plane in columns(kind):
        ok = True
        if plane is not None:
            normal = frame[PLANE_NORMAL[plane]]
            for v in measured_vectors(landmarks, d):
                in_plane = v - np.dot(v, normal) * normal
                ok &= np.linalg.norm(in_plane) >= MIN_IN_PLANE_FRACTION * np.linalg.norm(v)
        mask.append(ok)
    return np.array(mask)


def length_products(landmarks: np.ndarray) -> np.ndarray:
    """Per unsigned column, the product of norms the unsigned kernel divides by (1 for segments)."""
    products = []
    for d in ANGLE_DEFINITIONS:
        if d.measure == "joint":
            a, c = measured_vectors(landmarks, d)
            products.append(np.linalg.norm(a) * np.linalg.norm(c))
        else:
            products.append(1.0)  # unit vectors: the projected segment against a unit torso axis
    return np.array(products)


def twin(name: str) -> str:
    """The same angle on the other side of the body ("torso flexion" is its own twin)."""
    return name.replace("left", "\0").replace("right", "left").replace("\0", "right")


def mirror(landmarks: np.ndarray) -> np.ndarray:
    """Reflect x -> -x and relabel left/right, so the result is again a valid body."""
    return landmarks[..., list(mirror_permutation()), :] * np.array([-1.0, 1.0, 1.0])


def column_index(kind: str) -> dict[str, int]:
    return {name: i for i, name in enumerate(angle_names(kind))}


# --------------------------------------------------------------------------- strategies


def angles_deg(lo: float, hi: float):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def rotations(draw) -> np.ndarray:
    q = draw(st.tuples(*[st.floats(-1, 1)] * 4).filter(lambda q: np.linalg.norm(q) > 0.1))
    return quaternion_matrix(q)


translations = arrays(np.float64, 3, elements=st.floats(-3, 3))


@st.composite
def local_bodies(draw) -> np.ndarray:
    """A plausible body about 1.5 units tall, mid-hip at the origin, y up, z forward.

    The torso frame is always well defined: shoulders 0.3-0.45 apart, a trunk
    0.4-0.6 long, leaning at most 60 degrees and twisted at most 30 degrees.
    """
    f = lambda lo, hi: draw(angles_deg(lo, hi))  # noqa: E731
    # landmarks no angle uses can be anywhere
    body = draw(arrays(np.float64, (N_LANDMARKS, 3), elements=st.floats(-1, 1)))

    hip_width, shoulder_width, trunk = f(0.2, 0.35), f(0.3, 0.45), f(0.4, 0.6)
    lean, side_lean, twist = np.radians(f(-20, 60)), np.radians(f(-20, 20)), f(-30, 30)
    up = np.array([np.sin(side_lean), np.cos(lean) * np.cos(side_lean), np.sin(lean) * np.cos(side_lean)])
    across = unit(np.array([1.0, 0.0, 0.0]) - up[0] * up)
    across = bend(across, twist, 90.0)  # a turn of the shoulder line, keeping it roughly across
    across = unit(across - np.dot(across, up) * up)

    body[idx("left_hip")] = [-hip_width / 2, 0.0, 0.0]
    body[idx("right_hip")] = [hip_width / 2, 0.0, 0.0]
    mid_shoulder = trunk * up
    body[idx("left_shoulder")] = mid_shoulder - across * shoulder_width / 2
    body[idx("right_shoulder")] = mid_shoulder + across * shoulder_width / 2

    for side in ("left", "right"):
        shoulder = body[idx(f"{side}_shoulder")]
        upper_arm = direction(f(0, 180), f(0, 360))
        elbow = shoulder + f(0.25, 0.35) * upper_arm
        forearm = bend(upper_arm, f(0, 160), f(0, 360))
        wrist = elbow + f(0.2, 0.3) * forearm
        hand = bend(forearm, f(0, 90), f(0, 360))
        across_hand = bend(hand, 90.0, f(0, 360))
        hand_length, half_width = f(0.06, 0.1), f(0.01, 0.03)
        body[idx(f"{side}_elbow")] = elbow
        body[idx(f"{side}_wrist")] = wrist
        body[idx(f"{side}_pinky")] = wrist + hand_length * hand + half_width * across_hand
        body[idx(f"{side}_index")] = wrist + hand_length * hand - half_width * across_hand

        hip = body[idx(f"{side}_hip")]
        thigh = direction(f(0, 120), f(0, 360))
        knee = hip + f(0.35, 0.5) * thigh
        shin = bend(thigh, f(0, 150), f(0, 360))
        body[idx(f"{side}_knee")] = knee
        body[idx(f"{side}_ankle")] = knee + f(0.35, 0.5) * shin
    return body


@st.composite
def bodies(draw) -> np.ndarray:
    """A plausible body, rotated, scaled (0.5-2) and translated anywhere within 3 units."""
    body = draw(local_bodies())
    rotation, scale, shift = draw(rotations()), draw(st.floats(0.5, 2.0)), draw(translations)
    return scale * body @ rotation.T + shift


@st.composite
def sequences(draw, min_frames: int = 2, max_frames: int = 5) -> np.ndarray:
    """(T, 33, 3): independent plausible bodies, in one random placement."""
    frames = draw(st.lists(local_bodies(), min_size=min_frames, max_size=max_frames))
    rotation, shift = draw(rotations()), draw(translations)
    return np.stack(frames) @ rotation.T + shift


def example_body() -> np.ndarray:
    """A fixed, asymmetric, slightly bent body (same construction as the strategy)."""
    rng = np.random.default_rng(7)
    body = rng.uniform(-1, 1, (N_LANDMARKS, 3))
    positions = {
        "left_shoulder": [-0.2, 0.5, 0.02], "right_shoulder": [0.2, 0.5, -0.01],
        "left_hip": [-0.13, 0.0, 0.0], "right_hip": [0.13, 0.0, 0.0],
        "left_elbow": [-0.3, 0.25, 0.1], "right_elbow": [0.35, 0.3, 0.05],
        "left_wrist": [-0.25, 0.05, 0.3], "right_wrist": [0.5, 0.45, 0.15],
        "left_pinky": [-0.24, 0.0, 0.38], "left_index": [-0.2, 0.0, 0.35],
        "right_pinky": [0.55, 0.5, 0.2], "right_index": [0.57, 0.47, 0.16],
        "left_knee": [-0.18, -0.42, 0.15], "right_knee": [0.2, -0.45, 0.05],
        "left_ankle": [-0.2, -0.85, 0.0], "right_ankle": [0.28, -0.88, -0.1],
    }
    for name, xyz in positions.items():
        body[idx(name)] = xyz
    return body


# --------------------------------------------------------------------------- 1. ranges


@settings(max_examples=60, deadline=None)
@given(body=bodies())
def test_unsigned_angles_lie_in_0_to_180_degrees(body):
    angles = compute_angles(body, "unsigned")
    assert np.isfinite(angles).all()
    assert ((angles >= 0.0) & (angles <= 180.0)).all()


@settings(max_examples=60, deadline=None)
@given(body=bodies(), kind=st.sampled_from(PLANE_KINDS + ("all",)))
def test_plane_angles_lie_in_0_to_360_degrees_excluding_360(body, kind):
    angles = compute_angles(body, kind)
    assert np.isfinite(angles).all()
    assert ((angles >= 0.0) & (angles < 360.0)).all()


@settings(max_examples=30, deadline=None)
@given(sequence=sequences())
def test_max_energy_angles_lie_in_0_to_360_degrees_excluding_360(sequence):
    angles = compute_angles(sequence, "max-energy")
    assert np.isfinite(angles).all()
    assert ((angles >= 0.0) & (angles < 360.0)).all()


@pytest.mark.parametrize("kind", PLANE_KINDS)
def test_a_straight_limb_nudged_by_one_ulp_never_gives_360_degrees(kind):
    """A straight joint nudged by rounding-sized amounts has tiny negative angles, which
    ``% 360`` rounds up to exactly 360.0: they must come out as (about) 0 instead."""
    rng = np.random.default_rng(0)
    bodies_ = np.array([example_body() @ quaternion_matrix(rng.normal(size=4)).T for _ in range(500)])
    shoulder, elbow = bodies_[:, idx("left_shoulder")], bodies_[:, idx("left_elbow")]
    wrist = 2 * elbow - shoulder  # straight on, so the elbow angle is 180 ...
    wrist = np.nextafter(wrist, wrist + rng.choice([-1.0, 1.0], size=wrist.shape))  # ... give or take
    bodies_[:, idx("left_wrist")] = 2 * elbow - wrist  # fold back: the elbow angle is about 0
    elbow_angle = compute_angles(bodies_, kind, names=["left elbow"])[:, 0]
    assert (elbow_angle < 360.0).all()
    assert circular_difference(elbow_angle, 0.0).max() < 1e-6


# --------------------------------------------------------------------------- 2. unsigned invariance


@settings(max_examples=60, deadline=None)
@given(body=bodies(), rotation=rotations(), shift=translations, scale=st.floats(0.2, 5.0))
def test_unsigned_angles_are_invariant_under_similarity_up_to_the_paper_epsilon(body, rotation, shift, scale):
    """Rotating, translating and uniformly scaling a body keeps its unsigned angles.

    Compared as cosines. The kernel returns ``cos * P / (P + 1e-6)`` (``P`` the product
    of the two segment lengths), so scaling may move a cosine by at most
    ``1e-6 |P1 - P2| / ((P1 + 1e-6)(P2 + 1e-6))``; segment angles use unit vectors
    (``P = 1`` on both sides) and are exact. Exception: the valgus indicators,
    which depend on the origin (see the module docstring).
    """
    moved = scale * body @ rotation.T + shift
    before, after = compute_angles(body, "unsigned"), compute_angles(moved, "unsigned")
    p1, p2 = length_products(body), length_products(moved)
    allowed = UNSIGNED_EPS * np.abs(p1 - p2) / ((p1 + UNSIGNED_EPS) * (p2 + UNSIGNED_EPS)) + 1e-9
    keep = well_conditioned(body, "unsigned") & ~np.isin(ANGLE_NAMES, VALGUS)
    error = np.abs(np.cos(np.radians(before)) - np.cos(np.radians(after)))
    assert (error[keep] <= allowed[keep]).all(), dict(zip(np.array(ANGLE_NAMES)[keep], error[keep]))


@settings(max_examples=40, deadline=None)
@given(body=bodies(), rotation=rotations(), shift=translations)
def test_unsigned_angles_are_invariant_under_rigid_motion_to_1e_6_degrees(body, rotation, shift):
    """Without scaling the epsilon cancels: angles agree to 1e-6 degrees away from 0 and 180."""
    moved = body @ rotation.T + shift
    before, after = compute_angles(body, "unsigned"), compute_angles(moved, "unsigned")
    keep = (well_conditioned(body, "unsigned") & ~np.isin(ANGLE_NAMES, VALGUS)
            & (before > 0.1) & (before < 179.9))  # arccos is ill-conditioned at 0 and 180
    np.testing.assert_allclose(after[keep], before[keep], rtol=0, atol=1e-6)


def test_unsigned_angles_of_a_tiny_body_drift_towards_90_degrees():
    """The documented cost of the paper's 1e-6: shrink a body to 1e-4 units and a bent joint opens."""
    body = example_body()
    normal = compute_angles(body, names=["left knee"])[0]
    tiny = compute_angles(body * 1e-4, names=["left knee"])[0]
    assert abs(tiny - normal) > 1.0
    assert abs(tiny - 90.0) < abs(normal - 90.0)


@settings(max_examples=40, deadline=None)
@given(body=bodies(), rotation=rotations(), scale=st.floats(0.2, 5.0), kind=st.sampled_from(("unsigned",) + PLANE_KINDS))
def test_valgus_indicators_are_invariant_under_rotation_and_scaling_about_the_origin(body, rotation, scale, kind):
    """The valgus indicator projects unit position vectors from the origin: a linear
    similarity (rotation about the origin, positive scaling) maps them consistently."""
    moved = scale * body @ rotation.T
    before = compute_angles(body, kind, names=list(VALGUS))
    after = compute_angles(moved, kind, names=list(VALGUS))
    keep = well_conditioned(body, kind)[[ANGLE_NAMES.index(n) for n in VALGUS]]
    if kind == "unsigned":
        error = np.abs(np.cos(np.radians(before)) - np.cos(np.radians(after)))
        assert (error[keep] < 1e-9).all()
    else:
        assert (circular_difference(before, after)[keep] < 1e-6).all()


@pytest.mark.parametrize("kind", ("unsigned",) + PLANE_KINDS)
def test_valgus_indicators_change_when_the_body_is_translated(kind):
    """The documented exception: the paper measures hip, knee and ankle from the origin."""
    body = example_body()
    shifted = body + np.array([0.7, -0.4, 2.0])
    before = compute_angles(body, kind, names=list(VALGUS))
    after = compute_angles(shifted, kind, names=list(VALGUS))
    assert (circular_difference(before, after) > 1.0).all()
    others = [n for n in ANGLE_NAMES if n not in VALGUS]  # everything else does not move
    assert circular_difference(compute_angles(body, kind, names=others),
                               compute_angles(shifted, kind, names=others)).max() < 1e-6


def test_valgus_indicators_change_when_the_body_is_rotated_about_its_own_centre():
    body = example_body() + np.array([0.0, 1.0, 3.0])  # a body standing away from the origin
    centre = body[[idx("left_hip"), idx("right_hip")]].mean(axis=0)
    rotated = (body - centre) @ quaternion_matrix([0.9, 0.1, 0.4, -0.2]).T + centre
    before = compute_angles(body, names=list(VALGUS))
    after = compute_angles(rotated, names=list(VALGUS))
    assert (np.abs(before - after) > 1.0).all()


# --------------------------------------------------------------------------- 3. plane invariance


@settings(max_examples=60, deadline=None)
@given(body=bodies(), rotation=rotations(), shift=translations, scale=st.floats(0.2, 5.0),
       kind=st.sampled_from(PLANE_KINDS + ("all",)))
def test_plane_angles_are_invariant_under_similarity(body, rotation, shift, scale, kind):
    """Plane angles live in the torso frame, which moves with the body; signed angles
    normalise their vectors, so even scaling is exact. Compared circularly, to 1e-6
    degrees; valgus indicators and ill-conditioned projections excluded."""
    moved = scale * body @ rotation.T + shift
    before, after = compute_angles(body, kind), compute_angles(moved, kind)
    keep = well_conditioned(body, kind) & np.array([d.measure != "valgus" for _, d, _ in columns(kind)])
    error = circular_difference(before, after)
    assert (error[keep] < 1e-6).all(), dict(zip(np.array(angle_names(kind))[keep], error[keep]))


# --------------------------------------------------------------------------- 4. mirror symmetry


def test_the_mirror_of_a_body_is_again_a_body():
    # every landmark maps to its twin (mouth_left <-> mouth_right, nose to itself)
    assert [LANDMARK_NAMES[j] for j in mirror_permutation()] == [twin(n) for n in LANDMARK_NAMES]
    assert sorted(mirror_permutation()) == list(range(N_LANDMARKS))
    assert {twin(n) for n in ANGLE_NAMES} == set(ANGLE_NAMES)


@settings(max_examples=60, deadline=None)
@given(body=bodies())
def test_unsigned_angles_of_the_mirrored_body_swap_left_and_right(body):
    """A reflection preserves lengths and angles, so each left angle of the mirror
    image is the original's right angle (torso flexion is unchanged).

    This holds for the valgus indicators too: reflecting about x = 0 keeps the
    origin on the mirror plane, so position vectors from the origin are reflected
    along with everything else.
    """
    mirrored = compute_angles(mirror(body), "unsigned")
    original = compute_angles(body, "unsigned")
    expected = original[[ANGLE_NAMES.index(twin(n)) for n in ANGLE_NAMES]]
    np.testing.assert_allclose(mirrored, expected, rtol=0, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(body=bodies(), kind=st.sampled_from(PLANE_KINDS + ("all",)))
def test_plane_angles_of_the_mirrored_body_swap_sides_and_flip_sign_outside_the_sagittal_plane(body, kind):
    """With M = diag(-1, 1, 1), the mirror image's torso frame is
    (horizontal', upward', forward') = (-M h, M u, M f): its left-to-right axis
    still runs left to right. Every measured vector becomes M v, and
    (M a) x (M b) = det(M) M (a x b) = -M (a x b), so the signed angle's sine
    about a normal n' becomes  -(a x b) . M^T n':
      * sagittal plane (n' = -M h): sine unchanged, so left' == right;
      * coronal (n' = M f) and transverse (n' = M u): sine negated, so
        left' == (360 - right) % 360.
    The plane that matters is the one the column is measured in: a multi-plane
    angle uses the kind's plane, every other angle its own (ankle dorsiflexion
    and shoulder extension stay sagittal, frontal abduction, scapular rotation and
    valgus stay coronal, horizontal adduction stays transverse; torso flexion is
    sagittal and unchanged).
    """
    mirrored, original = compute_angles(mirror(body), kind), compute_angles(body, kind)
    index = column_index(kind)
    for name, d, plane in columns(kind):
        twin_value = original[index[twin(name)]]
        expected = twin_value if plane == "sagittal" else (360.0 - twin_value) % 360.0
        assert circular_difference(mirrored[index[name]], expected) < 1e-9, (name, plane)


# --------------------------------------------------------------------------- 5. NaN propagation


def missing(body: np.ndarray, landmark: str) -> np.ndarray:
    damaged = body.copy()
    damaged[..., idx(landmark), :] = np.nan
    return damaged


def column_landmarks(d, kind: str, plane: str | None) -> frozenset[str]:
    """The landmarks one column needs: ``d.landmarks`` for the plane that column is measured in
    (for "all", "left elbow (sagittal)" needs what "left elbow" needs in the sagittal kind)."""
    return d.landmarks("unsigned" if kind == "unsigned" else plane)


def uses(landmark: str, kind: str) -> np.ndarray:
    """Mask of the columns of ``kind`` that need ``landmark``."""
    return np.array([landmark in column_landmarks(d, kind, plane) for _, d, plane in columns(kind)])


@settings(max_examples=25, deadline=None)
@given(body=bodies(), kind=st.sampled_from(PER_FRAME_KINDS))
def test_a_missing_landmark_leaves_every_angle_that_does_not_use_it_unchanged(body, kind):
    """For each of the 33 landmarks: the angles whose ``landmarks(kind)`` do not name it
    stay finite and bit-for-bit unchanged (no NaN leaks into other angles)."""
    complete = compute_angles(body, kind)
    assert np.isfinite(complete).all()
    for landmark in LANDMARK_NAMES:
        angles = compute_angles(missing(body, landmark), kind)
        unused = ~uses(landmark, kind)
        assert np.array_equal(angles[unused], complete[unused]), landmark


@settings(max_examples=25, deadline=None)
@given(body=bodies(), kind=st.sampled_from(PER_FRAME_KINDS))
def test_a_missing_landmark_makes_nan_exactly_the_angles_that_use_it(body, kind):
    """For each of the 33 landmarks: NaN exactly where the column's ``landmarks`` name it.
    In particular a sagittal angle survives a missing hip (the sagittal normal is the
    shoulder line alone), while coronal and transverse ones do not."""
    for landmark in LANDMARK_NAMES:
        angles = compute_angles(missing(body, landmark), kind)
        assert np.array_equal(np.isnan(angles), uses(landmark, kind)), landmark


@pytest.mark.parametrize("kind", ["sagittal", "all"])
def test_a_missing_hip_leaves_sagittal_joint_angles_finite(kind):
    """The example that matters in practice (a hip out of frame), stated explicitly."""
    angles = compute_angles(missing(example_body(), "left_hip"), kind)
    column = column_index(kind)["left elbow" if kind == "sagittal" else "left elbow (sagittal)"]
    assert np.isfinite(angles[column])
    assert "left_hip" not in angle_definition("left elbow").landmarks("sagittal")
    assert "left_hip" in angle_definition("left elbow").landmarks("coronal")


@pytest.mark.parametrize("coordinate", [0, 1, 2])
def test_one_nan_coordinate_is_enough_to_mark_a_landmark_missing(coordinate):
    body = example_body()
    body[idx("left_knee"), coordinate] = np.nan
    angles = compute_angles(body, names=["left knee", "left hip", "right knee", "left elbow"])
    assert np.isnan(angles[:2]).all() and np.isfinite(angles[2:]).all()


@settings(max_examples=25, deadline=None)
@given(sequence=sequences(min_frames=3), data=st.data())
def test_max_energy_a_missing_frame_is_nan_and_the_others_use_the_remaining_frames(sequence, data):
    """An all-NaN frame gives NaN there; every other frame is finite and equals
    max-energy computed on the sequence without that frame (nanstd ignores it)."""
    t = data.draw(st.integers(0, len(sequence) - 1))
    damaged = sequence.copy()
    damaged[t] = np.nan
    angles = compute_angles(damaged, "max-energy")
    assert np.isnan(angles[t]).all()
    rest = np.delete(angles, t, axis=0)
    assert np.isfinite(rest).all()
    np.testing.assert_allclose(rest, compute_angles(np.delete(sequence, t, axis=0), "max-energy"),
                               rtol=0, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(sequence=sequences(min_frames=3), data=st.data())
def test_max_energy_a_missing_landmark_in_one_frame_touches_only_that_frame(sequence, data):
    """Only that frame's angles can become NaN. The plane is chosen per sequence, so an angle
    is NaN there if every plane needs the landmark, finite if no plane needs it, and
    either otherwise (a hip: the sagittal plane does not need it, the others do)."""
    t = data.draw(st.integers(0, len(sequence) - 1))
    landmark = data.draw(st.sampled_from(LANDMARK_NAMES))
    damaged = sequence.copy()
    damaged[t, idx(landmark)] = np.nan
    angles = compute_angles(damaged, "max-energy")
    planes = [PLANES if d.multi_plane else (d.plane,) for d in ANGLE_DEFINITIONS]
    needed_by_all = np.array([all(landmark in d.landmarks(p) for p in ps) for d, ps in zip(ANGLE_DEFINITIONS, planes)])
    needed_by_any = np.array([any(landmark in d.landmarks(p) for p in ps) for d, ps in zip(ANGLE_DEFINITIONS, planes)])
    assert np.isnan(angles[t, needed_by_all]).all()
    assert np.isfinite(angles[t, ~needed_by_any]).all()
    assert np.isfinite(np.delete(angles, t, axis=0)).all()


@settings(max_examples=30, deadline=None)
@given(sequence=sequences())
def test_max_energy_picks_per_angle_the_plane_with_the_largest_standard_deviation(sequence):
    """The chosen plane is fixed over the sequence and maximises the (raw, non-circular)
    standard deviation over time; the first plane wins ties (one-plane angles)."""
    per_plane = np.stack([compute_angles(sequence, p) for p in PLANES], axis=-1)  # (T, 23, 3)
    best = np.argmax(per_plane.std(axis=0), axis=-1)
    expected = np.take_along_axis(per_plane, best[None, :, None], axis=-1)[..., 0]
    np.testing.assert_allclose(compute_angles(sequence, "max-energy"), expected, rtol=0, atol=1e-12)


# --------------------------------------------------------------------------- 6. shapes and batches


@pytest.mark.parametrize("kind", PER_FRAME_KINDS)
@pytest.mark.parametrize("leading", [(), (4,), (2, 3)])
def test_output_shape_replaces_the_landmark_axes_by_the_angle_axis(kind, leading):
    landmarks = np.broadcast_to(example_body(), leading + (N_LANDMARKS, 3))
    assert compute_angles(landmarks, kind).shape == leading + (len(angle_names(kind)),)


def test_column_counts_and_names():
    assert len(ANGLE_NAMES) == 23 and list(ANGLE_NAMES) == sorted(ANGLE_NAMES)
    assert len(MULTI_PLANE_ANGLES) == 10
    assert len(angle_names("all")) == 43
    assert [name for name, _, _ in columns("all")] == list(angle_names("all"))
    for kind in ANGLE_KINDS:
        if kind != "all":
            assert angle_names(kind) == ANGLE_NAMES


@settings(max_examples=20, deadline=None)
@given(batch=st.lists(sequences(min_frames=3, max_frames=3), min_size=1, max_size=3),
       kind=st.sampled_from(ANGLE_KINDS))
def test_a_batch_is_computed_exactly_as_its_elements_one_by_one(batch, kind):
    batch = np.stack(batch)  # (B, T, 33, 3)
    together = compute_angles(batch, kind)
    for b, sequence in enumerate(batch):
        assert np.array_equal(together[b], compute_angles(sequence, kind))
        if kind != "max-energy":  # max-energy is per sequence, not per frame
            for t, frame in enumerate(sequence):
                assert np.array_equal(together[b, t], compute_angles(frame, kind))


@pytest.mark.parametrize("kind", ANGLE_KINDS)
def test_a_long_batch_is_computed_exactly_as_its_parts(kind):
    """Thousands of frames (more than one internal block) give the same values as the parts."""
    rng = np.random.default_rng(3)
    frames = example_body() + rng.normal(0.0, 0.05, (5000, N_LANDMARKS, 3))
    frames[1234, idx("left_knee")] = np.nan  # a gap, so that max-energy takes its NaN path too
    sequences_ = frames.reshape(2, 2500, N_LANDMARKS, 3)
    together = compute_angles(sequences_, kind)
    for b in range(2):
        assert np.array_equal(together[b], compute_angles(sequences_[b], kind), equal_nan=True)
        if kind != "max-energy":
            for part in (slice(0, 7), slice(2040, 2060), slice(2490, 2500)):
                assert np.array_equal(together[b, part], compute_angles(sequences_[b, part], kind),
                                      equal_nan=True)


@settings(max_examples=30, deadline=None)
@given(body=bodies(), data=st.data())
def test_names_select_and_order_columns(body, data):
    kind = data.draw(st.sampled_from(PER_FRAME_KINDS))
    available = angle_names(kind)
    names = data.draw(st.lists(st.sampled_from(available), min_size=1, max_size=8))
    full = compute_angles(body, kind)
    chosen = compute_angles(body, kind, names=names)
    assert np.array_equal(chosen, full[[available.index(n) for n in names]])


def test_a_single_name_may_be_given_as_a_string():
    body = example_body()
    assert np.array_equal(compute_angles(body, names="left knee"), compute_angles(body, names=["left knee"]))


@pytest.mark.parametrize("kind", ["unsigned", "sagittal", "all"])
def test_an_unknown_column_name_is_an_error(kind):
    with pytest.raises(ValueError, match="angle_names"):
        compute_angles(example_body(), kind, names=["left elbow", "left elbw"])


def test_plane_columns_of_all_are_the_plane_kinds():
    body = example_body()
    all_ = compute_angles(body, "all")
    for i, (name, d, plane) in enumerate(columns("all")):
        assert all_[i] == compute_angles(body, plane if d.multi_plane else "sagittal", names=[d.name])[0]


def test_max_energy_needs_a_time_axis():
    with pytest.raises(ValueError, match="time axis"):
        compute_angles(example_body(), "max-energy")


# --------------------------------------------------------------------------- 7. degenerate geometry


def zero_forearm() -> np.ndarray:
    body = example_body()
    body[idx("left_wrist")] = body[idx("left_elbow")]
    return body


@settings(max_examples=40, deadline=None)
@given(body=bodies())
def test_a_zero_length_forearm_gives_90_degrees_unsigned(body):
    body[idx("left_wrist")] = body[idx("left_elbow")]
    angles = compute_angles(body, "unsigned", names=["left elbow", "left wrist"])
    assert (angles == 90.0).all()


@settings(max_examples=40, deadline=None)
@given(body=bodies(), kind=st.sampled_from(PLANE_KINDS + ("all",)))
def test_a_zero_length_forearm_gives_0_degrees_signed(body, kind):
    """Exactly 0, never 180: the zero vector's products can carry a negative zero sign,
    and atan2(-0.0, -0.0) is 180 degrees."""
    body[idx("left_wrist")] = body[idx("left_elbow")]
    names = [n for n in angle_names(kind) if n.startswith(("left elbow", "left wrist"))]
    assert (compute_angles(body, kind, names=names) == 0.0).all()


def test_a_zero_length_forearm_gives_0_degrees_in_max_energy():
    sequence = np.stack([zero_forearm()] * 3)
    assert (compute_angles(sequence, "max-energy", names=["left elbow", "left wrist"]) == 0.0).all()


@pytest.mark.parametrize("kind", PER_FRAME_KINDS)
def test_with_degenerate_nan_a_zero_length_forearm_gives_nan_and_nothing_else_changes(kind):
    body = zero_forearm()
    paper, nan = compute_angles(body, kind), compute_angles(body, kind, degenerate="nan")
    forearm = np.array([n.startswith(("left elbow", "left wrist")) for n in angle_names(kind)])
    assert np.isnan(nan[forearm]).all()
    assert np.array_equal(nan[~forearm], paper[~forearm])


def collapsed_torso() -> np.ndarray:
    body = example_body()
    body[idx("right_shoulder")] = body[idx("left_shoulder")]
    return np.stack([body, body])  # two frames, so that max-energy works too


@pytest.mark.parametrize("kind", ANGLE_KINDS)
def test_a_collapsed_torso_gives_finite_values_with_degenerate_paper(kind):
    angles = compute_angles(collapsed_torso(), kind)
    assert np.isfinite(angles).all()
    upper = 180.0 if kind == "unsigned" else 360.0
    assert ((angles >= 0) & (angles <= upper)).all()


@pytest.mark.parametrize("kind", ANGLE_KINDS)
def test_with_degenerate_nan_a_collapsed_torso_gives_nan_for_frame_dependent_angles(kind):
    """Frame-dependent: every signed angle, and the unsigned segment and valgus angles.
    Unsigned joint angles (torso flexion and the scapular angles included, although they
    use torso landmarks) do not need the frame and stay finite."""
    angles = compute_angles(collapsed_torso(), kind, degenerate="nan")
    uses_frame = np.array([kind != "unsigned" or d.measure != "joint" for _, d, _ in columns(kind)])
    assert np.isnan(angles[:, uses_frame]).all()
    assert np.isfinite(angles[:, ~uses_frame]).all()


def test_degenerate_geometry_emits_no_warnings():
    # the module-level filter already turns warnings into errors; this says so explicitly
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for degenerate in ("paper", "nan"):
            for body in (zero_forearm()[None], collapsed_torso(), np.zeros((2, N_LANDMARKS, 3)),
                         np.full((2, N_LANDMARKS, 3), np.nan)):
                for kind in ANGLE_KINDS:
                    compute_angles(body, kind, degenerate=degenerate)


def test_an_unknown_degenerate_policy_is_an_error():
    with pytest.raises(ValueError, match="degenerate"):
        compute_angles(example_body(), degenerate="zero")


# --------------------------------------------------------------------------- 8. bad input


@pytest.mark.parametrize(("shape", "fix"), [
    ((17, 2), "from_coco17"),
    ((5, 17, 2), "from_coco17"),
    ((33, 2), "append z = 0"),
    ((4, 33, 2), "append z = 0"),
    ((33, 4), "landmarks\\[..., :3\\]"),
    ((2, 3, 33, 4), "visibility"),
])
def test_a_wrong_shape_is_an_error_that_says_how_to_fix_it(shape, fix):
    with pytest.raises(ValueError, match=fix):
        compute_angles(np.zeros(shape))


@pytest.mark.parametrize("shape", [(33,), (3, 33), (33, 5), (32, 3)])
def test_other_wrong_shapes_are_errors_naming_the_expected_shape(shape):
    with pytest.raises(ValueError, match=r"\(\.\.\., 33, 3\)"):
        compute_angles(np.zeros(shape))


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinite_coordinates_are_an_error(value):
    body = example_body()
    body[idx("nose"), 1] = value  # even in a landmark no angle uses
    with pytest.raises(ValueError, match="NaN"):
        compute_angles(body)


def test_an_unknown_kind_is_an_error_listing_the_kinds():
    with pytest.raises(ValueError, match="max-energy"):
        compute_angles(example_body(), "frontal")


def test_the_references_signed_kind_is_refused_as_degenerate():
    with pytest.raises(ValueError, match="degenerate"):
        compute_angles(example_body(), "signed")
    with pytest.raises(ValueError, match="degenerate"):
        angle_definition("left elbow").landmarks("signed")
