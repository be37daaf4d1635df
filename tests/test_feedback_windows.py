"""Sliding windows of sitrex.feedback: which frames each score sees, stride, gaps, ranges.

A numpy stand-in comparator makes the window contents visible: the candidate's
frame t holds the value t, and the "similarity" of a window is (its length,
its first frame, its last frame). No Keras here.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitrex.feedback.ranges import condition_ranges, find_runs, merge_runs
from sitrex.feedback import windows
from sitrex.feedback.windows import (
    auto_batch_size,
    hold_last,
    scored_frames,
    window_coverage,
    window_starts,
    windowed_similarity,
)


class SpyComparator:
    """Embeds a window as (length, first value, last value) and returns that as its scores."""

    def __init__(self, max_len=8):
        self.max_len = max_len
        self.calls = []

    def embed(self, sequences):
        seqs = [np.asarray(s, dtype=np.float64) for s in sequences]
        self.calls.append(seqs)
        return np.array([[len(s), s[0, 0], s[-1, 0]] for s in seqs])

    def similarity_from_embeddings(self, reference, candidates):
        return np.asarray(candidates, dtype=np.float64) + 0.0 * np.asarray(reference)


def frames(n):
    return np.repeat(np.arange(n, dtype=np.float64)[:, None], 3, axis=1)


@pytest.mark.parametrize("n_frames,window", [(30, 8), (5, 8), (8, 8), (20, 1)])
def test_window_of_frame_t_ends_at_t_and_includes_it(n_frames, window):
    spy = SpyComparator(max_len=8)
    sim = windowed_similarity(spy, np.zeros((4, 3)), frames(n_frames), window=window)
    t = np.arange(n_frames)
    np.testing.assert_array_equal(sim[:, 2], t)                         # last frame is t
    np.testing.assert_array_equal(sim[:, 1], np.maximum(t - window + 1, 0))
    np.testing.assert_array_equal(sim[:, 0], np.minimum(t + 1, window))  # short at the start


def test_reference_is_embedded_once_and_windows_in_batches():
    spy = SpyComparator()
    reference = np.full((5, 3), -1.0)
    windowed_similarity(spy, reference, frames(50), batch_size=16)
    with_reference = [c for c in spy.calls if any((s == -1).all() for s in c)]
    assert len(with_reference) == 1 and len(with_reference[0]) == 1
    assert [len(c) for c in spy.calls if c is not with_reference[0]] == [16, 16, 16, 2]


@pytest.mark.parametrize("stride", [2, 3, 7])
def test_stride_holds_the_last_computed_window_never_a_later_one(stride):
    spy = SpyComparator()
    sim = windowed_similarity(spy, np.zeros((4, 3)), frames(40), stride=stride)
    t = np.arange(40)
    used = sim[:, 2]                                  # the frame whose window frame t shows
    assert (used <= t).all() and (t - used < stride).all()
    np.testing.assert_array_equal(used, t - t % stride)


def test_frames_without_a_person_are_nan_and_a_gap_restarts_the_stride():
    present = np.ones(20, dtype=bool)
    present[5:9] = False
    sim = windowed_similarity(SpyComparator(), np.zeros((4, 3)), frames(20), present=present,
                              stride=4)
    assert np.isnan(sim[5:9]).all() and np.isfinite(sim[present]).all()
    assert sim[9, 2] == 9                            # first frame after the gap is computed
    assert (sim[present, 2] <= np.arange(20)[present]).all()
    assert set(sim[present, 2].tolist()) == {0, 4, 9, 13, 17}


def test_scores_do_not_depend_on_later_frames():
    cand = frames(30)
    later = cand.copy()
    later[20:] = 1e3
    a = windowed_similarity(SpyComparator(), np.zeros((4, 3)), cand, stride=3)
    b = windowed_similarity(SpyComparator(), np.zeros((4, 3)), later, stride=3)
    np.testing.assert_array_equal(a[:20], b[:20])


def test_warped_reference_windows_share_the_candidate_frames():
    class PairSpy(SpyComparator):
        def similarity_from_embeddings(self, reference, candidates):
            return np.concatenate([reference, candidates], axis=1)

    cand, warped = frames(12), frames(12) + 100
    sim = windowed_similarity(PairSpy(max_len=4), None, cand, warped_reference=warped)
    np.testing.assert_array_equal(sim[:, 1:3], sim[:, 4:6] + 100)   # same first / last frames
    with pytest.raises(ValueError, match="warped_reference must have"):
        windowed_similarity(PairSpy(max_len=4), None, cand, warped_reference=warped[:5])


def test_default_batch_bounds_memory_not_attention():
    """Windows per embed call: a power of two whose float32 data (held twice) fit in 64 MB."""
    budget = 64 << 20
    for max_len, n_angles in [(8, 3), (100, 23), (300, 23), (5000, 23)]:
        batch = auto_batch_size(SpyComparator(max_len=max_len), n_angles)
        assert batch & (batch - 1) == 0
        assert batch * 2 * 4 * max_len * n_angles <= budget or batch == 1
        assert 2 * batch * 2 * 4 * max_len * n_angles > budget     # the largest that fits
    spy = SpyComparator()
    windowed_similarity(spy, np.zeros((4, 3)), frames(50))
    assert sorted(len(c) for c in spy.calls) == [1, 50]            # reference, then all windows


def test_windows_use_only_the_comparators_public_methods():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(windows.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for a in node.names}
    assert not [m for m in imported if m and m.startswith("sitrex.estimators")]


@pytest.mark.parametrize("kwargs,match", [({"window": 9}, "max_len"), ({"window": 0}, "max_len"),
                                          ({"stride": 0}, "stride"), ({"stride": 1.5}, "stride"),
                                          ({"present": np.ones(3, bool)}, "one flag per frame")])
def test_bad_window_options_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        windowed_similarity(SpyComparator(max_len=8), np.zeros((4, 3)), frames(10), **kwargs)


def test_no_present_frame_gives_all_nan():
    sim = windowed_similarity(SpyComparator(), np.zeros((4, 3)), frames(6),
                              present=np.zeros(6, bool))
    assert sim.shape == (6, 3) and np.isnan(sim).all()


def test_helpers():
    assert scored_frames([0, 1, 1, 1, 0, 1], stride=2).tolist() == [False, True, False, True,
                                                                   False, True]
    assert window_starts([0, 5, 9], 4).tolist() == [0, 2, 6]
    np.testing.assert_allclose(window_coverage([0, 1, 1, 1], 2), [0.0, 0.5, 1.0, 1.0])
    held = hold_last(np.array([[1.0, 2.0], [3.0, 4.0]]), [False, True, False, True])
    assert np.isnan(held[0]).all() and held[1:].tolist() == [[1, 2], [1, 2], [3, 4]]
    with pytest.raises(ValueError, match="rows"):
        hold_last([1.0], [True, True])


# ------------------------------------------------------------------------------ ranges
def test_ranges_merge_small_gaps_then_drop_blips():
    mask = np.zeros(40, bool)
    mask[[3]] = True                # blip: dropped
    mask[10:15] = True
    mask[17:20] = True              # 2-frame gap: merged with 10-14
    mask[30:32] = True              # 2 frames: kept
    assert condition_ranges(mask, min_frames=2, max_gap=2) == [(10, 19), (30, 31)]
    assert condition_ranges(mask, min_frames=3, max_gap=1) == [(10, 14), (17, 19)]
    with pytest.raises(ValueError):
        condition_ranges(mask, min_frames=0)


@given(st.lists(st.booleans(), max_size=60), st.integers(0, 4), st.integers(1, 4))
def test_ranges_cover_every_kept_frame_and_stay_disjoint(bits, max_gap, min_frames):
    mask = np.array(bits, dtype=bool)
    runs = find_runs(mask)
    assert mask[np.concatenate([np.arange(a, b + 1) for a, b in runs] or [[]]).astype(int)].all()
    padded = np.concatenate([[False], mask, [False]])
    assert not padded[runs[:, 0]].any() and not padded[runs[:, 1] + 2].any()   # maximal runs
    merged = merge_runs(runs, max_gap)
    assert (merged[1:, 0] - merged[:-1, 1] - 1 > max_gap).all()
    ranges = condition_ranges(mask, min_frames=min_frames, max_gap=max_gap)
    for a, b in ranges:
        assert b - a + 1 >= min_frames and mask[a] and mask[b]
    covered = np.zeros(len(mask), bool)
    for a, b in merged:
        covered[a:b + 1] = True
    assert covered[mask].all()
