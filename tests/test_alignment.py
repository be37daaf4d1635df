"""Dynamic time warping: properties of the path and the cost, NaN and band rules, errors."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sitrex.alignment import align_to_reference, dtw_distance, dtw_path

angles = st.floats(0.0, 180.0, allow_nan=False, allow_infinity=False)


def sequences(min_frames=1, max_frames=25, columns=st.integers(1, 4)):
    return columns.flatmap(lambda d: st.tuples(
        arrays(np.float64, st.tuples(st.integers(min_frames, max_frames), st.just(d)), elements=angles),
        arrays(np.float64, st.tuples(st.integers(min_frames, max_frames), st.just(d)), elements=angles)))


def brute_force(a, b):
    """Textbook double-loop DTW (the specification the vectorised one must match)."""
    cost = np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1))
    acc = np.full((len(a) + 1, len(b) + 1), np.inf)
    acc[0, 0] = 0.0
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            acc[i, j] = cost[i - 1, j - 1] + min(acc[i - 1, j], acc[i, j - 1], acc[i - 1, j - 1])
    return acc[-1, -1]


def assert_valid_path(ia, ib, ta, tb):
    assert ia[0] == 0 and ib[0] == 0 and ia[-1] == ta - 1 and ib[-1] == tb - 1
    steps = np.stack([np.diff(ia), np.diff(ib)], axis=1)
    assert set(map(tuple, steps.tolist())) <= {(1, 0), (0, 1), (1, 1)}


@settings(max_examples=60, deadline=None)
@given(sequences())
def test_cost_equals_the_textbook_recursion(pair):
    a, b = pair
    ia, ib, cost = dtw_path(a, b)
    assert cost == pytest.approx(brute_force(a, b), rel=1e-9, abs=1e-7)
    assert_valid_path(ia, ib, len(a), len(b))
    path_cost = np.sqrt(((a[ia] - b[ib]) ** 2).sum(-1)).sum()
    assert path_cost == pytest.approx(cost, rel=1e-9, abs=1e-7)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 30), st.integers(1, 4)), elements=angles))
def test_identity_has_zero_cost_and_the_diagonal_path(a):
    ia, ib, cost = dtw_path(a, a)
    assert cost == pytest.approx(0.0, abs=1e-9)
    if len(np.unique(a, axis=0)) == len(a):  # with repeated frames other paths are optimal too
        assert ia.tolist() == ib.tolist() == list(range(len(a)))


@settings(max_examples=40, deadline=None)
@given(sequences(), st.booleans())
def test_cost_is_symmetric(pair, circular):
    a, b = pair
    assert dtw_path(a, b, circular=circular)[2] == pytest.approx(
        dtw_path(b, a, circular=circular)[2], rel=1e-9, abs=1e-7)


@settings(max_examples=30, deadline=None)
@given(st.integers(20, 60), st.floats(1.3, 3.0))
def test_time_stretched_copy_aligns_monotonically_onto_its_original(n, stretch):
    t = np.linspace(0.0, 1.0, n)
    ref = np.stack([90 + 60 * np.sin(2 * np.pi * t), 100 + 40 * np.cos(2 * np.pi * t)], axis=1)
    m = int(round(n * stretch))
    source = np.linspace(0.0, n - 1, m)                      # candidate frame -> reference time
    cand = np.stack([np.interp(source, np.arange(n), ref[:, k]) for k in range(2)], axis=1)
    matched = align_to_reference(ref, cand)
    assert matched.shape == (m,)
    assert np.all(np.diff(matched) >= 0) and matched[0] == 0 and matched[-1] == n - 1
    assert np.abs(matched - source).max() <= 1.5
    step = np.linalg.norm(np.diff(ref, axis=0), axis=1).mean()
    assert dtw_distance(ref, cand) < 0.5 * step     # in-between frames: at most half a step off


@settings(max_examples=40, deadline=None)
@given(sequences(min_frames=2, max_frames=30), st.floats(0.0, 6.0))
def test_band_is_respected(pair, band):
    a, b = pair
    ta, tb = len(a), len(b)
    try:
        ia, ib, cost = dtw_path(a, b, band=band)
    except ValueError as exc:  # too narrow for these lengths: said so, never silently ignored
        assert "too narrow" in str(exc)
        return
    assert_valid_path(ia, ib, ta, tb)
    offset = np.abs(ia / (ta - 1) - ib / (tb - 1)) * max(ta - 1, tb - 1)
    assert offset.max() <= band + 1e-9
    assert cost >= dtw_path(a, b)[2] - 1e-7       # a constraint never lowers the optimum


def test_wide_band_equals_no_band():
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0, 180, (40, 3)), rng.uniform(0, 180, (30, 3))
    assert dtw_path(a, b, band=1000)[2] == pytest.approx(dtw_path(a, b)[2])


def test_all_nan_column_is_ignored():
    rng = np.random.default_rng(2)
    a, b = rng.uniform(0, 180, (30, 2)), rng.uniform(0, 180, (25, 2))
    a_nan = np.column_stack([a, np.full(30, np.nan)])
    b_any = np.column_stack([b, rng.uniform(0, 180, 25)])
    ia, ib, cost = dtw_path(a, b)
    ia2, ib2, cost2 = dtw_path(a_nan, b_any)
    assert cost2 == pytest.approx(cost)
    assert ia2.tolist() == ia.tolist() and ib2.tolist() == ib.tolist()


def test_nan_entries_are_skipped_per_frame_pair_and_rescaled():
    a = np.array([[10.0, np.nan], [20.0, 30.0]])
    b = np.array([[13.0, 50.0], [20.0, 30.0]])
    # frame pair (0, 0) uses column 0 only: sqrt(3^2 * 2 / 1); pair (1, 1) costs 0
    ia, ib, cost = dtw_path(a, b)
    assert ia.tolist() == ib.tolist() == [0, 1]
    assert cost == pytest.approx(np.sqrt(18.0))


def test_frame_without_any_common_column_costs_the_mean():
    a = np.array([[0.0], [np.nan], [0.0]])
    b = np.array([[0.0], [4.0], [0.0]])
    ia, ib, cost = dtw_path(a, b)
    # finite pairs: 0 (x4) and 4 (x2) -> mean 4/3 for the three pairs with the NaN frame
    assert cost == pytest.approx(4.0 / 3.0)
    assert ia.tolist() == ib.tolist() == [0, 1, 2]


def test_circular_wraps_differences():
    assert dtw_distance([[359.0]], [[1.0]], circular=True) == pytest.approx(2.0)
    assert dtw_distance([[359.0]], [[1.0]]) == pytest.approx(358.0)
    rng = np.random.default_rng(3)
    a = rng.uniform(0, 360, (20, 2))
    assert dtw_distance(a, (a + 360.0 * rng.integers(-2, 3, a.shape)), circular=True) == \
        pytest.approx(0.0, abs=1e-9)


def test_distance_is_the_cost_per_path_step():
    rng = np.random.default_rng(4)
    a, b = rng.uniform(0, 180, (12, 2)), rng.uniform(0, 180, (17, 2))
    ia, _, cost = dtw_path(a, b)
    assert dtw_distance(a, b) == pytest.approx(cost / len(ia))


def test_align_to_reference_uses_only_the_chosen_columns():
    ref = np.column_stack([np.arange(10.0) * 10, np.zeros(10)])
    cand = np.column_stack([np.repeat(np.arange(10.0) * 10, 2), np.full(20, 500.0)])
    matched = align_to_reference(ref, cand, columns=[0])
    assert matched.tolist() == np.repeat(np.arange(10), 2).tolist()
    assert align_to_reference(ref, cand, columns=np.array([True, False])).tolist() == matched.tolist()


def test_900_frames_align_quickly():
    rng = np.random.default_rng(5)
    a, b = rng.uniform(0, 180, (900, 23)), rng.uniform(0, 180, (900, 23))
    dtw_path(a[:50], b[:50])
    start = time.perf_counter()
    dtw_path(a, b)
    assert time.perf_counter() - start < 1.0   # about 20 ms on one core; generous for shared CI


@pytest.mark.parametrize("a, b, match", [
    (np.zeros((0, 2)), np.zeros((3, 2)), "no frames"),
    (np.zeros((3, 2)), np.zeros((3, 3)), "same angle columns"),
    (np.zeros((2, 2, 2)), np.zeros((3, 2)), "2-D"),
    (np.full((3, 2), np.nan), np.zeros((3, 2)), "no angle column is measured in both"),
    (np.array([[np.inf]]), np.zeros((3, 1)), "inf"),
])
def test_bad_input_names_the_problem(a, b, match):
    with pytest.raises(ValueError, match=match):
        dtw_path(a, b)


@pytest.mark.parametrize("band", [-1, float("nan"), "wide", True])
def test_bad_band_is_refused(band):
    with pytest.raises(ValueError, match="band must be"):
        dtw_path(np.zeros((3, 1)), np.zeros((3, 1)), band=band)


def test_too_narrow_band_says_how_wide_it_must_be():
    with pytest.raises(ValueError, match="too narrow"):
        dtw_path(np.zeros((10, 1)), np.zeros((40, 1)), band=0)


def test_bad_columns_are_refused():
    with pytest.raises(ValueError, match="outside"):
        align_to_reference(np.zeros((3, 2)), np.zeros((3, 2)), columns=[5])
    with pytest.raises(ValueError, match="empty"):
        align_to_reference(np.zeros((3, 2)), np.zeros((3, 2)), columns=[])


# ---------------------------------------------------------------------------- cyclic alignment
def _squats(n_reps: int, period: float, arm) -> np.ndarray:
    """(T, 2) knee and arm angles of `n_reps` squats of `period` frames; `arm(phase)` degrees."""
    phase = 2 * np.pi * np.arange(int(n_reps * period)) / period
    return np.column_stack([170 - 40 * (1 - np.cos(phase)), arm(phase)])


def test_cyclic_alignment_on_shape_follows_the_movement_where_values_lose_it():
    """A coach raising the arms a little with each squat; an athlete holding them 60 degrees
    higher and swinging them twice as far: on values the arm's offset decides the match."""
    from sitrex.alignment import align_cyclic, split_cycles

    template = _squats(1, 60, lambda p: 30 + 10 * (1 - np.cos(p)))
    athlete = _squats(4, 45, lambda p: 90 + 20 * (1 - np.cos(p)))
    reps = {}
    for cost in ("values", "shape"):
        match = align_cyclic(template, athlete, scale=[80.0, 20.0], cost=cost)
        reps[cost] = split_cycles(match, len(template))
        knee_error = np.abs(template[match, 0] - athlete[:, 0])
        reps[cost + " error"] = float(np.percentile(knee_error, 90))
    assert len(reps["shape"]) == 4 and reps["shape error"] < 5
    assert len(reps["values"]) < 4 and reps["values error"] > 20


