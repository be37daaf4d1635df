"""How far correct executions by others stray from a coach: population scale and statistic.

A deviation of 10 degrees is nothing on a knee that travels 90 degrees and a
lot on an angle the coach keeps still. :class:`PopulationScale` predicts, for
each of the seven deviation features (:data:`~._repetition_features.FEATURES`)
and each angle, the typical size ``sigma`` of that deviation among **correct**
executions by other people, from the coach's own evidence about the angle
(its range of motion, smoothness and level). Dividing a deviation by it gives
a scale-free ``z``.

The **less-far statistic** (:func:`shortfall_z`, :func:`statistic_similarity`)
turns the features into a similarity that knows the movement's direction: on
an angle the coach moves, only *not reaching* the coach's extreme counts
(going further is a tolerated variation); on an angle the coach keeps still,
a deviation either way counts. Its constant ``c`` (:func:`fit_statistic_scale`)
is set so that 90 % of correct executions have a similarity of at least 0.5:
a similarity below 0.5 means "falls short more than correct executions by
other people do".

:func:`not_the_movement` guards against an athlete who does not do the
coach's movement at all (held still, another exercise): such a repetition is
scored by the statistic alone, its range counted too.

:func:`network_inputs` prepares the learned similarity's inputs: the coach's
and the athlete's curves on the population scale, the scale-free statistics,
and the angle descriptors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sitrex.exceptions import InputError

from ._repetition_descriptors import descriptors
from ._repetition_features import FEATURES, AthleteRepetitions, CoachProfile

__all__ = ["COVARIATES", "MIN_MOVEMENT", "PopulationScale", "direction", "fit_statistic_scale",
           "movement_share", "network_inputs", "not_the_movement", "range_shortfall_z",
           "scale_samples", "shortfall_z", "statistic_similarity"]

COVARIATES = ("intercept", "log_rom", "relative_rom", "log_roughness", "level")
_F = {name: k for k, name in enumerate(FEATURES)}
_HALF_WIDTH = float(np.sqrt(2.0 * np.log(2.0)))   # 1.1774: exp(-z^2 / 2) = 0.5
_MIN_DIRECTION_ROM = 10.0      # degrees: an angle moving less has no direction
_MIN_SAMPLE_ROM = 1.0          # degrees: coach and athlete ranges a scale sample needs
_CLIP = 10.0                   # network inputs are clipped to +-10
#: A repetition reproducing less than this share of the coach's movement (:func:`movement_share`)
#: is not the coach's exercise, and the learned similarity does not score it: fewer than 1 % of
#: the recipe's correct training repetitions by other people fall below (0.87 %; their 1st
#: percentile is 0.164; ``benchmarks/not_the_movement.py``).
MIN_MOVEMENT = 0.15


def _covariates(rom, roughness, median) -> np.ndarray:
    top = max(float(np.max(rom)), 1.0)
    return np.column_stack([np.ones_like(rom), np.log(rom + 5.0), rom / top,
                            np.log(np.nan_to_num(roughness, nan=1.0) + 0.1), median / 180.0])


class PopulationScale:
    """The typical deviation of correct executions, per feature, from the coach's evidence.

    ``sigma_f(a) = exp(beta_f . x_a)`` with the coach's covariates of angle
    ``a``, ``x_a = [1, ln(ROM_a + 5), ROM_a / max_b ROM_b, ln(roughness_a +
    0.1), median_a / 180]`` (:data:`COVARIATES`; roughness 1 where not
    measured, max ROM at least 1 degree).

    Parameters
    ----------
    beta : array_like, shape (7, 5), optional
        One row of coefficients per feature, in :data:`FEATURES` order;
        ``None`` until :meth:`fit`.

    Attributes
    ----------
    beta : numpy.ndarray, shape (7, 5) or None

    Notes
    -----
    ``max_b ROM_b`` is the largest ROM among the *coach's* angles, when
    fitting as when predicting. (The research code that chose the recipe
    divided by the largest ROM of the whole batch of samples when fitting,
    which gives other coefficients; coefficients fitted that way do not
    transfer to this formula.)

    Examples
    --------
    >>> import numpy as np
    >>> from sitrex.estimators._repetition_features import coach_profile
    >>> t = np.arange(300) / 30.0
    >>> profile = coach_profile(np.column_stack([170 - 45 * (1 - np.cos(2 * np.pi * t / 2.5)),
    ...                                          90 + 0 * t]))
    >>> beta = np.tile([[0.0, 0.5, 0.0, 0.0, 0.0]], (7, 1))      # sigma = sqrt(ROM + 5)
    >>> scale = PopulationScale(beta)
    >>> scale.sigma(profile)[:, 0].round(1).tolist()
    [9.7, 2.2]
    >>> PopulationScale.from_dict(scale.to_dict()).beta.shape
    (7, 5)
    """

    def __init__(self, beta: Any = None):
        self.beta = None if beta is None else self._check_beta(beta)

    @staticmethod
    def _check_beta(beta: Any) -> np.ndarray:
        arr = np.asarray(beta, dtype=np.float64)
        if arr.shape != (len(FEATURES), len(COVARIATES)) or not np.isfinite(arr).all():
            raise InputError(f"beta must be a finite ({len(FEATURES)}, {len(COVARIATES)}) array, "
                             f"one row per feature {FEATURES}; got shape {arr.shape}")
        return arr

    @staticmethod
    def covariates(profile: CoachProfile) -> np.ndarray:
        """The coach's covariates of each angle, shape (n_angles, 5), :data:`COVARIATES` order."""
        return _covariates(profile.rom, profile.roughness, profile.median)

    def fit(self, features: Any, profiles_covariates: Any) -> PopulationScale:
        """Least squares of ``ln(|f| + 1)`` on the covariates, over correct samples.

        Parameters
        ----------
        features : array_like, shape (n_samples, 7)
            Deviations of correct executions by other people (one row per
            (repetition, angle) sample, e.g. selected with
            :func:`scale_samples`), degrees, :data:`FEATURES` order.
        profiles_covariates : array_like, shape (n_samples, 5)
            The coach's covariates of each sample's angle
            (:meth:`covariates`).

        Returns
        -------
        PopulationScale
            self. Rows with a NaN are left out.
        """
        f = np.asarray(features, dtype=np.float64)
        x = np.asarray(profiles_covariates, dtype=np.float64)
        if f.ndim != 2 or x.ndim != 2 or f.shape[1] != len(FEATURES) \
                or x.shape[1] != len(COVARIATES) or len(f) != len(x):
            raise InputError(f"features must be (n_samples, {len(FEATURES)}) and "
                             f"profiles_covariates (n_samples, {len(COVARIATES)}) with the same "
                             f"rows; got {f.shape} and {x.shape}")
        keep = np.isfinite(f).all(axis=1) & np.isfinite(x).all(axis=1)
        if not keep.any() or np.linalg.matrix_rank(x[keep]) < len(COVARIATES):
            raise InputError(f"the population scale needs correct samples from angles of varied "
                             f"range, roughness and level; the {int(keep.sum())} complete samples "
                             f"do not determine the {len(COVARIATES)} coefficients")
        solution = np.linalg.lstsq(x[keep], np.log(np.abs(f[keep]) + 1.0), rcond=None)[0]
        self.beta = solution.T
        return self

    def sigma(self, profile: CoachProfile) -> np.ndarray:
        """The typical deviation of correct executions, degrees, shape (n_angles, 7)."""
        if self.beta is None:
            raise InputError("this PopulationScale has no coefficients; fit it or pass beta")
        return np.exp(self.covariates(profile) @ self.beta.T)

    def to_dict(self) -> dict:
        """JSON-able: ``{"features": [...], "covariates": [...], "beta": [[...], ...]}``."""
        return {"features": list(FEATURES), "covariates": list(COVARIATES),
                "beta": None if self.beta is None else self.beta.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> PopulationScale:
        """The inverse of :meth:`to_dict`; refuses coefficients of other features."""
        if list(d.get("features", FEATURES)) != list(FEATURES) \
                or list(d.get("covariates", COVARIATES)) != list(COVARIATES):
            raise InputError(f"the saved population scale is for features {d.get('features')} "
                             f"and covariates {d.get('covariates')}; this version uses "
                             f"{list(FEATURES)} and {list(COVARIATES)}")
        return cls(d.get("beta"))


def scale_samples(reps: AthleteRepetitions, profile: CoachProfile) -> np.ndarray:
    """Which (repetition, angle) samples of a correct athlete may fit the population scale.

    The coach's useful angles where the coach's and the athlete's ranges are
    at least 1 degree and every feature is known.

    Returns
    -------
    numpy.ndarray of bool, shape (n_reps, n_angles)
    """
    athlete_rom = np.abs(reps.features[..., _F["rom"]] + (profile.p95 - profile.p5))
    with np.errstate(invalid="ignore"):
        return (profile.useful & (profile.rom >= _MIN_SAMPLE_ROM) & (athlete_rom >= _MIN_SAMPLE_ROM)
                & np.isfinite(reps.features).all(axis=-1))


def direction(profile: CoachProfile) -> np.ndarray:
    """The coach's movement direction per angle: ``sign(turn - rest)``, 0 below 10 degrees of ROM.

    Examples
    --------
    >>> import numpy as np
    >>> from sitrex.estimators._repetition_features import coach_profile
    >>> t = np.arange(300) / 30.0
    >>> knee = 170 - 45 * (1 - np.cos(2 * np.pi * t / 2.5))          # bends: goes down
    >>> direction(coach_profile(np.column_stack([knee, 260 - knee, 90 + 0 * t]))).tolist()
    [-1.0, 1.0, 0.0]
    """
    return np.sign(profile.turn - profile.rest) * (profile.rom >= _MIN_DIRECTION_ROM)


def _far_near(features: np.ndarray, dirn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Extremes oriented by the direction, degrees: > 0 further than the coach (NaN if still)."""
    lo, hi = features[..., _F["lo"]], features[..., _F["hi"]]
    far = np.where(dirn > 0, hi, -lo)
    near = np.where(dirn > 0, lo, -hi)
    still = dirn == 0
    return np.where(still, np.nan, far), np.where(still, np.nan, near)


def shortfall_z(features: Any, profile: CoachProfile, sigma: Any) -> np.ndarray:
    """The less-far statistic's z: how far short of the coach's extreme, in population scales.

    Parameters
    ----------
    features : array_like, shape (n_reps, n_angles, 7)
        From :func:`~._repetition_features.athlete_repetitions`.
    profile : CoachProfile
    sigma : array_like, shape (n_angles, 7)
        :meth:`PopulationScale.sigma` of the profile.

    Returns
    -------
    numpy.ndarray, shape (n_reps, n_angles)
        On an angle the coach moves (:func:`direction` not 0), with ``far``
        the athlete's extreme on the turn side minus the coach's, oriented
        so that further is positive: ``max(0, -far) / sigma_hi``. On an angle
        the coach keeps still: ``max(|lo| / sigma_lo, |hi| / sigma_hi)``.
        NaN where the features are.

    Examples
    --------
    >>> import numpy as np
    >>> from sitrex.estimators._repetition_features import coach_profile
    >>> t = np.arange(300) / 30.0
    >>> knee = 170 - 45 * (1 - np.cos(2 * np.pi * t / 2.5))
    >>> profile = coach_profile(np.column_stack([knee, 90 + 0 * t]))
    >>> sigma = np.full((2, 7), 5.0)
    >>> shallow, deeper = np.zeros((2, 7)), np.zeros((2, 7))
    >>> shallow[0, 0], deeper[0, 0], shallow[1, 1] = 20.0, -20.0, -10.0   # lo of the knee, hi
    >>> shortfall_z(np.stack([shallow, deeper]), profile, sigma).tolist()
    [[4.0, 2.0], [0.0, 0.0]]
    """
    f = np.asarray(features, dtype=np.float64)
    sig = np.asarray(sigma, dtype=np.float64)
    dirn = direction(profile)
    far, _ = _far_near(f, dirn)
    lo, hi = f[..., _F["lo"]] / sig[:, _F["lo"]], f[..., _F["hi"]] / sig[:, _F["hi"]]
    either_way = np.maximum(np.abs(lo), np.abs(hi))
    return np.where(dirn != 0, np.maximum(-far, 0.0) / sig[:, _F["hi"]], either_way)


def range_shortfall_z(features: Any, profile: CoachProfile, sigma: Any) -> np.ndarray:
    """How much less the athlete moves an angle than the coach does, in population scales.

    ``max(0, -rom) / sigma_rom`` on an angle the coach moves (``rom`` the
    athlete's range minus the coach's, :data:`FEATURES`), 0 on an angle the
    coach keeps still; shape ``(n_reps, n_angles)``, NaN where the features
    are. Unlike :func:`shortfall_z` it does not depend on where the range
    lies: an athlete held still beyond the coach's extreme falls short of the
    whole range.
    (Example: :func:`not_the_movement`.)
    """
    f = np.asarray(features, dtype=np.float64)
    sig = np.asarray(sigma, dtype=np.float64)
    short = np.maximum(-f[..., _F["rom"]], 0.0) / sig[:, _F["rom"]]
    return np.where(direction(profile) != 0, short, np.where(np.isnan(short), np.nan, 0.0))


def movement_share(features: Any, profile: CoachProfile) -> np.ndarray:
    """Per repetition, the share of the coach's movement the athlete reproduces.

    Over the coach's useful angles measured in both clips: the sum of
    ``min(athlete range, coach range)`` over the sum of the coach's ranges
    (the template repetition's 5-95th percentile spans). 1 for a repetition
    that moves every useful angle at least as far as the coach, 0 for one
    that holds still; 1 where no useful angle is measured (nothing to say).
    (Example: :func:`not_the_movement`.)
    """
    f = np.asarray(features, dtype=np.float64)
    coach = np.asarray(profile.p95 - profile.p5, dtype=np.float64)
    athlete = coach + f[..., _F["rom"]]
    take = np.asarray(profile.useful, bool) & np.isfinite(athlete)
    reproduced = np.where(take, np.clip(athlete, 0.0, coach), 0.0).sum(axis=-1)
    total = np.where(take, coach, 0.0).sum(axis=-1)
    return np.where(total > 0, reproduced / np.maximum(total, 1e-9), 1.0)


def not_the_movement(features: Any, profile: CoachProfile, sigma: Any, c: float,
                     statistic: Any) -> tuple[np.ndarray, np.ndarray]:
    """Repetitions that reproduce too little of the coach's movement, and their similarity.

    A repetition below :data:`MIN_MOVEMENT` (:func:`movement_share`) is not
    scored by the learned similarity, which was never trained on an athlete
    who does not do the exercise: its similarity is the statistic's, with
    the shortfall of range (:func:`range_shortfall_z`) counting as well as
    that of the extreme (:func:`shortfall_z`).

    `statistic` is the statistic's similarity already computed from
    :func:`shortfall_z`, shape ``(n_reps, n_angles)``; the range is only
    looked at when some repetition is absent.

    Returns
    -------
    absent : numpy.ndarray of bool, shape (n_reps,)
    similarity : numpy.ndarray, shape (n_reps, n_angles)
        The statistic's similarity with both shortfalls (use it where
        `absent`; `statistic` itself when no repetition is).

    Examples
    --------
    A coach bending the knee 90 degrees; an athlete who does it too, and one
    who holds the knee still past the coach's deepest point (so that the
    shortfall of the extreme alone would see nothing wrong):

    >>> import numpy as np
    >>> from sitrex.estimators._repetition_features import athlete_repetitions, coach_profile
    >>> t = np.arange(300) / 30.0
    >>> knee, still = 170 - 45 * (1 - np.cos(2 * np.pi * t / 2.5)), 90 + 0 * t
    >>> profile, sigma = coach_profile(np.column_stack([knee, still])), np.full((2, 7), 10.0)
    >>> same = athlete_repetitions(profile, np.column_stack([knee, still])).features
    >>> held = athlete_repetitions(profile, np.column_stack([0 * knee + 60, still])).features
    >>> movement_share(same, profile).round(2).tolist(), movement_share(held, profile).tolist()
    ([1.0, 1.0, 1.0, 0.98], [0.0])
    >>> shortfall_z(held, profile, sigma).tolist()
    [[0.0, 0.0]]
    >>> range_shortfall_z(held, profile, sigma).round(1).tolist()
    [[8.9, 0.0]]
    >>> extreme = statistic_similarity(shortfall_z(held, profile, sigma), 2.0)
    >>> absent, similarity = not_the_movement(held, profile, sigma, 2.0, extreme)
    >>> absent.tolist(), similarity.round(2).tolist()
    ([True], [[0.0, 1.0]])
    """
    absent = movement_share(features, profile) < MIN_MOVEMENT
    statistic = np.asarray(statistic, dtype=np.float64)
    if absent.any():            # the larger shortfall: the smaller of the two similarities
        statistic = np.fmin(statistic,
                            statistic_similarity(range_shortfall_z(features, profile, sigma), c))
    return absent, statistic


def fit_statistic_scale(z_correct: Any, learned_correct: Any = None) -> float:
    """The statistic's constant: ``c = p90(z over correct samples) / 1.1774``.

    So that :func:`statistic_similarity` is 0.5 (``z = 1.1774 c``) at the
    90th percentile of correct executions: 90 % of them score at least 0.5.

    With `learned_correct`, the learned similarity of the same samples (for
    ``combine="agreement"``, where a sample is below 0.5 only when both parts
    are), a sample whose learned similarity is at least 0.5 counts as z = 0:
    ``c`` is then set so that 90 % of correct executions have the *larger* of
    the two parts at least 0.5. If fewer than 10 % have the learned part below
    0.5, no ``c`` gets there, and the statistic's own is returned.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.linspace(0.0, 10.0, 101)
    >>> c = fit_statistic_scale(z)
    >>> round(c, 3), round(float(statistic_similarity(9.0, c)), 3)
    (7.644, 0.5)
    >>> learned = np.where(np.arange(101) % 2 == 0, 0.9, 0.1)    # half confirmed
    >>> agreed = fit_statistic_scale(z, learned)
    >>> round(agreed, 3), bool(agreed < c)
    (6.71, True)
    """
    z = np.asarray(z_correct, dtype=np.float64).ravel()
    finite = np.isfinite(z)
    z = z[finite]
    if not len(z):
        raise InputError("z_correct holds no finite value: the statistic's scale needs the z "
                         "of correct executions")
    c = float(np.percentile(z, 90)) / _HALF_WIDTH
    if c <= 0:
        raise InputError("the 90th percentile of z over correct executions is 0: the correct "
                         "samples show no shortfall at all, so they cannot set the scale")
    if learned_correct is not None:
        learned = np.asarray(learned_correct, dtype=np.float64).ravel()
        if learned.shape != finite.shape:
            raise InputError(f"learned_correct needs one value per z ({finite.size}); got "
                             f"{learned.size}")
        agreed = float(np.percentile(np.where(learned[finite] < 0.5, z, 0.0), 90)) / _HALF_WIDTH
        c = agreed if agreed > 0 else c
    return c


def statistic_similarity(z: Any, c: float) -> np.ndarray:
    """``exp(-0.5 (z / c)^2)``: 1 for no shortfall, 0.5 at ``z = 1.1774 c``.

    Examples
    --------
    >>> c = 3.965
    >>> float(statistic_similarity(0.0, c)), round(float(statistic_similarity(1.1774 * c, c)), 3)
    (1.0, 0.5)
    """
    return np.exp(-0.5 * (np.asarray(z, dtype=np.float64) / float(c)) ** 2)


def network_inputs(reps: AthleteRepetitions, profile: CoachProfile, sigma: Any,
                   angle_names: Any) -> dict:
    """The learned similarity's inputs, one row per (repetition, angle), repetition-major.

    Parameters
    ----------
    reps : AthleteRepetitions
    profile : CoachProfile
    sigma : array_like, shape (n_angles, 7)
        :meth:`PopulationScale.sigma` of the profile.
    angle_names : sequence of str
        For :func:`~._repetition_descriptors.descriptors`.

    Returns
    -------
    dict of float32 arrays
        Row ``r * n_angles + a`` is repetition ``r``, angle ``a`` (reshape a
        prediction to ``(n_reps, n_angles)``):

        * ``"coach"``, ``"athlete"``, shape (n, 32, 1): the template's and
          the repetition's curves as ``(value - coach median) / sigma_rms``;
        * ``"statistics"``, shape (n, 9): the 7 features over their sigma,
          then ``far / sigma_hi`` and ``near / sigma_lo`` (the extremes on
          the turn and the rest side, oriented so that further is positive;
          0 on an angle the coach keeps still);
        * ``"descriptors"``, shape (n, 21).

        Curves and statistics are clipped to +-10. Rows of angles not
        measured in both clips hold 0 (mask them with the NaN of
        ``reps.features``).

    Examples
    --------
    >>> import numpy as np
    >>> from sitrex.estimators._repetition_features import athlete_repetitions, coach_profile
    >>> t = np.arange(300) / 30.0
    >>> coach = np.column_stack([170 - 45 * (1 - np.cos(2 * np.pi * t / 2.5)), 90 + 0 * t])
    >>> profile = coach_profile(coach)
    >>> reps = athlete_repetitions(profile, coach)
    >>> inputs = network_inputs(reps, profile, np.full((2, 7), 5.0), ["left knee", "torso flexion"])
    >>> {k: v.shape for k, v in inputs.items()}
    {'coach': (8, 32, 1), 'athlete': (8, 32, 1), 'statistics': (8, 9), 'descriptors': (8, 21)}
    """
    sig = np.asarray(sigma, dtype=np.float64)
    n_reps, n_angles = reps.features.shape[:2]
    centre, unit = profile.median[:, None], sig[:, _F["rms"], None]

    def curve(values):                      # (..., n_angles, 32) -> (n, 32, 1)
        scaled = np.clip((values - centre) / unit, -_CLIP, _CLIP)
        n_points = scaled.shape[-1]
        return np.broadcast_to(scaled, (n_reps, n_angles, n_points)).reshape(-1, n_points, 1)

    far, near = _far_near(reps.features, direction(profile))
    statistics = np.concatenate([reps.features / sig, (far / sig[:, _F["hi"]])[..., None],
                                 (near / sig[:, _F["lo"]])[..., None]], axis=-1)
    statistics[..., -2:] = np.nan_to_num(statistics[..., -2:], nan=0.0)
    statistics = np.clip(statistics, -_CLIP, _CLIP).reshape(n_reps * n_angles, -1)
    desc = np.tile(descriptors(profile, angle_names), (n_reps, 1))
    out = {"coach": curve(reps.coach_curves), "athlete": curve(reps.athlete_curves),
           "statistics": statistics, "descriptors": desc}
    return {k: np.nan_to_num(v, nan=0.0).astype(np.float32) for k, v in out.items()}
