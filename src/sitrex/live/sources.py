"""Live frame sources: a camera, or a video file read as if it were one.

A live source is an iterable of :class:`sitrex.video.Frame` (RGB pixels and a
time stamp in seconds) that always hands over the **latest** frame: a
background thread reads the camera (or the file, at the video's own pace)
and keeps only the newest frame, so a consumer slower than the feed skips
frames instead of falling behind, as with a real webcam. ``dropped`` counts
the frames skipped.

Any other source works with :meth:`sitrex.LiveComparator.update` directly: a
web or mobile back end pushes each frame it receives with its time stamp.

OpenCV is imported when a source opens (``pip install "sitrex[video]"``).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sitrex._native_logs import native_logs_silenced
from sitrex.exceptions import InputError, VideoError
from sitrex.video import Frame, read_video_info
from sitrex.video._reading import open_capture, to_rgb

__all__ = ["Camera", "LiveSource", "PacedVideo"]


class LiveSource:
    """The latest frame of a feed read in a background thread (see the module documentation).

    Attributes
    ----------
    fps : float
        The feed's nominal frame rate.
    size : (int, int)
        (width, height) in pixels.
    dropped : int
        Frames skipped because the consumer was still busy with an earlier one.
    last_time : float or None
        Time stamp of the feed's newest frame (read or skipped).
    """

    #: Frame rate assumed when the device does not say.
    DEFAULT_FPS = 30.0

    def __init__(self, fps: float | None, size: tuple[int, int], *, latest_only: bool = True
                 ) -> None:
        self.fps = float(fps) if fps and math.isfinite(fps) and fps > 0 else self.DEFAULT_FPS
        self.size = (int(size[0]), int(size[1]))
        self.latest_only = latest_only
        self.dropped = 0
        self.last_time: float | None = None
        self._slot: Frame | None = None
        self._done = False
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ the reading thread
    def _read(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _run(self) -> None:
        try:
            self._read()
        except BaseException as exc:          # handed to the consumer
            self._error = exc
        finally:
            with self._changed:
                self._done = True
                self._changed.notify_all()

    def _busy(self) -> bool:
        """The consumer has not taken the last frame yet."""
        with self._changed:
            return self._slot is not None

    def _put(self, frame: Frame) -> bool:
        """Offer a frame; False once the source is closed."""
        with self._changed:
            if not self.latest_only:          # every frame: wait for the consumer
                while self._slot is not None and not self._stop.is_set():
                    self._changed.wait(0.1)
            elif self._slot is not None:
                self.dropped += 1
            self._slot = frame
            self.last_time = frame.time
            self._changed.notify_all()
        return not self._stop.is_set()

    # ------------------------------------------------------------------ the consumer
    def __iter__(self) -> Iterator[Frame]:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"sitrex {type(self).__name__}",
                                            daemon=True)
            self._thread.start()
        while True:
            with self._changed:
                while self._slot is None and not self._done:
                    self._changed.wait(0.1)
                frame, self._slot = self._slot, None
                self._changed.notify_all()
            if frame is None:
                if self._error is not None:
                    raise self._error
                return
            yield frame

    def close(self) -> None:
        """Stop reading and release the device or file."""
        self._stop.set()
        with self._changed:
            self._changed.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5.0)

    def __enter__(self) -> LiveSource:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class PacedVideo(LiveSource):
    """A video file read as a live feed: each frame handed over at its own time, late ones skipped.

    While the consumer is busy with a frame, the frames that come due are
    skipped without being decoded (as a camera's would be missed), so that
    reading the file costs what a camera costs: the frames actually used.

    Parameters
    ----------
    path : str or os.PathLike
        The video.
    realtime : bool, default True
        Pace the frames by the video's clock (a consumer slower than the
        video skips frames, as with a camera). False: every frame, as fast
        as the consumer takes them (for checking results, not a live feed).
    speed : float, default 1.0
        Play faster (2.0) or slower (0.5) than the video's clock.

    Raises
    ------
    sitrex.exceptions.MissingFileError, sitrex.exceptions.VideoError
        For a missing or unreadable file.

    Examples
    --------
    >>> PacedVideo("missing.mp4")
    Traceback (most recent call last):
    ...
    sitrex.exceptions.MissingFileError: no video file at 'missing.mp4'; check the path
    """

    def __init__(self, path, *, realtime: bool = True, speed: float = 1.0) -> None:
        self.info = read_video_info(path)
        if not (isinstance(speed, (int, float)) and speed > 0):
            raise InputError(f"speed must be a positive number; got {speed!r}")
        self.speed = float(speed)
        self.realtime = realtime
        self.path = Path(path)
        super().__init__(self.info.fps, self.info.size, latest_only=realtime)

    def __repr__(self) -> str:
        return f"PacedVideo({self.path.name!r}, fps={self.fps:g}, realtime={self.realtime})"

    def _read(self) -> None:
        cv2, cap = open_capture(self.path)
        started, index, used = time.monotonic(), 0, 0
        try:
            while not self._stop.is_set():
                stamp = index / self.fps
                if self.realtime:
                    wait = started + stamp / self.speed - time.monotonic()
                    if wait > 0 and self._stop.wait(wait):
                        return
                if not cap.grab():
                    break
                index += 1
                if self.realtime and self._busy():       # the consumer could not take it
                    self.dropped += 1
                    self.last_time = stamp
                    continue
                ok, bgr = cap.retrieve()
                if not ok or bgr is None:
                    break
                used += 1
                if not self._put(Frame(index - 1, stamp, to_rgb(cv2, bgr))):
                    return
        finally:
            cap.release()
        if not used:
            raise VideoError(f"{self.path.name}: no frame could be decoded (the container reports "
                             f"{self.info.frame_count} frames); the file may be empty, truncated "
                             "or in a codec this OpenCV build cannot decode")


class Camera(LiveSource):
    """A camera (OpenCV device `index`), time-stamped with the clock of this computer.

    Parameters
    ----------
    index : int, default 0
        The device number (0 is the default webcam).
    size : (int, int), optional
        Ask the device for this (width, height).
    fps : float, optional
        Ask the device for this frame rate.

    Raises
    ------
    sitrex.exceptions.VideoError
        If the device cannot be opened or gives no frame.
    """

    def __init__(self, index: int = 0, *, size: tuple[int, int] | None = None,
                 fps: float | None = None) -> None:
        from sitrex._imports import import_optional

        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise InputError(f"the camera must be a device number >= 0; got {index!r}")
        cv2 = import_optional("cv2", "reading a camera (OpenCV)", "video")
        self._cv2, self.index = cv2, index
        with native_logs_silenced():
            cap = cv2.VideoCapture(index)
        if size is not None:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, int(size[0]))
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, int(size[1]))
        if fps is not None:
            cap.set(cv2.CAP_PROP_FPS, float(fps))
        ok, bgr = cap.read() if cap.isOpened() else (False, None)
        if not ok or bgr is None:
            cap.release()
            raise VideoError(f"cannot read camera {index}: no such device, or it is busy or not "
                             "allowed (check that no other program uses it, and the camera "
                             "permission); try another --camera number, or --video FILE")
        self._cap = cap
        super().__init__(cap.get(cv2.CAP_PROP_FPS), (bgr.shape[1], bgr.shape[0]))

    def __repr__(self) -> str:
        return f"Camera({self.index}, fps={self.fps:g}, size={self.size})"

    def _read(self) -> None:
        cv2, cap = self._cv2, self._cap
        started, index = time.monotonic(), 0
        try:
            while not self._stop.is_set():
                if not cap.grab():
                    return                      # the device went away: the feed ends
                stamp = time.monotonic() - started
                if self._busy():                # the consumer could not take it
                    self.dropped += 1
                    self.last_time = stamp
                else:
                    ok, bgr = cap.retrieve()
                    if ok and bgr is not None and \
                            not self._put(Frame(index, stamp, to_rgb(cv2, bgr))):
                        return
                index += 1
        finally:
            cap.release()
