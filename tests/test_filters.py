"""Time-series tools: gaps, re-timing, seconds, filters and the conditioning recipe (property tests)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitrex.conditioning import NO_CONDITIONING, CausalConditioning, Conditioning
from sitrex.exceptions import InputError
from sitrex.filters import HampelGate, OneEuroFilter, butterworth_lowpass, hampel, one_euro_filter
from sitrex.sequences import carry_forward, interpolate_gaps, resample, seconds_to_frames, \
    unwrap_angles

FPS = st.sampled_from([10.0, 24.0, 25.0, 29.97, 30.0, 50.0, 60.0, 120.0])


# ---------------------------------------------------------------------------- low-pass
@settings(max_examples=40, deadline=None)
@given(fps=st.sampled_from([25.0, 30.0, 60.0]), freq=st.floats(0.2, 1.5),
       amplitude=st.floats(10.0, 80.0), seed=st.integers(0, 2**16))
def test_a_slow_sine_plus_jitter_is_recovered_within_the_filtered_noise(fps, freq, amplitude,
                                                                       seed):
    """6 Hz zero-phase low-pass: a movement below 1.5 Hz with 5-degree white jitter comes back
    with the movement intact and the jitter cut to the share of the band the filter keeps: the
    mean absolute error is at most 1.2 * sqrt(6 / (fps / 2)) of the jitter's (about 0.8 at
    25 fps, 0.6 at 60 fps), and the movement's amplitude is kept within 3 %."""
    t = np.arange(0, 6.0, 1 / fps)
    clean = 90 + amplitude * np.sin(2 * np.pi * freq * t)
    noisy = clean + np.random.default_rng(seed).normal(0, 5.0, t.size)
    filtered = butterworth_lowpass(noisy, fps, cutoff=6.0)
    inner = slice(int(0.5 * fps), -int(0.5 * fps))        # edges aside
    raw_error = np.abs(noisy - clean)[inner].mean()
    assert np.abs(filtered - clean)[inner].mean() < 1.2 * np.sqrt(6.0 / (fps / 2)) * raw_error
    noiseless = butterworth_lowpass(clean, fps, cutoff=6.0)
    assert np.abs(noiseless - clean)[inner].max() < 0.03 * amplitude


@settings(max_examples=40, deadline=None)
@given(fps=FPS, centre=st.floats(0.3, 0.7), width=st.floats(0.15, 0.5))
def test_the_zero_phase_low_pass_does_not_shift_a_peak(fps, centre, width):
    t = np.arange(0, 3.0, 1 / fps)
    peak_time = centre * t[-1]
    signal = np.exp(-((t - peak_time) / width) ** 2)
    filtered = butterworth_lowpass(signal, fps, cutoff=6.0)
    # a causal filter would delay the pulse by several frames; this one keeps its centre
    centre_of = lambda x: (np.arange(len(x)) * x).sum() / x.sum()          # noqa: E731
    assert abs(centre_of(filtered) - centre_of(signal)) < 0.05
    assert abs(int(np.argmax(filtered)) - int(np.argmax(signal))) <= 1


def test_the_low_pass_keeps_missing_values_missing_and_filters_every_column():
    x = np.tile(np.sin(np.linspace(0, 6, 120))[:, None], (1, 3)) * 30
    x[50:60, 1] = np.nan
    x[:, 2] = np.nan
    y = butterworth_lowpass(x, 30.0)
    assert np.isnan(y[50:60, 1]).all() and np.isnan(y[:, 2]).all()
    assert np.isfinite(y[:, 0]).all() and np.isfinite(y[:50, 1]).all()


def test_a_cut_off_at_or_above_nyquist_leaves_the_signal_alone():
    x = np.random.default_rng(0).normal(size=50)
    assert np.array_equal(butterworth_lowpass(x, fps=10.0, cutoff=6.0), x)


# ---------------------------------------------------------------------------- gaps
@settings(max_examples=60, deadline=None)
@given(n=st.integers(5, 80), max_gap=st.integers(0, 6), seed=st.integers(0, 2**16))
def test_gaps_longer_than_max_gap_stay_missing_and_shorter_ones_are_filled(n, max_gap, seed):
    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.normal(size=n))
    missing = rng.random(n) < 0.35
    x[missing] = np.nan
    y = interpolate_gaps(x, max_gap=max_gap)
    runs = np.diff(np.concatenate([[0], missing.astype(int), [0]]))
    starts, ends = np.flatnonzero(runs == 1), np.flatnonzero(runs == -1)
    for a, b in zip(starts, ends):
        if missing.all():
            continue
        assert np.isnan(y[a:b]).all() == (b - a > max_gap)
    assert np.array_equal(y[~missing], x[~missing])       # measured values never change


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_interpolated_values_lie_between_their_measured_neighbours(seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 180, 40)
    x[rng.random(40) < 0.4] = np.nan
    y = interpolate_gaps(x)
    seen = np.flatnonzero(~np.isnan(x))
    if seen.size < 2:
        return
    for i in range(seen[0], seen[-1]):
        lo = seen[seen <= i].max()
        hi = seen[seen >= i].min()
        assert min(x[lo], x[hi]) - 1e-9 <= y[i] <= max(x[lo], x[hi]) + 1e-9


