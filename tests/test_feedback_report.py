"""FeedbackReport on a constructed similarity matrix: summary, messages, score, export."""

import csv
import json

import numpy as np
import pytest

from sitrex.feedback import FeedbackReport
from sitrex.feedback import export as export_module
from sitrex.repetitions import Repetition, RepetitionFeedback, RepetitionIssue

FPS = 30.0
NAMES = ("left knee", "right knee", "torso flexion")


def make_report(**changes):
    """90 frames; left knee low in 30-59 (with a 2-frame gap) and a blip; nobody in 80-84."""
    sim = np.full((90, 3), 0.9)
    sim[30:45, 0] = 0.2
    sim[47:60, 0] = 0.3            # gap of frames 45-46 (<= 3 frames at 30 fps): merged
    sim[70, 0] = 0.1               # one-frame blip: ignored
    sim[:, 2] = 0.1                # torso flexion is low but not useful
    present = np.ones(90, bool)
    present[80:85] = False
    sim[~present] = np.nan
    fields = dict(angle_names=NAMES, usefulness=np.array([0.9, 0.8, 0.2]),
                  useful=np.array([True, True, False]), similarity=sim, present=present,
                  times=np.arange(90) / FPS, fps=FPS, threshold=0.5,
                  coach_angles=np.linspace(0, 90, 60 * 3).reshape(60, 3),
                  athlete_angles=np.where(present[:, None], 45.0, np.nan) * np.ones((90, 3)))
    fields.update(changes)
    return FeedbackReport(**fields)


def test_summary_covers_the_useful_angles_with_merged_ranges():
    summary = make_report().summary()
    assert [s.name for s in summary] == ["left knee", "right knee"]
    knee = summary[0]
    assert knee.ranges == ((30, 59),) and knee.differs
    assert knee.time_ranges == ((1.0, 59 / FPS),)
    assert knee.below_fraction == pytest.approx(29 / 85)
    assert summary[1].ranges == () and summary[1].mean_similarity == pytest.approx(0.9)


def test_summary_rule_parameters():
    report = make_report()
    assert report.summary(max_gap=1)[0].ranges == ((30, 44), (47, 59))
    assert report.summary(min_frames=1)[0].ranges == ((30, 59), (70, 70))


def test_messages_are_plain_language_lines():
    lines = make_report().messages
    assert lines[0].startswith("overall similarity 0.")
    assert "left knee: differs from the coach in frames 30-59 (1.0-2.0 s)" in lines
    assert "matches the coach throughout: right knee" in lines
    assert "no person in frames 80-84 (2.7-2.8 s): not scored" in lines
    assert not any("torso" in line for line in lines)           # not a useful angle


def test_score_is_the_mean_over_useful_angles_and_scored_frames():
    report = make_report()
    expected = np.nanmean(report.similarity[:, :2])
    assert report.score == pytest.approx(expected)
    assert report.worst_angles(5) == ["left knee", "right knee"]


def test_without_useful_angles_everything_is_ranked():
    report = make_report(useful=np.zeros(3, bool))
    assert report.worst_angles(1) == ["torso flexion"]
    assert "none was found to matter" in report.messages[0]
    assert len(report.summary()) == 3


def test_repetition_messages_and_note_are_included():
    rep = Repetition(index=0, start=0, end=40, turn=20)
    fb = RepetitionFeedback(rep, 1, ("left knee",), {"left knee": 50.0}, {"left knee": 90.0},
                            {"left knee": 100.0}, {"left knee": 80.0}, 1.3, 1.5,
                            (RepetitionIssue("left knee", "shallow", 50.0, 90.0),),
                            "rep 1 of 1: shallow left knee")
    report = make_report(repetitions=[rep], repetition_feedback=[fb])
    assert report.messages[-1] == "rep 1 of 1: shallow left knee"
    assert make_report(repetition_note="no repetition found").messages[-1] == \
        "no repetition found"


def _plain(value):
    """True if value holds only JSON's own Python types."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or type(value) in (bool, int, float, str)


def test_to_dict_is_json_safe_and_round_trips():
    rep = Repetition(index=0, start=0, end=40, turn=20)
    fb = RepetitionFeedback(rep, 1, ("left knee",), {"left knee": 50.0}, {"left knee": 90.0},
                            {"left knee": 100.0}, {"left knee": 80.0}, 1.3, 1.5,
                            (RepetitionIssue("left knee", "shallow", 50.0, 90.0),), "rep 1 of 1")
    report = make_report(alignment=np.arange(90) // 2, coverage=np.ones(90),
                         repetitions=[rep], repetition_feedback=[fb], coach_source="coach.npz")
    data = report.to_dict()
    assert _plain(data)
    json.dumps(data, allow_nan=False)
    assert data["similarity"][80] == [None, None, None]
    assert data["messages"] == report.messages and data["worst_angles"][0] == "left knee"
    back = FeedbackReport.from_dict(json.loads(json.dumps(data)))
    for name in ("similarity", "usefulness", "times", "coach_angles", "athlete_angles",
                 "alignment", "coverage", "present", "useful"):
        np.testing.assert_array_equal(getattr(back, name), getattr(report, name))
    assert back.angle_names == NAMES and back.coach_source == "coach.npz"
    assert back.repetitions == [rep] and back.repetition_feedback == [fb]
    assert back.messages == report.messages


def test_json_file_round_trip(tmp_path):
    report = make_report()
    path = report.to_json(tmp_path / "report.json")
    back = FeedbackReport.from_json(path)
    np.testing.assert_array_equal(back.similarity, report.similarity)
    assert back.summary() == report.summary()
    with pytest.raises(ValueError, match="not a sitrex feedback report"):
        FeedbackReport.from_dict({"format": "something else"})
    with pytest.raises(FileNotFoundError, match="no feedback report"):
        FeedbackReport.from_json(tmp_path / "missing.json")
    cut = report.to_dict()
    del cut["similarity"]
    with pytest.raises(ValueError, match="the report lacks 'similarity'"):
        FeedbackReport.from_dict(cut)


def test_csv_has_one_row_per_frame_and_one_column_per_angle(tmp_path):
    report = make_report()
    path = report.to_csv(tmp_path / "report.csv")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 90
    assert list(rows[0]) == ["frame", "time", "present", *NAMES]
    assert [int(r["present"]) for r in rows] == report.present.astype(int).tolist()
    values = np.array([[float(r[n]) if r[n] else np.nan for n in NAMES] for r in rows])
    np.testing.assert_allclose(values, report.similarity, equal_nan=True)
    np.testing.assert_allclose([float(r["time"]) for r in rows], report.times)


@pytest.mark.parametrize("writer", ["to_csv", "to_json"])
def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch, writer):
    path = tmp_path / "out"
    path.write_text("previous")

    def broken_rows(report):
        yield ["frame", "time"]
        raise RuntimeError("disk full")

    def broken_dump(data, f, **kwargs):
        f.write('{"format": ')
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_module, "_csv_rows", broken_rows)
    monkeypatch.setattr(export_module.json, "dump", broken_dump)
    with pytest.raises(RuntimeError, match="disk full"):
        getattr(make_report(), writer)(path)
    assert path.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_report_checks_shapes():
    with pytest.raises(ValueError, match="similarity must have shape"):
        make_report(similarity=np.zeros((90, 2)))
