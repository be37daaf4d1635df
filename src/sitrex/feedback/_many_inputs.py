"""What compare_many reads besides videos and landmark files, and what a report is made with (private).

* ``.npy`` files: a NumPy array of angles (frames, angles) or landmarks
  (frames, 33, 3 or 2), read as ``sitrex compare`` reads one;
* :func:`run_record`: the coach and the options a report is made with, which
  compare_many writes into each report (``report.metadata["compare_many"]``)
  so that a rerun reuses only the reports made the same way.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from sitrex.exceptions import InputError, MissingFileError

__all__ = ["ARRAY_SUFFIX", "is_array_file", "load_array_file", "run_record"]

#: The suffix of an input saved with ``numpy.save``.
ARRAY_SUFFIX = ".npy"


def is_array_file(value: Any) -> bool:
    """Whether `value` is the path of a ``.npy`` file.

    Examples
    --------
    >>> is_array_file("ann.NPY"), is_array_file("ann.npz"), is_array_file(np.zeros(3))
    (True, False, False)
    """
    return isinstance(value, (str, os.PathLike)) and Path(value).suffix.lower() == ARRAY_SUFFIX


def load_array_file(path: str | os.PathLike[str]) -> np.ndarray:
    """The array of a ``.npy`` file: angles (frames, angles) or landmarks (frames, 33, 3 or 2).

    Raises
    ------
    sitrex.exceptions.MissingFileError
        If there is no such file.
    sitrex.exceptions.InputError
        If it is empty or no NumPy array file.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> np.save(folder / "ann.npy", np.zeros((5, 23)))
    >>> load_array_file(folder / "ann.npy").shape
    (5, 23)
    >>> _ = (folder / "bob.npy").write_text("angles")
    >>> load_array_file(folder / "bob.npy")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: ...bob.npy: not a NumPy array file; save angles ...
    """
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"no such file: {path}")
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        empty = path.stat().st_size == 0
        raise InputError(
            f"{path}: {'an empty file' if empty else 'not a NumPy array file'}; save angles "
            "(frames, angles; degrees) or landmarks (frames, 33, 3 or 2) with numpy.save"
        ) from exc


def _digest(value: Any) -> str:
    """A digest of `value`: of its bytes for a file, else of its pickle (a value that does not
    pickle gets a new token each time, so that it never matches)."""
    sha = hashlib.sha256()
    if isinstance(value, (str, os.PathLike)) and Path(value).is_file():
        with open(value, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                sha.update(block)
        return sha.hexdigest()
    try:
        sha.update(pickle.dumps(value, protocol=4))
    except Exception:      # noqa: BLE001 - any object may refuse pickling
        return f"unique {uuid.uuid4().hex}"
    return sha.hexdigest()


def run_record(coach: Any, options: Any, backend: Any,
               backend_options: Mapping[str, Any]) -> dict[str, str]:
    """What a run makes its reports with: ``{"coach": digest, "options": digest}``.

    The coach's digest is that of its file's bytes (wherever the file lies),
    or of its data (an array, a Skeleton); the options' covers the checked
    comparison options (:class:`~sitrex.feedback.pipeline.CompareOptions`,
    the comparator's weights included) and the pose backend.

    Examples
    --------
    >>> a = run_record(np.zeros((5, 23)), {"threshold": 0.5}, "mediapipe", {})
    >>> a == run_record(np.zeros((5, 23)), {"threshold": 0.5}, "mediapipe", {})
    True
    >>> a["coach"] == run_record(np.ones((5, 23)), {"threshold": 0.5}, "mediapipe", {})["coach"]
    False
    >>> a["options"] == run_record(np.zeros((5, 23)), {"threshold": 0.9}, "mediapipe", {})["options"]
    False
    """
    pose = backend if isinstance(backend, str) else \
        f"{type(backend).__name__} {getattr(backend, 'name', '')}"
    return {"coach": _digest(coach),
            "options": _digest((options, pose, sorted(dict(backend_options).items())))}
