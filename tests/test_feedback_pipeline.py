"""compare(): one clock in seconds, cleaned inputs, the coach's repetitions, honest refusals."""

import numpy as np
import pytest

import sitrex
from sitrex.datasets import make_exercise
from sitrex.exceptions import InputError
from sitrex.feedback import compare

MAX_LEN = 32


@pytest.fixture(scope="module")
def clips():
    skeletons, labels = make_exercise(4, ["squat", "arm curl"], n_reps=3, tempo=1.5,
                                      random_state=1)
    return skeletons, labels


@pytest.fixture(scope="module")
def comparator(clips):
    skeletons, labels = clips
    seqs = [s.angles() for s in skeletons]
    useful = {"squat": [5, 16, 3, 14, 22], "arm curl": [1, 12]}
    X, y = sitrex.make_pairs(seqs, labels, useful, n_pairs=16, max_len=MAX_LEN, random_state=0,
                             pad=False)
    return sitrex.ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4,
                                     max_len=MAX_LEN, epochs=1, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def squats(clips):
    skeletons, labels = clips
    return [s for s, lab in zip(skeletons, labels) if lab == "squat"][:2]


KNEES = ["left knee", "right knee"]


def test_the_cleaning_is_applied_by_default_and_recorded(comparator, squats):
    coach, athlete = squats
    report = compare(coach, athlete, comparator, useful_angles=KNEES, repetitions=False)
    done = report.metadata["conditioning"]["athlete"]
    assert done["enabled"] and done["lowpass_hz"] == 6.0 and done["glitch_filter"] == "hampel"
    assert not np.allclose(report.athlete_angles, athlete.angles(), equal_nan=True)
    raw = compare(coach, athlete, comparator, useful_angles=KNEES, repetitions=False,
                  smooth=False)
    assert not raw.metadata["conditioning"]["athlete"]["enabled"]
    # in torso lengths, valgus indicators where defined: sitrex.measurement.comparison_angles
    np.testing.assert_allclose(raw.athlete_angles,
                               sitrex.measurement.comparison_angles(athlete.coords))


def test_the_coachs_repetitions_are_found_and_their_variation_reported(comparator, squats):
    coach, athlete = squats
    report = compare(coach, athlete, comparator, useful_angles=KNEES)
    assert len(report.coach_repetitions) == 3
    assert report.metadata["coach_reference_rep"] in (0, 1, 2)
    knees = [sitrex.ANGLE_NAMES.index(n) for n in KNEES]
    assert np.isfinite(report.coach_variation[knees]).all()
    assert (report.coach_variation[knees] < 15).all()           # a steady synthetic coach
    assert len(report.repetition_feedback) == len(report.repetitions) >= 2


def test_a_chosen_coach_repetition_is_the_reference(comparator, squats):
    coach, athlete = squats
    report = compare(coach, athlete, comparator, useful_angles=KNEES, coach_rep=2,
                     repetitions=False)
    rep = report.coach_repetitions[2]
    assert report.metadata["coach_reference_rep"] == 2
    assert report.metadata["coach_reference_seconds"] == pytest.approx(rep.n_frames / 30.0)
    with pytest.raises(InputError, match="coach_rep=7.*3 repetition"):
        compare(coach, athlete, comparator, useful_angles=KNEES, coach_rep=7)
    with pytest.raises(InputError, match="coach_rep must be"):
        compare(coach, athlete, comparator, coach_rep="best")


def test_windows_are_the_same_duration_at_any_frame_rate(comparator, squats):
    """The same movement filmed at 60 fps is analysed over the same seconds as at 30 fps."""
    coach, athlete = squats
    angles = athlete.angles()
    doubled = np.empty((2 * len(angles) - 1, angles.shape[1]))
    doubled[0::2] = angles
    doubled[1::2] = (angles[:-1] + angles[1:]) / 2
    options = dict(useful_angles=KNEES, repetitions=False, smooth=False, window_seconds=0.8,
                   coach_rep="whole")
    at30 = compare(coach, angles, comparator, fps=30.0, **options)
    at60 = compare(coach, doubled, comparator, fps=60.0, **options)   # the coach keeps 30 fps
    assert at30.metadata["window_seconds"] == at60.metadata["window_seconds"] == \
        pytest.approx(0.8)
    assert at60.n_frames == len(doubled) and at60.fps == 60.0
    np.testing.assert_allclose(at60.similarity[0::2], at30.similarity, atol=1e-5,
                               equal_nan=True)


