"""LiveComparator: a coach prepared once, then per-angle feedback on every frame of a live feed.

Each call to :meth:`LiveComparator.update` takes one frame (camera pixels,
landmarks or angles) and its time stamp and returns a :class:`LiveFeedback`:
the per-angle similarity now, the angles that differ from the coach now,
the repetitions counted so far and the verdict on the last one. The way from
a frame to that feedback is the offline one, causal at every step:

1. **pose** (pixels only): the pose backend's video mode, fed one frame at a
   time, and one person followed across frames
   (:class:`sitrex.backends.PoseBackend`);
2. **cleaning**: :class:`~sitrex.conditioning.CausalConditioning`, one frame
   at a time;
3. **angles** of the cleaned frame, in the comparator's columns;
4. **the model's clock**: frames re-timed to the comparator's rate as they
   come (``sitrex.live._clock``);
5. **repetitions**: :class:`~sitrex.live.counter.RepetitionCounter`;
6. **similarity**, in one of two ways, as the comparator scores:

   * a comparator scoring **whole repetitions** (``scoring ==
     "repetitions"``, sitrex's default, :class:`sitrex.RepetitionComparator`)
     scores each repetition once the counter has counted it (its frames
     against the coach's profile, read once); the similarity "now" is that
     of the last repetition, and each verdict names the angles that differ;
   * a comparator scoring **sliding windows** (the paper's,
     :class:`sitrex.ExerciseComparator`) scores the window of the last
     frames (gaps held at the last measured value) against the coach's
     reference, encoded once, at every frame.

Everything held is bounded (the window, the repetition history, the filters'
state), so an hour-long session uses the memory of its first minute. With a
window comparator the feedback on the same frames is that of
``sitrex.compare(coach, athlete, causal=True)`` (the test suite holds them
to 1e-4); with a repetition comparator, each repetition's similarity is
that of ``comparator.score_repetitions`` on the repetition's frames.
"""

from __future__ import annotations

import itertools
import time as _time
from functools import partial
from typing import Any

import numpy as np

from sitrex.conditioning import CausalConditioning
from sitrex.exceptions import InputError
from sitrex.feedback._inputs import _skeleton_angles, with_rotation_columns
from sitrex.feedback.coach import scores_repetitions
from sitrex.feedback.pipeline import check_options
from sitrex.feedback.scoring import compared_coach_repetitions, default_warmup, default_window
from sitrex.landmarks import N_LANDMARKS
from sitrex.pretrained import DEFAULT_WEIGHTS
from ._clock import ModelClock, SessionClock
from ._frames import frame_time, frame_values
from ._pose import PoseFeed
from .counter import LIVE_SIDES, LiveRepetition, RepetitionCounter, SideCounters, side_options
from .feedback import LiveFeedback

#: The weights a live session uses when given no comparator: sitrex's default
#: (:data:`sitrex.pretrained.DEFAULT_WEIGHTS`), as for :func:`sitrex.compare`.
LIVE_DEFAULT_WEIGHTS = DEFAULT_WEIGHTS

__all__ = ["LIVE_DEFAULT_WEIGHTS", "LiveComparator"]


