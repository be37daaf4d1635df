"""The repetition comparator's front end: coach profile, athlete repetitions, population scale."""

from __future__ import annotations

import numpy as np
import pytest

from sitrex.estimators._repetition_descriptors import descriptors
from sitrex.estimators._repetition_features import (
    FEATURES,
    N_CURVE_POINTS,
    athlete_repetitions,
    coach_profile,
)
from sitrex.exceptions import InputError

FPS = 30


def squat_rep(n_frames: int, depth: float = 90.0) -> np.ndarray:
    """One squat of `n_frames`: the knee from 170 down by `depth` and back up."""
    phase = np.arange(n_frames) / n_frames
    return 170.0 - depth * 0.5 * (1 - np.cos(2 * np.pi * phase))


def clip(*reps: np.ndarray, still: float = 90.0) -> np.ndarray:
    """(T, 3): knee (the reps), hip following it at half the range, an angle held still."""
    knee = np.concatenate(reps)
    hip = 90.0 + 0.5 * (knee - 170.0) + 60.0
    return np.column_stack([knee, hip, np.full(len(knee), still)])


@pytest.fixture(scope="module")
def coach():
    return clip(*[squat_rep(75)] * 4)


@pytest.fixture(scope="module")
def profile(coach):
    return coach_profile(coach)


# ----------------------------------------------------------------------------- coach profile
def test_the_coach_template_is_the_first_repetition_and_the_turn_is_its_bottom(coach, profile):
    assert len(profile.repetitions) == 4
    start, stop = profile.repetitions[0]
    np.testing.assert_array_equal(profile.template, coach[start:stop])
    assert profile.template[profile.turn_frame, 0] == pytest.approx(80.0, abs=1.0)
    assert profile.turn[0] == pytest.approx(80.0, abs=1.0)
    assert profile.rest[0] == profile.template[0, 0]


def test_the_usefulness_rule_picks_the_angles_that_move_clearly_and_smoothly():
    t = np.arange(300) / FPS
    main = 170 - 45 * (1 - np.cos(2 * np.pi * t / 2.5))        # ROM 90
    small = 90 + 5 * np.sin(2 * np.pi * t / 2.5)                # ROM 10 < 15
    jittery = 90 + 20 * np.sign(np.sin(2 * np.pi * t * 4))      # moves, but flips 8 times a second
    helper = 120 + 15 * (1 - np.cos(2 * np.pi * t / 2.5))       # ROM 30 >= 0.25 * 90
    missing = np.full(len(t), np.nan)
    p = coach_profile(np.column_stack([main, small, jittery, helper, missing]))
    assert p.useful.tolist() == [True, False, False, True, False]
    assert ((p.usefulness >= 0.5) == p.useful).all()
    assert p.usefulness[4] == 0.0 and not p.measured[4] and p.rom[4] == 0.0


def test_the_soft_usefulness_grows_with_the_range_and_crosses_one_half_at_the_rule():
    t = np.arange(300) / FPS
    wave = 1 - np.cos(2 * np.pi * t / 2.5)                  # ROM 2 (p5..p95 a little less)
    p = coach_profile(np.column_stack([170 - 45 * wave] + [90 + a * wave for a in (5, 10, 15, 30)]))
    threshold = 0.25 * p.rom[0]
    assert np.all(np.diff(p.usefulness[1:]) > 0)
    assert ((p.usefulness >= 0.5) == (p.rom >= threshold)).all()
    assert p.useful.tolist() == (p.rom >= threshold).tolist()


