"""Repetition segmentation, counting and per-repetition comparison with a coach."""

from __future__ import annotations

import numpy as np
import pytest

import sitrex
from sitrex.datasets import make_exercise
from sitrex.repetitions import (
    Repetition,
    compare_repetitions,
    count_repetitions,
    judge_repetitions,
    segment_repetitions,
)

NAMES = sitrex.ANGLE_NAMES
#: The angles that move in each synthetic exercise (both sides).
MOVING = {
    "squat": ["left knee", "right knee", "left hip", "right hip", "torso flexion"],
    "lunge": ["left knee", "right knee", "left hip", "right hip"],
    "deadlift": ["left hip", "right hip", "torso flexion", "left knee", "right knee"],
    "arm curl": ["left elbow", "right elbow"],
    "shoulder press": ["left elbow", "right elbow", "left shoulder", "right shoulder"],
    "lateral raise": ["left shoulder", "right shoulder"],
    "push-up": ["left elbow", "right elbow", "left shoulder", "right shoulder"],
    "front raise": ["left shoulder", "right shoulder"],
    "side leg raise": ["left hip", "right hip"],
    "knee raise": ["left hip", "right hip", "left knee", "right knee"],
    "sit to stand": ["left knee", "right knee", "left hip", "right hip", "torso flexion"],
}


@pytest.fixture(scope="module")
def clips():
    """50 synthetic clips of every exercise, 1-6 reps, with ground truth."""
    return make_exercise(50, n_reps=(1, 6), random_state=7, return_info=True)


def test_count_matches_the_generated_repetitions(clips):
    skeletons, labels, info = clips
    counts = [count_repetitions(s.angles(), fps=s.fps) for s in skeletons]
    truth = [i["n_reps"] for i in info]
    accuracy = np.mean(np.equal(counts, truth))
    assert accuracy >= 0.9, list(zip(labels, truth, counts))


def test_turns_are_near_the_generated_extremes(clips):
    skeletons, labels, info = clips
    errors = []
    for s, label, i in zip(skeletons, labels, info):
        reps = segment_repetitions(s.angles(), fps=s.fps, columns=MOVING[label], angle_names=NAMES)
        if len(reps) == i["n_reps"]:
            errors += [abs(r.turn - e) for r, e in zip(reps, i["rep_extremes"])]
    assert np.median(errors) <= 3 and np.max(errors) <= 0.5 * 30


def test_repetitions_are_ordered_and_contiguous(clips):
    skeletons, _, _ = clips
    for s in skeletons[:10]:
        reps = segment_repetitions(s.angles(), fps=s.fps)
        assert [r.index for r in reps] == list(range(len(reps)))
        for r in reps:
            assert 0 <= r.start <= r.turn < r.end <= len(s)
        for r, nxt in zip(reps, reps[1:]):
            assert r.end == nxt.start


def test_nan_gaps_and_noise_do_not_change_the_count():
    skeletons, _, info = make_exercise(8, ["squat", "arm curl"], noise=0.02, random_state=3,
                                       return_info=True)
    rng = np.random.default_rng(0)
    for s, i in zip(skeletons, info):
        a = s.angles()
        for start in rng.integers(0, len(a) - 12, 3):
            a[start:start + 8] = np.nan                         # frames with no person
        a[rng.random(a.shape) < 0.05] = np.nan                  # scattered dropouts
        assert count_repetitions(a, fps=s.fps) == i["n_reps"]


def test_rest_at_both_ends_and_a_still_clip():
    fps = 30.0
    t = np.arange(int(9 * fps)) / fps
    moving = (t > 2) & (t < 7)                                  # 2 s of rest at each end
    knee = 170 - 45 * (1 - np.cos(2 * np.pi * (t - 2) / 2.5)) * moving
    noise = np.random.default_rng(0).normal(0, 1.0, len(t))
    reps = segment_repetitions(knee + noise, fps=fps)
    assert len(reps) == 2
    assert reps[0].start >= int(1.8 * fps) and reps[-1].end <= int(7.5 * fps)
    assert count_repetitions(170 + noise, fps=fps) == 0        # noise on a still pose


def test_upward_movement_is_found_too():
    t = np.arange(300) / 30.0
    curl = 20 + 50 * (1 - np.cos(2 * np.pi * t / 2.0))           # rest low, peaks high
    reps = segment_repetitions(curl, fps=30.0)
    assert [r.turn for r in reps] == [30, 90, 150, 210, 270]


