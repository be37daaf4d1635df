"""Tests for sitrex.layouts: COCO-17, Penn Action, Kinect v2 and MediaPipe image coordinates."""

from __future__ import annotations

import numpy as np
import pytest

from sitrex import ANGLE_NAMES, LANDMARK_NAMES
from sitrex.exceptions import InputError
from sitrex.landmarks import landmark_index
from sitrex.layouts import (
    COCO17_NAMES,
    COCO17_TO_MEDIAPIPE,
    KINECT25_NAMES,
    KINECT25_TO_MEDIAPIPE,
    PENN13_NAMES,
    PENN13_README_NAMES,
    PENN13_TO_MEDIAPIPE,
    coco17_landmarks,
    from_coco17,
    from_kinect_v2,
    from_normalized_image,
    from_penn13,
    to_pixels,
)
from sitrex.skeleton import Skeleton


def distinct_points(n_frames: int, n_points: int) -> np.ndarray:
    """(T, K, 2) points whose values encode frame and keypoint."""
    t = np.arange(n_frames)[:, None]
    k = np.arange(n_points)[None, :]
    return np.stack([100.0 * t + k, 1000.0 + 100.0 * t + k], axis=-1)


def others(index) -> np.ndarray:
    return np.setdiff1d(np.arange(33), index)


# ---------------------------------------------------------------- tables
def test_coco17_table_follows_the_names():
    assert len(COCO17_NAMES) == len(COCO17_TO_MEDIAPIPE) == 17
    assert list(COCO17_TO_MEDIAPIPE) == [landmark_index(n) for n in COCO17_NAMES]


def test_penn13_table_is_anatomical_not_readme():
    assert PENN13_TO_MEDIAPIPE == (0, 12, 11, 14, 13, 16, 15, 24, 23, 26, 25, 28, 27)
    expected = [0] + [landmark_index(n) for n in PENN13_NAMES[1:]]
    assert list(PENN13_TO_MEDIAPIPE) == expected
    # the README's "left_shoulder" column is the person's right shoulder
    assert PENN13_README_NAMES[1] == "left_shoulder"
    assert PENN13_TO_MEDIAPIPE[1] == landmark_index("right_shoulder")


# ---------------------------------------------------------------- COCO-17
def test_coco17_places_keypoints_at_mediapipe_indices_and_nan_elsewhere():
    kp = distinct_points(3, 17)
    skel = from_coco17(kp)
    np.testing.assert_array_equal(skel.coords[:, list(COCO17_TO_MEDIAPIPE), :2], kp)
    assert np.isnan(skel.coords[:, others(COCO17_TO_MEDIAPIPE)]).all()
    np.testing.assert_array_equal(skel["left_wrist"][:, :2], kp[:, COCO17_NAMES.index("left_wrist")])


def test_coco17_is_two_dimensional_with_zero_z():
    skel = from_coco17(distinct_points(2, 17))
    assert np.all(skel.coords[:, list(COCO17_TO_MEDIAPIPE), 2] == 0.0)
    assert skel.meta["dimensions"] == 2
    assert skel.meta["units"] == "pixels"


def test_coco17_score_channel_becomes_confidence():
    kp = np.concatenate([distinct_points(2, 17), np.full((2, 17, 1), 0.8)], axis=-1)
    skel = from_coco17(kp)
    np.testing.assert_array_equal(skel.confidence[:, list(COCO17_TO_MEDIAPIPE)], 0.8)
    assert np.isnan(skel.confidence[:, others(COCO17_TO_MEDIAPIPE)]).all()


def test_coco17_min_confidence_masks_low_scoring_keypoints():
    scores = np.full((2, 17), 0.9)
    scores[1, 5] = 0.2  # left shoulder in frame 1
    skel = from_coco17(distinct_points(2, 17), scores, min_confidence=0.5)
    assert not skel.present[1, landmark_index("left_shoulder")]
    assert skel.present[0, landmark_index("left_shoulder")]
    assert skel.present[1, list(COCO17_TO_MEDIAPIPE)].sum() == 16


def test_coco17_scores_given_twice_is_rejected():
    with pytest.raises(ValueError, match="scores given twice"):
        from_coco17(np.zeros((1, 17, 3)), np.ones((1, 17)))


