"""2-D poses: the angles that need depth are not compared.

For landmarks in the image plane (z constant: the YOLO backend, the 2-D
layouts, Penn Action), the torso's forward axis is the line of sight, and an
angle measured in a plane that holds it (sagittal or transverse) keeps only
the sign of a projection. :func:`sitrex.angle_table.depth_columns` names these
columns; :func:`sitrex.measurement.comparison_angles` leaves them NaN in the
frames of a 2-D pose and changes nothing else (besides the knee valgus
indicator columns, which it always measures as the knee frontal tilt).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_angles_properties import example_body, sequences

import sitrex
from sitrex.angle_table import ANGLE_DEFINITIONS, depth_columns
from sitrex.angles import angle_names, compute_angles
from sitrex.measurement import (comparison_angles, image_plane_frames, in_torso_lengths,
                                knee_frontal_tilt)

pytestmark = [pytest.mark.filterwarnings("error::RuntimeWarning")]

KINDS = ("unsigned", "sagittal", "coronal", "transverse", "all")


def flattened(coords: np.ndarray, depth: float = 0.0) -> np.ndarray:
    out = np.array(coords, dtype=np.float64)
    out[..., 2] = depth
    return out


def as_compared(coords: np.ndarray, kind: str) -> np.ndarray:
    """compute_angles in torso lengths, the knee frontal tilt in the valgus columns."""
    scaled = in_torso_lengths(coords)
    angles = compute_angles(scaled, kind)
    names = angle_names(kind)
    for side in ("left", "right"):
        angles[:, names.index(f"{side} knee valgus indicator")] = knee_frontal_tilt(scaled, side, kind)
    return angles


def test_unsigned_depth_columns_are_the_segments_measured_in_the_sagittal_or_transverse_plane():
    expected = [d.measure == "segment" and d.plane in ("sagittal", "transverse")
                for d in ANGLE_DEFINITIONS]
    assert list(depth_columns()) == expected
    assert [n for n, d in zip(sitrex.ANGLE_NAMES, depth_columns()) if d] == [
        "left ankle dorsiflexion", "left horizontal shoulder adduction", "left shoulder extension",
        "right ankle dorsiflexion", "right horizontal shoulder adduction",
        "right shoulder extension"]


@pytest.mark.parametrize("kind", ("unsigned", "sagittal", "coronal", "transverse", "max-energy",
                                  "all"))
def test_depth_columns_are_aligned_with_the_columns_of_each_kind(kind):
    flags = depth_columns(kind)
    assert len(flags) == len(angle_names(kind))
    named = dict(zip(angle_names(kind), flags))
    elbow = named.get("left elbow", named.get("left elbow (coronal)"))
    assert elbow is (kind in ("sagittal", "transverse"))     # coronal: the image plane
    assert named["left frontal shoulder abduction"] is False
    if kind in ("sagittal", "transverse"):
        assert named["left knee"] and named["torso flexion"]
    if kind == "all":
        assert named["left elbow (sagittal)"] and named["left elbow (transverse)"]
    assert named["torso flexion"] is (kind != "unsigned")     # signed: in the sagittal plane


@settings(max_examples=40, deadline=None)
@given(body=sequences(min_frames=2, max_frames=4))
def test_the_paper_gives_a_2d_pose_only_the_sign_of_a_projection_there(body):
    flat = flattened(body)
    values = compute_angles(flat)[:, np.array(depth_columns())]
    nearest = np.array([0.0, 90.0, 180.0])
    gap = np.abs(values[..., None] - nearest).min(axis=-1)
    assert np.nanmax(gap) < 0.1     # the paper's 1e-6 guard: arccos(1 / (1 + 1e-6)) = 0.081


@settings(max_examples=40, deadline=None)
@given(body=sequences(min_frames=2, max_frames=4), kind=st.sampled_from(KINDS),
       depth=st.floats(-5, 5))
def test_a_2d_pose_leaves_exactly_the_depth_columns_unmeasured(body, kind, depth):
    flat = flattened(body, depth)
    got = comparison_angles(flat, kind)
    plain = as_compared(flat, kind)
    flags = np.array(depth_columns(kind))
    assert np.isnan(got[:, flags]).all()
    np.testing.assert_array_equal(got[:, ~flags], plain[:, ~flags])


@settings(max_examples=30, deadline=None)
@given(body=sequences(min_frames=2, max_frames=4), kind=st.sampled_from(KINDS))
def test_a_3d_pose_is_measured_as_before(body, kind):
    np.testing.assert_array_equal(comparison_angles(body, kind), as_compared(body, kind))


def test_selected_names_keep_their_own_flags_and_order():
    flat = flattened(np.stack([example_body()] * 3))
    names = ["right shoulder extension", "left knee", "left horizontal shoulder adduction"]
    got = comparison_angles(flat, names=names)
    assert np.isnan(got[:, [0, 2]]).all() and np.isfinite(got[:, 1]).all()
    one = comparison_angles(flat, names="right shoulder extension")     # one name, as compute_angles
    assert one.shape == (3, 1) and np.isnan(one).all()


def test_only_the_flat_frames_of_a_clip_are_blanked():
    clip = np.stack([example_body()] * 4)
    clip[2:, :, 2] = 0.0
    extension = comparison_angles(clip, names=["left shoulder extension"])[:, 0]
    assert np.isfinite(extension[:2]).all() and np.isnan(extension[2:]).all()


def test_image_plane_frames_needs_three_measured_landmarks():
    pose = np.full((3, 33, 3), np.nan)
    pose[0, :2] = [0.1, 0.2, 0.0]                 # two landmarks: not enough to call it flat
    pose[1, :5] = np.arange(15).reshape(5, 3)     # depths differ
    pose[2, :5] = [[i, 2 * i, 1.5] for i in range(5)]
    assert image_plane_frames(pose).tolist() == [False, False, True]


def test_compare_on_2d_poses_never_scores_an_angle_that_needs_depth():
    from sitrex.datasets import make_exercise

    clips, _ = make_exercise(2, ["lateral raise"], n_reps=3, random_state=3)
    coach, athlete = (c.replace(coords=flattened(c.coords)) for c in clips)
    report = sitrex.compare(coach, athlete)
    rotations = len(report.angle_names) - len(depth_columns())     # the default's axial rotations
    flags = np.array(depth_columns() + (True,) * rotations)         # they need depth too
    assert not report.useful[flags].any()
    assert np.isnan(report.similarity[:, flags]).all()
    assert not set(report.worst_angles(5)) & {n for n, f in zip(report.angle_names, flags) if f}
    assert np.isfinite(report.score)

