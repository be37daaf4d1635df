"""compare_many(): many athletes against one coach, on local processes or a Dask cluster.

The coach is read, cleaned and prepared **once**, in the calling process: its
pose (for a video), angles, usefulness, repetitions and the comparator's
embedding of its reference (:mod:`sitrex.feedback.coach`). Every athlete is
then one task, run where :func:`sitrex._parallel.run_tasks` sends it (this
process, local worker processes, or the workers of a Dask cluster): the
athlete is read (pose estimation for a video, with a backend built once per
worker), cleaned and scored against that coach, exactly as
:func:`sitrex.compare` does for one athlete.

With an output folder, each report is written by the worker that made it,
atomically, as ``<athlete>.json``; the run is **resumable** (a finished
report is skipped, and read back for the summary, when it was made with the
same coach and options: each report records them) and one athlete that fails
is reported in the summary without stopping the others. At the end the
summary table is written, atomically too: ``summary.csv`` and
``summary.json`` (athlete, status, score, worst angles, repetitions, coach
mirrored, report, error).
"""

from __future__ import annotations

import contextlib
import os
import time
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from sitrex._atomic import input_overwritten, output_folder, remove_leftovers
from sitrex.exceptions import InputError, MissingFileError

from ._inputs import DEFAULT_FPS
from ._many_inputs import ARRAY_SUFFIX, is_array_file, load_array_file, run_record
from .pipeline import CompareOptions, check_options
from .table import (RUN_RECORD, SUMMARY_FILES, AthleteResult, ManyResult, finished_report,
                    report_summary, written_by_a_run)

__all__ = ["athlete_inputs", "compare_many"]


# ---------------------------------------------------------------------------- inputs
def _input_suffixes() -> tuple[str, ...]:
    from sitrex.io import SUPPORTED_SUFFIXES
    from sitrex.video import VIDEO_SUFFIXES

    return (*VIDEO_SUFFIXES, *SUPPORTED_SUFFIXES, ARRAY_SUFFIX)


def _check_name(name: Any) -> str:
    text = str(name)
    if not text or text.startswith(".") or "/" in text or "\\" in text:
        raise InputError(f"athlete name {text!r} cannot name a report file; use names without "
                         "slashes that do not start with a dot")
    if f"{text}.json" in SUMMARY_FILES or f"{text}.csv" in SUMMARY_FILES:
        raise InputError(f"an athlete named {text!r} would overwrite the summary table; "
                         "rename it")
    return text


def athlete_inputs(athletes: Any) -> dict[str, Any]:
    """Athletes by name: a folder's files, files, or in-memory inputs (what compare_many takes).

    Parameters
    ----------
    athletes : folder, path, sequence or mapping
        A folder (its videos, landmark files and ``.npy`` arrays; not its
        sub-folders, its hidden files, whose names start with a dot, nor the
        reports and summary tables compare_many wrote there), a file, a
        sequence of those (and of Skeletons or angle or landmark arrays), or
        a mapping of names to inputs.

    Returns
    -------
    dict of str to input
        Files are named by their stem; other inputs ``athlete-001``,
        ``athlete-002``, ... by position.

    Raises
    ------
    sitrex.exceptions.MissingFileError
        For a path that does not exist.
    sitrex.exceptions.InputError
        For two athletes of the same name (their reports would collide), an
        empty folder, or no athlete at all.

    Examples
    --------
    >>> import numpy as np
    >>> list(athlete_inputs([np.zeros((5, 23)), np.zeros((5, 23))]))
    ['athlete-001', 'athlete-002']
    >>> list(athlete_inputs({"ann": np.zeros((5, 23))}))
    ['ann']
    >>> list(athlete_inputs(np.zeros((5, 33, 3))))           # one clip's landmarks
    ['athlete-001']
    >>> from sitrex import Skeleton
    >>> list(athlete_inputs(Skeleton(np.zeros((5, 33, 3)))))  # one clip, not five frames
    ['athlete-001']
    """
    if isinstance(athletes, Mapping):
        named = {_check_name(k): v for k, v in athletes.items()}
        if len(named) != len(athletes):
            raise InputError("two athletes have the same name once written as text; rename them")
    else:
        items = [athletes] if _one_athlete(athletes) else list(athletes)
        named = {}
        for position, item in enumerate(items, start=1):
            for name, value in _expand(item, position):
                if name in named:
                    raise InputError(
                        f"two athletes are named {name!r} (their reports would both be "
                        f"{name}.json): rename one, or pass a dict of names to inputs")
                named[name] = value
    if not named:
        raise InputError("no athlete to compare: pass files, a folder of videos or landmark "
                         "files, or a dict of names to inputs")
    return named


