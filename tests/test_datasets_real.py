"""Tests for the loaders of the squat-form and IRDS archives (sitrex.datasets.squat_errors, .irds).

Counts and named clips come from ``../shared/data/README.md``; the raw
archives are read next to the loaders to check what the loaders did to them.
"""

from __future__ import annotations

import numpy as np
import pytest

from sitrex._fetch import read_data_archive
from sitrex.angles import ANGLE_NAMES, compute_angles
from sitrex.datasets import (
    IRDS_GESTURE_ANGLES,
    IRDS_GESTURES,
    IRDS_MOVING_SIDE,
    SQUAT_CORRECT_FORMS,
    SQUAT_EXERCISE_ANGLES,
    SQUAT_FAULT_ANGLES,
    SQUAT_FORMS,
    load_irds,
    load_penn_action,
    load_pushfit,
    load_squat_errors,
)
from sitrex.exceptions import InputError, MissingFileError
from sitrex.landmarks import landmark_index


def _counts(values):
    names, counts = np.unique(np.asarray(values), return_counts=True)
    return dict(zip(names.tolist(), counts.tolist()))


def _angle_range(sequence, name):
    column = sequence[:, ANGLE_NAMES.index(name)]
    return np.nanpercentile(column, 95) - np.nanpercentile(column, 5)


# ---------------------------------------------------------------------- both loaders, no data needed
@pytest.mark.parametrize("loader, filename", [(load_squat_errors, "squat_errors.npz"),
                                              (load_irds, "irds.npz")])
def test_missing_file_in_the_data_home_says_where_and_how(loader, filename, tmp_path,
                                                          monkeypatch):
    monkeypatch.setenv("SITREX_DATA", str(tmp_path))
    with pytest.raises(MissingFileError, match=rf"no {filename} at .*\$SITREX_DATA.*never downloads"):
        loader()


@pytest.mark.parametrize("loader", [load_squat_errors, load_irds])
def test_missing_file_at_the_path_given_is_a_file_not_found_error(loader, tmp_path):
    with pytest.raises(FileNotFoundError, match="looked in the path given"):
        loader(tmp_path)


@pytest.mark.parametrize("loader, filename", [
    (load_squat_errors, "squat_errors.npz"), (load_irds, "irds.npz"),
    (load_pushfit, "pushfit.npz"), (load_penn_action, "penn_action.npz")])
def test_a_file_that_is_not_the_archive_is_an_input_error_naming_it(loader, filename, tmp_path):
    text = tmp_path / "README.md"
    text.write_text("# not an archive\n")
    with pytest.raises(InputError, match=rf"README.md' is not the {filename} archive"):
        loader(text)
    other = tmp_path / filename           # the right name, another data set's arrays
    np.savez(other, keypoints=np.zeros((2, 3)))
    with pytest.raises(InputError, match=rf"{filename}' is not the {filename} archive: it "
                                         r"lacks the arrays 'landmarks|xy.*holds 'keypoints'"):
        loader(tmp_path)
    np.savez(other, landmarks=np.array([{}], dtype=object))      # pickled objects
    with pytest.raises(InputError, match=f"cannot be read as the {filename} archive"):
        read_data_archive(other, filename, loader.__name__, ("landmarks",))


@pytest.mark.assets
@pytest.mark.parametrize("loader, other", [(load_irds, "pushfit.npz"),
                                           (load_pushfit, "irds.npz"),
                                           (load_penn_action, "squat_errors.npz"),
                                           (load_squat_errors, "penn_action.npz")])
def test_another_data_sets_archive_is_an_input_error_naming_it(loader, other, shared_dir):
    with pytest.raises(InputError, match=rf"{other}' is not the .* archive: it lacks"):
        loader(shared_dir / "data" / other)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan")])
def test_squat_errors_rejects_a_non_positive_max_distance(bad, tmp_path):
    with pytest.raises(InputError, match="max_distance"):
        load_squat_errors(tmp_path, max_distance=bad)