@given(offset=st.floats(-90, 90), stretch=st.floats(1.0, 3.0), seed=st.integers(0, 2**16))
@settings(max_examples=40, deadline=None)
def test_shape_cost_ignores_where_a_column_sits_and_how_far_beyond_the_template_it_goes(
        offset, stretch, seed):
    from sitrex.alignment import _shape_cost

    rng = np.random.default_rng(seed)
    template = rng.uniform(0, 180, (12, 3))
    candidate = rng.uniform(0, 180, (20, 3))
    def spread(x):
        return np.subtract(*np.percentile(x, [95, 5]))

    # a column moving at least half as far as the template's (5th-95th percentile) may sit
    # anywhere and go any further
    base = candidate.copy()
    base[:, 1] *= max(1.0, 0.5 * spread(template[:, 1]) / spread(candidate[:, 1]))
    moved = base.copy()
    moved[:, 1] = offset + base[:, 1] * stretch
    np.testing.assert_allclose(_shape_cost(moved, template), _shape_cost(base, template),
                               rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(_shape_cost(candidate, template + offset),
                               _shape_cost(candidate, template), rtol=1e-9, atol=1e-9)


def test_shape_cost_weighs_columns_by_the_template_range_and_ignores_scale():
    from sitrex.alignment import align_cyclic

    template = _squats(1, 40, lambda p: 90 + 0.0 * p)          # the arm does not move
    athlete = _squats(3, 50, lambda p: 90 + 60 * np.sin(3 * p))  # it flails: no weight
    match = align_cyclic(template, athlete, cost="shape")
    assert np.percentile(np.abs(template[match, 0] - athlete[:, 0]), 90) < 5
    assert (align_cyclic(template, athlete, cost="shape", scale=[1.0, 500.0]) == match).all()


def test_an_unknown_alignment_cost_is_refused():
    from sitrex.alignment import align_cyclic
    from sitrex.exceptions import InputError

    with pytest.raises(InputError, match="cost must be 'values' or 'shape'"):
        align_cyclic([0.0, 1.0, 2.0], [0.0, 1.0], cost="l1")
