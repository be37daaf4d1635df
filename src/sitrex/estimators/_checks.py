"""Input checks of the estimators: angle sequences, pairs of them, 0/1 targets.

Every check returns clean float32 arrays or raises
:class:`~sitrex.exceptions.InputError` naming the problem, where it is (which
sequence, frame and angle) and the fix.

Examples
--------
>>> import numpy as np
>>> [s.shape for s in check_sequences([np.zeros((5, 3)), np.zeros((8, 3))])]
[(5, 3), (8, 3)]
>>> check_sequences(np.zeros((5, 3)))
Traceback (most recent call last):
...
sitrex.exceptions.InputError: X must be a 3-D array (n_sequences, n_frames, n_angles) or a list of 2-D (n_frames, n_angles) arrays; got a 2-D array of shape (5, 3) (for one sequence, pass [sequence])
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex.sequences import fill_gaps

__all__ = ["check_pairs", "check_sample_weight", "check_sequences", "check_targets",
           "warn_padding_kept"]


def _as_float_sequence(seq: Any, where: str) -> np.ndarray:
    try:
        return np.asarray(seq, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where} could not be converted to a float array: {exc}") from exc


def _is_sequence_container(X: Any) -> bool:
    return not isinstance(X, (str, bytes)) and hasattr(X, "__len__")


def check_sequences(X: Any, *, n_angles: int | None = None, missing: str = "raise",
                    name: str = "X", angle_names=None) -> list[np.ndarray]:
    """Validated list of (T_i, n_angles) float32 sequences from a 3-D array or a list of 2-D ones.

    Parameters
    ----------
    X : array (n, T, n_angles) or sequence of (T_i, n_angles) arrays
    n_angles : int, optional
        Required number of angle columns (the fitted estimator's); default:
        that of the first sequence.
    missing : {"raise", "interpolate", "keep"}
        NaN angles raise, are filled with :func:`sitrex.fill_gaps`, or are
        kept (for an estimator that reads NaN as "not measured").
    name : str
        How `X` is called in messages.
    angle_names : sequence of str, optional
        Names the column of the first NaN in the message.

    Returns
    -------
    list of numpy.ndarray
    """
    if isinstance(X, np.ndarray) and X.dtype != object:
        if X.ndim != 3:
            raise InputError(
                f"{name} must be a 3-D array (n_sequences, n_frames, n_angles) or a list of 2-D "
                f"(n_frames, n_angles) arrays; got a {X.ndim}-D array of shape {X.shape}"
                + (" (for one sequence, pass [sequence])" if X.ndim == 2 else ""))
    elif not _is_sequence_container(X):
        raise InputError(f"{name} must be a 3-D array or a list of 2-D (n_frames, n_angles) "
                         f"arrays; got {type(X).__name__}")
    seqs = [_as_float_sequence(s, f"{name}[{i}]") for i, s in enumerate(X)]
    if not seqs:
        raise InputError(f"{name} is empty: no sequence given")
    expected = n_angles
    for i, s in enumerate(seqs):
        if s.ndim != 2:
            raise InputError(f"{name}[{i}] must be 2-D (n_frames, n_angles); got shape {s.shape}")
        if s.shape[0] == 0:
            raise InputError(f"{name}[{i}] is an empty sequence (0 frames)")
        if expected is None:
            expected = s.shape[1]
        if s.shape[1] != expected:
            what = "the fitted estimator has" if n_angles is not None else f"{name}[0] has"
            raise InputError(f"{name}[{i}] has {s.shape[1]} angle columns but {what} {expected}")
        if np.isinf(s).any():
            raise InputError(f"{name}[{i}] contains inf")
    if missing == "keep":
        return seqs
    if missing == "interpolate":
        return [s if not np.isnan(s).any() else f.astype(np.float32)
                for s, f in zip(seqs, fill_gaps(seqs))]
    if missing != "raise":
        raise InputError(f"missing must be 'raise', 'interpolate' or 'keep'; got {missing!r}")
    for i, s in enumerate(seqs):
        if np.isnan(s).any():
            frame, col = np.argwhere(np.isnan(s))[0]
            label = angle_names[col] if angle_names is not None and col < len(angle_names) else \
                f"column {col}"
            raise InputError(
                f"{name}[{i}] contains NaN (first at frame {frame}, {label}): an angle that was "
                "not measured. Fill the gaps deliberately (sitrex.fill_gaps, or "
                "missing='interpolate'), or drop that angle column")
    return seqs


def check_pairs(X: Any, *, n_angles: int | None = None, missing: str = "raise",
                angle_names=None) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Split pairs into (references, candidates), each a validated list of 2-D arrays.

    Parameters
    ----------
    X : array (n, 2, T, n_angles) or sequence of (reference, candidate)
    n_angles, missing, angle_names
        As in :func:`check_sequences`.

    Returns
    -------
    references, candidates : list of numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> refs, cands = check_pairs([(np.zeros((4, 2)), np.ones((6, 2)))])
    >>> refs[0].shape, cands[0].shape
    ((4, 2), (6, 2))
    """
    if isinstance(X, np.ndarray) and X.dtype != object:
        if X.ndim != 4 or X.shape[1] != 2:
            raise InputError(
                "X must be pairs: an array (n_pairs, 2, n_frames, n_angles) or a list of "
                f"(reference, candidate) 2-D arrays; got an array of shape {X.shape}")
        refs, cands = list(X[:, 0]), list(X[:, 1])
    else:
        if not _is_sequence_container(X):
            raise InputError(f"X must be a list of (reference, candidate) pairs; got "
                             f"{type(X).__name__}")
        refs, cands = [], []
        for i, pair in enumerate(X):
            if len(pair) != 2:
                raise InputError(f"X[{i}] must be a (reference, candidate) pair; it has "
                                 f"{len(pair)} entries")
            refs.append(pair[0])
            cands.append(pair[1])
    if not refs:
        raise InputError("X is empty: no pair given")
    refs = check_sequences(refs, n_angles=n_angles, missing=missing, name="X[:, 0] (references)",
                           angle_names=angle_names)
    try:
        cands = check_sequences(cands, n_angles=refs[0].shape[1], missing=missing,
                                name="X[:, 1] (candidates)", angle_names=angle_names)
    except InputError as exc:       # the candidates are held to the references, fitted or not
        raise InputError(str(exc).replace("but the fitted estimator has",
                                          "but the references have")) from None
    return refs, cands


def check_targets(y: Any, n_samples: int, n_angles: int, name: str = "y", *,
                  allow_missing: bool = False) -> np.ndarray:
    """(n_samples, n_angles) float32 0/1 targets, or an InputError naming the problem.

    With `allow_missing`, NaN marks a target that is not known (not trained on).

    Examples
    --------
    >>> check_targets([[1, 0], [0, 1]], 2, 2).dtype
    dtype('float32')
    >>> check_targets([[2, 0]], 1, 2)
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: y must be binary (0 or 1 per angle); found [2.0]
    """
    if y is None:
        raise InputError(f"{name} is required: a (n_samples, n_angles) 0/1 array")
    arr = np.asarray(y)
    if arr.ndim != 2:
        raise InputError(f"{name} must be 2-D (n_samples, n_angles) with one 0/1 column per "
                         f"angle; got shape {arr.shape}")
    if arr.shape != (n_samples, n_angles):
        raise InputError(f"{name} has shape {arr.shape}; expected ({n_samples}, {n_angles}): one "
                         "row per sample, one column per angle")
    try:
        values = arr.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numeric 0/1: {exc}") from exc
    bad = ~np.isin(values, (0.0, 1.0)) & ~(allow_missing & np.isnan(values))
    if bad.any():
        raise InputError(f"{name} must be binary (0 or 1 per angle); found "
                         f"{np.unique(values[bad])[:5].tolist()}")
    return values.astype(np.float32)


def check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray:
    """(n_samples,) float64 weights, as scikit-learn's ``_check_sample_weight`` accepts them.

    None gives ones, a number that weight for every sample. Weights must be
    finite and non-negative, one per sample, and not all zero.

    Examples
    --------
    >>> check_sample_weight(None, 3).tolist()     # a list: numpy print options may be changed
    [1.0, 1.0, 1.0]
    >>> check_sample_weight(2, 2).tolist()
    [2.0, 2.0]
    >>> check_sample_weight([1.0, -1.0], 2)
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: sample_weight must be non-negative; found [-1.0] (give 0 to leave a sample out)
    """
    if sample_weight is None:
        return np.ones(n_samples)
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"sample_weight must be numbers, one per sample: {exc}") from None
    if weights.ndim == 0:
        weights = np.full(n_samples, float(weights))
    if weights.shape != (n_samples,):
        raise InputError(f"sample_weight must be 1-D with one weight per sample ({n_samples}); "
                         f"got shape {weights.shape}")
    if not np.isfinite(weights).all():
        raise InputError(f"sample_weight must be finite; found NaN or infinity at sample(s) "
                         f"{np.flatnonzero(~np.isfinite(weights))[:5].tolist()}")
    if (weights < 0).any():
        raise InputError(f"sample_weight must be non-negative; found "
                         f"{np.unique(weights[weights < 0])[:5].tolist()} (give 0 to leave a "
                         "sample out)")
    if not weights.any():
        raise InputError("sample_weight is zero for every sample: nothing to fit on; give at "
                         "least one sample a positive weight")
    return weights


