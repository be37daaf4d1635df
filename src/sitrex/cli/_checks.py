"""Checks of the command line's options and output paths, made before any work starts (private).

Argument types raise :class:`argparse.ArgumentTypeError`, so a bad value
stops the command at once with argparse's usage message and exit status 2,
in the command line's own words (``--stride``, not ``stride=``). Output paths
are checked (suffix, a folder in the way, a folder that cannot be written)
and their folders created before a video is read or a model trained, so that
no work is thrown away for a typo in a file name.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

__all__ = ["coach_rep", "frame_rate", "output_file", "output_folder", "positive", "probability",
           "seed"]


def _number(kind: type, text: str) -> float:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a{'n integer' if kind is int else ' number'}") \
            from None


def positive(kind: type = int, *, minimum: float = 1, what: str = "") -> Callable[[str], float]:
    """An argparse type: a number of `kind` at least `minimum` (``what`` names the unit)."""
    def parse(text: str):
        value = _number(kind, text)
        if not value >= minimum or value != value:
            unit = f" {what}" if what else ""
            raise argparse.ArgumentTypeError(f"must be at least {minimum:g}{unit}; got {text}")
        return value
    return parse


def frame_rate(text: str) -> float:
    """An argparse type: a frame rate sitrex accepts (:data:`sitrex._validation.FPS_RANGE`)."""
    from sitrex._validation import check_fps
    from sitrex.exceptions import InputError

    try:
        return check_fps(_number(float, text), "the frame rate", required=True)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("the frame rate must", "must")) \
            from None


def seconds(text: str) -> float:
    """An argparse type: a duration in seconds, more than 0."""
    value = _number(float, text)
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a duration in seconds, more than 0; got {text}")
    return value


#: The largest random seed (NumPy's and the estimators' seeds are 32-bit).
MAX_SEED = 2**32 - 1


def seed(text: str) -> int:
    """An argparse type: a random seed, an integer from 0 to 2**32 - 1.

    Examples
    --------
    >>> seed("7")
    7
    >>> seed("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be an integer from 0 to 4294967295 (2**32 - 1); got -1
    """
    value = _number(int, text)
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be an integer from 0 to {MAX_SEED} (2**32 - 1); "
                                         f"got {text}")
    return value


def probability(text: str) -> float:
    """An argparse type: a number strictly between 0 and 1."""
    value = _number(float, text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive); got {text}")
    return value


def coach_rep(text: str):
    """An argparse type: 'typical', 'whole' or a repetition number from 1 (returned 0-based)."""
    if text in ("typical", "whole"):
        return text
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 'typical', 'whole' or a repetition number "
                                         f"(1 = the first); got {text!r}")
    return number - 1


def output_file(value: str | None, option: str, suffixes: tuple[str, ...]) -> Path | None:
    """Check an output file before the work: suffix, not a folder, folder created and writable."""
    if value is None:
        return None
    from sitrex._atomic import check_writable
    from sitrex.cli import CommandError
    from sitrex.exceptions import OutputError

    path = Path(value)
    if path.suffix.lower() not in suffixes:
        raise CommandError(f"{option} must name a {' or '.join(suffixes)} file; got {value!r}",
                           "usage")
    if path.is_dir():
        raise OutputError(f"{option} {value!r} is a folder; give a file name")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {str(folder)!r} for {option}: "
                          f"{exc.strerror or exc}") from exc
    check_writable(folder, option)
    return path


def output_folder(value: str, option: str) -> Path:
    """Check an output folder before the work: created, writable, not a file."""
    from sitrex._atomic import output_folder as created_folder

    return created_folder(value, option, writable=True)
