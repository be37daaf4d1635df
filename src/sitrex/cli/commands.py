"""What each ``sitrex`` sub-command does.

Every command takes the parsed arguments and returns ``(payload, text,
status)``: a JSON-safe dict for ``--json``, the text printed otherwise, and a
key of :data:`sitrex.cli.EXIT_CODES`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from sitrex.exceptions import InputError, MissingFileError
from sitrex.cli import CommandError
from sitrex._atomic import input_overwritten
from sitrex.cli._checks import output_file, output_folder


def _backend_options(args) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if getattr(args, "model_size", None):
        options["model"] = args.model_size
    if getattr(args, "model_path", None):
        options["model_path"] = args.model_path
    return options


def _progress(args) -> bool | None:
    return False if args.quiet else None


def _say(args, message: str) -> None:
    """A progress message on stderr (stdout stays clean for --json)."""
    if not args.quiet:
        import sys

        print(message, file=sys.stderr, flush=True)


def _say_failures(args, lines: list[str]) -> None:
    """The items of a batch that failed, one per line on stderr, when the text result (which
    lists them) is not printed: errors show even with --quiet and --json."""
    if lines and (args.quiet or args.json):
        import sys

        for line in lines:
            print(f"sitrex {args.command}: {line}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- demo
def demo(args):
    from sitrex.demo import run_demo

    result = run_demo(output_folder(args.output, "-o/--output"), random_state=args.seed,
                      progress=not args.quiet)
    return result.to_payload(), result.to_text(), "ok"


# ---------------------------------------------------------------------------- compare
def _execution(value: str):
    """A .npy file is an array (angles or landmarks); anything else is a path for compare."""
    from sitrex.feedback._many_inputs import is_array_file, load_array_file

    return load_array_file(value) if is_array_file(value) else value


def _comparator(args, default: str | None = None):
    """The comparator of --comparator, else of --weights (else `default`, else sitrex's default)."""
    from sitrex.estimators import ExerciseComparator, load_comparator

    if args.comparator:
        return load_comparator(args.comparator)
    return ExerciseComparator.from_pretrained(args.weights or default, path=args.weights_path)


def _compare_outputs(args) -> dict[str, Path | None]:
    """Every output of `sitrex compare`, checked before any video is read."""
    for option, value in (("--athlete-video", args.athlete_video),
                          ("--coach-video", args.coach_video)):
        if value and not args.video:
            raise CommandError(f"{option} is the video --video draws on; give --video too",
                               "usage")
    if args.coach_video and not args.side_by_side:
        raise CommandError("--coach-video is drawn only with --side-by-side", "usage")
    if args.video:
        for role, value in (("ATHLETE", args.athlete),) + ((("COACH", args.coach),)
                                                           if args.side_by_side else ()):
            if Path(value).suffix.lower() == ".npy":
                raise CommandError(f"--video draws on the poses: {role} {value!r} is a .npy "
                                   "array; give a video or a landmark file (.npz, .json), or "
                                   "drop --video", "usage")
            _check_image_units(role, value)
    outputs = {"report": output_file(args.output, "-o/--output", (".json",)),
               "csv": output_file(args.csv, "--csv", (".csv",)),
               "plot": output_file(args.plot, "--plot", (".png", ".svg")),
               "video": output_file(args.video, "--video", (".mp4",))}
    clash = input_overwritten(outputs, {"COACH": args.coach, "ATHLETE": args.athlete})
    if clash:
        what, role = clash
        raise CommandError(f"the {what} would overwrite {role} {str(outputs[what])!r}, an input "
                           "of this comparison; write it elsewhere", "usage")
    return outputs


def _check_image_units(role: str, value: str) -> None:
    """--video draws a landmark file's poses on the image: they must be in image units."""
    if Path(value).suffix.lower() not in (".npz", ".json"):
        return                                  # a video: its poses are estimated in the image
    from sitrex.io import load_skeleton

    try:
        load_skeleton(value).pixel_coords()
    except InputError as exc:
        raise CommandError(f"--video draws on the poses, but {role} {value!r} holds landmarks "
                           f"that cannot be placed on an image ({exc}); give a video or a "
                           "landmark file from `sitrex extract`, or drop --video",
                           "usage") from None


def _compare_options(args) -> dict[str, Any]:
    """sitrex.compare's options from the command line (one athlete or many)."""
    return dict(kind=args.kind, window_seconds=args.window, warmup_seconds=args.warmup,
                stride=args.stride, threshold=args.threshold, align=args.align,
                smooth=not args.no_smooth, coach_rep=args.coach_rep, fps=args.fps,
                sides=args.sides)


def compare(args):
    from sitrex.backends import get_backend
    from sitrex.feedback import compare as run_compare

    if args.more_athletes or Path(args.athlete).is_dir():
        return compare_folder(args)
    for value in (args.coach, args.athlete):
        if not Path(value).exists():
            raise MissingFileError(f"no such file: {value}")
    if Path(args.coach).is_dir():
        raise InputError(f"COACH {args.coach!r} is a folder, not a file; give the coach's video "
                         "or landmark file (a folder is for athletes)")
    outputs = _compare_outputs(args)
    comparator = _comparator(args)
    coach, athlete = _execution(args.coach), _execution(args.athlete)
    needs_pose = any(isinstance(v, str) and Path(v).suffix.lower() not in (".npz", ".json")
                     for v in (coach, athlete))
    backend = (get_backend(args.backend, progress=_progress(args), **_backend_options(args))
               if needs_pose else args.backend)
    if args.video:
        for role, value, option in (("athlete", args.athlete, args.athlete_video),
                                    ("coach", args.coach, args.coach_video if args.side_by_side
                                     else "")):
            if option is None and Path(value).suffix.lower() in (".npz", ".json"):
                _say(args, f"--video: the {role}'s landmarks are drawn on black frames (no "
                           f"video is given with them; --{role}-video FILE draws them on it)")
    _say(args, "comparing the athlete with the coach ...")
    report = run_compare(coach, athlete, comparator, backend, **_compare_options(args))
    written = {}
    if outputs["report"]:
        written["report"] = str(report.to_json(outputs["report"]))
    if outputs["csv"]:
        written["csv"] = str(report.to_csv(outputs["csv"]))
    if outputs["plot"]:
        from sitrex.plots import save_report_figure

        written["plot"] = str(save_report_figure(report, outputs["plot"]))
    if outputs["video"]:
        from sitrex.overlay import render_overlay

        written["video"] = str(render_overlay(report, outputs["video"],
                                              athlete_video=args.athlete_video,
                                              coach_video=args.coach_video,
                                              side_by_side=args.side_by_side,
                                              progress=_progress(args)))
    payload = {"report": report.to_dict(), "written": written}
    lines = list(report.messages) or ["no difference from the coach on the angles that matter"]
    lines += [f"wrote {what}: {where}" for what, where in written.items()]
    return payload, "\n".join(lines), "ok"


@contextlib.contextmanager
def _dask_client(args) -> Iterator[Any]:
    """A client of the Dask cluster named by --dask (None without it), closed afterwards."""
    if not getattr(args, "dask", None):
        yield None
        return
    from sitrex._imports import import_optional

    distributed = import_optional("distributed", "running on a Dask cluster (--dask)", "dask")
    try:
        client = distributed.Client(args.dask, timeout="20s", set_as_default=False)
    except (OSError, ValueError) as exc:
        raise CommandError(f"cannot reach the Dask scheduler at {args.dask!r} ({exc}); check "
                           "the address (tcp://host:8786) and that the scheduler runs", "input")
    with client:
        yield client


def compare_folder(args):
    """`sitrex compare COACH ATHLETE... -o OUT_DIR`: one report per athlete and a summary."""
    from sitrex.feedback.many import athlete_inputs, compare_many

    for option in ("csv", "plot", "video", "athlete_video", "coach_video"):
        if getattr(args, option):
            raise CommandError(f"--{option.replace('_', '-')} is for one athlete; with several "
                               "athletes (or a folder) each report goes to -o OUT_DIR, with "
                               "summary.csv and summary.json", "usage")
    if not args.output:
        raise CommandError("with several athletes (or a folder of them), give the folder for "
                           "their reports: -o OUT_DIR", "usage")
    if not Path(args.coach).exists():
        raise MissingFileError(f"no such file: {args.coach}")
    folder = output_folder(args.output, "-o/--output")
    athletes = athlete_inputs([args.athlete, *args.more_athletes])   # .npy: read by the workers
    comparator = _comparator(args)
    _say(args, f"comparing {len(athletes)} athletes with the coach ...")
    with _dask_client(args) as client:
        result = compare_many(_execution(args.coach), athletes, comparator, args.backend,
                              output_dir=folder, overwrite=args.overwrite, client=client,
                              n_jobs=None if client is not None else args.jobs,
                              progress=_progress(args), backend_options=_backend_options(args),
                              **_compare_options(args))
    lines = []
    for row in result.rows:
        if row.status == "failed":
            lines.append(f"{row.athlete}: failed: {row.error}")
            continue
        score = "no score" if row.score is None else f"score {row.score:.2f}"
        reps = ("" if row.repetitions is None else
                f", {row.repetitions} repetition{'' if row.repetitions == 1 else 's'}")
        worst = f", worst: {', '.join(row.worst_angles)}" if row.worst_angles else ""
        worst += ", coach mirrored (the other side)" if row.coach_mirrored else ""
        worst += ", alternates sides (each compared on its side)" if row.alternates else ""
        done = " (done earlier)" if row.status == "skipped" else ""
        lines.append(f"{row.athlete}: {score}{reps}{worst}{done}")
    lines.append(f"compared {len(result.compared)}, skipped {len(result.skipped)} (already "
                 f"done), failed {len(result.failed)}")
    lines += [f"wrote {what}: {where}" for what, where in result.summary.items()]
    payload = {**result.to_dict(), "written": {k: str(v) for k, v in result.summary.items()}}
    if result.failed and not result.compared and not result.skipped:
        raise CommandError("no athlete could be compared:\n" + "\n".join(
            f"  {name}: {why}" for name, why in result.failed.items()) +
            f"\n{len(result.failed)} failed; summary: {result.summary.get('csv')}")
    _say_failures(args, [f"{name}: failed: {why}" for name, why in result.failed.items()])
    return payload, "\n".join(lines), "ok" if result.ok else "partial"


# ---------------------------------------------------------------------------- extract
def extract(args):
    from sitrex.backends import extract_videos, get_backend, list_backends
    from sitrex.backends.batch import check_video_paths

    if args.backend not in list_backends():    # an unknown or unusable backend, said first
        get_backend(args.backend)
    check_video_paths(args.videos)
    output_folder(args.output, "-o/--output")
    # the backend and its model file are checked once, here, not once per video in the
    # workers: one pose on a blank image loads the model (a damaged file fails now)
    with get_backend(args.backend, **_backend_options(args)) as pose:
        pose.estimate_image(np.zeros((64, 64, 3), np.uint8))
    started = time.perf_counter()
    with _dask_client(args) as client:
        result = extract_videos(args.videos, args.output, args.backend,
                                backend_options=_backend_options(args),
                                suffix=f".{args.format}", n_jobs=args.jobs,
                                overwrite=args.overwrite, progress=_progress(args),
                                client=client)
    payload = {"written": [str(p) for p in result.written],
               "skipped": [str(p) for p in result.skipped],
               "failed": {str(k): v for k, v in result.failed.items()},
               "warnings": {str(k): v for k, v in result.warnings.items()},
               "seconds": round(time.perf_counter() - started, 3)}
    lines = [f"wrote {len(result.written)}, skipped {len(result.skipped)} (already done), "
             f"failed {len(result.failed)}"]
    failures = [f"failed: {video}: {why}" for video, why in result.failed.items()]
    lines += failures
    if result.failed and not result.written and not result.skipped:
        raise CommandError("no video could be processed:\n" + "\n".join(
            f"  {video}: {why}" for video, why in result.failed.items()) +
            f"\n{len(result.failed)} failed, 0 written")
    _say_failures(args, failures)
    return payload, "\n".join(lines), "ok" if result.ok else "partial"


# ---------------------------------------------------------------------------- datasets
def _dataset(spec: str, kind: str, seed: int):
    """A data set ready for the models: a SiTrEx folder, 'penn-action' or 'synthetic'."""
    from sitrex.datasets import load_penn_action, load_sitrex

    if spec == "penn-action":
        return load_penn_action(kind=kind, keep_skeletons=False).for_models()
    if spec == "synthetic":
        from sitrex.datasets import ExerciseDataset, SYNTHETIC_EXERCISE_ANGLES, make_exercise
        from sitrex.datasets._clips import exercise_columns

        from sitrex.angles import angle_names

        skeletons, labels = make_exercise(140, random_state=seed)
        sequences = [s.angles(kind) for s in skeletons]
        # as the real data sets' loaders: a multi-plane angle stands for its plane columns
        return ExerciseDataset(sequences, labels, angle_names(kind), kind,
                               exercise_angles=exercise_columns(SYNTHETIC_EXERCISE_ANGLES, kind),
                               meta={"source": "synthetic (sitrex.datasets.make_exercise)"}
                               ).for_models()
    path = Path(spec)
    if not path.exists():
        raise MissingFileError(f"no data set at {spec!r}: give a folder in the SiTrEx layout, "
                                "'penn-action' or 'synthetic'")
    return load_sitrex(path, kind).for_models()


def _estimator(args, dataset):
    from sitrex.estimators import ExerciseComparator

    return ExerciseComparator(max_len=args.max_len, epochs=args.epochs, random_state=args.seed,
                              angle_names=dataset.angle_names, verbose=0 if args.quiet else 1)


def train(args):
    from sitrex.pairs import make_pairs

    output = output_file(args.output, "-o/--output", (".keras",))
    dataset = _dataset(args.dataset, args.kind, args.seed)
    _say(args, f"training on {dataset}")
    X, y = make_pairs(dataset.sequences, dataset.labels, dataset.exercise_angles, args.pairs,
                      args.max_len, random_state=args.seed)
    started = time.perf_counter()
    comparator = _estimator(args, dataset).fit(X, y)
    seconds = time.perf_counter() - started
    comparator.metadata_ = {"angle_kind": args.kind, "trained_on": f"{args.dataset}: {dataset}",
                            "n_pairs": args.pairs}
    comparator.save(output)
    history = comparator.history_["similarity"]
    accuracy = history.get("binary_accuracy", [float("nan")])[-1]
    payload = {"model": str(output), "dataset": str(dataset), "angles": list(dataset.angle_names),
               "dropped_angles": dataset.meta.get("dropped_angles", []),
               "seconds": round(seconds, 2), "final_training_accuracy": accuracy}
    text = (f"trained on {len(X)} pairs in {seconds:.1f} s (final training per-angle accuracy "
            f"{100 * accuracy:.1f}%)\nwrote {output}")
    return payload, text, "ok"


def evaluate(args):
    from sitrex.model_selection import kfold_score, one_shot_score

    dataset = _dataset(args.dataset, args.kind, args.seed)
    _say(args, f"evaluating on {dataset} ({args.protocol})")
    common = dict(n_train_pairs=args.pairs, n_test_pairs=args.test_pairs,
                  random_state=args.seed, verbose=0 if args.quiet else 1)
    estimator = _estimator(args, dataset).set_params(verbose=0)
    if args.protocol == "kfold":
        scores = kfold_score(estimator, dataset, n_splits=5 if args.splits is None else args.splits,
                             **common)
    else:
        scores = one_shot_score(estimator, dataset, n_splits=args.splits, **common)
    payload = {"protocol": args.protocol, "dataset": str(dataset),
               "scores": [float(s) for s in scores], "mean": float(np.mean(scores)),
               "std": float(np.std(scores))}
    text = (f"{args.protocol}: per-angle accuracy {100 * np.mean(scores):.1f}% "
            f"+- {100 * np.std(scores):.1f} over {len(scores)} folds "
            f"({', '.join(f'{100 * s:.1f}' for s in scores)})")
    return payload, text, "ok"


# ---------------------------------------------------------------------------- backends
def backends(args):
    from sitrex.backends import list_backends

    statuses = list_backends(all=True)
    payload = {name: {"available": s.available, "entry_point": s.entry_point,
                      "reason": s.reason} for name, s in statuses.items()}
    width = max((len(n) for n in statuses), default=4)
    lines = [f"{name:<{width}}  {'available' if s.available else 'unavailable: ' + s.reason}"
             for name, s in statuses.items()]
    return payload, "\n".join(lines) or "no pose backend is registered", "ok"


# ---------------------------------------------------------------------------- live
def _live_outputs(args) -> tuple[Path | None, bool]:
    """The overlay video and whether to show a window, decided before any work."""
    from sitrex.live import display_available

    show = not args.no_window and display_available()
    output = args.output
    if output is None and not show:
        output = "sitrex-live.mp4"          # no display: the overlay goes to a file
        _say(args, f"no display here: writing the overlay to {output}")
    return output_file(output, "-o/--output", (".mp4",)), show


def live(args):
    from sitrex.backends import get_backend
    from sitrex.live import Camera, LiveComparator, PacedVideo, run_live

    if not Path(args.coach).exists():
        raise MissingFileError(f"no such file: {args.coach}")
    if args.video is not None and not Path(args.video).exists():
        raise MissingFileError(f"no such file: {args.video}")
    if args.every_frame and args.video is None:
        raise CommandError("--every-frame reads a --video file frame by frame; a camera is "
                           "always live", "usage")
    output, show = _live_outputs(args)
    from sitrex.live import LIVE_DEFAULT_WEIGHTS

    # the feed first: a wrong --camera number is said before the coach is prepared
    source = (PacedVideo(args.video, realtime=not args.every_frame)
              if args.video is not None else Camera(args.camera or 0))
    comparator = _comparator(args, default=LIVE_DEFAULT_WEIGHTS)
    options = _backend_options(args)
    if args.backend == "mediapipe":
        options.setdefault("model", "lite")             # the live default: the fastest model
    backend = get_backend(args.backend, progress=False, **options)
    _say(args, "preparing the coach ...")
    with source, backend, LiveComparator(_execution(args.coach), comparator, backend=backend,
                                         window_seconds=args.window, stride=args.stride,
                                         threshold=args.threshold, coach_rep=args.coach_rep,
                                         fps=args.fps, sides=args.sides) as session:
        _say(args, f"live: {source!r}; stop with q or Ctrl-C")

        def verdict(rep):
            if not args.quiet and not args.json:
                print(f"{rep.turn:7.1f} s  {rep.message}", flush=True)

        run = run_live(session, source, output=output, show=show, on_repetition=verdict,
                       max_seconds=args.max_seconds)
    how = {"end": "the feed ended", "q": "stopped with q", "interrupt": "stopped with Ctrl-C",
           "limit": "--max-seconds reached"}[run.stopped_by]
    lines = [f"{len(run.repetitions)} repetition(s); {run.frames} frames compared in "
             f"{run.seconds:.1f} s ({run.fps:.1f} fps, {run.dropped} skipped); {how}"]
    if run.video is not None:
        lines.append(f"wrote overlay: {run.video} ({run.frames_written} frames)")
    return {"live": {**run.to_dict(), "sides": args.sides, "both_sides": session.both_sides}}, \
        "\n".join(lines), "ok"
