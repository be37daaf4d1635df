"""Reading and writing the SiTrEx paper's data set layout.

The layout is one folder::

    dataset/
        exercise_angles.json      {"push up": ["left elbow", "right elbow", ...], ...}
        push_up_json/             one folder per exercise: <exercise>_json
            0001.json             {"frames": [{"landmarks": [33 x {x, y, z, visibility}]}, ...]}
            ...
        squat_json/
            ...

* The label of a file is its folder name without ``_json``, with underscores
  turned into spaces (``push_up_json`` -> ``"push up"``), as in the paper.
* ``exercise_angles.json`` maps each exercise to the angles that matter for
  it. Its names are matched to the folders ignoring case and treating ``_``,
  ``-`` and spaces alike, so ``"Push-Up"`` matches ``push_up_json``.
* Coordinates are used as stored (the paper's files hold MediaPipe's
  normalised image coordinates; no aspect correction is applied, as in the
  paper).

Frames with no person (an empty ``landmarks`` list) are dropped from the
angle sequences, as the paper's loader does, and the number dropped per file
is recorded in ``dataset.extra["dropped_frames"]``. The skeletons (when kept
with ``keep_skeletons=True``) keep those frames as NaN rows, so they still
line up with the video. Pass ``drop_no_person=False`` to keep NaN rows in the
angles too.

The loader is fast because it parses each file with
:func:`sitrex.io.read_sitrex_json` and then computes the angles of *all*
frames of *all* files in a single vectorised :func:`~sitrex.angles.compute_angles`
call, instead of a Python loop over frames.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import sys
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from sitrex.exceptions import InputError, MissingFileError
from sitrex._atomic import atomic_write
from sitrex.angle_table import check_kind
from sitrex.angles import ANGLE_NAMES, angle_names, compute_angles
from sitrex.io import SkeletonFileError, read_sitrex_json, save_skeleton
from sitrex.skeleton import Skeleton

from ._dataset import ExerciseDataset

__all__ = ["SkippedFileWarning", "load_sitrex", "save_sitrex"]

ANGLES_FILE = "exercise_angles.json"
FOLDER_SUFFIX = "_json"
LAYOUT = (
    "expected a folder holding exercise_angles.json (exercise name -> list of angle names) "
    "and one <exercise>_json folder per exercise with the *.json landmark files, e.g. "
    "dataset/exercise_angles.json, dataset/push_up_json/0001.json"
)


class SkippedFileWarning(UserWarning):
    """A landmark file could not be read and was skipped (``on_error="warn"``)."""


def _key(name: str) -> str:
    """Exercise name as compared between folders and exercise_angles.json."""
    return " ".join(re.split(r"[\s_\-]+", name.strip().casefold())).strip()


def _natural(text: str) -> list:
    """Sort key putting file2 before file10."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def _read_exercise_angles(root: Path) -> dict[str, list[str]]:
    path = root / ANGLES_FILE
    if not path.is_file():
        raise MissingFileError(f"no {ANGLES_FILE} in {str(root)!r}; {LAYOUT}")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{ANGLES_FILE}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(document, dict) or not all(
        isinstance(v, list) and all(isinstance(a, str) for a in v) for v in document.values()
    ):
        raise InputError(
            f"{ANGLES_FILE} must be a JSON object mapping each exercise name to a list of "
            'angle names, e.g. {"squat": ["left knee", "right knee"]}'
        )
    for exercise, names in document.items():
        unknown = [a for a in names if a not in ANGLE_NAMES]
        if unknown:
            raise InputError(
                f"{ANGLES_FILE}: exercise {exercise!r} lists {', '.join(map(repr, unknown))}, "
                f"not SiTrEx angle name(s); valid names: {', '.join(ANGLE_NAMES)}"
            )
    return document


def _columns(names: Sequence[str], kind: str) -> list[int]:
    """Column indices in angle_names(kind) of base angle names (all planes for kind="all")."""
    columns = angle_names(kind)
    wanted = set(names)
    return [i for i, c in enumerate(columns) if c.split(" (")[0] in wanted]


def _read_one(path: str, fps: float | None) -> tuple:
    """Parse one file; return plain arrays (cheap to send between processes) or an error."""
    try:
        s = read_sitrex_json(path, fps=fps)
    except SkeletonFileError as exc:
        return ("error", str(exc))
    except OSError as exc:
        return ("error", f"{Path(path).name}: cannot read the file ({exc.strerror or exc})")
    return ("ok", s.coords, s.confidence, s.fps, s.source, s.meta)


