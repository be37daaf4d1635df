"""Training pairs for execution differences: (coach, athlete) angle sequences with per-angle targets.

What the default comparator (:class:`sitrex.RepetitionComparator`) learns
from: pairs of one exercise where the athlete either executes it correctly
(a different person: every measured angle has target 1, "not an error") or
carries a fault whose angles are known (target 0 on them, 1 on the angles it
leaves alone). The faults are injected into real correct executions in
landmark space (:func:`sitrex.faults.random_fault`), so the labels follow the
geometry and the movement stays plausible.

Sources (:data:`TRAINING_SOURCES`, the real data sets of
:mod:`sitrex.datasets`; no data ship with sitrex):

``squat_errors``, ``irds``, ``pushfit``
    Per exercise, up to ``n_coaches`` correct clips as **coaches**, each
    given as one repetition and as three (:func:`~sitrex.datasets.protocol.coach_input`: the benchmark's
    protocol); per coach up to ``n_athletes`` correct clips of **other
    groups** (other recording days, subjects or video formats). Each athlete
    pair comes as it is (targets 1) and with one injected fault (one injected
    copy per athlete clip, shared by its coaches).
``penn_action``
    Per action, up to ``n_coaches`` coaches (one repetition) and per coach up
    to ``n_athletes`` other clips of the action filmed from the same view (any
    view when fewer than 5 share it), as they are and injected. Penn Action
    has no frame rate: 30 fps is assumed.

This is the "v3" mix of the research behind the default comparator (the
report's section R2.8): severities from subtle to large, a joint moved
*further* than usual (``rom_more``) a tolerated variation. The real data
sets' own labelled faults are not used for training: they are what the
benchmark measures.

Every sequence is cleaned by the default
:class:`~sitrex.conditioning.Conditioning` and resampled to 30 fps
(:func:`~sitrex.datasets.protocol.model_angles`), the input ``sitrex.compare`` gives a comparator.
Each source is drawn from its own seeded stream, so leaving a source out
(``leave_out=``) does not change the pairs of the others.

Examples
--------
>>> from sitrex.datasets import make_exercise
>>> from sitrex.datasets.protocol import ProtocolData
>>> from sitrex.datasets.training_pairs import build_pairs
>>> clips, _ = make_exercise(4, ["squat"], n_reps=2, random_state=0)
>>> data = ProtocolData("synthetic", clips, ["squat"] * 4, ["a", "a", "b", "b"],
...                     [True] * 4)
>>> pairs = build_pairs(data, n_coaches=1, n_athletes=2, coach_reps=(1,), random_state=0)
>>> len(pairs), pairs.targets.shape[1]
(4, 23)
>>> sorted(set(pairs.sources.tolist())), int(pairs.injected.sum())
(['synthetic'], 2)
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sitrex.exceptions import InputError

from .protocol import ProtocolData, coach_input, model_angles, protocol_data

__all__ = ["SOURCE_TERMS", "TRAINING_SOURCES", "TrainingPairs", "build_pairs", "training_pairs"]

#: The data sets the pairs are drawn from, in this order.
TRAINING_SOURCES = ("squat_errors", "irds", "pushfit", "penn_action")
#: Where each source comes from and on which terms (none of the data ships with sitrex;
#: a comparator trained on them records these in its ``metadata_``).
SOURCE_TERMS = {
    "squat_errors": "github.com/PrashCode5321/Squat-Analysis (commit 24eb7a4e419f), data of "
                    "M. Chariar et al., 'AI Trainer: Autoencoder Based Approach for Squat Analysis "
                    "and Correction', IEEE Access 11, 2023; no licence stated upstream: research "
                    "use, not redistributed",
    "irds": "IntelliRehabDS (A. Miron et al., Data 6(5), 46, 2021; article CC BY 4.0), 3 subjects "
            "via github.com/ScalarJerk/366 (commit 289d8e292078); no licence stated for the copy: "
            "research use, not redistributed",
    "pushfit": "github.com/riyer8/cs231n-pushfit (commit 63832a8b1efc; videos from Kaggle push-up "
               "data sets); no licence stated upstream: research use, not redistributed",
    "penn_action": "Penn Action labels (W. Zhang, M. Zhu, K. G. Derpanis, ICCV 2013), academic "
                   "research use, no formal licence; not redistributed",
}
#: Coaches per exercise, athletes per coach and coach inputs (repetitions) of each source.
_RECIPE = {
    "squat_errors": dict(n_coaches=15, n_athletes=40, coach_reps=(1, 3)),
    "irds": dict(n_coaches=10, n_athletes=40, coach_reps=(1, 3)),
    "pushfit": dict(n_coaches=15, n_athletes=40, coach_reps=(1, 3)),
    "penn_action": dict(n_coaches=10, n_athletes=20, coach_reps=(1,), same_view=True),
}
#: Penn Action clips shorter than this are not used (frames).
_MIN_FRAMES = 20
#: A view shared by fewer clips than this is widened to all views.
_MIN_SAME_VIEW = 5
#: Changes whenever the pairs built from the same data change (part of the cache key).
_PAIRS_VERSION = 2


# ------------------------------------------------------------------ the pairs
@dataclass
class TrainingPairs:
    """(reference, candidate) angle sequences with per-angle targets.

    The sequences are stored once (``sequences``) and the pairs index them,
    so a clip shared by many pairs costs its memory once.

    Attributes
    ----------
    sequences : list of numpy.ndarray, each (T_i, 23)
        Cleaned unsigned angles at 30 fps.
    reference, candidate : numpy.ndarray of int, shape (n,)
        Positions in `sequences` of each pair's coach and athlete.
    targets : numpy.ndarray, shape (n, 23)
        1 the angle is executed as the coach does (or within correct
        variation), 0 it differs (an injected fault), NaN unlabelled.
    sources : numpy.ndarray of str, shape (n,)
        The data set each pair comes from (for ``fit(..., groups=)``).
    faults : numpy.ndarray of str, shape (n,)
        The injected fault's kind, ``""`` for an uninjected pair.
    coach_reps : numpy.ndarray of int, shape (n,)
        Repetitions in the coach input (1 or 3).
    """

    sequences: list = field(default_factory=list)
    reference: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    candidate: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    targets: np.ndarray = field(default_factory=lambda: np.zeros((0, 23)))
    sources: np.ndarray = field(default_factory=lambda: np.zeros(0, str))
    faults: np.ndarray = field(default_factory=lambda: np.zeros(0, str))
    coach_reps: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.reference)

    @property
    def X(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The pairs as ``fit`` takes them: a list of (reference, candidate)."""
        return [(self.sequences[r], self.sequences[c])
                for r, c in zip(self.reference, self.candidate)]

    @property
    def injected(self) -> np.ndarray:
        """True for a pair whose candidate carries an injected fault (tolerated ones included)."""
        return self.faults != ""

    def summary(self) -> dict[str, Any]:
        """Counts per source: pairs, injected pairs, labelled angles and the share of target 1."""
        out = {}
        for source in dict.fromkeys(self.sources.tolist()):
            mine = self.sources == source
            t = self.targets[mine]
            labelled = np.isfinite(t)
            out[source] = {"pairs": int(mine.sum()), "injected": int(self.injected[mine].sum()),
                           "labelled_angles": int(labelled.sum()),
                           "share_target_1": round(float(np.mean(t[labelled] == 1)), 3)
                           if labelled.any() else None}
        return out

    def subset(self, keep: Any) -> TrainingPairs:
        """The pairs selected by a boolean mask or positions (the sequences they need only)."""
        keep = np.asarray(keep)
        keep = np.flatnonzero(keep) if keep.dtype == bool else keep.astype(np.int64)
        used, inverse = np.unique(np.concatenate([self.reference[keep], self.candidate[keep]]),
                                  return_inverse=True)
        return TrainingPairs([self.sequences[i] for i in used], inverse[:len(keep)],
                             inverse[len(keep):], self.targets[keep], self.sources[keep],
                             self.faults[keep], self.coach_reps[keep])

    def without(self, source: str) -> TrainingPairs:
        """The pairs of every source but `source`."""
        return self.subset(self.sources != source)

    @classmethod
    def concatenate(cls, parts: Iterable[TrainingPairs]) -> TrainingPairs:
        """One set of pairs from several."""
        parts = list(parts)
        if not parts:
            return cls()
        offsets = np.cumsum([0] + [len(p.sequences) for p in parts])
        return cls([s for p in parts for s in p.sequences],
                   np.concatenate([p.reference + o for p, o in zip(parts, offsets)]),
                   np.concatenate([p.candidate + o for p, o in zip(parts, offsets)]),
                   np.concatenate([p.targets for p in parts]),
                   np.concatenate([p.sources for p in parts]),
                   np.concatenate([p.faults for p in parts]),
                   np.concatenate([p.coach_reps for p in parts]))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the pairs to one ``.npz`` file (atomically; no pickle needed to read it)."""
        from sitrex._atomic import atomic_path

        lengths = np.array([len(s) for s in self.sequences], np.int64)
        frames = np.concatenate(self.sequences) if self.sequences else np.zeros((0, 23), np.float32)
        with atomic_path(path, suffix=".npz") as tmp:
            np.savez_compressed(tmp, frames=frames.astype(np.float32),
                                offsets=np.concatenate([[0], np.cumsum(lengths)]),
                                reference=self.reference, candidate=self.candidate,
                                targets=self.targets, sources=self.sources.astype(str),
                                faults=self.faults.astype(str), coach_reps=self.coach_reps)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TrainingPairs:
        """Read pairs written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as z:
            frames, offsets = z["frames"], z["offsets"]
            sequences = [frames[a:b] for a, b in zip(offsets[:-1], offsets[1:])]
            return cls(sequences, z["reference"], z["candidate"], z["targets"],
                       z["sources"].astype(str), z["faults"].astype(str), z["coach_reps"])