def _one_athlete(athletes: Any) -> bool:
    """A path, a Skeleton, or one clip's array (angles (T, A) or landmarks (T, 33, 3 or 2))."""
    from sitrex.skeleton import Skeleton

    from ._inputs import is_landmark_array

    if isinstance(athletes, (str, os.PathLike, Skeleton)):
        return True
    ndim = getattr(athletes, "ndim", None)
    return ndim == 2 or (ndim == 3 and is_landmark_array(athletes))


def _expand(item: Any, position: int) -> Iterable[tuple[str, Any]]:
    if not isinstance(item, (str, os.PathLike)):
        return [(f"athlete-{position:03d}", item)]
    path = Path(item)
    if path.is_dir():
        suffixes = _input_suffixes()
        files = sorted(p for p in path.iterdir()
                       if p.is_file() and p.suffix.lower() in suffixes
                       and not p.name.startswith(".")      # macOS' ._ files, .DS_Store, ...
                       and not written_by_a_run(p))        # -o the athletes' own folder
        if not files:
            raise InputError(f"the folder {str(path)!r} holds no video or landmark file "
                             f"({', '.join(suffixes)})")
        return [(_check_name(p.stem), p) for p in files]
    if not path.is_file():
        raise MissingFileError(f"athlete file {str(path)!r} does not exist; check the path")
    return [(_check_name(path.stem), path)]


def _is_video(value: Any) -> bool:
    from sitrex.video import VIDEO_SUFFIXES

    return isinstance(value, (str, os.PathLike)) and Path(value).suffix.lower() in VIDEO_SUFFIXES


# ---------------------------------------------------------------------------- the work
def _compare_one(athlete: Any, output: str | None, *, options: CompareOptions, coach,
                 backend: Any, backend_options: dict[str, Any],
                 made_with: dict[str, str] | None = None):
    """Worker: one athlete against the prepared coach; its report written atomically.

    Returns the report's columns of the summary table (:func:`report_summary`)
    when the report is written to `output` (recording `made_with` in it),
    else the report itself.
    """
    if isinstance(backend, str) and _is_video(athlete):
        from sitrex.backends.batch import reusable_backend

        backend = reusable_backend(backend, backend_options)
    if is_array_file(athlete):
        athlete = load_array_file(athlete)
    report = options.score(coach, options.load(athlete, "athlete", backend))
    if output is None:
        return report
    report.metadata[RUN_RECORD] = made_with
    report.to_json(output)
    return report_summary(report)


def _written_during_run(output: str | None, since: float) -> AthleteResult | None:
    """The finished report at `output` if it was written at or after `since`, else None."""
    if output is None:
        return None
    path = Path(output)
    try:
        fresh = path.stat().st_mtime >= since - 1.0     # file systems round times
    except OSError:
        return None
    return finished_report(path) if fresh else None


