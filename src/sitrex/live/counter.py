"""Counting repetitions live, with the rules of the offline segmentation, in constant memory.

:class:`RepetitionCounter` keeps the last ``history`` seconds of the
athlete's angles (at the comparator's rate) and, as frames come, runs
:func:`sitrex.repetitions.segment_repetitions` on them: the same driving
signal, turns and thresholds as for a finished clip, the rest pose taken
where the frames start (``rest_at="start"``: the stream so far may stop
mid-movement). A repetition is a candidate once its turn (the bottom of a
squat) is a peak of that signal, the movement having come back from it by
the required prominence; it counts when it is still found ``confirm``
seconds later. (Early in a session the thresholds, relative to the range
seen so far, are not settled: on 243 PushFit push-up clips, short, noisy
and often cut mid-movement, live and offline counts agree on 93 % of the
clips with ``confirm=1`` s, 62 % with 0 s.) At the end of the feed,
:meth:`RepetitionCounter.finish` counts what the offline segmentation of the
whole stream finds after the last counted repetition. A session longer than
``history`` is cut at repetition starts, where the athlete was at rest.

Each repetition is then compared with the coach's
(:func:`sitrex.repetitions.compare_repetitions`: ranges of motion and
extremes) and, given a ``score`` function (a comparator that scores whole
repetitions, see :class:`sitrex.LiveComparator`), scored per angle and
judged as offline (:func:`sitrex.repetitions.judge_repetitions`: only the
angles whose similarity is below the threshold are named, with their ranges);
its verdict is put in words. Memory: the history (at most twice ``history`` seconds of angles)
and a few numbers, however long the session.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from sitrex._validation import check_number
from sitrex.exceptions import InputError
from sitrex.repetition_sides import both_sides_alike
from sitrex.repetitions import (RepetitionFeedback, RepetitionIssue, compare_repetitions,
                                judge_repetitions, segment_repetitions)

__all__ = ["LIVE_SIDES", "LiveRepetition", "RepetitionCounter", "SideCounters", "on_coach_side",
           "side_options"]

#: What a live session's ``sides`` accepts (:class:`sitrex.LiveComparator`).
LIVE_SIDES = ("same", "mirrored", "auto", "alternating")
#: Shortest repetition, seconds: :func:`segment_repetitions`'s default ``min_duration``.
_MIN_DURATION = 0.4
#: Seconds between two looks for repetitions (each segments the whole history).
_CHECK_EVERY = 0.1


@dataclass(frozen=True)
class LiveRepetition:
    """One repetition counted live, and its verdict.

    Attributes
    ----------
    number : int
        1 for the session's first repetition.
    start, turn, end : float
        Session seconds: where it started, its extreme (the bottom of a
        squat), and where it ended so far (when it was counted the athlete
        may still be on the way back).
    issues : tuple of RepetitionIssue
        What differs from the coach's repetitions, worst first (see
        :class:`sitrex.repetitions.RepetitionIssue`).
    message : str
        The verdict in words, e.g. ``"rep 3: shallow left knee (62° range vs
        the coach's 95°)"``.
    feedback : RepetitionFeedback or None
        The full comparison (ranges of motion and extremes per angle); its
        frames count from the start of the counter's history. None when the
        coach's clip has no repetition to compare with.
    similarity : numpy.ndarray or None
        Per-angle similarity of the whole repetition with the coach's, when
        the comparator scores repetitions (None otherwise); NaN where not
        measured.
    differs : tuple of str
        The angles that matter whose `similarity` is below the comparator's
        threshold, worst first.
    angle_names : tuple of str
        The names of `similarity`'s columns.
    other_side : bool
        Compared with the coach's movement mirrored: the athlete worked the
        side the coach does not (a live session with ``sides="auto"``, see
        :class:`sitrex.LiveComparator`).

    Examples
    --------
    >>> rep = LiveRepetition(2, 3.1, 4.0, 5.2, (), "rep 2: matches the coach's range of motion")
    >>> rep.ok, rep.duration
    (True, 2.1)
    """

    number: int
    start: float
    turn: float
    end: float
    issues: tuple[RepetitionIssue, ...] = ()
    message: str = ""
    feedback: RepetitionFeedback | None = field(default=None, repr=False, compare=False)
    similarity: np.ndarray | None = field(default=None, repr=False, compare=False)
    differs: tuple[str, ...] = ()
    angle_names: tuple[str, ...] = field(default=(), repr=False, compare=False)
    other_side: bool = False

    @property
    def ok(self) -> bool:
        """True when nothing differs (or the repetition could not be compared)."""
        return not self.issues and not self.differs

    @property
    def duration(self) -> float:
        """Seconds from start to end."""
        return round(self.end - self.start, 9)

    def to_dict(self) -> dict:
        """Plain Python types (JSON-ready)."""
        return {"number": self.number, "start": self.start, "turn": self.turn, "end": self.end,
                "ok": self.ok, "message": self.message, "differs": list(self.differs),
                "other_side": self.other_side,
                "similarity": None if self.similarity is None else dict(
                    zip(self.angle_names, [None if not math.isfinite(v) else float(v)
                                           for v in self.similarity])),
                "issues": [{"angle": i.angle, "kind": i.kind, "value": i.value,
                            "reference": i.reference} for i in self.issues]}


class RepetitionCounter:
    """Repetitions of a live stream of angles, counted as they complete.

    Parameters
    ----------
    coach_angles : ndarray (Tc, A)
        The coach's angles at `rate` (:attr:`CoachReference.angles`).
    coach_repetitions : list of Repetition
        The coach's repetitions the athlete's are compared with (frames of
        `coach_angles`); empty: repetitions are counted, not compared.
    angle_names : sequence of str
    columns : array of int
        The angles that drive the segmentation and are compared (the
        exercise's useful angles).
    rate : float
        Frame rate of the angles (the comparator's).
    history : float, default 10.0
        Seconds of angles kept (see the module documentation).
    confirm : float, default 1.0
        Seconds a repetition must stay found before it counts.
    score : callable, optional
        ``score(angles) -> (A,)`` per-angle similarity of one repetition's
        angles ``(n_frames, A)`` with the coach's (1: like the coach); its
        result becomes the repetition's ``similarity``.
    threshold : float, default 0.5
        Similarity below which an angle of `columns` differs (with `score`).
    numbers : iterator of int, optional
        Where repetition numbers come from: one ``itertools.count(1)`` shared
        by the counters of a session that counts each side on its own, so
        that their repetitions are numbered in one sequence. Default: this
        counter's own, from 1.
    other_side : bool, default False
        This counter's coach is the coach's movement mirrored: its
        repetitions say "(other side)" and have ``other_side`` set.
    accept : callable, optional
        ``accept(angles) -> bool`` on a found repetition's angles ``(n_frames,
        A)``: False leaves it uncounted (the counters of the two sides each
        keep the repetitions of their own side, :class:`SideCounters`).
    twins : array of int, optional
        The mirror twin of each of `columns`: the repetitions are then found
        on each pair of twins taken alike
        (:func:`sitrex.repetition_sides.both_sides_alike`), so that a
        movement of both sides made with either side forward (a right and a
        left lunge) is one repetition each, and both sides' counters find
        the same ones.

    Examples
    --------
    >>> t = np.arange(300) / 30.0
    >>> knee = (170 - 45 * (1 - np.cos(2 * np.pi * t / 2.5)))[:, None]   # 4 squats
    >>> counter = RepetitionCounter(knee, [], ["left knee"], np.array([0]), 30.0)
    >>> done = [(k, rep.turn) for k in range(300) for rep in counter.add(k, knee[k:k + 1])]
    >>> [(k, round(turn, 2)) for k, turn in done]      # (frame counted at, turn in seconds)
    [(84, 1.23), (159, 3.73), (234, 6.23)]
    >>> [round(rep.turn, 2) for rep in counter.finish()]   # the feed ended: the last one
    [8.73]
    >>> [round(r.turn / 30, 2) for r in segment_repetitions(knee, fps=30.0)]   # offline
    [1.23, 3.73, 6.23, 8.73]
    """

    def __init__(self, coach_angles: np.ndarray, coach_repetitions: list, angle_names,
                 columns: np.ndarray, rate: float, *, history: float = 10.0,
                 confirm: float = 1.0, score=None, threshold: float = 0.5, numbers=None,
                 other_side: bool = False, accept=None, twins=None) -> None:
        self.rate = float(rate)
        self._twins = None if twins is None else np.asarray(twins, dtype=np.intp)
        self._numbers = itertools.count(1) if numbers is None else numbers
        self.other_side, self._accept = bool(other_side), accept
        self._score, self.threshold = score, float(threshold)
        self.columns = np.asarray(columns, dtype=np.intp)
        self.angle_names = tuple(angle_names)
        self._coach_angles = np.asarray(coach_angles, dtype=np.float64)
        self._coach_reps = list(coach_repetitions)
        history = check_number(history, "history", low=2.0)
        self._capacity = int(math.ceil(history * self.rate))
        self._buffer = np.full((2 * self._capacity, len(self.angle_names)), np.nan)
        self._n = 0                   # rows of the buffer in use
        self._offset = 0              # model frame of row 0
        self._min_gap = int(round(_MIN_DURATION * self.rate))
        self._confirm = int(round(check_number(confirm, "confirm", low=0.0) * self.rate))
        self._seen_since: dict[int, int] = {}     # candidate turn -> model frame first seen
        self._check_every = max(1, int(round(_CHECK_EVERY * self.rate)))
        self._next_check = 0
        self.count = 0
        self.last: LiveRepetition | None = None
        self._last_turn = -math.inf   # model frame of the last counted turn
        self._rests: deque[int] = deque(maxlen=64)   # model frames where the athlete was at rest

    # ------------------------------------------------------------------ frames in
    def add(self, first: int, values: np.ndarray) -> list[LiveRepetition]:
        """Append model frames ``first, first + 1, ...``; the repetitions they complete.

        Frames skipped before `first` (nobody in view) are appended as
        missing, at most a history's worth.
        """
        values = np.asarray(values, dtype=np.float64)
        skipped = first - (self._offset + self._n)
        if skipped > 0:
            if skipped >= self._capacity:         # a long absence: what came before is done
                done = self.finish()
                self._offset, self._n = first, 0
                return done + self.add(first, values)
            self._append(np.full((skipped, self._buffer.shape[1]), np.nan))
        self._append(values)
        due = self._offset + self._n >= self._next_check
        if due:
            self._next_check = self._offset + self._n + self._check_every
        return self._count_new() if due else []

    def finish(self) -> list[LiveRepetition]:
        """Count what the frames so far hold, as the offline segmentation of a clip ending now."""
        return self._count_new(final=True)

    def _append(self, rows: np.ndarray) -> None:
        for start in range(0, len(rows), self._capacity):
            part = rows[start:start + self._capacity]
            if self._n + len(part) > len(self._buffer):
                self._trim()
            self._buffer[self._n:self._n + len(part)] = part
            self._n += len(part)

    def _trim(self) -> None:
        """Keep at most a history, starting where the athlete was at rest when possible."""
        keep_from = self._offset + self._n - self._capacity
        rests = [r for r in self._rests if r >= keep_from]
        cut = (min(rests) if rests else keep_from) - self._offset
        self._buffer[:self._n - cut] = self._buffer[cut:self._n]
        self._buffer[self._n - cut:] = np.nan
        self._n -= cut
        self._offset += cut

    # ------------------------------------------------------------------ counting
    def _segment(self) -> list:
        if self._n < 3:
            return []
        values, columns = self._buffer[:self._n], self.columns
        if self._twins is not None:   # either side forward is one repetition
            values, columns = both_sides_alike(values[:, columns], values[:, self._twins]), None
        try:
            return segment_repetitions(values, fps=self.rate, columns=columns, rest_at="start")
        except InputError:            # too few measured frames yet
            return []

    def _count_new(self, final: bool = False) -> list[LiveRepetition]:
        reps = self._segment()
        candidates = [r for r in reps if self._offset + r.turn > self._last_turn + self._min_gap]
        now = self._offset + self._n
        seen, self._seen_since = self._seen_since, {}
        new = []
        for r in candidates:        # found again near the same turn: the same candidate
            turn = self._offset + r.turn
            first = min((f for t, f in seen.items() if abs(t - turn) <= self._min_gap),
                        default=now)
            self._seen_since[turn] = first
            if final or now - first >= self._confirm:
                new.append(r)
            else:
                break               # in order: a later one waits for this one
        if not new:
            return []
        feedback = self._compare(reps) if self._coach_reps else []
        out = []
        for rep in new:
            self._last_turn = self._offset + rep.turn
            self._rests.append(self._offset + rep.start)
            if self._accept is not None and not self._accept(self._buffer[rep.slice]):
                continue                # the other side's: its counter's
            self.count += 1
            out.append(self._verdict(rep, feedback, next(self._numbers)))
        if out:
            self.last = out[-1]
        return out

    def _compare(self, reps: list) -> list[RepetitionFeedback]:
        try:
            return compare_repetitions(self._coach_angles, self._buffer[:self._n],
                                       angle_names=self.angle_names, columns=self.columns,
                                       fps=self.rate, coach_fps=self.rate,
                                       coach_repetitions=self._coach_reps, rest_at="start",
                                       athlete_repetitions=reps if self._twins is not None
                                       else None)
        except InputError:
            return []

    def _similarity(self, rep) -> tuple[np.ndarray | None, tuple[str, ...]]:
        """The repetition's per-angle similarity (`score`) and the angles below the threshold."""
        if self._score is None:
            return None, ()
        try:
            similarity = np.asarray(self._score(self._buffer[rep.start:rep.end]), dtype=np.float64)
        except InputError:            # e.g. nothing measured in both clips
            return None, ()
        values = similarity[self.columns]
        with np.errstate(invalid="ignore"):
            low = np.flatnonzero(values < self.threshold)
        return similarity, tuple(self.angle_names[self.columns[i]]
                                 for i in low[np.argsort(values[low], kind="stable")])

    def _verdict(self, rep, feedback: list[RepetitionFeedback], number: int) -> LiveRepetition:
        times = [(self._offset + f) / self.rate for f in (rep.start, rep.turn, rep.end)]
        match = next((f for f in feedback if f.repetition.turn == rep.turn), None)
        similarity, differs = self._similarity(rep)
        head = f"rep {number}" + (" (other side)" if self.other_side else "")
        if differs:
            head += f": {', '.join(differs)} differ{'s' if len(differs) == 1 else ''} from the coach"
        elif similarity is not None:
            head += ": moves like the coach"
        scored = {"similarity": similarity, "differs": differs, "angle_names": self.angle_names,
                  "other_side": self.other_side}
        if match is None:
            why = "the coach's clip has no repetition" if not self._coach_reps else \
                "its angles were not measured well enough"
            words = "ranges not compared" if similarity is not None else "counted, not compared"
            return LiveRepetition(number, *times, message=f"{head}: {words} ({why})", **scored)
        if similarity is not None:                       # judged as offline
            frames = np.full((match.repetition.end, len(similarity)), np.nan)
            frames[match.repetition.slice] = similarity  # the repetition's, on each of its frames
            match = judge_repetitions([match], frames, angle_names=self.angle_names,
                                      threshold=self.threshold)[0]
        words = match.message.split(": ", 1)[1]          # "rep r of n: <words>"
        message = (f"{head}: {words}" if similarity is None else
                   f"{head}; {words}" if match.issues else head)   # head: "moves like the coach"
        return LiveRepetition(number, *times, issues=match.issues, message=message,
                              feedback=match, **scored)


class SideCounters:
    """The counters of one session, one per side the coach is compared on.

    A session with ``sides="auto"`` and a one-sided coach counts the
    repetitions of each side on its own (:class:`sitrex.LiveComparator`): a
    :class:`RepetitionCounter` against the coach and one against the coach
    mirrored, sharing one sequence of repetition numbers. Otherwise it holds
    one counter. Same interface as a counter: :meth:`add`, :meth:`finish`,
    :attr:`count`, :attr:`last`.
    """

    def __init__(self, counters) -> None:
        self.counters = list(counters)

    @property
    def count(self) -> int:
        """Repetitions counted on every side."""
        return sum(counter.count for counter in self.counters)

    @property
    def last(self) -> LiveRepetition | None:
        """The latest repetition counted, on either side."""
        counted = [counter.last for counter in self.counters if counter.last is not None]
        return max(counted, key=lambda rep: rep.number) if counted else None

    def add(self, first: int, values: np.ndarray) -> list[LiveRepetition]:
        """As :meth:`RepetitionCounter.add`, on every side; the repetitions in number order."""
        return sorted((rep for counter in self.counters for rep in counter.add(first, values)),
                      key=lambda rep: rep.number)

    def finish(self) -> list[LiveRepetition]:
        """As :meth:`RepetitionCounter.finish`, on every side."""
        return sorted((rep for counter in self.counters for rep in counter.finish()),
                      key=lambda rep: rep.number)


def on_coach_side(angles: np.ndarray, coach, names, strict: bool, one_sided: bool) -> bool:
    """Whether a repetition counted on `coach`'s angles that matter is that side's: a counter's
    ``accept`` in a session that counts each side on its own (:class:`SideCounters`).

    A `one_sided` coach (:meth:`CoachReference.one_sided
    <sitrex.feedback.coach.CoachReference.one_sided>`, decided once per counter):
    :func:`sitrex.sides.side_worked` on the repetition's `angles`; with
    `strict` (the counter of the coach mirrored), when that side clearly worked, at least half
    the coach's range; otherwise, unless the other side clearly did. Any other coach (a session
    with ``sides="alternating"``): :func:`sitrex.repetition_sides.repetition_side`, with `strict`
    when the repetition is clearly `coach`'s movement, otherwise unless it is clearly the
    movement mirrored (a repetition of no clear side, or of a coach whose movement has no side,
    is the coach's side's).
    """
    from sitrex.sides import mirror_columns, side_worked

    if not one_sided:
        from sitrex.repetition_sides import repetition_side

        mirrored = repetition_side(angles, names, coach.useful, coach.reference)
        return mirrored is False if strict else mirrored is not True
    columns = coach.focus
    half = 0.5 * np.nansum(coach.span_range[columns])
    worked = side_worked(angles, columns, mirror_columns(names)[columns],
                         min_range=half if strict else 0.0)
    return worked is True if strict else worked is not False


def side_options(coach, names, both_sides: bool) -> dict:
    """The options of the counter of `coach` (as recorded or mirrored) in a session: which side
    it is, and, when each side is counted on its own, what it accepts and, unless the coach is
    one-sided, the twins its repetitions are found on (:class:`RepetitionCounter`)."""
    if not both_sides:
        return {"other_side": False, "accept": None, "twins": None}
    from sitrex.sides import mirror_columns

    one_sided = coach.one_sided(names)
    return {"other_side": coach.is_mirrored,
            "accept": partial(on_coach_side, coach=coach, names=names, strict=coach.is_mirrored,
                              one_sided=one_sided),
            "twins": None if one_sided else mirror_columns(names)[coach.focus]}
