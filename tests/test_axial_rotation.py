"""``sitrex.axial_rotation``: the shoulder's and the trunk's turns about their own long axis.

Checked against an independent construction (scipy's rotations for the
reference carried along the arm), on poses built from known angles, and for
the invariances every compared angle has (rotation, reflection, units,
origin).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.transform import Rotation

from sitrex.axial_rotation import (AXIAL_ROTATION_LANDMARKS, AXIAL_ROTATION_NAMES, MAX_ARM_ELEVATION,
                                   MIN_ELBOW_FLEXION, axial_rotations, shoulder_rotation, trunk_rotation)
from sitrex.exceptions import InputError
from sitrex.landmarks import landmark_index
from sitrex.measurement import COMPARISON_ANGLE_NAMES, comparison_angle_names, comparison_angles

pytestmark = [pytest.mark.filterwarnings("error::RuntimeWarning")]

SIDES = ("left", "right")
# x to the person's right, y up, z forwards: the torso frame of sitrex._geometry.torso_frame
TORSO = {"left_shoulder": (-0.2, 0.5, 0.0), "right_shoulder": (0.2, 0.5, 0.0),
         "left_hip": (-0.1, 0.0, 0.0), "right_hip": (0.1, 0.0, 0.0)}


def unit(v):
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v)


def polar(elevation: float, azimuth: float) -> np.ndarray:
    """A direction `elevation` degrees from straight down, turned `azimuth` degrees about y."""
    e, a = np.radians(elevation), np.radians(azimuth)
    return np.array([np.sin(e) * np.cos(a), -np.cos(e), np.sin(e) * np.sin(a)])


def arm_pose(side: str, arm: np.ndarray, forearm: np.ndarray) -> np.ndarray:
    """One frame: the torso of TORSO, the `side` arm along the two directions, the rest far away."""
    pose = np.random.default_rng(0).uniform(-1, 1, (33, 3))
    for name, xyz in TORSO.items():
        pose[landmark_index(name)] = xyz
    shoulder = pose[landmark_index(f"{side}_shoulder")]
    elbow = shoulder + 0.3 * unit(arm)
    pose[landmark_index(f"{side}_elbow")] = elbow
    pose[landmark_index(f"{side}_wrist")] = elbow + 0.25 * unit(forearm)
    return pose


def bent(arm: np.ndarray, flexion: float, twist: float) -> np.ndarray:
    """A forearm `flexion` degrees off the upper arm's line, turned `twist` degrees about it."""
    helper = np.array([1.0, 0.0, 0.0]) if abs(arm[0]) < 0.9 else np.array([0.0, 0.0, 1.0])
    across = unit(np.cross(arm, helper))
    across = Rotation.from_rotvec(np.radians(twist) * unit(arm)).apply(across)
    f = np.radians(flexion)
    return np.cos(f) * unit(arm) + np.sin(f) * across


def expected_rotation(side: str, arm: np.ndarray, forearm: np.ndarray) -> float:
    """Independently: scipy's smallest rotation from down onto the arm, applied to the outward axis."""
    down, arm = np.array([0.0, -1.0, 0.0]), unit(arm)
    axis = np.cross(down, arm)
    swing = (Rotation.from_rotvec(unit(axis) * np.arccos(np.clip(down @ arm, -1, 1)))
             if np.linalg.norm(axis) > 1e-12 else Rotation.identity())
    reference = swing.apply([1.0 if side == "right" else -1.0, 0.0, 0.0])
    across = forearm - (forearm @ arm) * arm
    return float(np.degrees(np.arccos(np.clip(unit(across) @ unit(reference), -1, 1))))


@st.composite
def placements(draw):
    """A proper rotation, a scale and a shift of the whole scene."""
    q = draw(st.tuples(*[st.floats(-1, 1)] * 4).filter(lambda q: np.linalg.norm(q) > 0.1))
    rotation = Rotation.from_quat(q).as_matrix()
    scale = draw(st.floats(1e-3, 1e3))
    shift = np.array(draw(st.tuples(*[st.floats(-100, 100)] * 3)))
    return rotation, scale, shift


