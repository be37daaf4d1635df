"""compare(): a coach's and an athlete's executions in, a FeedbackReport out."""

from __future__ import annotations

from typing import Any

import numpy as np

from sitrex._validation import check_int, check_probability
from sitrex.conditioning import NO_CONDITIONING, CausalConditioning, Conditioning
from sitrex.exceptions import InputError
from sitrex.sequences import carry_forward, interpolate_gaps, seconds_to_frames

from ._inputs import Execution, load_execution
from .coach import CoachReference, prepare_coach
from .report import FeedbackReport
from .windows import window_coverage, windowed_similarity

__all__ = ["compare", "compare_with_coach", "default_warmup", "default_window", "model_fps"]


def _check_comparator(comparator):
    if comparator is None:
        from sitrex.estimators import ExerciseComparator

        return ExerciseComparator.from_pretrained("sitrex-paper")
    missing = [m for m in ("embed", "similarity_from_embeddings", "predict_usefulness_proba")
               if not hasattr(comparator, m)]
    if missing:
        raise InputError(f"comparator must be a fitted sitrex.ExerciseComparator; got "
                         f"{type(comparator).__name__} (no {', '.join(missing)})")
    if not hasattr(comparator, "n_angles_") or not hasattr(comparator, "similarity_model_"):
        raise InputError("the comparator is not fitted: call comparator.fit(X, y) first, or use "
                         "ExerciseComparator.from_pretrained(...) or ExerciseComparator.load(path)")
    return comparator


#: A clip shorter than this shows no movement to judge.
MIN_CLIP_SECONDS = 0.3

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


def default_window(coach: CoachReference, comparator) -> int:
    """Frames (at the model's rate) of the window scored at each frame, by default.

    The duration of the coach's reference (one repetition, or the whole
    clip), at most the comparator's ``max_len``.
    """
    return min(int(comparator.max_len), len(coach.reference))