# ---------------------------------------------------------------------------- unwrap / resample
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_unwrapped_angles_are_the_same_angles_and_never_jump_by_half_a_turn(seed):
    rng = np.random.default_rng(seed)
    path = np.cumsum(rng.uniform(-40, 40, 60)) % 360
    path[rng.random(60) < 0.2] = np.nan
    out = unwrap_angles(path)
    ok = ~np.isnan(path)
    assert np.allclose(np.mod(out[ok], 360), path[ok])
    steps = np.diff(out[ok])
    assert (np.abs(steps) <= 180 + 1e-9).all()


@settings(max_examples=40, deadline=None)
@given(a=FPS, b=FPS, slope=st.floats(-50, 50), n=st.integers(2, 200))
def test_resampling_a_linear_movement_is_exact(a, b, slope, n):
    t = np.arange(n) / a
    out, nearest = resample(slope * t, a, b)
    new_t = np.arange(len(out)) / b
    assert np.allclose(out, slope * new_t, atol=1e-9)
    assert new_t[-1] <= t[-1] + 1e-9 and (nearest >= 0).all() and (nearest < n).all()


@settings(max_examples=40, deadline=None)
@given(rate=st.sampled_from([24.0, 25.0, 30.0, 50.0, 60.0]), factor=st.integers(2, 5),
       n=st.integers(2, 400), seed=st.integers(0, 2**16))
def test_a_new_frame_on_an_old_one_keeps_its_value_next_to_missing_frames(rate, factor, n, seed):
    """Down by a whole factor, every new frame is an old one: a missing neighbour never counts
    (k / 30 * 60 is not always 2k in floating point)."""
    x = np.random.default_rng(seed).normal(size=(n * factor, 2))
    missing = np.ones(len(x), bool)
    missing[::factor] = False
    x[missing] = np.nan
    out, nearest = resample(x, rate * factor, rate)
    np.testing.assert_array_equal(out, x[::factor][:len(out)])
    np.testing.assert_array_equal(nearest, np.arange(len(out)) * factor)


@pytest.mark.parametrize("seconds, fps, frames", [
    (2.0, 30.0, 60), (2.0, 25.0, 50), (2.0, 60.0, 120), (2.0, 29.97, 60), (0.5, 24.0, 12),
    (1.0, 55.0, 55), (0.0, 30.0, 1), (10.0, 21.428, 214),
])
def test_seconds_become_frames_at_every_frame_rate(seconds, fps, frames):
    assert seconds_to_frames(seconds, fps) == frames


def test_seconds_to_frames_refuses_negative_durations_and_rates():
    with pytest.raises(InputError, match="duration"):
        seconds_to_frames(-1.0, 30.0)
    with pytest.raises(InputError, match="fps"):
        seconds_to_frames(1.0, 0.0)


# ---------------------------------------------------------------------------- glitches
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), at=st.integers(10, 50), size=st.floats(150.0, 1e5))
def test_a_glitch_is_rejected_and_a_smooth_movement_is_left_alone(seed, at, size):
    rng = np.random.default_rng(seed)
    t = np.arange(60) / 30.0
    x = 90 + 40 * np.sin(2 * np.pi * 0.5 * t) + rng.normal(0, 1.0, 60)
    clean, outliers = hampel(x, window=7, n_sigmas=4.0, min_scale=2.0)
    assert not outliers.any()
    x[at] += size
    clean, outliers = hampel(x, window=7, n_sigmas=4.0, min_scale=2.0)
    assert np.flatnonzero(outliers).tolist() == [at] and np.isnan(clean[at])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), at=st.integers(10, 50), size=st.floats(150.0, 1e5))
def test_the_causal_gate_rejects_a_glitch_from_the_past_alone(seed, at, size):
    rng = np.random.default_rng(seed)
    x = 90 + 40 * np.sin(2 * np.pi * 0.5 * np.arange(60) / 30.0) + rng.normal(0, 1.0, 60)
    x[at] += size
    gate = HampelGate(window=0.25)
    outliers = [bool(gate.update(x[t:t + 1], t / 30.0, min_scale=2.0)[1][0]) for t in range(60)]
    flagged = np.flatnonzero(outliers).tolist()
    # the past alone lags a movement: at a turn a few good frames may be held too (never many)
    assert at in flagged and len(flagged) <= 7


