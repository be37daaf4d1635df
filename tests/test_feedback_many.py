"""compare_many(): the coach prepared once, one report per athlete as compare() gives it, resumable."""

from __future__ import annotations

import csv
import json
import warnings

import numpy as np
import pytest

import sitrex
from sitrex.datasets import make_exercise
from sitrex.exceptions import InputError, MissingFileError
from sitrex.feedback import compare, compare_many
from sitrex.feedback.many import athlete_inputs

MAX_LEN = 32
OPTIONS = dict(useful_angles=["left knee", "right knee"], repetitions=False)


@pytest.fixture(scope="module")
def clips():
    return make_exercise(8, ["squat", "arm curl"], n_reps=2, tempo=1.5, random_state=3)


@pytest.fixture(scope="module")
def squats(clips):
    skeletons, labels = clips
    return [s for s, label in zip(skeletons, labels) if label == "squat"][:4]


@pytest.fixture(scope="module")
def comparator(clips):
    skeletons, labels = clips
    seqs = [s.angles() for s in skeletons]
    X, y = sitrex.make_pairs(seqs, labels, {"squat": [5, 16], "arm curl": [1, 12]}, n_pairs=16,
                             max_len=MAX_LEN, random_state=0, pad=False)
    return sitrex.ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4,
                                     max_len=MAX_LEN, epochs=1, random_state=0).fit(X, y)


@pytest.fixture()
def files(squats, tmp_path):
    """The coach and three athletes as landmark files, in a folder."""
    folder = tmp_path / "athletes"
    folder.mkdir()
    squats[0].save(tmp_path / "coach.npz")
    for name, skeleton in zip(("ann", "bob", "cat"), squats[1:]):
        skeleton.save(folder / f"{name}.npz")
    return tmp_path / "coach.npz", folder


def test_each_report_is_the_one_compare_gives(comparator, squats):
    result = compare_many(squats[0], {"ann": squats[1], "bob": squats[2]}, comparator, **OPTIONS)
    assert result.ok and result.compared == ["ann", "bob"] and result.summary == {}
    for name, athlete in (("ann", squats[1]), ("bob", squats[2])):
        alone = compare(squats[0], athlete, comparator, **OPTIONS)
        np.testing.assert_allclose(result.reports[name].similarity, alone.similarity,
                                   atol=1e-6, equal_nan=True)
        row = result.rows[0 if name == "ann" else 1]
        assert row.score == pytest.approx(alone.score, abs=1e-6)
        assert row.worst_angles == alone.worst_angles(3)


def test_the_coach_is_prepared_once(comparator, squats, monkeypatch):
    calls = []
    usefulness = comparator.predict_usefulness_proba
    monkeypatch.setattr(comparator, "predict_usefulness_proba",
                        lambda X: calls.append(len(X)) or usefulness(X))
    result = compare_many(squats[0], list(squats[1:]), comparator, **OPTIONS)
    assert result.compared == ["athlete-001", "athlete-002", "athlete-003"]
    assert calls == [1]          # usefulness predicted once, on the coach


