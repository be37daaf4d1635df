"""OpenPose's layouts and JSON files: sitrex.layouts.from_openpose and sitrex.openpose_json."""

from __future__ import annotations

import json

import numpy as np
import pytest

import sitrex
from sitrex.exceptions import InputError, MissingFileError, SkeletonFileError
from sitrex.layouts import (
    BODY25_NAMES,
    BODY25_TO_MEDIAPIPE,
    COCO18_NAMES,
    COCO18_TO_MEDIAPIPE,
    OPENPOSE_HAND_TO_MEDIAPIPE,
    from_openpose,
    openpose_landmarks,
)
from sitrex.openpose_json import read_openpose

# MediaPipe names of the points OpenPose calls by another name
_RENAMED = {"left_big_toe": "left_foot_index", "right_big_toe": "right_foot_index"}


@pytest.mark.parametrize("names, index", [(BODY25_NAMES, BODY25_TO_MEDIAPIPE),
                                          (COCO18_NAMES, COCO18_TO_MEDIAPIPE)])
def test_each_keypoint_goes_to_the_mediapipe_landmark_of_its_name(names, index):
    assert len(names) == len(index)
    placed = [i for i in index if i >= 0]
    assert len(set(placed)) == len(placed)
    for name, i in zip(names, index):
        if i >= 0:
            assert sitrex.LANDMARK_NAMES[i] == _RENAMED.get(name, name)
        else:
            assert name in ("neck", "mid_hip", "left_small_toe", "right_small_toe")


def test_hand_knuckles_go_to_the_hand_points_of_their_side():
    for keypoint, (left, right) in OPENPOSE_HAND_TO_MEDIAPIPE.items():
        finger = {2: "thumb", 5: "index", 17: "pinky"}[keypoint]
        assert sitrex.LANDMARK_NAMES[left] == f"left_{finger}"
        assert sitrex.LANDMARK_NAMES[right] == f"right_{finger}"


def _body25_from(skeleton: sitrex.Skeleton, scale: float = 300.0, shift=(500.0, 400.0),
                 confidence: float = 0.9) -> np.ndarray:
    """A skeleton's landmarks as OpenPose would write them: (T, 25, 3) pixels and scores,
    0, 0, 0 where a point is missing; neck and mid-hip between their two landmarks."""
    xy = skeleton.coords[..., :2] * scale + np.asarray(shift)
    out = np.zeros((skeleton.n_frames, 25, 3))
    for k, i in enumerate(BODY25_TO_MEDIAPIPE):
        if i >= 0:
            out[:, k, :2] = xy[:, i]
    out[:, BODY25_NAMES.index("neck"), :2] = xy[:, [11, 12]].mean(axis=1)
    out[:, BODY25_NAMES.index("mid_hip"), :2] = xy[:, [23, 24]].mean(axis=1)
    out[..., 2] = confidence
    missing = np.isnan(out).any(axis=-1)
    out[missing] = 0.0
    return out


def _write(folder, frames, start=0, hands=None):
    """frames: list (per frame) of lists of (25, 3) arrays (one per person)."""
    folder.mkdir(exist_ok=True)
    for t, people in enumerate(frames):
        entries = []
        for j, body in enumerate(people):
            entry = {"person_id": [-1], "pose_keypoints_2d": np.asarray(body).ravel().tolist()}
            if hands is not None:
                entry["hand_left_keypoints_2d"] = hands[t][j][0].ravel().tolist()
                entry["hand_right_keypoints_2d"] = hands[t][j][1].ravel().tolist()
            entries.append(entry)
        name = f"clip_{t + start:012d}_keypoints.json"
        (folder / name).write_text(json.dumps({"version": 1.3, "people": entries}))
    return folder


def _standing_body25(n_frames=4):
    from sitrex.datasets import make_exercise

    (clip,), _ = make_exercise(1, ["squat"], n_reps=1, random_state=0)
    return _body25_from(clip[:n_frames])


