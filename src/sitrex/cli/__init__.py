"""The ``sitrex`` command line.

``sitrex demo`` runs the whole main job offline; ``sitrex compare COACH
ATHLETE`` gives feedback on real executions; ``extract``, ``train``,
``evaluate`` and ``backends`` cover the rest of the pipeline. Every command
takes ``--json`` (machine-readable output on stdout), ``--quiet`` (no
progress bars or messages) and ``--debug`` (full tracebacks).

Exit codes
----------
0 success; 1 an unexpected error; 2 a usage error (bad arguments);
3 bad or missing input (a missing file, an unreadable video, a video with no
person, malformed data); 4 a missing optional dependency or pose backend (the
message names the pip extra); 5 missing model or weight files (the message
says how to provide them); 6 some videos of an ``extract`` run failed;
130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from sitrex import __version__

__all__ = ["EXIT_CODES", "build_parser", "main"]

#: Exit status of each outcome (see the module documentation).
EXIT_CODES = {"ok": 0, "error": 1, "usage": 2, "input": 3, "dependency": 4, "model": 5,
              "partial": 6, "interrupted": 130}


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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sitrex`` command.

    Examples
    --------
    >>> args = build_parser().parse_args(["compare", "coach.mp4", "athlete.mp4", "--json"])
    >>> args.command, args.coach, args.json
    ('compare', 'coach.mp4', True)
    """
    from sitrex.cli import commands

    parser = argparse.ArgumentParser(
        prog="sitrex", description="Joint-by-joint feedback on workout exercises (SiTrEx).",
        epilog="Exit codes: 0 ok, 1 error, 2 usage, 3 bad input, 4 missing dependency, "
               "5 missing model files, 6 partial failure, 130 interrupted.")
    parser.add_argument("--version", action="version", version=f"sitrex {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help="the whole main job offline, on synthetic data",
                       description="Make a coach and a faulty athlete with the synthetic "
                                   "generator, train a small comparator, compare them and "
                                   "print the feedback. Nothing to download or provide.")
    p.add_argument("-o", "--output", default="sitrex-demo",
                   help="folder for the report and the plot (default: ./sitrex-demo)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    _common(p)
    p.set_defaults(run=commands.demo)

    p = sub.add_parser("compare", help="compare an athlete with a coach",
                       description="COACH and ATHLETE are videos, landmark files (.npz, "
                                   ".json) or angle arrays (.npy).")
    p.add_argument("coach")
    p.add_argument("athlete")
    p.add_argument("-o", "--output", help="write the report as JSON")
    p.add_argument("--csv", help="write the per-frame, per-angle similarity as CSV")
    p.add_argument("--video", help="write an overlay video (.mp4) of the athlete")
    p.add_argument("--side-by-side", action="store_true",
                   help="put the coach beside the athlete in --video")
    p.add_argument("--plot", help="write a figure (.png or .svg)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--weights", default="sitrex-paper",
                     help="registered pretrained weights (default: sitrex-paper)")
    src.add_argument("--comparator", metavar="FILE",
                     help="a comparator saved by `sitrex train` (.keras) instead of --weights")
    p.add_argument("--weights-path", help="folder holding the weight files")
    _pose_options(p)
    p.add_argument("--kind", help="angle kind (default: the one the weights were trained on)")
    p.add_argument("--window", type=int, help="window length in frames (default: max_len)")
    p.add_argument("--stride", type=int, default=1, help="score every k-th window")
    p.add_argument("--align", action="store_true", help="align the athlete to the coach (DTW)")
    p.add_argument("--threshold", type=float, help="similarity below which an angle differs")
    _common(p)
    p.set_defaults(run=commands.compare)

    p = sub.add_parser("extract", help="videos to landmark files")
    p.add_argument("videos", nargs="+", metavar="VIDEO")
    p.add_argument("-o", "--output", required=True, help="output folder")
    _pose_options(p)
    p.add_argument("--format", choices=("npz", "json"), default="npz")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--overwrite", action="store_true", help="redo finished outputs")
    _common(p)
    p.set_defaults(run=commands.extract)

    for name, helptext in (("train", "train a comparator on a data set"),
                           ("evaluate", "the paper's evaluation protocols on a data set")):
        p = sub.add_parser(name, help=helptext, description=(
            "DATASET: a folder in the SiTrEx layout (<exercise>_json/*.json and "
            "exercise_angles.json), or 'penn-action' (the real clips in $SITREX_DATA or "
            "../shared/data), or 'synthetic' (generated)."))
        p.add_argument("dataset", metavar="DATASET")
        p.add_argument("--kind", default="unsigned", help="angle kind (default unsigned)")
        p.add_argument("--epochs", type=int, default=20)
        p.add_argument("--max-len", type=int, default=100)
        p.add_argument("--pairs", type=int, default=6400, help="training pairs")
        p.add_argument("--seed", type=int, default=0)
        if name == "train":
            p.add_argument("-o", "--output", required=True, help="model file (.keras)")
        else:
            p.add_argument("--protocol", choices=("kfold", "oneshot"), default="kfold")
            p.add_argument("--splits", type=int, help="folds (default 5 for kfold, one per "
                                                      "exercise for oneshot)")
            p.add_argument("--test-pairs", type=int, default=1280)
        _common(p)
        p.set_defaults(run=getattr(commands, name))

    p = sub.add_parser("backends", help="which pose backends are installed")
    _common(p)
    p.set_defaults(run=commands.backends)
    return parser


def _status_of(exc: BaseException) -> str:
    from sitrex.backends.base import BackendNotFoundError, ModelNotAvailableError
    from sitrex.pretrained import WeightsNotAvailableError

    if isinstance(exc, CommandError):
        return exc.status
    if isinstance(exc, (ModelNotAvailableError, WeightsNotAvailableError)):
        return "model"
    if isinstance(exc, (ImportError, BackendNotFoundError)):
        return "dependency"
    if isinstance(exc, (FileNotFoundError, IsADirectoryError, ValueError, KeyError)):
        return "input"
    return "error"


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
    try:
        result = args.run(args)
    except KeyboardInterrupt:
        print("sitrex: interrupted", file=sys.stderr)
        return EXIT_CODES["interrupted"]
    except Exception as exc:  # one line, no traceback, unless --debug
        if args.debug:
            raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
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
