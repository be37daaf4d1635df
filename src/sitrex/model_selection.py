"""The paper's two evaluations of the Siamese model, as one-line functions.

* :func:`kfold_score`: k-fold cross-validation over **executions**: the
  sequences are split into folds (stratified by exercise, grouped by
  ``dataset.groups``), and training and test pairs are drawn inside their own
  folds, so no execution is shared between training and test.
* :func:`one_shot_score`: one-shot generalisation: whole exercises are held
  out (``GroupKFold`` by exercise; by default one exercise at a time). The
  test pairs take their references from the held-out exercises; their
  candidates come from any sequence (a negative channel needs another
  exercise, and with one exercise held out that can only be a training one).

Both clone the estimator for every fold, fit it on
:func:`sitrex.make_pairs` pairs (``pad=False``, so the estimator masks the
padding) and return its per-fold :meth:`~sitrex.ExerciseComparator.score`,
the mean per-angle accuracy. The folds are independent: ``n_jobs`` runs them
in local worker processes and ``client=`` on a Dask cluster (or
``joblib.parallel_config(backend="dask")``); every fold draws its pairs from
seeds drawn up front, so the scores do not depend on where the folds ran.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold
from sklearn.utils import check_random_state

from sitrex.exceptions import InputError, SitrexError
from sitrex.pairs import make_pairs

__all__ = ["kfold_score", "one_shot_score"]


def _unpack(dataset: Any):
    try:
        return (list(dataset.sequences), np.asarray(dataset.labels).astype(str),
                dict(dataset.exercise_angles), np.asarray(dataset.groups))
    except AttributeError as exc:
        raise TypeError("dataset must be an ExerciseDataset (or have sequences, labels, "
                        "exercise_angles and groups)") from exc


def _score_fold(train, test, train_seed, test_seed, *, estimator, seqs, labels, exercise_angles,
                n_train_pairs, n_test_pairs, noise_std, one_shot) -> float:
    """One fold: pairs from its seeds, a fresh clone fitted, its score (runs on a worker)."""
    max_len = int(estimator.get_params()["max_len"])
    train_pairs, train_y = make_pairs(
        [seqs[i] for i in train], labels[train], exercise_angles, n_train_pairs, max_len,
        train_seed, noise_std=noise_std, pad=False)
    if one_shot:
        test_pairs, test_y = make_pairs(seqs, labels, exercise_angles, n_test_pairs, max_len,
                                        test_seed, noise_std=0.0, pad=False, references=test)
    else:
        test_pairs, test_y = make_pairs(
            [seqs[i] for i in test], labels[test], exercise_angles, n_test_pairs, max_len,
            test_seed, noise_std=0.0, pad=False)
    return float(clone(estimator).fit(train_pairs, train_y).score(test_pairs, test_y))


def _run_folds(estimator, seqs, labels, exercise_angles, splits, *, n_train_pairs, n_test_pairs,
               noise_std, rng, one_shot, verbose, n_jobs=None, client=None):
    from sitrex._parallel import run_tasks

    tasks = [{"train": train, "test": test, "train_seed": rng.randint(2**31 - 1),
              "test_seed": rng.randint(2**31 - 1)} for train, test in splits]
    shared = dict(estimator=estimator, seqs=seqs, labels=labels,
                  exercise_angles=exercise_angles, n_train_pairs=n_train_pairs,
                  n_test_pairs=n_test_pairs, noise_std=noise_std, one_shot=one_shot)
    scores = np.full(len(tasks), np.nan)
    for outcome in run_tasks(_score_fold, tasks, shared=shared, client=client, n_jobs=n_jobs):
        k = outcome.index
        if not outcome.ok:       # a fold that fails fails the evaluation, with its own error
            raise outcome.exception or SitrexError(f"fold {k + 1} failed: {outcome.error}")
        scores[k] = outcome.value
        if verbose:
            held = (f" (held out: {', '.join(sorted(set(labels[splits[k][1]])))})" if one_shot
                    else "")
            print(f"fold {k + 1}: per-angle accuracy {scores[k]:.4f}{held}")
    return scores


def kfold_score(estimator, dataset: Any, *, n_splits: int = 5, n_train_pairs: int = 1280,
                n_test_pairs: int = 640, noise_std: float = 5.0, random_state: Any = None,
                verbose: int = 0, n_jobs: int | None = None, client: Any = None) -> np.ndarray:
    """k-fold cross-validated per-angle accuracy, no execution shared between train and test.

    Parameters
    ----------
    estimator : ExerciseComparator
        Cloned (unfitted) for every fold.
    dataset : ExerciseDataset
        Its ``sequences`` must be free of NaN (see :func:`sitrex.fill_gaps`)
        unless the estimator has ``missing="interpolate"``. Folds are
        stratified by ``labels`` and grouped by ``groups``.
    n_splits : int
    n_train_pairs, n_test_pairs : int
        Pairs drawn per fold (training pairs get `noise_std` noise; test
        pairs none).
    noise_std : float
    random_state : int, RandomState or None
        Seeds the folds and the pairs (the estimator has its own).
    verbose : int
        1 prints each fold's score (as the folds finish).
    n_jobs : int, optional
        Folds run at once in local worker processes (joblib); None follows
        :func:`joblib.parallel_config` (one at a time unless configured).
    client : dask.distributed.Client, optional
        Run the folds on this Dask cluster instead (see :doc:`/scaling`).

    Returns
    -------
    ndarray (n_splits,)
        Per-fold mean per-angle accuracy.

    Examples
    --------
    >>> import numpy as np
    >>> from sitrex.datasets import ExerciseDataset
    >>> from sitrex.estimators import ExerciseComparator
    >>> rng = np.random.default_rng(0)
    >>> ds = ExerciseDataset([rng.uniform(0, 180, (20, 2)) for _ in range(8)],
    ...                      ["a", "b"] * 4, ("x", "y"), exercise_angles={"a": [0], "b": [1]})
    >>> est = ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4, max_len=8,
    ...                          epochs=1, random_state=0)
    >>> kfold_score(est, ds, n_splits=2, n_train_pairs=16, n_test_pairs=8,
    ...             random_state=0).shape  # doctest: +SKIP
    (2,)
    """
    seqs, labels, exercise_angles, groups = _unpack(dataset)
    rng = check_random_state(random_state)
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=rng.randint(2**31 - 1))
    splits = list(cv.split(np.zeros(len(seqs)), labels, groups))
    for train, test in splits:
        if len(set(labels[test])) < 2 or len(set(labels[train])) < 2:
            raise InputError("every fold needs sequences of at least two exercises; use fewer "
                             "splits or more sequences")
    return _run_folds(estimator, seqs, labels, exercise_angles, splits,
                      n_train_pairs=n_train_pairs, n_test_pairs=n_test_pairs,
                      noise_std=noise_std, rng=rng, one_shot=False, verbose=verbose,
                      n_jobs=n_jobs, client=client)


def one_shot_score(estimator, dataset: Any, *, n_splits: int | None = None,
                   n_train_pairs: int = 1280, n_test_pairs: int = 640, noise_std: float = 5.0,
                   random_state: Any = None, verbose: int = 0, n_jobs: int | None = None,
                   client: Any = None) -> np.ndarray:
    """Per-angle accuracy on exercises never seen in training (``GroupKFold`` by exercise).

    Parameters
    ----------
    estimator : ExerciseComparator
    dataset : ExerciseDataset
    n_splits : int, optional
        Number of exercise folds; default: one per exercise (each exercise
        held out once, alone). The training side needs at least two
        exercises.
    n_train_pairs, n_test_pairs, noise_std, random_state, verbose, n_jobs, client
        As in :func:`kfold_score`.

    Returns
    -------
    ndarray (n_splits,)
        Per-fold mean per-angle accuracy; fold ``k`` holds out the
        exercises of ``GroupKFold(n_splits).split(..., groups=labels)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sitrex.datasets import ExerciseDataset
    >>> from sitrex.estimators import ExerciseComparator
    >>> rng = np.random.default_rng(0)
    >>> ds = ExerciseDataset([rng.uniform(0, 180, (20, 2)) for _ in range(9)],
    ...                      ["a", "b", "c"] * 3, ("x", "y"),
    ...                      exercise_angles={"a": [0], "b": [1], "c": [0, 1]})
    >>> est = ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4, max_len=8,
    ...                          epochs=1, random_state=0)
    >>> one_shot_score(est, ds, n_train_pairs=16, n_test_pairs=8,
    ...                random_state=0).shape  # doctest: +SKIP
    (3,)
    """
    seqs, labels, exercise_angles, _ = _unpack(dataset)
    n_exercises = len(set(labels.tolist()))
    n_splits = n_exercises if n_splits is None else int(n_splits)
    if n_exercises < 3:
        raise InputError("one-shot evaluation needs at least three exercises (two to train on "
                         "and one held out)")
    rng = check_random_state(random_state)
    splits = list(GroupKFold(n_splits=n_splits).split(np.zeros(len(seqs)), labels, labels))
    for train, _ in splits:
        if len(set(labels[train])) < 2:
            raise InputError("every training fold needs at least two exercises; use more splits")
    return _run_folds(estimator, seqs, labels, exercise_angles, splits,
                      n_train_pairs=n_train_pairs, n_test_pairs=n_test_pairs,
                      noise_std=noise_std, rng=rng, one_shot=True, verbose=verbose,
                      n_jobs=n_jobs, client=client)