def test_a_main_only_column_counts_only_as_a_main_movement_and_sets_no_bar():
    """The axial rotations' rule: useful when moving at least as far as every other column, in
    at least 90 % of the frames; not at a quarter of the largest range, nor at half of it."""
    t = np.arange(300) / FPS
    wave = 1 - np.cos(2 * np.pi * t / 2.5)
    knee, helper = 170 - 45 * wave, 120 + 15 * wave               # ROM 90 and 30
    incidental, half, leading, wild = (90 + a * wave for a in (17.5, 30, 50, 100))  # 35 ... 200
    gappy = wild.copy()
    gappy[::5] = np.nan                                             # measured in 80 % of the frames
    columns = np.column_stack([knee, helper, incidental, half, leading, wild, gappy])
    flags = [False, False, True, True, True, True, True]
    p = coach_profile(columns, main_only=flags)
    assert p.useful.tolist() == [True, True, False, False, True, True, False]
    assert ((p.usefulness >= 0.5) == p.useful).all()
    assert p.usefulness[-1] == 0.0
    plain = coach_profile(columns)                                  # the 200-degree column sets the bar
    assert plain.useful.tolist() == [True, False, False, True, True, True, True]
    only_rotation = coach_profile(np.column_stack([90 + 2 * np.sin(t), 90 + 35 * wave]),
                                  main_only=[False, True])          # the rotation *is* the movement
    assert only_rotation.useful.tolist() == [False, True]
    with pytest.raises(InputError, match="main_only needs one flag per angle column"):
        coach_profile(columns, main_only=[True])


def test_when_no_angle_qualifies_the_most_moving_measured_angle_is_useful():
    t = np.arange(200) / FPS
    p = coach_profile(np.column_stack([90 + 3 * np.sin(t), 90 + 6 * np.sin(t), 90 + 0 * t]))
    assert p.useful.tolist() == [False, True, False]
    assert p.usefulness[1] >= 0.5 > p.usefulness[0]


def test_the_coach_spread_needs_two_repetitions(coach, profile):
    one = coach_profile(coach[:75])
    assert len(one.repetitions) < 2 and np.isnan(one.spread).all()
    assert one.template.shape == (75, 3)                        # the whole clip
    assert np.isfinite(profile.spread).all() and profile.spread.max() < 1.0   # identical reps


def test_repetitions_given_by_the_caller_are_used(coach):
    p = coach_profile(coach, repetitions=[(75, 150), (150, 225), (0, 5)])  # the last is too short
    assert p.repetitions == [(75, 150), (150, 225)]
    with pytest.raises(InputError, match="frame range"):
        coach_profile(coach, repetitions=[(0, 10_000)])


def test_a_coach_measuring_nothing_is_refused():
    with pytest.raises(InputError, match="measures no angle"):
        coach_profile(np.full((50, 2), np.nan))


# ----------------------------------------------------------------------------- athlete repetitions
@pytest.mark.parametrize("lengths", [(60, 90, 75), (50, 100), (80, 70, 64, 95)])
def test_k_time_warped_copies_of_the_template_are_k_repetitions(profile, lengths):
    athlete = clip(*[squat_rep(n) for n in lengths])
    reps = athlete_repetitions(profile, athlete)
    assert len(reps.bounds) == len(lengths)
    starts = np.array([start for start, _ in reps.bounds])
    assert np.abs(np.diff(starts) - np.array(lengths[:-1])).max() <= 8   # one cut per copy
    assert reps.features.shape == (len(lengths), 3, len(FEATURES))
    assert reps.athlete_curves.shape == (len(lengths), 3, N_CURVE_POINTS)
    assert reps.coach_curves.shape == (3, N_CURVE_POINTS)


def test_an_athlete_identical_to_the_coach_deviates_by_nothing(coach, profile):
    reps = athlete_repetitions(profile, coach)
    assert reps.bounds[:3] == profile.repetitions[:3]
    assert np.abs(reps.features[:3]).max() < 1.0               # the complete repetitions
    np.testing.assert_allclose(reps.athlete_curves[:3], np.repeat(reps.coach_curves[None], 3, 0),
                               atol=1.0)


