"""Running the demo: compare a coach and a faulty athlete, write the report and the figure."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sitrex._atomic import output_folder
from sitrex.exceptions import InputError
from sitrex.demo.training import _TRAIN_EXERCISES, train_demo_comparator

__all__ = ["DemoResult", "run_demo", "write_plot"]


def write_plot(report, path: str | Path) -> Path | None:
    """HOOK for the demo's figure: draw `report` to `path` (PNG or SVG).

    :func:`run_demo` calls this once, after the report is written. It uses
    :func:`sitrex.plots.save_report_figure` and returns None, drawing
    nothing, when matplotlib (the ``sitrex[plots]`` extra) or that function is
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
    sitrex.exceptions.InputError: fault 'torso_lean' does not apply to the exercise 'arm curl'; for it choose 'incomplete_rom'
    """
    import sys

    from sitrex.datasets import make_exercise
    from sitrex.datasets.synthetic import EXERCISES, FAULT_TABLE, FAULTS
    from sitrex.feedback import compare

    start = time.perf_counter()
    if exercise not in EXERCISES:
        raise InputError(f"unknown exercise {exercise!r}; choose one of {', '.join(EXERCISES)}")
    if fault not in FAULTS:
        raise InputError(f"unknown fault {fault!r}; choose one of {', '.join(FAULTS)}")
    if exercise not in FAULT_TABLE[fault]["angles"]:
        fits = [f for f in FAULTS if exercise in FAULT_TABLE[f]["angles"]]
        raise InputError(f"fault {fault!r} does not apply to the exercise {exercise!r}; for it "
                         f"choose {', '.join(map(repr, fits)) or 'another exercise'}")
    if log is None:
        def log(line: str) -> None:
            print(line, file=sys.stderr, flush=True)
    say = log if progress else (lambda line: None)
    out = output_folder(output_dir, "output_dir")
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
        from sitrex import demo  # the figure hook, looked up where it can be replaced

        figure = demo.write_plot(report, out / "report.png")
        if figure is not None:
            paths["plot"] = figure
    paths["messages"] = out / "feedback.txt"
    from sitrex._atomic import atomic_write

    with atomic_write(paths["messages"], "w", encoding="utf-8") as f:
        f.write("\n".join(result.lines()) + "\n")
    result.total_seconds = time.perf_counter() - start
    return result
