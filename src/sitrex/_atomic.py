"""Atomic file writes: a file is either fully written or left untouched.

Every file sitrex writes goes through :func:`atomic_path` (or
:func:`atomic_write`, which opens the file for you). The data are written to a
temporary file in the destination's directory, flushed to disk, and only then
renamed over the destination with :func:`os.replace` (atomic on POSIX and
Windows when both paths are on one file system). If anything raises while
writing (including ``KeyboardInterrupt``), the temporary file is removed and
the destination keeps its previous content, or stays absent.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sitrex.exceptions import InputError, OutputError, SitrexError

__all__ = ["atomic_path", "atomic_write", "check_writable", "input_overwritten", "output_folder",
           "remove_leftovers"]


def _current_umask() -> int:
    # os.umask can only be read by setting it; do it once, at import time,
    # rather than on every write (setting it is not thread-safe).
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def _prefix(path: Path) -> str:
    """How the temporary files of `path` start (``.<name>.``): hidden, and named after it."""
    return f".{path.name}."


def remove_leftovers(path: str | os.PathLike[str], *, suffix: str = ".tmp") -> None:
    """Remove the temporary files :func:`atomic_path` left beside `path`.

    Only a process killed inside the ``with`` block (no chance to clean up)
    leaves one; call this once no writer of `path` can still be running.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "ann.json"
    >>> _ = (target.parent / ".ann.json.k1ll3d.tmp").write_text("{half")
    >>> remove_leftovers(target)
    >>> list(target.parent.iterdir())
    []
    """
    path = Path(path)
    for leftover in path.parent.glob(f"{glob.escape(_prefix(path))}*{glob.escape(suffix)}"):
        with contextlib.suppress(OSError):
            leftover.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary path beside `path` that replaces `path` only if the block succeeds.

    For writers that open files by name (OpenCV's video writer, a library's
    ``save(filename)``). Create the file at the yielded path inside the
    ``with`` block and close it there; on success it is flushed to disk and
    renamed over `path`, on any exception it is removed.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file. Its directory must exist.
    suffix : str, default ".tmp"
        Ending of the temporary file's name: give the destination's suffix
        to a writer that picks the format from it (``".mp4"``).

    Yields
    ------
    pathlib.Path
        An empty file in the destination's directory, named
        ``.<name>.<random><suffix>``.

    Raises
    ------
    sitrex.exceptions.OutputError
        If the destination's folder does not exist, `path` is a folder, or
        the file cannot be created, written or renamed (permissions, disk
        full); the message names `path`, never the temporary file.

    Notes
    -----
    The new file gets the permissions of the file it replaces, or the usual
    ``0o666`` minus the process umask (read at import) for a new file, not the
    ``0o600`` of :func:`tempfile.mkstemp`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "hello.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("hi")
    >>> target.read_text()
    'hi'
    >>> try:
    ...     with atomic_path(target) as tmp:
    ...         _ = tmp.write_text("half-written")
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     pass
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('hi', ['hello.txt'])
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: the folder {str(directory)!r} does not "
                          "exist; create it first or choose another path")
    if path.is_dir():
        raise OutputError(f"cannot write {str(path)!r}: it is a folder; give a file name")
    try:
        target_mode = path.stat().st_mode & 0o7777
    except OSError:
        target_mode = 0o666 & ~_UMASK
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=_prefix(path), suffix=suffix, dir=directory)
    except OSError as exc:
        raise _output_error(path, exc) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        try:
            _fsync_file(tmp)
            os.chmod(tmp, target_mode)
            os.replace(tmp, path)
        except OSError as exc:
            raise _output_error(path, exc) from exc
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, SitrexError):
            raise _output_error(path, exc) from exc    # e.g. the disk filled up while writing
        raise
    _fsync_directory(directory)


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: str = "wb", *, encoding: str | None = None
) -> Iterator[IO]:
    """Open a temporary file that replaces `path` only if the block succeeds.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file. Its directory must exist.
    mode : {"wb", "w"}
        Binary (default) or text mode.
    encoding : str, optional
        Text encoding for ``mode="w"``; defaults to UTF-8. Must be None in
        binary mode.

    Yields
    ------
    file object
        Write to it inside the ``with`` block. Do not close it yourself.

    Raises
    ------
    sitrex.exceptions.InputError
        If `mode` is not ``"wb"`` or ``"w"``.
    sitrex.exceptions.OutputError
        If the file cannot be written (see :func:`atomic_path`).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "hello.txt"
    >>> with atomic_write(target, "w") as f:
    ...     _ = f.write("hi")
    >>> target.read_text()
    'hi'
    >>> try:
    ...     with atomic_write(target, "w") as f:
    ...         _ = f.write("half-written")
    ...         raise RuntimeError("boom")
    ... except RuntimeError:
    ...     pass
    >>> target.read_text()
    'hi'
    >>> sorted(p.name for p in target.parent.iterdir())
    ['hello.txt']
    """
    if mode not in ("wb", "w"):
        raise InputError(
            f"atomic_write supports mode 'wb' (binary) or 'w' (text), got {mode!r}; "
            "open the file in one of those modes."
        )
    if mode == "wb" and encoding is not None:
        raise InputError("encoding is only meaningful with mode='w'; drop it for 'wb'.")
    kwargs = {} if mode == "wb" else {"encoding": encoding or "utf-8", "newline": ""}
    with atomic_path(path) as tmp, open(tmp, mode, **kwargs) as f:
        yield f


def input_overwritten(outputs: dict[str, Any], inputs: dict[str, Any]) -> tuple[str, str] | None:
    """The first ``(output, input)`` labels whose paths are one file, else None.

    `outputs` and `inputs` map a label to a path (None or a non-path: not a file). A caller
    refuses the work before it starts, in its own words.

    Examples
    --------
    >>> input_overwritten({"report": "a/b.json"}, {"athlete": "a/./b.json", "coach": None})
    ('report', 'athlete')
    >>> input_overwritten({"report": "c.json"}, {"athlete": "b.json"}) is None
    True
    """
    files = {Path(v).resolve(): label for label, v in inputs.items()
             if isinstance(v, (str, os.PathLike))}
    for label, value in outputs.items():
        if isinstance(value, (str, os.PathLike)) and Path(value).resolve() in files:
            return label, files[Path(value).resolve()]
    return None


def check_writable(folder: Path, what: str) -> None:
    """An OutputError unless a file can be created in `folder` (`what`: for the message)."""
    try:
        fd, probe = tempfile.mkstemp(prefix=".sitrex-write-check.", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {what} into {str(folder)!r}: "
                          f"{exc.strerror or exc}; choose another folder") from exc
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def output_folder(path: str | os.PathLike[str], name: str, *, writable: bool = False) -> Path:
    """The output folder `path`, created if missing (with its parents).

    `name` is how the user gave it (an option or a parameter), for the messages.
    With `writable`, a file is created and removed in it first, so that a run
    fails before its work rather than after it.

    Raises
    ------
    OutputError
        If `path` is a file, or the folder cannot be created (or written).

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp())
    >>> output_folder(base / "a" / "b", "output_dir").is_dir()
    True
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{name} {str(folder)!r} is a file; give a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {str(folder)!r} ({name}): "
                          f"{exc.strerror or exc}") from exc
    if writable:
        check_writable(folder, name)
    return folder


def _output_error(path: Path, exc: OSError) -> OutputError:
    """An OutputError about the user's `path`, with the system's reason (not the temporary name)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    hint = {errno.EACCES: "; check the folder's permissions or choose another folder",
            errno.EPERM: "; check the folder's permissions or choose another folder",
            errno.EROFS: "; the file system is read-only: choose another folder",
            errno.ENOSPC: "; free some disk space or choose another disk",
            errno.EISDIR: "; a folder of that name is in the way: choose another name"}
    error = OutputError(f"cannot write {str(path)!r}: {reason}{hint.get(exc.errno, '')}")
    error.errno = exc.errno
    return error


def _fsync_file(path: Path) -> None:
    """Best effort: the file's data on disk before the rename makes it visible."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDWR)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_directory(directory: Path) -> None:
    """Best effort: persist the rename itself (POSIX only)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
