"""The repetitions a report shows are the ones the default comparator scored, every one of them."""

from __future__ import annotations

import numpy as np
import pytest

import sitrex
from sitrex.angle_table import ANGLE_NAMES
from sitrex.repetitions import compare_repetitions, judge_repetitions

FPS = 30.0
KNEES_HIPS = ("left knee", "right knee", "left hip", "right hip")
ARMS = ("left shoulder", "right shoulder")


def squats(depths, *, arms_up: float, rest: float = 0.6, seconds: float = 2.0) -> np.ndarray:
    """(T, 23) angles: a squat per depth (degrees of knee flexion), rests between them; the
    arms rise by `arms_up` degrees at the bottom of each squat, the other angles stay put."""
    still = np.full(int(rest * FPS), 0.0)
    phase = [still]
    for depth in depths:
        t = np.arange(int(seconds * FPS)) / (seconds * FPS)
        phase += [depth * (1 - np.cos(2 * np.pi * t)) / 2, still]
    down = np.concatenate(phase)                     # 0 standing .. depth at the bottom
    angles = np.full((len(down), len(ANGLE_NAMES)), 150.0)
    for name in KNEES_HIPS:
        angles[:, ANGLE_NAMES.index(name)] = 175.0 - down * (0.8 if "hip" in name else 1.0)
    for name in ARMS:
        angles[:, ANGLE_NAMES.index(name)] = 20.0 + arms_up * down / max(depths)
    return angles


@pytest.fixture(scope="module")
def report():
    """A coach raising the arms with each squat; an athlete who keeps them down (as correct
    squatters of another style do) and whose fourth squat is half as deep."""
    coach = squats([100.0], arms_up=70.0)
    athlete = squats([100.0, 100.0, 100.0, 50.0], arms_up=0.0)
    return sitrex.compare(coach, athlete, fps=FPS)


def test_every_repetition_of_a_set_is_scored_and_shown_as_scored(report):
    assert len(report.repetitions) == 4
    assert len(report.metadata["scoring"]["repetitions"]) == 4
    for rep, (start, end) in zip(report.repetitions, report.metadata["scoring"]["repetitions"]):
        assert (rep.start, rep.end) == (round(start * FPS), round(end * FPS))
        block = report.similarity[rep.start:rep.end][:, report.useful]
        assert np.isfinite(block).all()
        assert (block == block[0]).all()            # every frame holds its repetition's score


def test_the_shallow_last_squat_is_named_and_the_others_are_not(report):
    knees = {"left knee", "right knee"}
    lines = [fb.message for fb in report.repetition_feedback]
    for fb in report.repetition_feedback[:3]:
        assert not knees & {i.angle for i in fb.issues}, lines
    assert knees & {i.angle for i in report.repetition_feedback[3].issues}, lines


def test_an_angle_the_coach_measures_in_too_few_frames_per_repetition_is_still_judged():
    t = np.arange(300) / FPS
    knee = 170 - 45 * (1 - np.cos(2 * np.pi * t / 2.5))              # 4 squats
    rotation = 20 + 30 * (1 - np.cos(2 * np.pi * t / 2.5))
    coach = np.column_stack([knee, rotation])
    coach[np.arange(300) % 5 < 3, 1] = np.nan                         # 40 % of its frames
    ranges = compare_repetitions(coach, coach, angle_names=["knee", "rotation"], columns=[0, 1],
                                 fps=FPS)
    assert ranges[0].angles == ("knee", "rotation")
    assert np.isnan(ranges[0].coach_rom["rotation"])
    similarity = np.full((300, 2), 0.9)
    similarity[:, 1] = 0.3                                            # the comparator: differs
    judged = judge_repetitions(ranges, similarity, angle_names=["knee", "rotation"],
                               threshold=0.5)
    assert all(fb.message.endswith("rotation moves differently") for fb in judged), \
        [fb.message for fb in judged]
