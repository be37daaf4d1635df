"""The live overlay: feedback drawn on each frame, shown in a window and/or written to a video.

:class:`LiveOverlay` draws what :meth:`sitrex.LiveComparator.update` says on
the frame it was about, with the offline overlay's look
(:func:`sitrex.overlay.draw_athlete_frame`: the skeleton, each angle that
matters as an arc coloured by its similarity now) under a banner with the
time, the repetition count, the feedback in words and the last verdict.

The video is written **time-true**: at the feed's frame rate (at most 30
fps), each output frame shows the latest frame drawn at or before its time,
so frames the machine skipped are held and the video lasts as long as the
session. Frames are drawn and written at most 960 pixels on their long side
(a phone's 1080 x 1920 frames cost 20 ms each to encode) and encoded in a
background thread, so that writing keeps pace with the feed. The video is
written atomically (:class:`sitrex.video.VideoWriter`): closed normally,
also after ``q`` or Ctrl-C, it is complete; it never exists half-written.

:func:`display_available` says whether a window can be opened at all, without
ever crashing the process on a machine without a display.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from sitrex._imports import import_optional
from sitrex._painter import Painter
from sitrex.angle_table import angle_arms
from sitrex.landmarks import N_LANDMARKS
from sitrex.overlay import draw_athlete_frame, similarity_colors
from sitrex.skeleton import Skeleton
from sitrex.video import VideoWriter

from .feedback import LiveFeedback

__all__ = ["LiveOverlay", "display_available"]

#: A GUI toolkit that cannot reach the display aborts the whole process, so the
#: window is first opened in a child process.
_PROBE = "import cv2; cv2.namedWindow('sitrex'); cv2.waitKey(1); cv2.destroyAllWindows()"


def display_available() -> bool:
    """Whether a window can be shown here: a display, and an OpenCV built with a GUI.

    On Linux and other Unix systems (not macOS) a display needs ``$DISPLAY``
    or ``$WAYLAND_DISPLAY``; then, everywhere, a window is opened once in a
    child process (OpenCV's Qt or GTK backend ends the process it runs in
    when the display cannot be reached, and a headless OpenCV build raises).
    Never raises.

    Examples
    --------
    >>> import os
    >>> saved = {k: os.environ.pop(k, None) for k in ("DISPLAY", "WAYLAND_DISPLAY")}
    >>> display_available() if sys.platform.startswith("linux") else False
    False
    >>> os.environ.update({k: v for k, v in saved.items() if v is not None})
    """
    if os.environ.get("QT_QPA_PLATFORM", "").lower() in ("offscreen", "minimal"):
        return False
    if sys.platform not in ("darwin", "win32") and not (os.environ.get("DISPLAY") or
                                                        os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        probe = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


class _BackgroundWriter:
    """Frames encoded in a thread of their own: ``(frame, times)`` items, a few at a time."""

    def __init__(self, writer: VideoWriter, depth: int = 4) -> None:
        self.writer = writer
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sitrex overlay writer",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is None:
                try:
                    for _ in range(item[1]):
                        self.writer.write(item[0])
                except BaseException as exc:        # raised in the caller's thread
                    self._error = exc

    def put(self, frame: np.ndarray, times: int) -> None:
        if self._error is not None:
            raise self._error
        if times > 0:
            self._queue.put((frame, times))

    def close(self) -> None:
        """Wait until every frame is written (errors raised here)."""
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


class LiveOverlay:
    """Draw live feedback on frames; write them to a video (time-true), show them in a window.

    Use it as a context manager: the video is finished when the block ends
    (complete, also when the block ends by ``q`` or Ctrl-C handled by the
    caller) and removed if it raises.

    Parameters
    ----------
    output : str or os.PathLike, optional
        The video to write (``.mp4``); None: none.
    fps : float
        The feed's frame rate; the video's is at most `max_fps`.
    size : (int, int)
        (width, height) of the feed's frames; drawn and written at most
        `max_side` pixels on their long side.
    show : bool, default False
        Show each frame in a window (check :func:`display_available` first).
    title : str, default "sitrex live"
        The window's title.
    max_side : int, default 960
    max_fps : float, default 30.0

    Attributes
    ----------
    frames_written : int
        Frames of the video so far.
    key : str or None
        The last key pressed in the window (``"q"`` asks to stop).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sitrex.video import read_video_info
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "live.mp4"
    >>> blank = np.zeros((120, 160, 3), np.uint8)
    >>> with LiveOverlay(out, fps=10.0, size=(160, 120)) as overlay:
    ...     for t in (0.0, 0.1, 0.45):                 # the third frame came late
    ...         overlay.push(blank, t)
    ...     overlay.finish(end_time=0.6)               # the feed went on to 0.6 s
    >>> read_video_info(out).frame_count                # 0.0 to 0.6 s at 10 fps
    7
    """

    def __init__(self, output=None, *, fps: float, size: tuple[int, int], show: bool = False,
                 title: str = "sitrex live", max_side: int = 960, max_fps: float = 30.0
                 ) -> None:
        self.output = None if output is None else Path(output)
        self.fps = min(float(fps), float(max_fps))
        self.feed_size = (int(size[0]), int(size[1]))
        scale = min(1.0, max_side / max(self.feed_size))
        self.size = (max(2, round(self.feed_size[0] * scale)),
                     max(2, round(self.feed_size[1] * scale)))
        self.show = bool(show)
        self.title = title
        self.key: str | None = None
        self.frames_written = 0
        self._cv2 = import_optional("cv2", "drawing the live overlay (OpenCV)", "video")
        self._painter = Painter(self._cv2, *self.size)
        self._video: VideoWriter | None = None
        self._writer: _BackgroundWriter | None = None
        self._last: np.ndarray | None = None

    def __enter__(self) -> LiveOverlay:
        if self.output is not None:
            self._video = VideoWriter(self.output, self.fps, self.size).__enter__()
            self._writer = _BackgroundWriter(self._video)
        return self

    def __exit__(self, exc_type, exc, traceback) -> bool:
        if self.show:
            self._cv2.destroyWindow(self.title)
        writer, video = self._writer, self._video
        self._writer = self._video = None
        if video is None:
            return False
        try:
            writer.close()
        except BaseException as error:
            if exc is None:
                exc_type, exc, traceback = type(error), error, error.__traceback__
                if not video.__exit__(exc_type, exc, traceback):
                    raise
                return False
        return bool(video.__exit__(exc_type, exc, traceback))

    # ------------------------------------------------------------------ drawing
    def draw(self, rgb: np.ndarray, feedback: LiveFeedback) -> np.ndarray:
        """`rgb` at the overlay's size, with `feedback` drawn on it (a new array)."""
        cv2 = self._cv2
        img = np.array(rgb, dtype=np.uint8, copy=True) if self.size == (rgb.shape[1],
                                                                         rgb.shape[0]) \
            else cv2.resize(rgb, self.size, interpolation=cv2.INTER_AREA)
        lines = [f"sitrex live  {feedback.time:.1f} s  reps {feedback.repetitions}",
                 feedback.text.split("; ")[0]]
        if feedback.last_repetition is not None:
            lines.append(feedback.last_repetition.message)
        points = self._pixels(feedback)
        if points is None:
            self._painter.banner(img, lines, fill=(0, 0, 0))
            return img
        focus = feedback.focus
        drawn = [feedback.angle_names[i] for i in focus]
        arms = [a[0] for a in angle_arms(points[None], drawn)]
        draw_athlete_frame(self._painter, img, points, arms,
                           similarity_colors(feedback.similarity[focus]),
                           feedback.angles[focus], lines, feedback.present)
        return img

    def _pixels(self, feedback: LiveFeedback) -> np.ndarray | None:
        """The landmarks in the overlay's pixels; None when they cannot be placed on the frame."""
        if feedback.image_size is None or feedback.units not in ("image_height", "pixels"):
            return None             # angles only, or landmarks not in image units (metres)
        if feedback.landmarks is None:
            return np.full((N_LANDMARKS, 3), np.nan)        # nobody in this frame
        from sitrex.layouts import to_pixels

        pose = Skeleton(feedback.landmarks[None], meta={"units": feedback.units,
                                                        "image_size": feedback.image_size})
        return to_pixels(pose)[0] * (self.size[1] / feedback.image_size[1])

    # ------------------------------------------------------------------ out
    def push(self, img: np.ndarray, time: float) -> None:
        """Write (time-true) and show one drawn frame of session time `time`."""
        if self._writer is not None:
            self._fill_until(time)
            if self.frames_written <= int(np.floor(time * self.fps + 1e-6)):
                self._writer.put(img, 1)
                self.frames_written += 1
        self._last = img
        if self.show:
            cv2 = self._cv2
            cv2.imshow(self.title, cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
            code = cv2.waitKey(1) & 0xFF
            self.key = chr(code) if code != 0xFF else None

    def finish(self, end_time: float | None = None) -> None:
        """Hold the last frame up to `end_time` (the feed's end), so the video lasts as long."""
        if self._writer is not None and end_time is not None and self._last is not None:
            self._fill_until(end_time + 1.0 / self.fps)

    def _fill_until(self, time: float) -> None:
        """Output frames before `time` that are still unwritten show the last frame drawn."""
        due = int(np.floor(time * self.fps + 1e-6))        # frames 0 .. due - 1 are past
        if self._last is None or due <= self.frames_written:
            return
        self._writer.put(self._last, due - self.frames_written)
        self.frames_written = due