def _check_backend(backend: Any, inputs: list[Any], in_process: bool) -> Any:
    from sitrex.backends import PoseBackend

    if backend is None:
        backend = "mediapipe"
    if isinstance(backend, PoseBackend):
        if not in_process:
            raise InputError(
                "a PoseBackend object cannot be sent to worker processes; pass the backend's "
                "name (backend='mediapipe') and its options (backend_options={...}) instead")
        return backend
    if not isinstance(backend, str):
        raise InputError(f"backend must be a backend name such as 'mediapipe' or 'yolo', or a "
                         f"sitrex.backends.PoseBackend; got {type(backend).__name__}")
    if any(_is_video(v) for v in inputs):
        from sitrex.backends._registry import _not_found, list_backends

        if backend not in list_backends():
            raise _not_found(backend, "not installed or not usable")
    return backend


@contextlib.contextmanager
def _opened(backend: Any, backend_options: dict[str, Any], needed: bool,
            progress: bool | None) -> Iterator[Any]:
    """A backend instance made here from a name, when `needed` (closed afterwards); else `backend`."""
    if not (needed and isinstance(backend, str)):
        yield backend
        return
    from sitrex.backends import get_backend

    with get_backend(backend, **{"progress": progress, **backend_options}) as pose:
        yield pose


def _prepare_coach(coach: Any, options: CompareOptions, backend: Any,
                   backend_options: dict[str, Any], progress: bool | None):
    with _opened(backend, backend_options, _is_video(coach), progress) as pose:
        prepared = options.prepare_coach(options.load(coach, "coach", pose))
    if not options.align:   # the reference is encoded here, once, for every athlete
        prepared.reference_embedding(options.comparator)
    return prepared


def _refuse_overwriting_inputs(folder: Path, coach: Any, named: dict[str, Any]) -> None:
    """No report or summary may land on a file this comparison reads."""
    written = [str(folder / f"{name}.json") for name in named]
    written += [str(folder / f) for f in SUMMARY_FILES]
    clash = input_overwritten({path: path for path in written},
                              {"the coach": coach,
                               **{f"athlete {name!r}": v for name, v in named.items()}})
    if clash:
        path, role = clash
        raise InputError(f"{path!r} is an input ({role}) and would be overwritten by a report or "
                         "the summary; choose an output folder that holds no input file")


def _warn_unknown_rates(named: dict[str, Any], fps: float | None) -> None:
    """Athletes whose frame rate is not known here, said once (worker processes' warnings do
    not reach the user)."""
    from sitrex.skeleton import Skeleton

    if fps is not None:
        return
    unknown = [name for name, v in named.items()
               if (isinstance(v, Skeleton) and v.fps is None) or is_array_file(v)
               or not isinstance(v, (Skeleton, str, os.PathLike))]
    if unknown:
        listed = ", ".join(map(repr, unknown[:3])) + (", ..." if len(unknown) > 3 else "")
        warnings.warn(f"{len(unknown)} athlete(s) ({listed}) have no frame rate; assuming "
                      f"{DEFAULT_FPS:g} fps (give it with fps=... in Python or --fps on the "
                      "command line)", UserWarning, stacklevel=3)


def _plan(named: dict[str, Any], folder: Path | None, overwrite: bool,
          made_with: dict[str, str] | None
          ) -> tuple[dict[str, AthleteResult], list[str], list[dict[str, Any]], list[str]]:
    """Each athlete's line, the athletes to compare (names, task arguments), and those whose
    report was made with another coach or other options (compared again)."""
    rows, names, tasks, outdated = {}, [], [], []
    for name, value in named.items():
        output = None if folder is None else folder / f"{name}.json"
        done = (output is not None and not overwrite and output.is_file()
                and finished_report(output, made_with))
        if done and done.status == "outdated":
            outdated.append(name)
            done = None
        rows[name] = done or AthleteResult(name, "compared")
        if not done:
            names.append(name)
            tasks.append({"athlete": value, "output": None if output is None else str(output)})
    return rows, names, tasks, outdated


def _say_outdated(outdated: list[str], folder: Path) -> str:
    """The note (and warning) that reports of an earlier run were made otherwise."""
    listed = ", ".join(map(repr, outdated[:3])) + (", ..." if len(outdated) > 3 else "")
    note = (f"{len(outdated)} report(s) in {str(folder)!r} ({listed}) were made with another "
            "coach, other options or comparator, or by an earlier sitrex; those athletes are "
            "compared again and their reports replaced")
    warnings.warn(note, UserWarning, stacklevel=3)
    return note


