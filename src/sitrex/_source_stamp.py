"""A short hash of sitrex's own source files, to key caches of computed data.

A cache keyed by a version number, or by the code of the one function it
caches (joblib), keeps serving results computed by older code after a change
anywhere else (the angles, the conditioning, the recipe). Keying by every
``.py`` file of the package makes any change of code a new key; comments and
docstrings count too, which costs a recomputation and never a stale result.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__all__ = ["source_stamp"]


def source_stamp(package: str | Path | None = None) -> str:
    """12 hexadecimal digits hashing the names and bytes of every ``.py`` file of `package`.

    Parameters
    ----------
    package : str or pathlib.Path, optional
        A package folder (default: the installed sitrex, hashed once per
        process).

    Returns
    -------
    str

    Examples
    --------
    >>> stamp = source_stamp()
    >>> len(stamp), stamp == source_stamp()
    (12, True)
    """
    if package is None:
        return _installed_stamp()
    package = Path(package)
    digest = hashlib.sha256()
    for file in sorted(package.rglob("*.py")):
        digest.update(file.relative_to(package).as_posix().encode() + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def _installed_stamp() -> str:
    return source_stamp(Path(__file__).parent)
