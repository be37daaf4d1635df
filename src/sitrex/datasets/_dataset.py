"""The container every sitrex data set loader returns: :class:`ExerciseDataset`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex.angle_table import check_kind
from sitrex.skeleton import Skeleton

__all__ = ["ExerciseDataset"]


def _as_index(indices: Any, n: int) -> np.ndarray:
    """Integer positions from a slice, a boolean mask of length n, or integers."""
    if isinstance(indices, slice):
        return np.arange(n)[indices]
    arr = np.asarray(indices)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise InputError(
                f"subset: a boolean mask must have one entry per sequence ({n}), got shape "
                f"{arr.shape}"
            )
        return np.flatnonzero(arr)
    if arr.size == 0:
        return np.zeros(0, dtype=np.intp)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(
            f"subset takes integer positions, a boolean mask or a slice; got dtype {arr.dtype}"
        )
    if arr.ndim != 1:
        raise InputError(f"subset: indices must be one-dimensional, got shape {arr.shape}")
    if ((arr < -n) | (arr >= n)).any():
        bad = int(arr[(arr < -n) | (arr >= n)][0])
        raise IndexError(f"subset: index {bad} is out of range for {n} sequences")
    return np.where(arr < 0, arr + n, arr).astype(np.intp)


class ExerciseDataset:
    """Angle sequences of exercise recordings, with their labels and metadata.

    Every per-sequence field is aligned: entry ``i`` of `sequences`, `labels`,
    `skeletons`, `groups`, `sources` and each `extra` array describe the same
    recording, and :meth:`subset` keeps them so.

    Parameters
    ----------
    sequences : sequence of array_like, each (T_i, n_angles)
        Joint angles in degrees, columns in `angle_names` order. NaN marks an
        angle that could not be measured.
    labels : sequence of str
        Exercise of each sequence.
    angle_names : sequence of str
        Column names (e.g. :func:`sitrex.angles.angle_names`).
    angle_kind : str
        How the angles were measured (one of :data:`sitrex.angles.ANGLE_KINDS`).
    exercise_angles : mapping, optional
        Exercise -> the angle columns that matter for it, as column indices
        or names (stored as a sorted list of indices). Default: empty.
    skeletons : sequence of Skeleton or None, optional
        The poses each sequence was computed from (None where not kept).
    groups : sequence, optional
        Group of each sequence for grouped cross-validation (e.g. a clip or
        subject id). Default: ``0 .. n-1`` (every sequence its own group).
    sources : sequence of str, optional
        Where each sequence comes from (file, clip). Default: ``""``.
    extra : mapping of str to sequence, optional
        Further per-sequence arrays (e.g. ``"form"``, ``"view"``, ``"train"``).
    meta : mapping, optional
        Data-set-wide information (path, skipped files, ...).

    Raises
    ------
    ValueError
        When the fields do not line up; the message names the field.

    Examples
    --------
    >>> import numpy as np
    >>> ds = ExerciseDataset(
    ...     [np.zeros((3, 2)), np.ones((5, 2)), np.ones((4, 2))],
    ...     ["squat", "push-up", "squat"],
    ...     angle_names=("left knee", "right knee"),
    ...     angle_kind="unsigned",
    ...     exercise_angles={"squat": ["left knee", "right knee"], "push-up": [1]},
    ... )
    >>> len(ds), ds.exercises
    (3, ['push-up', 'squat'])
    >>> ds.usefulness_targets().tolist()
    [[1.0, 1.0], [0.0, 1.0], [1.0, 1.0]]
    >>> ds.subset([1]).labels.tolist()
    ['push-up']
    >>> ds
    ExerciseDataset(3 sequences, 12 frames, 2 'unsigned' angles; push-up: 1, squat: 2)
    """

    def __init__(
        self,
        sequences: Sequence[Any],
        labels: Sequence[str],
        angle_names: Sequence[str],
        angle_kind: str = "unsigned",
        exercise_angles: Mapping[str, Sequence[int | str]] | None = None,
        skeletons: Sequence[Skeleton | None] | None = None,
        groups: Sequence[Any] | None = None,
        sources: Sequence[str] | None = None,
        extra: Mapping[str, Sequence[Any]] | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.angle_kind = check_kind(angle_kind)
        if isinstance(angle_names, str):
            raise InputError("angle_names must be a sequence of names, not one string")
        self.angle_names = tuple(str(n) for n in angle_names)
        if len(set(self.angle_names)) != len(self.angle_names):
            raise InputError("angle_names contains duplicates")
        n_angles = len(self.angle_names)

        self.sequences = []
        for i, seq in enumerate(sequences):
            arr = np.asarray(seq, dtype=np.float64)
            if arr.ndim != 2 or arr.shape[1] != n_angles:
                raise InputError(
                    f"sequences[{i}] has shape {arr.shape}; every sequence must be "
                    f"(T, {n_angles}): one column per angle name"
                )
            self.sequences.append(arr)
        n = len(self.sequences)

        self.labels = np.asarray([str(x) for x in labels], dtype=str)
        if self.labels.shape != (n,):
            raise InputError(f"labels has {len(self.labels)} entries but there are {n} sequences")

        self.exercise_angles = {
            str(ex): self._column_indices(cols, str(ex))
            for ex, cols in (exercise_angles or {}).items()
        }

        if skeletons is None:
            self.skeletons = [None] * n
        else:
            self.skeletons = list(skeletons)
            if len(self.skeletons) != n:
                raise InputError(
                    f"skeletons has {len(self.skeletons)} entries but there are {n} sequences"
                )
            for i, s in enumerate(self.skeletons):
                if s is not None and not isinstance(s, Skeleton):
                    raise InputError(
                        f"skeletons[{i}] is a {type(s).__name__}; expected a Skeleton or None"
                    )

        self.groups = self._aligned("groups", np.arange(n) if groups is None else groups, n)
        self.sources = self._aligned("sources", [""] * n if sources is None else sources, n)
        self.extra = {str(k): self._aligned(f"extra[{k!r}]", v, n) for k, v in (extra or {}).items()}
        self.meta = dict(meta or {})

    # ------------------------------------------------------------------ validation helpers
    @staticmethod
    def _aligned(name: str, values: Any, n: int) -> np.ndarray:
        arr = np.asarray(values)
        if arr.ndim == 0 or len(arr) != n:
            size = "a scalar" if arr.ndim == 0 else f"{len(arr)} entries"
            raise InputError(f"{name} has {size} but there are {n} sequences")
        return arr

    def _column_indices(self, columns: Sequence[int | str], exercise: str) -> list[int]:
        if isinstance(columns, str):
            columns = [columns]
        position = {name: i for i, name in enumerate(self.angle_names)}
        out = set()
        for c in columns:
            if isinstance(c, str):
                if c not in position:
                    raise InputError(
                        f"exercise_angles[{exercise!r}] names {c!r}, which is not one of the "
                        f"angle columns: {', '.join(self.angle_names)}"
                    )
                out.add(position[c])
            elif isinstance(c, (int, np.integer)) and not isinstance(c, bool):
                if not 0 <= int(c) < len(self.angle_names):
                    raise InputError(
                        f"exercise_angles[{exercise!r}] has column index {int(c)}, outside "
                        f"0..{len(self.angle_names) - 1}"
                    )
                out.add(int(c))
            else:
                raise InputError(
                    f"exercise_angles[{exercise!r}] must list angle names or column indices, "
                    f"got {c!r}"
                )
        return sorted(out)

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return len(self.sequences)

    @property
    def exercises(self) -> list[str]:
        """Sorted distinct labels."""
        return sorted(set(self.labels.tolist()))

    @property
    def n_angles(self) -> int:
        """Number of angle columns."""
        return len(self.angle_names)

    @property
    def lengths(self) -> np.ndarray:
        """(n,) number of frames of each sequence."""
        return np.array([len(s) for s in self.sequences], dtype=np.int64)

    @property
    def n_frames(self) -> int:
        """Total number of frames over all sequences."""
        return int(self.lengths.sum())

    def exercise_angle_names(self, exercise: str | None = None) -> dict[str, list[str]] | list[str]:
        """Names of the angles that matter: for one exercise, or a dict for all.

        Examples
        --------
        >>> ds = ExerciseDataset([], [], ("a", "b"), exercise_angles={"x": [1]})
        >>> ds.exercise_angle_names("x"), ds.exercise_angle_names()
        (['b'], {'x': ['b']})
        """
        if exercise is None:
            return {ex: [self.angle_names[i] for i in cols]
                    for ex, cols in self.exercise_angles.items()}
        if exercise not in self.exercise_angles:
            raise KeyError(
                f"no exercise_angles entry for {exercise!r}; known: "
                f"{', '.join(sorted(self.exercise_angles)) or '(none)'}"
            )
        return [self.angle_names[i] for i in self.exercise_angles[exercise]]

    def usefulness_targets(self) -> np.ndarray:
        """(n, n_angles) float 0/1 matrix: 1 where the angle matters for the sequence's exercise.

        Raises
        ------
        ValueError
            If an exercise in `labels` has no `exercise_angles` entry.
        """
        missing = sorted(set(self.labels.tolist()) - set(self.exercise_angles))
        if missing:
            raise InputError(
                f"usefulness_targets needs an exercise_angles entry for every label; missing: "
                f"{', '.join(map(repr, missing))}"
            )
        rows = {}
        for ex, cols in self.exercise_angles.items():
            row = np.zeros(self.n_angles)
            row[cols] = 1.0
            rows[ex] = row
        if not len(self):
            return np.zeros((0, self.n_angles))
        return np.stack([rows[lab] for lab in self.labels.tolist()])

    def subset(self, indices: Any) -> ExerciseDataset:
        """A new data set with the chosen sequences; every per-sequence field stays aligned.

        Parameters
        ----------
        indices : int array, boolean mask of length n, or slice

        Examples
        --------
        >>> ds = ExerciseDataset([np.zeros((1, 1)), np.ones((2, 1))], ["a", "b"], ("x",),
        ...                      extra={"form": ["correct", "wrong"]})
        >>> sub = ds.subset(ds.labels == "b")
        >>> sub.extra["form"].tolist(), sub.groups.tolist(), len(sub.sequences[0])
        (['wrong'], [1], 2)
        """
        idx = _as_index(indices, len(self))
        return ExerciseDataset(
            [self.sequences[i] for i in idx],
            self.labels[idx],
            self.angle_names,
            self.angle_kind,
            exercise_angles=self.exercise_angles,
            skeletons=[self.skeletons[i] for i in idx],
            groups=self.groups[idx],
            sources=self.sources[idx],
            extra={k: v[idx] for k, v in self.extra.items()},
            meta=self.meta,
        )

    def for_models(self, max_nan_fraction: float = 0.99) -> ExerciseDataset:
        """The data set ready for the models: unmeasurable angles dropped, gaps filled.

        * Angle columns NaN in more than `max_nan_fraction` of all frames are
          dropped (e.g. the wrist angles of a source without hand landmarks,
          such as Penn Action's 13 joints), and `exercise_angles` is
          re-indexed; ``meta["dropped_angles"]`` names them.
        * In each sequence, the remaining NaN frames of an angle are filled by
          linear interpolation in time (:func:`sitrex.fill_gaps`; an angle
          never measured in a sequence becomes 0 there).

        Parameters
        ----------
        max_nan_fraction : float in [0, 1], default 0.99

        Examples
        --------
        >>> ds = ExerciseDataset([np.array([[10.0, np.nan], [np.nan, np.nan], [30.0, np.nan]])],
        ...                      ["a"], ("x", "y"), exercise_angles={"a": ["x", "y"]})
        >>> ready = ds.for_models()
        >>> ready.angle_names, ready.sequences[0][:, 0].tolist(), ready.exercise_angles
        (('x',), [10.0, 20.0, 30.0], {'a': [0]})
        >>> ready.meta["dropped_angles"]
        ['y']
        """
        from sitrex.sequences import fill_gaps

        if not 0.0 <= float(max_nan_fraction) <= 1.0:
            raise InputError(f"max_nan_fraction must be in [0, 1]; got {max_nan_fraction!r}")
        if not len(self):
            raise InputError("the data set is empty")
        frames = np.concatenate(self.sequences)
        keep = np.flatnonzero(np.isnan(frames).mean(axis=0) <= float(max_nan_fraction))
        if keep.size == 0:
            raise InputError("every angle is NaN in more than max_nan_fraction of the frames: "
                             "nothing is measurable")
        remap = {int(old): new for new, old in enumerate(keep)}
        return ExerciseDataset(
            fill_gaps([s[:, keep] for s in self.sequences]), self.labels,
            [self.angle_names[i] for i in keep], self.angle_kind,
            exercise_angles={ex: [remap[c] for c in cols if c in remap]
                             for ex, cols in self.exercise_angles.items()},
            skeletons=self.skeletons, groups=self.groups, sources=self.sources,
            extra=self.extra,
            meta={**self.meta, "dropped_angles": [n for i, n in enumerate(self.angle_names)
                                                  if i not in remap]})

    def __repr__(self) -> str:
        names, counts = np.unique(self.labels, return_counts=True) if len(self) else ([], [])
        per = ", ".join(f"{name}: {count}" for name, count in zip(names, counts))
        return (
            f"ExerciseDataset({len(self)} sequences, {self.n_frames} frames, {self.n_angles} "
            f"{self.angle_kind!r} angles" + (f"; {per})" if per else ")")
        )