# --------------------------------------------------------------------------- from_openpose
def test_a_keypoint_openpose_did_not_find_is_missing_not_at_the_corner():
    kp = _standing_body25(2)
    kp[:, BODY25_NAMES.index("left_elbow")] = 0.0            # OpenPose's "not found"
    s = from_openpose(kp, fps=25)
    assert not s.present[:, sitrex.landmark_index("left_elbow")].any()
    assert np.isnan(s["left_elbow"]).all()
    assert s.present[:, sitrex.landmark_index("right_elbow")].all()
    assert s.meta["dimensions"] == 2 and s.fps == 25
    left_elbow = sitrex.angle_names().index("left elbow")
    assert np.isnan(sitrex.compute_angles(s)[:, left_elbow]).all()


def test_min_confidence_drops_weak_keypoints():
    kp = _standing_body25(1)
    kp[0, BODY25_NAMES.index("right_knee"), 2] = 0.04
    assert from_openpose(kp).present[0, 26]
    assert not from_openpose(kp, min_confidence=0.05).present[0, 26]


def test_pixels_become_image_heights_with_the_image_size():
    kp = _standing_body25(1)
    s = from_openpose(kp, image_size=(1000, 800))
    shoulder = kp[0, BODY25_NAMES.index("left_shoulder"), :2]
    np.testing.assert_allclose(s["left_shoulder"][0, :2], shoulder / 800.0)
    assert s.meta["units"] == "image_height"
    normalised = kp.copy()
    normalised[..., 0] /= 1000.0
    normalised[..., 1] /= 800.0
    again = from_openpose(normalised, units="normalized", image_size=(1000, 800))
    np.testing.assert_allclose(again.coords, s.coords, equal_nan=True)


def test_3d_keypoints_keep_their_depth():
    kp = np.zeros((2, 25, 4))
    kp[:, BODY25_NAMES.index("right_hip")] = [100.0, 900.0, 2500.0, 1.0]
    s = from_openpose(kp)
    assert s.meta["dimensions"] == 3 and s.meta["units"] == "as recorded"
    assert s["right_hip"].tolist() == [[100.0, 900.0, 2500.0]] * 2


def test_hands_give_the_wrist_angles():
    kp = _standing_body25(1)
    wrist = sitrex.angle_names().index("left wrist")
    assert np.isnan(sitrex.compute_angles(from_openpose(kp))[0, wrist])
    hand = np.zeros((1, 21, 3))
    at = kp[0, BODY25_NAMES.index("left_wrist"), :2]
    hand[0, 0] = [*at, 0.9]
    hand[0, 5] = [*(at + [4.0, 20.0]), 0.9]            # index knuckle
    hand[0, 17] = [*(at + [-4.0, 18.0]), 0.9]          # pinky knuckle
    s = from_openpose(kp, hand_left=hand)
    assert s.present[0, sitrex.landmark_index("left_index")]
    assert not s.present[0, sitrex.landmark_index("right_index")]
    assert np.isfinite(sitrex.compute_angles(s)[0, wrist])


def test_the_other_layouts():
    kp18 = np.zeros((1, 18, 3))
    kp18[0, COCO18_NAMES.index("left_knee")] = [10.0, 20.0, 0.5]
    assert from_openpose(kp18, layout="coco18")["left_knee"].tolist() == [[10.0, 20.0, 0.0]]
    kp17 = np.zeros((1, 17, 3))
    kp17[0, 13] = [10.0, 20.0, 0.5]                    # COCO's left knee
    assert from_openpose(kp17, layout="coco17")["left_knee"].tolist() == [[10.0, 20.0, 0.0]]


@pytest.mark.parametrize("call, message", [
    (lambda: from_openpose(np.zeros((3, 18, 3))), r"shape \(T, 25, 3\) or \(T, 25, 4\)"),
    (lambda: from_openpose(np.zeros((3, 25, 3)), layout="body_25"), "layout must be one of"),
    (lambda: from_openpose(np.zeros((3, 25, 3)), hand_left=np.zeros((2, 21, 3))),
     "hand_left has 2 rows"),
    (lambda: from_openpose(np.zeros((3, 25, 3)), units="normalized"), "image_size"),
    (lambda: openpose_landmarks(np.zeros((3, 25, 5))), r"\(T, 25, 3\)"),
])
def test_bad_keypoints_say_what_is_wrong(call, message):
    with pytest.raises(InputError, match=message):
        call()


