"""The ``sitrex`` command line.

``sitrex demo`` runs the whole main job offline; ``sitrex compare COACH
ATHLETE`` gives feedback on real executions; ``sitrex live --coach COACH``
gives it live, from a camera; ``extract``, ``train``, ``evaluate`` and
``backends`` cover the rest of the pipeline. Every command
takes ``--json`` (machine-readable output on stdout), ``--quiet`` (no
progress bars or messages) and ``--debug`` (full tracebacks).

Exit codes
----------
0 success; 1 an unexpected error; 2 a usage error (bad arguments);
3 bad or missing input (a missing file, an unreadable video, a video with no
person, malformed data); 4 a missing optional dependency or pose backend (the
message names the pip extra); 5 missing or damaged model or weight files (the
message says how to provide them); 6 some items of a batch failed; 7 an output
could not be written (permission, disk full, a folder in the way); 130
interrupted. Errors map to codes by their class in :mod:`sitrex.exceptions`,
the most specific class first (the table in ``docs/cli.rst``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import signal
import sys
import threading
import warnings
from collections.abc import Sequence

from sitrex import __version__

__all__ = ["EXIT_CODES", "build_parser", "console_main", "main"]

#: Exit status of each outcome (see the module documentation).
EXIT_CODES = {"ok": 0, "error": 1, "usage": 2, "input": 3, "dependency": 4, "model": 5,
              "partial": 6, "output": 7, "interrupted": 130}


class CommandError(Exception):
    """An expected failure: a one-line message and an exit status."""

    def __init__(self, message: str, status: str = "input"):
        super().__init__(message)
        self.status = status


def _common(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output")
    group.add_argument("--json", action="store_true",
                       help="print a JSON document on stdout instead of text")
    group.add_argument("-q", "--quiet", action="store_true",
                       help="no progress bars and no messages (errors still go to stderr)")
    group.add_argument("--debug", action="store_true", help="show full tracebacks on errors")


def _pose_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("pose estimation (video inputs)")
    group.add_argument("--backend", default="mediapipe",
                       help="pose backend (see `sitrex backends`; default mediapipe)")
    group.add_argument("--model-size", help="backend model size (mediapipe: lite/full/heavy; "
                                            "yolo: n/s/m/l/x)")
    group.add_argument("--model-path", help="the backend's model file, its model_path= option "
                                            "(mediapipe: a .task file, yolo: a .pt file; else "
                                            "its environment variable, cache or download)")


def _comparator_options(parser: argparse.ArgumentParser, default: str = "sitrex-default, "
                        "shipped with sitrex; sitrex-paper: the paper's") -> None:
    """The comparator to use (``compare`` and ``live``): pretrained weights or a saved one."""
    src = parser.add_mutually_exclusive_group()
    src.add_argument("--weights", default=None,
                     help=f"registered pretrained weights (default: {default})")
    src.add_argument("--comparator", metavar="FILE",
                     help="a comparator saved by `sitrex train` (.keras) instead of --weights")
    parser.add_argument("--weights-path", help="folder holding the weight files")


def _dask_option(parser) -> None:
    parser.add_argument("--dask", metavar="ADDRESS",
                        help="run on the Dask cluster whose scheduler is at ADDRESS "
                             "(tcp://host:8786) instead of local processes (sitrex[dask])")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sitrex`` command.

    Examples
    --------
    >>> args = build_parser().parse_args(["compare", "coach.mp4", "athlete.mp4", "--json"])
    >>> args.command, args.coach, args.json
    ('compare', 'coach.mp4', True)
    """
    from sitrex.cli import commands
    from sitrex.cli._checks import coach_rep, frame_rate, positive, probability, seconds, seed

    parser = argparse.ArgumentParser(
        prog="sitrex", description="Joint-by-joint feedback on workout exercises (SiTrEx).",
        epilog="Exit codes: 0 ok, 1 error, 2 usage, 3 bad input, 4 missing dependency, "
               "5 missing or damaged model files, 6 partial failure, 7 output not writable, "
               "130 interrupted.")
    parser.add_argument("--version", action="version", version=f"sitrex {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help="the whole main job offline, on synthetic data",
                       description="Make a coach and a faulty athlete with the synthetic "
                                   "generator, train a small comparator, compare them and "
                                   "print the feedback. Nothing to download or provide.")
    p.add_argument("-o", "--output", default="sitrex-demo",
                   help="folder for the report and the plot (default: ./sitrex-demo)")
    p.add_argument("--seed", type=seed, default=0,
                   help="random seed, 0 to 2**32-1 (default 0)")
    _common(p)
    p.set_defaults(run=commands.demo)

    p = sub.add_parser("compare", help="compare an athlete (or many) with a coach",
                       description="COACH and ATHLETE are videos, landmark files (.npz, "
                                   ".json) or NumPy arrays (.npy) of angles (frames, angles) "
                                   "or landmarks (frames, 33, 3 or 2). With several athletes, or "
                                   "a folder of them, one report per athlete is written into "
                                   "the folder -o OUT_DIR (<athlete>.json) with a summary "
                                   "table (summary.csv, summary.json); reports already there "
                                   "are skipped, so a rerun resumes.")
    p.add_argument("coach")
    p.add_argument("athlete", help="the athlete's file, or a folder of athletes' files")
    p.add_argument("more_athletes", nargs="*", metavar="ATHLETE", help="more athletes")
    p.add_argument("-o", "--output", help="write the report as JSON (one athlete), or the "
                                          "reports into this folder (several athletes)")
    p.add_argument("--csv", help="write the per-frame, per-angle similarity as CSV")
    p.add_argument("--video", help="write an overlay video (.mp4) of the athlete")
    p.add_argument("--side-by-side", action="store_true",
                   help="put the coach beside the athlete in --video")
    p.add_argument("--athlete-video", metavar="FILE",
                   help="with landmark files: the athlete's video (the one they were extracted "
                        "from) to draw --video on; default: black frames")
    p.add_argument("--coach-video", metavar="FILE",
                   help="the same for the coach, with --side-by-side")
    p.add_argument("--plot", help="write a figure (.png or .svg)")
    _comparator_options(p)
    _pose_options(p)
    p.add_argument("--kind", help="angle kind (default: the one the weights were trained on)")
    p.add_argument("--window", type=seconds, metavar="SECONDS",
                   help="window length in seconds (default: the coach's reference repetition); "
                        "--window, --warmup and --stride are for comparators scoring windows, "
                        "such as sitrex-paper; sitrex-default scores whole repetitions")
    p.add_argument("--warmup", type=seconds, metavar="SECONDS",
                   help="history a window needs before it is scored (default: half a window)")
    p.add_argument("--stride", type=positive(int), default=1, help="score every k-th window")
    p.add_argument("--align", action="store_true", help="align the athlete to the coach (DTW)")
    p.add_argument("--threshold", type=probability,
                   help="similarity below which an angle differs (between 0 and 1)")
    p.add_argument("--coach-rep", type=coach_rep, default="typical", metavar="REP",
                   help="what of the coach's clip to compare with: 'typical' (its most typical "
                        "repetition, the default), 'whole' (the whole clip) or a repetition "
                        "number (1 = the first)")
    p.add_argument("--sides", choices=("auto", "same", "mirrored"), default="auto",
                   help="compare each angle with the coach's on the same side ('same'), on the "
                        "other side ('mirrored': left and right swapped), or 'auto' (default): "
                        "mirrored when the coach's movement works one side and the athlete "
                        "works the other, as a patient copying a physiotherapist who faces them; "
                        "an athlete who alternates sides has each side's repetitions compared "
                        "with the coach on that side")
    p.add_argument("--no-smooth", action="store_true",
                   help="compare the raw angles (default: glitches removed, gaps bridged, "
                        "6 Hz zero-phase low-pass)")
    p.add_argument("--fps", type=frame_rate,
                   help="frame rate of inputs that have none (.npy arrays); default 30")
    group = p.add_argument_group("many athletes")
    group.add_argument("--jobs", type=positive(int), default=1,
                       help="worker processes (default 1; each loads the model once)")
    _dask_option(group)
    group.add_argument("--overwrite", action="store_true",
                       help="compare again the athletes whose report exists")
    _common(p)
    p.set_defaults(run=commands.compare)

    p = sub.add_parser(
        "live", help="live feedback from a camera (or a video read as one)",
        description="Per-angle feedback and a repetition count as the athlete moves, against "
                    "a coach's clip. Shows the overlay in a window when there is a display, "
                    "writes it with --output (or to sitrex-live.mp4 when there is no display); "
                    "prints each repetition's verdict as it happens. Stop with q or Ctrl-C: "
                    "every output is then complete.")
    p.add_argument("--coach", required=True,
                   help="the coach's clip: a video, a landmark file (.npz, .json) or a .npy array "
                        "of angles or landmarks")
    feed = p.add_mutually_exclusive_group()
    feed.add_argument("--camera", type=positive(int, minimum=0), metavar="N",
                      help="camera device number (default 0)")
    feed.add_argument("--video", metavar="FILE",
                      help="read a video file as if it were a camera, at its own pace")
    p.add_argument("--every-frame", action="store_true",
                   help="with --video: compare every frame, as fast as the machine goes (to "
                        "check results; not a live feed)")
    p.add_argument("-o", "--output", help="write the overlay video (.mp4)")
    p.add_argument("--no-window", action="store_true", help="never open a window")
    _comparator_options(p, default="sitrex-default, shipped with sitrex: each repetition is "
                                   "scored as it ends; sitrex-paper: every frame is scored")
    _pose_options(p)
    p.add_argument("--window", type=seconds, metavar="SECONDS",
                   help="window length in seconds (default: the coach's reference repetition; "
                        "comparators scoring windows, such as sitrex-paper, only)")
    p.add_argument("--stride", type=positive(int), default=1,
                   help="score every k-th model frame (for slow window comparators)")
    p.add_argument("--threshold", type=probability,
                   help="similarity below which an angle differs (between 0 and 1)")
    p.add_argument("--coach-rep", type=coach_rep, default="typical", metavar="REP",
                   help="'typical' (default), 'whole' or a repetition number (1 = the first)")
    p.add_argument("--sides", choices=("same", "mirrored", "auto", "alternating"), default="same",
                   help="compare with the coach's movement as recorded ('same', default) or "
                        "mirrored, left and right swapped ('mirrored': the athlete works the "
                        "other side, as a patient copying a physiotherapist who faces them); "
                        "'auto': with a one-sided coach, each side counted on its own and "
                        "compared with the coach on that side (either side, or alternating); "
                        "'alternating': the same for any coach, each repetition's side told by "
                        "its shape when both sides move (alternating lunges)")
    p.add_argument("--fps", type=frame_rate,
                   help="frame rate of a coach given as a .npy array; default 30")
    p.add_argument("--max-seconds", type=seconds, metavar="SECONDS",
                   help="stop after this many seconds of feed")
    _common(p)
    p.set_defaults(run=commands.live)

    p = sub.add_parser("extract", help="videos to landmark files")
    p.add_argument("videos", nargs="+", metavar="VIDEO")
    p.add_argument("-o", "--output", required=True, help="output folder")
    _pose_options(p)
    p.add_argument("--format", choices=("npz", "json"), default="npz")
    p.add_argument("--jobs", type=positive(int), default=2, help="worker processes (default 2)")
    _dask_option(p)
    p.add_argument("--overwrite", action="store_true", help="redo finished outputs")
    _common(p)
    p.set_defaults(run=commands.extract)

    for name, helptext in (("train", "train a comparator on a data set"),
                           ("evaluate", "the paper's evaluation protocols on a data set")):
        p = sub.add_parser(name, help=helptext, description=(
            "DATASET: a folder in the SiTrEx layout (<exercise>_json/*.json and "
            "exercise_angles.json), or 'penn-action' (the real clips in the data home, "
            "$SITREX_DATA or ~/sitrex_data), or 'synthetic' (generated)."))
        p.add_argument("dataset", metavar="DATASET")
        p.add_argument("--kind", default="unsigned", help="angle kind (default unsigned)")
        p.add_argument("--epochs", type=positive(int), default=20)
        p.add_argument("--max-len", type=positive(int, minimum=2), default=100,
                       help="frames the networks see (default 100)")
        p.add_argument("--pairs", type=positive(int), default=6400, help="training pairs")
        p.add_argument("--seed", type=seed, default=0, help="random seed, 0 to 2**32-1")
        if name == "train":
            p.add_argument("-o", "--output", required=True, help="model file (.keras)")
        else:
            p.add_argument("--protocol", choices=("kfold", "oneshot"), default="kfold")
            p.add_argument("--splits", type=positive(int, minimum=2),
                           help="folds (default 5 for kfold, one per exercise for oneshot)")
            p.add_argument("--test-pairs", type=positive(int), default=1280)
        _common(p)
        p.set_defaults(run=getattr(commands, name))

    p = sub.add_parser("backends", help="which pose backends are installed")
    _common(p)
    p.set_defaults(run=commands.backends)
    return parser


