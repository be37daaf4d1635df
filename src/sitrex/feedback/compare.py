"""compare(): a coach's and an athlete's executions in, a FeedbackReport out."""

from __future__ import annotations

from typing import Any

import numpy as np

from sitrex._validation import check_probability, resolve_columns
from sitrex.exceptions import InputError
from sitrex.sequences import interpolate_gaps, resample

from ._inputs import Execution, load_execution
from .report import FeedbackReport
from .windows import window_coverage, windowed_similarity

__all__ = ["compare"]


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


def _fill(angles: np.ndarray) -> np.ndarray:
    return interpolate_gaps(angles, fill_value=0.0)


def _coach_input(coach: Execution) -> np.ndarray:
    """The coach's frames from its first to its last with a person, gaps filled."""
    frames = np.flatnonzero(coach.present)
    return _fill(coach.angles[frames[0]:frames[-1] + 1])


def _useful_mask(useful_angles, usefulness, threshold, names, measured) -> np.ndarray:
    if useful_angles is None:
        return (usefulness >= threshold) & measured
    mask = np.zeros(len(names), dtype=bool)
    mask[resolve_columns(useful_angles, len(names), names, name="useful_angles")] = True
    return mask & measured


def _repetitions(coach: Execution, athlete: Execution, names, columns) -> tuple[list, list, Any]:
    from sitrex.repetitions import compare_repetitions, segment_repetitions

    if not len(columns):
        return [], [], "repetitions not counted: no angle is measured in both clips"
    try:
        reps = segment_repetitions(athlete.angles, fps=athlete.fps, columns=columns)
    except ValueError as exc:
        return [], [], f"repetitions not counted: {exc}"
    if not reps:
        return [], [], "no repetition found in the athlete's clip: feedback is per frame only"
    try:
        feedback = compare_repetitions(coach.angles, athlete.angles, angle_names=names,
                                       columns=columns, fps=athlete.fps, coach_fps=coach.fps)
    except ValueError as exc:
        return reps, [], f"repetitions not compared with the coach: {exc}"
    return reps, feedback, None


