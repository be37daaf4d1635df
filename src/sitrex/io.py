"""Reading and writing :class:`~sitrex.skeleton.Skeleton` files.

Two formats, chosen by the file suffix:

``.npz``
    NumPy archive with arrays ``coords`` (T, 33, 3), ``confidence`` (T, 33),
    ``fps`` (NaN when unknown), ``source`` ("" when None) and ``meta`` (a
    JSON string). Read with ``allow_pickle=False``.
``.json``
    The SiTrEx data set layout,
    ``{"frames": [{"landmarks": [{"x": .., "y": .., "z": .., "visibility": ..}, x 33]}]}``.
    A frame with an empty ``landmarks`` list has no person (all NaN). sitrex
    also writes top-level ``fps``, ``source`` and ``meta`` keys and reads
    them when present; other keys are ignored. Missing values are written as
    ``null``, non-finite numbers of ``meta`` too (JSON has no NaN): reading
    gives NaN for a null in a list of numbers and nulls (arrays such as
    IRDS's ``time_ms``, which come back as lists in both formats), None for
    any other null.

Every file is written atomically (see :func:`sitrex._atomic.atomic_write`).
A file that cannot be parsed or has the wrong structure raises
:class:`SkeletonFileError`, whose message names the file and the problem.
"""

from __future__ import annotations

import itertools
import json
import operator
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from sitrex._atomic import atomic_write
from sitrex.exceptions import InputError, MissingFileError, SkeletonFileError
from sitrex.landmarks import N_LANDMARKS
from sitrex.skeleton import Skeleton

__all__ = ["SkeletonFileError", "load_skeleton", "read_sitrex_json", "save_skeleton"]

SUPPORTED_SUFFIXES: tuple[str, ...] = (".npz", ".json")
_FORMAT = "sitrex.skeleton/1"
_KEYS = ("x", "y", "z", "visibility")
_NUMBER_TYPES = frozenset({int, float, type(None)})


def _suffix(path: Path, action: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"cannot {action} {str(path)!r}: unknown file type {path.suffix or '(no suffix)'!r}; "
            f"use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    return suffix


def _existing(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"no skeleton file at {str(path)!r}; check the path")
    return path


def save_skeleton(skeleton: Skeleton, path: str | os.PathLike[str]) -> Path:
    """Write a Skeleton to ``.npz`` or ``.json``, chosen by the suffix of `path`.

    Parameters
    ----------
    skeleton : Skeleton
    path : str or os.PathLike
        Destination; replaced atomically if it exists.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        For an unsupported suffix, or a `meta` that is not JSON-serialisable.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> skel = Skeleton(np.zeros((2, 33, 3)), fps=30.0, source="demo")
    >>> for name in ("pose.npz", "pose.json"):
    ...     back = load_skeleton(save_skeleton(skel, folder / name))
    ...     print(back.n_frames, back.fps, back.source)
    2 30.0 demo
    2 30.0 demo
    """
    if not isinstance(skeleton, Skeleton):
        raise TypeError(f"save_skeleton expects a Skeleton, got {type(skeleton).__name__}")
    path = Path(path)
    suffix = _suffix(path, "save")
    if suffix == ".npz":
        _write_npz(skeleton, path)
    else:
        _write_json(skeleton, path)
    return path


def load_skeleton(path: str | os.PathLike[str]) -> Skeleton:
    """Read a Skeleton from ``.npz`` or ``.json``, chosen by the suffix of `path`.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    Skeleton

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    SkeletonFileError
        If the file does not parse or has the wrong structure.
    ValueError
        For an unsupported suffix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "bad.json"
    >>> _ = p.write_text('{"frames": [{"landmarks": [{"x": 0, "y": 0, "z": 0}]}]}')
    >>> load_skeleton(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sitrex.exceptions.SkeletonFileError: bad.json: frame 0 has 1 landmarks, expected 33 (or 0 ...)
    """
    path = Path(path)
    suffix = _suffix(path, "load")
    _existing(path)
    if suffix == ".npz":
        return _read_npz(path)
    return read_sitrex_json(path)


# ---------------------------------------------------------------------- meta helpers
def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def _dump_meta(meta: dict[str, Any], path: Path) -> str:
    try:
        return json.dumps(meta, default=_json_default, allow_nan=True)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"cannot save {path.name}: skeleton.meta is not JSON-serialisable ({exc}); keep "
            "meta to str, numbers, lists and dicts"
        ) from None


