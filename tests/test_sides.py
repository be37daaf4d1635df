"""Body sides: mirror twins, laterality, and comparing an athlete who works the other side."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import sitrex
from sitrex.datasets import make_exercise
from sitrex.exceptions import InputError
from sitrex.feedback import FeedbackReport
from sitrex.measurement import COMPARISON_ANGLE_NAMES, comparison_angles
from sitrex.sides import ONE_SIDED, OTHER_SIDE, laterality, mirror_columns, works_other_side

from test_angles_properties import mirror, sequences

NAMES = list(COMPARISON_ANGLE_NAMES)


# --------------------------------------------------------------------------- twins and laterality
def test_every_sided_angle_has_its_twin_and_the_rest_map_to_themselves():
    twins = mirror_columns(NAMES)
    assert sorted(twins) == list(range(len(NAMES)))
    assert (twins[twins] == np.arange(len(NAMES))).all()
    for k, j in enumerate(twins):
        a, b = NAMES[k], NAMES[j]
        if a.startswith(("left ", "right ")):
            assert a.split(" ", 1)[1] == b.split(" ", 1)[1] and a.split()[0] != b.split()[0]
        else:
            assert j == k                    # torso flexion, trunk rotation


def test_a_sided_column_without_its_twin_cannot_be_mirrored():
    with pytest.raises(InputError, match="left knee.*no twin"):
        mirror_columns(["left knee", "torso flexion"])


@settings(max_examples=30, deadline=None)
@given(clip=sequences(min_frames=3, max_frames=5))
def test_the_angles_of_a_mirrored_pose_are_the_twins_columns(clip):
    """Every comparison angle is unsigned and built alike on both sides, so mirroring the
    landmarks (x -> -x, left <-> right) swaps the twin columns, the rotations included."""
    mirrored = mirror(clip)
    original = comparison_angles(clip, names=NAMES)
    np.testing.assert_allclose(comparison_angles(mirrored, names=NAMES),
                               original[:, mirror_columns(NAMES)], rtol=0, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(angles=arrays(np.float64, (12, len(NAMES)), elements=st.floats(0, 180)))
def test_laterality_is_bounded_and_changes_sign_in_the_mirror(angles):
    a = laterality(angles, NAMES)
    b = laterality(angles[:, mirror_columns(NAMES)], NAMES)
    if np.isnan(a):
        assert np.isnan(b)
    else:
        assert -1 <= a <= 1 and b == pytest.approx(-a, abs=1e-12)


def test_laterality_says_which_side_moves():
    t = np.linspace(0, 2 * np.pi, 90)
    still = np.full((90, len(NAMES)), 120.0)
    curl = still.copy()
    curl[:, NAMES.index("right elbow")] = 160 - 90 * np.sin(t) ** 2
    assert laterality(curl, NAMES) == pytest.approx(-1.0)
    both = curl.copy()
    both[:, NAMES.index("left elbow")] = curl[:, NAMES.index("right elbow")]
    assert laterality(both, NAMES) == pytest.approx(0.0)
    assert np.isnan(laterality(still, NAMES))             # nothing moves
    # a still limb's noise dilutes the measure, unless only the angles that matter count
    noisy = curl.copy()
    noisy[:, NAMES.index("left knee")] += np.random.default_rng(0).normal(0, 25, 90)
    assert laterality(noisy, NAMES) > -0.9
    matter = np.isin(NAMES, ["right elbow"])
    assert laterality(noisy, NAMES, columns=matter) == pytest.approx(-1.0)
    with pytest.raises(InputError, match="columns must be a boolean mask"):
        laterality(curl, NAMES, columns=matter[:5])
    with pytest.raises(InputError, match="angles must be"):
        laterality(curl[:, :3], NAMES)


@pytest.mark.parametrize("coach, athlete, other", [
    (-0.7, 0.6, True), (0.7, -0.25, True), (-0.7, -0.6, False), (0.7, -0.1, False),
    (0.1, -0.8, False), (np.nan, 0.8, False), (0.8, np.nan, False),
    (ONE_SIDED, -OTHER_SIDE, True), (ONE_SIDED - 0.01, -0.9, False)])
def test_an_athlete_works_the_other_side_only_of_a_one_sided_movement(coach, athlete, other):
    assert works_other_side(coach, athlete) is other


# --------------------------------------------------------------------------- compare
@pytest.fixture(scope="module")
def knee_raises():
    """Two bodies doing a one-sided exercise (sitrex's synthetic knee raise: the right leg)."""
    clips, _ = make_exercise(2, ["knee raise"], n_reps=3, random_state=1)
    return clips


def test_an_athlete_working_the_other_leg_is_compared_with_the_coach_mirrored(knee_raises):
    coach, athlete = knee_raises
    as_recorded = sitrex.compare(coach, athlete)
    other_leg = sitrex.compare(coach, athlete.mirrored())
    assert not as_recorded.coach_mirrored and other_leg.coach_mirrored
    assert other_leg.score == pytest.approx(as_recorded.score, abs=1e-6)
    from sitrex.datasets.protocol import model_angles

    coach_side = "left" if laterality(model_angles(coach), NAMES) > 0 else "right"
    other = {"left": "right", "right": "left"}[coach_side]
    assert any(f"works the {coach_side} side and the athlete the {other}" in m
               for m in other_leg.messages)
    # the report speaks of the athlete's own leg, on the side the coach does not work
    useful = [n for n, u in zip(other_leg.angle_names, other_leg.useful) if u]
    assert f"{other} knee" in useful and f"{coach_side} knee" not in useful
    assert other_leg.worst_angles(1)[0].startswith(other)
    # the coach's angles as compared: column k holds the coach's twin of angle k
    np.testing.assert_array_equal(other_leg.coach_angles,
                                  as_recorded.coach_angles[:, mirror_columns(NAMES)])


def test_side_for_side_the_other_leg_differs(knee_raises):
    coach, athlete = knee_raises
    same = sitrex.compare(coach, athlete.mirrored(), sides="same")
    assert not same.coach_mirrored
    assert same.score < sitrex.compare(coach, athlete).score - 0.3
    forced = sitrex.compare(coach, athlete, sides="mirrored")
    assert forced.coach_mirrored and forced.score < same.score + 0.3
    assert any("as asked" in m for m in forced.messages)


def test_a_lunge_with_the_other_leg_forward_is_compared_with_the_coach_mirrored():
    """Both legs move in a lunge, so no side's range says which leg works: the comparison itself
    does (mirrored it scores far better), and a lunge with the same leg forward is not mirrored."""
    from sitrex.sides import MIRRORED_BETTER

    clips, _ = make_exercise(3, ["lunge"], n_reps=3, view="front", random_state=5)
    coach = clips[0]
    for athlete in clips[1:]:
        same_leg, other_leg = sorted((athlete, athlete.mirrored()),
                                     key=lambda a: sitrex.compare(coach, a, sides="same").score,
                                     reverse=True)
        as_is = sitrex.compare(coach, same_leg)
        assert not as_is.coach_mirrored and as_is.score > 0.9
        report = sitrex.compare(coach, other_leg)
        side_for_side = sitrex.compare(coach, other_leg, sides="same")
        assert report.coach_mirrored and not side_for_side.coach_mirrored
        assert report.score >= side_for_side.score + MIRRORED_BETTER
        assert report.score == pytest.approx(as_is.score, abs=0.02)
        assert any("far closer to the coach's movement mirrored" in m for m in report.messages)


def test_a_symmetric_exercise_is_never_mirrored():
    clips, _ = make_exercise(2, ["squat"], n_reps=3, random_state=3)
    for athlete in (clips[1], clips[1].mirrored()):
        assert not sitrex.compare(clips[0], athlete).coach_mirrored


def test_the_report_file_keeps_the_mirroring(knee_raises, tmp_path):
    coach, athlete = knee_raises
    report = sitrex.compare(coach, athlete.mirrored())
    again = FeedbackReport.from_json(report.to_json(tmp_path / "r.json"))
    assert again.coach_mirrored and again.worst_angles(3) == report.worst_angles(3)


def test_the_summary_of_many_athletes_says_whose_coach_was_mirrored(knee_raises, tmp_path):
    """compare_many: the column is filled in memory, in the files, and when a rerun skips."""
    import csv
    import json

    coach, athlete = knee_raises
    athletes = {"same": athlete, "other": athlete.mirrored()}
    in_memory = sitrex.compare_many(coach, athletes)
    assert [r.coach_mirrored for r in in_memory.rows] == [False, True]
    first = sitrex.compare_many(coach, athletes, output_dir=tmp_path)
    again = sitrex.compare_many(coach, athletes, output_dir=tmp_path)
    assert again.skipped == ["same", "other"]
    for result in (first, again):
        assert [r.coach_mirrored for r in result.rows] == [False, True]
    with open(tmp_path / "summary.csv", newline="") as f:
        assert [r["coach_mirrored"] for r in csv.DictReader(f)] == ["false", "true"]
    rows = json.loads((tmp_path / "summary.json").read_text())["athletes"]
    assert [r["coach_mirrored"] for r in rows] == [False, True]


def test_a_bad_sides_option_names_the_choices(knee_raises):
    with pytest.raises(InputError, match="sides must be one of 'auto', 'same', 'mirrored'"):
        sitrex.compare(*knee_raises, sides="left")


def test_real_one_arm_gestures_of_the_other_arm_score_as_the_same_arm(shared_dir):
    """IRDS elbow flexions (one arm): a correct athlete handed over mirrored is judged as they are."""
    from sitrex.datasets.protocol import coach_input, protocol_data

    data = protocol_data("irds", shared_dir / "data")
    clips = np.flatnonzero((data.exercises == "Elbow Flexion Left") & data.correct)
    coach = coach_input(data, clips[0], 1, np.random.default_rng(0))
    for athlete in clips[1:4]:
        skeleton = data.skeletons[athlete]
        same_arm = sitrex.compare(coach, skeleton)
        other_arm = sitrex.compare(coach, skeleton.mirrored())
        assert other_arm.coach_mirrored and not same_arm.coach_mirrored
        assert other_arm.score == pytest.approx(same_arm.score, abs=1e-6)
        assert other_arm.score >= other_arm.threshold
        assert sitrex.compare(coach, skeleton.mirrored(), sides="same").score < 0.5


def test_the_command_line_mirrors_as_compare_does(knee_raises, tmp_path, capsys):
    import json

    from sitrex.cli import main

    coach, athlete = knee_raises
    coach_file = coach.save(tmp_path / "coach.npz")
    athlete_file = athlete.mirrored().save(tmp_path / "athlete.npz")
    for sides, mirrored in (("auto", True), ("same", False)):
        out = tmp_path / f"{sides}.json"
        assert main(["compare", str(coach_file), str(athlete_file), "--sides", sides,
                     "-o", str(out), "--quiet"]) == 0
        assert json.loads(out.read_text())["coach_mirrored"] is mirrored
    with pytest.raises(SystemExit) as stop:
        main(["compare", str(coach_file), str(athlete_file), "--sides", "left"])
    assert stop.value.code == 2 and "--sides" in capsys.readouterr().err


def test_columns_without_their_twins_are_compared_side_for_side_unless_mirroring_is_asked():
    from sitrex.feedback.coach import CoachReference, side_matched

    names = ["left knee", "torso flexion"]
    t = np.linspace(0, 2 * np.pi, 60)
    angles = np.column_stack([120 + 50 * np.sin(t), 10 + 0 * t])
    coach = CoachReference(execution=None, angles=angles, present=np.ones(60, bool), fps=30.0,
                           span=slice(0, 60), usefulness=np.ones(2), useful=np.ones(2, bool),
                           measured=np.ones(2, bool))
    assert side_matched(coach, angles, names, "auto") == (coach, None)
    with pytest.raises(InputError, match="no twin"):
        side_matched(coach, angles, names, "mirrored")