class _Builder:
    """Accumulates pairs, storing each sequence once."""

    def __init__(self, source: str):
        self.source = source
        self.sequences: list[np.ndarray] = []
        self.rows: list[tuple[int, int, np.ndarray, str, int]] = []

    def add_sequence(self, angles: np.ndarray) -> int:
        self.sequences.append(angles)
        return len(self.sequences) - 1

    def add_pair(self, reference: int, candidate: int, targets: np.ndarray, fault: str,
                 reps: int) -> None:
        self.rows.append((reference, candidate, targets, fault, reps))

    def result(self) -> TrainingPairs:
        if not self.rows:
            return TrainingPairs()
        ref, cand, targets, faults, reps = zip(*self.rows)
        return TrainingPairs(self.sequences, np.array(ref, np.int64), np.array(cand, np.int64),
                             np.array(targets, np.float64), np.full(len(ref), self.source),
                             np.array(faults, str), np.array(reps, np.int64))


def _measured(angles: np.ndarray) -> np.ndarray:
    return np.isfinite(angles).mean(axis=0) >= 0.5


def _athlete_pool(data: ProtocolData, coach: int, same_view: bool) -> np.ndarray:
    """Correct clips of the coach's exercise from other groups (same view when enough share it)."""
    pool = np.flatnonzero(data.correct & (data.exercises == data.exercises[coach])
                          & (data.groups != data.groups[coach]))
    if same_view and data.views is not None:
        same = pool[data.views[pool] == data.views[coach]]
        if len(same) >= _MIN_SAME_VIEW:
            return same
    return pool


