"""Tests for sitrex.io (skeleton files) and sitrex._atomic (atomic writes)."""

from __future__ import annotations

import json
import os
import stat

import numpy as np
import pytest

from sitrex._atomic import atomic_write
from sitrex.exceptions import OutputError
from sitrex.io import SkeletonFileError, load_skeleton, read_sitrex_json, save_skeleton
from sitrex.skeleton import Skeleton


def sample_skeleton(**kw) -> Skeleton:
    rng = np.random.default_rng(0)
    xyz = rng.normal(size=(5, 33, 3))
    xyz[2] = np.nan  # a frame with no person
    xyz[3, 7] = np.nan  # one missing landmark
    conf = rng.uniform(size=(5, 33))
    defaults = dict(
        fps=29.97,
        source="mediapipe:walk.mp4",
        meta={"dimensions": 3, "units": "image_height", "image_size": (640, 360)},
    )
    defaults.update(kw)
    return Skeleton(xyz, conf, **defaults)


def landmark(x=0.1, y=0.2, z=0.3, visibility=0.9) -> dict:
    return {"x": x, "y": y, "z": z, "visibility": visibility}


def write_json(path, document) -> None:
    path.write_text(json.dumps(document))


def assert_same(a: Skeleton, b: Skeleton) -> None:
    np.testing.assert_array_equal(a.coords, b.coords)
    np.testing.assert_array_equal(a.confidence, b.confidence)
    assert (a.fps, a.source, a.meta) == (b.fps, b.source, b.meta)


# ---------------------------------------------------------------- round trips
@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_round_trip_keeps_everything_including_nan_frames(tmp_path, suffix):
    skel = sample_skeleton()
    path = save_skeleton(skel, tmp_path / f"walk{suffix}")
    back = load_skeleton(path)
    assert_same(back, skel)
    assert back.has_person.tolist() == [True, True, False, True, True]


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_non_finite_meta_round_trips_as_nan_in_arrays(tmp_path, suffix):
    """What the IRDS and squat loaders record: per-frame times and origins with NaN gaps."""
    time_ms = np.array([0.0, np.nan, 66.7, np.inf, 133.3])
    origin = np.array([[0.1, 0.2, 0.3], [np.nan] * 3, [0.4, 0.5, 0.6], [0, 0, 0], [1, 1, 1]])
    skel = sample_skeleton(meta={"time_ms": time_ms, "origin_in_camera": origin,
                                 "labels": ["a", None], "unknown": None})
    path = save_skeleton(skel, tmp_path / f"gap{suffix}")
    if suffix == ".json":
        json.loads(path.read_text(), parse_constant=lambda token: pytest.fail(token))  # strict
    back = load_skeleton(path).meta
    np.testing.assert_array_equal(back["time_ms"], np.where(np.isinf(time_ms), np.nan, time_ms)
                                  if suffix == ".json" else time_ms)
    np.testing.assert_array_equal(np.asarray(back["origin_in_camera"]), origin)
    assert back["labels"] == ["a", None] and back["unknown"] is None


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_round_trip_of_unknown_fps_and_source(tmp_path, suffix):
    skel = sample_skeleton(fps=None, source=None, meta={})
    back = load_skeleton(save_skeleton(skel, tmp_path / f"x{suffix}"))
    assert back.fps is None and back.source is None and back.meta == {}


def test_npz_is_written_under_the_exact_name(tmp_path):
    save_skeleton(sample_skeleton(), tmp_path / "clip.npz")
    assert [p.name for p in tmp_path.iterdir()] == ["clip.npz"]


def test_npz_loads_without_pickle(tmp_path):
    path = save_skeleton(sample_skeleton(), tmp_path / "clip.npz")
    with np.load(path, allow_pickle=False) as z:
        assert {"coords", "confidence", "fps", "source", "meta"} <= set(z.files)
        assert json.loads(str(z["meta"]))["units"] == "image_height"


def test_npz_meta_with_numpy_scalars_is_saved_as_plain_json(tmp_path):
    skel = sample_skeleton(meta={"image_size": (np.int32(640), np.int32(360)), "n": np.int64(3)})
    back = load_skeleton(save_skeleton(skel, tmp_path / "clip.npz"))
    assert back.meta == {"image_size": (640, 360), "n": 3}


def test_json_writes_no_person_frames_as_empty_lists(tmp_path):
    path = save_skeleton(sample_skeleton(), tmp_path / "walk.json")
    document = json.loads(path.read_text())
    assert [len(f["landmarks"]) for f in document["frames"]] == [33, 33, 0, 33, 33]
    assert document["fps"] == 29.97 and document["source"] == "mediapipe:walk.mp4"