def test_the_causal_gate_accepts_a_lasting_jump_after_half_its_window():
    x = np.r_[np.zeros(30), np.full(30, 10.0)]
    gate = HampelGate(window=0.25)                   # 7 past frames at 30 fps
    outliers = [bool(gate.update(x[t:t + 1], t / 30.0, min_scale=0.1)[1][0]) for t in range(60)]
    assert np.flatnonzero(outliers).tolist() == [30, 31, 32, 33]     # then the new position


# ---------------------------------------------------------------------------- causal gaps
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), cut=st.integers(1, 39))
def test_carrying_forward_is_causal_and_keeps_measured_values(seed, cut):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(40, 3))
    x[rng.random(x.shape) < 0.3] = np.nan
    filled = carry_forward(x, fill_value=0.0)
    measured = ~np.isnan(x)
    assert np.array_equal(filled[measured], x[measured]) and not np.isnan(filled).any()
    changed = x.copy()
    changed[cut:] = rng.normal(size=changed[cut:].shape)
    assert np.array_equal(carry_forward(changed, fill_value=0.0)[:cut], filled[:cut])


# ---------------------------------------------------------------------------- live smoothing
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), cut=st.integers(1, 59))
def test_the_one_euro_filter_is_causal(seed, cut):
    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.normal(size=(60, 4)), axis=0)
    changed = x.copy()
    changed[cut:] += rng.normal(0, 10, changed[cut:].shape)
    assert np.array_equal(one_euro_filter(x, 30.0)[:cut], one_euro_filter(changed, 30.0)[:cut])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_the_one_euro_filter_stays_within_the_range_seen_so_far(seed):
    x = np.random.default_rng(seed).uniform(-5, 5, (50, 3))
    y = one_euro_filter(x, 30.0, beta=0.5)
    lo = np.minimum.accumulate(x, axis=0)
    hi = np.maximum.accumulate(x, axis=0)
    assert ((y >= lo - 1e-9) & (y <= hi + 1e-9)).all()


def test_the_one_euro_filter_handles_missing_frames_and_repeated_timestamps():
    f = OneEuroFilter()
    a = f.update([1.0, 2.0], 0.0)
    b = f.update([np.nan, 2.5], 0.033)
    c = f.update([1.2, 2.6], 0.033)            # repeated time stamp
    d = f.update([5.0, 2.7], 2.0)              # after a long gap: starts afresh
    assert a.tolist() == [1.0, 2.0] and np.isnan(b[0]) and np.isfinite(c).all()
    assert d[0] == 5.0


# ---------------------------------------------------------------------------- the recipe
def test_conditioning_removes_a_landmark_glitch_and_jitter_but_keeps_the_movement():
    from sitrex.skeleton import Skeleton

    rng = np.random.default_rng(0)
    fps, n = 30.0, 90
    base = rng.uniform(0, 1, (33, 3))
    t = np.arange(n) / fps
    coords = np.repeat(base[None], n, axis=0)
    coords[:, 15, 0] += 0.3 * np.sin(2 * np.pi * 0.5 * t)           # a wrist moves
    noisy = coords + rng.normal(0, 0.005, coords.shape)
    noisy[45, 15] += 5.0                                             # thrown far off
    skel = Conditioning(centre=False).skeleton(Skeleton(noisy, fps=fps))
    assert skel.meta["conditioning"]["rejected_values"] >= 1
    assert np.abs(skel.coords - coords).max() < 0.02
    assert np.abs(noisy - coords).max() > 4.0


def test_no_conditioning_changes_nothing():
    x = np.random.default_rng(0).uniform(0, 180, (30, 4))
    assert np.array_equal(NO_CONDITIONING.angles(x, 30.0), x)


def test_conditioning_puts_the_origin_at_the_mid_hip_of_every_frame():
    import sitrex
    from sitrex.landmarks import landmark_index
    from sitrex.skeleton import Skeleton

    coords = np.random.default_rng(1).uniform(0, 1, (20, 33, 3)) + 100.0
    skel = Conditioning(reject_outliers=False, lowpass=None).skeleton(Skeleton(coords, fps=30))
    hips = skel.coords[:, [landmark_index("left_hip"), landmark_index("right_hip")]]
    assert np.abs(hips.mean(axis=1)).max() < 1e-9
    # angles do not depend on the origin, except the valgus indicators
    valgus = [i for i, n in enumerate(sitrex.ANGLE_NAMES) if "valgus" in n]
    others = [i for i in range(len(sitrex.ANGLE_NAMES)) if i not in valgus]
    before, after = Skeleton(coords).angles(), skel.angles()
    np.testing.assert_allclose(after[:, others], before[:, others], atol=1e-6)
    assert np.abs(after[:, valgus] - before[:, valgus]).max() > 1.0


