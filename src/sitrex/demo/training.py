"""Training data and the small comparator of the demo (SYNTHETIC executions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex.datasets.synthetic import SYNTHETIC_EXERCISE_ANGLES

__all__ = ["DEMO_EXERCISE_ANGLES", "make_demo_pairs", "train_demo_comparator"]

#: The angles that matter for each synthetic exercise (the columns that move, by name):
#: :data:`sitrex.datasets.SYNTHETIC_EXERCISE_ANGLES` itself, under the demo's name.
DEMO_EXERCISE_ANGLES: dict[str, tuple[str, ...]] = SYNTHETIC_EXERCISE_ANGLES

#: Exercises the demo's comparator is trained on (the negatives come from the others).
_TRAIN_EXERCISES = ("squat", "deadlift", "arm curl", "lateral raise", "push-up")


def _columns(names: Sequence[str], angle_names: Sequence[str]) -> np.ndarray:
    index = {n: i for i, n in enumerate(angle_names)}
    return np.array(sorted(index[n] for n in names), dtype=np.intp)


def _crop(seq: np.ndarray, length: int, rng) -> np.ndarray:
    start = int(rng.integers(0, len(seq) - length + 1))
    return seq[start:start + length]


def make_demo_pairs(sequences: Sequence[Any], labels: Sequence[str], info: Sequence[Mapping],
                    n_pairs: int, *, max_len: int, exercise_angles: Mapping[str, Sequence[str]]
                    | None = None, angle_names: Sequence[str] | None = None,
                    fault_fraction: float = 0.5, foreign_fraction: float = 0.5,
                    noise_std: float = 2.0,
                    random_state: Any = None):
    """Training pairs that teach a comparator the faults of the synthetic generator.

    The paper's pair protocol (:func:`sitrex.make_pairs`) only teaches
    *which exercise* each angle of the candidate belongs to. Here a
    `fault_fraction` of the pairs instead compare a correct reference with a
    **faulty execution of the same exercise**: the angles the fault moves
    (``info[i]["affected_angles"]``) are targets 0, the other useful angles
    1. The rest are pairs of two correct executions of the same exercise
    (useful angles 1). The angles that do not matter for the exercise are
    targets 0; in a `foreign_fraction` of the pairs their channels come from
    executions of other exercises, as in the paper, in the others they stay
    those of the candidate's own execution, as in a real comparison (a
    network that only ever saw foreign channels there is thrown by a whole
    clip of the right exercise).

    Parameters
    ----------
    sequences : sequence of array_like (T_i, n_angles)
        Angle sequences from :func:`sitrex.datasets.make_exercise` (no NaN).
    labels : sequence of str
        Exercise of each sequence.
    info : sequence of dict
        ``make_exercise(..., return_info=True)`` ground truth (``fault``,
        ``affected_angles``, ``affected_kind``). Executions whose fault
        shows in another angle kind than unsigned (knee valgus) are not
        used: these angles may not see it.
    n_pairs : int
    max_len : int
        Crops are ``max_len // 2 .. max_len`` frames, as in the paper.
    exercise_angles : mapping, optional
        Exercise -> useful angle names; default
        :data:`sitrex.datasets.SYNTHETIC_EXERCISE_ANGLES`.
    angle_names : sequence of str, optional
        Column names; default :data:`sitrex.ANGLE_NAMES`.
    fault_fraction : float, default 0.5
        Share of pairs with a faulty candidate (when the exercise has any).
    foreign_fraction : float, default 0.5
        Share of pairs whose non-useful channels come from other exercises.
    noise_std : float, default 2.0
        Gaussian noise (degrees) added to every frame.
    random_state : int, numpy Generator or None

    Returns
    -------
    X : list of (reference, candidate) float32 arrays
    y : ndarray (n_pairs, n_angles) float32
        Per-angle similarity targets.
    usefulness : ndarray (n_pairs, n_angles) float32
        Which angles matter for each reference's exercise (pass it to
        :meth:`~sitrex.ExerciseComparator.fit`: with faulty candidates it
        differs from `y`).

    Examples
    --------
    >>> from sitrex.datasets import make_exercise
    >>> skels, labels, info = make_exercise(8, ["squat", "arm curl"], fault_rate=0.5,
    ...                                     random_state=0, return_info=True)
    >>> X, y, useful = make_demo_pairs([s.angles() for s in skels], labels, info, 6,
    ...                                max_len=32, random_state=0)
    >>> len(X), y.shape, X[0][0].shape[1], bool((y <= useful).all())
    (6, (6, 23), 23, True)
    """
    from sitrex.angles import ANGLE_NAMES
    from sitrex.datasets.synthetic import check_random_state

    rng = check_random_state(random_state)
    names = tuple(ANGLE_NAMES if angle_names is None else angle_names)
    table = SYNTHETIC_EXERCISE_ANGLES if exercise_angles is None else exercise_angles
    seqs = [np.asarray(s, dtype=np.float64) for s in sequences]
    labels = np.asarray([str(x) for x in labels])
    if len(seqs) != len(labels) or len(seqs) != len(info):
        raise InputError(f"sequences ({len(seqs)}), labels ({len(labels)}) and info ({len(info)}) "
                         "must describe the same executions")
    if any(s.ndim != 2 or s.shape[1] != len(names) for s in seqs):
        raise InputError(f"every sequence must be (T, {len(names)}): one column per angle name")
    if any(np.isnan(s).any() for s in seqs):
        raise InputError("sequences contain NaN; fill the gaps first (sitrex.fill_gaps)")
    exercises = sorted(set(labels.tolist()))
    if len(exercises) < 2:
        raise InputError("make_demo_pairs needs executions of at least two exercises (the angles "
                         "that do not matter come from another exercise)")
    faulty = np.array([i.get("fault") is not None for i in info])
    # a fault that shows in another angle kind (knee valgus: coronal) may leave these angles
    # unchanged: its executions are neither correct nor usable as faulty ones
    unseen = np.array([i.get("fault") is not None and i.get("affected_kind") not in
                       (None, "unsigned") for i in info])
    useful = {ex: _columns(table[ex], names) for ex in exercises}
    n_angles = len(names)
    shortest = min(len(s) for s in seqs)
    low, high = max(1, max_len // 2), min(max_len, shortest)
    X, y = [], np.zeros((int(n_pairs), n_angles), dtype=np.float32)
    usefulness = np.zeros_like(y)
    with_reference = [ex for ex in exercises if ((labels == ex) & ~faulty).any()]
    if not with_reference:
        raise InputError("every execution has a fault: make_demo_pairs needs correct executions "
                         "as references (generate more, or a lower fault_rate)")
    for p in range(int(n_pairs)):
        ex = with_reference[int(rng.integers(len(with_reference)))]
        correct = np.flatnonzero((labels == ex) & ~faulty)
        wrong = np.flatnonzero((labels == ex) & faulty & ~unseen)
        others = np.flatnonzero(labels != ex)
        ref = int(rng.choice(correct))
        use_fault = len(wrong) > 0 and rng.random() < fault_fraction
        pool = wrong if use_fault else correct[correct != ref] if len(correct) > 1 else correct
        cand = int(rng.choice(pool))
        target = np.zeros(n_angles, dtype=np.float32)
        target[useful[ex]] = 1.0
        if use_fault:
            target[_columns([a for a in info[cand]["affected_angles"] if a in names], names)] = 0.0
            target[np.setdiff1d(np.arange(n_angles), useful[ex])] = 0.0
        r_len, c_len = int(rng.integers(low, high + 1)), int(rng.integers(low, high + 1))
        r = _crop(seqs[ref], r_len, rng)
        c = _crop(seqs[cand], c_len, rng).copy()
        other = np.setdiff1d(np.arange(n_angles), useful[ex])
        if rng.random() >= foreign_fraction:
            other = other[:0]
        for col in other:  # angles that do not matter: from another exercise, one source each
            src = seqs[int(rng.choice(others))]
            c[:, col] = _crop(src, c_len, rng)[:, col]
        if noise_std:
            r = r + rng.normal(0.0, noise_std, r.shape)
            c = c + rng.normal(0.0, noise_std, c.shape)
        X.append((r.astype(np.float32), c.astype(np.float32)))
        y[p] = target
        usefulness[p, useful[ex]] = 1.0
    return X, y, usefulness


def _synthetic_clips(n: int, exercises, random_state, fault_rate: float):
    from sitrex.datasets import make_exercise
    from sitrex.datasets.synthetic import FAULT_TABLE
    from sitrex.sequences import fill_gaps

    # faults that show in the unsigned angles the comparator takes (not knee valgus: coronal)
    faults = [f for f, spec in FAULT_TABLE.items() if spec.get("kind", "unsigned") == "unsigned"
              and set(spec["angles"]) & set(exercises)]
    skeletons, labels, info = make_exercise(n, list(exercises), faults=faults,
                                            fault_rate=fault_rate, severity=(0.6, 1.0),
                                            random_state=random_state, return_info=True)
    return fill_gaps([s.angles() for s in skeletons]), labels, info


def train_demo_comparator(*, random_state: Any = 0, n_clips: int = 200, n_pairs: int = 2500,
                          epochs: int = 16, max_len: int = 64, progress: bool = False,
                          exercises: Sequence[str] = _TRAIN_EXERCISES):
    """A small :class:`sitrex.ExerciseComparator` trained on SYNTHETIC executions.

    About 30 s on a small, busy two-core machine with the defaults: Keras
    builds and compiles the two networks in some 10 s, and each epoch of
    2,500 short pairs then takes well under a second.

    Parameters
    ----------
    random_state : int, default 0
        Seeds the synthetic clips, the pairs and the network.
    n_clips : int, default 200
        Synthetic executions generated (half of them with a fault, among
        those that show in unsigned angles).
    n_pairs : int, default 2500
        Training pairs (:func:`make_demo_pairs`).
    epochs : int, default 16
    max_len : int, default 64
        Frames the network sees (about 2 s at 30 fps, one repetition).
    progress : bool, default False
        Per-epoch progress bars.
    exercises : sequence of str
        Exercises of the training executions (default: squat, deadlift, arm
        curl, lateral raise, push-up; :func:`run_demo` adds its exercise).

    Returns
    -------
    sitrex.ExerciseComparator
        Fitted.

    Examples
    --------
    Training takes some 30 s, so it is not run here:

    >>> cmp = train_demo_comparator(random_state=0)                 # doctest: +SKIP
    >>> cmp.compare(coach.angles(), athlete.angles())["similarity"]  # doctest: +SKIP

    The data are checked before Keras is even imported:

    >>> train_demo_comparator(n_clips=1)
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: make_demo_pairs needs executions of at least two exercises (the angles that do not matter come from another exercise)
    """
    from sitrex.angles import ANGLE_NAMES
    from sitrex.estimators import ExerciseComparator

    seed = int(np.random.default_rng(random_state).integers(2**31 - 1))
    seqs, labels, info = _synthetic_clips(n_clips, exercises, seed, fault_rate=0.5)
    X, y, useful = make_demo_pairs(seqs, labels, info, n_pairs, max_len=max_len, random_state=seed)
    comparator = ExerciseComparator(embed_dim=32, num_heads=2, key_dim=16, ff_dim=64,
                                    head_units=32, patch_size=4, max_len=max_len, epochs=epochs,
                                    batch_size=32, learning_rate=2e-3, angle_names=ANGLE_NAMES,
                                    verbose=int(bool(progress)), random_state=seed)
    return comparator.fit(X, y, usefulness=useful)