def compare(coach: Any, athlete: Any, comparator=None, backend=None, *, kind: str = "unsigned",
            window: int | None = None, stride: int = 1, threshold: float | None = None,
            align: bool = False, repetitions: bool = True,
            usefulness_threshold: float | None = None, useful_angles=None,
            fps: float | None = None, align_band: float | None = None,
            batch_size: int | None = None, min_window: int | None = None) -> FeedbackReport:
    """Compare an athlete's execution of an exercise with a coach's, angle by angle.

    Parameters
    ----------
    coach, athlete : str, os.PathLike, Skeleton or array_like
        A video file (``.mp4``, ``.avi``, ``.mov``, ``.mkv``, ``.webm``,
        ...; poses are estimated with `backend`), a landmark file
        (``.npz`` or SiTrEx ``.json``), a :class:`sitrex.Skeleton`, or joint
        angles of shape (T, n_angles) in the comparator's column order
        (NaN where not measured; a frame whose angles are all NaN has no
        person).
    comparator : sitrex.ExerciseComparator, optional
        Fitted. Default: ``ExerciseComparator.from_pretrained("sitrex-paper")``.
    backend : str or sitrex.backends.PoseBackend, optional
        Pose backend for video inputs (default ``"mediapipe"``).
    kind : str, default "unsigned"
        Angle kind computed from poses (:data:`sitrex.ANGLE_KINDS`); it must
        be the kind the comparator was trained on.
    window : int, optional
        Window length in frames, at most ``comparator.max_len`` (the
        default).
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
        typical one (:mod:`sitrex.repetitions`).
    usefulness_threshold : float, optional
        Probability at or above which an angle is useful; default
        ``comparator.threshold``.
    useful_angles : sequence of str, optional
        Name the angles that matter instead of asking the usefulness network
        (``report.usefulness`` still holds its probabilities).
    fps : float, optional
        Frame rate of inputs that have none (angle arrays, skeletons with
        ``fps=None``). Without it 30 fps is assumed, with a warning.
    align_band : float, optional
        Sakoe-Chiba band of the alignment, in frames (see
        :func:`sitrex.alignment.dtw_path`).
    batch_size : int, optional
        Windows handed to the comparator's ``embed`` per call, which bounds
        memory; default :func:`sitrex.feedback.windows.auto_batch_size`.
        The comparator runs its network in its own chunks, sized to its
        architecture.

    min_window : int, optional
        Frames of history a window needs before it is scored; default half
        the window. The first ``min_window - 1`` frames get a NaN similarity
        (not scored): a network trained on long sequences reads a few
        frames of movement as "differs", whoever performs them.
    Returns
    -------
    FeedbackReport

    Raises
    ------
    FileNotFoundError
        For a path that does not exist.
    ValueError
        For an unknown file type, an angle array of the wrong shape or
        column count, a clip with no person in any frame or no measured
        angle, an unfitted comparator, or a bad option.

    Notes
    -----
    * **Usefulness** is predicted once, on the coach's sequence (from its
      first to its last frame with a person, gaps filled by
      :func:`sitrex.fill_gaps`). Angles the coach or the athlete never has
      are not useful and not scored.
    * **Similarity** at frame ``t`` compares the window of the athlete's
      frames ``max(0, t - window + 1) .. t`` with the coach's sequence,
      encoded once (see :mod:`sitrex.feedback.windows`); the network sees the
      coach's last ``max_len`` frames. A coach clip at another frame rate is
      first resampled to the athlete's. Gaps in the athlete's angles are
      filled by linear interpolation (:func:`sitrex.fill_gaps`) for the
      network only: frames without a person keep ``present=False`` and a
      NaN similarity, and ``report.coverage`` tells how much of each window
      had a person. (A gap bridged up to frame ``t`` uses frames up to
      ``t`` only; an angle missing *at* ``t`` itself is interpolated towards
      its next measured value, the one exception to "no score depends on
      later frames".)
    * **Alignment** (``align=True``) matches every athlete frame with a coach
      frame (:func:`sitrex.alignment.align_to_reference` on the useful
      angles, differences wrapped to +-180 degrees for signed kinds;
      ``report.alignment``). The window ending at ``t`` is then
      compared with the coach's movement warped onto the same athlete
      frames, coach frames ``alignment[t - window + 1 .. t]`` (repeated where
      the athlete is slower, skipped where faster), instead of with the
      whole coach clip: tempo differences no longer count as differences.
      The alignment looks at the whole clip, so with it a score may depend
      on later frames (an offline analysis).

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
    >>> report = compare(seqs[0], athlete, cmp, fps=10.0, repetitions=False)
    >>> report.similarity.shape, report.present[4:9].tolist()
    ((20, 2), [True, False, False, False, True])
    >>> bool(np.isnan(report.similarity[5:8]).all())
    True
    """
    comparator = _check_comparator(comparator)
    default = float(getattr(comparator, "threshold", 0.5))
    threshold = check_probability(threshold, "threshold", default)
    usefulness_threshold = check_probability(usefulness_threshold, "usefulness_threshold",
                                             default)
    names = tuple(comparator.angle_names_)
    options = dict(comparator=comparator, kind=kind, backend=backend, fps=fps)
    coach_x = load_execution(coach, "coach", **options)
    athlete_x = load_execution(athlete, "athlete", **options)

    measured = ~np.isnan(coach_x.angles).all(axis=0) & ~np.isnan(athlete_x.angles).all(axis=0)
    if not measured.any():
        raise InputError("the coach and the athlete have no measured angle in common: every "
                         "angle is NaN throughout one of the two clips")
    coach_input = _coach_input(coach_x)
    usefulness = comparator.predict_usefulness_proba([coach_input.astype(np.float32)])[0]
    useful = _useful_mask(useful_angles, usefulness, usefulness_threshold, names, measured)
    focus = np.flatnonzero(useful) if useful.any() else np.flatnonzero(measured)

    athlete_input = _fill(athlete_x.angles)
    alignment, warped, reference = None, None, None
    if not align:
        reference = resample(coach_input, coach_x.fps, athlete_x.fps)[0]
    else:
        from sitrex.alignment import align_to_reference

        alignment = align_to_reference(coach_x.angles, athlete_x.angles, columns=focus,
                                       band=align_band, circular=kind != "unsigned"
                                       ).astype(np.int64)
        warped = _fill(coach_x.angles)[alignment]
    similarity = windowed_similarity(comparator, reference, athlete_input,
                                     present=athlete_x.present, window=window, stride=stride,
                                     batch_size=batch_size, warped_reference=warped)
    similarity[:, ~measured] = np.nan
    used_window = int(comparator.max_len) if window is None else int(window)
    warmup = max(1, used_window // 2) if min_window is None else int(min_window)
    if not 1 <= warmup <= used_window:
        raise InputError(f"min_window must be between 1 and the window ({used_window}); got "
                         f"{min_window!r}")
    similarity[:min(warmup, len(similarity)) - 1] = np.nan  # too little history yet

    reps, rep_feedback, note = [], [], None
    if repetitions:
        reps, rep_feedback, note = _repetitions(coach_x, athlete_x, names, focus)

    n_frames = len(athlete_x.angles)
    return FeedbackReport(
        angle_names=names, usefulness=usefulness, useful=useful, similarity=similarity,
        present=athlete_x.present, times=np.arange(n_frames) / athlete_x.fps, fps=athlete_x.fps,
        threshold=threshold, coach_angles=coach_x.angles, athlete_angles=athlete_x.angles,
        coach_skeleton=coach_x.skeleton, athlete_skeleton=athlete_x.skeleton,
        coach_source=coach_x.source, athlete_source=athlete_x.source, alignment=alignment,
        repetitions=reps, repetition_feedback=rep_feedback, repetition_note=note,
        usefulness_threshold=usefulness_threshold, window=used_window, stride=int(stride),
        kind=kind, coverage=window_coverage(athlete_x.present, used_window))
