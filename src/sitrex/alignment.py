"""Dynamic time warping (DTW) of joint-angle sequences.

Long module: it is the one home of DTW (the pairwise path, its distance, the
alignment onto a reference and the cyclic alignment onto one repetition share
the per-frame cost and the row recursion), about 530 lines.

Two executions of one exercise rarely share a tempo. :func:`dtw_path` finds
the monotone frame-to-frame matching of two angle sequences that minimises
the summed per-frame distance; :func:`dtw_distance` turns it into one
tempo-independent number; :func:`align_to_reference` gives, for every frame
of a candidate, the reference frame it corresponds to. :func:`align_cyclic`
aligns a candidate that repeats a one-repetition template any number of
times, and :func:`split_cycles` cuts it into those repetitions.

The per-frame distance
----------------------
For frames ``a[i]`` and ``b[j]`` (``D`` angle columns, degrees), the distance
is the Euclidean norm of the column differences,
``sqrt(sum_k (a[i, k] - b[j, k]) ** 2)``. With ``circular=True`` each
difference is first wrapped to [-180, 180) degrees, which is right for the
signed plane angles in [0, 360) (359 and 1 degree are 2 degrees apart).
:func:`align_cyclic` can compare the angles' shapes instead (``cost="shape"``:
each column within its own range of movement, see there).

Missing values (NaN)
--------------------
Columns that are NaN throughout either sequence are dropped. For the other
columns, a frame pair uses only the columns measured in both frames, and the
sum of squares is scaled by ``n_columns / n_used`` so that a pair with a gap
is not cheaper than a complete one. A frame pair with no column in common
(e.g. a frame with no person in it) costs the mean of all the other pairs'
distances: neutral, neither attracting nor repelling the path.

The recursion
-------------
The classic symmetric step pattern: the path starts at (0, 0), ends at
``(Ta - 1, Tb - 1)`` and moves by (1, 0), (0, 1) or (1, 1); its cost is the
sum of the per-frame distances of the cells it visits. Each row of the
accumulated-cost matrix is computed with a few numpy operations (a prefix
minimum, ``numpy.minimum.accumulate``, resolves the within-row dependency), so
the work in Python is one loop over rows. Two 900-frame sequences of 23
angles (30 s at 30 fps) take about 20 ms on one core of a small cloud
machine, 70 ms with ``circular=True`` or with NaN gaps, 12 ms with
``band=90`` (``timeit`` on random data). Memory is two ``Ta x Tb`` float64
matrices.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from sitrex._validation import as_angle_array, resolve_columns
from sitrex.exceptions import InputError

__all__ = ["align_cyclic", "align_to_reference", "dtw_distance", "dtw_path", "split_cycles"]

_CHUNK = 1 << 21  # elements per block of the (rows, Tb, D) difference array


def _as_angles(x: Any, name: str) -> np.ndarray:
    return as_angle_array(x, name, need_frames=True)


def _check_pair(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    a, b = _as_angles(a, "a"), _as_angles(b, "b")
    if a.shape[1] != b.shape[1]:
        raise InputError(f"a and b must have the same angle columns; a has {a.shape[1]} and b "
                         f"has {b.shape[1]}")
    keep = ~np.isnan(a).all(axis=0) & ~np.isnan(b).all(axis=0)
    if not keep.any():
        raise InputError("no angle column is measured in both sequences (each column is NaN "
                         "throughout a or b): nothing to align on; pass columns that were measured")
    return a[:, keep], b[:, keep]


def _check_band(band: Any) -> float | None:
    if band is None:
        return None
    if isinstance(band, bool) or not isinstance(band, numbers.Real) or not np.isfinite(band) \
            or band < 0:
        raise InputError(f"band must be None (no constraint) or a non-negative number of "
                         f"frames; got {band!r}")
    return float(band)


def _cost_matrix(a: np.ndarray, b: np.ndarray, circular: bool) -> np.ndarray:
    """(Ta, Tb) per-frame distances with the NaN rules of the module documentation."""
    ta, tb, d = len(a), len(b), a.shape[1]
    has_nan = bool(np.isnan(a).any() or np.isnan(b).any())
    if not circular and not has_nan:
        # |x - y|^2 = |x|^2 + |y|^2 - 2 x.y on centred data (smaller numbers, less cancellation),
        # then the exact value on the cells that the identity makes (nearly) zero.
        centre = np.concatenate([a, b]).mean(axis=0)
        ac, bc = a - centre, b - centre
        sq = (ac * ac).sum(1)[:, None] + (bc * bc).sum(1)[None, :] - 2.0 * (ac @ bc.T)
        np.maximum(sq, 0.0, out=sq)
        scale = max(float((ac * ac).sum(1).max()), float((bc * bc).sum(1).max()), 1.0)
        close = np.nonzero(sq <= 1e-9 * scale)
        if close[0].size:
            diff = a[close[0]] - b[close[1]]
            sq[close] = (diff * diff).sum(1)
        return np.sqrt(sq)
    if circular:
        a, b = a % 360.0, b % 360.0
    cost = np.empty((ta, tb))
    rows = max(1, _CHUNK // max(tb * d, 1))
    for start in range(0, ta, rows):
        sq = a[start:start + rows, None, :] - b[None, :, :]
        if circular:  # a, b were reduced to [0, 360): the wrapped |difference| is min(d, 360 - d)
            np.abs(sq, out=sq)
            np.minimum(sq, 360.0 - sq, out=sq)
        sq *= sq
        if has_nan:
            valid = ~np.isnan(sq)
            n_used = valid.sum(axis=2)
            total = np.where(valid, sq, 0.0).sum(axis=2)
            with np.errstate(invalid="ignore", divide="ignore"):
                block = np.sqrt(total * (d / n_used))
            block[n_used == 0] = np.nan
        else:
            block = np.sqrt(sq.sum(axis=2))
        cost[start:start + rows] = block
    if has_nan:
        missing = np.isnan(cost)
        if missing.all():
            raise InputError("no frame of a shares a measured angle with any frame of b (their "
                             "NaN patterns never overlap): nothing to align on")
        if missing.any():
            cost[missing] = cost[~missing].mean()
    return cost


def _band_limits(ta: int, tb: int, band: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Per row i of the cost matrix, the allowed columns lo[i] .. hi[i] (inclusive)."""
    if band is None:
        return np.zeros(ta, dtype=np.intp), np.full(ta, tb - 1, dtype=np.intp)
    # cell (i, j) is allowed when |i / (Ta - 1) - j / (Tb - 1)| * max(Ta - 1, Tb - 1) <= band:
    # a band about the diagonal joining the two corners, in frames of the longer sequence
    # (the same cells whichever sequence comes first).
    span = max(ta - 1, tb - 1, 1)
    centre = np.arange(ta) * ((tb - 1) / max(ta - 1, 1)) if ta > 1 else np.zeros(1)
    width = band * (tb - 1) / span
    eps = 1e-9
    lo = np.clip(np.ceil(centre - width - eps), 0, tb - 1).astype(np.intp)
    hi = np.clip(np.floor(centre + width + eps), 0, tb - 1).astype(np.intp)
    lo[0], hi[-1] = 0, tb - 1
    broken = (lo > hi).any() or (lo[1:] > hi[:-1] + 1).any()
    if broken:
        need = np.ceil(abs(ta - tb) / max(min(ta, tb) - 1, 1) / 2 + 1)
        raise InputError(f"band={band:g} frames is too narrow for sequences of {ta} and {tb} "
                         f"frames: no warping path fits in it. Use a wider band (at least about "
                         f"{need:g}) or band=None")
    return lo, hi