def test_a_shallower_squat_shows_as_a_raised_low_end_and_a_smaller_range(profile):
    reps = athlete_repetitions(profile, clip(*[squat_rep(70, depth=70.0)] * 3))
    lo, hi, turn, mean, rms, p90, rom = np.median(reps.features[:, 0], axis=0)
    assert lo == pytest.approx(20.0, abs=1.5)              # the bottom is 20 degrees higher
    assert hi == pytest.approx(0.0, abs=1.5)               # the top is the same
    assert turn == pytest.approx(20.0, abs=2.0)
    assert rom == pytest.approx(-20.0, abs=2.0)
    assert 0 < mean <= rms <= p90 <= 20.5
    assert np.median(reps.features[:, 1, 0]) == pytest.approx(10.0, abs=1.5)   # the hip, half
    assert np.abs(reps.features[:, 2]).max() < 1e-9       # the still angle


def test_partial_repetitions_at_the_ends_are_not_scored(profile):
    athlete = clip(squat_rep(75)[50:], squat_rep(75), squat_rep(75), squat_rep(75)[:20])
    reps = athlete_repetitions(profile, athlete)
    assert len(reps.bounds) == 2
    assert not reps.scored[:25].any() and not reps.scored[-11:].any()   # the partial ends
    assert reps.match.shape == (len(athlete),)


def test_with_no_full_repetition_the_whole_clip_is_one(profile):
    athlete = clip(squat_rep(75)[10:40])
    reps = athlete_repetitions(profile, athlete)
    assert reps.bounds == [(0, 30)] and reps.scored.all()


def test_angles_missing_in_the_athlete_give_nan_features(profile, coach):
    athlete = coach.copy()
    athlete[:, 1] = np.nan
    reps = athlete_repetitions(profile, athlete)
    assert np.isnan(reps.features[:, 1]).all() and np.isfinite(reps.features[:, 0]).all()
    assert np.isnan(reps.athlete_curves[:, 1]).all()


def test_an_athlete_with_other_angle_columns_is_refused(profile, coach):
    with pytest.raises(InputError, match="angle columns"):
        athlete_repetitions(profile, coach[:, :2])


# ----------------------------------------------------------------------------- descriptors
def test_descriptors_name_the_angle_family_and_the_movement_context(profile):
    d = descriptors(profile, ["left knee", "right hip", "torso flexion"])
    assert d.shape == (3, 21)
    assert d[:, :12].argmax(axis=1).tolist() == [5, 6, 11] and d[:, :12].sum() == 3
    assert d[0, 13] == pytest.approx(1.0)                 # the knee moves most
    assert d[0, 17] == 1.0                                # the coach has a spread
    np.testing.assert_allclose(d[:, 18:], [[1.0, 0.0, 0.0]] * 3, atol=1e-9)
    with pytest.raises(InputError, match="names"):
        descriptors(profile, ["left knee"])


# ----------------------------------------------------------------------------- population scale
from sitrex.estimators._population_scale import (  # noqa: E402
    PopulationScale,
    direction,
    fit_statistic_scale,
    network_inputs,
    scale_samples,
    shortfall_z,
    statistic_similarity,
)


def test_the_population_scale_recovers_known_coefficients():
    rng = np.random.default_rng(0)
    n = 4000
    rom, rough, median = rng.uniform(0, 120, n), rng.uniform(0.5, 4, n), rng.uniform(20, 180, n)
    x = np.column_stack([np.ones(n), np.log(rom + 5), rom / rom.max(), np.log(rough + 0.1),
                         median / 180])
    beta = np.array([1.0, 0.5, -1.0, 0.3, -0.5]) + rng.uniform(-0.1, 0.1, (7, 5))  # x . beta > 0
    features = (np.exp(x @ beta.T) - 1) * rng.choice([-1, 1], (n, 7))   # ln(|f| + 1) = x . beta
    features[0, 3] = np.nan                                                # left out
    np.testing.assert_allclose(PopulationScale().fit(features, x).beta, beta, atol=1e-8)


