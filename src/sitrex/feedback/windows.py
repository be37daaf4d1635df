"""Sliding windows on the candidate's timeline, scored against a reference.

The window of frame ``t`` ends at ``t`` and includes it: frames
``max(0, t - window + 1) .. t``. The first ``window - 1`` windows are
therefore shorter (the comparator pads and masks them). Only past and
present frames enter a window, so a score at frame ``t`` never depends on
later frames.

``stride=k`` computes one window in ``k`` and **holds the last value**:
frame ``t`` takes the score of the latest computed window ending at or
before ``t``. Computed windows start again at the first frame of every run
of frames with a person, so a held value never crosses a gap, and frames
without a person get NaN.

The reference is encoded once (:meth:`~sitrex.ExerciseComparator.embed`),
the windows in batches, and the two meet in
:meth:`~sitrex.ExerciseComparator.similarity_from_embeddings`.
"""

from __future__ import annotations

import numpy as np

from sitrex.exceptions import InputError

__all__ = ["auto_batch_size", "hold_last", "scored_frames", "window_coverage", "window_starts",
           "windowed_similarity"]

#: Bytes of window data one ``embed`` call may hold: the gathered windows and their padded
#: copy inside ``embed``, float32. Memory only: ``embed`` itself runs the network in chunks
#: sized to its attention cost.
_EMBED_CALL_BYTES = 64 << 20