def test_repetition_helpers():
    rep = Repetition(index=1, start=30, end=90, turn=60)
    assert rep.duration(30.0) == 2.0 and rep.times(30.0) == (1.0, 2.0, 3.0)
    with pytest.raises(ValueError, match="fps"):
        rep.duration(0)
    with pytest.raises(AttributeError):
        rep.start = 3                                            # frozen


@pytest.mark.parametrize("angles, kwargs, match", [
    (np.zeros((10, 2, 2)), {}, "2-D"),
    (np.zeros((2, 1)), {}, "at least 3"),
    (np.full((50, 2), np.nan), {}, "no usable angle column"),
    (np.zeros((50, 2)), {"fps": -1}, "fps"),
    (np.zeros((50, 2)), {"columns": [4]}, "outside"),
    (np.zeros((50, 2)), {"columns": ["left knee"]}, "unknown angle"),
    (np.zeros((50, 2)), {"prominence": -0.1}, "prominence"),
])
def test_bad_input_names_the_problem(angles, kwargs, match):
    options = {"fps": 30.0, **kwargs}
    with pytest.raises(ValueError, match=match):
        segment_repetitions(angles, **options)


@pytest.fixture(scope="module")
def coach_squat():
    skels, _, info = make_exercise(1, "squat", n_reps=4, random_state=11, return_info=True)
    return skels[0].angles(), info[0]


@pytest.mark.parametrize("fault", ["shallow_depth", "incomplete_rom"])
def test_shallow_fault_is_flagged_on_the_affected_angles(coach_squat, fault):
    coach, _ = coach_squat
    skels, _, info = make_exercise(6, "squat", faults=[fault], fault_rate=1.0, severity=(0.8, 1.0),
                                   random_state=5, return_info=True)
    for s, i in zip(skels, info):
        feedback = compare_repetitions(coach, s.angles(), angle_names=NAMES,
                                       columns=MOVING["squat"], fps=s.fps)
        assert len(feedback) == i["n_reps"]
        for fb in feedback:
            shallow = {x.angle for x in fb.issues if x.kind == "shallow"}
            assert {"left knee", "right knee"} <= shallow
            assert shallow <= set(i["affected_angles"])
            assert fb.message.startswith(f"rep {fb.repetition.index + 1} of {i['n_reps']}: shallow")
            assert "° range vs the coach's" in fb.message


def test_torso_lean_is_flagged_on_torso_flexion(coach_squat):
    coach, _ = coach_squat
    skels, _, info = make_exercise(3, "squat", faults=["torso_lean"], fault_rate=1.0,
                                   severity=1.0, random_state=6, return_info=True)
    kinds = [{x.kind for x in fb.issues if x.angle == "torso flexion"}
             for s in skels for fb in compare_repetitions(
                 coach, s.angles(), angle_names=NAMES, columns=MOVING["squat"], fps=s.fps)]
    assert all(k & {"excessive", "shifted"} for k in kinds)     # more range, or leaning further
    assert np.mean(["excessive" in k for k in kinds]) > 0.5


def test_correct_athletes_are_rarely_flagged(coach_squat):
    coach, _ = coach_squat
    skels, _, _ = make_exercise(6, "squat", random_state=8, return_info=True)
    feedback = [fb for s in skels for fb in compare_repetitions(
        coach, s.angles(), angle_names=NAMES, columns=MOVING["squat"], fps=s.fps)]
    flagged = np.mean([not fb.ok for fb in feedback])
    assert flagged <= 0.2
    ok = next(fb for fb in feedback if fb.ok)
    assert ok.message.endswith("matches the coach's range of motion")


def test_feedback_numbers_and_dict(coach_squat):
    coach, info = coach_squat
    fb = compare_repetitions(coach, coach, angle_names=NAMES, columns=MOVING["squat"], fps=30.0)
    assert len(fb) == info["n_reps"] and all(f.ok for f in fb)
    first = fb[0]
    assert set(first.angles) == set(MOVING["squat"])
    assert 80 < first.coach_rom["left knee"] < 130
    assert abs(first.rom_ratio["left knee"] - 1) < 0.1
    d = first.to_dict()
    assert d["repetition"]["turn"] == first.repetition.turn and d["issues"] == []