def build_pairs(data: ProtocolData, *, n_coaches: int = 15, n_athletes: int = 40,
                coach_reps: Sequence[int] = (1, 3), same_view: bool = False,
                min_frames: int = 0, random_state: Any = 1) -> TrainingPairs:
    """The training pairs of one data set (see the module documentation).

    Parameters
    ----------
    data : ProtocolData
    n_coaches : int, default 15
        Coaches per exercise (correct clips with correct athletes in other groups).
    n_athletes : int, default 40
        Correct athletes of other groups per coach.
    coach_reps : sequence of int, default (1, 3)
        The coach inputs: one repetition, three repetitions
        (:func:`~sitrex.datasets.protocol.coach_input`).
    same_view : bool, default False
        Draw athletes filmed from the coach's view (``data.views``).
    min_frames : int, default 0
        Clips shorter than this are neither coach nor athlete.
    random_state : int or numpy.random.Generator, default 1
        Seeds the choice of coaches, athletes and the injected faults.

    Returns
    -------
    TrainingPairs
        Per (coach input, athlete): the pair as it is (targets 1 on the
        athlete's measured angles) and, when a fault could be injected into
        the athlete's clip, the injected pair (targets from
        :func:`sitrex.faults.random_fault`). A coach input that measures no
        angle (finite in half its frames), and an athlete that measures none
        of the coach's angles, make no pairs.
    """
    from sitrex.conditioning import Conditioning
    from sitrex.faults import random_fault

    rng = np.random.default_rng(random_state)
    builder = _Builder(data.name)
    long_enough = np.array([s.n_frames >= min_frames for s in data.skeletons])
    athletes: dict[int, tuple[int, np.ndarray, int | None, np.ndarray | None, str]] = {}

    def athlete(i: int):
        """(clip, its targets, injected copy, its targets, fault kind), prepared once per clip."""
        if i not in athletes:
            clean = Conditioning().skeleton(data.skeletons[i])
            angles = model_angles(clean, conditioned=True)
            as_is = builder.add_sequence(angles)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)    # all-NaN angles of a clip
                made = random_fault(clean, random_state=int(rng.integers(2**31 - 1)))
            if made is None:
                athletes[i] = (as_is, np.where(_measured(angles), 1.0, np.nan), None, None, "")
            else:
                faulty, labels, fault = made
                injected = model_angles(faulty, conditioned=True)
                athletes[i] = (as_is, np.where(_measured(angles), 1.0, np.nan),
                               builder.add_sequence(injected), labels, fault.kind)
        return athletes[i]

    for exercise in sorted(set(data.exercises.tolist())):
        candidates = np.flatnonzero((data.exercises == exercise) & data.correct & long_enough)
        eligible = [int(c) for c in candidates
                    if np.isin(_athlete_pool(data, c, same_view), candidates).any()]
        if not eligible:
            continue
        coaches = sorted(rng.choice(eligible, min(n_coaches, len(eligible)), replace=False))
        for coach in coaches:
            pool = _athlete_pool(data, coach, same_view)
            pool = pool[long_enough[pool]]
            chosen = rng.choice(pool, min(n_athletes, len(pool)), replace=False)
            for reps in coach_reps:
                skeleton = coach_input(data, coach, reps, rng)
                if skeleton is None:
                    continue
                coach_angles = model_angles(skeleton)
                measured = _measured(coach_angles)
                if not measured.any():            # e.g. a 2-D clip whose joints are mostly hidden
                    continue
                reference = builder.add_sequence(coach_angles)
                for i in chosen:
                    as_is, ok_targets, injected, labels, kind = athlete(int(i))
                    if not (measured & np.isfinite(ok_targets)).any():
                        continue                  # nothing to compare
                    builder.add_pair(reference, as_is, ok_targets, "", reps)
                    if injected is not None:
                        builder.add_pair(reference, injected, labels, kind, reps)
    return builder.result()