def test_squat_errors_rejects_a_non_positive_fps(tmp_path):
    with pytest.raises(InputError, match="fps must be a positive number"):
        load_squat_errors(tmp_path, fps=0)


def test_squat_fault_angles_name_sitrex_angles_for_each_fault():
    assert set(SQUAT_FAULT_ANGLES) == set(SQUAT_FORMS) - set(SQUAT_CORRECT_FORMS)
    for fault, names in SQUAT_FAULT_ANGLES.items():
        assert names and set(names) <= set(ANGLE_NAMES), fault


def test_squat_exercise_angles_are_the_union_of_the_fault_angles():
    union = {name for names in SQUAT_FAULT_ANGLES.values() for name in names}
    assert SQUAT_EXERCISE_ANGLES == {"squat": sorted(union)}


def test_irds_gesture_angles_are_on_the_side_opposite_the_name():
    assert set(IRDS_GESTURE_ANGLES) == set(IRDS_GESTURES) == set(IRDS_MOVING_SIDE)
    for gesture, names in IRDS_GESTURE_ANGLES.items():
        assert names and set(names) <= set(ANGLE_NAMES), gesture
        side = IRDS_MOVING_SIDE[gesture]
        if gesture.endswith("Left"):
            assert side == "right" and all(n.startswith("right ") for n in names), gesture
        elif gesture.endswith("Right"):
            assert side == "left" and all(n.startswith("left ") for n in names), gesture
        else:
            assert side == "both"
    assert IRDS_GESTURE_ANGLES["Elbow Flexion Left"] == ["right elbow"]


# ---------------------------------------------------------------------- squat_errors (real data)
@pytest.fixture(scope="module")
def squat_npz(shared_dir):
    with np.load(shared_dir / "data" / "squat_errors.npz") as z:
        return {k: z[k] for k in z.files}


@pytest.fixture(scope="module")
def squats(shared_dir):
    return load_squat_errors(shared_dir / "data")


def _squat_clip(squats, filename):
    return int(np.flatnonzero(squats.extra["filename"] == filename)[0])


def _raw_squat_clip(squat_npz, filename):
    i = int(np.flatnonzero(squat_npz["filename"] == filename)[0])
    return squat_npz["landmarks"][squat_npz["offsets"][i]:squat_npz["offsets"][i + 1]]


@pytest.mark.assets
def test_squat_errors_has_the_1323_labelled_clips_by_default(squats):
    assert len(squats) == 1323 and squats.exercises == ["squat"]
    assert _counts(squats.extra["form"]) == {
        "bending forward": 153, "heels lifting": 177, "knees caving": 152, "no depth": 182,
        "olympic squat": 265, "powerlifting squat": 240, "toes lifting": 154}
    assert len(squats.meta["left_out_unlabelled"]) == 11


@pytest.mark.assets
def test_squat_errors_can_include_the_11_unlabelled_clips(shared_dir, squat_npz):
    everything = load_squat_errors(shared_dir / "data", include_unlabelled=True,
                                   keep_skeletons=False)
    assert len(everything) == 1334 and everything.n_frames == 137_037
    assert everything.lengths.tolist() == np.diff(squat_npz["offsets"]).tolist()
    unlabelled = everything.extra["form"] == ""
    assert unlabelled.sum() == 11 and (everything.extra["split"][unlabelled] == "").all()
    assert not everything.extra["correct"][unlabelled].any()
    assert everything.meta["left_out_unlabelled"] == []


@pytest.mark.assets
def test_squat_errors_keeps_every_frame_of_the_labelled_clips(squats, squat_npz):
    labelled = squat_npz["label"] != ""
    assert squats.lengths.tolist() == np.diff(squat_npz["offsets"])[labelled].tolist()
    assert all(s.shape[1] == len(ANGLE_NAMES) for s in squats.sequences)