def _null_for_nan(value: Any) -> Any:
    """JSON-ready `value` with its non-finite floats as None (JSON has no NaN)."""
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, list):
        return [_null_for_nan(item) for item in value]
    if isinstance(value, dict):
        return {key: _null_for_nan(item) for key, item in value.items()}
    return value


def _nan_for_null(value: Any) -> Any:
    """`value` read from JSON with the None of its lists of numbers back as NaN.

    Examples
    --------
    >>> _nan_for_null({"t": [1, None], "rows": [[None], [2.0]], "x": None, "s": ["a", None]})
    {'t': [1, nan], 'rows': [[nan], [2.0]], 'x': None, 's': ['a', None]}
    """
    def leaves(item):
        return itertools.chain.from_iterable(map(leaves, item)) if isinstance(item, list) \
            else (item,)

    def filled(item):
        return [filled(i) for i in item] if isinstance(item, list) else \
            (np.nan if item is None else item)

    if isinstance(value, dict):
        return {key: _nan_for_null(item) for key, item in value.items()}
    if not isinstance(value, list):
        return value
    kinds = {type(leaf) for leaf in leaves(value)}
    if kinds <= _NUMBER_TYPES:     # an array, NaN where null (an all-NaN one too)
        return filled(value)
    return [_nan_for_null(item) for item in value]


def _restore_meta(meta: Any, path: Path) -> dict[str, Any]:
    if not isinstance(meta, dict):
        raise SkeletonFileError(
            f"{path.name}: 'meta' must be a JSON object, got {type(meta).__name__}"
        )
    meta = dict(meta)
    if isinstance(meta.get("image_size"), list):
        meta["image_size"] = tuple(meta["image_size"])
    return meta


def _build(path: Path, coords, confidence, fps, source, meta) -> Skeleton:
    try:
        return Skeleton(coords, confidence, fps=fps, source=source, meta=meta)
    except ValueError as exc:
        raise SkeletonFileError(f"{path.name}: {exc}") from None


# ---------------------------------------------------------------------- npz
def _write_npz(skeleton: Skeleton, path: Path) -> None:
    arrays = {
        "format": np.array(_FORMAT),
        "coords": skeleton.coords,
        "confidence": skeleton.confidence,
        "fps": np.array(np.nan if skeleton.fps is None else skeleton.fps, dtype=np.float64),
        "source": np.array("" if skeleton.source is None else skeleton.source),
        "meta": np.array(_dump_meta(skeleton.meta, path)),
    }
    # np.savez would append ".npz" to a path lacking it; a file object avoids that.
    with atomic_write(path, "wb") as f:
        np.savez_compressed(f, **arrays)


def _read_npz(path: Path) -> Skeleton:
    name = path.name
    if not zipfile.is_zipfile(path):
        raise SkeletonFileError(f"{name}: not an .npz archive (numpy.savez writes a zip file of "
                                "arrays; this file is something else, or damaged)")
    try:
        with np.load(path, allow_pickle=False) as z:
            if "coords" not in z.files:
                raise SkeletonFileError(f"{name}: missing array 'coords'")
            keys = ("coords", "confidence", "fps", "source", "meta")
            data = {key: z[key] for key in keys if key in z.files}
    except SkeletonFileError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        if "allow_pickle" in str(exc):
            raise SkeletonFileError(f"{name}: an array holds Python objects (pickled data), "
                                    "which sitrex does not load; save numeric arrays") from None
        raise SkeletonFileError(f"{name}: not a readable .npz archive ({exc})") from None

    fps = None
    if "fps" in data:
        if data["fps"].size != 1 or not np.issubdtype(data["fps"].dtype, np.number):
            raise SkeletonFileError(f"{name}: 'fps' must hold one number, got {data['fps']!r}")
        fps = float(data["fps"].reshape(()))
    source = None
    if "source" in data:
        source = str(data["source"].reshape(())) if data["source"].size == 1 else None
        source = source or None
    meta: dict[str, Any] = {}
    if "meta" in data:
        try:
            meta = json.loads(str(data["meta"].reshape(())))
        except (json.JSONDecodeError, ValueError) as exc:
            raise SkeletonFileError(f"{name}: array 'meta' is not valid JSON ({exc})") from None
        meta = _restore_meta(meta, path)
    return _build(path, data["coords"], data.get("confidence"), fps, source, meta)


