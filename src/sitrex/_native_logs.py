"""Keeping third-party C++ log lines off the user's terminal (private).

MediaPipe, TensorFlow Lite and absl write their start-up and tear-down lines
(``INFO: Created TensorFlow Lite XNNPACK delegate``, ``WARNING:
[model_load.cc:402] Sparsity tensors ...``, ``DestroyAccelerator``) straight
to the process's standard-error *file descriptor*, below Python: neither
``warnings`` nor ``logging`` nor ``TF_CPP_MIN_LOG_LEVEL`` reaches them.
:func:`native_logs_silenced` points file descriptor 2 at the null device for
the duration of a block and restores it afterwards, so a Python traceback or
warning raised later is shown as usual.

By default sitrex silences them; ``SITREX_NATIVE_LOGS=1`` (or
:func:`show_native_logs`, which ``sitrex --debug`` calls) lets them through.
The ``sitrex`` command goes further with :func:`divert_native_logs`: for the
whole run (worker processes included) native writes vanish while Python's own
messages still reach the terminal.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator

__all__ = ["divert_native_logs", "native_logs_silenced", "show_native_logs"]

_LOCK = threading.RLock()
_DEPTH = 0
_SAVED_FD: int | None = None
_SHOW: bool | None = None


def show_native_logs(show: bool = True) -> None:
    """Let third-party C++ log lines through (True) or silence them (False)."""
    global _SHOW
    _SHOW = bool(show)


def _showing() -> bool:
    if _SHOW is not None:
        return _SHOW
    return os.environ.get("SITREX_NATIVE_LOGS", "").strip().lower() in {"1", "true", "yes"}


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


@contextlib.contextmanager
def native_logs_silenced() -> Iterator[None]:
    """Silence writes to file descriptor 2 inside the block (nesting and threads are safe).

    Examples
    --------
    >>> with native_logs_silenced():
    ...     _ = os.write(2, b"INFO: this line is not shown\\n")
    """
    global _DEPTH, _SAVED_FD
    if _showing():
        yield
        return
    with _LOCK:
        if _DEPTH == 0:
            _flush()
            try:
                saved = os.dup(2)
                null = os.open(os.devnull, os.O_WRONLY)
            except OSError:          # no usable descriptor 2 (e.g. a closed stderr): nothing to do
                saved = None
            else:
                os.dup2(null, 2)
                os.close(null)
            _SAVED_FD = saved
        _DEPTH += 1
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH -= 1
            if _DEPTH == 0 and _SAVED_FD is not None:
                _flush()
                os.dup2(_SAVED_FD, 2)
                os.close(_SAVED_FD)
                _SAVED_FD = None


def divert_native_logs() -> None:
    """For the rest of the process: native writes to descriptor 2 vanish, Python's still show.

    Descriptor 2 is pointed at the null device, and :data:`sys.stderr` is
    re-opened on a duplicate of the original descriptor, so warnings,
    progress bars and tracebacks written by Python reach the terminal as
    before. Meant for the ``sitrex`` command and its worker processes (a
    library does not swap its user's ``sys.stderr``); idempotent.
    """
    global _DIVERTED
    if _showing() or _DIVERTED:
        return
    _flush()
    try:
        saved = os.dup(2)
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    os.dup2(null, 2)
    os.close(null)
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    sys.stderr = open(saved, "w", encoding=encoding, errors="backslashreplace",  # noqa: SIM115
                      buffering=1, closefd=True)
    _DIVERTED = True


_DIVERTED = False
