"""The sitrex command line: exit codes, one-line errors, JSON output, and each command."""

import json
import subprocess
import sys

import pytest

from sitrex.cli import EXIT_CODES, main


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_backends_text_and_json(capsys):
    status, out, _ = run(capsys, "backends")
    assert status == 0 and "mediapipe" in out
    status, out, _ = run(capsys, "backends", "--json")
    assert json.loads(out)["yolo"]["entry_point"].endswith(":YoloBackend")


@pytest.mark.parametrize("argv, code, needle", [
    (["compare", "no-coach.mp4", "no-athlete.mp4"], "input", "no such file: no-coach.mp4"),
    (["extract", "nope.mp4", "-o", "out"], "input", "no video file"),
    (["extract", "nope.mp4", "-o", "out", "--backend", "openpose"], "dependency", "openpose"),
    (["train", "no-such-folder", "-o", "m.keras"], "input", "no data set"),
    (["train", "synthetic", "-o", "m.h5"], "usage", "must name a .keras file"),
])
def test_errors_are_one_line_with_meaningful_codes(capsys, tmp_path, monkeypatch, argv, code,
                                                   needle):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, *argv)
    assert status == EXIT_CODES[code]
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err
    assert out == ""


def test_missing_weights_say_how_to_provide_them(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SITREX_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SITREX_OFFLINE", "1")
    monkeypatch.delenv("SITREX_WEIGHTS", raising=False)
    coach = tmp_path / "coach.npy"
    import numpy as np

    np.save(coach, np.zeros((10, 23)))
    status, _, err = run(capsys, "compare", str(coach), str(coach), "--weights", "sitrex-paper")
    assert status == EXIT_CODES["model"]
    assert "angle_similarity_model_L300.h5" in err and "SITREX_WEIGHTS" in err


def test_debug_shows_the_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError):
        main(["compare", "a.mp4", "b.mp4", "--debug"])


def test_usage_error_exit_code():
    result = subprocess.run([sys.executable, "-m", "sitrex", "compare"], capture_output=True,
                            text=True)
    assert result.returncode == EXIT_CODES["usage"] and "usage:" in result.stderr


def test_train_then_evaluate_on_synthetic_data(capsys, tmp_path):
    model = tmp_path / "model.keras"
    common = ["--epochs", "1", "--pairs", "64", "--max-len", "32", "--quiet"]
    status, out, _ = run(capsys, "train", "synthetic", "-o", str(model), *common, "--json")
    assert status == 0 and model.is_file()
    payload = json.loads(out)
    assert payload["model"] == str(model) and len(payload["angles"]) >= 19
    from sitrex.estimators import ExerciseComparator

    loaded = ExerciseComparator.load(model)
    assert loaded.metadata_["angle_kind"] == "unsigned"
    assert "synthetic" in loaded.metadata_["trained_on"]
    status, out, _ = run(capsys, "evaluate", "synthetic", "--protocol", "kfold", "--splits", "2",
                         "--test-pairs", "32", *common, "--json")
    assert status == 0
    scores = json.loads(out)["scores"]
    assert len(scores) == 2 and all(0.0 <= s <= 1.0 for s in scores)


def test_compare_landmark_files_writes_every_output(capsys, tmp_path):
    """Coach and athlete landmark files (synthetic) with a small trained comparator."""
    from sitrex.datasets import SYNTHETIC_EXERCISE_ANGLES, make_exercise
    from sitrex.estimators import ExerciseComparator
    from sitrex.pairs import make_pairs

    skeletons, labels = make_exercise(8, ["squat", "arm curl"], random_state=0)
    from sitrex.angles import ANGLE_NAMES

    useful = {ex: [ANGLE_NAMES.index(n) for n in SYNTHETIC_EXERCISE_ANGLES[ex]]
              for ex in ("squat", "arm curl")}
    X, y = make_pairs([s.angles() for s in skeletons], labels, useful, n_pairs=32, max_len=16,
                      random_state=0)
    cmp = ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4, max_len=16,
                             epochs=1, random_state=0).fit(X, y)
    model = cmp.save(tmp_path / "cmp.keras")
    coach, athlete = (skeletons[i].save(tmp_path / f"{name}.npz")
                      for i, name in ((0, "coach"), (2, "athlete")))
    out = tmp_path / "results"
    status, stdout, _ = run(capsys, "compare", str(coach), str(athlete), "--comparator",
                            str(model), "-o", str(out / "r.json"), "--csv", str(out / "r.csv"),
                            "--plot", str(out / "r.png"), "--stride", "2", "--json", "--quiet")
    assert status == 0
    payload = json.loads(stdout)
    assert sorted(payload["written"]) == ["csv", "plot", "report"]
    assert all((out / f"r.{ext}").is_file() for ext in ("json", "csv", "png"))
    from sitrex import Skeleton

    report = json.loads((out / "r.json").read_text())
    assert report["angle_names"] == list(ANGLE_NAMES)
    assert len(report["present"]) == Skeleton.load(athlete).n_frames