def test_frames_and_seconds_cannot_both_be_given(comparator, squats):
    coach, athlete = squats
    with pytest.raises(InputError, match="not both"):
        compare(coach, athlete, comparator, window=10, window_seconds=1.0)
    with pytest.raises(InputError, match="longer than the comparator's max_len"):
        compare(coach, athlete, comparator, window_seconds=60.0)


def test_a_short_athlete_clip_is_scored_and_says_how_much(comparator, squats):
    coach, athlete = squats
    short = athlete[:30]                                   # one second
    report = compare(coach, short, comparator, useful_angles=KNEES, repetitions=False,
                     window_seconds=0.6)
    assert report.scored_frames == report.metadata["scored_frames"] > 0
    assert "scored frame(s)" in report.messages[0]


def test_a_clip_too_short_to_judge_is_refused_with_seconds(comparator, squats):
    coach, athlete = squats
    with pytest.raises(InputError, match=r"athlete's clip is 0\.\d+ s long .*at least 0\.3 s"):
        compare(coach, athlete[:3], comparator, useful_angles=KNEES)
    with pytest.raises(InputError, match=r"coach's clip is 0\.\d+ s long"):
        compare(coach[:4], athlete, comparator, useful_angles=KNEES)


def test_a_kind_the_comparator_was_not_trained_on_is_refused(comparator, squats):
    coach, athlete = squats
    comparator.metadata_ = {"angle_kind": "unsigned"}
    try:
        with pytest.raises(InputError, match="kind='sagittal'.*trained on 'unsigned'"):
            compare(coach, athlete, comparator, kind="sagittal")
    finally:
        del comparator.metadata_


@pytest.mark.parametrize("transform, match", [
    (np.radians, "look like radians"),
    (lambda a: a - 500.0, "-?\\d+ degrees; unsigned angles lie in"),
])
def test_angles_out_of_range_are_refused_with_what_looks_wrong(comparator, squats, transform,
                                                                match):
    coach, athlete = squats
    with pytest.raises(InputError, match=match):
        compare(coach, transform(athlete.angles()), comparator, fps=30.0)


def test_an_angle_below_the_threshold_is_never_said_to_match(comparator, squats):
    coach, athlete = squats
    report = compare(coach, athlete, comparator, useful_angles=KNEES, repetitions=False)
    report.similarity[:, :] = np.where(np.isfinite(report.similarity), 0.9, np.nan)
    col = sitrex.ANGLE_NAMES.index("left knee")
    first = np.flatnonzero(np.isfinite(report.similarity[:, col]))[0]
    report.similarity[first, col] = 0.1                    # one frame below: a blip
    messages = " | ".join(report.messages)
    assert "matches the coach throughout: right knee" in messages
    assert "isolated frames: left knee" in messages


def test_a_clip_shorter_than_the_coachs_repetition_is_judged_on_its_second_half(comparator,
                                                                              squats):
    coach, athlete = squats
    report = compare(coach, athlete[:15], comparator, useful_angles=KNEES, repetitions=False,
                     coach_rep="whole")
    assert report.scored_frames >= 7
    assert any("shorter than the coach's reference" in m for m in report.messages)


# ---------------------------------------------------------------------------- causal mode
def test_a_causal_comparison_never_looks_at_later_frames(comparator, squats):
    coach, athlete = squats
    cut = athlete.n_frames // 2
    coords = np.array(athlete.coords)
    coords[cut:] += np.random.default_rng(0).normal(0, 0.05, coords[cut:].shape)
    coords[cut + 3:cut + 9] = np.nan                           # and somebody leaves
    changed = athlete.replace(coords=coords)
    first = compare(coach, athlete, comparator, useful_angles=KNEES, causal=True)
    second = compare(coach, changed, comparator, useful_angles=KNEES, causal=True)
    np.testing.assert_allclose(second.similarity[:cut], first.similarity[:cut], atol=1e-6)
    assert first.metadata["causal"] and first.metadata["conditioning"]["athlete"]["causal"]
    offline = compare(coach, athlete, comparator, useful_angles=KNEES)
    assert not offline.metadata["causal"]


def test_a_causal_comparison_refuses_what_needs_the_whole_clip(comparator, squats):
    coach, athlete = squats
    with pytest.raises(InputError, match="align=True"):
        compare(coach, athlete, comparator, causal=True, align=True)
    with pytest.raises(InputError, match="CausalConditioning"):
        compare(coach, athlete, comparator, causal=True, smooth=sitrex.Conditioning())
