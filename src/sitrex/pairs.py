"""Training data of the SiTrEx networks: the paper's pair protocol, vectorised and seeded.

* :func:`make_pairs`: (reference, candidate) pairs with per-angle similarity
  targets, for the Siamese model;
* :func:`make_usefulness_samples`: single sequences with per-angle usefulness
  targets and exercise data balancing, for the usefulness model.

Fill NaN (unmeasured) angles deliberately before either, with
:func:`sitrex.sequences.fill_gaps`.

The protocol (paper, section on training)
-----------------------------------------
A pair starts from a reference execution of some exercise. For every angle
that matters for that exercise, the candidate's channel comes from another
execution of the **same** exercise (target 1); for every other angle it comes
from an execution of a **different** exercise, drawn anew per angle (target
0). Each side is a random crop of ``max_len // 2 .. max_len`` frames, gets
Gaussian noise (training pairs) and is zero-padded to ``max_len``.

Two deliberate differences from the paper's generator: the channels of one
side share one crop length (each source channel still gets its own random
offset), so that one padding mask describes the side; and crops may reach
``max_len`` frames (the paper's never did).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.utils import check_random_state

from sitrex._validation import resolve_columns
from sitrex.exceptions import InputError
from sitrex.sequences import fill_gaps  # noqa: F401 - its former home; sitrex.fill_gaps

__all__ = ["make_pairs", "make_usefulness_samples"]


def _column_names(n_angles: int, angle_names) -> list[str] | None:
    """The names of the angle columns: `angle_names`, else sitrex's for that many columns.

    Examples
    --------
    >>> _column_names(23, None)[:2]
    ['left ankle dorsiflexion', 'left elbow']
    >>> _column_names(2, None) is None
    True
    """
    if angle_names is not None:
        names = [str(n) for n in angle_names]
        if len(names) != n_angles:
            raise InputError(f"angle_names has {len(names)} names but the sequences have "
                             f"{n_angles} angle columns")
        return names
    from sitrex.angles import angle_names as names_of
    from sitrex.measurement import COMPARISON_ANGLE_NAMES

    # compute_angles' columns (the 23 of every kind but "all", or "all"'s 43), comparison_angles'
    for names in (names_of("unsigned"), names_of("all"), COMPARISON_ANGLE_NAMES):
        if len(names) == n_angles:
            return list(names)
    return None


def _prepare(sequences, labels, exercise_angles, angle_names=None):
    seqs = [np.asarray(s, dtype=np.float64) for s in sequences]
    if not seqs:
        raise InputError("no sequences given")
    n_angles = seqs[0].shape[1] if seqs[0].ndim == 2 else None
    for i, s in enumerate(seqs):
        if s.ndim != 2 or s.shape[1] != n_angles:
            raise InputError(f"sequences[{i}] has shape {s.shape}; every sequence must be "
                             f"(T, {n_angles})")
        if len(s) == 0:
            raise InputError(f"sequences[{i}] is empty (0 frames)")
    labels = np.asarray([str(x) for x in labels])
    if labels.shape != (len(seqs),):
        raise InputError(f"labels has {labels.size} entries but there are {len(seqs)} sequences")
    exercises = sorted(set(labels.tolist()))
    missing = [e for e in exercises if e not in exercise_angles]
    if missing:
        raise InputError(f"exercise_angles has no entry for {', '.join(map(repr, missing))}")
    useful = np.zeros((len(exercises), n_angles), dtype=bool)
    names = _column_names(n_angles, angle_names)
    for k, ex in enumerate(exercises):
        cols = exercise_angles[ex]
        if isinstance(cols, str) or not hasattr(cols, "__len__") or len(cols):  # may have none
            useful[k, resolve_columns(cols, n_angles, names,
                                      name=f"exercise_angles[{ex!r}]")] = True
    codes = np.searchsorted(exercises, labels)
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    flat = np.concatenate(seqs)
    members = [np.flatnonzero(codes == k) for k in range(len(exercises))]
    return flat, starts, lengths, codes, useful, members, n_angles


def _pick(members: list[np.ndarray], groups: np.ndarray, rng) -> np.ndarray:
    """One random member of each requested group (vectorised)."""
    sizes = np.array([len(m) for m in members])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pool = np.concatenate(members)
    return pool[offsets[groups] + (rng.random(groups.shape) * sizes[groups]).astype(np.int64)]


def _crop_lengths(n: int, max_len: int, rng) -> np.ndarray:
    low = max(1, (max_len + 1) // 2)
    return rng.integers(low, max_len + 1, size=n)


def _gather(flat, starts, lengths, sources, length, max_len, noise_std, rng):
    """Crops of `length` frames (per row) from source sequences (per row, per angle).

    sources: (n, n_angles) sequence indices; returns (n, max_len, n_angles) zero-padded.
    """
    n, n_angles = sources.shape
    offsets = (rng.random(sources.shape) * (lengths[sources] - length[:, None] + 1)).astype(np.int64)
    t = np.arange(max_len)
    valid = t[None, :] < length[:, None]                                     # (n, max_len)
    frame = starts[sources][:, None, :] + offsets[:, None, :] + np.minimum(
        t[None, :, None], length[:, None, None] - 1)                            # (n, max_len, A)
    out = flat[frame, np.arange(n_angles)[None, None, :]]
    if noise_std:
        out = out + rng.normal(0.0, noise_std, size=out.shape)
    out[~valid] = 0.0
    return out.astype(np.float32)


def _unpad(x: np.ndarray, length: np.ndarray) -> list[np.ndarray]:
    return [x[i, :int(n)] for i, n in enumerate(length)]


def make_pairs(sequences: Sequence[Any], labels: Sequence[str],
               exercise_angles: Mapping[str, Sequence[int]], n_pairs: int, max_len: int,
               random_state: Any = None, *, noise_std: float = 5.0, pad: bool = True,
               references: Any = None, angle_names: Sequence[str] | None = None):
    """Draw (reference, candidate) pairs with per-angle similarity targets.

    Parameters
    ----------
    sequences : sequence of array_like, each (T_i, n_angles)
        Angle sequences (degrees), e.g. ``dataset.sequences``. NaN passes
        through; use :func:`sitrex.sequences.fill_gaps` first.
    labels : sequence of str
        Exercise of each sequence. At least two exercises are needed.
    exercise_angles : mapping
        Exercise -> the angles that matter for it: column indices (e.g.
        ``dataset.exercise_angles``) or angle names (e.g.
        :data:`sitrex.datasets.SYNTHETIC_EXERCISE_ANGLES`), resolved
        against `angle_names`.
    n_pairs : int
    max_len : int
        Longest crop and padded length.
    random_state : int, RandomState or None
        Seed: the same seed gives the same pairs.
    noise_std : float
        Standard deviation (degrees) of the Gaussian noise added to every
        real frame; 5 as in the paper for training pairs, 0 for test pairs.
    pad : bool
        True (the paper): `X` is one zero-padded array, whose padding the
        estimators take as frames; fit it only with this `max_len` (an
        estimator with a shorter one keeps the last frames, largely
        padding). False: `X` is a list of ``(reference, candidate)`` arrays
        at their crop lengths, which the sitrex estimators mask instead of
        averaging the padding in, for any estimator `max_len`.
    references : array_like of int or bool, optional
        Sequences allowed as references (default: all). Candidates are drawn
        from all sequences; used for one-shot evaluation.
    angle_names : sequence of str, optional
        The names of the sequences' columns, for angle names in
        `exercise_angles` (e.g. ``dataset.angle_names``). Default: the
        columns of :func:`sitrex.compute_angles` (23 angles, or 43 of kind
        ``"all"``) or of :func:`sitrex.measurement.comparison_angles` (26),
        by their number.

    Returns
    -------
    X : ndarray (n_pairs, 2, max_len, n_angles) float32, or list of pairs
        ``X[:, 0]`` references, ``X[:, 1]`` candidates.
    y : ndarray (n_pairs, n_angles) float32
        1 where the candidate channel comes from the reference's exercise,
        which is also the reference's usefulness.

    Examples
    --------
    >>> import numpy as np
    >>> seqs = [np.full((20, 3), float(i)) for i in range(4)]
    >>> X, y = make_pairs(seqs, ["a", "a", "b", "b"], {"a": [0], "b": [1, 2]},
    ...                   n_pairs=5, max_len=10, random_state=0, noise_std=0)
    >>> X.shape, y.shape
    ((5, 2, 10, 3), (5, 3))
    >>> pairs, _ = make_pairs(seqs, ["a", "a", "b", "b"], {"a": [0], "b": [1, 2]},
    ...                       n_pairs=2, max_len=10, random_state=0, pad=False)
    >>> [p[0].shape[1] for p in pairs]
    [3, 3]
    """
    flat, starts, lengths, codes, useful, members, n_angles = _prepare(
        sequences, labels, exercise_angles, angle_names)
    n_pairs, max_len = int(n_pairs), int(max_len)
    if n_pairs < 0 or max_len < 1:
        raise InputError(f"n_pairs must be >= 0 and max_len >= 1; got {n_pairs} and {max_len}")
    n_ex = len(members)
    if n_ex < 2:
        raise InputError("make_pairs needs sequences of at least two exercises (the negative "
                         "channels come from a different exercise)")
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31 - 1))

    if references is None:
        ref_members = members
    else:
        allowed = np.zeros(len(codes), dtype=bool)
        allowed[np.asarray(references)] = True
        ref_members = [m[allowed[m]] for m in members]
    ref_ex_pool = np.array([k for k, m in enumerate(ref_members) if len(m)])
    if ref_ex_pool.size == 0:
        raise InputError("no sequence is allowed as a reference")
    ref_ex = ref_ex_pool[rng.integers(0, ref_ex_pool.size, n_pairs)]
    ref = _pick([m if len(m) else members[0] for m in ref_members], ref_ex, rng)
    y = useful[ref_ex]                                                        # (n, A)

    # positive channels: another execution of the same exercise (when there is one)
    sizes = np.array([len(m) for m in members])
    same = _pick(members, np.repeat(ref_ex, n_angles), rng).reshape(n_pairs, n_angles)
    clash = (same == ref[:, None]) & (sizes[ref_ex] > 1)[:, None]
    while clash.any():
        redraw = _pick(members, np.repeat(ref_ex, n_angles).reshape(n_pairs, n_angles)[clash], rng)
        same[clash] = redraw
        clash = (same == ref[:, None]) & (sizes[ref_ex] > 1)[:, None]
    # negative channels: an execution of another exercise, drawn per angle
    other_ex = (ref_ex[:, None] + rng.integers(1, n_ex, (n_pairs, n_angles))) % n_ex
    other = _pick(members, other_ex.ravel(), rng).reshape(n_pairs, n_angles)
    cand_src = np.where(y, same, other)

    ref_len = np.minimum(_crop_lengths(n_pairs, max_len, rng), lengths[ref])
    cand_len = np.minimum(_crop_lengths(n_pairs, max_len, rng),
                          lengths[cand_src].min(axis=1) if n_pairs else 0)
    ref_x = _gather(flat, starts, lengths, np.repeat(ref[:, None], n_angles, 1), ref_len,
                    max_len, noise_std, rng)
    cand_x = _gather(flat, starts, lengths, cand_src, cand_len, max_len, noise_std, rng)
    y = y.astype(np.float32)
    if pad:
        return np.stack([ref_x, cand_x], axis=1), y
    return list(zip(_unpad(ref_x, ref_len), _unpad(cand_x, cand_len))), y


def make_usefulness_samples(sequences: Sequence[Any], labels: Sequence[str],
                            exercise_angles: Mapping[str, Sequence[int]], max_len: int,
                            random_state: Any = None, *, n_samples: int | None = None,
                            balance: bool = True, noise_std: float = 5.0, pad: bool = True,
                            angle_names: Sequence[str] | None = None):
    """Random crops of sequences with per-angle usefulness targets.

    Parameters
    ----------
    sequences, labels, exercise_angles, angle_names
        As in :func:`make_pairs` (one exercise is enough).
    max_len : int
    random_state : int, RandomState or None
    n_samples : int, optional
        Default: one epoch of the paper's exercise data balancing, i.e. the
        largest exercise's count times the number of exercises.
    balance : bool
        Exercise data balancing (the paper's EDB): every exercise is drawn
        equally often (smaller ones are oversampled). False: sequences are
        drawn uniformly.
    noise_std : float
        Gaussian noise (degrees) on real frames.
    pad : bool
        As in :func:`make_pairs`.

    Returns
    -------
    X : ndarray (n_samples, max_len, n_angles) float32, or list of arrays
    y : ndarray (n_samples, n_angles) float32

    Examples
    --------
    >>> import numpy as np
    >>> seqs = [np.zeros((30, 2)), np.zeros((30, 2)), np.ones((9, 2))]
    >>> X, y = make_usefulness_samples(seqs, ["a", "a", "b"], {"a": [0], "b": [1]}, 12,
    ...                                random_state=0)
    >>> X.shape, sorted(y[:, 1].tolist())
    ((4, 12, 2), [0.0, 0.0, 1.0, 1.0])
    """
    flat, starts, lengths, codes, useful, members, n_angles = _prepare(
        sequences, labels, exercise_angles, angle_names)
    max_len = int(max_len)
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31 - 1))
    if n_samples is None:
        n_samples = max(len(m) for m in members) * len(members) if balance else len(codes)
    n_samples = int(n_samples)
    if balance:
        ex = np.arange(n_samples) % len(members)
        rng.shuffle(ex)
        chosen = _pick(members, ex, rng)
    else:
        chosen = rng.integers(0, len(codes), n_samples)
    length = np.minimum(_crop_lengths(n_samples, max_len, rng), lengths[chosen])
    x = _gather(flat, starts, lengths, np.repeat(chosen[:, None], n_angles, 1), length, max_len,
                noise_std, rng)
    y = useful[codes[chosen]].astype(np.float32)
    return (x, y) if pad else (_unpad(x, length), y)