def _error_statuses() -> tuple[tuple[type[BaseException], str], ...]:
    from sitrex import exceptions as e

    # first match wins: the more specific classes come first
    return ((e.ModelFilesNotFoundError, "model"), (e.IntegrityError, "model"),
            (e.MissingDependencyError, "dependency"), (e.BackendNotFoundError, "dependency"),
            (e.OutputError, "output"), (e.InputError, "input"), (e.MissingFileError, "input"),
            (ImportError, "dependency"), (PermissionError, "output"),
            (FileNotFoundError, "input"), (IsADirectoryError, "input"), (ValueError, "input"),
            (KeyError, "input"), (OSError, "output"))


#: The library's argument names, as the command line spells them (in error messages).
_OPTION_WORDS = (("pass model_path=", "pass --model-path "), ("model_path= points to",
                 "--model-path points to"), ("pass path='", "pass --weights-path '"),
                 ("path= points to", "--weights-path points to"),
                 ("downloads data: pass path= (the ", "downloads data: put the "),
                 (" file or its folder) or set $", " file in that folder or set $"),
                 ("pass fps=... to compare()", "pass --fps"),
                 ("pass athlete_video=", "pass --athlete-video"),
                 ("model must be ", "--model-size must be "),
                 ("pass coach_video=", "pass --coach-video"), ("fps=... in Python or --fps on the "
                 "command line", "--fps"))


