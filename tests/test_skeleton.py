"""Tests for sitrex.skeleton.Skeleton."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitrex.landmarks import LANDMARK_NAMES, landmark_index, mirror_permutation
from sitrex.skeleton import Skeleton, concatenate

LS, RS = landmark_index("left_shoulder"), landmark_index("right_shoulder")
LH, RH = landmark_index("left_hip"), landmark_index("right_hip")


def random_coords(n_frames: int = 5, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n_frames, 33, 3))


def rotation(a: float, b: float, c: float) -> np.ndarray:
    """A 3-D rotation from three Euler angles (radians)."""
    ca, sa, cb, sb, cc, sc = np.cos(a), np.sin(a), np.cos(b), np.sin(b), np.cos(c), np.sin(c)
    rx = np.array([[1, 0, 0], [0, ca, -sa], [0, sa, ca]])
    ry = np.array([[cb, 0, sb], [0, 1, 0], [-sb, 0, cb]])
    rz = np.array([[cc, -sc, 0], [sc, cc, 0], [0, 0, 1]])
    return rz @ ry @ rx


# ---------------------------------------------------------------- construction and validation
def test_single_pose_becomes_one_frame():
    skel = Skeleton(np.zeros((33, 3)))
    assert skel.coords.shape == (1, 33, 3)
    assert len(skel) == skel.n_frames == 1


def test_coords_stored_as_float64_copy():
    data = np.zeros((2, 33, 3), dtype=np.float32)
    skel = Skeleton(data)
    data[0, 0, 0] = 5.0
    assert skel.coords.dtype == np.float64
    assert skel.coords[0, 0, 0] == 0.0


def test_coords_and_confidence_are_read_only():
    skel = Skeleton(np.zeros((2, 33, 3)))
    with pytest.raises(ValueError):
        skel.coords[0, 0, 0] = 1.0
    with pytest.raises(ValueError):
        skel.confidence[0, 0] = 0.5


def test_coco_shaped_input_error_suggests_from_coco17():
    expected = (
        "expected coordinates of shape (T, 33, 3), got (T, 17, 2); "
        "convert COCO-17 keypoints with Skeleton.from_coco17"
    )
    with pytest.raises(ValueError, match=re.escape(expected)):
        Skeleton(np.zeros((4, 17, 2)))


def test_penn_shaped_input_error_suggests_from_penn13():
    with pytest.raises(ValueError, match="from_penn13"):
        Skeleton(np.zeros((4, 13, 2)))


def test_landmarks_without_depth_lie_in_the_image_plane():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 1, (6, 33, 2))
    xy[2, 5] = np.nan                                   # a missing landmark stays missing
    flat = Skeleton(np.dstack([xy, np.zeros((6, 33))]))
    for given in (xy, np.dstack([xy, np.full((6, 33), np.nan)])):
        skel = Skeleton(given)
        np.testing.assert_array_equal(skel.coords, flat.coords)
        assert not skel.present[2, 5] and skel.present.sum() == 6 * 33 - 1
    assert Skeleton(xy[0]).coords.shape == (1, 33, 3)
    partly = np.dstack([xy, np.ones((6, 33))])
    partly[:, :11, 2] = np.nan                          # depth for some landmarks: 3-D
    assert not Skeleton(partly).present[:, :11].any()


def test_visibility_channel_error_suggests_from_normalized_image():
    with pytest.raises(ValueError, match="from_normalized_image"):
        Skeleton(np.zeros((4, 33, 4)))


@pytest.mark.parametrize("shape", [(33,), (4, 33), (2, 4, 33, 3), (4, 3, 33)])
def test_wrong_rank_or_shape_is_rejected(shape):
    with pytest.raises(ValueError, match=r"expected coordinates of shape \(T, 33, 3\)"):
        Skeleton(np.zeros(shape))


@pytest.mark.parametrize("coords", ["abc", [[1, "x"]], {"a": 1}])
def test_coordinates_that_are_not_numbers_are_rejected(coords):
    with pytest.raises(ValueError, match="coordinates must be numbers"):
        Skeleton(coords)


def test_confidence_shape_mismatch_is_rejected():
    with pytest.raises(ValueError, match=r"confidence must have shape \(T, 33\) = \(3, 33\)"):
        Skeleton(np.zeros((3, 33, 3)), confidence=np.ones((3, 17)))


@pytest.mark.parametrize("fps", [0, -25.0, float("inf")])
def test_non_positive_or_infinite_fps_is_rejected(fps):
    with pytest.raises(ValueError, match="fps must be a positive"):
        Skeleton(np.zeros((3, 33, 3)), fps=fps)


def test_nan_fps_means_unknown():
    assert Skeleton(np.zeros((3, 33, 3)), fps=float("nan")).fps is None


def test_infinite_coordinates_are_rejected_with_location():
    xyz = np.zeros((3, 33, 3))
    xyz[2, LS, 1] = np.inf
    with pytest.raises(ValueError, match="frame 2, landmark 'left_shoulder'.*use NaN"):
        Skeleton(xyz)


def test_partially_nan_landmark_becomes_fully_nan():
    xyz = np.ones((2, 33, 3))
    xyz[1, 5, 2] = np.nan
    skel = Skeleton(xyz)
    assert np.isnan(skel.coords[1, 5]).all()
    assert not skel.present[1, 5]
    assert skel.present.sum() == 2 * 33 - 1


def test_default_confidence_is_one_where_present_and_nan_where_missing():
    xyz = np.ones((2, 33, 3))
    xyz[0, 3] = np.nan
    conf = Skeleton(xyz).confidence
    assert np.isnan(conf[0, 3])
    assert np.all(conf[~np.isnan(conf)] == 1.0)
    assert np.isnan(conf).sum() == 1


def test_given_confidence_is_nan_for_missing_landmarks():
    xyz = np.ones((1, 33, 3))
    xyz[0, 0] = np.nan
    skel = Skeleton(xyz, confidence=np.full((1, 33), 0.7))
    assert np.isnan(skel.confidence[0, 0])
    assert skel.confidence[0, 1] == 0.7


def test_non_string_source_is_rejected():
    with pytest.raises(ValueError, match="source must be a short str"):
        Skeleton(np.zeros((1, 33, 3)), source=123)


# ---------------------------------------------------------------- properties
def test_times_and_duration_use_fps():
    skel = Skeleton(np.zeros((4, 33, 3)), fps=2.0)
    np.testing.assert_allclose(skel.times, [0.0, 0.5, 1.0, 1.5])
    assert skel.duration == 2.0


def test_times_without_fps_raises_clear_error():
    skel = Skeleton(np.zeros((4, 33, 3)))
    with pytest.raises(ValueError, match=r"times needs a frame rate.*replace\(fps="):
        skel.times
    with pytest.raises(ValueError, match="duration needs a frame rate"):
        skel.duration


def test_present_and_has_person_reflect_nan_landmarks():
    xyz = np.ones((3, 33, 3))
    xyz[1] = np.nan
    xyz[2, :32] = np.nan
    skel = Skeleton(xyz)
    assert skel.present.shape == (3, 33)
    assert skel.has_person.tolist() == [True, False, True]


def test_repr_is_short_and_informative():
    text = repr(Skeleton(np.zeros((4, 33, 3)), fps=30.0, source="penn_action:0123"))
    assert text == "Skeleton(n_frames=4, fps=30.0, source='penn_action:0123', present=100%)"


def test_replace_changes_only_the_given_field():
    skel = Skeleton(random_coords(), source="a", meta={"k": 1})
    new = skel.replace(fps=25.0)
    assert new.fps == 25.0 and new.source == "a" and new.meta == {"k": 1}
    np.testing.assert_array_equal(new.coords, skel.coords)


def test_replace_rejects_unknown_fields():
    with pytest.raises(TypeError, match="unknown field"):
        Skeleton(random_coords()).replace(frame_rate=25.0)


# ---------------------------------------------------------------- access
def test_named_access_returns_that_landmark_over_time():
    xyz = random_coords(6)
    skel = Skeleton(xyz)
    np.testing.assert_array_equal(skel["left_knee"], xyz[:, 25])
    np.testing.assert_array_equal(skel["Left Knee"], xyz[:, 25])
    assert skel["left_knee"].shape == (6, 3)


def test_named_access_with_unknown_name_raises_keyerror():
    with pytest.raises(KeyError, match="left_kne"):
        Skeleton(random_coords())["left_kne"]


def test_slicing_keeps_fps_source_and_meta():
    skel = Skeleton(random_coords(30), fps=25.0, source="s", meta={"dimensions": 3})
    part = skel[10:20]
    assert isinstance(part, Skeleton)
    assert part.n_frames == 10
    assert (part.fps, part.source, part.meta) == (25.0, "s", {"dimensions": 3})
    np.testing.assert_array_equal(part.coords, skel.coords[10:20])


def test_integer_index_gives_one_frame_skeleton():
    skel = Skeleton(random_coords(8), fps=30.0)
    one = skel[5]
    assert isinstance(one, Skeleton)
    assert one.coords.shape == (1, 33, 3)
    np.testing.assert_array_equal(one.coords[0], skel.coords[5])
    np.testing.assert_array_equal(skel[-1].coords[0], skel.coords[7])


def test_integer_index_out_of_range_raises_indexerror():
    with pytest.raises(IndexError, match="frame 8 is out of range"):
        Skeleton(random_coords(8))[8]


def test_list_index_selects_frames_in_order():
    skel = Skeleton(random_coords(5))
    np.testing.assert_array_equal(skel[[3, 1]].coords, skel.coords[[3, 1]])


def test_boolean_mask_selects_frames():
    xyz = random_coords(4)
    xyz[2] = np.nan
    skel = Skeleton(xyz, fps=10.0)
    kept = skel[skel.has_person]
    assert kept.n_frames == 3 and kept.fps == 10.0


def test_boolean_mask_of_wrong_length_is_rejected():
    with pytest.raises(IndexError, match=r"boolean frame mask must have shape \(4,\)"):
        Skeleton(random_coords(4))[np.array([True, False])]


def test_tuple_index_is_rejected_with_hint():
    with pytest.raises(TypeError, match=r"skel\[10:20\]\['left_knee'\]"):
        Skeleton(random_coords(4))[0, "left_knee"]


# ---------------------------------------------------------------- concatenate
def test_concatenate_joins_frames_sources_and_keeps_first_meta():
    a = Skeleton(random_coords(2, 1), fps=30.0, source="a", meta={"m": 1})
    b = Skeleton(random_coords(3, 2), fps=30.0, source="b", meta={"m": 2})
    both = Skeleton.concatenate([a, b])
    assert both.n_frames == 5 and both.fps == 30.0
    assert both.source == "a + b" and both.meta == {"m": 1}
    np.testing.assert_array_equal(both.coords[2:], b.coords)


def test_concatenate_fps_mismatch_names_both_rates():
    a = Skeleton(random_coords(2), fps=30.0)
    b = Skeleton(random_coords(2), fps=25.0)
    with pytest.raises(ValueError, match="fps=30.0 and item 1 has fps=25.0"):
        Skeleton.concatenate([a, b])


def test_concatenate_all_unknown_fps_is_allowed():
    s = Skeleton(random_coords(2))
    assert Skeleton.concatenate([s, s]).fps is None


def test_concatenate_mixed_known_and_unknown_fps_is_rejected():
    with pytest.raises(ValueError, match="different frame rates"):
        concatenate([Skeleton(random_coords(2), fps=30.0), Skeleton(random_coords(2))])


def test_module_level_concatenate_matches_classmethod():
    s = Skeleton(random_coords(2), source="x")
    assert concatenate([s, s]).n_frames == 4
    assert concatenate([s, s]).source == "x"


def test_concatenate_of_nothing_is_rejected():
    with pytest.raises(ValueError, match="at least one Skeleton"):
        concatenate([])


# ---------------------------------------------------------------- normalisation
def test_normalized_centres_on_mid_hip_and_divides_by_torso():
    xyz = np.zeros((1, 33, 3))
    xyz[0, [LH, RH]] = [[1.0, 5.0, 0.0], [3.0, 5.0, 0.0]]  # mid-hip (2, 5, 0)
    xyz[0, [LS, RS]] = [[1.0, 1.0, 0.0], [3.0, 1.0, 0.0]]  # torso length 4
    xyz[0, 0] = [2.0, -3.0, 8.0]
    n = Skeleton(xyz).normalized()
    np.testing.assert_allclose(n.coords[0, 0], [0.0, -2.0, 2.0])
    assert n.meta["units"] == "torso_length"


def test_normalized_scales_z_like_x_and_y():
    xyz = random_coords(3)
    n1 = Skeleton(xyz).normalized()
    n2 = Skeleton(xyz * 7.0).normalized()
    np.testing.assert_allclose(n1.coords, n2.coords, atol=1e-12)
    scaled_z_only = xyz.copy()
    scaled_z_only[..., 2] *= 7.0
    assert not np.allclose(Skeleton(scaled_z_only).normalized().coords, n1.coords)


@settings(max_examples=30, deadline=None)
@given(
    angles=st.tuples(*[st.floats(-np.pi, np.pi)] * 3),
    scale=st.floats(0.01, 100.0),
    shift=st.tuples(*[st.floats(-1e3, 1e3)] * 3),
    seed=st.integers(0, 2**16),
)
def test_normalization_removes_scale_and_translation_but_keeps_rotation(angles, scale, shift, seed):
    xyz = random_coords(4, seed)
    rot = rotation(*angles)
    rotated = xyz @ rot.T
    moved = scale * rotated + np.array(shift)
    np.testing.assert_allclose(
        Skeleton(moved).normalized().coords, Skeleton(rotated).normalized().coords, atol=1e-8
    )


def test_normalized_frame_without_hips_is_nan():
    xyz = random_coords(3)
    xyz[1, LH] = np.nan
    n = Skeleton(xyz).normalized()
    assert n.has_person.tolist() == [True, False, True]
    assert np.isnan(n.confidence[1]).all()


def test_normalized_frame_with_zero_torso_is_nan_without_warning():
    xyz = random_coords(2)
    xyz[0, [LS, RS, LH, RH]] = 1.0  # shoulders on the hips: torso length 0
    with np.errstate(all="raise"):
        n = Skeleton(xyz).normalized()
    assert n.has_person.tolist() == [False, True]


def test_normalized_keeps_fps_and_source():
    n = Skeleton(random_coords(2), fps=24.0, source="s").normalized()
    assert (n.fps, n.source) == (24.0, "s")


def test_normalized_rejects_unknown_options():
    with pytest.raises(ValueError, match="center must be"):
        Skeleton(random_coords()).normalized(center="nose")


# ---------------------------------------------------------------- mirroring and angles
def test_mirrored_negates_x_and_swaps_left_and_right():
    xyz = random_coords(2)
    m = Skeleton(xyz).mirrored()
    np.testing.assert_array_equal(m["right_knee"][:, 0], -xyz[:, landmark_index("left_knee"), 0])
    np.testing.assert_array_equal(m["right_knee"][:, 1:], xyz[:, landmark_index("left_knee"), 1:])
    np.testing.assert_array_equal(m["nose"][:, 0], -xyz[:, 0, 0])


def test_mirrored_twice_is_identity():
    skel = Skeleton(random_coords(3), confidence=np.random.default_rng(1).random((3, 33)))
    back = skel.mirrored().mirrored()
    np.testing.assert_array_equal(back.coords, skel.coords)
    np.testing.assert_array_equal(back.confidence, skel.confidence)


def test_mirror_permutation_covers_every_landmark():
    assert sorted(mirror_permutation()) == list(range(len(LANDMARK_NAMES)))


def test_angles_delegates_to_compute_angles():
    from sitrex.angles import compute_angles

    xyz = random_coords(3)
    np.testing.assert_array_equal(Skeleton(xyz).angles(), compute_angles(xyz, kind="unsigned"))