def warn_padding_kept(sequences: list, max_len: int, name: str = "pairs") -> None:
    """Warn when sequences longer than `max_len` end in zero padding that would be kept.

    A network keeps the **last** `max_len` frames of a longer sequence
    (:func:`sitrex.sequences.pad_sequences`). Pairs drawn by
    :func:`sitrex.make_pairs` with ``pad=True`` end in all-zero frames, so an
    estimator whose ``max_len`` is shorter (a grid search over ``max_len``)
    would keep mostly padding and drop the movement.

    Examples
    --------
    >>> import warnings
    >>> padded = np.zeros((10, 2))
    >>> padded[:4] = 1.0                                # 4 frames of movement, 6 of padding
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_padding_kept([padded], 5)
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    1 sequence(s) of the pairs (1 in all) are longer than max_len=5 and end in all-zero frames...
    """
    long = [s for s in sequences if len(s) > max_len]
    padded = sum(1 for s in long if not np.any(s[-1]) and np.any(s[:len(s) - max_len]))
    if padded:
        warnings.warn(
            f"{padded} sequence(s) of the {name} ({len(sequences)} in all) are longer than "
            f"max_len={max_len} "
            "and end in all-zero frames (the padding of make_pairs(..., pad=True)): the network "
            f"keeps their last {max_len} frames, padding rather than movement; draw the pairs "
            "with make_pairs(..., pad=False), or give max_len at least their length",
            UserWarning, stacklevel=3)
