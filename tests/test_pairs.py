"""sitrex.pairs: the paper's pair protocol, usefulness samples, gap filling."""

import numpy as np
import pytest

from sitrex.pairs import make_pairs, make_usefulness_samples
from sitrex.sequences import fill_gaps

EA = {"a": [0, 1], "b": [2], "c": [1, 3]}


def _data(n_per=4, n_angles=4, seed=0):
    rng = np.random.default_rng(seed)
    labels = [ex for ex in ("a", "b", "c") for _ in range(n_per)]
    # every sequence is constant and encodes (exercise, sequence id) so sources are traceable
    seqs = [np.full((int(rng.integers(12, 40)), n_angles), 100.0 * k + i + 1)
            for i, k in enumerate(np.repeat(np.arange(3), n_per))]
    return seqs, labels


def test_targets_follow_the_reference_exercise_and_sources_are_right():
    seqs, labels = _data()
    X, y = make_pairs(seqs, labels, EA, 200, 16, random_state=1, noise_std=0)
    assert X.shape == (200, 2, 16, 4) and X.dtype == np.float32 and y.shape == (200, 4)
    ref_id = X[:, 0, 0, 0].astype(int)           # first frame, first angle: never padding
    ref_ex = ref_id // 100
    expected = np.zeros((200, 4))
    for k, ex in enumerate("abc"):
        expected[ref_ex == k] = np.isin(np.arange(4), EA[ex])
    np.testing.assert_array_equal(y, expected)
    cand_ex = (X[:, 1, 0, :] // 100).astype(int)
    same = cand_ex == ref_ex[:, None]
    np.testing.assert_array_equal(same, y.astype(bool))      # positives same exercise, negatives not
    cand_id = X[:, 1, 0, :].astype(int)
    assert not ((cand_id == ref_id[:, None]) & y.astype(bool)).any()  # another execution


def test_crops_padding_and_lengths():
    seqs, labels = _data()
    X, _ = make_pairs(seqs, labels, EA, 100, 16, random_state=0, noise_std=0)
    lengths = (X[..., 0] != 0).sum(-1)
    assert lengths.min() >= 8 and lengths.max() <= 16
    pairs, y = make_pairs(seqs, labels, EA, 10, 16, random_state=0, pad=False)
    assert len(pairs) == 10 and all(8 <= len(r) <= 16 and 8 <= len(c) <= 16 for r, c in pairs)


def test_seeded_and_noise():
    seqs, labels = _data()
    a = make_pairs(seqs, labels, EA, 20, 16, random_state=3)
    b = make_pairs(seqs, labels, EA, 20, 16, random_state=3)
    np.testing.assert_array_equal(a[0], b[0])
    c = make_pairs(seqs, labels, EA, 20, 16, random_state=4)
    assert not np.array_equal(a[0], c[0])
    noisy = a[0][:, 0][a[0][:, 0] != 0]
    assert 1.0 < np.std(noisy - np.round(noisy / 100) * 100) < 10.0


def test_references_restriction():
    seqs, labels = _data()
    X, _ = make_pairs(seqs, labels, EA, 50, 16, random_state=0, noise_std=0,
                      references=np.flatnonzero(np.asarray(labels) == "b"))
    assert set((X[:, 0, 0, 0] // 100).astype(int)) == {1}


def test_errors():
    seqs, labels = _data()
    with pytest.raises(ValueError, match="two exercises"):
        make_pairs(seqs[:4], labels[:4], EA, 5, 8)
    with pytest.raises(ValueError, match="no entry"):
        make_pairs(seqs, labels, {"a": [0]}, 5, 8)
    with pytest.raises(ValueError, match="empty"):
        make_pairs([np.zeros((0, 4))] + seqs[1:], labels, EA, 5, 8)


def test_exercise_angles_may_be_names():
    from sitrex.angles import ANGLE_NAMES
    from sitrex.datasets import SYNTHETIC_EXERCISE_ANGLES

    seqs, labels = _data(n_angles=23)
    by_name = {"a": SYNTHETIC_EXERCISE_ANGLES["squat"], "b": ["left elbow"], "c": []}
    by_index = {ex: [ANGLE_NAMES.index(n) for n in names] for ex, names in by_name.items()}
    for make, args in ((make_pairs, (20, 16)), (make_usefulness_samples, (16,))):
        X, y = make(seqs, labels, by_name, *args, random_state=0)
        X2, y2 = make(seqs, labels, by_index, *args, random_state=0)
        np.testing.assert_array_equal(X, X2)
        np.testing.assert_array_equal(y, y2)
    own = {"a": ["knee", 3], "b": ["hip"], "c": ["hip", "knee"]}
    _, y = make_pairs(*_data(), own, 20, 16, random_state=0, angle_names=["knee", "hip", "x", "y"])
    assert set(map(tuple, y.tolist())) <= {(1, 0, 0, 1), (0, 1, 0, 0), (1, 1, 0, 0)}


def test_exercise_angles_names_that_cannot_be_resolved_say_why():
    seqs, labels = _data()                       # 4 columns: no sitrex names
    with pytest.raises(ValueError, match=r"exercise_angles\['a'\]: unknown angle 'left knee'; "
                                         "pass angle_names"):
        make_pairs(seqs, labels, {**EA, "a": ["left knee"]}, 5, 8)
    with pytest.raises(ValueError, match="known: w, x, y, z"):
        make_usefulness_samples(seqs, labels, {**EA, "c": ["left knee"]}, 8,
                                angle_names=list("wxyz"))
    with pytest.raises(ValueError, match="angle_names has 2 names but the sequences have 4"):
        make_pairs(seqs, labels, EA, 5, 8, angle_names=["w", "x"])
    with pytest.raises(ValueError, match=r"exercise_angles\['b'\]: column 4 is outside 0..3"):
        make_pairs(seqs, labels, {**EA, "b": [4]}, 5, 8)


def test_usefulness_samples_are_balanced():
    seqs, labels = _data()
    seqs, labels = seqs[:6], labels[:6]      # 4 of "a", 2 of "b"
    X, y = make_usefulness_samples(seqs, labels, EA, 16, random_state=0, noise_std=0)
    assert X.shape == (8, 16, 4)
    ex = (X[:, 0, 0] // 100).astype(int)
    assert np.bincount(ex).tolist() == [4, 4]
    np.testing.assert_array_equal(y[ex == 1], np.tile([0, 0, 1, 0], (4, 1)))


def test_fill_gaps():
    seq = np.array([[np.nan, 1.0], [2.0, np.nan], [np.nan, 3.0], [6.0, np.nan]])
    out = fill_gaps([seq], fill_value=-1)[0]
    np.testing.assert_allclose(out, [[2, 1], [2, 2], [4, 3], [6, 3]])
    assert fill_gaps([np.full((2, 1), np.nan)], 7.0)[0].tolist() == [[7.0], [7.0]]