# --------------------------------------------------------------------------- read_openpose
def test_files_are_read_in_frame_number_order_and_an_empty_frame_has_nobody(tmp_path):
    kp = _standing_body25(3)
    frames = [[kp[0]], [], [kp[2]]]
    folder = _write(tmp_path / "json", frames, start=9)  # 9, 10, 11: name order would be wrong
    s = read_openpose(folder, fps=30)
    assert s.n_frames == 3 and s.meta["people"] == [1, 0, 1]
    assert s.has_person.tolist() == [True, False, True]
    np.testing.assert_allclose(s["left_knee"][[0, 2], :2],
                               kp[[0, 2], BODY25_NAMES.index("left_knee"), :2])
    assert s.meta["layout"] == "body25"


def test_the_largest_person_is_followed_when_the_file_lists_another_first(tmp_path):
    athlete = _standing_body25(4)
    onlooker = athlete.copy()
    onlooker[..., :2] = onlooker[..., :2] * 0.5 + 900.0      # smaller, elsewhere
    frames = [[athlete[t], onlooker[t]] if t % 2 else [onlooker[t], athlete[t]]
              for t in range(4)]
    s = read_openpose(_write(tmp_path / "json", frames))
    np.testing.assert_allclose(s["right_hip"][:, :2],
                               athlete[:, BODY25_NAMES.index("right_hip"), :2])
    second = read_openpose(tmp_path / "json", person=1)
    np.testing.assert_allclose(second["right_hip"][:, :2],
                               onlooker[:, BODY25_NAMES.index("right_hip"), :2])
    assert s.meta["people"] == [2, 2, 2, 2]


def test_a_list_of_files_and_a_single_file(tmp_path):
    kp = _standing_body25(2)
    folder = _write(tmp_path / "json", [[kp[0]], [kp[1]]])
    files = sorted(folder.iterdir())
    assert read_openpose(files[::-1]).n_frames == 2
    np.testing.assert_allclose(read_openpose(files[1])["nose"][0, :2],
                               kp[1, BODY25_NAMES.index("nose"), :2])


def test_hands_in_the_files_are_used(tmp_path):
    kp = _standing_body25(1)
    hand = np.zeros((21, 3))
    at = kp[0, BODY25_NAMES.index("right_wrist"), :2]
    hand[5] = [*(at + [4.0, 20.0]), 0.9]
    hand[17] = [*(at + [-4.0, 18.0]), 0.9]
    folder = _write(tmp_path / "json", [[kp[0]]], hands=[[(np.zeros((21, 3)), hand)]])
    s = read_openpose(folder)
    assert s.present[0, sitrex.landmark_index("right_pinky")]
    assert not s.present[0, sitrex.landmark_index("left_pinky")]
    assert not read_openpose(folder, hands=False).present[0, sitrex.landmark_index("right_pinky")]


def test_3d_files(tmp_path):
    body = np.zeros((25, 4))
    body[BODY25_NAMES.index("left_hip")] = [10.0, 20.0, 3000.0, 1.0]
    folder = tmp_path / "json"
    folder.mkdir()
    (folder / "a_000000000000_keypoints.json").write_text(json.dumps(
        {"people": [{"pose_keypoints_2d": [0.0] * 75,
                     "pose_keypoints_3d": body.ravel().tolist()}]}))
    s = read_openpose(folder, dimensions=3)
    assert s["left_hip"].tolist() == [[10.0, 20.0, 3000.0]] and s.meta["dimensions"] == 3
    with pytest.raises(SkeletonFileError, match="--3d"):
        (folder / "a_000000000000_keypoints.json").write_text(json.dumps(
            {"people": [{"pose_keypoints_2d": [0.0] * 75}]}))
        read_openpose(folder, dimensions=3)