def test_json_writes_missing_landmarks_as_null(tmp_path):
    path = save_skeleton(sample_skeleton(), tmp_path / "walk.json")
    lm = json.loads(path.read_text())["frames"][3]["landmarks"][7]
    assert lm == {"x": None, "y": None, "z": None, "visibility": None}


def test_json_is_strict_json_without_nan(tmp_path):
    path = save_skeleton(sample_skeleton(), tmp_path / "walk.json")
    assert "NaN" not in path.read_text()


# ---------------------------------------------------------------- the paper's layout
def test_read_sitrex_json_reads_paper_layout_without_fps(tmp_path):
    path = tmp_path / "squat.json"
    write_json(path, {"frames": [{"landmarks": [landmark()] * 33}, {"landmarks": []}]})
    skel = read_sitrex_json(path)
    assert skel.n_frames == 2 and skel.fps is None
    assert skel.has_person.tolist() == [True, False]
    np.testing.assert_allclose(skel.coords[0, 0], [0.1, 0.2, 0.3])
    np.testing.assert_allclose(skel.confidence[0], 0.9)
    assert skel.source == "json:squat.json"
    assert skel.meta["no_person_frames"] == 1


def test_read_sitrex_json_uses_fps_argument_when_file_has_none(tmp_path):
    path = tmp_path / "squat.json"
    write_json(path, {"frames": [{"landmarks": [landmark()] * 33}]})
    assert read_sitrex_json(path, fps=30.0).fps == 30.0


def test_json_fps_and_source_keys_are_read_and_unknown_keys_ignored(tmp_path):
    path = tmp_path / "a.json"
    write_json(path, {"fps": 25, "source": "cam1", "comment": "hi",
                      "frames": [{"landmarks": [landmark()] * 33, "extra": 1}]})
    skel = load_skeleton(path)
    assert (skel.fps, skel.source) == (25.0, "cam1")


def test_json_without_visibility_defaults_confidence_to_one(tmp_path):
    path = tmp_path / "a.json"
    write_json(path, {"frames": [{"landmarks": [{"x": 1, "y": 2, "z": 3}] * 33}]})
    np.testing.assert_array_equal(load_skeleton(path).confidence, 1.0)


def test_json_list_of_keypoint_frames_is_accepted(tmp_path):
    path = tmp_path / "pushfit.json"
    write_json(path, [{"keypoints": [landmark()] * 33}, {"keypoints": []}])
    assert load_skeleton(path).has_person.tolist() == [True, False]


# ---------------------------------------------------------------- malformed files
def test_malformed_json_names_file_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"frames": [\n  {"landmarks": [}\n]}')
    with pytest.raises(SkeletonFileError, match=r"broken\.json: not valid JSON .* line 2, column \d+"):
        load_skeleton(path)


def test_wrong_landmark_count_names_file_and_frame(tmp_path):
    path = tmp_path / "walk.json"
    frames = [{"landmarks": [landmark()] * 33}] * 12 + [{"landmarks": [landmark()] * 17}]
    write_json(path, {"frames": frames})
    expected = "walk.json: frame 12 has 17 landmarks, expected 33 (or 0 for a frame with no person)"
    with pytest.raises(SkeletonFileError) as info:
        load_skeleton(path)
    assert str(info.value) == expected


def test_missing_frames_key_is_reported(tmp_path):
    path = tmp_path / "a.json"
    write_json(path, {"poses": []})
    with pytest.raises(SkeletonFileError, match="a.json: missing top-level key 'frames'"):
        load_skeleton(path)


def test_frame_without_landmarks_key_is_reported(tmp_path):
    path = tmp_path / "a.json"
    write_json(path, {"frames": [{"landmarks": []}, {"points": []}]})
    with pytest.raises(SkeletonFileError, match="a.json: frame 1 has no 'landmarks' key"):
        load_skeleton(path)


def test_landmark_without_coordinate_key_is_reported(tmp_path):
    path = tmp_path / "a.json"
    lms = [landmark()] * 33
    lms[4] = {"x": 0.1, "z": 0.3}
    write_json(path, {"frames": [{"landmarks": [landmark()] * 33}, {"landmarks": lms}]})
    with pytest.raises(SkeletonFileError, match="a.json: frame 1, landmark 4 has no 'y' key"):
        load_skeleton(path)


def test_non_numeric_coordinate_is_reported(tmp_path):
    path = tmp_path / "a.json"
    lms = [landmark()] * 33
    lms[2] = landmark(x="0.5")
    write_json(path, {"frames": [{"landmarks": lms}]})
    with pytest.raises(SkeletonFileError, match="a.json: frame 0, landmark 2: x is '0.5'"):
        load_skeleton(path)


