"""Bad input, wrong files and interruptions: every case a clear answer, nothing lost.

Each case is tried as a user would, through the command line and, where it
applies, the Python API. Exit codes follow one table (``sitrex.cli.EXIT_CODES``):
usage 2, bad input 3, missing dependency 4, missing or damaged model files 5,
partial 6, output not writable 7.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile

import numpy as np
import pytest

import sitrex
from sitrex.cli import EXIT_CODES, main
from sitrex.exceptions import InputError, OutputError

A = len(sitrex.ANGLE_NAMES)


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def squat_angles():
    from sitrex.datasets import make_exercise

    skeletons, _ = make_exercise(2, ["squat"], n_reps=3, tempo=1.5, random_state=3)
    return [s.angles() for s in skeletons]


@pytest.fixture(scope="module")
def tiny_keras(tmp_path_factory, squat_angles):
    """A tiny fitted comparator saved as .keras (trained on unsigned angles)."""
    from sitrex.datasets import make_exercise

    skeletons, labels = make_exercise(4, ["squat", "arm curl"], n_reps=2, random_state=0)
    X, y = sitrex.make_pairs([s.angles() for s in skeletons], labels,
                             {"squat": [5, 16], "arm curl": [1, 12]}, n_pairs=16, max_len=32,
                             random_state=0, pad=False)
    cmp = sitrex.ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4, max_len=32,
                                    epochs=1, random_state=0).fit(X, y)
    cmp.metadata_ = {"angle_kind": "unsigned"}
    return cmp.save(tmp_path_factory.mktemp("model") / "tiny.keras")


@pytest.fixture()
def npy(tmp_path):
    def write(name, array):
        path = tmp_path / name
        np.save(path, np.asarray(array, dtype=np.float64))
        return path
    return write


def compare_cli(capsys, coach, athlete, model, *extra):
    return run(capsys, "compare", coach, athlete, "--comparator", model, "--fps", "30", *extra)


# ---------------------------------------------------------------------------- 1. short clips
@pytest.mark.parametrize("frames", [1, 5])
def test_a_clip_too_short_to_judge_is_refused_not_scored_on_one_frame(capsys, npy, tiny_keras,
                                                                      squat_angles, frames):
    coach = npy("coach.npy", squat_angles[0])
    athlete = npy("athlete.npy", squat_angles[1][:frames])
    status, out, err = compare_cli(capsys, coach, athlete, tiny_keras)
    assert status == EXIT_CODES["input"] and out == ""
    assert "athlete's clip is" in err and "s long" in err and "at least 0.3 s" in err
    status, _, err = compare_cli(capsys, npy("c.npy", squat_angles[0][:frames]), coach, tiny_keras)
    assert status == EXIT_CODES["input"] and "coach's clip is" in err


@pytest.mark.assets
def test_an_image_renamed_mp4_is_not_a_one_frame_video(capsys, tmp_path, tiny_keras, npy,
                                                        squat_angles, monkeypatch):
    cv2 = pytest.importorskip("cv2")
    from conftest import require_asset

    monkeypatch.setenv("SITREX_MEDIAPIPE_MODEL",
                       str(require_asset("models/pose_landmarker_lite.task")))
    image = tmp_path / "photo.mp4"
    cv2.imwrite(str(tmp_path / "photo.png"), np.full((48, 64, 3), 128, np.uint8))
    (tmp_path / "photo.png").rename(image)
    status, _, err = compare_cli(capsys, npy("coach.npy", squat_angles[0]), image, tiny_keras)
    assert status == EXIT_CODES["input"] and "looks like an image" in err


# ---------------------------------------------------------------------------- 2. angle kind
def test_a_kind_the_comparator_was_not_trained_on_is_refused(capsys, npy, tiny_keras,
                                                              squat_angles):
    a = npy("a.npy", squat_angles[0])
    status, _, err = compare_cli(capsys, a, a, tiny_keras, "--kind", "sagittal")
    assert status == EXIT_CODES["input"]
    assert "--kind sagittal" in err and "use --kind unsigned" in err


# ---------------------------------------------------------------------------- 3. ranges
@pytest.mark.parametrize("change, needle", [
    (np.radians, "look like radians"),
    (lambda a: a - 500.0, "unsigned angles lie in [0, 180]"),
    (lambda a: np.where(np.arange(a.size).reshape(a.shape) == 7, 1e30, a), "1e+30 degrees"),
])
def test_angles_out_of_range_say_what_looks_wrong(capsys, npy, tiny_keras, squat_angles, change,
                                                   needle):
    coach = npy("coach.npy", squat_angles[0])
    status, _, err = compare_cli(capsys, coach, npy("bad.npy", change(squat_angles[1])),
                                 tiny_keras)
    assert status == EXIT_CODES["input"] and needle in err


@pytest.mark.parametrize("value", [1e30, 1e150])
def test_an_absurd_coordinate_is_refused_not_turned_into_an_angle(tmp_path, value, capsys,
                                                                   tiny_keras, npy, squat_angles):
    coords = np.random.default_rng(0).uniform(0, 1, (40, 33, 3))
    coords[3, 25, 0] = value
    with pytest.raises(InputError, match="not a plausible position"):
        sitrex.Skeleton(coords, fps=30.0)
    path = tmp_path / "athlete.npz"
    np.savez(path, coords=coords, confidence=np.ones((40, 33)), fps=30.0, source="", meta="{}")
    status, _, err = compare_cli(capsys, npy("c.npy", squat_angles[0]), path, tiny_keras)
    assert status == EXIT_CODES["input"] and "not a plausible position" in err


# ---------------------------------------------------------------------------- 4. extraction
@pytest.mark.assets
def test_extracting_an_image_or_a_video_without_a_person_fails_and_writes_nothing(
        capsys, tmp_path, monkeypatch):
    cv2 = pytest.importorskip("cv2")
    from conftest import require_asset

    monkeypatch.setenv("SITREX_MEDIAPIPE_MODEL",
                       str(require_asset("models/pose_landmarker_lite.task")))
    image = tmp_path / "photo.mp4"
    cv2.imwrite(str(tmp_path / "p.png"), np.full((48, 64, 3), 90, np.uint8))
    (tmp_path / "p.png").rename(image)
    noise = tmp_path / "noise.mp4"
    writer = cv2.VideoWriter(str(noise), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (64, 48))
    for _ in range(15):
        writer.write(np.random.default_rng(0).integers(0, 255, (48, 64, 3), np.uint8))
    writer.release()
    out = tmp_path / "out"
    status, _, err = run(capsys, "extract", image, noise, "-o", out, "--jobs", "1", "--quiet")
    assert status == EXIT_CODES["input"]
    assert "photo.mp4" in err and "looks like an image" in err
    assert "noise.mp4" in err and "no frame has a person" in err
    assert "2 failed, 0 written" in err
    assert list(out.iterdir()) == []


# ---------------------------------------------------------------------------- 5, 7, 12. options
@pytest.mark.parametrize("argv", [
    ["evaluate", "synthetic", "--splits", "0"],
    ["evaluate", "synthetic", "--splits", "1"],
    ["train", "synthetic", "-o", "m.keras", "--pairs", "0"],
    ["train", "synthetic", "-o", "m.keras", "--max-len", "-1"],
    ["evaluate", "synthetic", "--test-pairs", "0"],
    ["extract", "v.mp4", "-o", "out", "--jobs", "0"],
    ["compare", "a.npy", "b.npy", "--stride", "-1"],
    ["compare", "a.npy", "b.npy", "--window", "0"],
    ["compare", "a.npy", "b.npy", "--threshold", "1.5"],
    ["compare", "a.npy", "b.npy", "--coach-rep", "0"],
])
def test_bad_option_values_are_usage_errors_in_the_commands_words(capsys, argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == EXIT_CODES["usage"]
    err = capsys.readouterr().err
    option = next(a for a in argv if a.startswith("--"))
    assert option in err and "n_pairs" not in err and "n_jobs" not in err


@pytest.mark.parametrize("extra, needle", [
    (["--plot", "fig.jpg"], "--plot must name a .png or .svg file"),
    (["--video", "overlay.mp4"], "--video draws on the poses"),
    (["-o", "report.txt"], "-o/--output must name a .json file"),
])
def test_output_options_are_checked_before_any_work(capsys, tmp_path, monkeypatch, npy,
                                                     squat_angles, tiny_keras, extra, needle):
    monkeypatch.chdir(tmp_path)
    a = npy("a.npy", squat_angles[0])
    monkeypatch.setattr("sitrex.cli.commands._comparator",
                        lambda args: pytest.fail("the comparator was loaded before the check"))
    status, _, err = compare_cli(capsys, a, a, tiny_keras, *extra)
    assert status == EXIT_CODES["usage"] and needle in err


def test_an_unwritable_output_stops_the_command_before_anything_is_written(
        capsys, tmp_path, monkeypatch, npy, squat_angles, tiny_keras):
    a = npy("a.npy", squat_angles[0])
    locked = tmp_path / "locked"
    locked.mkdir()
    real = tempfile.mkstemp

    def no_write_in_locked(*args, dir=None, **kwargs):
        if dir is not None and os.path.samefile(dir, locked):
            raise PermissionError(13, "Permission denied", str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", no_write_in_locked)
    report = tmp_path / "report.json"
    status, _, err = compare_cli(capsys, a, a, tiny_keras, "-o", report,
                                 "--csv", locked / "r.csv")
    assert status == EXIT_CODES["output"]
    assert "locked" in err and "Permission denied" in err and ".tmp" not in err
    assert not report.exists()                               # nothing half-done


# ---------------------------------------------------------------------------- 6. train
def test_train_checks_its_output_before_training(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken.keras").mkdir()
    trained = []
    monkeypatch.setattr("sitrex.cli.commands._dataset",
                        lambda *a: trained.append(1) or pytest.fail("trained before checking"))
    status, _, err = run(capsys, "train", "synthetic", "-o", "taken.keras")
    assert status == EXIT_CODES["output"] and "taken.keras" in err and "folder" in err
    assert not trained


def test_train_creates_a_missing_output_folder_up_front(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def stop(*args):
        raise InputError("stop here")

    monkeypatch.setattr("sitrex.cli.commands._dataset", stop)
    status, _, err = run(capsys, "train", "synthetic", "-o", "models/new/m.keras")
    assert (tmp_path / "models" / "new").is_dir() and "stop here" in err


# ---------------------------------------------------------------------------- 8. write errors
def test_writing_onto_a_folder_names_the_users_path(capsys, tmp_path, npy, squat_angles,
                                                     tiny_keras):
    a = npy("a.npy", squat_angles[0])
    (tmp_path / "rep.json").mkdir()
    status, _, err = compare_cli(capsys, a, a, tiny_keras, "-o", tmp_path / "rep.json")
    assert status == EXIT_CODES["output"] and "rep.json" in err and ".tmp" not in err
    with pytest.raises(OutputError, match="rep.json.*folder"):
        sitrex.Skeleton(np.zeros((2, 33, 3)), fps=30.0).save(tmp_path / "rep.json")
    (tmp_path / "out").write_text("a file")
    (tmp_path / "x.mp4").write_bytes(b"not read: the output is checked first")
    status, _, err = run(capsys, "extract", tmp_path / "x.mp4", "-o", tmp_path / "out")
    assert status == EXIT_CODES["output"] and "is a file" in err


def test_saving_a_comparator_onto_a_folder_names_it(tmp_path, tiny_keras):
    cmp = sitrex.ExerciseComparator.load(tiny_keras)
    (tmp_path / "m.keras").mkdir()
    with pytest.raises(OutputError, match="m.keras"):
        cmp.save(tmp_path / "m.keras")


# ---------------------------------------------------------------------------- 9. model files
def test_a_damaged_comparator_file_names_the_file(capsys, tmp_path, npy, squat_angles,
                                                   tiny_keras):
    a = npy("a.npy", squat_angles[0])
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(tiny_keras.read_bytes()[:2000])
    status, _, err = compare_cli(capsys, a, a, truncated)
    assert status == EXIT_CODES["model"] and "truncated.keras" in err
    broken = tmp_path / "broken.keras"
    with zipfile.ZipFile(tiny_keras) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, b"{not json" if item.filename == "sitrex.json" else data)
    status, _, err = compare_cli(capsys, a, a, broken)
    assert status == EXIT_CODES["model"] and "broken.keras" in err


@pytest.mark.assets
@pytest.mark.parametrize("backend, name", [("mediapipe", "bad.task"), ("yolo", "bad.pt")])
def test_a_damaged_pose_model_is_a_model_error_naming_the_file(capsys, tmp_path, backend, name):
    from conftest import require_asset

    video = require_asset("videos/pose2sim_single_cam01.mp4")
    bad = tmp_path / name
    bad.write_bytes(b"not a model at all" * 100)
    status, _, err = run(capsys, "extract", video, "-o", tmp_path / "out", "--backend", backend,
                         "--model-path", bad, "--quiet")
    assert status == EXIT_CODES["model"] and name in err
    assert err.count("\n") == 1


def test_a_missing_weights_path_is_named_as_the_option(capsys, tmp_path, npy, squat_angles):
    a = npy("a.npy", squat_angles[0])
    status, _, err = run(capsys, "compare", a, a, "--weights-path", tmp_path / "nowhere")
    assert status == EXIT_CODES["model"] and "--weights-path" in err and "path=" not in err


# ---------------------------------------------------------------------------- 10. .npy files
@pytest.mark.parametrize("content, needle", [(b"", "an empty file"),
                                              (b"frame,knee\n0,120\n", "not a NumPy array file")])
def test_a_broken_npy_file_is_named_and_never_invites_an_unsafe_load(capsys, tmp_path, content,
                                                                     needle, tiny_keras):
    bad = tmp_path / "athlete.npy"
    bad.write_bytes(content)
    status, _, err = compare_cli(capsys, bad, bad, tiny_keras)
    assert status == EXIT_CODES["input"] and "athlete.npy" in err and needle in err
    assert "unsafe" not in err and "pickle" not in err


def test_the_fps_warning_speaks_cli_and_quiet_silences_it(npy, squat_angles, tiny_keras):
    a = npy("a.npy", squat_angles[0])
    command = [sys.executable, "-m", "sitrex", "compare", str(a), str(a), "--comparator",
               str(tiny_keras)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and "--fps" in done.stderr and "compare()" not in done.stderr
    done = subprocess.run(command + ["--quiet"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and done.stderr == "" and done.stdout == ""


# ---------------------------------------------------------------------------- 11. empty
def test_an_empty_skeleton_has_no_angles_and_cannot_be_compared(capsys, tmp_path, npy,
                                                                 squat_angles, tiny_keras):
    empty = sitrex.Skeleton(np.zeros((0, 33, 3)), fps=30.0)
    assert empty.angles().shape == (0, A)
    path = empty.save(tmp_path / "empty.npz")
    status, _, err = compare_cli(capsys, npy("c.npy", squat_angles[0]), path, tiny_keras)
    assert status == EXIT_CODES["input"] and "has no frames" in err


# ---------------------------------------------------------------------------- 13. logs
@pytest.mark.assets
def test_extraction_workers_print_no_third_party_logs_with_quiet(tmp_path):
    from conftest import require_asset

    video = require_asset("videos/pose2sim_single_cam01.mp4")
    env = {**os.environ, "SITREX_MEDIAPIPE_MODEL":
           str(require_asset("models/pose_landmarker_lite.task")), "SITREX_OFFLINE": "1"}
    env.pop("SITREX_NATIVE_LOGS", None)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200)       # no moov atom
    done = subprocess.run([sys.executable, "-m", "sitrex", "extract", str(video), str(broken),
                           "-o", str(tmp_path / "out"), "--jobs", "2", "--quiet"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == EXIT_CODES["partial"]
    assert done.stdout == ""
    assert "moov" not in done.stderr and "INFO:" not in done.stderr
    assert "W0000" not in done.stderr and "WARNING: [" not in done.stderr