def default_warmup(window: int) -> int:
    """History (frames) a window needs before it is scored, by default: half the window."""
    return max(1, int(window) // 2)


def _conditioning(smooth, causal: bool):
    """The cleaning recipe `smooth` asks for; a causal comparison needs a causal one."""
    if isinstance(smooth, (Conditioning, CausalConditioning)):
        if causal and isinstance(smooth, Conditioning) and smooth.enabled:
            raise InputError("causal=True needs a causal cleaning recipe: pass "
                             "smooth=sitrex.conditioning.CausalConditioning(...) (the offline "
                             "Conditioning looks at later frames), True or False")
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


def _align(coach: CoachReference, athlete: np.ndarray, rate: float, band, circular: bool
           ) -> np.ndarray:
    """For each athlete frame (model rate), the matched frame of the coach's reference.

    With a one-repetition reference, each athlete repetition is aligned with
    it on its own (frames before the first repetition match the reference's
    start, frames after the last its end); otherwise the whole clips are.
    """
    from sitrex.alignment import align_to_reference
    from sitrex.repetitions import segment_repetitions

    ref = coach.reference
    cols = coach.focus
    reps = []
    if coach.reference_rep is not None:
        try:
            reps = segment_repetitions(athlete, fps=rate, columns=cols)
        except InputError:
            reps = []
    if not reps:
        return align_to_reference(ref, athlete, columns=cols, band=band, circular=circular)
    out = np.empty(len(athlete), dtype=np.int64)
    out[:reps[0].start] = 0
    out[reps[-1].end:] = len(ref) - 1
    for rep in reps:
        out[rep.slice] = align_to_reference(ref, athlete[rep.slice], columns=cols, band=band,
                                            circular=circular)
    return out


def compared_coach_repetitions(coach: CoachReference, coach_rep) -> list:
    """The coach's repetitions an athlete's repetitions are compared with (see ``coach_rep``)."""
    if coach_rep in ("typical", "whole"):
        return list(coach.repetitions)
    return [coach.repetitions[coach.reference_rep]]


def _repetitions(coach: CoachReference, athlete: Execution, names, columns, coach_rep
                 ) -> tuple[list, list, Any]:
    from sitrex.repetitions import compare_repetitions, segment_repetitions

    if not len(columns):
        return [], [], "repetitions not counted: no angle is measured in both clips"
    try:
        reps = segment_repetitions(athlete.angles, fps=athlete.fps, columns=columns)
    except InputError as exc:
        return [], [], f"repetitions not counted: {exc}"
    if not reps:
        return [], [], "no repetition found in the athlete's clip: feedback is per frame only"
    if not coach.repetitions:
        return reps, [], f"repetitions not compared with the coach: {coach.note}"
    coach_reps = compared_coach_repetitions(coach, coach_rep)
    try:
        feedback = compare_repetitions(coach.angles, athlete.angles, angle_names=names,
                                       columns=columns, fps=athlete.fps, coach_fps=coach.fps,
                                       coach_repetitions=coach_reps)
    except InputError as exc:
        return reps, [], f"repetitions not compared with the coach: {exc}"
    return reps, feedback, None


def compare(coach: Any, athlete: Any, comparator=None, backend=None, *, kind: str | None = None,
            window: int | None = None, stride: int = 1, threshold: float | None = None,
            align: bool = False, repetitions: bool = True,
            usefulness_threshold: float | None = None, useful_angles=None,
            fps: float | None = None, align_band: float | None = None,
            batch_size: int | None = None, min_window: int | None = None,
            smooth: bool | Conditioning | CausalConditioning = True, coach_rep: int | str = "typical",
            window_seconds: float | None = None, warmup_seconds: float | None = None,
            band_seconds: float | None = None, causal: bool = False) -> FeedbackReport:
    """Compare an athlete's execution of an exercise with a coach's, angle by angle.

    Parameters
    ----------
    coach, athlete : str, os.PathLike, Skeleton or array_like
        A video file (``.mp4``, ``.avi``, ``.mov``, ``.mkv``, ``.webm``,
        ...; poses are estimated with `backend`), a landmark file
        (``.npz`` or SiTrEx ``.json``), a :class:`sitrex.Skeleton`, or joint
        angles of shape (T, n_angles) in the comparator's column order, in
        degrees (NaN where not measured; a frame whose angles are all NaN has
        no person).
    comparator : sitrex.ExerciseComparator, optional
        Fitted. Default: ``ExerciseComparator.from_pretrained("sitrex-paper")``.
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
        Frame rate of inputs that have none (angle arrays, skeletons with
        ``fps=None``). Without it 30 fps is assumed, with a warning.
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
        What of the coach's clip the athletes are compared with: its most
        typical repetition, the whole clip, or the repetition of that index
        (0-based; see ``report.coach_repetitions``). Each athlete repetition
        is compared with all of the coach's repetitions (with the chosen one
        only, for an index).
    causal : bool, default False
        Score every frame from that frame and earlier ones only, as a live
        feed must (:class:`sitrex.LiveComparator` gives the same scores frame
        by frame): both inputs are cleaned with the causal recipe
        (:class:`~sitrex.conditioning.CausalConditioning`), gaps in the
        athlete's angles hold the last measured value, and an angle is scored
        from its first measured frame on. Not with ``align=True`` (which
        looks at the whole clip) or the ``"max-energy"`` kind (which chooses
        planes from the whole clip). The repetitions of the report are still
        found on the whole clip.

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
    comparator = _check_comparator(comparator)
    kind = _check_kind(kind, comparator)
    default = float(getattr(comparator, "threshold", 0.5))
    threshold = check_probability(threshold, "threshold", default)
    usefulness_threshold = check_probability(usefulness_threshold, "usefulness_threshold",
                                             default)
    stride = check_int(stride, "stride", low=1)
    if isinstance(coach_rep, str) and coach_rep not in ("typical", "whole"):
        raise InputError(f"coach_rep must be 'typical', 'whole' or a repetition index; got "
                         f"{coach_rep!r}")
    conditioning = _conditioning(smooth, causal)
    if causal and align:
        raise InputError("align=True aligns the whole clips in time, which a causal comparison "
                         "cannot do; drop align=True or causal=True")
    if causal and kind == "max-energy":
        raise InputError("the 'max-energy' kind chooses each angle's plane from the whole clip, "
                         "which a causal comparison cannot do; use a comparator trained on "
                         "another kind")
    rate = model_fps(comparator)
    max_len = int(comparator.max_len)
    # options that need no data are checked before any video is read
    window = _duration(window, window_seconds, "window", rate, None)
    warmup = _duration(min_window, warmup_seconds, "min_window", rate, None)
    band = _duration(align_band, band_seconds, "align_band", rate, None) \
        if (align_band is not None or band_seconds is not None) else None
    if window is not None and window > max_len:
        raise InputError(f"the window ({window} frames at {rate:g} fps) is longer than the "
                         f"comparator's max_len ({max_len} frames, {max_len / rate:g} s)")

    options = dict(comparator=comparator, kind=kind, backend=backend, fps=fps,
                   conditioning=conditioning)
    coach_x = load_execution(coach, "coach", **options)
    athlete_x = load_execution(athlete, "athlete", **options)
    coach_ref = prepare_coach(coach_x, comparator, fps=rate,
                              usefulness_threshold=usefulness_threshold,
                              useful_angles=useful_angles, coach_rep=coach_rep)
    return compare_with_coach(coach_ref, athlete_x, comparator, kind=kind, window=window,
                              warmup=warmup, band=band, stride=stride, threshold=threshold,
                              usefulness_threshold=usefulness_threshold, align=align,
                              repetitions=repetitions, batch_size=batch_size,
                              coach_rep=coach_rep, causal=causal)


def compare_with_coach(coach: CoachReference, athlete_x: Execution, comparator, *, kind: str,
                       window: int | None, warmup: int | None, band: int | None, stride: int,
                       threshold: float, usefulness_threshold: float, align: bool,
                       repetitions: bool, batch_size: int | None, coach_rep,
                       causal: bool = False) -> FeedbackReport:
    """Score one loaded athlete against a prepared coach (the second half of :func:`compare`)."""
    rate = coach.fps
    names = tuple(comparator.angle_names_)
    athlete, present, frame_of = athlete_x.at_rate(rate)
    measured = coach.measured & ~np.isnan(athlete).all(axis=0)
    if not measured.any():
        raise InputError("the coach and the athlete have no measured angle in common: every "
                         "angle is NaN throughout one of the two clips")
    useful = coach.useful & measured
    focus = np.flatnonzero(useful) if useful.any() else np.flatnonzero(measured)

    used_window = default_window(coach, comparator) if window is None else int(window)
    if athlete_x.duration < MIN_CLIP_SECONDS or len(athlete) < 2:
        raise InputError(
            f"the athlete's clip is {athlete_x.duration:.2f} s long ({len(athlete_x.angles)} "
            f"frames); at least {MIN_CLIP_SECONDS:g} s of movement is needed to judge it")
    notes = []
    if warmup is None:
        warmup = default_warmup(used_window)
        if len(athlete) < warmup:      # a short clip: judged on its second half, and said so
            warmup = max(1, len(athlete) // 2)
            notes.append(f"the athlete's clip ({athlete_x.duration:.2f} s) is shorter than the "
                         f"coach's reference ({used_window / rate:.2f} s): its second half is "
                         "scored, with less history than usual")
    elif len(athlete) < warmup:
        raise InputError(
            f"the athlete's clip is {athlete_x.duration:.2f} s long, shorter than the warm-up "
            f"asked for ({warmup / rate:.2f} s); shorten the warm-up (warmup_seconds=...)")
    if warmup > used_window:
        raise InputError(f"the warm-up ({warmup} frames) must not exceed the window "
                         f"({used_window} frames)")
    athlete_input = carry_forward(athlete, fill_value=0.0) if causal else \
        interpolate_gaps(athlete, fill_value=0.0)
    alignment, warped = None, None
    if align:
        alignment = _align(coach, athlete, rate, band, circular=kind != "unsigned")
        warped = coach.reference[alignment]
    similarity = windowed_similarity(comparator, coach.reference, athlete_input,
                                     present=present, window=used_window, stride=stride,
                                     batch_size=batch_size, warped_reference=warped)
    if causal:    # an angle is scored from its first measured frame on
        similarity[~(coach.measured & np.maximum.accumulate(~np.isnan(athlete), axis=0))] = \
            np.nan
    else:
        similarity[:, ~measured] = np.nan
    similarity[:warmup - 1] = np.nan              # too little history yet
    coverage = window_coverage(present, used_window)[frame_of]
    similarity = similarity[frame_of]
    similarity[~athlete_x.present] = np.nan
    coach_frames = None
    if alignment is not None:   # as frames of the coach's own clip
        model_frame = coach.reference_slice.start + alignment[frame_of]
        coach_frames = np.minimum(np.rint(model_frame / rate * coach.execution.fps),
                                  len(coach.execution.angles) - 1).astype(np.int64)

    reps, rep_feedback, note = [], [], None
    if repetitions:
        reps, rep_feedback, note = _repetitions(coach, athlete_x, names, focus, coach_rep)
    scored = int(np.isfinite(similarity[:, focus]).any(axis=1).sum())
    metadata = {
        "model_fps": rate, "window_seconds": used_window / rate,
        "warmup_seconds": warmup / rate, "scored_frames": scored,
        "scored_seconds": scored / athlete_x.fps,
        "coach_repetitions": len(coach.repetitions), "coach_reference_rep": coach.reference_rep,
        "coach_reference_seconds": coach.reference_seconds, "coach_note": coach.note,
        "conditioning": {"coach": coach.execution.conditioning,
                         "athlete": athlete_x.conditioning},
        "notes": notes, "causal": bool(causal),
    }
    n_frames = len(athlete_x.angles)
    return FeedbackReport(
        angle_names=names, usefulness=coach.usefulness, useful=useful, similarity=similarity,
        present=athlete_x.present, times=np.arange(n_frames) / athlete_x.fps, fps=athlete_x.fps,
        threshold=threshold, coach_angles=coach.execution.angles,
        athlete_angles=athlete_x.angles, coach_skeleton=coach.execution.skeleton,
        athlete_skeleton=athlete_x.skeleton, coach_source=coach.execution.source,
        athlete_source=athlete_x.source, alignment=coach_frames, repetitions=reps,
        repetition_feedback=rep_feedback, repetition_note=note,
        usefulness_threshold=usefulness_threshold, window=used_window, stride=int(stride),
        kind=kind, coverage=coverage, coach_repetitions=list(coach.repetitions),
        coach_variation=coach.variation, metadata=metadata)