# ---------------------------------------------------------------------- json
def _write_json(skeleton: Skeleton, path: Path) -> None:
    values = np.concatenate([skeleton.coords, skeleton.confidence[..., np.newaxis]], axis=-1)
    obj = values.astype(object)
    obj[np.isnan(values)] = None  # JSON has no NaN
    has_person = skeleton.has_person.tolist()
    frames = [
        {"landmarks": [dict(zip(_KEYS, lm)) for lm in frame] if person else []}
        for frame, person in zip(obj.tolist(), has_person)
    ]
    document = {
        "format": _FORMAT,
        "fps": skeleton.fps,
        "source": skeleton.source,
        "meta": _null_for_nan(json.loads(_dump_meta(skeleton.meta, path))),
        "frames": frames,
    }
    text = json.dumps(document, allow_nan=False, separators=(",", ":"))
    with atomic_write(path, "w") as f:
        f.write(text)


def _fail_landmarks(path: Path, landmark_lists: list, values_error: Exception) -> None:
    """Slow diagnostic pass, run only when the fast path failed: find the culprit."""
    for i, lms in enumerate(landmark_lists):
        for j, lm in enumerate(lms):
            if not isinstance(lm, dict):
                raise SkeletonFileError(
                    f"{path.name}: frame {i}, landmark {j} is a {type(lm).__name__}, expected an "
                    "object with keys x, y, z (and visibility)"
                )
            for key in _KEYS[:3]:
                if key not in lm:
                    raise SkeletonFileError(
                        f"{path.name}: frame {i}, landmark {j} has no {key!r} key; every "
                        "landmark needs x, y, z (visibility is optional)"
                    )
            for key in _KEYS:
                v = lm.get(key)
                if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                    raise SkeletonFileError(
                        f"{path.name}: frame {i}, landmark {j}: {key} is {v!r}, expected a number "
                        "(or null for a missing value)"
                    )
    raise SkeletonFileError(f"{path.name}: cannot read landmark values ({values_error})")


def _parse_json(raw: bytes) -> Any:
    """Parse JSON with orjson when it is installed (about 4x faster), else the standard library.

    Text orjson refuses (for example the non-standard ``NaN`` token that
    Python's own json module writes) is handed to the standard library, so
    both give the same documents and the same error messages.
    """
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency, but optional in spirit
        return json.loads(raw.decode("utf-8"))
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw.decode("utf-8"))


