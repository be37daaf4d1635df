"""Runs of frames: where a per-frame condition holds, as (start, end) ranges.

The feedback report turns "similarity below the threshold" into a few frame
ranges a person can read. The rule, applied per angle:

1. take the frames where the condition holds (frames that are not scored,
   e.g. without a person, never count);
2. merge two runs when at most `max_gap` frames separate them;
3. drop the merged runs shorter than `min_frames` frames (with the default
   ``min_frames=2`` a one-frame blip is ignored).

Ranges are ``(start, end)`` pairs of frame indices with **both ends
included**, the way people read "frames 120-180".
"""

from __future__ import annotations

import numpy as np

from sitrex.exceptions import InputError

__all__ = ["find_runs", "merge_runs", "condition_ranges"]


def find_runs(mask) -> np.ndarray:
    """Maximal runs of True in a 1-D boolean array.

    Parameters
    ----------
    mask : array_like of bool, shape (T,)

    Returns
    -------
    numpy.ndarray of int, shape (n_runs, 2)
        ``(start, end)`` of each run, both included, in time order.

    Examples
    --------
    >>> find_runs([0, 1, 1, 0, 1]).tolist()
    [[1, 2], [4, 4]]
    >>> find_runs([]).shape
    (0, 2)
    """
    m = np.asarray(mask, dtype=bool).ravel()
    edges = np.diff(np.concatenate([[False], m, [False]]).astype(np.int8))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return np.stack([starts, ends], axis=1).astype(np.int64)


def merge_runs(runs, max_gap: int) -> np.ndarray:
    """Join runs separated by at most `max_gap` frames.

    Parameters
    ----------
    runs : array_like of int, shape (n, 2)
        ``(start, end)`` ranges (ends included), sorted and disjoint, as
        :func:`find_runs` returns them.
    max_gap : int
        Largest number of frames between two runs that still joins them
        (0: join only touching runs, which :func:`find_runs` never returns).

    Returns
    -------
    numpy.ndarray of int, shape (m, 2)

    Examples
    --------
    >>> merge_runs([[0, 2], [5, 6], [20, 21]], max_gap=2).tolist()
    [[0, 6], [20, 21]]
    """
    r = np.asarray(runs, dtype=np.int64).reshape(-1, 2)
    if len(r) < 2:
        return r.copy()
    gaps = r[1:, 0] - r[:-1, 1] - 1
    new_group = np.concatenate([[True], gaps > int(max_gap)])
    first = np.flatnonzero(new_group)
    last = np.concatenate([first[1:], [len(r)]]) - 1
    return np.stack([r[first, 0], r[last, 1]], axis=1)


def condition_ranges(mask, *, min_frames: int = 2, max_gap: int = 0) -> list[tuple[int, int]]:
    """Readable ranges where `mask` holds: merge small gaps, then drop short blips.

    Parameters
    ----------
    mask : array_like of bool, shape (T,)
    min_frames : int, default 2
        Shortest range kept, in frames, counted after merging (2 ignores
        one-frame blips; 1 keeps everything).
    max_gap : int, default 0
        Runs separated by at most this many frames are merged first.

    Returns
    -------
    list of (int, int)
        ``(start, end)`` frame ranges, both ends included.

    Examples
    --------
    >>> mask = [0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 0]
    >>> condition_ranges(mask, max_gap=1)      # the blip at frame 11 is dropped
    [(1, 6)]
    >>> condition_ranges(mask, min_frames=1)
    [(1, 3), (5, 6), (11, 11)]
    """
    if int(min_frames) < 1 or int(max_gap) < 0:
        raise InputError(f"min_frames must be >= 1 and max_gap >= 0; got {min_frames!r} and "
                         f"{max_gap!r}")
    runs = merge_runs(find_runs(mask), int(max_gap))
    keep = runs[:, 1] - runs[:, 0] + 1 >= int(min_frames)
    return [(int(a), int(b)) for a, b in runs[keep]]