# ---------------------------------------------------------------------------- the causal recipe
def _noisy_wrist(n=90, fps=30.0, seed=0):
    rng = np.random.default_rng(seed)
    base = rng.uniform(0, 1, (33, 3))
    t = np.arange(n) / fps
    coords = np.repeat(base[None], n, axis=0)
    coords[:, 15, 0] += 0.3 * np.sin(2 * np.pi * 0.5 * t)
    return coords, coords + rng.normal(0, 0.005, coords.shape)


def test_the_causal_recipe_removes_a_glitch_and_jitter_and_keeps_the_movement():
    from sitrex.skeleton import Skeleton

    coords, noisy = _noisy_wrist()
    noisy[45, 15] += 5.0
    skel = CausalConditioning(centre=False).skeleton(Skeleton(noisy, fps=30.0))
    assert skel.meta["conditioning"]["rejected_values"] >= 1
    assert skel.meta["conditioning"]["causal"]
    error = np.abs(skel.coords - coords)
    # a causal low-pass lags: at most speed / (2 pi cut-off), about 0.05 for this wrist
    assert error.max() < 0.08 and error.mean() < 0.005
    assert np.abs(noisy - coords).max() > 4.0


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), cut=st.integers(1, 59))
def test_the_causal_recipe_never_looks_ahead(seed, cut):
    _, noisy = _noisy_wrist(60, seed=seed)
    changed = noisy.copy()
    changed[cut:] += np.random.default_rng(seed).normal(0, 1.0, changed[cut:].shape)
    changed[cut + 1:cut + 5] = np.nan                          # and a gap
    recipe = CausalConditioning()
    before = recipe.landmarks(noisy, 30.0)[0][:cut]
    assert np.array_equal(recipe.landmarks(changed, 30.0)[0][:cut], before)


def test_streaming_the_frames_gives_what_the_whole_recording_gives():
    _, noisy = _noisy_wrist()
    noisy[20:25] = np.nan                                      # nobody for 5 frames
    recipe = CausalConditioning()
    whole, _ = recipe.landmarks(noisy, 30.0)
    stream = recipe.stream("landmarks")
    frames = np.stack([stream.update(noisy[t], t / 30.0)[0] for t in range(len(noisy))])
    np.testing.assert_array_equal(frames, whole)
    assert np.isfinite(whole[20:25]).all()                     # held: shorter than max_gap


def test_a_gap_longer_than_max_gap_stays_missing_in_the_causal_recipe():
    _, noisy = _noisy_wrist()
    noisy[20:60] = np.nan
    cleaned, _ = CausalConditioning(max_gap=0.5).landmarks(noisy, 30.0)
    held = np.isfinite(cleaned[20:60, 0, 0])
    assert held[:15].all() and not held[16:].any()             # 0.5 s at 30 fps


def test_the_causal_recipe_unwraps_plane_angles_as_they_come():
    angles = np.r_[np.linspace(340, 359, 10), np.linspace(1, 20, 10)][:, None]
    cleaned = CausalConditioning().angles(angles, 30.0, periodic=True)
    steps = (np.diff(cleaned[:, 0]) + 180) % 360 - 180
    assert (np.abs(steps) < 5).all() and ((cleaned >= 0) & (cleaned < 360)).all()


@settings(max_examples=40, deadline=None)
@given(n=st.integers(3, 60), columns=st.integers(1, 4), window=st.integers(1, 9),
       block=st.integers(1, 200), seed=st.integers(0, 2**16))
def test_hampel_done_in_blocks_is_hampel_done_at_once(n, columns, window, block, seed):
    """A long recording is filtered block by block (bounded memory): every block boundary gives
    exactly what one pass over the whole series gives, NaN and glitches included."""
    import sitrex.filters as filters

    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.normal(size=(n, columns)), axis=0)
    x[rng.random((n, columns)) < 0.1] = np.nan
    x[rng.random((n, columns)) < 0.05] += 50.0                   # glitches
    once = hampel(x, window=window, n_sigmas=3.0)
    saved = filters._BLOCK_VALUES
    filters._BLOCK_VALUES = block
    try:
        blocked = hampel(x, window=window, n_sigmas=3.0)
    finally:
        filters._BLOCK_VALUES = saved
    np.testing.assert_array_equal(blocked[1], once[1])
    np.testing.assert_array_equal(blocked[0], once[0])
