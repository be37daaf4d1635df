"""compare(): a coach's and an athlete's executions in, a FeedbackReport out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sitrex._validation import check_int, check_probability
from sitrex.conditioning import NO_CONDITIONING, CausalConditioning, Conditioning
from sitrex.exceptions import InputError
from sitrex.sequences import seconds_to_frames

from ._inputs import DEFAULT_FPS, Execution, load_execution
from .coach import SIDES, CoachReference, prepare_coach, scores_repetitions
from .report import FeedbackReport
from .scoring import compare_with_coach

__all__ = ["CompareOptions", "check_options", "compare", "compare_with_coach", "model_fps"]


def _check_comparator(comparator):
    if comparator is None:
        from sitrex.estimators import ExerciseComparator

        return ExerciseComparator.from_pretrained()
    needs = ("score_repetitions",) if scores_repetitions(comparator) else \
        ("embed", "similarity_from_embeddings")
    missing = [m for m in (*needs, "predict_usefulness_proba") if not hasattr(comparator, m)]
    if missing:
        raise InputError(f"comparator must be a fitted sitrex.ExerciseComparator or Repetition"
                         f"Comparator; got {type(comparator).__name__} (no {', '.join(missing)})")
    if not hasattr(comparator, "n_angles_") or not hasattr(comparator, "similarity_model_"):
        raise InputError("the comparator is not fitted: call comparator.fit(X, y) first, or use "
                         "ExerciseComparator.from_pretrained(...) or ExerciseComparator.load(path)")
    return comparator


#: Frame rate assumed for a comparator that does not record the rate it was trained at.
DEFAULT_MODEL_FPS = 30.0


def model_fps(comparator) -> float:
    """The frame rate `comparator` was trained at: ``metadata_["fps"]``, else 30 fps.

    The paper's weights do not say; 30 fps is assumed for them: the paper's
    data are MediaPipe landmarks of ordinary phone and web videos, which are
    mostly 30 fps (the PushFit clips, of the same kind, are 25-30 fps).
    """
    rate = (getattr(comparator, "metadata_", None) or {}).get("fps")
    return float(rate) if rate else DEFAULT_MODEL_FPS


def _conditioning(smooth, causal: bool):
    """The cleaning recipe `smooth` asks for; a causal comparison needs a causal one."""
    if isinstance(smooth, (Conditioning, CausalConditioning)):
        if causal and isinstance(smooth, Conditioning) and smooth.enabled:
            raise InputError("a causal comparison (causal=True, a live feed) needs a causal "
                             "cleaning recipe: pass smooth=sitrex.conditioning."
                             "CausalConditioning(...) (the offline Conditioning looks at later "
                             "frames), True or False")
        return smooth
    if not smooth:
        return NO_CONDITIONING
    return CausalConditioning() if causal else Conditioning()


def _check_kind(kind, comparator) -> str:
    from sitrex.angle_table import check_kind

    trained = (getattr(comparator, "metadata_", None) or {}).get("angle_kind")
    if kind is None:
        return check_kind(trained or "unsigned")
    kind = check_kind(kind)
    if trained is not None and kind != trained:
        raise InputError(f"kind={kind!r}, but the comparator was trained on {trained!r} angles; "
                         f"use kind={trained!r} (or a comparator trained on {kind!r} angles)")
    return kind


def _duration(frames, seconds, name: str, rate: float, default: int | None) -> int | None:
    """Frames at the model's `rate` from a duration given in frames or in seconds (not both)."""
    if frames is not None and seconds is not None:
        raise InputError(f"give {name} in frames or {name}_seconds in seconds, not both")
    if seconds is not None:
        return seconds_to_frames(seconds, rate, name=f"{name}_seconds")
    if frames is not None:
        return check_int(frames, name, low=1)
    return default