def test_coco17_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match=r"from_coco17: expected keypoints of shape \(T, 17, 2\)"):
        from_coco17(np.zeros((2, 18, 2)))


def test_coco17_normalized_input_needs_image_size():
    with pytest.raises(ValueError, match=r"need image_size=\(width, height\)"):
        from_coco17(np.zeros((1, 17, 2)), units="normalized")


def test_coco17_pixels_with_image_size_are_divided_by_height():
    kp = np.full((1, 17, 2), [320.0, 120.0])
    skel = from_coco17(kp, image_size=(640, 480))
    np.testing.assert_allclose(skel["nose"][0], [320 / 480, 120 / 480, 0.0])
    assert skel.meta["units"] == "image_height"
    assert skel.meta["image_size"] == (640, 480)


def test_skeleton_from_coco17_classmethod_matches_function():
    kp = distinct_points(2, 17)
    np.testing.assert_array_equal(Skeleton.from_coco17(kp, fps=30.0).coords, from_coco17(kp).coords)
    assert Skeleton.from_coco17(kp, fps=30.0).fps == 30.0



@pytest.mark.parametrize("image_size", [None, (640, 480)])
def test_coco17_landmarks_of_several_people_hold_what_from_coco17_holds(image_size):
    kp = distinct_points(3, 17) * 40.0  # three people, in pixels
    scores = np.random.default_rng(0).uniform(0.0, 1.0, (3, 17))
    coords, conf = coco17_landmarks(kp, scores, min_confidence=0.5, image_size=image_size)
    skel = from_coco17(kp, scores, min_confidence=0.5, image_size=image_size)
    np.testing.assert_array_equal(coords, skel.coords)
    np.testing.assert_array_equal(conf, skel.confidence)
    assert np.isnan(coords).any() and (~np.isnan(coords)).any()


# ---------------------------------------------------------------- Penn Action
def test_penn13_places_columns_at_anatomical_indices_and_nan_elsewhere():
    xy = distinct_points(3, 13)
    skel = from_penn13(xy)
    np.testing.assert_array_equal(skel.coords[:, list(PENN13_TO_MEDIAPIPE), :2], xy)
    assert np.isnan(skel.coords[:, others(PENN13_TO_MEDIAPIPE)]).all()
    np.testing.assert_array_equal(skel["left_ankle"][:, :2], xy[:, 12])
    np.testing.assert_array_equal(skel["right_shoulder"][:, :2], xy[:, 1])


def test_penn13_invisible_joints_become_nan():
    xy = distinct_points(2, 13)
    vis = np.ones((2, 13), dtype=bool)
    vis[0, 7] = False  # column 7: right hip, holding a placeholder
    skel = from_penn13(xy, vis)
    assert not skel.present[0, landmark_index("right_hip")]
    assert skel.present[1, landmark_index("right_hip")]


def test_penn13_visibility_shape_mismatch_is_rejected():
    with pytest.raises(ValueError, match=r"visibility must have shape \(2, 13\)"):
        from_penn13(np.zeros((2, 13, 2)), np.ones((2, 12), dtype=bool))


def test_penn13_is_two_dimensional_and_keeps_source():
    skel = Skeleton.from_penn13(distinct_points(1, 13), source="penn_action:0001")
    assert skel.meta["dimensions"] == 2
    assert skel.source == "penn_action:0001"
    assert np.all(skel.coords[:, list(PENN13_TO_MEDIAPIPE), 2] == 0.0)


# ---------------------------------------------------------------- aspect ratio
def test_square_in_16_9_normalized_image_comes_out_square():
    width, height = 1920, 1080
    corners_px = np.array([[800.0, 400.0], [1000.0, 400.0], [1000.0, 600.0], [800.0, 600.0]])
    xyz = np.zeros((1, 33, 3))
    xyz[0, :4, :2] = corners_px / [width, height]  # MediaPipe: x / width, y / height
    skel = from_normalized_image(xyz, image_size=(width, height))
    c = skel.coords[0, :4, :2]
    sides = np.linalg.norm(np.roll(c, -1, axis=0) - c, axis=1)
    np.testing.assert_allclose(sides, sides[0])
    np.testing.assert_allclose(sides[0], 200 / height)
    # in normalised coordinates the "square" is not square
    raw = xyz[0, :4, :2]
    raw_sides = np.linalg.norm(np.roll(raw, -1, axis=0) - raw, axis=1)
    assert not np.allclose(raw_sides, raw_sides[0])