#: The same for arguments whose values the command line spells differently (repetitions
#: counted from 1, not 0).
_OPTION_PATTERNS = (
    (re.compile(r"coach_rep=(\d+)"), lambda m: f"--coach-rep {int(m[1]) + 1}"),
    (re.compile(r"repetition\(s\) \(0 to (\d+)\)"),
     lambda m: f"repetition(s) (1 to {int(m[1]) + 1})"),
    (re.compile(r"coach_rep='(\w+)'"), lambda m: f"--coach-rep {m[1]}"),
    (re.compile(r"\bkind='(\w+)'"), lambda m: f"--kind {m[1]}"),
)


def _in_command_words(message: str) -> str:
    """A library message with its argument names spelled as the command line's options.

    Examples
    --------
    >>> print(_in_command_words("coach_rep=8, but the coach's clip has 4 repetition(s) "
    ...                         "(0 to 3); use coach_rep='whole'"))
    --coach-rep 9, but the coach's clip has 4 repetition(s) (1 to 4); use --coach-rep whole
    """
    for library, command in _OPTION_WORDS:
        message = message.replace(library, command)
    for pattern, command in _OPTION_PATTERNS:
        message = pattern.sub(command, message)
    return message


def _status_of(exc: BaseException) -> str:
    if isinstance(exc, CommandError):
        return exc.status
    for cls, status in _error_statuses():
        if isinstance(exc, cls):
            return status
    return "error"


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM (``kill``, ``docker stop``, systemd) stops a command as Ctrl-C does: the files
    being written are removed, none is left half-written, and the exit status is 130."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sitrex`` command; returns its exit status.

    Examples
    --------
    >>> main(["backends", "--json", "--quiet"])  # doctest: +ELLIPSIS
    {...}
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.debug:
        from sitrex._native_logs import show_native_logs

        show_native_logs(True)
    try:
        with warnings.catch_warnings(), _terminate_as_interrupt():
            if getattr(args, "quiet", False):
                warnings.simplefilter("ignore")      # --quiet: nothing but errors
            result = args.run(args)
    except KeyboardInterrupt:
        print("sitrex: interrupted", file=sys.stderr)
        return EXIT_CODES["interrupted"]
    except Exception as exc:  # one line, no traceback, unless --debug
        if args.debug:
            raise
        text = _in_command_words(str(exc).strip())
        message = text if isinstance(exc, CommandError) else (
            text.splitlines()[0] if text else type(exc).__name__)
        if isinstance(exc, KeyError):
            message = str(exc.args[0]) if exc.args else message
        print(f"sitrex {args.command}: error: {message}", file=sys.stderr)
        return EXIT_CODES[_status_of(exc)]
    payload, text, status = result
    if args.json:
        print(json.dumps(payload, indent=1, allow_nan=False))
    elif text and not args.quiet:
        print(text)
    return EXIT_CODES[status]


def console_main() -> int:
    """The ``sitrex`` executable: :func:`main`, with third-party C++ logs kept off the terminal.

    MediaPipe and TensorFlow Lite print dozens of ``INFO:`` / ``WARNING:``
    lines straight to the standard-error descriptor (also while the process
    exits). Unless ``--debug`` is given, they are diverted for the whole run
    (:func:`sitrex._native_logs.divert_native_logs`); sitrex's own messages,
    warnings and progress bars still show.
    """
    argv = sys.argv[1:]
    if "--debug" not in argv:
        from sitrex._native_logs import divert_native_logs

        divert_native_logs()
    return main(argv)
