"""Finding files: published model files (argument, environment variable, cache, verified
download) and the user's data home.

Pose-model files (:mod:`sitrex.backends`) and pretrained weights
(:mod:`sitrex.pretrained`) are resolved the same way, first match wins:

1. an explicit path argument;
2. an environment variable holding either the file itself or a folder that
   contains it under its official name;
3. the cache folder (see :func:`cache_root`);
4. a download from the official location into the cache folder, written
   atomically and checked against a pinned sha256.

``SITREX_OFFLINE=1`` (or ``download=False``) skips step 4. Nothing here
downloads unless step 4 is reached. Step 4 holds a lock file beside the cached
file (``.<name>.lock``), so that processes sharing a cache folder (parallel
workers, a Dask cluster's workers on one machine) download a file once: the
others wait, then find it cached.

Data sets are never downloaded: :func:`find_data_file` looks for them in the
path given, else in the data home (:func:`get_data_home`: ``$SITREX_DATA``, else
``~/sitrex_data``), like scikit-learn's ``get_data_home``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sitrex.exceptions import InputError, IntegrityError, MissingFileError

__all__ = ["RemoteFile", "cache_root", "get_data_home", "find_data_file", "read_data_archive",
           "resolve_file", "sha256_of"]

_CHUNK = 1 << 20


@dataclass(frozen=True)
class RemoteFile:
    """A published file: its name, where it is published, and its sha256.

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
    >>> spec = RemoteFile("a.bin", "https://example.org/a.bin", None, "MY_VAR", "the A file")
    >>> spec.filename
    'a.bin'
    """

    filename: str
    url: str
    sha256: str | None
    env_var: str
    description: str


def cache_root() -> Path:
    """sitrex's cache folder (not created here).

    ``$SITREX_CACHE`` if set, else ``$XDG_CACHE_HOME/sitrex`` (default
    ``~/.cache/sitrex``). Pose models go to its ``models`` subfolder and
    pretrained weights to ``weights/<name>``.

    Examples
    --------
    >>> isinstance(cache_root(), Path)
    True
    """
    root = os.environ.get("SITREX_CACHE")
    if root:
        return Path(root).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "sitrex"


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


def offline() -> bool:
    """True when ``SITREX_OFFLINE`` forbids downloads."""
    return os.environ.get("SITREX_OFFLINE", "").strip().lower() in {"1", "true", "yes"}


def _lock_descriptor(fd: int) -> None:
    """Block until this process holds the exclusive lock of the open file `fd`."""
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)   # retries for about 10 s, then raises
                return
            except OSError:
                continue
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX)


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path` (created, and removed on exit) across processes.

    Works between threads too (each takes its own open file). A waiter that
    gets the lock of a file the holder has just removed tries again with the
    new file, so two holders never overlap.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> lock = pathlib.Path(tempfile.mkdtemp()) / ".a.lock"
    >>> with _exclusive(lock):
    ...     lock.exists()
    True
    >>> lock.exists()
    False
    """
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            _lock_descriptor(fd)
            try:
                current = os.stat(lock_path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
        except BaseException:
            os.close(fd)
            raise
        if current:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_path)
        os.close(fd)                           # releases the lock