def test_coach_fps_scales_durations():
    t30, t60 = np.arange(300) / 30.0, np.arange(600) / 60.0
    knee = lambda t: 170 - 45 * (1 - np.cos(2 * np.pi * t / 2.5))  # noqa: E731
    fb = compare_repetitions(knee(t60)[:, None], knee(t30)[:, None], angle_names=["knee"],
                             columns=[0], fps=30.0, coach_fps=60.0)
    assert all(f.ok for f in fb)
    assert fb[1].duration == pytest.approx(fb[1].coach_duration, rel=0.05)


def test_compare_refuses_a_coach_without_repetitions():
    still = np.full((100, 1), 120.0)
    with pytest.raises(ValueError, match="no repetition found in the coach"):
        compare_repetitions(still, still, angle_names=["knee"], columns=[0], fps=30.0)
    with pytest.raises(ValueError, match="angle_names has 2 names"):
        compare_repetitions(still, still, angle_names=["a", "b"], columns=[0], fps=30.0)


def test_message_names_the_three_worst_issues_only():
    t = np.arange(300) / 30.0
    wave = (1 - np.cos(2 * np.pi * t / 2.5))[:, None]
    coach = 170 - 45 * wave * np.ones(5)
    athlete = 170 - wave * np.array([40.0, 30.0, 20.0, 15.0, 10.0])   # all five shallow
    names = [f"angle {k}" for k in range(5)]
    fb = compare_repetitions(coach, athlete, angle_names=names, columns=range(5), fps=30.0)[0]
    assert [i.angle for i in fb.issues] == ["angle 4", "angle 3", "angle 2", "angle 1"]
    assert fb.message.endswith("(and 1 more)") and "angle 1" not in fb.message


def _five_shallow_angles():
    t = np.arange(300) / 30.0
    wave = (1 - np.cos(2 * np.pi * t / 2.5))[:, None]
    coach = 170 - 45 * wave * np.ones(5)
    athlete = 170 - wave * np.array([40.0, 30.0, 20.0, 15.0, 45.0])   # angles 1-3 shallow
    names = [f"angle {k}" for k in range(5)]
    return compare_repetitions(coach, athlete, angle_names=names, columns=range(5), fps=30.0), names


def test_judging_names_only_what_the_similarity_says_differs():
    ranges, names = _five_shallow_angles()
    assert {i.angle for i in ranges[0].issues} == {"angle 1", "angle 2", "angle 3"}
    similarity = np.full((300, 5), 0.9)
    similarity[:, 2] = 0.1          # shallow and below the threshold: named, worst first
    similarity[:, 4] = 0.3          # its range is the coach's, yet it differs
    similarity[:, 3] = 0.45
    judged = judge_repetitions(ranges, similarity, angle_names=names, threshold=0.5)
    assert len(judged) == len(ranges)
    for before, after in zip(ranges, judged):
        assert [i.angle for i in after.issues] == ["angle 2", "angle 4", "angle 3"]
        assert [i.kind for i in after.issues] == ["shallow", "different", "shallow"]
        assert after.issues[1].value == pytest.approx(before.rom["angle 4"])
        assert after.similarity["angle 0"] == pytest.approx(0.9)
        assert after.rom == before.rom and after.repetition == before.repetition
        assert "angle 4 moves differently (" in after.message
        assert "angle 0" not in after.message and "angle 1" not in after.message


def test_judging_a_repetition_that_moves_like_the_coach_or_was_not_scored():
    ranges, names = _five_shallow_angles()
    similarity = np.full((300, 5), 0.8)
    similarity[:ranges[1].repetition.end] = np.nan          # the first two repetitions: not scored
    judged = judge_repetitions(ranges, similarity, angle_names=names, threshold=0.5)
    assert judged[0].ok and judged[0].message == "rep 1 of 4: not scored (no frame of it was " \
        "compared with the coach)"
    assert np.isnan(judged[0].similarity["angle 0"])
    assert judged[2].ok and judged[2].message == "rep 3 of 4: moves like the coach"
    assert judged[2].to_dict()["similarity"]["angle 0"] == pytest.approx(0.8)


@pytest.mark.parametrize("similarity, names, match", [
    (np.zeros(300), [f"angle {k}" for k in range(5)], "shape"),
    (np.zeros((300, 4)), [f"angle {k}" for k in range(5)], "one column per angle name"),
    (np.zeros((300, 5)), [f"other {k}" for k in range(5)], "not among angle_names"),
])
def test_judging_refuses_a_similarity_that_does_not_fit(similarity, names, match):
    ranges, _ = _five_shallow_angles()
    with pytest.raises(sitrex.InputError, match=match):
        judge_repetitions(ranges, similarity, angle_names=names, threshold=0.5)