def test_reports_and_summary_are_written_and_a_rerun_skips_them(comparator, files, tmp_path):
    coach, folder = files
    out = tmp_path / "out"
    first = compare_many(coach, folder, comparator, output_dir=out, **OPTIONS)
    assert first.compared == ["ann", "bob", "cat"] and first.reports == {}
    assert sorted(p.name for p in out.iterdir()) == ["ann.json", "bob.json", "cat.json",
                                                     "summary.csv", "summary.json"]
    with open(out / "summary.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert [r["athlete"] for r in table] == ["ann", "bob", "cat"]
    assert set(table[0]) == {"athlete", "status", "score", "worst_angles", "repetitions",
                             "coach_mirrored", "alternates", "report", "error"}
    assert float(table[1]["score"]) == pytest.approx(
        sitrex.FeedbackReport.from_json(out / "bob.json").score, abs=1e-5)
    stamp = (out / "ann.json").stat().st_mtime_ns

    again = compare_many(coach, folder, comparator, output_dir=out, **OPTIONS)
    assert again.skipped == ["ann", "bob", "cat"] and again.compared == []
    assert (out / "ann.json").stat().st_mtime_ns == stamp
    assert [r.score for r in again.rows] == pytest.approx([r.score for r in first.rows])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"] == {"compared": 0, "skipped": 3, "failed": 0}
    assert summary["coach"] == str(coach)

    redo = compare_many(coach, folder, comparator, output_dir=out, overwrite=True, **OPTIONS)
    assert redo.compared == ["ann", "bob", "cat"]


def test_one_bad_athlete_is_reported_without_stopping_the_others(comparator, files, tmp_path):
    coach, folder = files
    (folder / "dan.npz").write_bytes(b"not a landmark archive")
    out = tmp_path / "out"
    result = compare_many(coach, folder, comparator, output_dir=out, **OPTIONS)
    assert not result.ok and result.compared == ["ann", "bob", "cat"]
    assert list(result.failed) == ["dan"] and "SkeletonFileError" in result.failed["dan"]
    assert not (out / "dan.json").exists()
    rows = json.loads((out / "summary.json").read_text())["athletes"]
    assert [(r["athlete"], r["status"]) for r in rows][-1] == ("dan", "failed")
    assert not list(out.glob(".*"))          # no temporary file left behind

    # the rerun retries only the failed athlete
    (folder / "dan.npz").unlink()
    fixed = compare_many(coach, sorted(folder.iterdir()), comparator, output_dir=out, **OPTIONS)
    assert fixed.ok and fixed.skipped == ["ann", "bob", "cat"]
    assert json.loads((out / "summary.json").read_text())["counts"]["failed"] == 0


def test_a_report_finished_before_the_workers_stopped_counts_as_compared(comparator, files,
                                                                         tmp_path, monkeypatch):
    """The pool broke (a worker killed) after "bob"'s worker wrote its report but before it said
    so: the summary lists what is on disk; "cat", never run, is failed; an old report (written
    before the run, kept by overwrite=True) does not count; a half-written file is removed."""
    import os

    from sitrex import _parallel
    from sitrex._parallel import Outcome

    coach, folder = files
    out = tmp_path / "out"
    compare_many(coach, folder, comparator, output_dir=out, **OPTIONS)
    old = (out / "cat.json").stat().st_mtime
    os.utime(out / "cat.json", (old - 3600, old - 3600))          # from an hour ago

    def broken_pool(function, tasks, *, shared, client, n_jobs):
        yield Outcome(0, True, value=function(**tasks[0], **shared))
        function(**tasks[1], **shared)                            # written, then the pool broke
        (out / ".cat.json.k1ll3d.tmp").write_text('{"half": ')     # a worker killed mid-write
        for index in (1, 2):
            yield Outcome(index, False, error="not run: the worker processes stopped (killed)")

    monkeypatch.setattr(_parallel, "run_tasks", broken_pool)
    result = compare_many(coach, folder, comparator, output_dir=out, overwrite=True, **OPTIONS)
    assert result.compared == ["ann", "bob"] and list(result.failed) == ["cat"]
    bob = result.rows[1]
    assert bob.report == str(out / "bob.json")
    assert bob.score == pytest.approx(sitrex.FeedbackReport.from_json(out / "bob.json").score,
                                      abs=1e-5)
    counts = json.loads((out / "summary.json").read_text())["counts"]
    assert counts == {"compared": 2, "skipped": 0, "failed": 1}
    assert not list(out.glob(".*"))          # no half-written file left behind


def test_an_athlete_shorter_than_the_warm_up_fails_alone(comparator, squats):
    short = squats[2].replace(coords=squats[2].coords[:3], confidence=squats[2].confidence[:3])
    result = compare_many(squats[0], {"ann": squats[1], "tiny": short}, comparator, **OPTIONS)
    assert result.compared == ["ann"] and "clip is 0.10 s long" in result.failed["tiny"]


def test_athletes_are_named_by_file_and_checked_before_any_work(tmp_path):
    (tmp_path / "a.npz").write_bytes(b"")
    (tmp_path / "b.mp4").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("not an athlete")
    assert list(athlete_inputs(tmp_path)) == ["a", "b"]
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.json").write_text("{}")
    with pytest.raises(InputError, match="two athletes are named 'a'"):
        athlete_inputs([tmp_path, other / "a.json"])
    with pytest.raises(MissingFileError, match="nope.npz"):
        athlete_inputs([tmp_path / "nope.npz"])
    with pytest.raises(InputError, match="summary"):
        athlete_inputs({"summary": np.zeros((5, 23))})
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no video or landmark file"):
        athlete_inputs(empty)
    with pytest.raises(InputError, match="no athlete"):
        athlete_inputs([])


def test_bad_options_fail_before_any_input_is_read(comparator, tmp_path):
    with pytest.raises(InputError, match="stride"):
        compare_many(tmp_path / "missing-coach.mp4", [tmp_path], comparator, stride=0)
    with pytest.raises(TypeError, match="no_such_option"):
        compare_many("coach.npz", [], comparator, no_such_option=1)
    with pytest.raises(InputError, match="dask.distributed.Client"):
        compare_many("coach.npz", {"a": np.zeros((5, 23))}, comparator, client="tcp://x:8786")


def test_a_backend_object_stays_in_this_process(comparator, squats):
    from sitrex.backends import PoseBackend

    class StillBackend(PoseBackend):
        name = "still"

        def detect_image(self, rgb):  # pragma: no cover - never called
            raise AssertionError

    with pytest.raises(InputError, match="backend's name"):
        compare_many(squats[0], {"ann": squats[1]}, comparator, StillBackend(), n_jobs=2)


def test_a_json_file_that_is_no_report_is_not_taken_for_a_finished_one(comparator, files,
                                                                      tmp_path):
    """A stray JSON file named like an athlete's report (a landmark file, say) is not a finished
    report: the athlete is compared and the file replaced by the report."""
    coach, folder = files
    out = tmp_path / "out"
    out.mkdir()
    sitrex.load_skeleton(folder / "bob.npz").save(out / "bob.json")     # a landmark file
    result = compare_many(coach, folder, comparator, output_dir=out, **OPTIONS)
    assert result.compared == ["ann", "bob", "cat"] and result.skipped == []
    assert sitrex.FeedbackReport.from_json(out / "bob.json").n_frames > 0


def test_reports_never_overwrite_the_inputs(comparator, files, tmp_path):
    """Athletes as .json landmark files and -o their own folder: each report would replace its
    athlete, so nothing is written and the error says why."""
    coach, folder = files
    for path in folder.glob("*.npz"):
        sitrex.load_skeleton(path).save(path.with_suffix(".json"))
        path.unlink()
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(sitrex.InputError, match=r"input \(athlete 'ann'\).*output folder"):
        compare_many(coach, folder, comparator, output_dir=folder, **OPTIONS)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    summary_coach = folder / "summary.json"                 # where the summary would go
    sitrex.load_skeleton(coach).save(summary_coach)
    with pytest.raises(sitrex.InputError, match=r"is an input \(the coach\)"):
        compare_many(summary_coach, [coach], comparator, output_dir=folder, **OPTIONS)


def test_athletes_without_a_frame_rate_are_said_once_in_this_process(squats):
    """Worker processes' warnings do not reach the user: compare_many says which athletes have
    no frame rate before it sends them out."""
    from sitrex.feedback.many import _warn_unknown_rates

    named = {"ann": squats[1].angles(), "bob": squats[2], "cat": "cat.npz",
             "dan": sitrex.Skeleton(squats[3].coords)}
    with pytest.warns(UserWarning, match=r"2 athlete\(s\) \('ann', 'dan'\) have no frame rate"):
        _warn_unknown_rates(named, None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _warn_unknown_rates(named, 30.0)


def test_a_report_made_in_a_worker_says_that_its_frame_rate_was_assumed(comparator, files,
                                                                         squats, tmp_path):
    """A landmark file without a frame rate is only read in the worker, whose warning nobody
    sees: its report says it instead."""
    coach, folder = files
    sitrex.Skeleton(squats[3].coords).save(folder / "dan.npz")
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compare_many(coach, folder, comparator, output_dir=out, n_jobs=2, **OPTIONS)
    assert result.ok
    notes = {name: json.loads((out / f"{name}.json").read_text())["metadata"].get("notes", [])
             for name in ("ann", "dan")}
    assert any("the athlete's frame rate was not known: 30 fps was assumed" in note
               for note in notes["dan"])
    assert not any("frame rate" in note for note in notes["ann"])


def test_a_rerun_reuses_only_reports_made_with_the_same_coach_and_options(comparator, files,
                                                                          squats, tmp_path):
    """Each report records what it was made with; a rerun with another coach or other options
    compares again (and says so) instead of keeping the old reports under the new summary."""
    coach, folder = files
    out = tmp_path / "out"
    first = compare_many(coach, folder, comparator, output_dir=out, **OPTIONS)
    record = json.loads((out / "ann.json").read_text())["metadata"]["compare_many"]
    assert set(record) == {"coach", "options"}
    same = compare_many(str(coach), folder, comparator, output_dir=out, **OPTIONS)
    assert same.skipped == ["ann", "bob", "cat"] and same.notes == []

    with pytest.warns(UserWarning, match=r"3 report\(s\).*other options"):
        stricter = compare_many(coach, folder, comparator, output_dir=out, threshold=0.9,
                                **OPTIONS)
    assert stricter.compared == ["ann", "bob", "cat"] and stricter.skipped == []
    assert sitrex.FeedbackReport.from_json(out / "ann.json").threshold == 0.9
    assert "compared again" in json.loads((out / "summary.json").read_text())["notes"][0]

    other = squats[3].save(tmp_path / "other-coach.npz")
    with pytest.warns(UserWarning, match="another coach"):
        redone = compare_many(other, folder, comparator, output_dir=out, threshold=0.9,
                              **OPTIONS)
    assert redone.compared == ["ann", "bob", "cat"]
    alone = compare(other, folder / "bob.npz", comparator, threshold=0.9, **OPTIONS)
    assert redone.rows[1].score == pytest.approx(alone.score, abs=1e-6)
    assert [r.score for r in redone.rows] != pytest.approx([r.score for r in first.rows])
    # the same coach's file elsewhere (the same bytes) is the same coach
    moved = tmp_path / "moved" / "coach.npz"
    moved.parent.mkdir()
    moved.write_bytes(other.read_bytes())
    assert compare_many(moved, folder, comparator, output_dir=out, threshold=0.9,
                        **OPTIONS).skipped == ["ann", "bob", "cat"]


def test_hidden_files_are_left_out_and_npy_arrays_are_athletes(comparator, files, squats,
                                                              tmp_path):
    coach, folder = files
    (folder / "._ann.npz").write_bytes(b"\x00\x05\x16\x07 macOS metadata")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    angles = squats[3].angles()
    np.save(folder / "dan.npy", angles)
    np.save(folder / "eve.npy", squats[2].coords)
    assert list(athlete_inputs(folder)) == ["ann", "bob", "cat", "dan", "eve"]
    result = compare_many(coach, folder, comparator, output_dir=tmp_path / "out", fps=30.0,
                          **OPTIONS)
    assert result.ok and result.compared == ["ann", "bob", "cat", "dan", "eve"]
    alone = compare(coach, angles, comparator, fps=30.0, **OPTIONS)
    assert result.rows[3].score == pytest.approx(alone.score, abs=1e-6)
    (folder / "fay.npy").write_text("not an array")
    broken = compare_many(coach, folder, comparator, output_dir=tmp_path / "out", fps=30.0,
                          **OPTIONS)
    assert list(broken.failed) == ["fay"] and "not a NumPy array file" in broken.failed["fay"]


def test_the_athletes_folder_can_be_the_output_folder(comparator, files):
    """Its reports and summary are not taken for athletes, so a rerun resumes."""
    coach, folder = files
    first = compare_many(coach, folder, comparator, output_dir=folder, **OPTIONS)
    assert first.compared == ["ann", "bob", "cat"]
    assert list(athlete_inputs(folder)) == ["ann", "bob", "cat"]
    again = compare_many(coach, folder, comparator, output_dir=folder, **OPTIONS)
    assert again.ok and again.skipped == ["ann", "bob", "cat"]


@pytest.fixture()
def read_only_folder(tmp_path):
    """A folder nobody may write into (chattr +i as root, who ignores permissions)."""
    import os
    import shutil
    import subprocess

    folder = tmp_path / "read-only"
    folder.mkdir()
    as_root = os.geteuid() == 0
    if as_root:
        if not shutil.which("chattr") or subprocess.run(
                ["chattr", "+i", str(folder)], capture_output=True).returncode:
            pytest.skip("cannot make a folder read-only for root here (no chattr +i)")
    else:
        folder.chmod(0o555)
    yield folder
    if as_root:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o755)


def test_an_output_folder_that_cannot_be_written_is_refused_before_any_work(
        comparator, files, read_only_folder, monkeypatch):
    from sitrex.feedback import many

    coach, folder = files
    monkeypatch.setattr(many, "_prepare_coach", lambda *a, **k: pytest.fail("work started"))
    with pytest.raises(sitrex.OutputError, match="cannot write output_dir into .*read-only"):
        compare_many(coach, folder, comparator, output_dir=read_only_folder, **OPTIONS)
    with pytest.raises(sitrex.OutputError, match="cannot create the folder"):
        compare_many(coach, folder, comparator, output_dir=coach / "reports", **OPTIONS)
