"""The coach's execution, prepared once: angles at the model's rate, usefulness, repetitions.

A coach's clip is read, cleaned and re-timed to the comparator's frame rate
once, and then serves any number of athletes (:func:`sitrex.compare` uses it
for one athlete; many athletes or a live feed reuse it). It holds:

* the **span** of the coach's movement: the frames with a person, less a
  long still stretch at either end (a coach who stands before and after the
  movement; :func:`sitrex.repetitions.movement_span`);
* which angles matter for the exercise (the usefulness network on that
  span, or the angles the caller names);
* the coach's **repetitions** (:func:`sitrex.repetitions.segment_repetitions`
  on those angles) and the one the athletes are compared with: the most
  typical repetition by default (the one nearest, by dynamic time warping,
  to all the others; the first one for a comparator scoring repetitions, as
  its recipe was trained), a chosen one, or the whole clip;
* the coach's **rep-to-rep variation** per angle: how much the coach's own
  repetitions differ from the reference one once time-aligned (root mean
  square, degrees). It is what "normal variation" means for that angle;
* the comparator's **embedding** of the reference (for a comparator scoring
  repetitions, its profile of the coach's clip), computed on first use and
  kept (:meth:`CoachReference.reference_embedding`), so that any number of
  athletes are scored against one encoding.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from sitrex._validation import check_int, resolve_columns
from sitrex.exceptions import InputError
from sitrex.sequences import interpolate_gaps

from ._inputs import Execution

__all__ = ["SIDES", "CoachReference", "prepare_coach", "scores_repetitions", "side_matched"]


def scores_repetitions(comparator) -> bool:
    """Whether `comparator` scores whole repetitions (``scoring == "repetitions"``), not windows."""
    return getattr(comparator, "scoring", "windows") == "repetitions"

#: A coach clip shorter than this cannot show a movement (as for athletes, see pipeline).
MIN_COACH_SECONDS = 0.3


@dataclass(eq=False)
class CoachReference:
    """A coach's execution prepared for comparisons (see the module documentation).

    Attributes
    ----------
    execution : Execution
        The input as read and cleaned, at its own frame rate.
    angles : ndarray (Tc, A)
        Cleaned angles at the comparator's rate `fps` (NaN where not measured).
    present : ndarray (Tc,) bool
    fps : float
        The comparator's frame rate.
    span : slice
        Frames of :attr:`angles` from the start to the end of the coach's
        movement (:func:`sitrex.repetitions.movement_span`).
    usefulness : ndarray (A,)
        Probability that each angle matters (usefulness network, on :attr:`span`).
    useful : ndarray (A,) bool
        The angles that matter, among those the coach's clip measures.
    measured : ndarray (A,) bool
        Angles measured somewhere in the coach's clip.
    repetitions : list of Repetition
        The coach's repetitions, in frames at `fps`.
    reference_rep : int or None
        Index of the repetition athletes are compared with (None: the whole clip).
    reference : ndarray (Tr, A)
        That repetition's (or the clip's) angles, gaps filled: the network's reference.
    variation : ndarray (A,)
        Rep-to-rep variation of the coach, degrees (NaN with fewer than two repetitions).
    note : str or None
        Why no repetition was found, when none was.
    embedding : ndarray, CoachProfile or None
        The comparator's encoding of the coach, once computed (see
        :meth:`reference_embedding`).
    is_mirrored : bool
        This is the coach's movement mirrored (:meth:`mirrored`).
    """

    execution: Execution
    angles: np.ndarray
    present: np.ndarray
    fps: float
    span: slice
    usefulness: np.ndarray
    useful: np.ndarray
    measured: np.ndarray
    repetitions: list = field(default_factory=list)
    reference_rep: int | None = None
    reference: np.ndarray | None = None
    variation: np.ndarray | None = None
    note: str | None = None
    embedding: Any = None
    is_mirrored: bool = False
    _mirror: Any = field(default=None, repr=False)

    @property
    def focus(self) -> np.ndarray:
        """Columns that drive repetitions and alignment: the useful angles (measured ones if none)."""
        cols = np.flatnonzero(self.useful)
        return cols if len(cols) else np.flatnonzero(self.measured)

    @property
    def reference_slice(self) -> slice:
        """Frames of :attr:`angles` the reference covers."""
        if self.reference_rep is None:
            return self.span
        return self.repetitions[self.reference_rep].slice

    @property
    def reference_seconds(self) -> float:
        """Duration of the reference, seconds."""
        return len(self.reference) / self.fps

    def reference_embedding(self, comparator) -> np.ndarray:
        """The comparator's encoding of the coach: computed on first use, then kept.

        For a comparator scoring sliding windows, its embedding of
        :attr:`reference`; for one scoring repetitions, its profile of the
        coach's clip (:func:`sitrex.feedback.repetition_scoring.reference_profile`).
        `comparator` must be the one that prepared this coach.
        """
        if self.embedding is None and scores_repetitions(comparator):
            from .repetition_scoring import reference_profile

            self.embedding = reference_profile(self, comparator)
        elif self.embedding is None:
            self.embedding = np.asarray(comparator.embed([self.reference.astype(np.float32)])[0])
        return self.embedding


    def laterality(self, angle_names) -> float:
        """How one-sided the coach's movement is: :func:`sitrex.sides.laterality` over its span,
        on the angles that matter (those measured when none does) and their twins."""
        from sitrex.sides import laterality

        return laterality(self.angles[self.span], angle_names, columns=self.side_columns)

    @cached_property
    def span_range(self) -> np.ndarray:
        """(A,) range of motion of each angle over the coach's movement (:attr:`span`), degrees;
        computed once (a mirrored coach computes its own)."""
        from sitrex.angles import range_of_motion

        with np.errstate(invalid="ignore"):
            return range_of_motion(self.angles[self.span])

    def one_sided(self, angle_names) -> bool:
        """Whether the coach's movement works one side (:meth:`laterality` at least
        :data:`sitrex.sides.ONE_SIDED` either way) and every sided column has its twin."""
        from sitrex.sides import ONE_SIDED, mirror_columns

        try:
            mirror_columns(angle_names)
        except InputError:
            return False
        return bool(abs(self.laterality(angle_names)) >= ONE_SIDED)

    @property
    def side_columns(self) -> np.ndarray:
        """The columns that say which side a movement works: the useful ones (else the measured)."""
        return self.useful if self.useful.any() else self.measured

    def mirrored(self, angle_names) -> CoachReference:
        """The coach's movement mirrored, left and right swapped; made once, then kept.

        Every per-angle array takes the column of the angle's mirror twin
        (:func:`sitrex.sides.mirror_columns`): column ``k`` of the mirror's
        :attr:`angles` is what the coach's twin of angle ``k`` did, and the
        angles that matter are the twins of those that matter. The
        repetitions and the reference repetition are the same frames. The
        execution's :attr:`~Execution.skeleton` stays as recorded (what the
        coach's video shows); its angles are mirrored. Mirroring the mirror
        gives this coach back.
        """
        if self._mirror is None:
            from sitrex.sides import mirror_columns

            cols = mirror_columns(angle_names)
            self._mirror = replace(
                self, execution=replace(self.execution, angles=self.execution.angles[:, cols]),
                angles=self.angles[:, cols], usefulness=self.usefulness[cols],
                useful=self.useful[cols], measured=self.measured[cols],
                reference=None if self.reference is None else self.reference[:, cols],
                variation=None if self.variation is None else self.variation[cols],
                embedding=None, is_mirrored=not self.is_mirrored, _mirror=self)
        return self._mirror


#: What ``sides=`` accepts (:func:`side_matched`).
SIDES = ("auto", "same", "mirrored")


def side_matched(coach: CoachReference, athlete_angles: np.ndarray, angle_names, sides: str
                 ) -> tuple[CoachReference, str | None]:
    """The coach as the athlete is compared with it, and a note when it is mirrored.

    ``sides="same"`` compares each angle with the coach's own; ``"mirrored"``
    with the coach's mirror twin (:meth:`CoachReference.mirrored`); ``"auto"``
    mirrors the coach when its movement is one-sided and the athlete works the
    other side (:func:`sitrex.sides.works_other_side`, on the coach's span and
    the athlete's whole clip at the comparator's rate).
    """
    from sitrex.sides import laterality, mirror_columns, works_other_side

    if sides == "same":
        return coach, None
    if sides == "auto":
        try:
            mirror_columns(angle_names)
        except InputError:      # a sided angle without its twin: nothing to mirror with
            return coach, None
    coach_side = coach.laterality(angle_names)
    athlete_side = laterality(athlete_angles, angle_names, columns=coach.side_columns) \
        if len(athlete_angles) else np.nan
    if sides == "auto" and not works_other_side(coach_side, athlete_side):
        return coach, None
    worked = {True: "left", False: "right"}
    why = ("the athlete is compared with the coach's movement mirrored (left and right "
           "swapped), as asked") if sides == "mirrored" else (
        f"the coach works the {worked[coach_side > 0]} side and the athlete the "
        f"{worked[athlete_side > 0]}: the athlete is compared with the coach's movement "
        "mirrored, each angle with the coach's on the other side (sides='same' compares "
        "them side for side)")
    return coach.mirrored(angle_names), why


def _useful_mask(useful_angles, usefulness, threshold, names, measured) -> np.ndarray:
    if useful_angles is None:
        return (usefulness >= threshold) & measured
    mask = np.zeros(len(names), dtype=bool)
    mask[resolve_columns(useful_angles, len(names), names, name="useful_angles")] = True
    return mask & measured


def _rep_distances(angles: np.ndarray, reps: list, columns: np.ndarray) -> np.ndarray:
    """(n, n) DTW distances between repetitions on `columns` (scaled by each column's range)."""
    from sitrex.alignment import dtw_distance
    from sitrex.angles import range_of_motion

    span = range_of_motion(angles[:, columns])
    scale = np.maximum(np.nan_to_num(span, nan=1.0), 1.0)
    segments = [angles[r.slice][:, columns] / scale for r in reps]
    n = len(reps)
    dist = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            dist[i, j] = dist[j, i] = dtw_distance(segments[i], segments[j])
    return dist


def _variation(angles: np.ndarray, reps: list, reference: int, columns: np.ndarray
               ) -> np.ndarray:
    """Per angle, RMS difference of the other repetitions from the reference once aligned."""
    from sitrex.alignment import align_to_reference

    out = np.full(angles.shape[1], np.nan)
    if len(reps) < 2:
        return out
    ref = angles[reps[reference].slice]
    sq, count = np.zeros(angles.shape[1]), np.zeros(angles.shape[1])
    for k, rep in enumerate(reps):
        if k == reference:
            continue
        other = angles[rep.slice]
        match = align_to_reference(other[:, columns], ref[:, columns])   # rep frame per ref frame
        diff = ref - other[match]
        ok = np.isfinite(diff)
        sq += np.where(ok, diff ** 2, 0.0).sum(axis=0)
        count += ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.sqrt(sq / count)
    out[count == 0] = np.nan
    return out


def _choose_reference(coach_rep, reps: list, angles: np.ndarray, columns: np.ndarray
                      ) -> int | None:
    if coach_rep == "whole" or not reps:
        if isinstance(coach_rep, (int, np.integer)) and not isinstance(coach_rep, bool):
            raise InputError(f"coach_rep={coach_rep}: no repetition was found in the coach's "
                             "clip; use coach_rep='whole' (the whole clip)")
        return None
    if coach_rep == "typical":
        if len(reps) < 3:
            return 0 if len(reps) == 1 else int(np.argmax([r.n_frames for r in reps]))
        return int(np.argmin(_rep_distances(angles, reps, columns).sum(axis=1)))
    k = check_int(coach_rep, "coach_rep", low=0)
    if k >= len(reps):
        raise InputError(f"coach_rep={k}, but the coach's clip has {len(reps)} repetition(s) "
                         f"(0 to {len(reps) - 1})")
    return k


def prepare_coach(execution: Execution, comparator, *, fps: float, usefulness_threshold: float,
                  useful_angles: Any = None, coach_rep: Any = "typical") -> CoachReference:
    """A :class:`CoachReference` from a loaded coach execution (see the module documentation).

    Parameters
    ----------
    execution : Execution
        The coach's input, read and cleaned.
    comparator : sitrex.ExerciseComparator
        Fitted; its usefulness network is run once on the coach's clip.
    fps : float
        The comparator's frame rate: the coach is re-timed to it.
    usefulness_threshold : float
        Probability at or above which an angle matters.
    useful_angles : names, indices or mask, optional
        The angles that matter, instead of asking the network.
    coach_rep : "typical", "whole" or int, default "typical"
        The repetition athletes are compared with: the most typical one (for
        a comparator scoring repetitions, the first one: its recipe's
        template), the whole clip, or the repetition of that index (0-based).
    """
    from sitrex.repetitions import movement_span, segment_repetitions

    if execution.duration < MIN_COACH_SECONDS:
        raise InputError(f"the coach's clip is {execution.duration:.2f} s long "
                         f"({len(execution.angles)} frames); a coach must show at least "
                         f"{MIN_COACH_SECONDS:g} s of movement")
    angles, present, _ = execution.at_rate(fps)
    names = tuple(comparator.angle_names_)
    measured = ~np.isnan(angles).all(axis=0)
    span = movement_span(angles, present, fps)
    whole = interpolate_gaps(angles[span], fill_value=0.0)
    usefulness = comparator.predict_usefulness_proba([whole.astype(np.float32)])[0]
    useful = _useful_mask(useful_angles, usefulness, usefulness_threshold, names, measured)
    coach = CoachReference(execution=execution, angles=angles, present=present, fps=fps,
                           span=span, usefulness=usefulness, useful=useful, measured=measured)
    try:
        coach.repetitions = segment_repetitions(angles, fps=fps, columns=coach.focus)
    except InputError as exc:
        coach.note = f"no repetition counted in the coach's clip: {exc}"
    if not coach.repetitions and coach.note is None:
        coach.note = "no repetition found in the coach's clip: it is compared as a whole"
    if coach_rep == "typical" and scores_repetitions(comparator):
        coach_rep = 0 if coach.repetitions else "whole"      # the recipe's template
    coach.reference_rep = _choose_reference(coach_rep, coach.repetitions, angles, coach.focus)
    coach.reference = interpolate_gaps(angles[coach.reference_slice], fill_value=0.0)
    coach.variation = (_variation(angles, coach.repetitions, coach.reference_rep, coach.focus)
                       if coach.reference_rep is not None
                       else np.full(len(names), np.nan))
    return coach