def compare(coach: Any, athlete: Any, comparator=None, backend=None, *, kind: str | None = None,
            window: int | None = None, stride: int = 1, threshold: float | None = None,
            align: bool = False, repetitions: bool = True,
            usefulness_threshold: float | None = None, useful_angles=None,
            fps: float | None = None, align_band: float | None = None,
            batch_size: int | None = None, min_window: int | None = None,
            smooth: bool | Conditioning | CausalConditioning = True,
            coach_rep: int | str = "typical", window_seconds: float | None = None,
            warmup_seconds: float | None = None, band_seconds: float | None = None,
            causal: bool = False, sides: str = "auto") -> FeedbackReport:
    """Compare an athlete's execution of an exercise with a coach's, angle by angle.

    Parameters
    ----------
    coach, athlete : str, os.PathLike, Skeleton or array_like
        A video file (``.mp4``, ``.avi``, ``.mov``, ``.mkv``, ``.webm``,
        ...; poses are estimated with `backend`), a landmark file
        (``.npz`` or SiTrEx ``.json``), a :class:`sitrex.Skeleton`, landmarks
        of shape (T, 33, 3) or (T, 33, 2) (as ``sitrex.Skeleton(landmarks)``;
        their frame rate is `fps`), or joint angles of shape (T, n_angles)
        in the comparator's column order, in degrees (NaN where not measured;
        a frame whose angles are all NaN has no person).
    comparator : sitrex.ExerciseComparator, optional
        Fitted. Default: ``ExerciseComparator.from_pretrained()`` (the default weights).
    backend : str or sitrex.backends.PoseBackend, optional
        Pose backend for video inputs (default ``"mediapipe"``).
    kind : str, optional
        Angle kind computed from poses (:data:`sitrex.ANGLE_KINDS`); default
        and only choice: the kind the comparator was trained on
        (``comparator.metadata_["angle_kind"]``, ``"unsigned"`` when it does
        not say).
    window_seconds : float, optional
        Length of the athlete's window scored at each frame, seconds. Default:
        the duration of the coach's reference (one repetition, or the whole
        clip), at most the comparator's ``max_len`` frames.
    window : int, optional
        The same in frames at the comparator's rate (give one or the other).
    stride : int, default 1
        Score one window in `stride`; frames between hold the last score
        (never a later one). Faster, coarser.
    threshold : float, optional
        Similarity below which an angle differs from the coach; default
        ``comparator.threshold``.
    align : bool, default False
        Time-align the athlete to the coach by dynamic time warping on the
        useful angles (see Notes).
    repetitions : bool, default True
        Segment the athlete's repetitions and compare each with the coach's
        (:mod:`sitrex.repetitions`).
    usefulness_threshold : float, optional
        Probability at or above which an angle is useful; default
        ``comparator.threshold``.
    useful_angles : names, indices or a boolean mask, optional
        Name the angles that matter instead of asking the usefulness network
        (``report.usefulness`` still holds its probabilities).
    fps : float, optional
        Frame rate of inputs that have none (arrays, skeletons with
        ``fps=None``). Without it 30 fps is assumed, with a warning and a
        note in the report's ``metadata["notes"]`` (and so its messages).
    band_seconds, align_band : float, optional
        Sakoe-Chiba band of the alignment, in seconds or in frames at the
        comparator's rate (see :func:`sitrex.alignment.dtw_path`).
    batch_size : int, optional
        Windows handed to the comparator's ``embed`` per call, which bounds
        memory; default :func:`sitrex.feedback.windows.auto_batch_size`.
        The comparator runs its network in its own chunks, sized to its
        architecture.
    warmup_seconds : float, optional
        History a window needs before it is scored, seconds; default half the
        window. Earlier frames get a NaN similarity (not scored): a network
        reads a fraction of a movement as "differs", whoever performs it.
    min_window : int, optional
        The same in frames at the comparator's rate.
    smooth : bool, Conditioning or CausalConditioning, default True
        Clean both inputs before comparing them (glitch rejection, gap
        bridging, 6 Hz zero-phase low-pass; :mod:`sitrex.conditioning`; with
        ``causal=True`` its causal counterpart). False compares the raw
        angles; a recipe object sets the recipe.
        ``report.metadata["conditioning"]`` records what was done.
    coach_rep : "typical", "whole" or int, default "typical"
        What of the coach's clip the athletes are compared with: its most typical
        repetition (the first one for a comparator scoring repetitions: its recipe's), the
        whole clip, or the repetition of that index (0-based; see ``report.coach_repetitions``).
        Each athlete repetition is compared with all of the coach's repetitions (with the
        chosen one only, for an index).
    causal : bool, default False
        Score every frame from that frame and earlier ones only, as a live
        feed must (:class:`sitrex.LiveComparator` gives the same scores frame
        by frame): the athlete is cleaned with the causal recipe
        (:class:`~sitrex.conditioning.CausalConditioning`; the coach, recorded
        beforehand, with the offline one, so the angles that matter are those
        of the offline comparison), gaps in the
        athlete's angles hold the last measured value, and an angle is scored
        from its first measured frame on. Not with ``align=True`` (which
        looks at the whole clip) or the ``"max-energy"`` kind (which chooses
        planes from the whole clip). The repetitions of the report are still
        found on the whole clip.
    sides : {"auto", "same", "mirrored"}, default "auto"
        Which of the coach's angles each of the athlete's is compared with.
        ``"auto"``: when the coach's movement works one side (a one-arm curl)
        and the athlete works the other (a patient mirroring a
        physiotherapist who faces them, a selfie camera's mirror image), the
        coach's movement mirrored, left and right swapped
        (:mod:`sitrex.sides`); and when both sides move but the athlete's
        execution is far closer to the coach's mirrored (a lunge with the
        other leg forward: the mirrored comparison scores at least
        :data:`sitrex.sides.MIRRORED_BETTER` higher), that one; otherwise side
        for side (each athlete is then scored twice). An athlete who
        alternates sides (right, left, right, left) against a one-sided
        coach, or alternates a movement of both sides such as a lunge, has
        each side's repetitions compared with the coach on that side
        (:mod:`sitrex.feedback.alternating`; the runs are in
        ``report.metadata["side_runs"]``). ``"same"``: always
        side for side; ``"mirrored"``: always mirrored. A mirrored comparison
        is said in ``report.messages`` and ``report.coach_mirrored``; the
        report's angles stay the athlete's own (its worst angle is the limb
        the athlete moved). With ``causal=True``, ``"auto"`` compares side for
        side (deciding needs the whole clip).

    Returns
    -------
    FeedbackReport
        ``report.metadata`` records the comparator's frame rate, the window
        and warm-up in seconds, the frames scored, the coach's repetitions
        and the cleaning.

    Raises
    ------
    sitrex.exceptions.MissingFileError
        For a path that does not exist.
    sitrex.exceptions.InputError
        For an unknown file type, an angle array of the wrong shape, column
        count or range (e.g. radians), a clip with no person in any frame or
        no measured angle, a clip too short to judge, a kind the comparator
        was not trained on, an unfitted comparator, or a bad option.

    Notes
    -----
    * **One clock.** Both inputs are cleaned at their own frame rate, then
      re-timed to the comparator's rate (:func:`model_fps`); scores are
      computed there and put back on the athlete's frames (each frame takes
      the score of the latest model frame at or before it).
    * **Usefulness** is predicted once, on the coach's clip. Angles the coach
      or the athlete never has are not useful and not scored.
    * **The coach's reference** is one repetition of the coach's clip (see
      `coach_rep` and :mod:`sitrex.feedback.coach`); the coach's
      rep-to-rep variation per angle is ``report.coach_variation``.
    * **Similarity** at frame ``t`` compares the window of the athlete's
      frames ending at ``t`` with the coach's reference, encoded once (see
      :mod:`sitrex.feedback.windows`). Gaps in the athlete's angles are
      filled by linear interpolation for the network only: frames without a
      person keep ``present=False`` and a NaN similarity, and
      ``report.coverage`` tells how much of each window had a person.
    * **Alignment** (``align=True``) matches every athlete frame with a frame
      of the coach's reference (:func:`sitrex.alignment.align_to_reference`
      on the useful angles, each athlete repetition on its own). The window
      ending at ``t`` is then compared with the coach's movement warped onto
      the same frames: tempo differences no longer count as differences. The
      alignment looks at the whole clip (an offline analysis).

    Examples
    --------
    >>> import numpy as np
    >>> from sitrex import ExerciseComparator, make_pairs
    >>> rng = np.random.default_rng(0)
    >>> seqs = [rng.uniform(0, 180, (20, 2)) for _ in range(4)]
    >>> X, y = make_pairs(seqs, ["a", "a", "b", "b"], {"a": [0], "b": [1]}, n_pairs=8,
    ...                   max_len=8, random_state=0, pad=False)
    >>> cmp = ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4, max_len=8,
    ...                          epochs=1, random_state=0).fit(X, y)
    >>> athlete = seqs[1].copy()
    >>> athlete[5:8] = np.nan                                  # nobody in frames 5-7
    >>> report = compare(seqs[0], athlete, cmp, fps=30.0, repetitions=False, smooth=False)
    >>> report.similarity.shape, report.present[4:9].tolist()
    ((20, 2), [True, False, False, False, True])
    >>> bool(np.isnan(report.similarity[5:8]).all())
    True
    """
    options = check_options(
        comparator, kind=kind, window=window, stride=stride, threshold=threshold, align=align,
        repetitions=repetitions, usefulness_threshold=usefulness_threshold,
        useful_angles=useful_angles, fps=fps, align_band=align_band, batch_size=batch_size,
        min_window=min_window, smooth=smooth, coach_rep=coach_rep,
        window_seconds=window_seconds, warmup_seconds=warmup_seconds, band_seconds=band_seconds,
        causal=causal, sides=sides)
    coach_x = options.load(coach, "coach", backend)
    athlete_x = options.load(athlete, "athlete", backend)
    return options.score(options.prepare_coach(coach_x), athlete_x)