def compare_many(coach: Any, athletes: Any, comparator=None, backend=None, *,
                 output_dir: str | os.PathLike[str] | None = None, overwrite: bool = False,
                 client: Any = None, n_jobs: int | None = None, progress: bool | None = None,
                 backend_options: dict[str, Any] | None = None, **options: Any) -> ManyResult:
    """Compare many athletes with one coach; the coach is prepared once.

    Parameters
    ----------
    coach : str, os.PathLike, Skeleton or array_like
        As in :func:`sitrex.compare`.
    athletes : folder, path, sequence or mapping
        A folder (its videos, landmark files and ``.npy`` arrays), files,
        Skeletons, angle or landmark arrays, or a mapping of names to any of
        those (see :func:`athlete_inputs`).
    comparator : sitrex.ExerciseComparator, optional
        Fitted. Default: ``ExerciseComparator.from_pretrained()`` (the default weights).
    backend : str or sitrex.backends.PoseBackend, optional
        Pose backend for videos (default ``"mediapipe"``). Give a name when
        the athletes run in worker processes: each worker builds the backend
        once, with `backend_options`, and finds its model file itself
        (``model_path`` in `backend_options`, the environment variable, the
        cache).
    output_dir : str or os.PathLike, optional
        Write each report as ``<athlete>.json`` (by the worker that made it,
        atomically) and the summary table as ``summary.csv`` and
        ``summary.json``. Reports already there are skipped (a rerun
        resumes) when they were made with the same coach and options (each
        report records them); the others are made again, with a warning.
        It may be the athletes' folder: its reports and summary are not
        taken for athletes. Without it, the reports are returned in memory.
    overwrite : bool, default False
        Compare again the athletes whose report exists.
    client : dask.distributed.Client, optional
        Run the athletes on this Dask cluster (`n_jobs` is then ignored).
        The workers need sitrex installed and the input and output paths
        under the same names (a shared file system); see :doc:`/scaling`.
    n_jobs : int, optional
        Local worker processes (joblib); None follows
        :func:`joblib.parallel_config` (one process unless configured, and
        the Dask cluster of the current client inside
        ``parallel_config(backend="dask")``). Each worker process loads the
        comparator once (seconds), so more processes pay off with many
        athletes or with videos.
    progress : bool, optional
        A progress bar over athletes (None: only on a terminal).
    backend_options : dict, optional
        Constructor options of the backend, e.g. ``{"model": "lite"}``.
    **options
        :func:`sitrex.compare`'s options (``kind``, ``window_seconds``,
        ``stride``, ``threshold``, ``align``, ``repetitions``, ``fps``,
        ``smooth``, ``coach_rep``, ...), checked before any input is read.

    Returns
    -------
    ManyResult
        One :class:`AthleteResult` per athlete; the reports (in memory, or
        in `output_dir`); the summary files.

    Raises
    ------
    sitrex.exceptions.InputError
        For a bad option, bad athlete names, or a coach that cannot be
        compared (the coach is needed by every athlete). An athlete that
        cannot be compared is not an error: its line says why.
    sitrex.exceptions.MissingFileError
        For a coach or athlete path that does not exist.
    sitrex.exceptions.OutputError
        If `output_dir` cannot be created or written (checked before any work).

    Notes
    -----
    A report is the same as ``compare(coach, athlete, comparator, ...)``
    with the same options would give. A worker process that dies loses only
    the athlete it was on; on a Dask cluster the scheduler gives that
    athlete to another worker, with local processes the athletes not
    finished yet are reported as not run (one whose report was written
    before the pool stopped counts as compared: the summary says what is
    on disk). A rerun with the same `output_dir` compares only the athletes
    without a report made with the same coach and options.

    Examples
    --------
    >>> import numpy as np
    >>> from sitrex import ExerciseComparator, make_pairs
    >>> rng = np.random.default_rng(0)
    >>> seqs = [rng.uniform(0, 180, (20, 2)) for _ in range(4)]
    >>> X, y = make_pairs(seqs, ["a", "a", "b", "b"], {"a": [0], "b": [1]}, n_pairs=8,
    ...                   max_len=8, random_state=0, pad=False)
    >>> cmp = ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4, max_len=8,
    ...                          epochs=1, random_state=0).fit(X, y)
    >>> result = compare_many(seqs[0], {"ann": seqs[1], "bob": seqs[2][:3]}, cmp, fps=30.0,
    ...                       repetitions=False, smooth=False)
    >>> result
    ManyResult(compared=1, skipped=0, failed=1)
    >>> result.reports["ann"].similarity.shape, result.failed["bob"][:40]
    ((20, 2), "InputError: the athlete's clip is 0.10 s")
    """
    from sitrex._parallel import check_client, run_tasks, runs_in_process
    from sitrex.video import progress_enabled

    checked = check_options(comparator, **options)
    client = check_client(client)
    named = athlete_inputs(athletes)
    backend_options = dict(backend_options or {})
    in_process = runs_in_process(client, n_jobs)
    backend = _check_backend(backend, [coach, *named.values()], in_process)
    folder = made_with = None
    if output_dir is not None:
        folder = output_folder(output_dir, "output_dir", writable=True)
        _refuse_overwriting_inputs(folder, coach, named)
        made_with = run_record(coach, checked, backend, backend_options)
    if not in_process:
        _warn_unknown_rates(named, checked.fps)
    rows, names, tasks, outdated = _plan(named, folder, overwrite, made_with)
    result = ManyResult(notes=[_say_outdated(outdated, folder)] if outdated else [])
    started = time.time()
    if tasks:
        prepared = _prepare_coach(coach, checked, backend, backend_options, progress)
        # in this process, one backend serves every athlete; workers build their own
        local_videos = in_process and any(_is_video(task["athlete"]) for task in tasks)
        bar = None
        if progress_enabled(progress):
            from tqdm.auto import tqdm

            bar = tqdm(total=len(tasks), unit="athlete", desc="comparing athletes")
        try:
            with _opened(backend, backend_options, local_videos, False) as pose:
                shared = {"options": checked, "coach": prepared, "backend": pose,
                          "backend_options": backend_options, "made_with": made_with}
                for outcome in run_tasks(_compare_one, tasks, shared=shared, client=client,
                                         n_jobs=n_jobs):
                    name = names[outcome.index]
                    _record(rows[name], outcome, tasks[outcome.index]["output"], result.reports,
                            since=started)
                    if bar is not None:
                        bar.update(1)
        finally:
            if bar is not None:
                bar.close()
            for task in tasks:      # what a worker killed mid-write left (a broken pool)
                if task["output"] is not None:
                    remove_leftovers(task["output"])
    result.rows = [rows[name] for name in named]
    if folder is not None:
        result.write_summary(folder, coach=str(coach) if isinstance(coach, (str, os.PathLike))
                             else None)
    return result


def _record(row: AthleteResult, outcome, output: str | None, reports: dict, *,
            since: float) -> None:
    """Fill an athlete's line from its task's outcome (and keep its report when in memory).

    A task reported "not run" because the workers stopped may still have
    finished: its worker wrote the report (atomically) just before the pool
    broke. A report written during this run (at or after `since`) counts
    as compared, so that the summary says what is on disk.
    """
    if not outcome.ok:
        written = _written_during_run(output, since) if outcome.not_run else None
        if written is None:
            row.status, row.error = "failed", outcome.error
        else:
            row.take(written.report_fields())
            row.report = output
    elif output is None:
        reports[row.athlete] = outcome.value
        row.take(report_summary(outcome.value))
    else:
        row.take(outcome.value)
        row.report = output