arms = st.builds(polar, st.floats(0, 150), st.floats(-180, 180))


@settings(max_examples=80, deadline=None)
@given(side=st.sampled_from(SIDES), arm=arms, flexion=st.floats(65, 170), twist=st.floats(-180, 180))
def test_shoulder_rotation_matches_an_independent_construction(side, arm, flexion, twist):
    forearm = bent(arm, flexion, twist)
    got = shoulder_rotation(arm_pose(side, arm, forearm), side)
    assert got.shape == (1,)
    np.testing.assert_allclose(got[0], expected_rotation(side, arm, forearm), atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(side=st.sampled_from(SIDES), arm=arms, flexion=st.floats(65, 170), twist=st.floats(-180, 180),
       placement=placements(), reflect=st.booleans())
def test_both_rotations_ignore_units_origin_orientation_and_handedness(side, arm, flexion, twist,
                                                                        placement, reflect):
    pose = arm_pose(side, arm, bent(arm, flexion, twist))
    rotation, scale, shift = placement
    if reflect:                       # a mirrored scene, the labels kept: other axes' handedness
        rotation = rotation @ np.diag([1.0, 1.0, -1.0])
    moved = scale * pose @ rotation.T + shift
    np.testing.assert_allclose(axial_rotations(moved[None]), axial_rotations(pose[None]), atol=1e-6)


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("turn", [-80.0, -30.0, 0.0, 45.0, 90.0])
def test_an_external_rotation_of_an_arm_by_the_side(side, turn):
    """Upper arm down, elbow at 90 degrees: 90 with the forearm forwards, less as it turns outwards."""
    outward = 1.0 if side == "right" else -1.0
    t = np.radians(turn)
    forearm = np.array([outward * np.sin(t), 0.0, np.cos(t)])      # `turn` degrees outwards
    got = shoulder_rotation(arm_pose(side, np.array([0.0, -1.0, 0.0]), forearm), side)[0]
    assert got == pytest.approx(90.0 - turn, abs=1e-9)


def test_the_reference_follows_a_raised_arm():
    """Arm raised sideways to the horizontal, forearm up (90/90 position) or forwards: 0 and 90 apart."""
    side_arm = np.array([1.0, 0.0, 0.0])
    up = shoulder_rotation(arm_pose("right", side_arm, np.array([0.0, 1.0, 0.0])), "right")[0]
    forwards = shoulder_rotation(arm_pose("right", side_arm, np.array([0.0, 0.0, 1.0])), "right")[0]
    assert up == pytest.approx(0.0, abs=1e-9) and forwards == pytest.approx(90.0, abs=1e-9)


def test_undefined_where_the_forearm_has_no_direction_about_the_arm():
    down = np.array([0.0, -1.0, 0.0])
    straight = arm_pose("left", down, bent(down, MIN_ELBOW_FLEXION - 1, 0.0))
    overhead = polar(180.0 - MAX_ARM_ELEVATION + 1, 0.0)
    raised = arm_pose("left", overhead, bent(overhead, 90, 0.0))
    missing = arm_pose("left", down, bent(down, 90, 0.0))
    missing[landmark_index("left_wrist")] = np.nan
    got = shoulder_rotation(np.stack([straight, raised, missing]), "left")
    assert np.isnan(got).all()
    fine = arm_pose("left", down, bent(down, MIN_ELBOW_FLEXION + 1, 0.0))
    assert np.isfinite(shoulder_rotation(fine, "left")).all()


@settings(max_examples=60, deadline=None)
@given(turn=st.floats(-175, 175), lean=st.floats(-40, 40), placement=placements())
def test_trunk_rotation_is_the_shoulders_turn_over_the_hips(turn, lean, placement):
    pose = np.zeros((33, 3))
    for name, xyz in TORSO.items():
        pose[landmark_index(name)] = xyz
    shoulders = [landmark_index("left_shoulder"), landmark_index("right_shoulder")]
    centre = pose[shoulders].mean(axis=0)
    pose[shoulders] = centre + Rotation.from_euler("y", turn, degrees=True).apply(pose[shoulders] - centre)
    pose = Rotation.from_euler("x", lean, degrees=True).apply(pose)           # a leaning trunk
    rotation, scale, shift = placement
    got = trunk_rotation(scale * pose @ rotation.T + shift)
    assert got[0] == pytest.approx(abs(turn), abs=1e-6)


def test_trunk_rotation_needs_the_shoulders_and_hips():
    pose = np.zeros((2, 33, 3))
    for name, xyz in TORSO.items():
        pose[:, landmark_index(name)] = xyz
    pose[1, landmark_index("right_hip")] = np.nan
    got = trunk_rotation(pose)
    assert got[0] == pytest.approx(0.0, abs=1e-9) and np.isnan(got[1])
    assert AXIAL_ROTATION_LANDMARKS["trunk rotation"] == frozenset(TORSO)


def test_known_rotations_of_the_synthetic_body():
    """The synthetic generator's shoulder_rot degree of freedom is what shoulder_rotation reads."""
    from sitrex.datasets import _body

    n = 5
    turn = np.linspace(0.0, 80.0, n)
    dof = {k: np.zeros(n) for k in ("body_pitch", "trunk_lean", "head_pitch")}
    for k in ("hip_flex", "hip_abd", "knee_flex", "ankle_dorsi", "shoulder_flex", "shoulder_abd",
              "wrist_flex", "shoulder_rot"):
        dof[k] = np.zeros((2, n))
    dof["elbow_flex"] = np.full((2, n), 90.0)
    dof["shoulder_rot"][1] = turn
    body = _body.draw_body(np.random.default_rng(0), spread=0.0)
    got = axial_rotations(_body.pose(body, dof))
    np.testing.assert_allclose(np.abs(got[:, 1] - got[0, 1]), turn, atol=1e-6)   # the right arm turns
    np.testing.assert_allclose(got[:, 0], got[0, 0], atol=1e-9)                  # the left one does not
    np.testing.assert_allclose(got[:, 2], 0.0, atol=1e-6)


def test_comparison_angles_carry_them_after_the_paper_angles():
    from sitrex.datasets import make_exercise

    coords = make_exercise(1, ["lunge"], random_state=0)[0][0].coords
    assert COMPARISON_ANGLE_NAMES == comparison_angle_names() and len(COMPARISON_ANGLE_NAMES) == 26
    assert COMPARISON_ANGLE_NAMES[-3:] == AXIAL_ROTATION_NAMES
    every = comparison_angles(coords, names=COMPARISON_ANGLE_NAMES)
    np.testing.assert_array_equal(every[:, :23], comparison_angles(coords))
    np.testing.assert_allclose(every[:, 23:], axial_rotations(coords), equal_nan=True)
    picked = comparison_angles(coords, names=["trunk rotation", "left knee", "left shoulder rotation"])
    np.testing.assert_array_equal(picked, every[:, [25, 5, 23]])
    flat = coords.copy()
    flat[..., 2] = 0.0                                    # a 2-D pose: no depth, no axial rotation
    assert np.isnan(comparison_angles(flat, names=AXIAL_ROTATION_NAMES)).all()


def test_bad_input_is_named():
    with pytest.raises(InputError, match="side must be"):
        shoulder_rotation(np.zeros((1, 33, 3)), "middle")
    with pytest.raises(InputError, match=r"shape \(T, 33, 3\)"):
        trunk_rotation(np.zeros((4, 17, 2)))
    with pytest.raises(InputError, match="unknown axial rotation"):
        axial_rotations(np.zeros((1, 33, 3)), ["neck rotation"])
    with pytest.raises(InputError, match=r"comparison_angle_names\('unsigned'\)"):
        comparison_angles(np.zeros((1, 33, 3)), names=["left shoulder rotatoin"])