def _accumulate(cost: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Accumulated cost, row by row; cells outside the band are inf."""
    ta, tb = cost.shape
    acc = np.full((ta, tb), np.inf)
    row0 = cost[0, lo[0]:hi[0] + 1]
    acc[0, lo[0]:hi[0] + 1] = np.cumsum(row0)
    for i in range(1, ta):
        l, h = lo[i], hi[i] + 1
        prev = acc[i - 1]
        # best predecessor from the previous row: straight up (i-1, j) or diagonal (i-1, j-1)
        up = prev[l:h]
        diag = prev[l - 1:h - 1] if l > 0 else np.concatenate([[np.inf], prev[:h - 1]])
        entry = np.minimum(up, diag)
        # then moves along the row: acc[i, j] = min_k<=j (entry[k] + sum(cost[i, k..j]))
        c = cost[i, l:h]
        s = np.cumsum(c)
        acc[i, l:h] = s + np.minimum.accumulate(entry - (s - c))
    return acc


def _backtrack(acc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    i, j = acc.shape[0] - 1, acc.shape[1] - 1
    path_a, path_b = [i], [j]
    while i > 0 or j > 0:
        if i == 0:
            j -= 1
        elif j == 0:
            i -= 1
        else:
            d, u, left = acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1]
            if d <= u and d <= left:  # ties go to the diagonal
                i, j = i - 1, j - 1
            elif u <= left:
                i -= 1
            else:
                j -= 1
        path_a.append(i)
        path_b.append(j)
    return np.array(path_a[::-1], dtype=np.intp), np.array(path_b[::-1], dtype=np.intp)


def _dtw(a, b, band, circular):
    a, b = _check_pair(a, b)
    band = _check_band(band)
    cost = _cost_matrix(a, b, bool(circular))
    lo, hi = _band_limits(len(a), len(b), band)
    acc = _accumulate(cost, lo, hi)
    ia, ib = _backtrack(acc)
    return ia, ib, float(acc[-1, -1]), cost


def dtw_path(a: Any, b: Any, *, band: float | None = None,
             circular: bool = False) -> tuple[np.ndarray, np.ndarray, float]:
    """Optimal dynamic-time-warping path between two angle sequences.

    Parameters
    ----------
    a : array_like, shape (Ta, D) or (Ta,)
        First sequence of joint angles, degrees (1-D: one angle). NaN marks
        a missing value (see the module documentation for how gaps count).
    b : array_like, shape (Tb, D) or (Tb,)
        Second sequence, same columns as `a`.
    band : float, optional
        Sakoe-Chiba band half-width in frames (of the longer sequence): a
        cell ``(i, j)`` may be on the path only if
        ``|i / (Ta - 1) - j / (Tb - 1)| * max(Ta - 1, Tb - 1) <= band``, i.e.
        near the diagonal that joins the two ends. None: no constraint.
    circular : bool, default False
        Wrap each angle difference to [-180, 180) degrees (for signed plane
        angles in [0, 360)).

    Returns
    -------
    index_a, index_b : numpy.ndarray of int, shape (L,)
        The path: frame ``index_a[k]`` of `a` is matched with frame
        ``index_b[k]`` of `b`. Both start at 0, end at the last frame and
        never decrease; each step advances one or both by one frame.
    cost : float
        Sum of the per-frame distances along the path (degrees).

    Raises
    ------
    ValueError
        For arrays that are not 1-D or 2-D, without frames, with different
        column counts or with inf; when no column is measured in both; or
        when `band` is negative or too narrow for any path to fit.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[0.0], [10.0], [20.0]])
    >>> b = np.array([[0.0], [0.0], [10.0], [20.0]])
    >>> ia, ib, cost = dtw_path(a, b)
    >>> ia.tolist(), ib.tolist(), cost
    ([0, 0, 1, 2], [0, 1, 2, 3], 0.0)
    >>> dtw_path([350.0, 10.0], [350.0, 10.0, 10.0], circular=True)[2]
    0.0
    """
    ia, ib, cost, _ = _dtw(a, b, band, circular)
    return ia, ib, cost


def dtw_distance(a: Any, b: Any, *, band: float | None = None, circular: bool = False) -> float:
    """DTW cost per path step: the mean per-frame distance along the optimal path.

    The total cost of :func:`dtw_path` divided by the path's length (the
    number of matched frame pairs, between ``max(Ta, Tb)`` and
    ``Ta + Tb - 1``), so that long and short clips are on one scale: degrees
    of Euclidean distance over the angle columns, per matched frame pair.

    Parameters
    ----------
    a, b : array_like, shape (Ta, D) and (Tb, D)
        Angle sequences in degrees, as in :func:`dtw_path`.
    band : float, optional
        Sakoe-Chiba band half-width in frames, as in :func:`dtw_path`.
    circular : bool, default False
        Wrap differences to [-180, 180) degrees.

    Returns
    -------
    float
        Non-negative; 0 when one sequence is a time-warped copy of the other.

    Examples
    --------
    >>> import numpy as np
    >>> slow = np.repeat([0.0, 30.0, 60.0, 90.0, 60.0, 30.0], 2)   # two frames per pose
    >>> fast = np.array([0.0, 30.0, 60.0, 90.0, 60.0, 30.0])
    >>> dtw_distance(slow, fast)
    0.0
    >>> round(dtw_distance([[0.0, 0.0]], [[3.0, 4.0]]), 6)
    5.0
    """
    ia, _, cost, _ = _dtw(a, b, band, circular)
    return cost / len(ia)


def align_to_reference(reference: Any, candidate: Any, *, columns: Any = None,
                       band: float | None = None, circular: bool = False,
                       angle_names: Any = None) -> np.ndarray:
    """For each candidate frame, the reference frame it matches (by DTW).

    Parameters
    ----------
    reference : array_like, shape (Tr, D) or (Tr,)
        Reference angles (e.g. the coach's), degrees.
    candidate : array_like, shape (Tc, D) or (Tc,)
        Candidate angles (e.g. the athlete's), same columns.
    columns : sequence of str or int, or boolean mask, optional
        Angle columns to align on (e.g. the useful angles of the exercise),
        by index, by name (with `angle_names`) or as a mask; default all.
    band : float, optional
        Sakoe-Chiba band half-width in frames, as in :func:`dtw_path`.
    circular : bool, default False
        Wrap differences to [-180, 180) degrees.
    angle_names : sequence of str, optional
        Column names, to pass `columns` by name.

    Returns
    -------
    numpy.ndarray of int, shape (Tc,)
        ``out[t]`` is the reference frame matched with candidate frame ``t``;
        non-decreasing, from 0 to ``Tr - 1``. Where the path matches several
        reference frames to one candidate frame (the candidate is faster),
        the closest of them (smallest per-frame distance) is kept.

    Examples
    --------
    >>> import numpy as np
    >>> ref = np.array([0.0, 10.0, 20.0, 30.0])
    >>> align_to_reference(ref, [0.0, 0.0, 10.0, 10.0, 20.0, 30.0]).tolist()
    [0, 0, 1, 1, 2, 3]
    >>> align_to_reference(ref, [0.0, 30.0]).tolist()
    [0, 3]
    """
    ref, cand = _as_angles(reference, "reference"), _as_angles(candidate, "candidate")
    if ref.shape[1] != cand.shape[1]:
        raise InputError(f"reference and candidate must have the same angle columns; reference "
                         f"has {ref.shape[1]} and candidate has {cand.shape[1]}")
    cols = resolve_columns(columns, ref.shape[1], angle_names)
    ia, ib, _, cost = _dtw(ref[:, cols], cand[:, cols], band, circular)
    # the path visits every candidate frame; per frame keep the reference frame of least cost
    # (lexsort: by candidate frame, then cost, then reference frame)
    order = np.lexsort((ia, cost[ia, ib], ib))
    first = np.ones(len(order), dtype=bool)
    first[1:] = ib[order][1:] != ib[order][:-1]
    out = np.empty(len(cand), dtype=np.intp)
    out[ib[order][first]] = ia[order][first]
    return out


def _cyclic_accumulate(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Accumulated cost of the cyclic, open-ended recursion, with the pointers to backtrack it.

    Row ``t`` (candidate frame) may be entered from row ``t - 1`` straight up
    or diagonally, and column 0 also from the last column (the wrap: the
    candidate starts its next repetition); within a row the path moves right.
    Returns ``acc``, ``run`` (where the horizontal run ending at a cell
    started) and ``came`` (the column of row ``t - 1`` a run's first cell was
    entered from).
    """
    tc, tt = cost.shape
    acc = np.empty((tc, tt))
    run = np.empty((tc, tt), dtype=np.intp)
    came = np.empty((tc, tt), dtype=np.intp)
    acc[0] = cost[0]                                  # open begin: any template frame
    run[0] = came[0] = np.arange(tt)
    columns = np.arange(tt)
    for t in range(1, tc):
        prev = acc[t - 1]
        entry = np.minimum(prev, np.concatenate([[prev[-1]], prev[:-1]]))
        came[t] = np.where(prev <= np.concatenate([[prev[-1]], prev[:-1]]), columns,
                           (columns - 1) % tt)
        row = cost[t]
        s = np.cumsum(row)
        start_value = entry - (s - row)
        best = np.minimum.accumulate(start_value)
        # the latest column k <= j where the prefix minimum was reached starts the run to j
        run[t] = np.maximum.accumulate(np.where(start_value <= best, columns, 0))
        acc[t] = s + best
    return acc, run, came


def _shape_cost(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(Ta, Tb) weighted L1 distances of the columns' shapes (``cost="shape"`` of align_cyclic).

    Each column of `b` (the template) is moved to its own 5th-95th
    percentile range, [0, 1] over that span; each column of `a` likewise,
    divided by at least half the template's range (so that a column the
    candidate barely moves is not blown up into noise). Columns count in
    proportion to the template's range: the main movers lead.
    """
    lo_a, hi_a = np.percentile(a, [5, 95], axis=0)
    lo_b, hi_b = np.percentile(b, [5, 95], axis=0)
    span_b = hi_b - lo_b
    weight = span_b / span_b.max() if span_b.max() > 0 else np.ones_like(span_b)
    a = (a - lo_a) / np.maximum(np.maximum(hi_a - lo_a, 0.5 * span_b), 1e-9)
    b = (b - lo_b) / np.maximum(span_b, 1e-9)
    cost = np.empty((len(a), len(b)))
    rows = max(1, _CHUNK // max(len(b) * a.shape[1], 1))
    for start in range(0, len(a), rows):
        cost[start:start + rows] = np.abs(a[start:start + rows, None, :] - b[None]) @ weight
    return cost


def align_cyclic(template: Any, candidate: Any, *, columns: Any = None, scale: Any = None,
                 angle_names: Any = None, cost: str = "values") -> np.ndarray:
    """For each candidate frame, the template frame it matches; the candidate may repeat it.

    Dynamic time warping of a candidate clip holding any number of
    repetitions (and parts of one at its ends) onto **one** repetition, the
    template. The path may start and end at any template frame (open begin,
    open end) and may wrap from the template's last frame to its first, which
    is the candidate starting its next repetition, so the clip is aligned
    without being cut into repetitions first (:func:`split_cycles` cuts it
    afterwards, along the path).

    Parameters
    ----------
    template : array_like, shape (Tt, D) or (Tt,)
        One repetition (e.g. a coach's), degrees.
    candidate : array_like, shape (Tc, D) or (Tc,)
        The clip to align, same columns.
    columns : names, indices or a boolean mask, optional
        Columns to align on (e.g. the useful angles); default all.
    scale : array_like, shape (D,), optional
        With ``cost="values"``, each column's differences are divided by it
        (e.g. the template's range of motion, so that every angle counts
        alike); default 1.
    angle_names : sequence of str, optional
        Column names, to pass `columns` by name.
    cost : {"values", "shape"}, default "values"
        The per-frame cost. ``"values"``: the Euclidean distance of the
        (scaled) angles. ``"shape"``: where each frame is within each
        column's own movement, so that what the candidate does differently
        (an arm held elsewhere, a shallower squat) does not pull the match
        off the phase of the movement: every column of each clip is moved to
        its 5th-95th percentile range, [0, 1] (the candidate's divided by at
        least half the template's range), and the absolute differences are
        summed, each column weighted by its share of the template's largest
        range. `scale` is not used.

    Returns
    -------
    numpy.ndarray of int, shape (Tc,)
        ``out[t]`` is the template frame matched with candidate frame ``t``:
        it increases within a repetition and falls back when the next one
        starts. Where the path matches several template frames with one
        candidate frame, the closest of them is kept.

    Notes
    -----
    Gaps (NaN) are filled first by linear interpolation (a column never
    measured counts as 0). Each row of the accumulated cost is computed with
    a few numpy operations, as in :func:`dtw_path`.

    On values, a difference in one column that lasts the whole clip (an
    athlete whose arms stay low while the coach's rise with each squat)
    outweighs the phase of the main movement, and the path can match every
    candidate frame with one template frame; on shape it follows the phase.
    Over 6 one-repetition coaches x 15 athletes of other people per real
    data set (``benchmarks/alignment_phase.py``), the mean correlation of the fault-relevant angles between
    the athlete and the matched template frames was 0.64 (values, as the
    default comparator used before) and 0.90 (shape) on squat_errors, 0.77
    and 0.95 on IRDS, 0.27 and 0.22 on PushFit, whose 2-D web videos give
    ranges of 100-170 degrees to shoulder angles that barely move.

    Examples
    --------
    >>> import numpy as np
    >>> rep = np.array([0.0, 30.0, 60.0, 30.0])
    >>> align_cyclic(rep, [30.0, 60.0, 30.0, 0.0, 0.0, 30.0, 60.0, 30.0, 0.0]).tolist()
    [1, 2, 3, 0, 0, 1, 2, 3, 0]

    A candidate going half as far, 40 degrees higher: on values every frame
    is matched with the template's highest frame, on shape the phase holds:

    >>> high = [55.0, 70.0, 55.0, 40.0, 40.0, 55.0, 70.0, 55.0, 40.0]
    >>> align_cyclic(rep, high).tolist()
    [2, 2, 2, 2, 2, 2, 2, 2, 3]
    >>> align_cyclic(rep, high, cost="shape").tolist()
    [1, 2, 3, 0, 0, 1, 2, 3, 0]
    """
    from sitrex.sequences import interpolate_gaps

    tmpl, cand = _as_angles(template, "template"), _as_angles(candidate, "candidate")
    if tmpl.shape[1] != cand.shape[1]:
        raise InputError(f"template and candidate must have the same angle columns; template "
                         f"has {tmpl.shape[1]} and candidate has {cand.shape[1]}")
    cols = resolve_columns(columns, tmpl.shape[1], angle_names)
    if not len(cols):
        raise InputError("columns selects no angle column: nothing to align on")
    if cost not in ("values", "shape"):
        raise InputError(f"cost must be 'values' or 'shape'; got {cost!r}")
    factor = np.ones(tmpl.shape[1]) if scale is None else np.asarray(scale, dtype=np.float64)
    if factor.shape != (tmpl.shape[1],) or not (np.isfinite(factor) & (factor > 0)).all():
        raise InputError(f"scale must hold one positive number per column ({tmpl.shape[1]}); "
                         f"got {np.asarray(scale).tolist()}")
    a = interpolate_gaps(cand[:, cols], fill_value=0.0)
    b = interpolate_gaps(tmpl[:, cols], fill_value=0.0)
    cost = (_cost_matrix(a / factor[cols], b / factor[cols], circular=False) if cost == "values"
            else _shape_cost(a, b))
    acc, run, came = _cyclic_accumulate(cost)
    match = np.empty(len(cand), dtype=np.intp)
    j = int(np.argmin(acc[-1]))                       # open end: the cheapest last cell
    for t in range(len(cand) - 1, -1, -1):
        k = int(run[t, j])                            # the row's run covers columns k .. j
        match[t] = k + int(np.argmin(cost[t, k:j + 1]))
        j = int(came[t, k])
    return match


def split_cycles(match: Any, n_template: int, *, min_coverage: float = 0.6,
                 min_frames: int = 4) -> list[tuple[int, int]]:
    """The repetitions of a cyclic alignment: where the matched template frame falls back.

    Parameters
    ----------
    match : array_like of int, shape (Tc,)
        From :func:`align_cyclic`.
    n_template : int
        Frames of the template.
    min_coverage : float, default 0.6
        A repetition is kept when it visits at least this share of the
        template's frames: the partial repetitions at the clip's ends are
        dropped.
    min_frames : int, default 4
        Shortest repetition kept, frames.

    Returns
    -------
    list of (start, end)
        Candidate frames ``start .. end - 1`` of each kept repetition, in
        order; empty when none qualifies. A new repetition starts where the
        match falls back by more than half the template.

    Examples
    --------
    >>> split_cycles([2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0], 4)
    [(2, 6), (6, 10)]
    """
    m = np.asarray(match, dtype=np.intp).ravel()
    starts = np.flatnonzero(np.diff(m) < -n_template / 2) + 1
    bounds = np.concatenate([[0], starts, [len(m)]])
    kept = []
    for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        coverage = len(np.unique(m[start:end])) / n_template
        if coverage >= min_coverage and end - start >= min_frames:
            kept.append((start, end))
    return kept
