"""Signal conditioning: how a recording is cleaned before it is compared.

Pose estimators are noisy: MediaPipe's wrists and elbows jitter by tens of
degrees from one frame to the next, a landmark is sometimes swapped or thrown
far off for a few frames, and triangulated data hold glitches of any size.
:class:`Conditioning` is the recipe sitrex applies by default, in this order:

1. **glitches** (:func:`sitrex.filters.hampel`): a landmark coordinate far
   from the median of its neighbourhood (``outlier_window`` seconds on each
   side, ``outlier_sigmas`` robust standard deviations, never less than
   ``outlier_floor`` torso lengths) is dropped;
2. **gaps** (:func:`sitrex.sequences.interpolate_gaps`): missing stretches of
   at most ``max_gap`` seconds are bridged linearly; longer ones stay missing
   (a person out of view is not invented);
3. **low-pass** (:func:`sitrex.filters.butterworth_lowpass`): zero-phase
   Butterworth at ``lowpass`` Hz (6 Hz, the usual choice for human movement;
   see :mod:`sitrex.filters`);
4. **origin** (landmarks only): the coordinates are centred on the mid-hip
   of each frame, as MediaPipe's world landmarks and most motion-capture
   exports are. Angles do not depend on it, except the knee valgus
   indicators, which are measured about the origin: centred, they mean the
   same whatever camera or capture system produced the landmarks.

Landmarks are cleaned before angles are taken (coordinates are smooth where
angles may wrap); an angle array given directly is cleaned the same way,
angle by angle (plane angles are unwrapped first). :meth:`Conditioning.to_dict`
is what a report records.

Examples
--------
>>> import numpy as np
>>> from sitrex.conditioning import Conditioning
>>> fps = 30.0
>>> t = np.arange(90) / fps
>>> knee = 120 + 40 * np.sin(2 * np.pi * 0.5 * t)
>>> noisy = knee + np.random.default_rng(0).normal(0, 4, t.size)
>>> noisy[40] = 20.0                                    # a glitch
>>> clean = Conditioning().angles(noisy[:, None], fps)[:, 0]
>>> bool(np.abs(clean - knee).max() < 8), bool(np.abs(noisy - knee).max() > 60)
(True, True)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from sitrex._validation import check_fps, check_number
from sitrex.filters import butterworth_lowpass, hampel
from sitrex.sequences import interpolate_gaps, seconds_to_frames, unwrap_angles

__all__ = ["Conditioning", "NO_CONDITIONING"]

#: Spread floor of the glitch test for angles given directly, degrees.
_ANGLE_FLOOR = 2.0


@dataclass(frozen=True)
class Conditioning:
    """The cleaning recipe applied to a recording before it is compared.

    Parameters
    ----------
    outlier_window : float, default 0.25
        Half-width of the neighbourhood of the glitch test, seconds.
    outlier_sigmas : float, default 4.0
        Robust standard deviations beyond which a value is a glitch.
    outlier_floor : float, default 0.03
        Smallest spread the glitch test assumes, in torso lengths
        (landmarks); a still body's millimetre jitter is not a glitch.
    max_gap : float, default 0.5
        Longest missing stretch that is bridged, seconds.
    lowpass : float or None, default 6.0
        Cut-off of the zero-phase low-pass, Hz; None: no low-pass.
    reject_outliers : bool, default True
        Apply the glitch test.
    centre : bool, default True
        Put the origin at the mid-hip of each frame (landmarks only).

    Examples
    --------
    >>> Conditioning().to_dict()["lowpass_hz"]
    6.0
    """

    outlier_window: float = 0.25
    outlier_sigmas: float = 4.0
    outlier_floor: float = 0.03
    max_gap: float = 0.5
    lowpass: float | None = 6.0
    reject_outliers: bool = True
    centre: bool = True

    def __post_init__(self):
        check_number(self.outlier_window, "outlier_window", low=0.0, low_open=True)
        check_number(self.outlier_sigmas, "outlier_sigmas", low=0.0, low_open=True)
        check_number(self.outlier_floor, "outlier_floor", low=0.0)
        check_number(self.max_gap, "max_gap", low=0.0)
        if self.lowpass is not None:
            check_number(self.lowpass, "lowpass", low=0.0, low_open=True)

    @property
    def enabled(self) -> bool:
        """Whether any step changes the data."""
        return self.reject_outliers or self.lowpass is not None or self.max_gap > 0 or \
            self.centre

    def to_dict(self) -> dict[str, Any]:
        """The recipe as plain values, for a report's metadata.

        Examples
        --------
        >>> NO_CONDITIONING.to_dict()["enabled"]
        False
        """
        d = asdict(self)
        return {"enabled": self.enabled, "glitch_filter": "hampel" if self.reject_outliers else None,
                "outlier_window_s": d["outlier_window"], "outlier_sigmas": d["outlier_sigmas"],
                "outlier_floor_torso": d["outlier_floor"], "max_gap_s": d["max_gap"],
                "lowpass": "butterworth zero-phase, order 2 (x2 passes)"
                if self.lowpass is not None else None,
                "lowpass_hz": self.lowpass, "origin": "mid-hip" if self.centre else "as given"}

    # ------------------------------------------------------------------ the steps
    def _clean(self, x: np.ndarray, fps: float, floor: float) -> tuple[np.ndarray, int]:
        """Glitches out, gaps bridged, low-passed: (T, ...) -> same shape, rejected count."""
        n_rejected = 0
        if self.reject_outliers and len(x) >= 3:
            x, outliers = hampel(x, seconds_to_frames(self.outlier_window, fps),
                                 self.outlier_sigmas, min_scale=floor)
            n_rejected = int(outliers.sum())
        x = interpolate_gaps(x, max_gap=seconds_to_frames(self.max_gap, fps, minimum=0))
        if self.lowpass is not None:
            x = butterworth_lowpass(x, fps, self.lowpass)
        return x, n_rejected

    def landmarks(self, coords: Any, fps: float) -> tuple[np.ndarray, int]:
        """Cleaned ``(T, 33, 3)`` landmark coordinates and the number of values rejected.

        The glitch floor is ``outlier_floor`` times the median torso length
        (mid-shoulder to mid-hip) of the recording.
        """
        from sitrex.landmarks import landmark_index

        xyz = np.array(coords, dtype=np.float64, copy=True)
        fps = check_fps(fps, required=True)
        if not self.enabled or len(xyz) == 0:
            return xyz, 0
        shoulders = xyz[:, [landmark_index("left_shoulder"), landmark_index("right_shoulder")]]
        with np.errstate(invalid="ignore"):
            torso = np.linalg.norm(shoulders.mean(axis=1) - hip_centre(xyz), axis=-1)
        torso = torso[np.isfinite(torso)]
        if not np.isfinite(xyz).any():
            return xyz, 0
        size = float(np.median(torso)) if torso.size else float(np.nanstd(xyz))
        size = size if np.isfinite(size) and size > 0 else 1.0
        if self.reject_outliers or self.lowpass is not None or self.max_gap > 0:
            xyz, n = self._clean(xyz, fps, self.outlier_floor * size)
        else:
            n = 0
        # a landmark stays whole: NaN in one coordinate makes the point missing
        xyz[np.isnan(xyz).any(axis=-1)] = np.nan
        if self.centre:
            mid_hip = interpolate_gaps(hip_centre(xyz))       # bridged where a hip is missing
            if np.isfinite(mid_hip).all():
                xyz -= mid_hip[:, None, :]
        return xyz, n

    def angles(self, angles: Any, fps: float, *, periodic: bool = False) -> np.ndarray:
        """Cleaned ``(T, A)`` joint angles in degrees.

        Parameters
        ----------
        angles : array_like, shape (T, A)
        fps : float
        periodic : bool, default False
            True for plane angles in [0, 360): they are unwrapped before and
            wrapped back after filtering.
        """
        arr = np.array(angles, dtype=np.float64, copy=True)
        fps = check_fps(fps, required=True)
        if not self.enabled or len(arr) == 0:
            return arr
        if periodic:
            arr = unwrap_angles(arr)
        cleaned, _ = self._clean(arr, fps, _ANGLE_FLOOR)
        return np.mod(cleaned, 360.0) if periodic else np.clip(cleaned, 0.0, 180.0)

    def skeleton(self, skeleton):
        """A :class:`~sitrex.skeleton.Skeleton` with cleaned landmarks (confidence and meta kept).

        ``meta["conditioning"]`` records the recipe and the rejected count.
        Frames without a person stay without one unless bridged (``max_gap``).
        """
        if skeleton.fps is None:
            from sitrex.exceptions import InputError

            raise InputError("conditioning needs the skeleton's frame rate; pass fps=... when "
                             "creating it (or to compare())")
        coords, n = self.landmarks(skeleton.coords, skeleton.fps)
        meta = {**skeleton.meta, "conditioning": {**self.to_dict(), "rejected_values": n}}
        return skeleton.replace(coords=coords, confidence=skeleton.confidence, meta=meta)


def hip_centre(coords: np.ndarray) -> np.ndarray:
    """``(T, 3)`` mid-point of the two hips of ``(T, 33, 3)`` coordinates (NaN without both)."""
    from sitrex.landmarks import landmark_index

    return coords[:, [landmark_index("left_hip"), landmark_index("right_hip")]].mean(axis=1)


#: The recipe that changes nothing (``smooth=False``).
NO_CONDITIONING = Conditioning(reject_outliers=False, lowpass=None, max_gap=0.0, centre=False)