def read_sitrex_json(
    path: str | os.PathLike[str], *, fps: float | None = None, source: str | None = None
) -> Skeleton:
    """Read a SiTrEx-layout JSON file, such as the paper's data set files.

    Parameters
    ----------
    path : str or os.PathLike
        A JSON object with a ``frames`` list; each frame has a ``landmarks``
        list of 33 objects with ``x``, ``y``, ``z`` and optional
        ``visibility``, or an empty list when no person was found. A bare
        list of frames, and ``keypoints`` in place of ``landmarks`` (the
        PushFit layout), are accepted too.
    fps : float, optional
        Frame rate to use when the file has no ``fps`` key (the paper's
        files have none). Overrides nothing stored in the file.
    source : str, optional
        Source to use when the file has no ``source`` key; default
        ``"json:<file name>"``.

    Returns
    -------
    Skeleton
        Coordinates exactly as stored (no unit conversion); visibility as
        confidence. Files without a ``meta`` key get
        ``meta = {"no_person_frames": n}``.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    SkeletonFileError
        For invalid JSON (with line and column) or a wrong structure.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> lm = [{"x": 0.5, "y": 0.5, "z": 0.0, "visibility": 0.9}] * 33
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "walk.json"
    >>> _ = p.write_text(json.dumps({"frames": [{"landmarks": lm}, {"landmarks": []}]}))
    >>> skel = read_sitrex_json(p, fps=25.0)
    >>> skel.has_person.tolist(), skel.fps, skel.source
    ([True, False], 25.0, 'json:walk.json')
    """
    path = _existing(path)
    name = path.name
    try:
        document = _parse_json(path.read_bytes())
    except json.JSONDecodeError as exc:
        raise SkeletonFileError(
            f"{name}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except UnicodeDecodeError as exc:
        raise SkeletonFileError(
            f"{name}: not UTF-8 text ({exc.reason}); is it a JSON file?"
        ) from None

    if isinstance(document, list):
        frames, document = document, {}
    elif isinstance(document, dict):
        if "frames" not in document:
            raise SkeletonFileError(
                f"{name}: missing top-level key 'frames'; expected "
                '{"frames": [{"landmarks": [...33 landmarks...]}, ...]}'
            )
        frames = document["frames"]
    else:
        raise SkeletonFileError(
            f"{name}: expected a JSON object with a 'frames' list, got {type(document).__name__}"
        )
    if not isinstance(frames, list):
        raise SkeletonFileError(f"{name}: 'frames' must be a list, got {type(frames).__name__}")

    try:
        landmark_lists = [
            fr["landmarks"] if "landmarks" in fr else fr["keypoints"] for fr in frames
        ]
    except (KeyError, TypeError):
        for i, fr in enumerate(frames):
            if not isinstance(fr, dict):
                raise SkeletonFileError(
                    f"{name}: frame {i} is a {type(fr).__name__}, expected an object with a "
                    "'landmarks' list"
                ) from None
            if "landmarks" not in fr and "keypoints" not in fr:
                raise SkeletonFileError(f"{name}: frame {i} has no 'landmarks' key") from None
        raise  # pragma: no cover - unreachable
    for i, lms in enumerate(landmark_lists):
        if not isinstance(lms, list):
            raise SkeletonFileError(
                f"{name}: frame {i}: 'landmarks' must be a list, got {type(lms).__name__}"
            )
    counts = np.fromiter(map(len, landmark_lists), dtype=np.int64, count=len(landmark_lists))
    bad = np.flatnonzero((counts != N_LANDMARKS) & (counts != 0))
    if bad.size:
        i = int(bad[0])
        raise SkeletonFileError(
            f"{name}: frame {i} has {counts[i]} landmarks, expected {N_LANDMARKS} "
            "(or 0 for a frame with no person)"
        )

    flat = list(itertools.chain.from_iterable(landmark_lists))
    try:
        try:
            rows = list(map(operator.itemgetter(*_KEYS), flat))
        except KeyError:  # visibility is optional; x, y, z are checked below
            rows = [(lm["x"], lm["y"], lm["z"], lm.get("visibility", 1.0)) for lm in flat]
        # numpy would silently turn "0.5" or true into numbers: check the types first
        if not set(map(type, itertools.chain.from_iterable(rows))) <= _NUMBER_TYPES:
            raise TypeError("non-numeric value")
        values = np.array(rows, dtype=np.float64).reshape(-1, 4)  # null -> NaN
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        _fail_landmarks(path, landmark_lists, exc)
    values = values.reshape(-1, N_LANDMARKS, 4)

    n_frames = len(frames)
    with_person = counts == N_LANDMARKS
    coords = np.full((n_frames, N_LANDMARKS, 3), np.nan)
    confidence = np.full((n_frames, N_LANDMARKS), np.nan)
    coords[with_person] = values[..., :3]
    confidence[with_person] = values[..., 3]

    file_fps = document.get("fps")
    if isinstance(file_fps, bool) or not isinstance(file_fps, (int, float, type(None))):
        raise SkeletonFileError(f"{name}: 'fps' must be a number or null, got {file_fps!r}")
    file_source = document.get("source") if "source" in document else (source or f"json:{name}")
    if file_source is not None and not isinstance(file_source, str):
        raise SkeletonFileError(f"{name}: 'source' must be a string or null, got {file_source!r}")
    if "meta" in document:
        meta = _restore_meta(_nan_for_null(document["meta"]), path)
    else:
        meta = {"no_person_frames": int(n_frames - with_person.sum())}
    return _build(
        path,
        coords,
        confidence,
        file_fps if "fps" in document else fps,
        file_source,
        meta,
    )

