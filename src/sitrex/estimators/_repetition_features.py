"""What the repetition comparator measures: the coach's profile and the athlete's repetitions.

The "repetitions" member of the SiTrEx family compares an athlete with a coach
one athlete repetition at a time. This module holds its pure-numpy front end
(no Keras):

* :func:`coach_profile` reads everything the method needs from the coach's
  clip (:class:`CoachProfile`): the coach's repetitions, the reference
  repetition (the *template*), each angle's range of motion (ROM), roughness,
  levels, the coach's rep-to-rep spread, and which angles are useful;
* :func:`athlete_repetitions` aligns the athlete's clip onto the template
  (repetition-aware DTW, :func:`sitrex.alignment.align_cyclic`), cuts it into
  repetitions along the path (:func:`sitrex.alignment.split_cycles`) and
  measures, per repetition and angle, seven signed deviations (:data:`FEATURES`)
  and the athlete's curve on the coach's timeline
  (:class:`AthleteRepetitions`);
* :func:`sitrex.estimators._repetition_descriptors.descriptors` describes each
  angle's role in the coach's movement (the learned similarity's side input).

Every input is a ``(n_frames, n_angles)`` array of angles in degrees, already
cleaned and on the model's clock (:data:`FPS` frames per second); NaN marks a
missing value. An angle is *measured* in a clip when it is finite in at least
half of its frames. Gaps are filled by linear interpolation before anything is
measured (an angle never measured reads 0, and its results are NaN).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sitrex._validation import as_angle_array
from sitrex.alignment import align_cyclic, split_cycles
from sitrex.exceptions import InputError
from sitrex.repetitions import segment_repetitions
from sitrex.sequences import interpolate_gaps

__all__ = ["FEATURES", "FPS", "N_CURVE_POINTS", "AthleteRepetitions", "CoachProfile",
           "athlete_repetitions", "coach_profile"]

FPS = 30.0                 # the clock every input is on
N_CURVE_POINTS = 32        # points of a repetition's curve
FEATURES = ("lo", "hi", "turn", "mean", "rms", "p90", "rom")
_SEGMENT_ANGLES = 6        # the coach's most moving angles drive the repetition segmentation
_MIN_COACH_REP = 8         # frames; shorter coach repetitions are dropped
_MIN_ROM, _REL_ROM, _MAX_ROUGH = 15.0, 0.25, 3.0   # the usefulness rule
#: A ``main_only`` column (:func:`coach_profile`) is useful only when its range is at least this
#: share of the largest range of the other columns (it is the clip's main movement) and it is
#: measured in at least this share of the coach's frames (it is so all along).
_MAIN_ONLY_SHARE, _MAIN_ONLY_COVERAGE = 1.0, 0.9
_SOFTNESS = 4.0            # usefulness slope: sigmoid(4 * margin in octaves)
_TOLERANCE = 3             # frames of slack of the tolerant deviation
_MIN_COVERAGE, _MIN_ATHLETE_REP = 0.6, 4


@dataclass(frozen=True, eq=False)
class CoachProfile:
    """Everything the repetition comparator needs from the coach's clip.

    Built by :func:`coach_profile`; every per-angle array has shape
    ``(n_angles,)`` and uses the clip's column order.

    Attributes
    ----------
    template : numpy.ndarray, shape (L, n_angles)
        The reference repetition, gaps filled: the first repetition, or the
        whole clip when it has fewer than 2.
    repetitions : list of (start, stop)
        Frames of the coach's repetitions in the coach's clip.
    measured : numpy.ndarray of bool
        Finite in at least half of the clip's frames.
    rom : numpy.ndarray
        Range of motion of the whole clip, 95th minus 5th percentile,
        degrees; 0 where not measured.
    roughness : numpy.ndarray
        Total variation over ``2 * ROM * n_repetitions``: 1 for a clean
        back-and-forth per repetition, large for a flipping or jittery angle;
        NaN where not measured.
    median, p5, p95, rest, turn : numpy.ndarray
        The template's median, 5th and 95th percentiles, first frame, and
        value at `turn_frame`, degrees.
    turn_frame : int
        Template frame farthest from its first frame on the template's most
        moving angle (the bottom of a squat).
    spread : numpy.ndarray
        With 2 repetitions or more, the median over the other repetitions of
        their RMS tolerant deviation from the template, degrees; else NaN.
    useful : numpy.ndarray of bool
        The evidence rule: measured, ``ROM >= max(15, 0.25 * max ROM)`` and
        ``roughness <= 3``; when no angle qualifies, the most moving measured
        angle. ``max ROM`` is over the columns that are not ``main_only``
        (:func:`coach_profile`); a ``main_only`` column also needs a ROM of at
        least ``max ROM`` and to be measured in 90 % of the frames.
    usefulness : numpy.ndarray
        A soft version of `useful` in [0, 1] whose 0.5 is the rule's
        boundary: ``sigmoid(4 * m)``, where ``m`` is the smaller of the two
        margins in octaves, ``log2(ROM / ROM threshold)`` and
        ``log2(3 / roughness)``. ``usefulness >= 0.5`` exactly where `useful`
        (the fallback angle gets at least 0.5); 0 where not measured.
    alignment : {"shape", "values"}
        The per-frame cost of every alignment onto the template
        (:func:`sitrex.alignment.align_cyclic`'s `cost`).
    """

    template: np.ndarray
    repetitions: list
    measured: np.ndarray
    rom: np.ndarray
    roughness: np.ndarray
    median: np.ndarray
    p5: np.ndarray
    p95: np.ndarray
    rest: np.ndarray
    turn: np.ndarray
    turn_frame: int
    spread: np.ndarray
    useful: np.ndarray
    usefulness: np.ndarray
    alignment: str = "shape"


@dataclass(frozen=True, eq=False)
class AthleteRepetitions:
    """The athlete's clip cut into repetitions along its alignment onto the coach's template.

    Built by :func:`athlete_repetitions`.

    Attributes
    ----------
    bounds : list of (start, stop)
        Athlete frames of each scored repetition, in order.
    scored : numpy.ndarray of bool, shape (T,)
        The frame belongs to a scored repetition.
    match : numpy.ndarray of int, shape (T,)
        The template frame matched with each athlete frame.
    features : numpy.ndarray, shape (n_reps, n_angles, 7)
        The signed deviations athlete minus coach, degrees, in
        :data:`FEATURES` order; NaN where the angle is not measured in both
        clips.
    athlete_curves : numpy.ndarray, shape (n_reps, n_angles, 32)
        Each repetition on the coach's timeline, resampled, degrees; NaN
        where not measured in both clips.
    coach_curves : numpy.ndarray, shape (n_angles, 32)
        The template resampled, degrees; NaN where the coach's angle is not
        measured.
    """

    bounds: list
    scored: np.ndarray
    match: np.ndarray
    features: np.ndarray
    athlete_curves: np.ndarray
    coach_curves: np.ndarray


def _measured(x: np.ndarray) -> np.ndarray:
    return np.isfinite(x).mean(axis=0) >= 0.5


def _spans(repetitions: Any, n_frames: int, who: str = "coach") -> list[tuple[int, int]]:
    """(start, stop) pairs from Repetition objects or pairs, checked against the clip."""
    spans = []
    for rep in repetitions:
        start, stop = (rep.start, rep.end) if hasattr(rep, "start") else rep
        start, stop = int(start), int(stop)
        if not 0 <= start < stop <= n_frames:
            raise InputError(f"repetition ({start}, {stop}) is not a frame range of the {who}'s "
                             f"clip (0 .. {n_frames}); pass (start, stop) with start < stop")
        spans.append((start, stop))
    return spans


def _segment(coach: np.ndarray, rom: np.ndarray) -> list[tuple[int, int]]:
    moving = np.argsort(-np.where(_measured(coach), rom, -1.0), kind="stable")[:_SEGMENT_ANGLES]
    try:
        reps = segment_repetitions(coach, fps=FPS, columns=moving)
    except InputError:            # too short, or nothing moves: one repetition
        return []
    return [(r.start, r.end) for r in reps]


def _interp_rows(values: np.ndarray, at: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``numpy.interp`` of every column of `values` (known at increasing rows `at`) at `query`."""
    right = np.clip(np.searchsorted(at, query, side="right"), 1, len(at) - 1) if len(at) > 1 \
        else np.zeros(len(query), dtype=np.intp)
    left = np.maximum(right - 1, 0)
    width = at[right] - at[left]
    weight = np.clip(np.divide(query - at[left], width, out=np.zeros(len(query)),
                               where=width > 0), 0.0, 1.0)[:, None]
    return values[left] * (1.0 - weight) + values[right] * weight


def _resample(curve: np.ndarray, n: int = N_CURVE_POINTS) -> np.ndarray:
    """(L, A) -> (n, A), linearly, first and last frames kept."""
    return _interp_rows(curve, np.arange(len(curve), dtype=float),
                        np.linspace(0.0, len(curve) - 1.0, n))


def _tolerant_deviation(x: np.ndarray, template: np.ndarray, match: np.ndarray) -> np.ndarray:
    """Signed ``x[t] - template[k]``, k the frame within +-3 of ``match[t]`` closest to ``x[t]``."""
    offsets = np.arange(-_TOLERANCE, _TOLERANCE + 1)
    frames = np.clip(match[:, None] + offsets, 0, len(template) - 1)        # (T, 7)
    diffs = x[:, None, :] - template[frames]                                 # (T, 7, A)
    best = np.argmin(np.abs(diffs), axis=1)                                  # first minimum
    return np.take_along_axis(diffs, best[:, None, :], axis=1)[:, 0, :]


def _soft_usefulness(rom, rough, threshold, measured, useful) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.minimum(np.log2(rom / threshold), np.log2(_MAX_ROUGH / rough))
    margin = np.clip(np.nan_to_num(margin, nan=-np.inf), -20.0, 20.0)
    soft = 1.0 / (1.0 + np.exp(-_SOFTNESS * margin))
    soft = np.where(useful, np.maximum(soft, 0.5), np.minimum(soft, np.nextafter(0.5, 0.0)))
    return np.where(measured, soft, 0.0)


def coach_profile(coach: Any, *, repetitions: Any = None, main_only: Any = None,
                  alignment: str = "shape") -> CoachProfile:
    """Read the coach's clip: reference repetition, per-angle evidence and usefulness.

    Parameters
    ----------
    coach : array_like, shape (T, n_angles)
        The coach's angles, degrees, cleaned, at :data:`FPS` frames per
        second; NaN where missing.
    repetitions : sequence of (start, stop) or of Repetition, optional
        The coach's repetitions, when the caller has segmented the clip
        already. Default: :func:`sitrex.repetitions.segment_repetitions` on
        the 6 most moving angles. Either way repetitions shorter than 8
        frames are dropped.
    main_only : array_like of bool, shape (n_angles,), optional
        Columns that matter only as the main movement of the clip: useful
        when they move at least as far as the most moving other column and
        are measured in at least 90 % of the frames, and left out of the
        ``max ROM`` the other columns' rule reads. The default comparator
        marks so the axial rotations (:mod:`sitrex.axial_rotation`): read off
        small offsets of the forearm or the shoulders, they swing widely where
        the arms do something incidental (hands clasped in a squat, the
        forearms of a push-up, whose shoulder rotation is defined only while
        the elbows are bent) and would count there as much as the knees.
    alignment : {"shape", "values"}, default "shape"
        How the athlete's and the coach's other repetitions are aligned onto
        the template: :func:`sitrex.alignment.align_cyclic`'s `cost` (the
        default comparator's is "shape"; files fitted before it have
        "values").

    Returns
    -------
    CoachProfile
        The template is the first repetition, or the whole clip with fewer
        than 2 repetitions (its frames then count as one repetition).

    Raises
    ------
    InputError
        For a clip that is not a 2-D array of angles, has fewer than 2
        frames or measures no angle, or repetitions outside the clip.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(300) / 30.0
    >>> knee = 170 - 45 * (1 - np.cos(2 * np.pi * t / 2.5))      # 4 squats
    >>> still = 90 + 0.5 * np.sin(t)                             # an angle that stays put
    >>> profile = coach_profile(np.column_stack([knee, still]))
    >>> len(profile.repetitions), profile.template.shape
    (4, (75, 2))
    >>> profile.useful.tolist(), profile.rom.round().tolist()
    ([True, False], [89.0, 1.0])
    """
    if alignment not in ("shape", "values"):
        raise InputError(f"alignment must be 'shape' or 'values'; got {alignment!r}")
    arr = as_angle_array(coach, "coach", need_frames=True)
    if len(arr) < 2:
        raise InputError(f"coach has {len(arr)} frame; at least 2 are needed")
    measured = _measured(arr)
    if not measured.any():
        raise InputError("coach measures no angle (every column is NaN in more than half of "
                         "the frames); check the pose extraction of the coach's clip")
    filled = interpolate_gaps(arr, fill_value=0.0)
    p5_clip, p95_clip = np.percentile(filled, [5, 95], axis=0)
    rom = np.where(measured, p95_clip - p5_clip, 0.0)
    spans = _segment(arr, rom) if repetitions is None else _spans(repetitions, len(arr))
    spans = [(s, e) for s, e in spans if e - s >= _MIN_COACH_REP]
    total_variation = np.abs(np.diff(filled, axis=0)).sum(axis=0)
    rough = np.where(measured, total_variation / (2 * np.maximum(rom, 1e-6) * max(len(spans), 1)),
                     np.nan)
    main_only = np.zeros(arr.shape[1], bool) if main_only is None else np.asarray(main_only, bool)
    if main_only.shape != (arr.shape[1],):
        raise InputError(f"main_only needs one flag per angle column ({arr.shape[1]}); got shape "
                         f"{main_only.shape}")
    largest = rom[~main_only].max() if (~main_only).any() else rom.max()
    threshold = np.where(main_only, max(_MIN_ROM, _MAIN_ONLY_SHARE * largest),
                         max(_MIN_ROM, _REL_ROM * largest))
    eligible = measured & (~main_only | (np.isfinite(arr).mean(axis=0) >= _MAIN_ONLY_COVERAGE))
    eligible = eligible if eligible.any() else measured
    useful = eligible & (rom >= threshold) & (rough <= _MAX_ROUGH)
    if not useful.any():
        useful = eligible & (rom >= rom[eligible].max() * 0.999)
    usefulness = _soft_usefulness(rom, rough, threshold, eligible, useful)

    template = filled[spans[0][0]:spans[0][1]] if len(spans) >= 2 else filled
    p5, median, p95 = np.percentile(template, [5, 50, 95], axis=0)
    template_rom = np.where(measured, p95 - p5, -1.0)
    main = int(np.argmax(template_rom))
    turn_frame = int(np.argmax(np.abs(template[:, main] - template[0, main])))
    spread = np.full(arr.shape[1], np.nan)
    if len(spans) >= 2:
        scale = np.maximum(rom, 1.0)
        rms = [np.sqrt(np.mean(_tolerant_deviation(
            filled[s:e], template, align_cyclic(template, arr[s:e], columns=useful, scale=scale,
                                                cost=alignment)
        ) ** 2, axis=0)) for s, e in spans[1:]]
        spread = np.median(rms, axis=0)
    return CoachProfile(template=template, repetitions=spans, measured=measured, rom=rom,
                        roughness=rough, median=median, p5=p5, p95=p95, rest=template[0].copy(),
                        turn=template[turn_frame].copy(), turn_frame=turn_frame, spread=spread,
                        useful=useful, usefulness=usefulness, alignment=alignment)


def _on_coach_timeline(x: np.ndarray, match: np.ndarray, n_template: int) -> np.ndarray:
    """(L, A): per template frame, the mean of the frames matched to it; the others interpolated."""
    sums = np.zeros((n_template, x.shape[1]))
    np.add.at(sums, match, x)
    counts = np.bincount(match, minlength=n_template)
    seen = np.flatnonzero(counts)
    return _interp_rows(sums[seen] / counts[seen, None], seen.astype(float),
                        np.arange(n_template, dtype=float))


def athlete_repetitions(profile: CoachProfile, athlete: Any, *,
                        repetitions: Any = None) -> AthleteRepetitions:
    """Align the athlete onto the coach's template, cut it into repetitions, measure each.

    Parameters
    ----------
    profile : CoachProfile
        From :func:`coach_profile`.
    athlete : array_like, shape (T, n_angles)
        The athlete's angles, same columns, clock and cleaning as the coach's.
    repetitions : list of (start, stop) or Repetition, optional
        The athlete's repetitions, when already counted: each is aligned on
        its own and measured whole (``match`` 0 outside them). Default: cut
        along the alignment of the whole clip.

    Returns
    -------
    AthleteRepetitions

    Notes
    -----
    The alignment (:func:`~sitrex.alignment.align_cyclic` with the
    profile's `alignment` cost) uses the useful angles measured in both clips
    (all angles measured in both if none); on values each is divided by
    ``max(ROM, 1)``. A repetition is scored when it visits at
    least 60 % of the template's frames and has at least 4 frames; if none
    qualifies, the whole clip is one repetition. Per repetition and angle,
    athlete minus coach, degrees:

    * ``lo``, ``hi``: 5th / 95th percentile of the repetition minus the template's;
    * ``turn``: the athlete's curve (on the coach's timeline) at the template's
      turn frame (+-1 frame, mean) minus the coach's turn value;
    * ``mean``, ``rms``, ``p90``: mean of the signed, RMS and 90th percentile
      of the absolute tolerant deviation (the template frame within +-3
      frames of the matched one that is closest);
    * ``rom``: the repetition's ROM minus the template's.

    The athlete's curve on the coach's timeline is, per template frame, the
    mean of the repetition's frames matched to it (frames matched to none are
    interpolated), resampled to 32 points like the template.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(300) / 30.0
    >>> coach = np.column_stack([170 - 45 * (1 - np.cos(2 * np.pi * t / 2.5)), 90 + 0 * t])
    >>> profile = coach_profile(coach)
    >>> shallow = coach.copy()
    >>> shallow[:, 0] = 170 - 30 * (1 - np.cos(2 * np.pi * t / 2.0))    # faster, 30 deg less deep
    >>> reps = athlete_repetitions(profile, shallow)                     # 5 in 10 s, the last cut
    >>> reps.bounds, reps.features.shape
    ([(7, 67), (67, 127), (127, 187), (187, 247), (247, 300)], (5, 2, 7))
    >>> lo_hi = reps.features[:, 0, :2].mean(axis=0)      # the bottom is 30 degrees higher
    >>> (lo_hi.round() + 0.0).tolist()         # a list: numpy print options may be changed
    [30.0, 0.0]
    """
    arr = as_angle_array(athlete, "athlete", need_frames=True)
    n_angles = profile.template.shape[1]
    if arr.shape[1] != n_angles:
        raise InputError(f"athlete has {arr.shape[1]} angle columns and the coach {n_angles}; "
                         "compute both with the same angle definitions")
    both = profile.measured & _measured(arr)
    if not both.any():
        raise InputError("no angle is measured in both the coach's and the athlete's clips; "
                         "check the pose extraction of the athlete's clip")
    align_on = profile.useful & both if (profile.useful & both).any() else both
    template = profile.template
    scale = np.maximum(profile.rom, 1.0)
    if repetitions is None:
        match = align_cyclic(template, arr, columns=align_on, scale=scale, cost=profile.alignment)
        bounds = split_cycles(match, len(template), min_coverage=_MIN_COVERAGE,
                              min_frames=_MIN_ATHLETE_REP) or [(0, len(arr))]
    else:
        bounds, match = _spans(repetitions, len(arr), "athlete"), np.zeros(len(arr), np.intp)
        if not bounds:
            raise InputError("repetitions is empty: give at least one (start, stop) of the "
                             "athlete's clip, or None to cut the clip along its alignment")
        for start, stop in bounds:
            match[start:stop] = align_cyclic(template, arr[start:stop], columns=align_on,
                                             scale=scale, cost=profile.alignment)
    x = interpolate_gaps(arr, fill_value=0.0)
    deviation = _tolerant_deviation(x, template, match)
    near_turn = np.abs(np.arange(len(template)) - profile.turn_frame) <= 1

    features, curves = [], []
    for start, stop in bounds:
        rep, dev = x[start:stop], deviation[start:stop]
        p5, p95 = np.percentile(rep, [5, 95], axis=0)
        on_coach = _on_coach_timeline(rep, match[start:stop], len(template))
        features.append(np.stack([
            p5 - profile.p5, p95 - profile.p95, on_coach[near_turn].mean(axis=0) - profile.turn,
            dev.mean(axis=0), np.sqrt((dev ** 2).mean(axis=0)),
            np.percentile(np.abs(dev), 90, axis=0), (p95 - p5) - (profile.p95 - profile.p5)],
            axis=-1))
        curves.append(_resample(on_coach).T)
    features, curves = np.array(features), np.array(curves)
    features[:, ~both] = np.nan
    curves[:, ~both] = np.nan
    scored = np.zeros(len(arr), dtype=bool)
    for start, stop in bounds:
        scored[start:stop] = True
    coach_curves = _resample(template).T
    coach_curves[~profile.measured] = np.nan
    return AthleteRepetitions(bounds=list(bounds), scored=scored, match=match, features=features,
                              athlete_curves=curves, coach_curves=coach_curves)
