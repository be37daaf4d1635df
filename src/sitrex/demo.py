"""The offline demo: a coach, a faulty athlete, a small model, the feedback. SYNTHETIC data.

:func:`run_demo` is what ``sitrex demo`` runs. It needs no file and no
download:

1. it makes a coach's and an athlete's execution of an exercise with the
   synthetic generator :func:`sitrex.datasets.make_exercise`, the athlete
   with a known fault (by default a squat with the torso leaning too far
   forward);
2. it trains a small :class:`sitrex.ExerciseComparator` on other synthetic
   executions (:func:`make_demo_pairs`), in well under a minute on a small
   two-core machine;
3. it compares the two with :func:`sitrex.feedback.compare` (time-aligned by
   dynamic time warping, repetitions counted and compared) and writes the
   report (JSON, CSV, the messages as text) and a figure.

**All of it is synthetic**: procedurally animated skeletons, not recordings
of people. The demo shows how the pieces fit and what the output looks
like; it is not evidence about real athletes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DEMO_EXERCISE_ANGLES", "DemoResult", "make_demo_pairs", "run_demo",
           "train_demo_comparator", "write_plot"]


def _both(*parts: str) -> list[str]:
    return [f"{side} {part}" for part in parts for side in ("left", "right")]


#: The angles that matter for each synthetic exercise (the columns that move, by name).
DEMO_EXERCISE_ANGLES: dict[str, list[str]] = {
    "squat": _both("knee", "hip") + ["torso flexion"],
    "lunge": _both("knee", "hip", "ankle dorsiflexion"),
    "deadlift": _both("hip", "knee", "shoulder") + ["torso flexion"],
    "arm curl": _both("elbow"),
    "shoulder press": _both("elbow", "shoulder", "frontal shoulder abduction"),
    "lateral raise": _both("shoulder", "frontal shoulder abduction"),
    "push-up": _both("elbow", "shoulder", "shoulder extension"),
}

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
        Exercise -> useful angle names; default :data:`DEMO_EXERCISE_ANGLES`.
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
    table = DEMO_EXERCISE_ANGLES if exercise_angles is None else exercise_angles
    seqs = [np.asarray(s, dtype=np.float64) for s in sequences]
    labels = np.asarray([str(x) for x in labels])
    if len(seqs) != len(labels) or len(seqs) != len(info):
        raise ValueError(f"sequences ({len(seqs)}), labels ({len(labels)}) and info ({len(info)}) "
                         "must describe the same executions")
    if any(s.ndim != 2 or s.shape[1] != len(names) for s in seqs):
        raise ValueError(f"every sequence must be (T, {len(names)}): one column per angle name")
    if any(np.isnan(s).any() for s in seqs):
        raise ValueError("sequences contain NaN; fill the gaps first (sitrex.fill_gaps)")
    exercises = sorted(set(labels.tolist()))
    if len(exercises) < 2:
        raise ValueError("make_demo_pairs needs executions of at least two exercises (the angles "
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
        raise ValueError("every execution has a fault: make_demo_pairs needs correct executions "
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
    from sitrex.pairs import fill_gaps

    from sitrex.datasets.synthetic import FAULT_TABLE

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
    ValueError: make_demo_pairs needs executions of at least two exercises (the angles that do not matter come from another exercise)
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


def write_plot(report, path: str | Path) -> Path | None:
    """HOOK for the demo's figure: draw `report` to `path` (PNG or SVG).

    :func:`run_demo` calls this once, after the report is written. It uses
    :func:`sitrex.plots.save_report_figure` and returns None, drawing
    nothing, when matplotlib (the ``sitrex[plot]`` extra) or that function is
    not available.

    Parameters
    ----------
    report : sitrex.feedback.FeedbackReport
    path : str or pathlib.Path

    Returns
    -------
    pathlib.Path or None
        Where the figure was written, or None.

    Examples
    --------
    >>> write_plot.__name__
    'write_plot'
    """
    try:
        from sitrex.plots import save_report_figure
    except ImportError:
        return None
    try:
        return Path(save_report_figure(report, path))
    except ImportError:  # matplotlib itself is missing
        return None


@dataclass
class DemoResult:
    """What :func:`run_demo` made, compared and wrote.

    Attributes
    ----------
    report : sitrex.feedback.FeedbackReport
        The athlete compared with the coach.
    coach, athlete : sitrex.Skeleton
        The two SYNTHETIC executions.
    truth : dict
        The injected fault: ``exercise``, ``fault``, ``severity``,
        ``affected_angles`` (``make_exercise`` ground truth) and ``n_reps``.
    comparator : sitrex.ExerciseComparator
        The model used.
    paths : dict of str to pathlib.Path
        Files written: ``report_json``, ``report_csv``, ``messages``,
        ``coach``, ``athlete``, ``comparator`` and, when drawn, ``plot``.
    train_seconds, total_seconds : float
        Wall time of the training (0 with a given comparator) and of the
        whole demo.

    Examples
    --------
    >>> DemoResult.__dataclass_fields__["truth"].type
    'dict[str, Any]'
    """

    report: Any
    coach: Any
    athlete: Any
    truth: dict[str, Any]
    comparator: Any
    paths: dict[str, Path] = field(default_factory=dict)
    train_seconds: float = 0.0
    total_seconds: float = 0.0

    def lines(self) -> list[str]:
        """The demo's printout: what the data are, the feedback, where the files are."""
        t = self.truth
        out = [f"SYNTHETIC DATA: a procedurally animated coach and athlete ({t['exercise']}), "
               "not recordings of people.",
               f"injected fault: {t['fault']} (severity {t['severity']:.2f}), which moves "
               f"{', '.join(t['affected_angles'])}",
               f"worst angles: {', '.join(self.report.worst_angles(3))}",
               *self.report.messages]
        out += [f"{name}: {path}" for name, path in self.paths.items()]
        return out

    def to_text(self) -> str:
        """:meth:`lines` joined by newlines (what ``sitrex demo`` prints)."""
        return "\n".join(self.lines())

    def to_payload(self) -> dict[str, Any]:
        """JSON-safe summary (``sitrex demo --json``): the data are synthetic, the injected
        fault, the score, the worst angles, the messages, the files and the timings."""
        report = self.report
        score = report.score
        return {"synthetic": True, "truth": dict(self.truth),
                "score": None if np.isnan(score) else float(score),
                "worst_angles": report.worst_angles(3), "messages": list(report.messages),
                "written": {name: str(path) for name, path in self.paths.items()},
                "train_seconds": round(float(self.train_seconds), 3),
                "total_seconds": round(float(self.total_seconds), 3)}

    def __str__(self) -> str:
        return self.to_text()