def auto_batch_size(comparator, n_angles: int = 23) -> int:
    """Windows per :meth:`~sitrex.ExerciseComparator.embed` call: a power of two, memory-bound.

    Each call holds its windows twice as float32 (gathered, then padded to
    ``max_len`` inside ``embed``); the batch keeps that under 64 MB. How the
    network then runs them is the comparator's business: ``embed`` splits
    them into chunks sized to the attention cost of its architecture. Both
    sizes are powers of two, so every call but the last gives the network
    equal chunks (few compiled shapes for JAX).

    Parameters
    ----------
    comparator : sitrex.ExerciseComparator
        Only its ``max_len`` is read.
    n_angles : int, default 23
        Angle columns of the windows.

    Returns
    -------
    int

    Examples
    --------
    >>> from sitrex import ExerciseComparator
    >>> auto_batch_size(ExerciseComparator())                 # max_len 100
    2048
    >>> auto_batch_size(ExerciseComparator(max_len=300))
    1024
    """
    per_window = 2 * 4 * max(1, frames_seen(comparator)) * max(1, int(n_angles))
    fits = max(1, _EMBED_CALL_BYTES // per_window)
    return 1 << (fits.bit_length() - 1)


def frames_seen(comparator) -> int:
    """Frames the comparator's similarity network reads: those it was fitted with (a sitrex
    estimator keeps them through a later ``set_params``), else its ``max_len``."""
    fitted = getattr(comparator, "_network_max_len", None)
    return int(fitted("similarity_model_") if fitted is not None else comparator.max_len)


def _as_present(present, n_frames: int) -> np.ndarray:
    if present is None:
        return np.ones(n_frames, dtype=bool)
    p = np.asarray(present, dtype=bool)
    if p.shape != (n_frames,):
        raise InputError(f"present must have one flag per frame, shape ({n_frames},); got "
                         f"{p.shape}")
    return p


def _check_stride(stride) -> int:
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise InputError(f"stride must be a positive integer (1 scores every frame); got "
                         f"{stride!r}")
    return int(stride)


def scored_frames(present, stride: int = 1) -> np.ndarray:
    """Frames whose window is computed.

    Within each run of frames with a person: its first frame, then every
    `stride`-th frame after it.

    Parameters
    ----------
    present : array_like of bool, shape (T,)
    stride : int, default 1

    Returns
    -------
    numpy.ndarray of bool, shape (T,)

    Examples
    --------
    >>> scored_frames([1, 1, 1, 1, 1, 0, 1, 1, 1], stride=2).astype(int).tolist()
    [1, 0, 1, 0, 1, 0, 1, 0, 1]
    >>> scored_frames([1, 1, 1, 1, 0, 0, 1, 1], stride=3).astype(int).tolist()
    [1, 0, 0, 1, 0, 0, 1, 0]
    """
    p = np.asarray(present, dtype=bool).ravel()
    stride = _check_stride(stride)
    t = np.arange(len(p))
    run_start = p & ~np.concatenate([[False], p[:-1]])
    start_of_run = np.maximum.accumulate(np.where(run_start, t, 0)) if len(p) else t
    return p & ((t - start_of_run) % stride == 0)


def window_starts(ends, window: int) -> np.ndarray:
    """First frame of the windows ending at `ends`: ``max(0, end - window + 1)``.

    Examples
    --------
    >>> window_starts([0, 3, 10], window=4).tolist()
    [0, 0, 7]
    """
    return np.maximum(np.asarray(ends, dtype=np.int64) - int(window) + 1, 0)


def window_coverage(present, window: int) -> np.ndarray:
    """Fraction of the frames of each frame's window that have a person.

    Parameters
    ----------
    present : array_like of bool, shape (T,)
    window : int

    Returns
    -------
    numpy.ndarray of float, shape (T,)

    Examples
    --------
    >>> window_coverage([1, 0, 1, 1], window=2).tolist()
    [1.0, 0.5, 0.5, 1.0]
    """
    p = np.asarray(present, dtype=bool).ravel()
    ends = np.arange(len(p))
    starts = window_starts(ends, window)
    counts = np.concatenate([[0], np.cumsum(p)])
    return (counts[ends + 1] - counts[starts]) / (ends - starts + 1)


def hold_last(values, computed, present=None) -> np.ndarray:
    """Spread values computed at some frames to every frame, never from the future.

    Parameters
    ----------
    values : array_like, shape (n_computed, ...)
        One row per True entry of `computed`, in frame order.
    computed : array_like of bool, shape (T,)
    present : array_like of bool, shape (T,), optional
        Frames outside it get NaN.

    Returns
    -------
    numpy.ndarray of float, shape (T, ...)
        Row ``t`` is the row of the latest computed frame ``<= t`` (NaN
        before the first one and where not present).

    Examples
    --------
    >>> hold_last([10.0, 20.0], [True, False, False, True, False]).tolist()
    [10.0, 10.0, 10.0, 20.0, 20.0]
    >>> hold_last([10.0], [False, True, False], present=[True, True, False]).tolist()
    [nan, 10.0, nan]
    """
    c = np.asarray(computed, dtype=bool).ravel()
    vals = np.asarray(values, dtype=np.float64)
    if len(vals) != c.sum():
        raise InputError(f"values has {len(vals)} rows but {int(c.sum())} frames are computed")
    n = len(c)
    t = np.arange(n)
    source = np.maximum.accumulate(np.where(c, t, -1)) if n else t
    rank = np.cumsum(c) - 1                       # row of `values` for a computed frame
    out = np.full((n, *vals.shape[1:]), np.nan)
    ok = source >= 0
    if present is not None:
        ok &= _as_present(present, n)
    out[ok] = vals[rank[source[ok]]]
    return out


def _embed_windows(comparator, sequence: np.ndarray, ends: np.ndarray, window: int,
                   batch_size: int) -> np.ndarray:
    """Embeddings of the windows of `sequence` ending at `ends` (sorted), in that order.

    Full windows are gathered with one fancy index per batch, ``(n, window,
    A)`` at once. The at most ``window - 1`` shorter windows at the start of
    the clip are views of the sequence, which ``embed`` pads and masks; they
    share the first batch, so that every batch but the last has the same
    size (one compiled shape for JAX).
    """
    seq = np.asarray(sequence, dtype=np.float32)
    offsets = np.arange(window)
    parts = []
    for i in range(0, len(ends), batch_size):
        batch = ends[i:i + batch_size]
        short = batch[batch < window - 1]
        full = batch[batch >= window - 1]
        windows = seq[(full - window + 1)[:, None] + offsets]              # (n, window, A)
        if len(short):
            windows = [*(seq[:t + 1] for t in short), *windows]
        parts.append(comparator.embed(windows))
    return np.concatenate(parts)


def windowed_similarity(comparator, reference, candidate, *, present=None, window=None,
                        stride: int = 1, batch_size: int | None = None, warped_reference=None,
                        reference_embedding=None) -> np.ndarray:
    """Per-frame, per-angle similarity of a candidate to a reference.

    Parameters
    ----------
    comparator : sitrex.ExerciseComparator
        Fitted.
    reference : array_like, shape (T_ref, n_angles)
        Reference angles, without NaN; encoded once.
    candidate : array_like, shape (T, n_angles)
        Candidate angles, without NaN (fill gaps first, e.g. with
        :func:`sitrex.fill_gaps`).
    present : array_like of bool, shape (T,), optional
        Frames with a person; the others are not scored (NaN). Default: all.
    window : int, optional
        Window length in frames, at most ``comparator.max_len``; default
        ``comparator.max_len``.
    stride : int, default 1
        Compute one window in `stride` and hold the last value (see the
        module documentation).
    batch_size : int, optional
        Windows handed to ``comparator.embed`` per call, which bounds the
        memory used; default :func:`auto_batch_size`. (``embed`` runs its
        network in its own chunks, sized to the architecture.)
    warped_reference : array_like, shape (T, n_angles), optional
        A reference already put on the candidate's timeline (e.g. by time
        alignment). The window ending at ``t`` is then compared with the same
        frames of `warped_reference` instead of with the whole `reference`
        (which is then unused).
    reference_embedding : array_like, optional
        ``comparator.embed([reference])[0]``, when already computed (a coach
        scored against many athletes is encoded once).

    Returns
    -------
    numpy.ndarray of float, shape (T, n_angles)

    Examples
    --------
    Any object with the comparator's ``max_len``, ``embed`` and
    ``similarity_from_embeddings`` works; this stand-in embeds a sequence as
    its mean, so each score shows which frames its window holds:

    >>> import numpy as np
    >>> class MeanComparator:
    ...     max_len = 4
    ...     def embed(self, sequences):
    ...         return np.array([np.mean(s, axis=0) for s in sequences])
    ...     def similarity_from_embeddings(self, reference, candidates):
    ...         return 1.0 / (1.0 + np.abs(reference - candidates))
    >>> frames = np.arange(6.0)[:, None]          # frame t has the value t
    >>> sim = windowed_similarity(MeanComparator(), np.zeros((3, 1)), frames)
    >>> (1 / sim[:, 0] - 1).round(2).tolist()     # window means: 0, 0-1, 0-2, 0-3, 1-4, 2-5
    [0.0, 0.5, 1.0, 1.5, 2.5, 3.5]
    >>> sim = windowed_similarity(MeanComparator(), np.zeros((3, 1)), frames, stride=4)
    >>> (1 / sim[:, 0] - 1).round(2).tolist()     # frames 0 and 4 computed, then held
    [0.0, 0.0, 0.0, 0.0, 2.5, 2.5]
    """
    cand = np.asarray(candidate, dtype=np.float64)
    if cand.ndim != 2 or len(cand) == 0:
        raise InputError(f"candidate must be a non-empty (T, n_angles) array; got shape "
                         f"{cand.shape}")
    max_len = frames_seen(comparator)
    window = max_len if window is None else window
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or not \
            1 <= window <= max_len:
        raise InputError(f"window must be an integer from 1 to the comparator's max_len "
                         f"({max_len}); got {window!r}. The network only sees its last max_len "
                         "frames, so a longer window would silently be cut.")
    window = int(window)
    stride = _check_stride(stride)
    batch_size = auto_batch_size(comparator, cand.shape[1]) if batch_size is None else \
        int(batch_size)
    if batch_size < 1:
        raise InputError(f"batch_size must be a positive integer; got {batch_size!r}")
    p = _as_present(present, len(cand))
    computed = scored_frames(p, stride)
    ends = np.flatnonzero(computed)
    n_angles = cand.shape[1]
    if not len(ends):
        return np.full((len(cand), n_angles), np.nan)
    windows = _embed_windows(comparator, cand, ends, window, batch_size)
    if warped_reference is None:
        ref = (comparator.embed([np.asarray(reference, dtype=np.float32)])[0]
               if reference_embedding is None else np.asarray(reference_embedding))
    else:
        warped = np.asarray(warped_reference, dtype=np.float64)
        if warped.shape != cand.shape:
            raise InputError(f"warped_reference must have the candidate's shape {cand.shape}; "
                             f"got {warped.shape}")
        ref = _embed_windows(comparator, warped, ends, window, batch_size)
    values = comparator.similarity_from_embeddings(ref, windows)
    return hold_last(values, computed, p)