def _download(spec: RemoteFile, target: Path, timeout: float,
              corrupt: type[Exception]) -> Path:
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
            raise corrupt(
                f"downloaded {spec.filename} from {spec.url} but its sha256 is {got}, not the "
                f"pinned {spec.sha256}; the file was discarded. Download it yourself and "
                f"check it, then pass its path or set {spec.env_var}"
            )
        if spec.sha256 is None:
            warnings.warn(
                f"downloaded {spec.filename} from its official location, but sitrex has no "
                f"pinned sha256 for it, so it is unverified (sha256 {got})",
                RuntimeWarning,
                stacklevel=5,
            )
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def resolve_file(
    spec: RemoteFile,
    path: str | os.PathLike[str] | None,
    *,
    cache_folder: Path,
    how_to_provide: Callable[[str], str],
    not_available: type[Exception] = MissingFileError,
    corrupt: type[Exception] = IntegrityError,
    argument: str = "path",
    download: bool = True,
    timeout: float = 30.0,
) -> Path:
    """Find (or fetch) one published file: explicit path, env var, cache, then verified download.

    Parameters
    ----------
    spec : RemoteFile
        Which file.
    path : str or os.PathLike or None
        An explicit file, or a folder holding ``spec.filename``. It must exist.
    cache_folder : pathlib.Path
        Where the file is cached (and downloaded to).
    how_to_provide : callable
        ``how_to_provide(reason) -> str``: the message of `not_available`
        errors, naming the file(s) and the ways to provide them.
    not_available, corrupt : exception classes
        Raised when the file cannot be found or fetched, and when a cached or
        downloaded file fails its pinned sha256.
    argument : str
        The name of the caller's path argument, for messages.
    download : bool, default True
        Allow step 4. ``SITREX_OFFLINE=1`` also forbids it.
    timeout : float
        Network timeout in seconds.

    Returns
    -------
    pathlib.Path
        An existing file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.bin").write_bytes(b"data")
    >>> spec = RemoteFile("a.bin", "https://example.org/a.bin", None, "MY_VAR", "the A file")
    >>> resolve_file(spec, folder, cache_folder=folder / "cache",
    ...              how_to_provide=lambda reason: reason).name
    'a.bin'
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
        raise not_available(
            f"{where} points to {str(candidate)!r}, which is not a file; fix it or unset it. "
            + how_to_provide("the given location does not hold it")
        )

    cached = cache_folder / spec.filename
    if cached.is_file():
        if spec.sha256 is not None:
            got = sha256_of(cached)
            if got != spec.sha256:
                raise corrupt(
                    f"the cached {cached} has sha256 {got}, not the official {spec.sha256}; "
                    "delete it (it will be downloaded again) or pass your own file explicitly"
                )
        return cached

    if not download or offline():
        raise not_available(how_to_provide(
            "downloads are switched off (download=False or SITREX_OFFLINE=1)"))
    try:
        cache_folder.mkdir(parents=True, exist_ok=True)
        with _exclusive(cache_folder / f".{spec.filename}.lock"):
            if cached.is_file():   # fetched (and verified) by another process while this one waited
                return cached
            return _download(spec, cached, timeout, corrupt)
    except (urllib.error.URLError, OSError, TimeoutError, ValueError) as exc:
        if isinstance(exc, corrupt):
            raise
        raise not_available(how_to_provide(
            f"it is not cached and downloading it failed ({exc})")) from exc


DATA_ENV_VAR = "SITREX_DATA"


def get_data_home() -> Path:
    """The folder where sitrex's data-set loaders look for their files (not created here).

    ``$SITREX_DATA`` if set, else ``~/sitrex_data``. sitrex never downloads
    data sets; put the files there (or pass ``path=`` to a loader).

    Examples
    --------
    >>> import os
    >>> os.environ["SITREX_DATA"] = "/data/exercise"
    >>> str(get_data_home())
    '/data/exercise'
    >>> del os.environ["SITREX_DATA"]
    >>> get_data_home().name
    'sitrex_data'
    """
    value = os.environ.get(DATA_ENV_VAR, "").strip()
    return Path(value).expanduser() if value else Path.home() / "sitrex_data"


def find_data_file(path: str | os.PathLike[str] | None, filename: str, who: str) -> Path:
    """The data file to read: `path` itself, ``path / filename``, or the data home's.

    Raises
    ------
    sitrex.exceptions.MissingFileError
        Saying where it looked and how to point sitrex at the file.

    Examples
    --------
    >>> find_data_file("/no/such/folder", "pushfit.npz", "load_pushfit")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sitrex.exceptions.MissingFileError: load_pushfit: no pushfit.npz at '/no/such/folder' (looked in the path given)...
    """
    if path is None:
        candidate = get_data_home() / filename
        origin = (f"${DATA_ENV_VAR}" if os.environ.get(DATA_ENV_VAR, "").strip()
                  else "the data home ~/sitrex_data")
    else:
        candidate = Path(path).expanduser()
        if candidate.is_dir():
            candidate = candidate / filename
        origin = "the path given"
    if not candidate.is_file():
        raise MissingFileError(
            f"{who}: no {filename} at {str(candidate)!r} (looked in {origin}). sitrex never "
            f"downloads data: pass path= (the {filename} file or its folder) or set "
            f"${DATA_ENV_VAR} to the folder that holds it"
        )
    return candidate


def read_data_archive(path: str | os.PathLike[str] | None, filename: str, who: str,
                      keys: tuple[str, ...]) -> tuple[Path, dict]:
    """Find a data set's ``.npz`` archive (:func:`find_data_file`) and read its arrays `keys`.

    Returns
    -------
    file : pathlib.Path
    arrays : dict
        Name to array, for each of `keys`.

    Raises
    ------
    sitrex.exceptions.MissingFileError
        As :func:`find_data_file`.
    sitrex.exceptions.InputError
        The file is not a ``.npz`` archive, holds Python objects, or lacks
        some of `keys` (another data set's archive): the message names the
        file and the archive expected.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> other = pathlib.Path(tempfile.mkdtemp()) / "other.npz"
    >>> np.savez(other, xy=np.zeros(2))
    >>> read_data_archive(other, "pushfit.npz", "load_pushfit", ("landmarks", "label"))
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: load_pushfit: '.../other.npz' is not the pushfit.npz archive: it lacks the arrays 'landmarks', 'label' (it holds 'xy'); pass path= the pushfit.npz file or its folder
    """
    import numpy as np

    file = find_data_file(path, filename, who)
    expected = f"pass path= the {filename} file or its folder"
    if not zipfile.is_zipfile(file):
        raise InputError(f"{who}: {str(file)!r} is not the {filename} archive (not a .npz file "
                         f"at all); {expected}")
    try:
        with np.load(file, allow_pickle=False) as z:
            missing = [key for key in keys if key not in z.files]
            if missing:
                raise InputError(
                    f"{who}: {str(file)!r} is not the {filename} archive: it lacks the arrays "
                    f"{', '.join(map(repr, missing))} (it holds "
                    f"{', '.join(map(repr, sorted(z.files)[:12]))}); {expected}")
            return file, {key: z[key] for key in keys}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{who}: {str(file)!r} cannot be read as the {filename} archive "
                         f"({exc}); {expected}") from None