def test_normalized_image_z_is_scaled_like_x():
    xyz = np.full((1, 33, 3), 0.5)
    skel = from_normalized_image(xyz, image_size=(400, 100))
    np.testing.assert_allclose(skel["nose"][0], [2.0, 0.5, 2.0])
    assert skel.meta["dimensions"] == 3
    assert skel.meta["units"] == "image_height"


def test_normalized_image_without_image_size_is_rejected():
    with pytest.raises(ValueError, match=r"needs image_size=\(width, height\)"):
        from_normalized_image(np.zeros((1, 33, 3)))


def test_normalized_image_bad_image_size_is_rejected():
    with pytest.raises(ValueError, match="two positive numbers"):
        from_normalized_image(np.zeros((1, 33, 3)), image_size=(640, 0))


def test_normalized_image_visibility_channel_becomes_confidence():
    lm = np.concatenate([np.zeros((2, 33, 3)), np.full((2, 33, 1), 0.3)], axis=-1)
    skel = Skeleton.from_normalized_image(lm, image_size=(10, 10), fps=25.0)
    np.testing.assert_array_equal(skel.confidence, 0.3)
    assert skel.fps == 25.0


def test_normalized_image_nan_frames_stay_missing():
    lm = np.zeros((3, 33, 4))
    lm[1] = np.nan
    skel = from_normalized_image(lm, image_size=(640, 360))
    assert skel.has_person.tolist() == [True, False, True]


# ---------------------------------------------------------------- back to pixels
def test_to_pixels_inverts_normalized_image_conversion():
    rng = np.random.default_rng(0)
    px = rng.uniform(0, 640, size=(2, 33, 2))
    xyz = np.concatenate([px / [640, 360], np.zeros((2, 33, 1))], axis=-1)
    skel = from_normalized_image(xyz, image_size=(640, 360))
    np.testing.assert_allclose(to_pixels(skel)[..., :2], px)
    np.testing.assert_allclose(skel.pixel_coords()[..., :2], px)


def test_to_pixels_inverts_coco_pixel_conversion():
    kp = distinct_points(2, 17)
    skel = from_coco17(kp, image_size=(1280, 720))
    np.testing.assert_allclose(to_pixels(skel)[:, list(COCO17_TO_MEDIAPIPE), :2], kp)


def test_to_pixels_of_pixel_skeleton_is_a_copy():
    skel = from_penn13(distinct_points(1, 13))
    px = to_pixels(skel)
    np.testing.assert_array_equal(px, skel.coords)
    assert px.flags.writeable


def test_to_pixels_after_normalized_is_rejected():
    xyz = np.random.default_rng(0).uniform(size=(1, 33, 3))
    skel = from_normalized_image(xyz, image_size=(640, 480)).normalized()
    with pytest.raises(ValueError, match="units 'torso_length'"):
        to_pixels(skel)