@dataclass(frozen=True)
class CompareOptions:
    """The options of :func:`compare`, checked, with durations in frames at the model's rate.

    Made by :func:`check_options`; its three steps are the pipeline's:
    :meth:`load` an input, :meth:`prepare_coach` once, :meth:`score` each
    athlete. It pickles (the comparator as its weights), so that worker
    processes can score athletes against a coach prepared elsewhere.
    """

    comparator: Any
    kind: str
    fps: float | None                  # frame rate of inputs that have none
    conditioning: Conditioning | CausalConditioning
    threshold: float
    usefulness_threshold: float
    useful_angles: Any
    coach_rep: int | str
    window: int | None
    warmup: int | None
    band: int | None
    stride: int
    align: bool
    repetitions: bool
    batch_size: int | None
    causal: bool = False
    sides: str = "auto"

    @property
    def rate(self) -> float:
        """The comparator's frame rate (:func:`model_fps`)."""
        return model_fps(self.comparator)

    def load(self, value: Any, role: str, backend: Any = None) -> Execution:
        """One input (video, landmark file, Skeleton or angles) as cleaned angles.

        The coach's clip is recorded beforehand, so a causal comparison cleans it as an offline
        one does (the whole clip is there): its angles that matter and its repetitions are
        those :func:`compare` finds. Only the athlete is cleaned causally.
        """
        conditioning = self.conditioning
        if role == "coach" and isinstance(conditioning, CausalConditioning):
            conditioning = Conditioning()
        return load_execution(value, role, self.comparator, kind=self.kind, backend=backend,
                              fps=self.fps, conditioning=conditioning)

    def prepare_coach(self, execution: Execution) -> CoachReference:
        """The coach, prepared once (:func:`sitrex.feedback.coach.prepare_coach`)."""
        return prepare_coach(execution, self.comparator, fps=self.rate,
                             usefulness_threshold=self.usefulness_threshold,
                             useful_angles=self.useful_angles, coach_rep=self.coach_rep)

    def score(self, coach: CoachReference, athlete: Execution) -> FeedbackReport:
        """One athlete against the prepared coach (:func:`compare_with_coach`).

        A clip whose frame rate was assumed is said in the report's notes (its
        messages and files), not only in a warning: a report read later, or
        made in a worker process whose warnings nobody sees, still says that
        its times rest on an assumption.
        """
        report = compare_with_coach(
            coach, athlete, self.comparator, kind=self.kind, window=self.window,
            warmup=self.warmup, band=self.band, stride=self.stride, threshold=self.threshold,
            usefulness_threshold=self.usefulness_threshold, align=self.align,
            repetitions=self.repetitions, batch_size=self.batch_size, coach_rep=self.coach_rep,
            causal=self.causal, sides=self.sides)
        assumed = [f"the {role}'s" for role, x in (("coach", coach.execution), ("athlete", athlete))
                   if x.fps_assumed]
        if assumed:
            rates = "frame rates were" if len(assumed) > 1 else "frame rate was"
            report.metadata["notes"] = [
                f"{' and '.join(assumed)} {rates} not known: {DEFAULT_FPS:g} fps was assumed, so "
                "times and tempo may be off (give it with fps=... in Python or --fps on the "
                "command line)", *report.metadata.get("notes", [])]
        return report