@pytest.mark.assets
def test_squat_errors_groups_are_recording_days_and_labels_line_up(squats, squat_npz):
    labelled = squat_npz["label"] != ""
    assert squats.groups.tolist() == squats.extra["recording_date"].tolist()
    assert len(set(squats.groups.tolist())) == 16
    assert squats.extra["filename"].tolist() == squat_npz["filename"][labelled].tolist()
    assert squats.extra["form"].tolist() == squat_npz["label"][labelled].tolist()
    assert squats.extra["correct"].tolist() == np.isin(squats.extra["form"],
                                                       SQUAT_CORRECT_FORMS).tolist()
    assert _counts(squats.extra["split"]) == {"train": 1058, "test": 265}
    assert squats.sources[0] == f"data/mediapipe/{squats.extra['filename'][0]}.npy"
    assert squats.skeletons[0].source == f"squat_errors:{squats.extra['filename'][0]}"


@pytest.mark.assets
def test_squat_errors_exercise_angles_are_the_squat_angles(squats):
    assert squats.exercise_angle_names("squat") == SQUAT_EXERCISE_ANGLES["squat"]


@pytest.mark.assets
def test_squat_errors_no_landmark_survives_beyond_the_rejection_radius(squats):
    for skel in squats.skeletons:
        distance = np.linalg.norm(skel.coords, axis=-1)   # centred on the mid-hip track
        assert not (distance > skel.meta["rejection_radius"]).any(), skel.source
        camera_z = skel.coords[..., 2] + skel.meta["origin_in_camera"][:, None, 2]
        assert not (camera_z <= 0).any(), skel.source


@pytest.mark.assets
def test_squat_errors_rejection_radius_is_a_few_torso_lengths_of_the_day(squats):
    skel = squats.skeletons[0]
    assert skel.meta["rejection_radius"] == pytest.approx(3 * skel.meta["torso_length"])
    torso = [s.meta["torso_length"] for s in squats.skeletons]
    assert 25 < min(torso) and max(torso) < 65   # units; the scale differs between days


@pytest.mark.assets
def test_squat_errors_a_wild_landmark_becomes_nan_and_the_rest_of_its_frame_stays(squats,
                                                                                  squat_npz):
    # the largest coordinate outside the two wholly failed clips: right wrist, frame 3
    raw = _raw_squat_clip(squat_npz, "recording_11042023_120234")
    wrist = landmark_index("right_wrist")
    assert np.abs(raw[3, wrist]).max() > 2e4
    skel = squats.skeletons[_squat_clip(squats, "recording_11042023_120234")]
    assert np.isnan(skel.coords[3, wrist]).all()
    for kept in ("left_hip", "right_hip", "left_knee", "right_knee", "nose"):
        assert np.isfinite(skel.coords[3, landmark_index(kept)]).all(), kept


@pytest.mark.assets
def test_squat_errors_clips_that_failed_as_a_whole_are_all_nan_and_listed(squats):
    failed = ["recording_13042023_155248", "recording_13042023_161931"]
    assert squats.meta["failed_clips"] == failed
    for name in failed:
        i = _squat_clip(squats, name)
        assert np.isnan(squats.sequences[i]).all()
        assert squats.extra["empty_frames"][i] == squats.lengths[i]


@pytest.mark.assets
def test_squat_errors_padding_row_inside_a_clip_is_a_nan_frame(squats, squat_npz):
    raw = _raw_squat_clip(squat_npz, "recording_20042023_112729")
    gap = np.flatnonzero(np.isnan(raw).all(axis=(1, 2)))
    assert len(gap) == 1
    i = _squat_clip(squats, "recording_20042023_112729")
    assert not squats.skeletons[i].has_person[gap].any()
    assert np.isnan(squats.sequences[i][gap]).all()