# ---------------------------------------------------------------- real data
@pytest.mark.assets
def test_penn_squat_clips_are_upright_and_front_views_anatomically_sided(shared_dir):
    with np.load(shared_dir / "data" / "penn_action.npz") as z:
        xy, vis, offsets = z["xy"], z["visibility"], z["offsets"]
        action, view = z["action"], z["view"]
        width, height, clip_id = z["width"], z["height"], z["clip_id"]
        mediapipe_index = z["mediapipe_index"]
    np.testing.assert_array_equal(mediapipe_index, PENN13_TO_MEDIAPIPE)

    def clip(i: int) -> Skeleton:
        rows = slice(offsets[i], offsets[i + 1])
        return Skeleton.from_penn13(
            xy[rows], vis[rows], image_size=(width[i], height[i]), source=f"penn_action:{clip_id[i]:04d}"
        )

    def level_y(skel: Skeleton, part: str) -> np.ndarray:
        y = np.stack([skel[f"left_{part}"][:, 1], skel[f"right_{part}"][:, 1]])
        n = np.isfinite(y).sum(axis=0)
        return np.where(n > 0, np.nansum(y, axis=0) / np.maximum(n, 1), np.nan)

    front_squats = np.flatnonzero((action == "squat") & (view == "front"))
    # the first front-view squat clip with both shoulders visible in most frames
    chosen = next(i for i in front_squats if clip(i).present[:, [11, 12]].all(axis=1).mean() > 0.5)
    skel = clip(chosen)
    assert skel.meta["dimensions"] == 2

    shoulders, hips, ankles = (level_y(skel, p) for p in ("shoulder", "hip", "ankle"))
    known = np.isfinite(shoulders + hips + ankles)
    assert known.sum() >= 10
    upright = (shoulders < hips) & (hips < ankles)  # image y points down
    assert upright[known].mean() > 0.9

    # facing the camera, the person's left shoulder is on the image's right
    dx = skel["left_shoulder"][:, 0] - skel["right_shoulder"][:, 0]
    both = np.isfinite(dx)
    assert (dx[both] > 0).mean() > 0.9


def test_kinect_table_follows_the_names():
    assert len(KINECT25_NAMES) == len(KINECT25_TO_MEDIAPIPE) == 25
    for name, index in zip(KINECT25_NAMES, KINECT25_TO_MEDIAPIPE):
        side = "left" if name.endswith("Left") else "right" if name.endswith("Right") else None
        if index >= 0 and side:
            assert LANDMARK_NAMES[index].startswith(side), (name, LANDMARK_NAMES[index])
    assert sum(i >= 0 for i in KINECT25_TO_MEDIAPIPE) == 19


def test_kinect_tracking_states_become_confidence_or_missing():
    joints = np.random.default_rng(0).normal(size=(4, 25, 3))
    tracking = np.full((4, 25), 2)
    tracking[1, 4] = 1                        # ShoulderLeft inferred
    tracking[2, 5] = 0                        # ElbowLeft not tracked
    joints[3, 6] = np.nan                     # WristLeft missing
    s = from_kinect_v2(joints, tracking, fps=None)
    left = {n: landmark_index(f"left_{n}") for n in ("shoulder", "elbow", "wrist")}
    assert s.confidence[1, left["shoulder"]] == 0.5 and s.present[1, left["shoulder"]]
    assert not s.present[2, left["elbow"]] and not s.present[3, left["wrist"]]
    np.testing.assert_allclose(s.coords[0, left["shoulder"]], joints[0, 4] * [-1, -1, 1])
    dropped = from_kinect_v2(joints, tracking, inferred="drop")
    assert not dropped.present[1, left["shoulder"]] and dropped.fps == 30.0
    assert s.meta["dimensions"] == 3 and s.meta["units"] == "metres"


@pytest.mark.parametrize("kwargs, match", [
    ({"joints": np.zeros((2, 24, 3))}, r"\(T, 25, 3\)"),
    ({"joints": np.zeros((2, 25, 3)), "tracking": np.full((2, 25), 3)}, "TrackingState"),
    ({"joints": np.zeros((2, 25, 3)), "tracking": np.ones((2, 24))}, "tracking must have shape"),
    ({"joints": np.zeros((2, 25, 3)), "inferred": "guess"}, "inferred must be"),
])
def test_kinect_bad_input_names_the_problem(kwargs, match):
    with pytest.raises(InputError, match=match):
        from_kinect_v2(**kwargs)


def test_kinect_joints_of_irds_give_its_landmarks(shared_dir):
    """The IRDS archive holds Kinect's raw joints beside the landmarks it mapped them to."""
    with np.load(shared_dir / "data" / "irds.npz") as z:
        joints, tracking, landmarks = (z[k][:3000] for k in
                                       ("kinect_joints", "kinect_tracking", "landmarks"))
    s = from_kinect_v2(joints, tracking)
    np.testing.assert_allclose(s.coords, landmarks, atol=1e-6, equal_nan=True)
    measured = ~np.isnan(s.angles()).all(axis=0)
    unmeasured = {name for name, m in zip(ANGLE_NAMES, measured) if not m}
    assert unmeasured == {"left wrist", "right wrist"}          # Kinect has no pinky