def _cache_name(source: str, recipe: dict, random_state: int, path: Path) -> str:
    import sitrex

    key = json.dumps({"source": source, "recipe": recipe, "seed": random_state,
                      "version": _PAIRS_VERSION,
                      "archive": _archive_stamp(source, path),
                      "sitrex": getattr(sitrex, "__version__", "")}, sort_keys=True)
    return f"pairs_{source}_{hashlib.sha256(key.encode()).hexdigest()[:12]}.npz"


def _archive_stamp(source: str, path: Path) -> list:
    file = path / f"{source}.npz"
    return [file.stat().st_size, int(file.stat().st_mtime)] if file.exists() else []


def training_pairs(path: str | os.PathLike[str] | None = None, *,
                   sources: Sequence[str] = TRAINING_SOURCES, leave_out: str | None = None,
                   cache: str | os.PathLike[str] | None = None, random_state: int = 1,
                   verbose: bool = False) -> TrainingPairs:
    """The pairs of the default comparator's recipe, from the real data sets.

    Parameters
    ----------
    path : str or os.PathLike, optional
        The folder of the archives (default: the data home).
    sources : sequence of str, default :data:`TRAINING_SOURCES`
    leave_out : str, optional
        A source to leave out (the benchmark's one-shot comparators are
        trained without the data set they are evaluated on).
    cache : str or os.PathLike, optional
        A folder where each source's pairs are kept (``pairs_<source>_<key>.npz``,
        the key covering the recipe, the seed and the archive): a later call
        reads them instead of building them again.
    random_state : int, default 1
        Each source draws from ``numpy.random.default_rng([random_state, k])``,
        ``k`` its position in :data:`TRAINING_SOURCES`.
    verbose : bool, default False
        Print a line per source.

    Returns
    -------
    TrainingPairs
    """
    from sitrex._fetch import get_data_home

    unknown = sorted(set(sources) - set(TRAINING_SOURCES))
    if unknown or (leave_out is not None and leave_out not in TRAINING_SOURCES):
        bad = unknown or [leave_out]
        raise InputError(f"unknown training source(s) {', '.join(map(repr, bad))}; choose from "
                         f"{', '.join(TRAINING_SOURCES)}")
    folder = Path(path) if path is not None else Path(get_data_home())
    parts = []
    for source in sources:
        if source == leave_out:
            continue
        recipe = _RECIPE[source]
        seed = [random_state, TRAINING_SOURCES.index(source)]
        file = Path(cache) / _cache_name(source, recipe, random_state, folder) if cache else None
        if file is not None and file.exists():
            pairs = TrainingPairs.load(file)
        else:
            data = protocol_data(source, folder)
            pairs = build_pairs(data, min_frames=_MIN_FRAMES if source == "penn_action" else 0,
                                random_state=seed, **recipe)
            if file is not None:
                file.parent.mkdir(parents=True, exist_ok=True)
                pairs.save(file)
        if verbose:
            print(f"{source}: {pairs.summary()[source]}", flush=True)
        parts.append(pairs)
    return TrainingPairs.concatenate(parts)
