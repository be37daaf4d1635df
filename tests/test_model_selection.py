"""sitrex.model_selection: k-fold over executions and one-shot by exercise."""

import numpy as np
import pytest

import sitrex.model_selection as ms
from sitrex.datasets import ExerciseDataset
from sitrex.estimators import ExerciseComparator

TINY = dict(embed_dim=8, num_heads=2, key_dim=4, ff_dim=8, head_units=4, max_len=8, epochs=1,
            random_state=0)


def _dataset(n_per=4):
    rng = np.random.default_rng(0)
    labels = np.repeat(["a", "b", "c"], n_per)
    seqs = [np.full((12, 2), 100.0 * i) + rng.normal(0, 1, (12, 2)) for i in range(len(labels))]
    return ExerciseDataset(seqs, labels, ("x", "y"),
                           exercise_angles={"a": [0], "b": [1], "c": [0, 1]})


def _ids(pairs):
    """Source sequences of every channel of every side (each sequence sits near 100 * id)."""
    return {int(np.round(np.median(side[:, j]) / 100)) for p in pairs for side in p
            for j in range(side.shape[1])}


def test_kfold_draws_pairs_inside_each_fold(monkeypatch):
    ds = _dataset()
    seen = []

    class Spy(ExerciseComparator):
        def fit(self, X, y, usefulness=None):
            seen.append(_ids(X))
            return super().fit(X, y, usefulness)

        def score(self, X, y, sample_weight=None):
            seen.append(_ids(X))
            return super().score(X, y, sample_weight)

    scores = ms.kfold_score(Spy(**TINY), ds, n_splits=2, n_train_pairs=8, n_test_pairs=8,
                            random_state=0)
    assert scores.shape == (2,)
    for train_ids, test_ids in (seen[0:2], seen[2:4]):
        assert not train_ids & test_ids          # no execution in both train and test


def test_one_shot_holds_out_whole_exercises():
    ds = _dataset(3)
    refs = []

    class Spy(ExerciseComparator):
        def score(self, X, y, sample_weight=None):
            refs.append({i // 3 for i in _ids([(p[0],) for p in X])})
            return super().score(X, y, sample_weight)

    scores = ms.one_shot_score(Spy(**TINY), ds, n_train_pairs=8, n_test_pairs=8, random_state=0)
    assert scores.shape == (3,)
    assert sorted(next(iter(r)) for r in refs) == [0, 1, 2] and all(len(r) == 1 for r in refs)


def test_errors():
    ds = _dataset()
    with pytest.raises(TypeError, match="ExerciseDataset"):
        ms.kfold_score(ExerciseComparator(**TINY), [np.zeros((3, 2))])
    two = ds.subset(np.isin(ds.labels, ["a", "b"]))
    with pytest.raises(ValueError, match="three exercises"):
        ms.one_shot_score(ExerciseComparator(**TINY), two)