class LiveComparator:
    """Per-angle feedback on a live feed, frame by frame, against a coach prepared once.

    Parameters
    ----------
    coach : str, os.PathLike, Skeleton or array_like
        The coach's clip, as for :func:`sitrex.compare`: a video, a landmark
        file, a :class:`~sitrex.Skeleton`, or an array of angles or landmarks.
    comparator : sitrex.RepetitionComparator or sitrex.ExerciseComparator, optional
        Fitted; default sitrex's default, as for :func:`sitrex.compare`
        (:data:`LIVE_DEFAULT_WEIGHTS`), which scores each repetition as it
        ends. A comparator scoring windows (``"sitrex-paper"``) scores every
        frame.
    backend : str or sitrex.backends.PoseBackend, optional
        Pose backend for pixel frames (and a coach video); default MediaPipe's
        ``lite`` model, the fastest. Created on first use and closed by
        :meth:`close` when given by name.
    kind : str, optional
        Angle kind; default the one the comparator was trained on (not
        ``"max-energy"``, which chooses planes from a whole clip).
    window_seconds : float, optional
        Length of the window scored at each frame; default the coach's
        reference repetition, at most the comparator's ``max_len`` frames.
        Window comparators only (as `warmup_seconds` and `stride`).
    warmup_seconds : float, optional
        History needed before the first score; default half the window.
    stride : int, default 1
        Score one model frame in `stride` (the others hold the last score):
        for slow comparators.
    threshold, usefulness_threshold : float, optional
        As for :func:`sitrex.compare`; default ``comparator.threshold``.
    useful_angles : names, indices or mask, optional
        The angles that matter, instead of the usefulness network.
    coach_rep : "typical", "whole" or int, default "typical"
        The coach's repetition athletes are compared with.
    fps : float, optional
        Frame rate of a coach given without one (arrays of angles or landmarks).
    smooth : bool or CausalConditioning, default True
        The causal cleaning recipe (False: none), for the coach and the feed.
    repetitions : bool, default True
        Count the athlete's repetitions and judge each one (needed by a
        comparator scoring repetitions).
    history_seconds : float, default 10.0
        Angles kept for counting repetitions (:class:`RepetitionCounter`).
    sides : {"same", "mirrored", "auto", "alternating"}, default "same"
        Compare with the coach's movement as recorded, or mirrored (left and
        right swapped: a patient who mirrors a physiotherapist facing them;
        :mod:`sitrex.sides`). With a comparator scoring repetitions, ``"auto"``
        (a one-sided coach, :data:`sitrex.sides.ONE_SIDED`) and
        ``"alternating"`` (any coach; a repetition of a movement of both
        sides, such as a lunge, goes to a side by its shape,
        :func:`sitrex.repetition_sides.repetition_side`): each side counted on
        its own and each repetition compared with the coach on its side (an
        athlete who works either side, or alternates; "(other side)",
        :attr:`~sitrex.live.LiveRepetition.other_side`); :attr:`both_sides`
        says whether that applies.

    Raises
    ------
    sitrex.exceptions.InputError
        For a coach clip or an option :func:`sitrex.compare` would refuse.

    Examples
    --------
    >>> import numpy as np
    >>> from sitrex import ExerciseComparator, make_pairs
    >>> from sitrex.datasets import make_exercise
    >>> skeletons, labels = make_exercise(4, ["squat", "arm curl"], n_reps=3, random_state=0)
    >>> X, y = make_pairs([s.angles() for s in skeletons], labels,
    ...                   {"squat": [5, 16], "arm curl": [1, 12]}, n_pairs=8, max_len=16,
    ...                   random_state=0, pad=False)
    >>> cmp = ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4, max_len=16,
    ...                          epochs=1, random_state=0).fit(X, y)
    >>> coach, athlete = [s for s, label in zip(skeletons, labels) if label == "squat"][:2]
    >>> live = LiveComparator(coach, cmp, useful_angles=["left knee", "right knee"])
    >>> for t in range(athlete.n_frames):              # frames as they come: (33, 3) landmarks
    ...     feedback = live.update(athlete.coords[t], t / athlete.fps)
    ...     for rep in feedback.new_repetitions:      # verdicts as they happen
    ...         print(f"{feedback.time:.1f} s: {rep.message}")
    3.4 s: rep 1: matches the coach's range of motion
    5.7 s: rep 2: matches the coach's range of motion
    8.5 s: rep 3: matches the coach's range of motion
    >>> feedback.similarity.shape, feedback.repetitions, live.finish()
    ((23,), 3, [])

    The same scores as the offline comparison, made causal:

    >>> from sitrex import compare
    >>> report = compare(coach, athlete, cmp, useful_angles=["left knee", "right knee"],
    ...                  causal=True)
    >>> bool(np.allclose(report.similarity[-1], feedback.similarity, atol=1e-4, equal_nan=True))
    True
    """

    def __init__(self, coach: Any, comparator=None, *, backend: Any = None,
                 kind: str | None = None, window_seconds: float | None = None,
                 warmup_seconds: float | None = None, stride: int = 1,
                 threshold: float | None = None, usefulness_threshold: float | None = None,
                 useful_angles: Any = None, coach_rep: int | str = "typical",
                 fps: float | None = None, smooth: bool | CausalConditioning = True,
                 repetitions: bool = True, history_seconds: float = 10.0,
                 sides: str = "same") -> None:
        if comparator is None:
            from sitrex.estimators import ExerciseComparator

            comparator = ExerciseComparator.from_pretrained(LIVE_DEFAULT_WEIGHTS)
        if sides not in LIVE_SIDES:
            raise InputError(f"sides must be one of {', '.join(map(repr, LIVE_SIDES))} for a live "
                             f"comparison; got {sides!r}")
        options = check_options(
            comparator, kind=kind, stride=stride, threshold=threshold,
            usefulness_threshold=usefulness_threshold, useful_angles=useful_angles, fps=fps,
            smooth=smooth, coach_rep=coach_rep, window_seconds=window_seconds,
            warmup_seconds=warmup_seconds, causal=True, live=True)
        comparator = options.comparator
        self.scores_repetitions = scores_repetitions(comparator)
        if self.scores_repetitions and not repetitions:
            raise InputError("this comparator scores whole repetitions: a live session with it "
                             "needs repetitions=True (the repetitions are what it scores)")
        self.kind, self.conditioning = options.kind, options.conditioning
        self.threshold, self.stride, self.rate = options.threshold, options.stride, options.rate
        self.comparator = comparator
        self._backend_spec, self._backend, self._own_backend = backend, None, False
        if isinstance(coach, str) or hasattr(coach, "__fspath__"):
            from sitrex.video import VIDEO_SUFFIXES

            if str(coach).lower().endswith(VIDEO_SUFFIXES):
                backend = self.backend       # the coach is seen by the athlete's pose model
        self.coach = options.prepare_coach(options.load(coach, "coach", backend))
        if sides == "mirrored":
            self.coach = self.coach.mirrored(comparator.angle_names_)
        self.sides = sides
        #: Each side counted on its own (``"auto"`` with a one-sided coach, or ``"alternating"``).
        self.both_sides = self.scores_repetitions and (
            sides == "alternating" or sides == "auto"
            and self.coach.one_sided(comparator.angle_names_))
        self.window = default_window(self.coach, comparator) if options.window is None \
            else options.window
        self.warmup = default_warmup(self.window) if options.warmup is None else options.warmup
        if self.warmup > self.window:
            raise InputError(f"the warm-up ({self.warmup / self.rate:g} s) must not exceed the "
                             f"window ({self.window / self.rate:g} s)")
        self.angle_names = tuple(comparator.angle_names_)
        coaches = [self.coach] + ([self.coach.mirrored(self.angle_names)] if self.both_sides
                                  else [])
        self.focus = np.unique(np.concatenate([c.focus for c in coaches]))
        self._sides = [(c, c.reference_embedding(comparator),
                        compared_coach_repetitions(c, coach_rep) if c.repetitions else [])
                       for c in coaches]
        self._reference = self._sides[0][1]
        self.count_repetitions = bool(repetitions)
        self.history_seconds = history_seconds
        self._pose: PoseFeed | None = None
        self.reset()

    # ------------------------------------------------------------------ session
    @property
    def backend(self):
        """The pose backend (created on first use)."""
        if self._backend is None:
            from sitrex.backends import PoseBackend, get_backend

            spec = self._backend_spec
            if isinstance(spec, PoseBackend):
                self._backend = spec
            else:
                options = {"model": "lite"} if spec in (None, "mediapipe") else {}
                self._backend = get_backend(spec or "mediapipe", progress=False, **options)
                self._own_backend = True
        return self._backend

    def reset(self) -> None:
        """Start a new session (a new athlete) with the same coach."""
        if self._pose is not None:
            self._pose.close()
            self._pose = None
        n_angles = len(self.angle_names)
        self._session = SessionClock()
        self._clock = ModelClock(self.rate, max_gap=self.conditioning.max_gap
                                 if isinstance(self.conditioning, CausalConditioning) else 0.5,
                                 max_frames=self.window + 1)
        self._streams: dict[str, Any] = {}
        self._rows = np.zeros((self.window, n_angles), np.float32)   # the window, oldest first
        self._rows_present = np.zeros(self.window, bool)
        self._last_measured = np.full(n_angles, np.nan)
        self._seen = np.zeros(n_angles, bool)
        self._model_similarity = np.full(n_angles, np.nan)           # of the latest model frame
        self._held: np.ndarray | None = None     # last computed similarity of this person run
        self._run_position = -1                  # position in the current run of person frames
        self._next_model = 0
        numbers = itertools.count(1)       # one sequence of repetition numbers for both sides
        self._counter = SideCounters([RepetitionCounter(
            coach.angles, coach_reps, self.angle_names, coach.focus, self.rate,
            history=self.history_seconds, threshold=self.threshold,
            score=partial(self._score_repetition, reference=reference, coach=coach)
            if self.scores_repetitions else None,
            numbers=numbers, **side_options(coach, self.angle_names, self.both_sides),
        ) for coach, reference, coach_reps in self._sides]) if self.count_repetitions else None

    def warm_up(self, size: tuple[int, int] | None = None) -> None:
        """Load everything the first frames would wait for, before the feed starts.

        Scores the coach's reference repetition against itself (a
        repetition comparator), or runs the encoder on batches of 1, 2 and 4
        windows (a frame that completes several model frames scores them
        together; JAX compiles each batch size once); given the feed's
        (width, height), starts the pose backend's video mode. Optional:
        without it the first scores are slower.
        """
        if self.scores_repetitions:
            self._score_repetition(self.coach.reference, reference=self._reference,
                                   coach=self.coach)
        else:
            window = np.zeros((self.window, len(self.angle_names)), np.float32)
            for n in (1, 2, 4):
                self.comparator.embed([window] * n)
        if size is not None:
            if self._pose is None:
                self._pose = PoseFeed(self.backend)
            self._pose.warm_up(size)

    def close(self) -> None:
        """Release the pose backend's video mode (and the backend, when created here)."""
        if self._pose is not None:
            self._pose.close()
            self._pose = None
        if self._own_backend and self._backend is not None:
            self._backend.close()

    def __enter__(self) -> LiveComparator:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"LiveComparator(window={self.window / self.rate:g} s, focus="
                f"{[self.angle_names[i] for i in self.focus]}, repetitions="
                f"{self.repetitions})")

    @property
    def repetitions(self) -> int:
        """Repetitions counted so far in this session."""
        return self._counter.count if self._counter is not None else 0

    # ------------------------------------------------------------------ frames in
    def update(self, frame: Any, time: float | None = None) -> LiveFeedback:
        """The feedback now, for one more frame of the feed.

        Parameters
        ----------
        frame : array_like, sitrex.video.Frame or None
            RGB pixels ``(H, W, 3)`` (poses estimated with `backend`), the
            athlete's ``(33, 3)`` landmarks (NaN where missing), the
            athlete's ``(A,)`` angles in the comparator's columns, a
            :class:`~sitrex.video.Frame`, or None (nobody in view).
        time : float, optional
            Its time stamp in seconds (any origin); default the frame's own
            time, else the wall clock. Repeated stamps do not advance the
            session, a jump leaves the frames in between empty, a stamp far
            back means the source restarted.

        Returns
        -------
        LiveFeedback
        """
        started = _time.perf_counter()
        if hasattr(frame, "rgb") and hasattr(frame, "time"):           # a sitrex.video.Frame
            time = frame.time if time is None else time
            frame = frame.rgb
        time = frame_time(time)                  # both checked before the session sees them
        values = frame_values(frame, len(self.angle_names))
        now = self._session(_time.monotonic() if time is None else time)
        landmarks, size, pose_seconds = None, None, 0.0
        if values is not None and values.ndim == 3:
            from sitrex.video import as_rgb

            if self._pose is None:
                self._pose = PoseFeed(self.backend)
            pose_started = _time.perf_counter()
            landmarks, size = self._pose.detect(as_rgb(values), now)
            pose_seconds = _time.perf_counter() - pose_started
            values = landmarks
        angles, present = self._angles(values, now)
        retimed = self._clock.add(now, angles, present)
        new_reps = self._score(retimed)
        similarity = self._model_similarity if present else np.full(len(self.angle_names),
                                                                     np.nan)
        coverage = float(self._rows_present[-min(self._clock.next_index, self.window):].mean())
        compare_seconds = _time.perf_counter() - started - pose_seconds
        return LiveFeedback(
            time=now, present=present, similarity=similarity.copy(), angles=angles,
            angle_names=self.angle_names, focus=self.focus, threshold=self.threshold,
            repetitions=self.repetitions, new_repetitions=tuple(new_reps),
            last_repetition=self._counter.last if self._counter is not None else None,
            coverage=coverage, landmarks=landmarks, image_size=size,
            units=self._backend.units if size is not None else None,
            latency={"pose": pose_seconds, "compare": compare_seconds})

    def finish(self) -> list[LiveRepetition]:
        """The repetitions the session's last frames complete (the feed has ended)."""
        return self._counter.finish() if self._counter is not None else []

    # ------------------------------------------------------------------ the steps
    def _stream(self, what: str):
        stream = self._streams.get(what)
        if stream is None:
            recipe = self.conditioning
            if isinstance(recipe, CausalConditioning):
                stream = recipe.stream(what, periodic=self.kind != "unsigned")
            self._streams[what] = stream
        return stream

    def _angles(self, values: np.ndarray | None, now: float) -> tuple[np.ndarray, bool]:
        """Cleaned angles of one frame (in the comparator's columns) and whether it has a person."""
        n_angles = len(self.angle_names)
        if values is None:
            values = np.full((N_LANDMARKS, 3), np.nan)
        values = np.asarray(values, dtype=np.float64)
        if values.shape == (N_LANDMARKS, 3):
            present = bool(np.isfinite(values).all(axis=-1).any())
            stream = self._stream("landmarks")
            cleaned = values if stream is None else stream.update(values, now)[0]
            angles = _skeleton_angles(cleaned[None], "athlete", self.comparator, self.kind)[0]
            return angles, present
        values = with_rotation_columns(values, self.angle_names)
        if values.shape != (n_angles,):
            raise InputError(
                f"a live frame must be RGB pixels (H, W, 3), landmarks ({N_LANDMARKS}, 3), "
                f"angles ({n_angles},) in the comparator's columns, or None; got an array of "
                f"shape {values.shape}")
        present = bool(np.isfinite(values).any())
        stream = self._stream("angles")
        return (values if stream is None else stream.update(values, now)[0]), present

    def _push_row(self, row: np.ndarray, present: bool) -> None:
        """One model frame into the window: gaps hold the last measured value (0 before any)."""
        measured = ~np.isnan(row)
        self._seen |= measured
        self._last_measured[measured] = row[measured]
        self._rows = np.roll(self._rows, -1, axis=0)
        self._rows[-1] = np.where(np.isnan(self._last_measured), 0.0, self._last_measured)
        self._rows_present = np.roll(self._rows_present, -1)
        self._rows_present[-1] = present

    def _score_repetition(self, angles: np.ndarray, *, reference, coach) -> np.ndarray:
        """(A,) similarity of one counted repetition's angles (model rate) with `coach`'s
        (`reference`: the comparator's profile of it)."""
        scores = self.comparator.score_repetitions(reference, angles)
        similarity = scores.mean_similarity()
        similarity[~coach.measured] = np.nan
        return similarity

    def _score(self, retimed) -> list[LiveRepetition]:
        """Push the new model frames through the window and the counter; score the latest.

        As :func:`sitrex.feedback.windows.windowed_similarity` with a stride:
        within each run of frames with a person, its first frame and every
        `stride`-th one after it are computed, the others hold the last
        computed value; frames without a person have none.
        """
        if not retimed.n:
            return []
        skipped = retimed.first - self._next_model
        if skipped > 0:                 # a jump: nobody in the frames in between
            for _ in range(min(skipped, self.window)):
                self._push_row(np.full(len(self.angle_names), np.nan), False)
            self._run_position, self._held = -1, None
        self._next_model = retimed.first + retimed.n
        if self.scores_repetitions:
            for k in range(retimed.n):
                self._push_row(retimed.values[k], bool(retimed.present[k]))
            new_reps = self._counter.add(retimed.first, retimed.values)
            last = self._counter.last
            if last is not None and last.similarity is not None:
                self._model_similarity = last.similarity
            return new_reps
        windows, plan = [], []
        for k in range(retimed.n):
            present = bool(retimed.present[k])
            self._push_row(retimed.values[k], present)
            if not present:
                self._run_position = -1
                plan.append(None)
                continue
            self._run_position += 1
            if self._run_position % self.stride:
                plan.append("hold")
                continue
            length = min(retimed.first + k + 1, self.window)
            plan.append(len(windows))
            windows.append(self._rows[-length:].copy())
        if windows:
            computed = self.comparator.similarity_from_embeddings(
                self._reference, self.comparator.embed(windows))
        for step in plan:
            if step is None:
                self._held = None
            elif step != "hold":
                self._held = np.asarray(computed[step], dtype=np.float64)
        last = self._next_model - 1
        similarity = np.full(len(self.angle_names), np.nan)
        if self._held is not None and last >= self.warmup - 1:
            similarity = self._held.copy()
            similarity[~(self.coach.measured & self._seen)] = np.nan   # not measured yet
        self._model_similarity = similarity
        return self._counter.add(retimed.first, retimed.values) if self._counter is not None \
            else []