def test_compare_landmark_arrays_saved_with_numpy(capsys, tmp_path):
    """(frames, 33, 3) and 2-D (frames, 33, 2) .npy files are landmarks, at --fps."""
    import numpy as np

    from sitrex.datasets import make_exercise

    (coach, athlete), _ = make_exercise(2, ["squat"], n_reps=2, random_state=1)
    np.save(tmp_path / "coach.npy", coach.coords)
    np.save(tmp_path / "athlete.npy", athlete.coords[..., :2])
    status, stdout, err = run(capsys, "compare", str(tmp_path / "coach.npy"),
                              str(tmp_path / "athlete.npy"), "--fps", str(athlete.fps), "--json",
                              "--quiet")
    assert status == 0, err
    report = json.loads(stdout)["report"]
    assert 0.0 <= report["score"] <= 1.0 and report["worst_angles"]
    assert report["fps"] == athlete.fps and report["n_frames"] == athlete.n_frames


@pytest.fixture(scope="module")
def small_comparator_file(tmp_path_factory):
    """A small comparator trained on synthetic squats and curls, saved for --comparator."""
    from sitrex.datasets import make_exercise
    from sitrex.estimators import ExerciseComparator
    from sitrex.pairs import make_pairs

    skeletons, labels = make_exercise(8, ["squat", "arm curl"], n_reps=2, random_state=0)
    X, y = make_pairs([s.angles() for s in skeletons], labels,
                      {"squat": [5, 16], "arm curl": [1, 12]}, n_pairs=16, max_len=16,
                      random_state=0)
    cmp = ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4, max_len=16,
                             epochs=1, random_state=0).fit(X, y)
    folder = tmp_path_factory.mktemp("cli-many")
    for k, skeleton in enumerate(s for s, lab in zip(skeletons, labels) if lab == "squat"):
        skeleton.save(folder / ("coach.npz" if k == 0 else f"athlete{k}.npz"))
    return cmp.save(folder / "cmp.keras"), folder


def test_compare_a_folder_of_athletes_writes_reports_and_a_summary(capsys, tmp_path,
                                                                   small_comparator_file):
    model, folder = small_comparator_file
    athletes = tmp_path / "athletes"
    athletes.mkdir()
    for path in sorted(folder.glob("athlete*.npz")):
        (athletes / path.name).write_bytes(path.read_bytes())
    (athletes / "broken.npz").write_bytes(b"not a landmark archive")
    out = tmp_path / "out"
    argv = ["compare", str(folder / "coach.npz"), str(athletes), "-o", str(out), "--comparator",
            str(model), "--quiet"]
    status, stdout, err = run(capsys, *argv, "--json")
    assert status == EXIT_CODES["partial"], err
    summary = json.loads(stdout)
    assert summary["counts"] == {"compared": 3, "skipped": 0, "failed": 1}
    assert [a["athlete"] for a in summary["athletes"]] == ["athlete1", "athlete2", "athlete3",
                                                          "broken"]
    assert sorted(p.name for p in out.iterdir()) == [
        "athlete1.json", "athlete2.json", "athlete3.json", "summary.csv", "summary.json"]
    header = (out / "summary.csv").read_text().splitlines()[0]
    assert header == "athlete,status,score,worst_angles,repetitions,coach_mirrored,alternates,report,error"

    (athletes / "broken.npz").unlink()                    # fixed: the rerun resumes
    status, stdout, _ = run(capsys, *argv[:-1])
    assert status == 0
    assert "skipped 3 (already done), failed 0" in stdout and "athlete2: score" in stdout