def _check_repetition_options(*, causal: bool, window, warmup, stride: int) -> None:
    """Refuse the options a comparator scoring whole repetitions has no use for."""
    if causal:
        raise InputError("this comparator scores whole repetitions, which are known only once they "
                         "end, so it cannot score causally; use sitrex.LiveComparator (it scores "
                         "each repetition as it ends), or a comparator that scores windows (such "
                         "as sitrex-paper's) for causal=True")
    given = [name for name, values in (("window", window), ("warm-up", warmup))
             if any(v is not None for v in values)] + (["stride"] if stride != 1 else [])
    if given:
        raise InputError(f"{', '.join(given)}: only for a comparator that scores sliding windows; "
                         "this one scores whole repetitions, so the option would be ignored. Drop "
                         "it, or use the paper's window comparator (sitrex-paper)")


def check_options(comparator=None, *, kind: str | None = None, window: int | None = None,
                  stride: int = 1, threshold: float | None = None, align: bool = False,
                  repetitions: bool = True, usefulness_threshold: float | None = None,
                  useful_angles=None, fps: float | None = None, align_band: float | None = None,
                  batch_size: int | None = None, min_window: int | None = None,
                  smooth: bool | Conditioning | CausalConditioning = True,
                  coach_rep: int | str = "typical", window_seconds: float | None = None,
                  warmup_seconds: float | None = None, band_seconds: float | None = None,
                  causal: bool = False, live: bool = False, sides: str = "auto"
                  ) -> CompareOptions:
    """Check :func:`compare`'s options before any input is read; see it for their meaning.

    `live` is for :class:`sitrex.LiveComparator`: causal cleaning, and a
    comparator scoring whole repetitions is allowed (it scores each one as
    it ends).

    Returns
    -------
    CompareOptions

    Raises
    ------
    sitrex.exceptions.InputError
        For a bad option, or an unfitted comparator.

    Examples
    --------
    >>> check_options(stride=0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: stride must be ...
    """
    stride = check_int(stride, "stride", low=1)
    if isinstance(coach_rep, str) and coach_rep not in ("typical", "whole"):
        raise InputError(f"coach_rep must be 'typical', 'whole' or a repetition index; got "
                         f"{coach_rep!r}")
    if sides not in SIDES:
        raise InputError(f"sides must be one of {', '.join(map(repr, SIDES))}; got {sides!r}")
    comparator = _check_comparator(comparator)
    kind = _check_kind(kind, comparator)
    default = float(getattr(comparator, "threshold", 0.5))
    threshold = check_probability(threshold, "threshold", default)
    usefulness_threshold = check_probability(usefulness_threshold, "usefulness_threshold",
                                             default)
    conditioning = _conditioning(smooth, causal)
    if scores_repetitions(comparator):
        _check_repetition_options(causal=causal and not live, window=(window, window_seconds),
                                  warmup=(min_window, warmup_seconds), stride=stride)
    if causal and align:
        raise InputError("align=True aligns the whole clips in time, which a causal comparison "
                         "cannot do; drop align=True or causal=True")
    if causal and kind == "max-energy":
        raise InputError("the 'max-energy' kind chooses each angle's plane from the whole clip, "
                         "which a causal comparison cannot do; use a comparator trained on "
                         "another kind")
    rate = model_fps(comparator)
    max_len = int(getattr(comparator, "max_len", 0)) or float("inf")   # no limit: repetitions
    window = _duration(window, window_seconds, "window", rate, None)
    warmup = _duration(min_window, warmup_seconds, "min_window", rate, None)
    band = _duration(align_band, band_seconds, "align_band", rate, None) \
        if (align_band is not None or band_seconds is not None) else None
    if window is not None and window > max_len:
        raise InputError(f"the window ({window} frames at {rate:g} fps) is longer than the "
                         f"comparator's max_len ({max_len} frames, {max_len / rate:g} s)")
    return CompareOptions(
        comparator=comparator, kind=kind, fps=fps, conditioning=conditioning,
        threshold=threshold, usefulness_threshold=usefulness_threshold,
        useful_angles=useful_angles, coach_rep=coach_rep, window=window, warmup=warmup,
        band=band, stride=stride, align=bool(align), repetitions=bool(repetitions),
        batch_size=batch_size, causal=bool(causal),
        sides="same" if causal and sides == "auto" else sides)