def _progress_bar(total: int, progress: bool | None):
    from tqdm.auto import tqdm

    if progress is None:
        progress = bool(getattr(sys.stderr, "isatty", lambda: False)())
    return tqdm(total=total, desc="load_sitrex", unit="file", disable=not progress)


def load_sitrex(
    path: str | os.PathLike[str],
    kind: str = "unsigned",
    *,
    on_error: str = "raise",
    progress: bool | None = None,
    keep_skeletons: bool = False,
    n_jobs: int | None = None,
    fps: float | None = None,
    drop_no_person: bool = True,
) -> ExerciseDataset:
    """Load a data set in the SiTrEx paper's layout (see the module documentation).

    Parameters
    ----------
    path : str or os.PathLike
        The data set folder.
    kind : str
        Angle kind, see :data:`sitrex.angles.ANGLE_KINDS`.
    on_error : {"raise", "warn"}
        A malformed landmark file raises :class:`~sitrex.exceptions.SkeletonFileError`
        naming it (``"raise"``), or is skipped with a
        :class:`SkippedFileWarning` naming it (``"warn"``); skipped files are
        listed in ``dataset.meta["skipped_files"]`` (path -> reason).
    progress : bool, optional
        Show a tqdm progress bar. Default: only when stderr is a terminal.
    keep_skeletons : bool
        Keep each file's :class:`~sitrex.skeleton.Skeleton` (all frames,
        no-person frames as NaN) in ``dataset.skeletons``.
    n_jobs : int, optional
        Parse files in this many processes (``-1``: one per CPU). Default:
        one, in this process. Parsing JSON dominates the time, so this helps
        on large data sets.
    fps : float, optional
        Frame rate given to the skeletons (the paper's files carry none).
    drop_no_person : bool
        Drop frames with no person from the angle sequences (the paper's
        behaviour, default) or keep them as NaN rows.

    Returns
    -------
    ExerciseDataset
        ``labels`` from the folder names, ``sources`` and ``groups`` the file
        paths relative to `path`, columns ``angle_names(kind)`` (all of them;
        the paper used the sorted union of the angles in
        ``exercise_angles.json``, which is the same list when every angle is
        listed — select it with ``dataset.exercise_angles``), ``extra``:
        ``"n_frames"`` (frames in the file) and ``"dropped_frames"``.

    Raises
    ------
    FileNotFoundError
        If `path` is not a folder, is empty, lacks ``exercise_angles.json``
        or holds no ``<exercise>_json/*.json`` files.
    ValueError
        For an exercise folder without an ``exercise_angles.json`` entry, an
        unknown angle name (the valid ones are listed), or bad options.
    SkeletonFileError
        For a malformed landmark file with ``on_error="raise"``.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from sitrex import Skeleton
    >>> rng = np.random.default_rng(0)
    >>> skels = [Skeleton(rng.normal(size=(5, 33, 3))) for _ in range(3)]
    >>> folder = tempfile.mkdtemp()
    >>> _ = save_sitrex(skels, ["squat", "push up", "squat"],
    ...                 {"squat": ["left knee", "right knee"], "push up": ["left elbow"]}, folder)
    >>> ds = load_sitrex(folder, progress=False)
    >>> ds
    ExerciseDataset(3 sequences, 15 frames, 23 'unsigned' angles; push up: 1, squat: 2)
    >>> ds.exercise_angle_names("push up")
    ['left elbow']
    """
    kind = check_kind(kind)
    if on_error not in ("raise", "warn"):
        raise InputError(f"on_error must be 'raise' or 'warn', got {on_error!r}")
    if n_jobs is not None and (not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1):
        raise InputError(f"n_jobs must be a positive int, -1 (all CPUs) or None, got {n_jobs!r}")
    root = Path(path).expanduser()
    if not root.is_dir():
        raise MissingFileError(f"load_sitrex: {str(root)!r} is not a folder; {LAYOUT}")
    if not any(root.iterdir()):
        raise MissingFileError(f"load_sitrex: the folder {str(root)!r} is empty; {LAYOUT}")
    declared = _read_exercise_angles(root)

    folders = sorted(
        (p for p in root.iterdir() if p.is_dir() and p.name.endswith(FOLDER_SUFFIX)),
        key=lambda p: _natural(p.name),
    )
    files: list[tuple[str, Path]] = []
    for folder in folders:
        label = folder.name[: -len(FOLDER_SUFFIX)].replace("_", " ")
        files.extend((label, f) for f in sorted(folder.glob("*.json"), key=lambda p: _natural(p.name)))
    if not files:
        found = ", ".join(p.name for p in folders) or "no <exercise>_json folders"
        raise MissingFileError(
            f"load_sitrex: no landmark files in {str(root)!r} (found {found}); {LAYOUT}"
        )

    # match folder labels to exercise_angles.json entries
    by_key: dict[str, str] = {}
    for name in declared:
        if _key(name) in by_key:
            raise InputError(
                f"{ANGLES_FILE}: entries {by_key[_key(name)]!r} and {name!r} name the same "
                "exercise (case, spaces, '_' and '-' are ignored when matching folders)"
            )
        by_key[_key(name)] = name
    labels_used = sorted({label for label, _ in files})
    unmatched = [lab for lab in labels_used if _key(lab) not in by_key]
    if unmatched:
        folder_names = ", ".join(lab.replace(" ", "_") + FOLDER_SUFFIX for lab in unmatched)
        raise InputError(
            f"load_sitrex: exercise folder(s) {folder_names} "
            f"have no entry in {ANGLES_FILE}; its entries are: "
            f"{', '.join(map(repr, declared)) or '(none)'}"
        )
    exercise_angles = {lab: _columns(declared[by_key[_key(lab)]], kind) for lab in labels_used}

    # parse the files
    fps_arg = fps
    jobs = (os.cpu_count() or 1) if n_jobs == -1 else (n_jobs or 1)
    paths = [str(f) for _, f in files]
    results: list[tuple] = []
    with _progress_bar(len(paths), progress) as bar:
        if jobs > 1 and len(paths) > 1:
            # "spawn": forking a process that already runs threads (JAX, torch, MediaPipe)
            # can deadlock the child, and did in the test suite
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=min(jobs, len(paths)), mp_context=context) as pool:
                chunk = max(1, len(paths) // (jobs * 8))
                for r in pool.map(_read_one, paths, [fps_arg] * len(paths), chunksize=chunk):
                    results.append(r)
                    bar.update()
        else:
            for p in paths:
                results.append(_read_one(p, fps_arg))
                bar.update()

    skipped: dict[str, str] = {}
    kept: list[tuple[str, str, tuple]] = []
    for (label, file), result in zip(files, results):
        relative = f"{file.parent.name}/{file.name}"
        if result[0] == "error":
            message = f"{file.parent.name}/{result[1]}"
            if on_error == "raise":
                raise SkeletonFileError(message)
            warnings.warn(f"load_sitrex: skipping {message}", SkippedFileWarning, stacklevel=2)
            skipped[relative] = result[1]
            continue
        kept.append((label, relative, result))
    if not kept:
        raise InputError(f"load_sitrex: none of the {len(files)} landmark files could be read")

    # one vectorised angle computation over every frame of every file
    coords = [r[1] for _, _, r in kept]
    n_frames = np.array([len(c) for c in coords], dtype=np.int64)
    all_coords = np.concatenate(coords) if coords else np.zeros((0, 33, 3))
    has_person = ~np.isnan(all_coords).all(axis=(1, 2))
    bounds = np.concatenate([[0], np.cumsum(n_frames)])
    if kind == "max-energy":  # picks a plane per sequence: one call per file
        angles = np.concatenate([compute_angles(c, kind) for c in coords])
    else:
        angles = compute_angles(all_coords, kind)
    sequences, dropped = [], []
    for a, b in zip(bounds[:-1], bounds[1:]):
        seq = angles[a:b]
        if drop_no_person:
            seq = seq[has_person[a:b]]
        sequences.append(np.ascontiguousarray(seq))
        dropped.append(int((~has_person[a:b]).sum()) if drop_no_person else 0)

    skeletons = None
    if keep_skeletons:
        skeletons = [Skeleton(r[1], r[2], fps=r[3], source=r[4], meta=r[5]) for _, _, r in kept]
    relatives = np.array([rel for _, rel, _ in kept])
    return ExerciseDataset(
        sequences,
        [label for label, _, _ in kept],
        angle_names(kind),
        kind,
        exercise_angles=exercise_angles,
        skeletons=skeletons,
        groups=relatives,
        sources=relatives,
        extra={"n_frames": n_frames, "dropped_frames": np.array(dropped, dtype=np.int64)},
        meta={
            "path": str(root),
            "layout": "sitrex",
            "skipped_files": skipped,
            "drop_no_person": drop_no_person,
            "declared_exercise_angles": dict(declared),
        },
    )


def save_sitrex(
    skeletons: Sequence[Skeleton],
    labels: Sequence[str],
    exercise_angles: Mapping[str, Sequence[str]],
    path: str | os.PathLike[str],
    *,
    names: Sequence[str] | None = None,
) -> Path:
    """Write skeletons in the SiTrEx paper's layout, readable by :func:`load_sitrex`.

    Parameters
    ----------
    skeletons : sequence of Skeleton
    labels : sequence of str
        Exercise of each skeleton. The folder is the label with spaces turned
        into underscores plus ``_json``; :func:`load_sitrex` reads it back
        with underscores turned into spaces.
    exercise_angles : mapping
        Exercise -> list of SiTrEx angle names; needs an entry for every label.
    path : str or os.PathLike
        Destination folder (created if needed). Existing files of the same
        names are replaced.
    names : sequence of str, optional
        File name (without ``.json``) of each skeleton; default a running
        number per exercise, ``0001``, ``0002``, ...

    Returns
    -------
    pathlib.Path
        The folder.

    Notes
    -----
    Every file, including ``exercise_angles.json``, is written atomically
    (:func:`sitrex._atomic.atomic_write`): an interrupted save never leaves a
    half-written file.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from sitrex import Skeleton
    >>> out = save_sitrex([Skeleton(np.zeros((2, 33, 3)))], ["push up"],
    ...                   {"push up": ["left elbow"]}, tempfile.mkdtemp())
    >>> sorted(p.name for p in out.iterdir())
    ['exercise_angles.json', 'push_up_json']
    """
    skeletons = list(skeletons)
    labels = [str(x) for x in labels]
    if len(labels) != len(skeletons):
        raise InputError(f"save_sitrex: {len(skeletons)} skeletons but {len(labels)} labels")
    if names is not None:
        names = [str(n) for n in names]
        if len(names) != len(skeletons):
            raise InputError(f"save_sitrex: {len(skeletons)} skeletons but {len(names)} names")
    for i, s in enumerate(skeletons):
        if not isinstance(s, Skeleton):
            raise TypeError(f"save_sitrex: skeletons[{i}] is a {type(s).__name__}, not a Skeleton")
    for label in set(labels):
        if not label.strip() or any(c in label for c in "/\\") or label != label.strip():
            raise InputError(
                f"save_sitrex: label {label!r} cannot be a folder name; use a non-empty name "
                "without slashes or surrounding spaces"
            )
    table = {str(k): list(v) for k, v in exercise_angles.items()}
    for exercise, angle_list in table.items():
        unknown = [a for a in angle_list if a not in ANGLE_NAMES]
        if unknown:
            raise InputError(
                f"save_sitrex: exercise_angles[{exercise!r}] lists {', '.join(map(repr, unknown))}, "
                f"not SiTrEx angle name(s); valid names: {', '.join(ANGLE_NAMES)}"
            )
    keys = {_key(k) for k in table}
    missing = sorted({lab for lab in labels if _key(lab) not in keys})
    if missing:
        raise InputError(
            f"save_sitrex: exercise_angles has no entry for label(s) {', '.join(map(repr, missing))}"
        )

    root = Path(path).expanduser()
    root.mkdir(parents=True, exist_ok=True)
    counters: dict[str, int] = {}
    seen: set[Path] = set()
    for i, (skeleton, label) in enumerate(zip(skeletons, labels)):
        folder = root / (label.replace(" ", "_") + FOLDER_SUFFIX)
        folder.mkdir(exist_ok=True)
        counters[label] = counters.get(label, 0) + 1
        stem = names[i] if names is not None else f"{counters[label]:04d}"
        target = folder / f"{stem}.json"
        if target in seen:
            raise InputError(f"save_sitrex: two skeletons would both be written to {target.name} "
                             f"in {folder.name}; give distinct names")
        seen.add(target)
        save_skeleton(skeleton, target)
    with atomic_write(root / ANGLES_FILE, "w") as f:
        json.dump(table, f, indent=2)
    return root