def test_non_positive_fps_in_json_is_reported(tmp_path):
    path = tmp_path / "a.json"
    write_json(path, {"fps": 0, "frames": []})
    with pytest.raises(SkeletonFileError, match="a.json: fps must be a positive"):
        load_skeleton(path)


def test_npz_without_coords_is_reported(tmp_path):
    path = tmp_path / "x.npz"
    np.savez(path, confidence=np.ones((1, 33)))
    with pytest.raises(SkeletonFileError, match="x.npz: missing array 'coords'"):
        load_skeleton(path)


def test_npz_with_wrong_coords_shape_is_reported(tmp_path):
    path = tmp_path / "x.npz"
    np.savez(path, coords=np.zeros((2, 17, 2)))
    with pytest.raises(SkeletonFileError, match=r"x.npz: expected coordinates of shape \(T, 33, 3\)"):
        load_skeleton(path)


def test_corrupt_npz_is_reported(tmp_path):
    path = tmp_path / "x.npz"
    path.write_bytes(b"this is not a zip archive")
    with pytest.raises(SkeletonFileError, match="x.npz: not an .npz archive") as info:
        load_skeleton(path)
    assert "allow_pickle" not in str(info.value)     # numpy's advice: no use to a reader
    np.savez(path, coords=np.array([object()]))         # a zip, but of Python objects
    with pytest.raises(SkeletonFileError, match="holds Python objects"):
        load_skeleton(path)


def test_npz_with_pickled_objects_is_refused(tmp_path):
    path = tmp_path / "x.npz"
    np.savez(path, coords=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(SkeletonFileError, match="x.npz"):
        load_skeleton(path)


def test_skeleton_file_error_is_a_value_error():
    assert issubclass(SkeletonFileError, ValueError)


def test_missing_file_raises_file_not_found_naming_path(tmp_path):
    path = tmp_path / "nowhere.json"
    with pytest.raises(FileNotFoundError, match="nowhere.json"):
        load_skeleton(path)


@pytest.mark.parametrize("action", ["save", "load"])
def test_unknown_suffix_lists_supported_ones(tmp_path, action):
    path = tmp_path / "clip.csv"
    path.write_text("")
    with pytest.raises(ValueError, match=r"unknown file type '.csv'; use one of .npz, .json"):
        save_skeleton(sample_skeleton(), path) if action == "save" else load_skeleton(path)


def test_unserialisable_meta_is_reported_and_nothing_is_written(tmp_path):
    skel = sample_skeleton(meta={"callback": print})
    with pytest.raises(ValueError, match="meta is not JSON-serialisable"):
        save_skeleton(skel, tmp_path / "x.json")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- atomic writes
def test_atomic_write_leaves_no_partial_file_when_writing_raises(tmp_path):
    target = tmp_path / "out.bin"
    with pytest.raises(RuntimeError):
        with atomic_write(target) as f:
            f.write(b"partial")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_keeps_old_content_when_writing_raises(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(target, "w") as f:
            f.write("new")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_save_skeleton_failure_midway_keeps_previous_file(tmp_path, monkeypatch):
    path = save_skeleton(sample_skeleton(), tmp_path / "clip.npz")
    before = path.read_bytes()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", explode)
    with pytest.raises(OSError, match="disk full"):
        save_skeleton(sample_skeleton(fps=10.0), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["clip.npz"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_atomic_write_new_file_gets_default_permissions_not_private(tmp_path):
    from sitrex._atomic import _UMASK

    target = tmp_path / "out.bin"
    with atomic_write(target) as f:
        f.write(b"x")
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_UMASK


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_atomic_write_keeps_permissions_of_replaced_file(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with atomic_write(target) as f:
        f.write(b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_atomic_write_rejects_read_modes(tmp_path):
    with pytest.raises(ValueError, match="mode 'wb'"):
        with atomic_write(tmp_path / "x", "r"):
            pass


def test_atomic_write_into_missing_directory_names_it(tmp_path):
    with pytest.raises(OutputError, match=r"x\.bin.*folder .* does not exist"):
        with atomic_write(tmp_path / "no" / "x.bin"):
            pass


def test_atomic_write_errors_name_the_users_path_not_the_temporary_file(tmp_path, monkeypatch):
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".x.bin.abc123.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(OutputError) as info:
        with atomic_write(tmp_path / "x.bin"):
            pass
    assert str(tmp_path / "x.bin") in str(info.value)
    assert ".tmp" not in str(info.value) and "permissions" in str(info.value)
    assert isinstance(info.value, OSError)


def test_atomic_write_onto_a_folder_is_refused_and_leaves_it(tmp_path):
    (tmp_path / "rep").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        with atomic_write(tmp_path / "rep", "w") as f:
            f.write("x")
    assert [p.name for p in tmp_path.iterdir()] == ["rep"]
