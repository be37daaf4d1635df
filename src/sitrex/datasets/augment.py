"""Recordings made as another capture system would make them: jitter, lost landmarks, another rate.

The same movement recorded by two systems differs in ways that have nothing
to do with the movement: a pose estimator's landmarks jitter from frame to
frame, a marker or a joint is lost for a few frames (or a system has no such
point at all), and the frame rate is whatever the camera or the capture
system ran at. These functions apply such differences to a
:class:`~sitrex.skeleton.Skeleton`, so that a comparator can be measured on
(or trained with) recordings that differ from the originals only in how they
were captured:

* :func:`jitter`: independent Gaussian noise on every coordinate of every
  frame, in torso lengths (:func:`sitrex.measurement.body_size`), so it means
  the same in metres, millimetres or image units; a 2-D pose (every landmark
  at one depth) stays 2-D;
* :func:`drop_landmarks`: runs of frames in which a landmark is missing (NaN),
  about a given share of each landmark's frames;
* :func:`retime`: the recording at another frame rate (linear interpolation,
  :func:`sitrex.sequences.resample`).

Each takes ``random_state`` (an int, a :class:`numpy.random.Generator` or
None) where it draws, and returns a new skeleton; the input is not changed.

Examples
--------
>>> import numpy as np
>>> from sitrex.datasets import make_exercise
>>> clip = make_exercise(1, ["squat"], noise=0.0, random_state=0)[0][0]
>>> retime(clip, 15.0).fps, retime(clip, 15.0).n_frames < clip.n_frames
(15.0, True)
>>> lost = drop_landmarks(clip, share=0.1, random_state=0)
>>> 0.05 < float(np.isnan(lost.coords[..., 0]).mean()) < 0.15
True
>>> moved = jitter(clip, scale=0.02, random_state=0)
>>> bool(0 < np.nanstd(moved.coords - clip.coords) < 0.05)
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sitrex._validation import check_fps, check_number
from sitrex.exceptions import InputError
from sitrex.skeleton import Skeleton

from .synthetic import check_random_state

__all__ = ["drop_landmarks", "jitter", "retime"]


def _skeleton(value: Any, name: str = "skeleton") -> Skeleton:
    if not isinstance(value, Skeleton):
        raise InputError(f"{name} must be a sitrex.Skeleton; got {type(value).__name__} (build one "
                         "with sitrex.Skeleton(coords, fps=...))")
    return value


def jitter(skeleton: Skeleton, scale: float = 0.03, *, random_state: Any = None) -> Skeleton:
    """The recording with Gaussian noise on every coordinate, ``scale`` torso lengths wide.

    Parameters
    ----------
    skeleton : Skeleton
    scale : float, default 0.03
        Standard deviation of the noise, in torso lengths (the body's median
        mid-shoulder to mid-hip distance; 0.03 is about 1.5 cm on an adult,
        the order of a pose estimator's frame-to-frame jitter).
    random_state : int, Generator or None

    Returns
    -------
    Skeleton
        Missing landmarks stay missing; in the frames of a 2-D pose the depth
        is left as it is (it carries no measurement).
    """
    from sitrex.measurement import body_size, image_plane_frames

    skeleton = _skeleton(skeleton)
    scale = check_number(scale, "scale", low=0.0)
    coords = skeleton.coords
    noise = check_random_state(random_state).normal(0.0, scale * body_size(coords), coords.shape)
    noise[image_plane_frames(coords), :, 2] = 0.0
    return skeleton.replace(coords=coords + noise, confidence=skeleton.confidence)


def drop_landmarks(skeleton: Skeleton, share: float = 0.05, *, run: tuple[int, int] = (3, 10),
                   random_state: Any = None) -> Skeleton:
    """The recording with runs of frames in which single landmarks are missing.

    Parameters
    ----------
    skeleton : Skeleton
    share : float in [0, 1), default 0.05
        About this share of each landmark's frames becomes missing (runs may
        overlap, so slightly less on long clips).
    run : (int, int), default (3, 10)
        Shortest and longest run, frames (drawn uniformly).
    random_state : int, Generator or None

    Returns
    -------
    Skeleton
        The lost coordinates are NaN, their confidence too.
    """
    skeleton = _skeleton(skeleton)
    share = check_number(share, "share", low=0.0, high=1.0, high_open=True)
    low, high = (int(v) for v in run)
    if not 1 <= low <= high:
        raise InputError(f"run must be (shortest, longest) frames with 1 <= shortest <= longest; "
                         f"got {run!r}")
    rng = check_random_state(random_state)
    n_frames, n_landmarks = skeleton.coords.shape[:2]
    lost = np.zeros((n_frames, n_landmarks), dtype=bool)
    mean_run = (low + high) / 2.0
    n_runs = rng.poisson(share * n_frames / mean_run, n_landmarks)
    for landmark in np.flatnonzero(n_runs):
        lengths = rng.integers(low, high + 1, n_runs[landmark])
        starts = rng.integers(0, max(n_frames - low, 1), n_runs[landmark])
        for start, length in zip(starts, lengths):
            lost[start:start + length, landmark] = True
    coords = np.where(lost[..., None], np.nan, skeleton.coords)
    confidence = np.where(lost, np.nan, skeleton.confidence)
    return skeleton.replace(coords=coords, confidence=confidence)


def retime(skeleton: Skeleton, fps: float) -> Skeleton:
    """The recording at another frame rate (linear interpolation between frames).

    Parameters
    ----------
    skeleton : Skeleton
        With its frame rate.
    fps : float
        The new frame rate.

    Returns
    -------
    Skeleton
        Covering the same duration; a new frame next to a missing one is
        missing (:func:`sitrex.sequences.resample`).
    """
    from sitrex.sequences import resample

    skeleton = _skeleton(skeleton)
    if skeleton.fps is None:
        raise InputError("the skeleton has no frame rate; give it one first "
                         "(skeleton.replace(fps=...))")
    fps = check_fps(fps, "fps", required=True)
    coords, nearest = resample(skeleton.coords, skeleton.fps, fps)
    return skeleton.replace(coords=coords, confidence=skeleton.confidence[nearest], fps=fps)