@pytest.mark.assets
def test_squat_errors_rejection_counts_add_up(squats, squat_npz):
    meta = squats.meta
    assert meta["rejected_landmarks"] == squats.extra["rejected_landmarks"].sum()
    assert meta["rejected_landmarks"] == meta["rejected_behind_camera"] + meta["rejected_far_from_hips"]
    labelled_frames = np.repeat(squat_npz["label"] != "", np.diff(squat_npz["offsets"]))
    assert meta["rejected_behind_camera"] == (squat_npz["landmarks"][labelled_frames, :, 2] <= 0).sum()
    # the README counts 917 frames with a landmark over 150 units from the mid-hip
    assert 700 < meta["rejected_frames"] == squats.extra["rejected_frames"].sum() < 1500


@pytest.mark.assets
def test_squat_errors_kept_landmarks_are_the_archive_values_around_the_mid_hip(squats, squat_npz):
    i = _squat_clip(squats, "recording_20042023_112729")
    skel = squats.skeletons[i]
    raw = _raw_squat_clip(squat_npz, "recording_20042023_112729")
    back = skel.coords + skel.meta["origin_in_camera"][:, None]
    kept = skel.present
    np.testing.assert_allclose(back[kept], raw[kept], rtol=1e-6, atol=1e-4)
    mid_hip = (skel["left_hip"] + skel["right_hip"]) / 2
    assert np.nanmedian(np.linalg.norm(mid_hip, axis=-1)) < 0.1 * skel.meta["torso_length"]


@pytest.mark.assets
def test_squat_errors_angles_are_those_of_the_skeletons(squats):
    i = _squat_clip(squats, "recording_11042023_120234")
    np.testing.assert_array_equal(squats.sequences[i], compute_angles(squats.skeletons[i].coords))


@pytest.mark.assets
def test_squat_errors_measure_every_angle_but_the_wrists(squats):
    frames = np.concatenate(squats.sequences)
    finite = np.isfinite(frames).mean(axis=0)
    for name, share in zip(squats.angle_names, finite):
        if "wrist" in name:
            assert share == 0, name
        else:
            assert share > 0.99, name


@pytest.mark.assets
def test_squat_errors_frame_rate_is_assumed_and_recorded(squats):
    assert squats.meta["fps"] == 30.0 and squats.meta["fps_assumed"] is True
    assert squats.meta["fps_lower_bound"] == pytest.approx(22.0)
    skel = squats.skeletons[0]
    assert skel.fps == 30.0 and skel.meta["fps_assumed"] is True
    assert skel.meta["units"] == "unknown" and skel.meta["dimensions"] == 3
    assert skel.meta["file"].endswith("squat_errors.npz")


@pytest.mark.assets
@pytest.mark.parametrize("fps, assumed", [(25.0, True), (None, False)])
def test_squat_errors_frame_rate_can_be_chosen_or_left_unknown(shared_dir, fps, assumed):
    ds = load_squat_errors(shared_dir / "data", fps=fps)
    assert ds.skeletons[0].fps == fps and ds.meta["fps_assumed"] is assumed


@pytest.mark.assets
def test_squat_errors_a_larger_radius_rejects_fewer_landmarks(shared_dir, squats):
    loose = load_squat_errors(shared_dir / "data", max_distance=6, keep_skeletons=False)
    assert loose.meta["rejected_behind_camera"] == squats.meta["rejected_behind_camera"]
    assert loose.meta["rejected_far_from_hips"] < squats.meta["rejected_far_from_hips"]


# ---------------------------------------------------------------------- IRDS (real data)
@pytest.fixture(scope="module")
def irds_npz(shared_dir):
    with np.load(shared_dir / "data" / "irds.npz") as z:
        return {k: z[k] for k in z.files}


@pytest.fixture(scope="module")
def irds(shared_dir):
    return load_irds(shared_dir / "data")


