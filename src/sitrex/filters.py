"""Filters for time series of landmarks or joint angles: glitches out, noise down.

Time is the first axis of every array, ``(T, ...)``; every other entry is its
own series and all of them are filtered at once (no per-series Python loop).
NaN marks a value that was not measured and stays NaN.

* :func:`hampel` rejects isolated glitches (a landmark that jumps for a few
  frames): a value far from the median of its neighbourhood, in units of the
  neighbourhood's robust spread, becomes NaN. :class:`HampelGate` is its
  causal counterpart for live use: the neighbourhood is the recent past only.
* :func:`butterworth_lowpass` is a zero-phase low-pass for offline analysis
  (:func:`scipy.signal.sosfiltfilt`): it removes the frame-to-frame jitter of
  pose estimators without shifting peaks in time. 6 Hz is the usual cut-off
  for human movement in biomechanics (Winter, *Biomechanics and Motor Control
  of Human Movement*): exercise movements have almost all their power below
  3 Hz, pose jitter is broadband.
* :class:`OneEuroFilter` is a causal adaptive low-pass for live use (Casiez,
  Roussel, Vogel, CHI 2012): strong smoothing when still, little lag when
  moving fast; one state array for all series, one :meth:`~OneEuroFilter.update`
  per frame.
* :func:`gaussian_smooth`: a Gaussian low-pass of a given width in frames;
* :func:`rolling_median`: the NaN-aware median of each frame's neighbourhood.

Examples
--------
>>> import numpy as np
>>> from sitrex.filters import butterworth_lowpass
>>> t = np.arange(0, 4, 1 / 30)
>>> noisy = np.sin(2 * np.pi * 0.5 * t) + np.random.default_rng(0).normal(0, 0.1, t.size)
>>> clean = butterworth_lowpass(noisy, fps=30.0, cutoff=6.0)
>>> bool(np.abs(clean - np.sin(2 * np.pi * 0.5 * t)).mean() < 0.05)
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sitrex._validation import check_fps, check_int, check_number
from sitrex.exceptions import InputError
from sitrex.sequences import interpolate_gaps

__all__ = ["HampelGate", "OneEuroFilter", "butterworth_lowpass", "gaussian_smooth", "hampel",
           "one_euro_filter", "rolling_median"]


def _as_series(x: Any) -> np.ndarray:
    try:
        arr = np.array(x, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise InputError(f"a time series must be numeric: {exc}") from None
    if arr.ndim == 0:
        raise InputError("a time series needs a time axis (shape (T, ...)); got a scalar")
    if np.isinf(arr).any():
        raise InputError("the time series contains inf; use NaN for values that were not "
                         "measured")
    return arr


def butterworth_lowpass(x: Any, fps: float, cutoff: float = 6.0, order: int = 2) -> np.ndarray:
    """Zero-phase Butterworth low-pass along time, NaN-aware.

    The filter runs forwards and backwards (:func:`scipy.signal.sosfiltfilt`),
    so the output has no lag: a peak stays on its frame. Missing values are
    bridged by linear interpolation for the filter only and are NaN again in
    the result. A series too short for the filter's edge padding is filtered
    with a shorter padding; with fewer than 4 frames it is returned as is.

    Parameters
    ----------
    x : array_like, shape (T, ...)
    fps : float
        Frame rate of `x`.
    cutoff : float, default 6.0
        Cut-off frequency in Hz. At or above the Nyquist frequency
        (``fps / 2``) nothing is filtered.
    order : int, default 2
        Filter order of one pass (the forward-backward filter has twice the
        attenuation: 2 gives the usual 4th-order zero-phase filter of
        biomechanics).

    Returns
    -------
    numpy.ndarray, same shape as `x`

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(60) / 30.0
    >>> peak = np.exp(-((t - 1.0) / 0.2) ** 2)               # a peak at frame 30
    >>> int(np.argmax(butterworth_lowpass(peak, fps=30.0)))  # zero phase: no shift
    30
    >>> bool(np.isnan(butterworth_lowpass([1.0, np.nan, 3.0, 4.0, 5.0], fps=30.0, cutoff=10.0)[1]))
    True
    """
    arr = _as_series(x)
    fps = check_fps(fps, required=True)
    cutoff = check_number(cutoff, "cutoff", low=0.0, low_open=True)
    order = check_int(order, "order", low=1, high=8)
    nyquist = fps / 2.0
    if cutoff >= nyquist or len(arr) < 4:
        return arr
    from scipy.signal import butter, sosfiltfilt

    sos = butter(order, cutoff / nyquist, btype="low", output="sos")
    flat = arr.reshape(len(arr), -1)
    missing = np.isnan(flat)
    usable = ~missing.all(axis=0)
    out = np.full_like(flat, np.nan)
    if usable.any():
        bridged = interpolate_gaps(flat[:, usable])
        padlen = min(3 * (2 * len(sos) + 1), len(arr) - 1)
        out[:, usable] = sosfiltfilt(sos, bridged, axis=0, padlen=padlen)
    out[missing] = np.nan
    return out.reshape(arr.shape)


def _neighbourhoods(flat: np.ndarray, half_window: int, groups: Any = None) -> np.ndarray:
    """(T, 2h + 1, C): each frame's neighbours ``t - h .. t + h``, NaN beyond the ends or group."""
    n = len(flat)
    offsets = np.arange(-half_window, half_window + 1)
    index = np.arange(n)[:, None] + offsets
    inside = (index >= 0) & (index < n)
    index = np.clip(index, 0, n - 1)
    if groups is not None:
        g = np.asarray(groups)
        if g.shape != (n,):
            raise InputError(f"groups must give one label per frame ({n}); got shape {g.shape}")
        inside &= g[index] == g[:, None]
    return np.where(inside[..., None], flat[index], np.nan)


