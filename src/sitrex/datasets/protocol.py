"""The real-data protocol: the data sets as coaches and athletes, and what a comparator receives.

The benchmark of the feedback (``benchmarks/feedback_quality.py``) and the
training pairs of the default comparator
(:mod:`sitrex.datasets.training_pairs`) see the labelled real data sets the
same way:

* :func:`protocol_data`: a data set's clips with their exercise, their
  **group** (who or what recorded them: a coach is only ever paired with
  athletes of other groups) and whether they are correct;
* :func:`coach_input`: the coach, one correct repetition (:func:`one_repetition`)
  or several of one group;
* :func:`model_angles`: the cleaned unsigned angles on the 30 fps clock, what
  ``sitrex.compare`` gives a comparator.

Examples
--------
>>> from sitrex.datasets import make_exercise
>>> clips, _ = make_exercise(2, ["squat"], n_reps=2, random_state=0)
>>> data = ProtocolData("synthetic", clips, ["squat", "squat"], ["a", "b"], [True, True])
>>> model_angles(coach_input(data, 0, 1, None)).shape[1]
26
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from sitrex.angles import range_of_motion
from sitrex.exceptions import InputError

__all__ = ["MODEL_FPS", "PROTOCOL_DATASETS", "ProtocolData", "coach_input", "model_angles",
           "one_repetition", "protocol_data"]

#: Frame rate of the angle sequences a comparator receives.
MODEL_FPS = 30.0
#: The data sets :func:`protocol_data` knows.
PROTOCOL_DATASETS = ("squat_errors", "irds", "pushfit", "penn_action", "synthetic")
#: Clips of the "synthetic" data set (:func:`sitrex.datasets.make_exercise`, every exercise).
_SYNTHETIC_CLIPS = 210


@dataclass
class ProtocolData:
    """The clips of one data set as the protocol sees them.

    Parameters
    ----------
    name : str
        The data set (the pairs' source).
    skeletons : sequence of Skeleton
        The clips, each with its frame rate.
    exercises : sequence of str
        Exercise of each clip (a coach is only paired with its exercise).
    groups : sequence
        Who or what recorded each clip (subject, recording day, video
        format): a coach's athletes come from the other groups.
    correct : sequence of bool
        True for a correct execution.
    views : sequence of str, optional
        Camera view of each clip (Penn Action), for same-view athletes.
    forms : sequence of str, optional
        The data set's own label of each clip's execution (a correct style
        or the fault), where it has one.
    """

    name: str
    skeletons: list
    exercises: np.ndarray
    groups: np.ndarray
    correct: np.ndarray
    views: np.ndarray | None = None
    forms: np.ndarray | None = None

    def __post_init__(self):
        self.skeletons = list(self.skeletons)
        n = len(self.skeletons)
        self.exercises = np.asarray(self.exercises).astype(str)
        self.groups = np.asarray(self.groups).astype(str)
        self.correct = np.asarray(self.correct, dtype=bool)
        if self.views is not None:
            self.views = np.asarray(self.views).astype(str)
        if self.forms is not None:
            self.forms = np.asarray(self.forms).astype(str)
        for label, values in (("exercises", self.exercises), ("groups", self.groups),
                              ("correct", self.correct), ("views", self.views),
                              ("forms", self.forms)):
            if values is not None and values.shape != (n,):
                raise InputError(f"ProtocolData {self.name!r}: {label} has shape {values.shape}; "
                                 f"it needs one entry per skeleton ({n})")
        if any(s.fps is None for s in self.skeletons):
            raise InputError(f"ProtocolData {self.name!r}: every skeleton needs its frame rate")

    def __len__(self) -> int:
        return len(self.skeletons)


def protocol_data(name: str, path: str | os.PathLike[str] | None = None) -> ProtocolData:
    """One of :data:`PROTOCOL_DATASETS` loaded through its :mod:`sitrex.datasets` loader.

    The loaders handle each archive's traps (units, sides, frame clocks).
    Groups: squat_errors' recording days (it has no subject ids), IRDS'
    subjects, PushFit's video formats (frame rate and size, which are
    confounded with the label: a coach is never paired with its own
    format; the 4 clips of unknown format are dropped), and Penn Action's
    clips. ``"synthetic"`` is 210 correct clips of every exercise of
    :func:`sitrex.datasets.make_exercise` (seed 0, random views), each its
    own group (a body of its own proportions).

    Parameters
    ----------
    name : str
        One of :data:`PROTOCOL_DATASETS`.
    path : str or os.PathLike, optional
        The folder of the archives (default: the data home,
        :func:`sitrex.datasets.get_data_home`).

    Returns
    -------
    ProtocolData
    """
    from sitrex import datasets

    if name == "squat_errors":
        ds = datasets.load_squat_errors(path)
        return ProtocolData(name, ds.skeletons, ds.labels, ds.groups, ds.extra["correct"],
                            forms=ds.extra["form"])
    if name == "irds":
        ds = datasets.load_irds(path)
        correct = np.asarray(ds.extra["correct"], dtype=bool)
        return ProtocolData(name, ds.skeletons, ds.labels, ds.groups, correct,
                            forms=np.where(correct, "correct", "incorrect"))
    if name == "pushfit":
        ds = datasets.load_pushfit(path)
        fps, width, height = (np.asarray(ds.extra[k]) for k in ("fps", "width", "height"))
        keep = np.flatnonzero(np.isfinite(fps))
        groups = np.array([f"{f:.2f} fps {w}x{h}" for f, w, h in zip(fps, width, height)])
        form = np.asarray(ds.extra["form"]).astype(str)
        return ProtocolData(name, [ds.skeletons[i] for i in keep], np.asarray(ds.labels)[keep],
                            groups[keep], form[keep] == "correct", forms=form[keep])
    if name == "synthetic":
        from sitrex.datasets import EXERCISES, make_exercise

        clips, labels = make_exercise(_SYNTHETIC_CLIPS, list(EXERCISES), n_reps=(2, 4),
                                      view="random", random_state=0)
        return ProtocolData(name, clips, labels, [f"body {i}" for i in range(len(clips))],
                            np.ones(len(clips), bool))
    if name == "penn_action":
        ds = datasets.load_penn_action(path)
        skeletons = [s.replace(fps=MODEL_FPS) for s in ds.skeletons]
        return ProtocolData(name, skeletons, ds.labels, ds.groups, np.ones(len(ds), bool),
                            views=ds.extra["view"])
    raise InputError(f"unknown data set {name!r}; choose from {', '.join(PROTOCOL_DATASETS)}")


# ------------------------------------------------------------------ coaches and angles
def _moving_columns(angles: np.ndarray, k: int = 6) -> np.ndarray:
    spread = range_of_motion(angles)
    return np.argsort(-np.nan_to_num(spread, nan=-1.0))[:k]


def one_repetition(skeleton):
    """The clip cut to its longest repetition (found on its six most moving angles), or whole.

    Parameters
    ----------
    skeleton : Skeleton
        With its frame rate.

    Returns
    -------
    Skeleton

    Examples
    --------
    >>> from sitrex.datasets import make_exercise
    >>> clip = make_exercise(1, ["squat"], n_reps=3, random_state=0)[0][0]
    >>> one = one_repetition(clip)
    >>> bool(0 < one.n_frames < clip.n_frames)
    True
    """
    from sitrex.conditioning import Conditioning
    from sitrex.repetitions import segment_repetitions

    angles = Conditioning().skeleton(skeleton).angles()
    try:
        reps = segment_repetitions(angles, fps=skeleton.fps, columns=_moving_columns(angles))
    except InputError:
        reps = []
    if not reps:
        return skeleton
    rep = max(reps, key=lambda r: r.n_frames)
    return skeleton[rep.start:rep.end]


def coach_input(data: ProtocolData, clip: int, n_reps: int, rng: np.random.Generator):
    """The coach as the protocol gives it: one repetition of `clip`, or `n_reps` repetitions.

    With ``n_reps > 1``, the repetition of `clip` is followed by one
    repetition of each of ``n_reps - 1`` other correct clips of its group and
    exercise (drawn with `rng`), all on the first clip's frame rate.

    Returns
    -------
    Skeleton or None
        None when the group has too few correct clips of the exercise.
    """
    from sitrex.skeleton import concatenate

    parts = [one_repetition(data.skeletons[clip])]
    if n_reps > 1:
        mates = np.flatnonzero(data.correct & (data.groups == data.groups[clip])
                               & (data.exercises == data.exercises[clip]))
        mates = rng.permutation(mates[mates != clip])[:n_reps - 1]
        parts += [one_repetition(data.skeletons[m]) for m in mates]
        if len(parts) < n_reps:
            return None
        fps = parts[0].fps
        parts = [p.replace(fps=fps) for p in parts]
    return parts[0] if len(parts) == 1 else concatenate(parts)


def model_angles(skeleton, *, conditioned: bool = False) -> np.ndarray:
    """The unsigned angles a comparator receives: cleaned, on the 30 fps clock.

    Parameters
    ----------
    skeleton : Skeleton
        With its frame rate.
    conditioned : bool, default False
        True when the landmarks are already cleaned (the default
        :class:`~sitrex.conditioning.Conditioning` is not applied again).

    Returns
    -------
    numpy.ndarray, shape (T', 26), float32
        The columns of :data:`sitrex.measurement.COMPARISON_ANGLE_NAMES`.

    Notes
    -----
    The angles are measured as :func:`sitrex.compare` measures them
    (:func:`sitrex.measurement.comparison_angles`: in torso lengths, the
    knee valgus indicators measured as the knee frontal tilt, the axial
    rotations after the paper's 23, the angles that need depth NaN in a 2-D
    pose), so that a comparator trained on
    them sees in training what it sees in use.
    """
    from sitrex.conditioning import Conditioning
    from sitrex.measurement import COMPARISON_ANGLE_NAMES, comparison_angles
    from sitrex.sequences import resample

    clean = skeleton if conditioned else Conditioning().skeleton(skeleton)
    angles = comparison_angles(clean.coords, names=COMPARISON_ANGLE_NAMES)
    return resample(angles, skeleton.fps, MODEL_FPS)[0].astype(np.float32)
