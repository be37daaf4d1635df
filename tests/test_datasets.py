"""Tests for sitrex.datasets: the SiTrEx layout, Penn Action, PushFit and ExerciseDataset."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sitrex.angles import ANGLE_NAMES, angle_names, compute_angles
from sitrex.datasets import (
    PENN_ACTION_EXERCISE_ANGLES,
    ExerciseDataset,
    load_penn_action,
    load_pushfit,
    load_sitrex,
    save_sitrex,
)
from sitrex.datasets.sitrex_layout import SkippedFileWarning
from sitrex.io import SkeletonFileError
from sitrex.skeleton import Skeleton

EXERCISE_ANGLES = {
    "push up": ["left elbow", "right elbow", "torso flexion"],
    "squat": ["left knee", "right knee", "left hip", "right hip"],
}


def _skeletons(n=4, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        coords = rng.normal(size=(5 + 3 * i, 33, 3))
        coords[1] = np.nan  # frame 1 has no person
        out.append(Skeleton(coords, rng.uniform(size=coords.shape[:2])))
    return out


@pytest.fixture()
def layout(tmp_path):
    skels = _skeletons()
    labels = ["squat", "push up", "squat", "push up"]
    save_sitrex(skels, labels, EXERCISE_ANGLES, tmp_path / "data")
    return tmp_path / "data", skels, labels


# ---------------------------------------------------------------------- SiTrEx layout
def test_round_trip_gives_the_angles_of_compute_angles(layout):
    root, skels, labels = layout
    ds = load_sitrex(root, progress=False, keep_skeletons=True)
    # files are loaded folder by folder (push_up_json, then squat_json)
    order = [1, 3, 0, 2]
    assert ds.labels.tolist() == [labels[i] for i in order]
    for seq, i in zip(ds.sequences, order):
        skel = skels[i]
        expected = compute_angles(skel.coords[skel.has_person])
        np.testing.assert_allclose(seq, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ds.skeletons[0].coords, skels[1].coords)


def test_round_trip_records_dropped_no_person_frames(layout):
    root, skels, _ = layout
    ds = load_sitrex(root, progress=False)
    assert ds.extra["dropped_frames"].tolist() == [1, 1, 1, 1]
    assert (ds.extra["n_frames"] - ds.lengths).tolist() == [1, 1, 1, 1]


def test_keep_no_person_frames_as_nan_rows(layout):
    root, _, _ = layout
    ds = load_sitrex(root, progress=False, drop_no_person=False)
    assert ds.lengths.tolist() == ds.extra["n_frames"].tolist()
    assert all(np.isnan(seq[1]).all() for seq in ds.sequences)


def test_labels_come_from_folder_names(tmp_path):
    save_sitrex(_skeletons(2), ["bulgarian split squat", "push up"],
                {"Bulgarian-Split-Squat": ["left knee"], "push up": ["left elbow"]}, tmp_path)
    assert (tmp_path / "bulgarian_split_squat_json" / "0001.json").is_file()
    ds = load_sitrex(tmp_path, progress=False)
    assert ds.exercises == ["bulgarian split squat", "push up"]
    assert ds.exercise_angle_names("bulgarian split squat") == ["left knee"]


def test_exercise_angles_become_sorted_column_indices(layout):
    root, _, _ = layout
    ds = load_sitrex(root, progress=False)
    assert ds.angle_names == ANGLE_NAMES
    for exercise, names in EXERCISE_ANGLES.items():
        assert ds.exercise_angles[exercise] == sorted(ANGLE_NAMES.index(n) for n in names)


def test_all_kind_maps_an_angle_to_its_three_planes(layout):
    root, _, _ = layout
    ds = load_sitrex(root, "all", progress=False)
    cols = [angle_names("all")[i] for i in ds.exercise_angles["push up"]]
    assert "left elbow (coronal)" in cols and "torso flexion" in cols and len(cols) == 7


def test_parallel_parsing_gives_the_same_data(layout):
    root, _, _ = layout
    serial = load_sitrex(root, progress=False)
    parallel = load_sitrex(root, progress=False, n_jobs=2)
    assert parallel.sources.tolist() == serial.sources.tolist()
    for a, b in zip(serial.sequences, parallel.sequences):
        np.testing.assert_array_equal(a, b)


def test_malformed_file_raises_naming_it(layout):
    root, _, _ = layout
    (root / "squat_json" / "0002.json").write_text('{"frames": [{"landmarks": [1, 2]')
    with pytest.raises(SkeletonFileError, match=r"squat_json/0002\.json: not valid JSON"):
        load_sitrex(root, progress=False)


def test_malformed_file_is_skipped_with_a_warning_on_warn(layout):
    root, _, _ = layout
    (root / "squat_json" / "0002.json").write_text('{"frames": [{"landmarks": [{"x": 1}]}]}')
    with pytest.warns(SkippedFileWarning, match=r"squat_json/0002\.json"):
        ds = load_sitrex(root, progress=False, on_error="warn")
    assert len(ds) == 3
    assert list(ds.meta["skipped_files"]) == ["squat_json/0002.json"]
    assert "squat_json/0002.json" not in ds.sources.tolist()


def test_empty_folder_is_an_error_describing_the_layout(tmp_path):
    with pytest.raises(FileNotFoundError, match="is empty.*exercise_angles.json.*_json"):
        load_sitrex(tmp_path, progress=False)


def test_folder_without_json_files_is_an_error(tmp_path):
    (tmp_path / "exercise_angles.json").write_text('{"squat": ["left knee"]}')
    (tmp_path / "squat_json").mkdir()
    with pytest.raises(FileNotFoundError, match="no landmark files"):
        load_sitrex(tmp_path, progress=False)


def test_missing_exercise_angles_json_is_an_error(layout):
    root, _, _ = layout
    (root / "exercise_angles.json").unlink()
    with pytest.raises(FileNotFoundError, match="no exercise_angles.json"):
        load_sitrex(root, progress=False)


def test_unknown_angle_name_is_an_error_listing_valid_names(layout):
    root, _, _ = layout
    (root / "exercise_angles.json").write_text(
        json.dumps({"squat": ["left knee", "left kneee"], "push up": ["left elbow"]}))
    with pytest.raises(ValueError, match=r"'left kneee'.*valid names: left ankle dorsiflexion"):
        load_sitrex(root, progress=False)


def test_exercise_folder_without_entry_is_an_error(layout):
    root, _, _ = layout
    (root / "exercise_angles.json").write_text(json.dumps({"squat": ["left knee"]}))
    with pytest.raises(ValueError, match="push_up_json have no entry"):
        load_sitrex(root, progress=False)


def test_save_sitrex_rejects_a_label_without_exercise_angles(tmp_path):
    with pytest.raises(ValueError, match="no entry for label"):
        save_sitrex(_skeletons(1), ["lunge"], EXERCISE_ANGLES, tmp_path)


def test_progress_bar_can_be_forced_on(layout, capsys):
    root, _, _ = layout
    load_sitrex(root, progress=True)
    assert "load_sitrex" in capsys.readouterr().err


# ---------------------------------------------------------------------- ExerciseDataset
def _small():
    seqs = [np.full((i + 1, 3), float(i)) for i in range(4)]
    return ExerciseDataset(
        seqs, ["a", "b", "a", "b"], ("x", "y", "z"), "unsigned",
        exercise_angles={"a": ["x"], "b": [2, 1]},
        groups=[10, 11, 12, 13], sources=["s0", "s1", "s2", "s3"],
        extra={"form": ["c", "w", "c", "w"]},
    )


def test_subset_keeps_every_field_aligned():
    sub = _small().subset(np.array([3, 0]))
    assert sub.labels.tolist() == ["b", "a"]
    assert [s[0, 0] for s in sub.sequences] == [3.0, 0.0]
    assert sub.groups.tolist() == [13, 10]
    assert sub.sources.tolist() == ["s3", "s0"]
    assert sub.extra["form"].tolist() == ["w", "c"]
    assert len(sub.skeletons) == 2


def test_usefulness_targets_follow_exercise_angles():
    ds = _small()
    assert ds.exercise_angles == {"a": [0], "b": [1, 2]}
    expected = [[1, 0, 0], [0, 1, 1], [1, 0, 0], [0, 1, 1]]
    assert ds.usefulness_targets().tolist() == expected


def test_misaligned_fields_are_rejected_naming_the_field():
    with pytest.raises(ValueError, match=r"extra\['form'\] has 1 entries but there are 2"):
        ExerciseDataset([np.zeros((1, 1))] * 2, ["a", "a"], ("x",), extra={"form": ["c"]})
    with pytest.raises(ValueError, match=r"sequences\[1\] has shape \(2, 2\)"):
        ExerciseDataset([np.zeros((1, 1)), np.zeros((2, 2))], ["a", "a"], ("x",))


def test_repr_counts_sequences_per_exercise():
    assert repr(_small()) == (
        "ExerciseDataset(4 sequences, 10 frames, 3 'unsigned' angles; a: 2, b: 2)")


# ---------------------------------------------------------------------- Penn Action (real data)
@pytest.fixture(scope="module")
def penn(shared_dir):
    return load_penn_action(shared_dir / "data")


@pytest.fixture(scope="module")
def penn_npz(shared_dir):
    with np.load(shared_dir / "data" / "penn_action.npz") as z:
        return {k: z[k] for k in ("action", "offsets", "train")}


@pytest.mark.assets
def test_penn_action_has_1163_clips_in_8_classes_with_the_npz_counts(penn, penn_npz):
    assert len(penn) == 1163
    names, counts = np.unique(penn_npz["action"], return_counts=True)
    assert dict(zip(*np.unique(penn.labels, return_counts=True))) == dict(zip(names, counts))
    assert dict(zip(names.tolist(), counts.tolist())) == {
        "bench_press": 140, "clean_and_jerk": 88, "jump_rope": 82, "jumping_jacks": 112,
        "pullup": 199, "pushup": 211, "situp": 100, "squat": 231}


@pytest.mark.assets
def test_penn_action_has_96934_frames_of_23_angles(penn, penn_npz):
    assert penn.n_frames == 96_934
    assert penn.lengths.tolist() == np.diff(penn_npz["offsets"]).tolist()
    assert all(s.shape[1] == 23 for s in penn.sequences)


@pytest.mark.assets
def test_penn_action_mapped_angles_are_mostly_finite(penn):
    angle_cols = {n: i for i, n in enumerate(penn.angle_names)}
    for exercise, names in PENN_ACTION_EXERCISE_ANGLES.items():
        frames = np.concatenate([s for s, lab in zip(penn.sequences, penn.labels) if lab == exercise])
        for name in names:
            assert np.isfinite(frames[:, angle_cols[name]]).mean() > 0.3, (exercise, name)
            base = name.split(" ", 1)[1] if name.startswith(("left ", "right ")) else name
            pair = [angle_cols[n] for n in (f"left {base}", f"right {base}", name) if n in angle_cols]
            either = np.isfinite(frames[:, pair]).any(axis=1).mean()
            assert either >= 0.5, (exercise, name, either)


@pytest.mark.assets
def test_penn_action_never_maps_wrist_angles(penn):
    assert not any("wrist" in n for names in PENN_ACTION_EXERCISE_ANGLES.values() for n in names)
    wrists = [penn.angle_names.index(n) for n in ("left wrist", "right wrist")]
    assert np.isnan(penn.sequences[0][:, wrists]).all()


@pytest.mark.assets
def test_penn_action_extras_are_aligned_with_the_npz(penn, penn_npz):
    assert penn.extra["train"].sum() == 574
    assert set(penn.extra["view"].tolist()) == {"front", "back", "left", "right"}
    assert penn.groups.tolist() == penn.extra["clip_id"].tolist()
    assert penn.skeletons[5].source == f"penn_action:{int(penn.groups[5]):04d}"


@pytest.mark.assets
def test_penn_action_sequence_angles_match_the_skeletons(penn):
    i = int(np.flatnonzero(penn.labels == "squat")[0])
    np.testing.assert_array_equal(penn.sequences[i], penn.skeletons[i].angles())


@pytest.mark.assets
def test_penn_action_exercise_filter(shared_dir):
    ds = load_penn_action(shared_dir / "data", exercises=["situp"], keep_skeletons=False)
    assert ds.exercises == ["situp"] and len(ds) == 100 and ds.skeletons[0] is None
    with pytest.raises(ValueError, match="unknown exercise.*choose from bench_press"):
        load_penn_action(shared_dir / "data", exercises="yoga")


def test_penn_action_missing_file_says_it_never_downloads(tmp_path):
    with pytest.raises(FileNotFoundError, match="never downloads"):
        load_penn_action(tmp_path)


# ---------------------------------------------------------------------- PushFit (real data)
@pytest.fixture(scope="module")
def pushfit(shared_dir):
    return load_pushfit(shared_dir / "data")


@pytest.mark.assets
def test_pushfit_has_265_clips_140_correct_125_wrong(pushfit):
    assert len(pushfit) == 265 and pushfit.exercises == ["push-up"]
    form, counts = np.unique(pushfit.extra["form"], return_counts=True)
    assert dict(zip(form.tolist(), counts.tolist())) == {"correct": 140, "wrong": 125}


@pytest.mark.assets
def test_pushfit_has_32539_frames_with_no_person_frames_kept(pushfit):
    assert pushfit.n_frames == 32_539
    assert pushfit.extra["no_person_frames"].sum() == 393
    nan_rows = sum(int(np.isnan(s).all(axis=1).sum()) for s in pushfit.sequences)
    assert nan_rows == 393


@pytest.mark.assets
def test_pushfit_carries_fps_per_clip(pushfit):
    fps = [s.fps for s in pushfit.skeletons]
    assert sum(f is None for f in fps) == 4
    assert {round(f, 2) for f in fps if f is not None} == {25.0, 29.97, 55.0, 21.43, 30.0}
    assert fps[0] == pushfit.extra["fps"][0]


@pytest.mark.assets
def test_pushfit_unknown_size_clips_assume_16_9(pushfit):
    unknown = np.flatnonzero(~pushfit.extra["size_known"])
    assert sorted(pushfit.groups[unknown].tolist()) == [
        "correct114", "wrong108", "wrong109", "wrong110"]
    meta = pushfit.skeletons[int(unknown[0])].meta
    assert meta["aspect_assumed"] == pytest.approx(16 / 9) and "image_size" not in meta


@pytest.mark.assets
def test_pushfit_usefulness_targets_mark_elbows(pushfit):
    targets = pushfit.usefulness_targets()
    assert targets.shape == (265, 23)
    assert targets[:, pushfit.angle_names.index("left elbow")].all()
    assert not targets[:, pushfit.angle_names.index("left ankle dorsiflexion")].any()
