"""Finding model files: argument, environment variable, cache folder, verified download.

Both built-in backends resolve their model file the same way, first match wins:

1. an explicit path argument, ``model_path=`` (a file, or a folder holding the
   file under its official name);
2. an environment variable (``SITREX_MEDIAPIPE_MODEL``, ``SITREX_YOLO_WEIGHTS``),
   holding either the file itself or a folder that contains it under its
   official name;
3. the cache folder: ``$SITREX_CACHE/models`` if ``SITREX_CACHE`` is set, else
   ``$XDG_CACHE_HOME/sitrex/models`` (default ``~/.cache/sitrex/models``);
4. a download from the official location into the cache folder, written
   atomically and checked against the sha256 pinned in :data:`MODEL_FILES`.

Offline and uncached, the error names the file and the three ways to provide it.
``SITREX_OFFLINE=1`` (or ``download=False``) skips step 4. A file that is found
but that MediaPipe or ultralytics cannot load gives
:class:`~sitrex.exceptions.IntegrityError` (:func:`unloadable_model_error`).
"""

from __future__ import annotations

import os
from pathlib import Path

from sitrex._fetch import RemoteFile, cache_root, resolve_file, sha256_of
from sitrex.exceptions import IntegrityError, ModelNotAvailableError

__all__ = ["MODEL_FILES", "ModelFile", "cache_dir", "resolve_model_file", "sha256_of",
           "unloadable_model_error"]

#: An official model file (see :class:`sitrex._fetch.RemoteFile`).
ModelFile = RemoteFile


_MP_URL = ("https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
           "pose_landmarker_{size}/float16/1/pose_landmarker_{size}.task")
_YOLO_URL = "https://github.com/ultralytics/assets/releases/download/v8.3.0/{name}"

# sha256 pins. yolo11n-pose.pt: computed from ../shared/models/yolo11n-pose.pt, which
# is byte-identical to a redistributed copy of the official Ultralytics release
# (embedded metadata: version 8.2.100, 2024-09-25). The MediaPipe .task files in
# ../shared are *rebuilt* bundles (their README says so), not Google's downloads, so
# their checksums cannot stand in for the official ones: those entries stay None
# until someone with network access pins the official bytes.
_SHA256 = {
    "yolo11n-pose.pt": "869e83fcdffdc7371fa4e34cd8e51c838cc729571d1635e5141e3075e9319dc0",
}

#: (backend, size) -> :class:`ModelFile` for every model the built-in backends know.
MODEL_FILES: dict[tuple[str, str], ModelFile] = {}
for _size in ("lite", "full", "heavy"):
    _name = f"pose_landmarker_{_size}.task"
    MODEL_FILES["mediapipe", _size] = ModelFile(
        _name, _MP_URL.format(size=_size), _SHA256.get(_name), "SITREX_MEDIAPIPE_MODEL",
        f"MediaPipe PoseLandmarker '{_size}' model",
    )
for _size in ("n", "s", "m", "l", "x"):
    _name = f"yolo11{_size}-pose.pt"
    MODEL_FILES["yolo", _size] = ModelFile(
        _name, _YOLO_URL.format(name=_name), _SHA256.get(_name), "SITREX_YOLO_WEIGHTS",
        f"Ultralytics YOLO11{_size}-pose weights",
    )
del _size, _name


def cache_dir() -> Path:
    """The folder where downloaded model files are kept (not created here).

    Examples
    --------
    >>> cache_dir().name
    'models'
    """
    return cache_root() / "models"


def _how_to_provide(spec: ModelFile, argument: str, reason: str) -> str:
    target = cache_dir() / spec.filename
    return (
        f"the {spec.description} ({spec.filename}) is needed but was not found: {reason}. "
        f"Provide it in one of three ways: (1) pass {argument}='/path/to/{spec.filename}'; "
        f"(2) set the environment variable {spec.env_var} to that file or to the folder "
        f"holding it; (3) put it in the cache folder as {target} (set SITREX_CACHE to move "
        f"that folder). It is published at {spec.url}"
    )


def resolve_model_file(
    spec: ModelFile,
    path: str | os.PathLike[str] | None = None,
    *,
    argument: str = "model_path",
    download: bool = True,
    timeout: float = 30.0,
) -> Path:
    """Find (or fetch) a model file: explicit path, env var, cache, then verified download.

    Parameters
    ----------
    spec : ModelFile
        Which file, e.g. ``MODEL_FILES["mediapipe", "lite"]``.
    path : str or os.PathLike, optional
        An explicit file (or a folder holding ``spec.filename``). It must exist.
    argument : str, default "model_path"
        The backend argument that takes a path, for messages.
    download : bool, default True
        Allow step 4. ``SITREX_OFFLINE=1`` also forbids it.
    timeout : float
        Network timeout in seconds.

    Returns
    -------
    pathlib.Path
        An existing file.

    Raises
    ------
    ModelNotAvailableError
        If a given path or environment variable points nowhere, or the file
        is not cached and cannot be downloaded.
    IntegrityError
        If a cached or downloaded file fails its pinned sha256.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "yolo11n-pose.pt").write_bytes(b"weights")
    >>> resolve_model_file(MODEL_FILES["yolo", "n"], folder).name
    'yolo11n-pose.pt'
    """
    return resolve_file(
        spec, path, cache_folder=cache_dir(),
        how_to_provide=lambda reason: _how_to_provide(spec, argument, reason),
        not_available=ModelNotAvailableError, corrupt=IntegrityError, argument=argument,
        download=download, timeout=timeout)


def _one_line(exc: BaseException, limit: int = 100) -> str:
    """The innermost cause of `exc` in one short line, e.g. for a library's long message."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0] if lines else ''}".strip().rstrip(":")
    return text if len(text) <= limit else text[:limit - 3].rstrip() + "..."


def unloadable_model_error(path: Path, spec: ModelFile, library: str,
                           exc: BaseException) -> IntegrityError:
    """The error for a model file that exists but that `library` cannot load.

    The message names the file, says to replace it, and keeps only one short
    line of the library's own report.

    Examples
    --------
    >>> error = unloadable_model_error(Path("yolo11n-pose.pt"), MODEL_FILES["yolo", "n"],
    ...                                "ultralytics", EOFError("Ran out of input"))
    >>> print(error)  # doctest: +NORMALIZE_WHITESPACE
    ultralytics cannot load the model file yolo11n-pose.pt (EOFError: Ran out of input): it is
    damaged or incomplete, or not a model this backend reads (it expects the Ultralytics
    YOLO11n-pose weights). Replace it with a good copy of yolo11n-pose.pt, published at
    https://github.com/ultralytics/assets/releases/download/v8.3.0/yolo11n-pose.pt
    """
    return IntegrityError(
        f"{library} cannot load the model file {path} ({_one_line(exc)}): it is damaged or "
        f"incomplete, or not a model this backend reads (it expects the {spec.description}). "
        f"Replace it with a good copy of {spec.filename}, published at {spec.url}"
    )