def test_compare_several_files_needs_an_output_folder(capsys, small_comparator_file):
    model, folder = small_comparator_file
    files = [str(folder / "coach.npz"), str(folder / "athlete1.npz"), str(folder / "athlete2.npz")]
    status, _, err = run(capsys, "compare", *files, "--comparator", str(model))
    assert status == EXIT_CODES["usage"] and "-o OUT_DIR" in err
    status, _, err = run(capsys, "compare", *files, "-o", "out", "--plot", "p.png")
    assert status == EXIT_CODES["usage"] and "--plot is for one athlete" in err
    status, _, err = run(capsys, "compare", *files, "-o", "out", "--athlete-video", "a.mp4")
    assert status == EXIT_CODES["usage"] and "--athlete-video is for one athlete" in err


def test_a_report_never_overwrites_an_input(capsys, small_comparator_file, tmp_path):
    model, folder = small_comparator_file
    athlete = tmp_path / "athlete.json"
    from sitrex import Skeleton

    Skeleton.load(folder / "athlete1.npz").save(athlete)
    before = athlete.read_bytes()
    status, _, err = run(capsys, "compare", str(folder / "coach.npz"), str(athlete),
                         "--comparator", str(model), "-o", str(athlete))
    assert status == EXIT_CODES["usage"] and "would overwrite ATHLETE" in err
    assert athlete.read_bytes() == before


@pytest.mark.parametrize("make_argv, code, needle", [
    (lambda p: ["compare", "a.npy", "b.npy", "--fps", "0.01"], "usage",
     "must be between 1 and 10000 frames per second"),
    (lambda p: ["compare", str(p), str(p / "text.npz")], "input", "is a folder, not a file"),
    (lambda p: ["extract", str(p), "-o", str(p / "out")], "input",
     "a folder, not a video file"),
    (lambda p: ["demo", "-o", str(p / "a_file")], "output", "is a file; give a folder"),
    (lambda p: ["compare", str(p / "text.npz"), str(p / "text.npz"), "--athlete-video",
                "a.mp4"], "usage",
     "--athlete-video is the video --video draws on"),
    (lambda p: ["compare", str(p / "text.npz"), str(p / "text.npz"), "-o",
                str(p / "r.json")], "input", "not an .npz archive"),
])
def test_inputs_that_are_not_what_they_seem_are_named(capsys, tmp_path, make_argv, code,
                                                      needle):
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "text.npz").write_text("not an archive")
    try:
        status, _, err = run(capsys, *make_argv(tmp_path))
    except SystemExit as exc:                      # argparse's own checks
        status, err = exc.code, capsys.readouterr().err
    assert status == EXIT_CODES[code], err
    assert needle in err and "Traceback" not in err and "allow_pickle" not in err


def test_library_argument_names_become_options():
    from sitrex.cli import _in_command_words

    assert _in_command_words("kind='sagittal', but the comparator was trained on 'unsigned' "
                             "angles; use kind='unsigned'") == (
        "--kind sagittal, but the comparator was trained on 'unsigned' angles; use --kind unsigned")
    assert "put the penn_action.npz file in that folder or set $SITREX_DATA" in _in_command_words(
        "load_penn_action: no penn_action.npz at 'x' (looked in y). sitrex never downloads data: "
        "pass path= (the penn_action.npz file or its folder) or set $SITREX_DATA to the folder")
    assert "--model-size must be" in _in_command_words("model must be 'lite', 'full' or 'heavy'")


def test_an_overlay_of_landmark_files_says_it_is_drawn_on_black_frames(capsys, tmp_path,
                                                                       small_comparator_file):
    """Landmark files carry no video: the command says where --video draws them."""
    from sitrex import Skeleton

    model, folder = small_comparator_file
    files = []
    for name in ("coach", "athlete1"):
        s = Skeleton.load(folder / f"{name}.npz")
        image = s.replace(coords=s.coords * 0.3 + 0.5, meta={**s.meta, "units": "image_height",
                                                             "image_size": [160, 120]})
        files.append(str(image.save(tmp_path / f"{name}.npz")))
    status, _, err = run(capsys, "compare", *files, "--comparator", str(model), "--video",
                         str(tmp_path / "o.mp4"))
    assert status == 0, err
    assert "--video: the athlete's landmarks are drawn on black frames" in err
    assert (tmp_path / "o.mp4").stat().st_size > 0


