"""RepetitionComparator: per-angle similarity of a candidate's repetitions to a reference's.

The "repetitions" member of the SiTrEx family (see the model card in the
documentation). Where
:class:`~sitrex.ExerciseComparator` reads sliding windows with a transformer,
this comparator:

1. reads the reference (a coach's clip): its repetitions, the template (one
   repetition), per angle its range of motion, level, roughness and
   rep-to-rep spread, and which angles it moves (the usefulness rule);
2. aligns the candidate onto the template with a repetition-aware DTW on
   the angles' shapes (:func:`sitrex.alignment.align_cyclic`) and cuts it
   into repetitions;
3. scores each (repetition, angle) twice: a learned Siamese similarity of the
   two curves (an ensemble of small Conv1D networks,
   :mod:`sitrex.models.curves`) and a direction-aware statistic (only *not
   reaching* the coach's range counts, in units of how much correct
   executions by other people differ: the population scale);
4. combines them (``combine``): by default their maximum, so that an angle
   differs only where both parts say it does (the statistic's constant is
   then fitted on both parts of the correct training samples); or
   ``statistic_weight * s_stat + (1 - statistic_weight) * s_learned``;
5. except in a repetition that reproduces less of the coach's movement than
   99 % of correct executions by other people do
   (:data:`~._population_scale.MIN_MOVEMENT`): an athlete holding still or
   doing another exercise, which the learned part was never trained on. Its
   angles are scored by the statistic alone, a shortfall of range counting
   as well as one of the extreme.

Per-pair numbers: ``._repetition_features``, ``._population_scale``; fitting:
``._repetition_training``; the networks: :mod:`sitrex.models.curves`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from sklearn.utils.validation import check_is_fitted

from sitrex._keras import NETWORK_LOCK
from sitrex.exceptions import InputError

from ._base import ComparatorMixin, EstimatorCore
from ._checks import check_pairs, check_sample_weight, check_sequences, check_targets
from ._params import fill_parameters
from ._repetition_params import REPETITION_PARAMETERS
from ._repetition_training import (VARIANTS, balanced_weights, pair_repetitions,
                                   repetitions_of, train_members, training_rows)

__all__ = ["RepetitionComparator", "RepetitionScores"]

#: The recipe's frame rate: its constants (shortest repetition, tolerance) are frames at it.
RECIPE_FPS = 30.0


class RepetitionScores(NamedTuple):
    """What :meth:`RepetitionComparator.score_repetitions` returns.

    Attributes
    ----------
    repetitions : AthleteRepetitions
        The candidate's scored repetitions (``bounds``, ``scored`` frames,
        ``match``, features, curves).
    similarity : numpy.ndarray of shape (n_reps, n_angles)
        Per repetition and angle, in [0, 1] (NaN where the angle is not
        measured in both clips).
    usefulness : numpy.ndarray of shape (n_angles,)
        Per angle, whether it matters for the reference's exercise (the
        usefulness rule, soft: 0.5 at its boundary).
    """

    repetitions: Any
    similarity: np.ndarray
    usefulness: np.ndarray

    def mean_similarity(self) -> np.ndarray:
        """(n_angles,) the repetitions' similarity, averaged with their frames as weights.

        NaN where an angle is never measured in both clips.
        """
        frames = np.array([b - a for a, b in self.repetitions.bounds], float)[:, None]
        ok = np.isfinite(self.similarity)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (np.where(ok, self.similarity, 0) * frames).sum(0) / (ok * frames).sum(0)


class RepetitionComparator(ComparatorMixin, EstimatorCore):
    """Per-angle, per-repetition comparison of a candidate execution with a reference.

    See the module documentation for the recipe. Inputs are angle sequences
    in degrees at 30 fps (the recipe's clock), cleaned
    (:mod:`sitrex.conditioning`), NaN where an angle is not measured. The
    feedback pipeline (:func:`sitrex.compare`) scores a clip with it
    repetition by repetition (``scoring = "repetitions"``, see
    :mod:`sitrex.feedback.repetition_scoring`).

    Parameters
    ----------
    {params}

    Attributes
    ----------
    similarity_model_ : keras.Model
        The ensemble: the mean of ``2 * n_seeds`` curve networks.
    population_scale_ : PopulationScale
        How much correct executions by other people differ, per feature, as
        a function of the coach's angle descriptors.
    statistic_scale_ : float
        The statistic's constant c, set so that 90 % of the training data's
        correct executions have a similarity of at least 0.5: the statistic's
        own, or with ``combine="agreement"`` the larger of the two parts (the
        constant belongs to the `combine` it was fitted with).
    n_angles_ : int
    angle_names_ : tuple of str
    history_ : dict
        Per network, per-epoch logs.
    metadata_ : dict
        ``{"fps": 30.0, "recipe": ...}``, plus what the builder records.

    Examples
    --------
    >>> import numpy as np
    >>> from sitrex import RepetitionComparator
    >>> rng = np.random.default_rng(0)
    >>> phase = 2 * np.pi * np.arange(150)[:, None] / 50        # 3 repetitions of 50 frames
    >>> def clip(knee, hip):
    ...     return np.hstack([170 - knee * (1 - np.cos(phase)), 160 - hip * (1 - np.cos(phase)),
    ...                       np.full_like(phase, 90)]) + rng.normal(0, 0.5, (150, 3))
    >>> X, y = [], []
    >>> for k in range(4):          # coaches of several ranges; a correct and a faulty athlete
    ...     coach = clip(25 + 5 * k, 35 - 5 * k)
    ...     X += [(coach, clip(25 + 5 * k, 35 - 5 * k)), (coach, clip(10, 35 - 5 * k))]
    ...     y += [[1, 1, 1], [0, 1, 1]]
    >>> cmp = RepetitionComparator(n_seeds=1, epochs=1, random_state=0).fit(X, y)
    >>> cmp.predict_proba(X[:2]).shape
    (2, 3)
    >>> sorted(cmp.compare(*X[1]))
    ['similarity', 'usefulness']
    """

    scoring = "repetitions"
    _networks = ("similarity_model_",)
    _saved_fitted = ("population_scale_", "statistic_scale_")
    #: Settings of the machine that fitted, not of the model: saved as None, so that a file
    #: fitted with ``n_jobs=2`` is byte for byte the one fitted with the default.
    _unsaved_params = ("memory", "n_jobs")
    _params_of_older_files = {"combine": "mean", "alignment": "values"}
    _parameters = REPETITION_PARAMETERS

    def __init__(self, *, combine="agreement", statistic_weight=0.5, alignment="shape", n_seeds=3,
                 epochs=8, batch_size=512, learning_rate=2e-3, threshold=0.5, n_jobs=None,
                 memory=None, angle_names=None, verbose=0, random_state=None):
        self.combine = combine
        self.statistic_weight = statistic_weight
        self.alignment = alignment
        self.n_seeds = n_seeds
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.threshold = threshold
        self.n_jobs = n_jobs
        self.memory = memory
        self.angle_names = angle_names
        self.verbose = verbose
        self.random_state = random_state

    # ------------------------------------------------------------------ networks
    _shaping_params = ("n_seeds",)

    def _member_names(self) -> list[tuple[str, int]]:
        """``(variant, seed)`` of each network: seeds from an int `random_state` up (a
        RandomState draws the first); with None the names count from 0 and nothing is seeded."""
        base = self.random_state
        if base is None:
            base = 0
        elif not isinstance(base, (int, np.integer)):
            from sklearn.utils import check_random_state

            base = int(check_random_state(base).randint(2**31 - 1 - int(self.n_seeds)))
        n_seeds = int(self._network_settings()["n_seeds"])
        return [(variant, int(base) + k) for variant in VARIANTS for k in range(n_seeds)]

    def _build_network(self, name: str, n_angles: int, members=None):
        """The ensemble (`name` is ``similarity_model_``), of fresh members unless given."""
        from sitrex.models.curves import build_curve_ensemble, build_curve_siamese

        from ._repetition_features import N_CURVE_POINTS

        if members is None:
            members = [build_curve_siamese(N_CURVE_POINTS, n_statistics=VARIANTS[v][0],
                                           n_descriptors=VARIANTS[v][1], name=f"{v}_s{seed}")
                       for v, seed in self._member_names()]
        return build_curve_ensemble(members, n_points=N_CURVE_POINTS,
                                    n_statistics=VARIANTS["ssd"][0],
                                    n_descriptors=VARIANTS["ssd"][1], name="curve_ensemble")

    # ------------------------------------------------------------------ saved state
    def _fitted_to_json(self, name: str):
        value = getattr(self, name)
        return value.to_dict() if name == "population_scale_" else float(value)

    def _fitted_from_json(self, name: str, value):
        from ._population_scale import PopulationScale

        return PopulationScale.from_dict(value) if name == "population_scale_" else float(value)

    # ------------------------------------------------------------------ features
    def _pair_samples(self, profile, reps, sigma: np.ndarray) -> dict[str, np.ndarray]:
        """Network inputs and the statistic's z of one pair, (n_reps * n_angles) rows."""
        from ._population_scale import network_inputs, shortfall_z

        inputs = network_inputs(reps, profile, sigma, self.angle_names_)
        return {**inputs, "z": shortfall_z(reps.features, profile, sigma).reshape(-1)}

    @staticmethod
    def _as_network_list(inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        """The ensemble's inputs in order (unmeasured rows as 0; their output is discarded)."""
        return [np.nan_to_num(inputs[k]).astype(np.float32)
                for k in ("coach", "athlete", "statistics", "descriptors")]

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any, *, groups: Any = None, sample_weight: Any = None,
            correct: Any = None):
        """Fit the population scale, the statistic's constant and the network ensemble.

        Parameters
        ----------
        X : list of (reference, candidate)
            Pairs of angle sequences (T_i, n_angles), degrees at 30 fps,
            cleaned, NaN where not measured; any lengths.
        y : array (n, n_angles) of 0, 1 or NaN
            Per pair and angle, 1 when the candidate executes that angle as
            the reference does (a correct execution by someone else, or an
            unchanged angle), 0 when it differs (a fault); NaN: unknown, not
            trained on.
        groups : array (n,), optional
            The source of each pair (e.g. its data set): the samples are
            weighted so that every (source, class) counts alike. Pairs of
            one source should be contiguous (the feature cache works per run).
        sample_weight : float or array (n,), optional
            Extra per-pair weights: finite, non-negative and not all zero
            (as scikit-learn requires), else an InputError.
        correct : array (n,) of bool, optional
            The pairs whose candidate is a correct execution as recorded (not
            altered): they alone fit the population scale and the statistic's
            constant. Default: the pairs whose labelled targets are all 1
            (pass ``~injected`` when some altered candidates are labelled
            all 1, e.g. a tolerated larger range).

        Returns
        -------
        self

        Notes
        -----
        Samples are (repetition, angle) of a pair, on the angles the
        reference moves (the usefulness rule) and both clips measure. The
        population scale and the statistic's constant are fitted on the
        samples of correct pairs (see `correct`), the networks on every
        labelled sample; with ``combine="agreement"`` the constant is fitted
        after the networks, on both parts of the correct samples.
        """
        from ._population_scale import PopulationScale, fit_statistic_scale

        self._validate_params()
        self._forget_network_settings()
        refs, cands = check_pairs(X, missing="keep")
        n_pairs, n_angles = len(refs), refs[0].shape[1]
        targets = check_targets(y, n_pairs, n_angles, allow_missing=True)
        groups = np.zeros(n_pairs, int) if groups is None else np.asarray(groups)
        weights = check_sample_weight(sample_weight, n_pairs)
        correct = None if correct is None else np.asarray(correct, dtype=bool).reshape(-1)
        if len(groups) != n_pairs or (correct is not None and len(correct) != n_pairs):
            raise InputError(f"groups and correct need one value per pair ({n_pairs})")
        self.angle_names_ = self._resolve_angle_names(n_angles)
        self.n_angles_ = n_angles
        per_pair = repetitions_of(refs, cands, groups, memory=self.memory, n_jobs=self.n_jobs,
                                  **self._profile_options())
        failed = [i for i, item in enumerate(per_pair) if isinstance(item, str)]
        if len(failed) == n_pairs:
            raise InputError(f"no pair could be cut into repetitions; first: {per_pair[0]}")
        kept = sorted(set(range(n_pairs)) - set(failed))
        rows = training_rows(per_pair, kept, targets, correct)
        scale = PopulationScale().fit(rows["features"][rows["correct"]],
                                      rows["covariates"][rows["correct"]])
        samples = [self._pair_samples(*per_pair[i], scale.sigma(per_pair[i][0])) for i in kept]
        take = rows["take"]
        z = np.concatenate([s["z"] for s in samples])[take]
        self.population_scale_ = scale
        inputs = {k: np.concatenate([s[k] for s in samples])[take]
                  for k in ("coach", "athlete", "statistics", "descriptors")}
        target = rows["target"].astype(np.float32)
        pair = rows["pair"]
        balance = balanced_weights(target.astype(int), groups[pair]) * weights[pair]
        network_inputs = self._as_network_list(inputs)
        members, self.history_ = train_members(self, self._member_names(), network_inputs,
                                               target, balance)
        self.similarity_model_ = self._build_network("similarity_model_", n_angles, members)
        self._keep_network_settings()
        learned = None
        if self.combine == "agreement":       # calibrate what the report shows: both parts
            learned = self._run_network([a[rows["correct"]] for a in network_inputs])
        self.statistic_scale_ = float(fit_statistic_scale(z[rows["correct"]], learned))
        self.metadata_ = {"fps": RECIPE_FPS, "n_pairs": n_pairs, "skipped_pairs": len(failed),
                          "n_samples": int(len(target)),
                          "recipe": "sitrex repetitions (issue 14, research round 2 §R2.8)"}
        return self

    # ------------------------------------------------------------------ scoring
    def _scores(self, per_pair: list) -> list[np.ndarray]:
        """(n_reps, n_angles) similarity of each (profile, repetitions), one network call."""
        from ._population_scale import not_the_movement, statistic_similarity

        sigmas = [self.population_scale_.sigma(p) for p, _ in per_pair]
        samples = [self._pair_samples(p, r, s) for (p, r), s in zip(per_pair, sigmas)]
        agreement = self.combine == "agreement"
        weight = float(self.statistic_weight)
        stat = [statistic_similarity(s["z"], self.statistic_scale_) for s in samples]
        if agreement or weight < 1:
            inputs = [np.concatenate(a) for a in zip(*(self._as_network_list(s)
                                                       for s in samples))]
            learned = self._run_network(inputs)
            learned = np.split(learned, np.cumsum([len(s["z"]) for s in samples])[:-1])
        else:
            learned = stat
        out = []
        for (profile, reps), st, le, sigma in zip(per_pair, stat, learned, sigmas):
            sim = np.maximum(st, le) if agreement else weight * st + (1 - weight) * le
            sim = sim.reshape(len(reps.features), self.n_angles_)
            absent, fallback = not_the_movement(reps.features, profile, sigma,
                                                self.statistic_scale_, st.reshape(sim.shape))
            sim[absent] = fallback[absent]
            sim[~np.isfinite(reps.features).all(axis=-1)] = np.nan
            out.append(sim)
        return out

    def _run_network(self, inputs: list[np.ndarray]) -> np.ndarray:
        if not len(inputs[0]):
            return np.zeros(0)
        with NETWORK_LOCK:
            out = self.similarity_model_.predict(inputs, batch_size=8192, verbose=0)
        return np.asarray(out).reshape(-1)

    def _checked_pairs(self, X):
        check_is_fitted(self)
        return check_pairs(X, n_angles=self.n_angles_, missing="keep",
                           angle_names=self.angle_names_)

    def reference_profile(self, reference: Any, *, repetitions=None):
        """What this comparator reads from a reference clip: read once, score many candidates.

        Parameters
        ----------
        reference : array_like (T, n_angles)
            Degrees at 30 fps, cleaned, NaN where not measured.
        repetitions : list of (start, stop), optional
            The reference's repetitions (frames), the first one the
            template; default: found as the recipe says.

        Returns
        -------
        CoachProfile
            For :meth:`score_repetitions`.
        """
        from ._repetition_features import coach_profile

        check_is_fitted(self)
        (ref,) = check_sequences([reference], n_angles=self.n_angles_, missing="keep",
                                 name="reference", angle_names=self.angle_names_)
        return coach_profile(ref, repetitions=repetitions, **self._profile_options())

    def score_repetitions(self, reference: Any, candidate: Any, *,
                          reference_repetitions=None, repetitions=None) -> RepetitionScores:
        """Score each repetition of `candidate` against `reference`, per angle.

        Parameters
        ----------
        reference : array_like (T, n_angles) or CoachProfile
            Degrees at 30 fps, cleaned, NaN where not measured; or its
            :meth:`reference_profile`.
        candidate : array_like (T, n_angles)
            The same, for the candidate.
        reference_repetitions : list of (start, stop), optional
            As in :meth:`reference_profile` (for an array `reference`).
        repetitions : list of (start, stop), optional
            The candidate's repetitions (frames of `candidate`) when they are
            already known, e.g. counted by
            :func:`sitrex.repetitions.segment_repetitions`: each is aligned
            onto the template on its own and scored whole. Default: the
            candidate is cut along its alignment onto the template, as in
            training.

        Returns
        -------
        RepetitionScores
            ``(repetitions, similarity, usefulness)``.
        """
        from ._repetition_features import CoachProfile, athlete_repetitions

        profile = reference if isinstance(reference, CoachProfile) else \
            self.reference_profile(reference, repetitions=reference_repetitions)
        (cand,) = check_sequences([candidate], n_angles=self.n_angles_, missing="keep",
                                  name="candidate", angle_names=self.angle_names_)
        reps = athlete_repetitions(profile, cand, repetitions=repetitions)
        similarity = self._scores([(profile, reps)])[0]
        return RepetitionScores(reps, similarity, np.asarray(profile.usefulness, float))

    def _profile_options(self) -> dict:  # the settings of ._repetition_features.coach_profile
        return {"main_only": self._main_only(), "alignment": self.alignment}

    def _main_only(self) -> np.ndarray:
        """The columns that matter only as a main movement: the axial rotations (see coach_profile)."""
        from sitrex.axial_rotation import AXIAL_ROTATION_NAMES

        return np.isin(np.asarray(self.angle_names_, dtype=object), AXIAL_ROTATION_NAMES)

    def predict_proba(self, X: Any) -> np.ndarray:
        """(n, n_angles) similarity per pair: its repetitions' frame-weighted mean.

        NaN where an angle is not measured in both sequences of a pair.
        """
        refs, cands = self._checked_pairs(X)
        per_pair = pair_repetitions(list(zip(refs, cands)), **self._profile_options())
        for item in per_pair:
            if isinstance(item, str):
                raise InputError(f"a pair could not be compared: {item}")
        return np.array([RepetitionScores(reps, sim, None).mean_similarity()
                         for (_, reps), sim in zip(per_pair, self._scores(per_pair))])

    def predict(self, X: Any) -> np.ndarray:
        """(n, n_angles) int 0/1: ``predict_proba(X) >= threshold`` (0 where not measured)."""
        return (np.nan_to_num(self.predict_proba(X), nan=0.0)
                >= float(self.threshold)).astype(np.int64)

    def score(self, X: Any, y: Any, sample_weight=None) -> float:
        """Mean per-angle accuracy of :meth:`predict` over the labelled (non-NaN) targets."""
        pred = self.predict(X)
        truth = check_targets(y, *pred.shape, allow_missing=True)
        known = np.isfinite(truth)
        per_pair = np.where(known, truth == pred, 0).sum(1) / np.maximum(known.sum(1), 1)
        return float(np.average(per_pair, weights=sample_weight))

    def predict_usefulness_proba(self, references: Any) -> np.ndarray:
        """(n, n_angles): how much each angle matters for each reference's exercise.

        The usefulness rule of the reference's own clip (an angle matters when
        it is measured, moves at least ``max(15 deg, 0.25 * the largest
        range)`` and moves smoothly), soft: 0.5 at the rule's boundary.
        """
        from ._repetition_features import coach_profile

        check_is_fitted(self)
        seqs = check_sequences(references, n_angles=self.n_angles_, missing="keep",
                               name="references", angle_names=self.angle_names_)
        options = self._profile_options()
        return np.array([coach_profile(s, **options).usefulness for s in seqs], dtype=float)

    def predict_usefulness(self, references: Any) -> np.ndarray:
        """(n, n_angles) int 0/1: which angles matter for each reference's exercise."""
        return (self.predict_usefulness_proba(references) >= 0.5).astype(np.int64)

    def compare(self, reference: Any, candidate: Any) -> dict[str, dict[str, float]]:
        """One candidate against one reference: ``{"similarity": {...}, "usefulness": {...}}``.

        Per angle name, the frame-weighted mean similarity of the candidate's
        repetitions, and the usefulness of :meth:`predict_usefulness_proba`.
        """
        for name, seq in (("reference", reference), ("candidate", candidate)):
            if np.ndim(seq) != 2:
                raise InputError(f"{name} must be one 2-D (n_frames, n_angles) sequence; got "
                                 f"shape {np.shape(seq)}")
        scores = self.score_repetitions(reference, candidate)
        mean = scores.mean_similarity()
        return {"similarity": dict(zip(self.angle_names_, mean.tolist())),
                "usefulness": dict(zip(self.angle_names_, scores.usefulness.tolist()))}


RepetitionComparator.__doc__ = fill_parameters(RepetitionComparator.__doc__,
                                               RepetitionComparator._parameters)