@pytest.mark.assets
def test_irds_has_188_clips_of_the_nine_gestures(irds):
    assert len(irds) == 188 and irds.exercises == sorted(IRDS_GESTURES)
    assert _counts(irds.labels) == {
        "Elbow Flexion Left": 21, "Elbow Flexion Right": 18, "Shoulder Flexion Left": 21,
        "Shoulder Flexion Right": 20, "Shoulder Abduction Left": 23,
        "Shoulder Abduction Right": 21, "Shoulder Forward Elevation": 21, "Side Tap Left": 21,
        "Side Tap Right": 22}
    assert irds.exercise_angle_names() == IRDS_GESTURE_ANGLES


@pytest.mark.assets
@pytest.mark.parametrize("loaded", ["irds", "squats"])
def test_loaded_skeletons_save_as_json_with_their_nan_meta(loaded, request, tmp_path):
    from sitrex.io import load_skeleton, save_skeleton

    dataset = request.getfixturevalue(loaded)
    with_gaps = next(s for s in dataset.skeletons
                     if not np.isfinite(np.asarray(s.meta["origin_in_camera"], float)).all())
    back = load_skeleton(save_skeleton(with_gaps, tmp_path / "clip.json"))
    np.testing.assert_array_equal(back.coords, with_gaps.coords)
    for key in ("origin_in_camera", "time_ms"):
        if key in with_gaps.meta:
            np.testing.assert_array_equal(np.asarray(back.meta[key]), with_gaps.meta[key])


@pytest.mark.assets
def test_irds_groups_are_subjects_and_labels_line_up(irds, irds_npz):
    assert _counts(irds.groups) == {215: 73, 216: 54, 217: 61}
    assert irds.extra["subject"].tolist() == irds.groups.tolist()
    assert irds.labels.tolist() == irds.extra["gesture"].tolist()
    assert irds.extra["gesture"].tolist() == irds_npz["gesture_name"].tolist()
    assert irds.extra["moving_side"].tolist() == [IRDS_MOVING_SIDE[g] for g in irds.labels]
    assert irds.extra["correct"].sum() == 148
    # IRDS file names: Subject_Date_Gesture_Repetition_CorrectLabel_Position.txt
    fields = [s.rsplit("/", 1)[1][:-len(".txt")].split("_") for s in irds.sources]
    assert [int(f[0]) for f in fields] == irds.groups.tolist()
    assert [int(f[2]) for f in fields] == irds.extra["gesture_id"].tolist()
    assert [int(f[3]) for f in fields] == irds.extra["repetition"].tolist()
    assert [f[4] == "1" for f in fields] == irds.extra["correct"].tolist()
    assert [f[5] for f in fields] == irds.extra["position"].tolist()
    assert set(irds.extra["position"][irds.groups == 217]) == {"wheelchair"}
    assert set(irds.extra["position"][irds.groups != 217]) == {"stand"}


@pytest.mark.assets
def test_irds_elbow_flexion_left_moves_the_right_elbow(irds):
    both_flex = {"IRDS/RawDataCopy/217_18_0_2_2_wheelchair.txt",
                 "IRDS/RawDataCopy/217_18_0_4_1_wheelchair.txt"}   # named in the README
    clips = np.flatnonzero(irds.labels == "Elbow Flexion Left")
    assert len(clips) == 21
    for i in clips:
        right, left = (_angle_range(irds.sequences[i], f"{side} elbow") for side in ("right", "left"))
        if irds.sources[i] in both_flex:
            assert min(right, left) > 70
        else:
            assert right > left, irds.sources[i]


@pytest.mark.assets
def test_irds_elbow_flexion_right_moves_the_left_elbow(irds):
    for i in np.flatnonzero(irds.labels == "Elbow Flexion Right"):
        sequence = irds.sequences[i]
        assert _angle_range(sequence, "left elbow") > _angle_range(sequence, "right elbow")


@pytest.mark.assets
def test_irds_frames_sit_on_a_uniform_30_fps_clock(irds):
    assert irds.meta["fps"] == 30.0 and not irds.meta["fps_assumed"]
    assert (irds.extra["fps"] == 30.0).all()
    for skel in irds.skeletons:
        assert skel.fps == 30.0
        stamps = skel.meta["time_ms"]
        recorded = np.isfinite(stamps)
        clock = np.arange(len(stamps)) * 1000.0 / 30.0
        assert np.abs(clock[recorded] - stamps[recorded]).max() < 36.0, skel.source   # ~1 frame
        assert (recorded == skel.has_person).all(), skel.source