def test_quiet_still_lists_each_athlete_that_failed(capsys, tmp_path, small_comparator_file):
    model, folder = small_comparator_file
    athletes = tmp_path / "athletes"
    athletes.mkdir()
    (athletes / "athlete1.npz").write_bytes((folder / "athlete1.npz").read_bytes())
    (athletes / "broken.npz").write_bytes(b"not a landmark archive")
    status, out, err = run(capsys, "compare", str(folder / "coach.npz"), str(athletes), "-o",
                           str(tmp_path / "out"), "--comparator", str(model), "-q")
    assert status == EXIT_CODES["partial"] and out == ""
    assert err.startswith("sitrex compare: broken: failed: SkeletonFileError") and \
        err.count("\n") == 1


@pytest.mark.parametrize("value", ["-1", "99999999999", "1.5"])
def test_a_seed_out_of_range_is_a_usage_error(capsys, tmp_path, value):
    with pytest.raises(SystemExit) as exc:
        main(["train", "synthetic", "-o", str(tmp_path / "m.keras"), "--seed", value])
    err = capsys.readouterr().err
    assert exc.value.code == EXIT_CODES["usage"] and "argument --seed" in err
    assert "0 to 4294967295" in err or "not an integer" in err
    assert not (tmp_path / "m.keras").exists()


def test_synthetic_data_of_every_plane_keep_each_useful_angle_in_every_plane():
    """--kind all: a useful angle stands for its plane columns, as the real data sets' loaders
    have it (sitrex.datasets._clips.exercise_columns)."""
    from sitrex.cli.commands import _dataset

    dataset = _dataset("synthetic", "all", 0)
    assert dataset.exercise_angle_names("arm curl") == [
        f"{side} elbow ({plane})" for side in ("left", "right")
        for plane in ("sagittal", "coronal", "transverse")]


def test_an_overlay_needs_landmarks_in_image_units_before_any_work(capsys, tmp_path,
                                                                   small_comparator_file,
                                                                   monkeypatch):
    from sitrex.cli import commands

    model, folder = small_comparator_file
    monkeypatch.setattr(commands, "_comparator", lambda *a, **k: pytest.fail("work started"))
    status, _, err = run(capsys, "compare", str(folder / "coach.npz"),
                         str(folder / "athlete1.npz"), "--comparator", str(model), "--video",
                         str(tmp_path / "o.mp4"))
    assert status == EXIT_CODES["usage"], err
    assert "--video draws on the poses, but ATHLETE" in err and "units" in err
    assert err.count("\n") == 1 and not (tmp_path / "o.mp4").exists()


def test_a_wrong_camera_is_said_before_the_coach_is_prepared(capsys, tmp_path, monkeypatch,
                                                              small_comparator_file):
    import sitrex.live
    from sitrex.cli import commands
    from sitrex.exceptions import VideoError

    def no_camera(index):
        raise VideoError(f"cannot read camera {index}: no such device")

    _, folder = small_comparator_file
    monkeypatch.setattr(sitrex.live, "Camera", no_camera)
    monkeypatch.setattr(commands, "_comparator", lambda *a, **k: pytest.fail("work started"))
    status, _, err = run(capsys, "live", "--coach", str(folder / "coach.npz"), "--camera", "7",
                         "--no-window", "-o", str(tmp_path / "live.mp4"))
    assert status == EXIT_CODES["input"] and "cannot read camera 7" in err


def test_sigterm_stops_a_command_as_ctrl_c_does(monkeypatch, capsys):
    """kill, docker stop, systemd: the command stops at once, as Ctrl-C stops it (exit 130)."""
    import os
    import signal
    import time

    from sitrex.cli import commands

    def terminated(args):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
        raise AssertionError("SIGTERM did not stop the command")

    monkeypatch.setattr(commands, "backends", terminated)
    before = signal.getsignal(signal.SIGTERM)
    assert main(["backends"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGTERM) is before          # put back after the command
