"""Reading and writing videos: RGB frames with their timestamps.

:class:`VideoReader` opens a video file with OpenCV and yields
:class:`Frame` objects (index, time in seconds, RGB ``uint8`` pixels). Frames
are always converted from OpenCV's BGR to **RGB**: the pose models expect RGB,
and the SiTrEx paper's notebook fed BGR frames to MediaPipe for one of its
videos, which silently degrades the landmarks.

Images and in-memory frames take the same road: :func:`read_image` reads an
image file as RGB, and :func:`as_rgb` brings any image array (grey, RGBA,
floats in [0, 1]) to RGB ``uint8``, the one form the pose backends receive.
:class:`VideoWriter` writes RGB frames to a video atomically (the file
appears complete or not at all).

OpenCV is imported the first time a video is opened, so importing this module
is cheap. Without OpenCV the error says ``pip install "sitrex[video]"``.
"""

from __future__ import annotations

from sitrex.exceptions import VideoError

from ._frames import VIDEO_SUFFIXES, Frame, VideoInfo, as_rgb, progress_enabled, read_image
from ._reading import VideoReader, _frame_source, read_video_info  # noqa: F401 (for backends)
from ._writing import VideoWriter

__all__ = ["VIDEO_SUFFIXES", "Frame", "VideoError", "VideoInfo", "VideoReader", "VideoWriter",
           "as_rgb", "progress_enabled", "read_image", "read_video_info"]