def run_demo(output_dir: str | Path, *, random_state: Any = 0, progress: bool = True,
             exercise: str = "squat", fault: str = "torso_lean", severity: float = 1.0,
             n_reps: int = 4, comparator=None, train_options: Mapping[str, Any] | None = None,
             plot: bool = True, log: Callable[[str], Any] | None = None) -> DemoResult:
    """Run the main job offline on SYNTHETIC data: train, compare, report.

    Makes a coach's and a faulty athlete's execution with
    :func:`sitrex.datasets.make_exercise`, trains a small comparator
    (:func:`train_demo_comparator`) unless one is given, compares the two
    with :func:`sitrex.feedback.compare` (time-aligned by dynamic time
    warping; repetitions counted and compared) and writes the results to
    `output_dir`.

    Parameters
    ----------
    output_dir : str or pathlib.Path
        Folder for the outputs (created if needed): ``report.json``,
        ``report.csv``, ``feedback.txt`` (the messages, headed by a note that
        the data are synthetic), ``coach.npz`` and ``athlete.npz`` (landmark
        files, for ``sitrex compare``), ``comparator.keras`` and
        ``report.png`` (the figure, see :func:`write_plot`).
    random_state : int, default 0
        Seeds the people, the fault and the training.
    progress : bool, default True
        Report the steps (through `log`) and show per-epoch progress bars.
    exercise : str, default "squat"
        One of :data:`sitrex.datasets.synthetic.EXERCISES`.
    fault : str, default "torso_lean"
        The athlete's fault, one of
        :data:`sitrex.datasets.synthetic.FAULTS` that applies to `exercise`.
    severity : float in [0, 1], default 1.0
    n_reps : int, default 4
        Repetitions of each execution.
    comparator : sitrex.ExerciseComparator, optional
        A fitted comparator to use instead of training one.
    train_options : mapping, optional
        Options of :func:`train_demo_comparator` (e.g. ``{"epochs": 10}``).
    plot : bool, default True
        Draw the figure (skipped silently without matplotlib).
    log : callable, optional
        Where progress lines go; default ``print`` to stderr.

    Returns
    -------
    DemoResult
        The report, the executions, the ground truth and the paths written.

    Raises
    ------
    ValueError
        For an unknown exercise or fault, or a fault that does not apply to
        the exercise.

    Examples
    --------
    A run trains a network for some 30 s, so it is not run here:

    >>> result = run_demo("demo-output")                             # doctest: +SKIP
    >>> print(result)                                                # doctest: +SKIP
    SYNTHETIC DATA: a procedurally animated coach and athlete (squat), not recordings of people.
    injected fault: torso_lean (severity 1.00), which moves left hip, right hip, ...
    worst angles: right hip, left hip, ...

    Options are checked first:

    >>> run_demo("demo-output", exercise="arm curl", fault="torso_lean")
    Traceback (most recent call last):
    ...
    ValueError: fault 'torso_lean' does not apply to the exercise 'arm curl'; for it choose 'incomplete_rom'
    """
    import sys

    from sitrex.datasets import make_exercise
    from sitrex.datasets.synthetic import EXERCISES, FAULT_TABLE, FAULTS
    from sitrex.feedback import compare

    start = time.perf_counter()
    if exercise not in EXERCISES:
        raise ValueError(f"unknown exercise {exercise!r}; choose one of {', '.join(EXERCISES)}")
    if fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}; choose one of {', '.join(FAULTS)}")
    if exercise not in FAULT_TABLE[fault]["angles"]:
        fits = [f for f in FAULTS if exercise in FAULT_TABLE[f]["angles"]]
        raise ValueError(f"fault {fault!r} does not apply to the exercise {exercise!r}; for it "
                         f"choose {', '.join(map(repr, fits)) or 'another exercise'}")
    if log is None:
        def log(line: str) -> None:
            print(line, file=sys.stderr, flush=True)
    say = log if progress else (lambda line: None)
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(random_state)
    seeds = [int(x) for x in rng.integers(2**31 - 1, size=3)]

    say(f"sitrex demo: SYNTHETIC data (procedural skeletons, not people): a coach's {exercise} "
        f"and an athlete's with the fault {fault!r}")
    coach = make_exercise(1, exercise, n_reps=n_reps, random_state=seeds[0])[0][0]
    athletes, _, info = make_exercise(1, exercise, n_reps=n_reps, faults=[fault], fault_rate=1.0,
                                      severity=float(severity), random_state=seeds[1],
                                      return_info=True)
    athlete, info = athletes[0], info[0]
    truth = {"exercise": exercise, "fault": fault, "severity": float(info["severity"]),
             "affected_angles": list(info["affected_angles"]), "n_reps": int(info["n_reps"]),
             "synthetic": True}

    train_seconds = 0.0
    if comparator is None:
        options = {"random_state": seeds[2], "progress": progress,
                   "exercises": tuple(dict.fromkeys((*_TRAIN_EXERCISES, exercise))),
                   **dict(train_options or {})}
        say("training a small comparator on synthetic executions (no download) ...")
        t0 = time.perf_counter()
        comparator = train_demo_comparator(**options)
        train_seconds = time.perf_counter() - t0
        say(f"trained in {train_seconds:.1f} s")

    say("comparing the athlete with the coach ...")
    report = compare(coach, athlete, comparator, align=True)

    paths = {"report_json": report.to_json(out / "report.json"),
             "report_csv": report.to_csv(out / "report.csv")}
    result = DemoResult(report=report, coach=coach, athlete=athlete, truth=truth,
                        comparator=comparator, paths=paths, train_seconds=train_seconds)
    paths["coach"] = Path(coach.save(out / "coach.npz") or out / "coach.npz")
    paths["athlete"] = Path(athlete.save(out / "athlete.npz") or out / "athlete.npz")
    paths["comparator"] = Path(comparator.save(out / "comparator.keras") or
                               out / "comparator.keras")
    if plot:
        figure = write_plot(report, out / "report.png")  # the figure hook
        if figure is not None:
            paths["plot"] = figure
    paths["messages"] = out / "feedback.txt"
    from sitrex._atomic import atomic_write

    with atomic_write(paths["messages"], "w", encoding="utf-8") as f:
        f.write("\n".join(result.lines()) + "\n")
    result.total_seconds = time.perf_counter() - start
    return result