def _nanmedian(stacked: np.ndarray) -> np.ndarray:
    """Median over axis 1, ignoring NaN (NaN where all are NaN); one sort, no warnings."""
    ordered = np.sort(stacked, axis=1)                     # NaN sort last
    count = np.isfinite(ordered).sum(axis=1)
    low = np.take_along_axis(ordered, (np.maximum(count - 1, 0) // 2)[:, None], axis=1)[:, 0]
    high = np.take_along_axis(ordered, (count // 2)[:, None], axis=1)[:, 0]
    return np.where(count > 0, (low + high) / 2, np.nan)


def rolling_median(x: Any, half_window: int, *, groups: Any = None) -> np.ndarray:
    """Median of each frame's neighbourhood (``half_window`` frames on each side), NaN ignored.

    Parameters
    ----------
    x : array_like, shape (T, ...)
    half_window : int
    groups : array_like, shape (T,), optional
        A label per frame (e.g. the clip of each frame of several clips laid
        end to end): a neighbourhood never crosses into another group.

    Examples
    --------
    >>> x = np.array([0.0, 1.0, 100.0, 3.0, np.nan, 50.0])
    >>> rolling_median(x, 1, groups=[0, 0, 0, 0, 1, 1]).tolist()
    [0.5, 1.0, 3.0, 51.5, 50.0, 50.0]
    """
    arr = _as_series(x)
    half_window = check_int(half_window, "half_window", low=0)
    flat = arr.reshape(len(arr), -1)
    return _nanmedian(_neighbourhoods(flat, half_window, groups)).reshape(arr.shape)


#: Values of one block of neighbourhoods in :func:`_running_median_and_mad` (float64: 32 MB):
#: a long recording at a high rate is done block by block, so memory stays bounded.
_BLOCK_VALUES = 1 << 22


def _running_median_and_mad(flat: np.ndarray, half_window: int) -> tuple[np.ndarray, np.ndarray]:
    """Each frame's median of ``t - h .. t + h`` and the median absolute deviation about it,
    per column (T, C), NaN ignored; computed on blocks of frames, each with its margin."""
    n, n_columns = flat.shape
    block = max(1, _BLOCK_VALUES // ((2 * half_window + 1) * max(n_columns, 1)))
    median, mad = np.empty_like(flat), np.empty_like(flat)
    for start in range(0, n, block):
        stop = min(n, start + block)
        low, high = max(0, start - half_window), min(n, stop + half_window)
        neighbours = _neighbourhoods(flat[low:high], half_window)[start - low:stop - low]
        median[start:stop] = _nanmedian(neighbours)
        mad[start:stop] = _nanmedian(np.abs(neighbours - median[start:stop, None, :]))
    return median, mad


def hampel(x: Any, window: int, n_sigmas: float = 3.0, *, min_scale: float = 0.0
           ) -> tuple[np.ndarray, np.ndarray]:
    """Reject glitches: values far from their neighbourhood's median become NaN.

    For every value, the median and the median absolute deviation (MAD) of
    the measured values within ``window`` frames on each side are taken; a
    value farther than ``n_sigmas * max(1.4826 * MAD, min_scale)`` from that
    median is an outlier (1.4826 MAD estimates a standard deviation for
    Gaussian noise). Edges use the neighbours that exist.

    Parameters
    ----------
    x : array_like, shape (T, ...)
    window : int
        Half-width of the neighbourhood, in frames (at least 1).
    n_sigmas : float, default 3.0
    min_scale : float, default 0.0
        Floor of the spread, in the units of `x`: a series that is still
        (MAD near 0) does not turn its ordinary jitter into outliers.

    Returns
    -------
    cleaned : numpy.ndarray, same shape
        `x` with the outliers set to NaN.
    outliers : numpy.ndarray of bool, same shape

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, 1.1, 0.9, 1.0, 50.0, 1.05, 0.95, 1.0, 1.1])
    >>> cleaned, outliers = hampel(x, window=3, min_scale=0.05)
    >>> np.flatnonzero(outliers).tolist(), bool(np.isnan(cleaned[4]))
    ([4], True)
    """
    arr = _as_series(x)
    window = check_int(window, "window", low=1)
    n_sigmas = check_number(n_sigmas, "n_sigmas", low=0.0, low_open=True)
    min_scale = check_number(min_scale, "min_scale", low=0.0)
    if len(arr) < 3:
        return arr, np.zeros(arr.shape, dtype=bool)
    flat = arr.reshape(len(arr), -1)
    median, mad = _running_median_and_mad(flat, window)
    scale = np.maximum(1.4826 * np.nan_to_num(mad), min_scale)
    with np.errstate(invalid="ignore"):
        outliers = np.abs(flat - median) > n_sigmas * scale
    outliers &= ~np.isnan(flat)
    cleaned = np.where(outliers, np.nan, flat)
    return cleaned.reshape(arr.shape), outliers.reshape(arr.shape)


class HampelGate:
    """Causal glitch rejection for live data: :func:`hampel` with a neighbourhood in the past.

    Each frame, every value is compared with the median of the same series
    over the previous `window` seconds; a value farther than
    ``n_sigmas * max(1.4826 * MAD, min_scale)`` from it is a glitch (NaN in
    the result). The past holds the values as measured, glitches included,
    so a real and lasting jump is accepted once it fills half of the past
    (after about ``window / 2`` seconds), and the gate never locks on an old
    position. Memory is a fixed ring of `capacity` frames.

    Parameters
    ----------
    window : float, default 0.25
        Seconds of past frames the median is taken over.
    n_sigmas : float, default 4.0
    min_past : int, default 3
        Fewer measured past values than this: the value is accepted (a
        series just starting, or back after a gap).
    capacity : int, default 64
        Past frames kept (64 covers 0.25 s up to 256 frames per second).

    Examples
    --------
    >>> import numpy as np
    >>> gate = HampelGate(window=0.25)
    >>> values = [1.0, 1.1, 0.9, 1.0, 50.0, 1.05, 0.95]
    >>> [bool(gate.update(np.array([v]), t / 30, min_scale=0.05)[1][0])
    ...  for t, v in enumerate(values)]
    [False, False, False, False, True, False, False]
    """

    def __init__(self, window: float = 0.25, n_sigmas: float = 4.0, *, min_past: int = 3,
                 capacity: int = 64) -> None:
        self.window = check_number(window, "window", low=0.0, low_open=True)
        self.n_sigmas = check_number(n_sigmas, "n_sigmas", low=0.0, low_open=True)
        self.min_past = check_int(min_past, "min_past", low=1)
        self.capacity = check_int(capacity, "capacity", low=self.min_past)
        self.reset()

    def reset(self) -> None:
        """Forget the past."""
        self._past: np.ndarray | None = None
        self._times = np.full(self.capacity, -np.inf)
        self._next = 0
        self._last_time: float | None = None

    def update(self, x: Any, time: float, *, min_scale: float = 0.0
               ) -> tuple[np.ndarray, np.ndarray]:
        """Gate one frame: ``(cleaned, outliers)``, both of the frame's shape.

        Parameters
        ----------
        x : array_like
            The frame (any shape, fixed across calls); NaN where not measured.
        time : float
            Its time stamp in seconds; one that does not increase counts as
            1 ms after the previous frame.
        min_scale : float, default 0.0
            Floor of the spread, in the units of `x` (see :func:`hampel`).
        """
        frame = np.asarray(x, dtype=np.float64)
        flat = frame.reshape(-1)
        time = float(time)
        if self._last_time is not None and time <= self._last_time:
            time = self._last_time + 1e-3
        self._last_time = time
        if self._past is None or self._past.shape[1] != flat.size:
            self._past = np.full((self.capacity, flat.size), np.nan)
            self._times[:] = -np.inf
        recent = self._past[self._times > time - self.window]            # (n, C)
        outliers = np.zeros(flat.shape, dtype=bool)
        if len(recent) >= self.min_past:
            median = _nanmedian(recent[None])[0]
            mad = _nanmedian(np.abs(recent - median)[None])[0]
            enough = np.isfinite(recent).sum(axis=0) >= self.min_past
            scale = np.maximum(1.4826 * np.nan_to_num(mad), min_scale)
            with np.errstate(invalid="ignore"):
                outliers = enough & (np.abs(flat - median) > self.n_sigmas * scale)
        self._past[self._next] = flat
        self._times[self._next] = time
        self._next = (self._next + 1) % self.capacity
        cleaned = np.where(outliers, np.nan, flat)
        return cleaned.reshape(frame.shape), outliers.reshape(frame.shape)


def gaussian_smooth(x: Any, sigma_frames: float) -> np.ndarray:
    """Gaussian low-pass along time (standard deviation in frames; 0 or short input: unchanged).

    Edges are extended with their nearest value. NaN propagates; fill gaps
    first.

    Examples
    --------
    >>> import numpy as np
    >>> step = np.r_[np.zeros(5), np.ones(5)]
    >>> gaussian_smooth(step, 1.0).round(2)[3:7].tolist()
    [0.06, 0.3, 0.7, 0.94]
    """
    arr = _as_series(x)
    sigma = check_number(sigma_frames, "sigma_frames", low=0.0)
    if sigma <= 0 or len(arr) < 3:
        return arr
    from scipy.ndimage import gaussian_filter1d

    return gaussian_filter1d(arr, sigma, axis=0, mode="nearest")


def _smoothing_factor(dt: np.ndarray, cutoff: np.ndarray) -> np.ndarray:
    """Exponential smoothing factor of a first-order low-pass at `cutoff` Hz over `dt` s."""
    tau = 1.0 / (2.0 * np.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """Causal adaptive low-pass for live data (the 1-euro filter), over many series at once.

    Each frame, the speed of every series is estimated (and low-passed at
    `d_cutoff`); the cut-off rises with speed, ``min_cutoff + beta * |speed|``:
    a still joint is smoothed hard, a fast one follows with little lag. The
    state is one array per quantity, whatever the number of series.

    Parameters
    ----------
    min_cutoff : float, default 1.0
        Cut-off in Hz when still: lower removes more jitter, adds more lag.
    beta : float, default 0.05
        How fast the cut-off grows with speed (per unit of the series per
        second): higher reduces lag in fast movements.
    d_cutoff : float, default 1.0
        Cut-off of the speed estimate, Hz.
    reset_after : float, default 0.5
        Seconds without a measured value after which a series starts afresh
        (no smoothing across a long gap).

    Examples
    --------
    >>> import numpy as np
    >>> f = OneEuroFilter(min_cutoff=1.0, beta=0.0)
    >>> out = [f.update(np.array([v]), t / 30.0)[0] for t, v in enumerate([0.0, 1.0, 1.0, 1.0])]
    >>> [round(float(v), 2) for v in out]
    [0.0, 0.17, 0.32, 0.43]
    """

    def __init__(self, min_cutoff: float = 1.0, beta: float = 0.05, d_cutoff: float = 1.0,
                 reset_after: float = 0.5) -> None:
        self.min_cutoff = check_number(min_cutoff, "min_cutoff", low=0.0, low_open=True)
        self.beta = check_number(beta, "beta", low=0.0)
        self.d_cutoff = check_number(d_cutoff, "d_cutoff", low=0.0, low_open=True)
        self.reset_after = check_number(reset_after, "reset_after", low=0.0, low_open=True)
        self.reset()

    def reset(self) -> None:
        """Forget the past: the next frame starts every series afresh."""
        self._value: np.ndarray | None = None
        self._speed: np.ndarray | None = None
        self._time: np.ndarray | None = None
        self._last_time: float | None = None

    def update(self, x: Any, time: float) -> np.ndarray:
        """Filter one frame; returns the smoothed frame (NaN where `x` is NaN).

        Parameters
        ----------
        x : array_like
            The frame (any shape, fixed across calls).
        time : float
            Its time stamp in seconds. A time stamp that does not increase
            (a repeated or late frame) is filtered as if 1 ms had passed.
        """
        frame = np.asarray(x, dtype=np.float64)
        time = float(time)
        if self._value is None or self._value.shape != frame.shape:
            self._value = np.full(frame.shape, np.nan)
            self._speed = np.zeros(frame.shape)
            self._time = np.full(frame.shape, -np.inf)
        if self._last_time is not None and time <= self._last_time:
            time = self._last_time + 1e-3
        self._last_time = time
        seen = ~np.isnan(frame)
        fresh = seen & (np.isnan(self._value) | (time - self._time > self.reset_after))
        going = seen & ~fresh
        out = np.full(frame.shape, np.nan)
        out[fresh] = frame[fresh]
        self._speed[fresh] = 0.0
        if going.any():
            dt = time - self._time[going]
            prev = self._value[going]
            speed = (frame[going] - prev) / dt
            a_d = _smoothing_factor(dt, np.full(dt.shape, self.d_cutoff))
            speed = self._speed[going] + a_d * (speed - self._speed[going])
            cutoff = self.min_cutoff + self.beta * np.abs(speed)
            a = _smoothing_factor(dt, cutoff)
            out[going] = prev + a * (frame[going] - prev)
            self._speed[going] = speed
        self._value[seen] = out[seen]
        self._time[seen] = time
        return out


def one_euro_filter(x: Any, fps: float, **options: Any) -> np.ndarray:
    """A whole series through a fresh :class:`OneEuroFilter` (causal: frame ``t`` sees frames <= ``t``).

    Parameters
    ----------
    x : array_like, shape (T, ...)
    fps : float
        Frame rate (frame ``t`` is at ``t / fps`` seconds).
    **options
        :class:`OneEuroFilter` parameters.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.r_[np.zeros(10), np.ones(10)]
    >>> y = one_euro_filter(x, fps=30.0, beta=0.0)
    >>> bool((y[:10] == 0).all() and (np.diff(y[10:]) > 0).all())   # causal, lagging
    True
    """
    arr = _as_series(x)
    fps = check_fps(fps, required=True)
    f = OneEuroFilter(**options)
    out = np.empty_like(arr)
    for t in range(len(arr)):       # the filter is recursive: one step per frame
        out[t] = f.update(arr[t], t / fps)
    return out
