"""The offline demo: synthetic coach and faulty athlete, a small model, the report and its files."""

from __future__ import annotations

import json

import numpy as np
import pytest

import sitrex
from sitrex.datasets import make_exercise
from sitrex.demo import DEMO_EXERCISE_ANGLES, make_demo_pairs, run_demo

#: A shorter training than the demo's default (about 10-20 s here instead of about 30 s);
#: it still flags the fault on every seed tried (0-4).
QUICK = dict(n_clips=100, n_pairs=800, epochs=8)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    lines = []
    result = run_demo(out, random_state=0, progress=True, log=lines.append, plot=False,
                      train_options=QUICK)
    return result, out, lines


def test_report_flags_the_injected_fault_among_its_worst_angles(demo):
    result, _, _ = demo
    affected = set(result.truth["affected_angles"])
    worst = result.report.worst_angles(2)
    assert set(worst) <= affected, (worst, affected)
    # the knees, which a forward lean does not move, are not the worst
    assert not {"left knee", "right knee"} & set(worst)


def test_usefulness_finds_the_squat_angles(demo):
    result, _, _ = demo
    useful = {result.report.angle_names[i] for i in np.flatnonzero(result.report.useful)}
    assert useful == set(DEMO_EXERCISE_ANGLES["squat"])


def test_repetitions_are_counted_and_compared(demo):
    result, _, _ = demo
    report = result.report
    assert len(report.repetitions) == result.truth["n_reps"]
    assert any("torso flexion" in fb.message or "hip" in fb.message
               for fb in report.repetition_feedback)


def test_outputs_say_the_data_are_synthetic(demo):
    result, out, lines = demo
    assert "SYNTHETIC" in lines[0]
    text = (out / "feedback.txt").read_text(encoding="utf-8")
    assert text.startswith("SYNTHETIC DATA")
    assert result.truth["synthetic"] is True
    assert result.coach.meta["synthetic"] and result.athlete.meta["synthetic"]
    assert str(result).splitlines()[0].startswith("SYNTHETIC DATA")


def test_files_are_written_and_read_back(demo):
    result, out, _ = demo
    assert {"report_json", "report_csv", "messages", "coach", "athlete",
            "comparator"} <= set(result.paths)
    assert all(p.exists() and p.parent == out for p in result.paths.values())
    data = json.loads((out / "report.json").read_text())
    assert data["worst_angles"][:2] == result.report.worst_angles(2)
    coach = sitrex.Skeleton.load(result.paths["coach"])
    assert coach.coords.shape == result.coach.coords.shape
    assert result.train_seconds > 0 and result.total_seconds >= result.train_seconds


def test_payload_is_json_and_text_is_the_printout(demo):
    result, _, _ = demo
    payload = json.loads(json.dumps(result.to_payload(), allow_nan=False))
    assert payload["synthetic"] is True and payload["truth"]["fault"] == "torso_lean"
    assert payload["worst_angles"] == result.report.worst_angles(3)
    assert set(payload["written"]) == set(result.paths)
    assert result.to_text() == str(result) and "worst angles:" in result.to_text()


def test_given_comparator_skips_training(demo, tmp_path):
    result, _, _ = demo
    again = run_demo(tmp_path, random_state=0, progress=False, plot=False,
                     comparator=result.comparator)
    assert again.train_seconds == 0.0
    assert again.report.worst_angles(2) == result.report.worst_angles(2)


def test_plot_hook_is_called(demo, tmp_path, monkeypatch):
    result, _, _ = demo
    calls = []

    def fake_plot(report, path):
        calls.append(path)
        path.write_bytes(b"figure")
        return path

    monkeypatch.setattr("sitrex.demo.write_plot", fake_plot)
    again = run_demo(tmp_path, progress=False, comparator=result.comparator)
    assert calls == [tmp_path / "report.png"] and again.paths["plot"] == calls[0]


@pytest.mark.parametrize("kwargs, match", [
    (dict(exercise="yoga"), "unknown exercise"),
    (dict(fault="slouch"), "unknown fault"),
    (dict(exercise="arm curl", fault="torso_lean"), "does not apply to the exercise 'arm curl'"),
])
def test_bad_options_are_refused_before_any_work(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        run_demo(tmp_path, progress=False, **kwargs)


def test_demo_pairs_mark_the_faulty_angles():
    skels, labels, info = make_exercise(12, ["squat", "arm curl"], faults=["shallow_depth"],
                                        fault_rate=0.5, random_state=3, return_info=True)
    X, y, useful = make_demo_pairs([s.angles() for s in skels], labels, info, 200, max_len=32,
                                   fault_fraction=1.0, random_state=0)
    assert len(X) == 200 and y.shape == useful.shape == (200, 23)
    assert np.all(y <= useful)                       # only useful angles can match
    knee = sitrex.ANGLE_NAMES.index("left knee")
    squat = useful[:, knee] == 1
    assert squat.any() and (y[squat, knee] == 0).any()  # a shallow squat's knee: target 0
    lengths = [len(r) for r, _ in X] + [len(c) for _, c in X]
    assert 16 <= min(lengths) and max(lengths) <= 32
