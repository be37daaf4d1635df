"""Fitting a RepetitionComparator: per-pair repetitions (cached, parallel), samples, networks.

* :func:`pair_repetitions`: the reference's profile and the candidate's
  repetitions of each pair (the feature step; module-level so that worker
  processes and :class:`joblib.Memory` can run it);
* :func:`repetitions_of`: that step over many pairs, in chunks that never
  cross a change of source, so that a build leaving one data set out finds
  the others' chunks in the cache;
* :func:`training_rows`: which (pair, repetition, angle) samples train, and
  which count as correct executions (for the population scale and c);
* :func:`balanced_weights`: every (source, class) counts alike;
* :func:`train_members`: the ensemble's networks, one seed each.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_memory

from sitrex.exceptions import InputError

from ._training import fit_network

__all__ = ["VARIANTS", "balanced_weights", "pair_repetitions", "repetitions_of",
           "train_members", "training_rows"]

#: The ensemble's network variants: (statistics, descriptors) inputs: curves only, and
#: curves + the 9 statistics + the 21 descriptors.
VARIANTS = {"siam": (0, 0), "ssd": (9, 21)}
#: Pairs per task of the feature step (also the unit the feature cache stores).
CHUNK = 128


def pair_repetitions(pairs: list, code: str = "", main_only=None, alignment="shape") -> list:
    """(CoachProfile, AthleteRepetitions) of each (reference, candidate) pair, or the error text.

    Module-level so that worker processes and :class:`joblib.Memory` can run it.
    `code` is not used: :func:`repetitions_of` passes the stamp of sitrex's
    source files, so that :class:`joblib.Memory` (which hashes the arguments
    and this function's own code only) keys its cache by the whole code.
    `main_only` and `alignment` are the references'
    :func:`._repetition_features.coach_profile` arguments.
    """
    from ._repetition_features import athlete_repetitions, coach_profile

    out = []
    for reference, candidate in pairs:
        try:
            profile = coach_profile(reference, main_only=main_only, alignment=alignment)
            out.append((profile, athlete_repetitions(profile, candidate)))
        except (InputError, ValueError) as exc:
            out.append(f"{type(exc).__name__}: {exc}")
    return out


def _chunks(n: int, groups) -> list[tuple[int, int]]:
    """Runs of at most CHUNK pairs that never cross a change of group (cache-friendly)."""
    changes = [] if groups is None else (np.flatnonzero(groups[1:] != groups[:-1]) + 1).tolist()
    bounds = [0, *changes, n]
    return [(s, min(s + CHUNK, e)) for a, e in zip(bounds[:-1], bounds[1:])
            for s in range(a, e, CHUNK)]


def repetitions_of(refs, cands, groups=None, *, memory=None, n_jobs=None, main_only=None,
                   alignment="shape") -> list:
    """Per pair, (profile, repetitions) or an error text; cached by `memory`, on `n_jobs`."""
    from sitrex._parallel import run_tasks
    from sitrex._source_stamp import source_stamp

    run = check_memory(memory).cache(pair_repetitions)
    chunks = _chunks(len(refs), groups)
    code = source_stamp() if memory is not None else ""
    tasks = [{"pairs": list(zip(refs[a:b], cands[a:b])), "code": code, "main_only": main_only,
              "alignment": alignment} for a, b in chunks]
    if n_jobs is None:                                  # joblib.parallel_config's, else 1
        from joblib import effective_n_jobs

        n_jobs = effective_n_jobs(None)
    if len(tasks) == 1 or n_jobs == 1:
        results = [run(**task) for task in tasks]
    else:
        results = [None] * len(tasks)
        for outcome in run_tasks(run, tasks, n_jobs=n_jobs):
            if not outcome.ok:
                raise InputError(f"computing the repetitions of the pairs failed: "
                                 f"{outcome.error}")
            results[outcome.index] = outcome.value
    return [item for chunk in results for item in chunk]


def training_rows(per_pair: list, kept: list[int], targets: np.ndarray,
                  correct: np.ndarray | None = None) -> dict:
    """Which (pair, repetition, angle) rows train, their targets, features and covariates.

    A row trains the networks when the reference moves the angle (its
    usefulness rule), both clips measure it and its target is known. It
    counts as a correct execution (population scale, the statistic's c) when
    its pair is correct (`correct`; default: its labelled targets are all 1),
    its target is 1 and it is a sample the population scale may use
    (:func:`._population_scale.scale_samples`).
    """
    from ._population_scale import PopulationScale, scale_samples

    parts = {k: [] for k in ("take", "target", "features", "covariates", "correct", "pair")}
    for i in kept:
        profile, reps = per_pair[i]
        shape = reps.features.shape[:2]
        t = np.broadcast_to(targets[i], shape)
        ok = profile.useful & np.isfinite(reps.features).all(axis=-1) & np.isfinite(t)
        all_match = bool(np.nanmin(targets[i], initial=1.0) == 1) if correct is None \
            else bool(correct[i])
        parts["take"].append(ok.reshape(-1))
        parts["target"].append(t[ok])
        parts["features"].append(reps.features[ok])
        parts["covariates"].append(np.broadcast_to(
            PopulationScale.covariates(profile), (*shape, 5))[ok])
        parts["correct"].append((scale_samples(reps, profile) & all_match)[ok])
        parts["pair"].append(np.full(int(ok.sum()), i))
    rows = {k: np.concatenate(v) for k, v in parts.items()}
    rows["correct"] &= rows["target"] == 1
    if not rows["target"].size or not rows["correct"].any():
        raise InputError("no training sample: fit needs pairs whose candidate matches the "
                         "reference (targets 1) on angles the reference moves")
    return rows


def balanced_weights(target: np.ndarray, source: np.ndarray) -> np.ndarray:
    """Weights under which every (source, class) present counts alike (mean 1)."""
    keys = np.stack([np.unique(source, return_inverse=True)[1].ravel(), target], axis=1)
    _, cell, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    cell = cell.ravel()
    return (len(target) / (len(counts) * counts[cell])).astype(np.float32)


def train_members(estimator, members, inputs: list[np.ndarray], target: np.ndarray,
                  weights: np.ndarray):
    """The trained networks ``[(variant, seed), ...]`` and their histories.

    `inputs` are the ensemble's four inputs; each network reads those it has.
    The training options (epochs, batch size, learning rate, verbosity) are
    the estimator's.
    """
    from sitrex._keras import set_random_seed
    from sitrex.models.curves import build_curve_siamese

    from ._repetition_features import N_CURVE_POINTS

    networks, history = [], {}
    seeded = estimator.random_state is not None       # None: fresh randomness, as in sklearn
    for variant, seed in members:
        if seeded:
            set_random_seed(seed)
        n_stats, n_desc = VARIANTS[variant]
        net = build_curve_siamese(N_CURVE_POINTS, n_statistics=n_stats,
                                  n_descriptors=n_desc, name=f"{variant}_s{seed}")
        own = inputs[:2] + ([inputs[2], inputs[3]] if n_stats else [])
        history[net.name] = fit_network(estimator, net, own, target[:, None], desc=net.name,
                                        seed=seed if seeded else None, sample_weight=weights)
        networks.append(net)
    return networks, history
