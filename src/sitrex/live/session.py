"""A live session from start to a clean stop: a source, the comparator, the overlay.

:func:`run_live` reads a :class:`~sitrex.live.sources.LiveSource` frame by
frame, asks the :class:`~sitrex.LiveComparator` for the feedback now, draws it
(:class:`~sitrex.live.display.LiveOverlay`) and reports each repetition as it
is counted. It stops when the feed ends, when ``q`` is pressed (in the window,
or in the terminal when the session runs in one), or on Ctrl-C; in every case
the last frames are counted (:meth:`~sitrex.LiveComparator.finish`) and the
video is finished, complete.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .comparator import LiveComparator
from .counter import LiveRepetition
from .display import LiveOverlay
from .sources import LiveSource

__all__ = ["LiveRun", "run_live"]

#: Frames whose timings a :class:`LiveRun` keeps: the last 10 minutes at 30 fps.
TIMINGS_KEPT = 18_000


@dataclass
class LiveRun:
    """What a live session did.

    Attributes
    ----------
    frames : int
        Frames compared.
    dropped : int
        Frames of the feed skipped while the machine was busy.
    seconds : float
        Wall-clock duration.
    stopped_by : {"end", "q", "interrupt", "limit"}
        The feed ended, ``q`` was pressed, Ctrl-C, or `max_seconds` passed.
    repetitions : list of LiveRepetition
        Every repetition counted, with its verdict.
    video : pathlib.Path or None
        The overlay written.
    frames_written : int
        Frames of that video.
    compare_ms : collections.deque of float
        The comparison's own cost of each frame (pose estimation excluded),
        ms; the last :data:`TIMINGS_KEPT` frames (memory stays bounded).
    pose_ms : collections.deque of float
        Pose estimation time of each frame, ms; the last ``TIMINGS_KEPT``.
    """

    frames: int = 0
    dropped: int = 0
    seconds: float = 0.0
    stopped_by: str = "end"
    repetitions: list[LiveRepetition] = field(default_factory=list)
    video: object = None
    frames_written: int = 0
    compare_ms: deque[float] = field(default_factory=lambda: deque(maxlen=TIMINGS_KEPT),
                                     repr=False)
    pose_ms: deque[float] = field(default_factory=lambda: deque(maxlen=TIMINGS_KEPT), repr=False)

    @property
    def fps(self) -> float:
        """Frames compared per second of wall-clock time."""
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict:
        """Plain Python types (JSON-ready)."""
        import numpy as np

        def p95(values):
            return float(np.percentile(values, 95)) if values else None

        return {"frames": self.frames, "dropped": self.dropped, "seconds": round(self.seconds, 3),
                "fps": round(self.fps, 2), "stopped_by": self.stopped_by,
                "repetitions": [r.to_dict() for r in self.repetitions],
                "video": None if self.video is None else str(self.video),
                "frames_written": self.frames_written,
                "compare_ms_p95": p95(self.compare_ms), "pose_ms_p95": p95(self.pose_ms)}


class _StopRequests:
    """Ctrl-C and ``q`` in the terminal, turned into a request to stop after the current frame.

    The first Ctrl-C asks to stop; a second one interrupts at once (the
    default behaviour is restored). Signals are handled in the main thread
    only; the terminal is read without waiting for Enter only when standard
    input is a terminal (POSIX).
    """

    def __init__(self) -> None:
        self.reason: str | None = None
        self._restore: list[Callable[[], None]] = []

    def __enter__(self) -> _StopRequests:
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)

            def interrupted(signum, frame):
                self.reason = "interrupt"
                signal.signal(signal.SIGINT, previous)      # a second Ctrl-C: at once

            signal.signal(signal.SIGINT, interrupted)
            self._restore.append(lambda: signal.signal(signal.SIGINT, previous))
        self._terminal = self._watch_terminal()
        return self

    def _watch_terminal(self):
        if os.name != "posix" or not sys.stdin.isatty():
            return None
        try:
            import termios
            import tty

            fd = sys.stdin.fileno()
            saved = termios.tcgetattr(fd)
            tty.setcbreak(fd)
        except (ImportError, OSError, ValueError):
            return None
        self._restore.append(lambda: termios.tcsetattr(fd, termios.TCSADRAIN, saved))
        return fd

    def poll(self, key: str | None = None) -> str | None:
        """The reason to stop, if any: a key from the window (`key`) or the terminal, or Ctrl-C."""
        if key in ("q", "Q", "\x1b"):
            self.reason = self.reason or "q"
        if self._terminal is not None and self.reason is None:
            import select

            while select.select([self._terminal], [], [], 0)[0]:
                if os.read(self._terminal, 1) in (b"q", b"Q"):
                    self.reason = "q"
                    break
        return self.reason

    def __exit__(self, *exc) -> None:
        for restore in reversed(self._restore):
            with contextlib.suppress(Exception):
                restore()


def run_live(live: LiveComparator, source: LiveSource, *, output=None, show: bool = False,
             on_repetition: Callable[[LiveRepetition], None] | None = None,
             max_seconds: float | None = None) -> LiveRun:
    """Run a live session until the feed ends, ``q`` or Ctrl-C (see the module documentation).

    Parameters
    ----------
    live : LiveComparator
        Prepared with the coach.
    source : LiveSource
        The feed (:class:`~sitrex.live.sources.Camera`,
        :class:`~sitrex.live.sources.PacedVideo`); closed at the end.
    output : str or os.PathLike, optional
        Write the overlay to this video (``.mp4``).
    show : bool, default False
        Show the overlay in a window (see
        :func:`~sitrex.live.display.display_available`).
    on_repetition : callable, optional
        Called with each :class:`LiveRepetition` as it is counted.
    max_seconds : float, optional
        Stop after this many seconds of feed.

    Returns
    -------
    LiveRun
    """
    run = LiveRun()
    report = on_repetition or (lambda rep: None)
    drawing = output is not None or show
    overlay = LiveOverlay(output, fps=source.fps, size=source.size, show=show) if drawing \
        else None
    first_stamp = last_time = None
    with source, _StopRequests() as stop, (overlay or contextlib.nullcontext()):
        live.warm_up(source.size)   # Ctrl-C meanwhile: the first frame is drawn, then it stops
        started = time.perf_counter()
        for frame in source:
            first_stamp = frame.time if first_stamp is None else first_stamp
            feedback = live.update(frame)
            last_time = feedback.time
            run.frames += 1
            run.compare_ms.append(1000 * feedback.latency["compare"])
            run.pose_ms.append(1000 * feedback.latency["pose"])
            for rep in feedback.new_repetitions:
                run.repetitions.append(rep)
                report(rep)
            if overlay is not None:
                overlay.push(overlay.draw(frame.rgb, feedback), feedback.time)
            if stop.poll(overlay.key if overlay is not None else None):
                run.stopped_by = stop.reason
                break
            if max_seconds is not None and feedback.time >= max_seconds:
                run.stopped_by = "limit"
                break
        for rep in live.finish():
            run.repetitions.append(rep)
            report(rep)
        if overlay is not None and last_time is not None:
            # to the feed's last frame (also those skipped at the end), or where it was stopped
            fed = source.last_time - first_stamp if source.last_time is not None else last_time
            overlay.finish(max(last_time, fed) if run.stopped_by == "end" else last_time)
    run.seconds = time.perf_counter() - started
    run.dropped = source.dropped
    if overlay is not None:
        run.video, run.frames_written = overlay.output, overlay.frames_written
    return run
