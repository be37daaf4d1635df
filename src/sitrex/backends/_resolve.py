"""Finding model files: argument, environment variable, cache folder, verified download.

Both built-in backends resolve their model file the same way, first match wins:

1. an explicit path argument (``model_path=`` / ``weights=``);
2. an environment variable (``SITREX_MEDIAPIPE_MODEL``, ``SITREX_YOLO_WEIGHTS``),
   holding either the file itself or a folder that contains it under its
   official name;
3. the cache folder: ``$SITREX_CACHE/models`` if ``SITREX_CACHE`` is set, else
   ``$XDG_CACHE_HOME/sitrex/models`` (default ``~/.cache/sitrex/models``);
4. a download from the official location into the cache folder, written
   atomically and checked against the sha256 pinned in :data:`MODEL_FILES`.

Offline and uncached, the error names the file and the three ways to provide it.
``SITREX_OFFLINE=1`` (or ``download=False``) skips step 4.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

from sitrex.backends.base import BackendError, ModelNotAvailableError

__all__ = ["MODEL_FILES", "ModelFile", "cache_dir", "resolve_model_file", "sha256_of"]


@dataclass(frozen=True)
class ModelFile:
    """An official model file: its name, where it is published, and its sha256.

    Attributes
    ----------
    filename : str
    url : str
        Official download location.
    sha256 : str or None
        Pinned checksum of the official file; None when no checksum could be
        pinned (the download then warns that it is unverified).
    env_var : str
        Environment variable that may point at the file or its folder.
    description : str
        Human-readable name used in messages.

    Examples
    --------
    >>> MODEL_FILES["yolo", "n"].filename
    'yolo11n-pose.pt'
    """

    filename: str
    url: str
    sha256: str | None
    env_var: str
    description: str


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

_CHUNK = 1 << 20


def cache_dir() -> Path:
    """The folder where downloaded model files are kept (not created here).

    Examples
    --------
    >>> cache_dir().name
    'models'
    """
    root = os.environ.get("SITREX_CACHE")
    if root:
        return Path(root).expanduser() / "models"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "sitrex" / "models"


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(delete=False) as f:
    ...     _ = f.write(b"abc")
    >>> sha256_of(f.name)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _urlopen(url: str, timeout: float):
    """Open a URL (a seam for tests, which replace it so that nothing is downloaded)."""
    return urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 - fixed https URLs


def _offline() -> bool:
    return os.environ.get("SITREX_OFFLINE", "").strip().lower() in {"1", "true", "yes"}


def _how_to_provide(spec: ModelFile, argument: str, reason: str) -> str:
    target = cache_dir() / spec.filename
    return (
        f"the {spec.description} ({spec.filename}) is needed but was not found: {reason}. "
        f"Provide it in one of three ways: (1) pass {argument}='/path/to/{spec.filename}'; "
        f"(2) set the environment variable {spec.env_var} to that file or to the folder "
        f"holding it; (3) put it in the cache folder as {target} (set SITREX_CACHE to move "
        f"that folder). It is published at {spec.url}"
    )


def _download(spec: ModelFile, target: Path, timeout: float) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(prefix=f".{spec.filename}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, _urlopen(spec.url, timeout) as response:
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        got = digest.hexdigest()
        if spec.sha256 is not None and got != spec.sha256:
            raise BackendError(
                f"downloaded {spec.filename} from {spec.url} but its sha256 is {got}, not the "
                f"pinned {spec.sha256}; the file was discarded. Download it yourself and "
                f"check it, then pass its path or set {spec.env_var}"
            )
        if spec.sha256 is None:
            warnings.warn(
                f"downloaded {spec.filename} from its official location, but sitrex has no "
                f"pinned sha256 for it, so it is unverified (sha256 {got})",
                RuntimeWarning,
                stacklevel=4,
            )
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


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
    argument : str
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
    BackendError
        If a cached or downloaded file fails its pinned sha256.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "yolo11n-pose.pt").write_bytes(b"weights")
    >>> resolve_model_file(MODEL_FILES["yolo", "n"], folder).name
    'yolo11n-pose.pt'
    """
    for given, where in ((path, f"{argument}="), (os.environ.get(spec.env_var) or None,
                                                  f"${spec.env_var}")):
        if given is None:
            continue
        candidate = Path(given).expanduser()
        if candidate.is_dir():
            candidate = candidate / spec.filename
        if candidate.is_file():
            return candidate
        raise ModelNotAvailableError(
            f"{where} points to {str(candidate)!r}, which is not a file; fix it or unset it. "
            + _how_to_provide(spec, argument, "the given location does not hold it")
        )

    cached = cache_dir() / spec.filename
    if cached.is_file():
        if spec.sha256 is not None:
            got = sha256_of(cached)
            if got != spec.sha256:
                raise BackendError(
                    f"the cached {cached} has sha256 {got}, not the official {spec.sha256}; "
                    "delete it (it will be downloaded again) or pass your own file explicitly"
                )
        return cached

    if not download or _offline():
        raise ModelNotAvailableError(_how_to_provide(
            spec, argument, "downloads are switched off (download=False or SITREX_OFFLINE=1)"))
    try:
        return _download(spec, cached, timeout)
    except (urllib.error.URLError, OSError, TimeoutError, ValueError) as exc:
        raise ModelNotAvailableError(_how_to_provide(
            spec, argument, f"it is not cached and downloading it failed ({exc})")) from exc