def _bad_file(folder, text):
    folder.mkdir(exist_ok=True)
    (folder / "clip_000000000000_keypoints.json").write_text(text)
    return folder


@pytest.mark.parametrize("make, error, message", [
    (lambda p: p, MissingFileError, "no .json file"),
    (lambda p: p / "missing.json", MissingFileError, "no such file"),
    (lambda p: _bad_file(p, "{not json"), SkeletonFileError, "not valid JSON"),
    (lambda p: _bad_file(p, '{"version": 1.3}'), SkeletonFileError, "no 'people' list"),
    (lambda p: _bad_file(p, json.dumps({"people": [{"pose_keypoints_2d": [1.0] * 45}]})),
     InputError, "15 keypoints per person match no layout"),
    (lambda p: _bad_file(p, json.dumps({"people": [{"pose_keypoints_2d": [1.0] * 74}]})),
     SkeletonFileError, "not a multiple of 3"),
    (lambda p: _bad_file(p, json.dumps({"people": [{"pose_keypoints_2d": [1.0] * 75},
                                                   {"pose_keypoints_2d": [1.0] * 54}]})),
     SkeletonFileError, "different keypoint counts"),
])
def test_files_that_are_not_openpose_output_say_so(tmp_path, make, error, message):
    with pytest.raises(error, match=message):
        read_openpose(make(tmp_path))


@pytest.mark.parametrize("options, message", [
    ({"person": "central"}, "needs 2-D keypoints and image_size"),
    ({"dimensions": 4}, "dimensions must be 2 or 3"),
    ({"layout": "body_25"}, "layout must be one of"),
    ({"layout": "coco18"}, "25 keypoints per person, but layout 'coco18' has 18"),
    ({"person": "tallest"}, "person must be"),
])
def test_bad_options(tmp_path, options, message):
    folder = _write(tmp_path / "json", [[_standing_body25(1)[0]]])
    with pytest.raises(InputError, match=message):
        read_openpose(folder, **options)


def test_real_clips_through_openpose_files_compare_as_the_same_2d_landmarks(tmp_path,
                                                                         shared_dir):
    """Real IRDS gestures written as BODY_25 files (pixels, a smaller onlooker listed first in
    some frames, a frame without anybody) and read back: the default comparator's verdict is
    that of the same landmarks handed over as 2-D arrays."""
    from sitrex.datasets.protocol import coach_input, protocol_data

    data = protocol_data("irds", shared_dir / "data")
    rng = np.random.default_rng(0)
    first = int(np.flatnonzero(data.correct)[0])
    same = data.exercises == data.exercises[first]
    coach = coach_input(data, first, 1, rng)
    athletes = [data.skeletons[int(np.flatnonzero(same & data.correct)[-1])],
                data.skeletons[int(np.flatnonzero(same & ~data.correct)[0])]]
    kept = [i for i in BODY25_TO_MEDIAPIPE if i >= 0]

    def flat(s):
        coords = np.full_like(s.coords, np.nan)
        coords[:, kept, :2] = s.coords[:, kept, :2]
        coords[:, kept, 2] = np.where(np.isnan(s.coords[:, kept, 0]), np.nan, 0.0)
        coords[10] = np.nan                                  # nobody in that frame
        return sitrex.Skeleton(coords, fps=s.fps)

    def through_files(s, name):
        body = _body25_from(s)
        onlooker = body.copy()
        onlooker[..., :2] = onlooker[..., :2] * 0.3 + 50.0
        frames = [[] if t == 10 else ([onlooker[t], body[t]] if t % 3 else [body[t]])
                  for t in range(s.n_frames)]
        return read_openpose(_write(tmp_path / name, frames), fps=s.fps, image_size=(1000, 800))

    read_coach = through_files(coach, "coach")
    for k, athlete in enumerate(athletes):
        expected = sitrex.compare(flat(coach), flat(athlete))
        got = sitrex.compare(read_coach, through_files(athlete, f"athlete{k}"))
        assert got.score == pytest.approx(expected.score, abs=1e-6)
        assert got.worst_angles(3) == expected.worst_angles(3)