@pytest.mark.assets
def test_irds_dropped_frames_are_nan_frames(irds, irds_npz):
    assert irds.n_frames == 14_142 + irds.meta["dropped_frames"]
    assert irds.extra["dropped_frames"].tolist() == (irds.lengths - np.diff(irds_npz["offsets"])).tolist()
    nan_rows = [int(np.isnan(s).all(axis=1).sum()) for s in irds.sequences]
    assert nan_rows == irds.extra["dropped_frames"].tolist()
    # the longest gap, 435 ms, is 13 frame periods: 12 missing frames
    offsets, stamps = irds_npz["offsets"], irds_npz["time_ms"]
    steps = [np.diff(stamps[a:b]) for a, b in zip(offsets[:-1], offsets[1:])]
    clip = int(np.argmax([s.max() for s in steps]))
    at = int(np.argmax(steps[clip]))
    assert steps[clip][at] == 435
    has_person = irds.skeletons[clip].has_person
    before = np.flatnonzero(has_person)[at]
    assert not has_person[before + 1:before + 13].any() and has_person[before + 13]


@pytest.mark.assets
def test_irds_effective_rate_is_below_the_clock(irds):
    assert np.median(irds.extra["effective_fps"]) == pytest.approx(29.4, abs=0.1)
    assert irds.extra["effective_fps"].min() == pytest.approx(20.4, abs=0.1)


@pytest.mark.assets
def test_irds_can_keep_the_frames_as_recorded(shared_dir, irds_npz):
    recorded = load_irds(shared_dir / "data", uniform_clock=False, keep_skeletons=False)
    assert recorded.lengths.tolist() == np.diff(irds_npz["offsets"]).tolist()
    assert recorded.extra["dropped_frames"].sum() == 0
    assert not any(np.isnan(s[:, 1]).any() for s in recorded.sequences)   # left elbow


@pytest.mark.assets
def test_irds_skeletons_are_metres_around_the_mid_hip_with_kinect_confidence(irds, irds_npz):
    skel = irds.skeletons[0]
    assert skel.meta["units"] == "metres" and skel.meta["dimensions"] == 3
    assert skel.source == "irds:215_18_0_1_1_stand.txt"
    mid_hip = (skel["left_hip"] + skel["right_hip"]) / 2
    np.testing.assert_allclose(mid_hip[skel.has_person], 0.0, atol=1e-6)
    back = skel.coords[skel.has_person] + skel.meta["origin_in_camera"][skel.has_person][:, None]
    raw = irds_npz["landmarks"][:irds_npz["offsets"][1]]
    np.testing.assert_allclose(back, raw, atol=1e-6)
    assert set(np.unique(skel.confidence[np.isfinite(skel.confidence)])) <= {0.5, 1.0}
    head = irds_npz["kinect_tracking"][:, 3] == 1    # Kinect Head -> nose, inferred
    nose = np.concatenate([s.confidence[s.has_person, 0] for s in irds.skeletons])
    assert (nose == 0.5).tolist() == head.tolist()


@pytest.mark.assets
def test_irds_measures_every_angle_but_the_wrists(irds):
    frames = np.concatenate(irds.sequences)
    recorded = ~np.isnan(frames).all(axis=1)
    for name, column in zip(irds.angle_names, frames[recorded].T):
        if "wrist" in name:
            assert np.isnan(column).all(), name
        else:
            assert np.isfinite(column).all(), name


@pytest.mark.assets
def test_irds_angles_are_those_of_the_skeletons(irds):
    np.testing.assert_array_equal(irds.sequences[7], compute_angles(irds.skeletons[7].coords))