def test_the_population_scale_grows_with_the_coach_range_and_round_trips(profile):
    beta = np.zeros((7, 5))
    beta[:, 1] = 1.0                                        # sigma = ROM + 5
    scale = PopulationScale.from_dict(PopulationScale(beta).to_dict())
    sigma = scale.sigma(profile)
    assert sigma.shape == (3, 7)
    np.testing.assert_allclose(sigma[:, 0], profile.rom + 5)
    assert PopulationScale.covariates(profile).shape == (3, 5)
    with pytest.raises(InputError, match="beta"):
        PopulationScale(np.zeros((5, 7)))
    with pytest.raises(InputError, match="fit"):
        PopulationScale().sigma(profile)
    with pytest.raises(InputError, match="do not determine"):
        PopulationScale().fit(np.ones((10, 7)), np.ones((10, 5)))


def test_only_falling_short_of_the_coach_counts_on_a_moving_angle(profile):
    assert direction(profile).tolist() == [-1.0, -1.0, 0.0]  # knee and hip bend; the third is still
    sigma = np.full((3, 7), 5.0)
    shallow, deeper, leaning = (clip(*[squat_rep(75, depth=d)] * 3) for d in (60.0, 110.0, 90.0))
    leaning[:, 2] += 15.0
    z = [np.median(shortfall_z(athlete_repetitions(profile, a).features, profile, sigma), axis=0)
         for a in (shallow, deeper, leaning)]
    assert z[0][0] == pytest.approx(30 / 5, abs=0.5)        # 30 degrees short of the bottom
    assert z[1][0] == 0.0                                   # further than the coach: tolerated
    assert z[2][2] == pytest.approx(15 / 5, abs=0.1)        # a still angle: either way counts
    assert z[2][0] < 0.2


def test_the_statistic_is_one_half_at_the_90th_percentile_of_correct_executions():
    z_correct = np.random.default_rng(1).gamma(2.0, 1.0, 10_000)
    c = fit_statistic_scale(z_correct)
    assert c == pytest.approx(np.percentile(z_correct, 90) / 1.1774, rel=1e-4)
    assert statistic_similarity(c * 1.1774, c) == pytest.approx(0.5, abs=1e-4)
    assert np.mean(statistic_similarity(z_correct, c) >= 0.5) == pytest.approx(0.9, abs=1e-3)
    assert statistic_similarity(0.0, c) == 1.0
    with pytest.raises(InputError, match="no shortfall"):
        fit_statistic_scale(np.zeros(10))


def test_scale_samples_keep_measured_moving_useful_angles(profile, coach):
    athlete = coach.copy()
    athlete[:, 1] = np.nan
    mask = scale_samples(athlete_repetitions(profile, athlete), profile)
    assert mask[:, 0].all() and not mask[:, 1:].any()      # hip missing, third angle not useful


def test_network_inputs_are_population_scaled_clipped_and_rep_major(profile):
    athlete = clip(*[squat_rep(75, depth=60.0)] * 3)
    athlete[:, 1] = np.nan
    reps = athlete_repetitions(profile, athlete)
    sigma = np.full((3, 7), 5.0)
    inputs = network_inputs(reps, profile, sigma, ["left knee", "left hip", "torso flexion"])
    n = len(reps.bounds) * 3
    assert {k: v.shape for k, v in inputs.items()} == {
        "coach": (n, 32, 1), "athlete": (n, 32, 1), "statistics": (n, 9), "descriptors": (n, 21)}
    assert all(v.dtype == np.float32 and np.isfinite(v).all() for v in inputs.values())
    coach_knee = (reps.coach_curves[0] - profile.median[0]) / 5.0
    np.testing.assert_allclose(inputs["coach"][0, :, 0], np.clip(coach_knee, -10, 10), atol=1e-5)
    np.testing.assert_allclose(inputs["coach"][3], inputs["coach"][0])   # rep 1, knee
    assert np.abs(inputs["athlete"]).max() <= 10 and np.abs(inputs["statistics"]).max() <= 10
    stats = inputs["statistics"].reshape(-1, 3, 9)
    assert (stats[:, 0, 7] < -4).all()                      # far: the knee falls ~30 deg short
    assert (stats[:, 1] == 0).all() and (inputs["athlete"].reshape(-1, 3, 32)[:, 1] == 0).all()
