"""Where the real data files are looked for (private).

sitrex never downloads data. A loader's ``path`` may be the ``.npz`` file
itself or the folder holding it. Without a path, the folder is
``$SITREX_DATA`` when that variable is set, otherwise ``../shared/data``
resolved against the *current working directory*.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_data_dir", "resolve_data_file"]

ENV_VAR = "SITREX_DATA"


def default_data_dir() -> Path:
    """``$SITREX_DATA``, else ``../shared/data`` relative to the working directory.

    Examples
    --------
    >>> isinstance(default_data_dir(), Path)
    True
    """
    value = os.environ.get(ENV_VAR, "").strip()
    if value:
        return Path(value).expanduser()
    return (Path.cwd() / ".." / "shared" / "data").resolve()


def resolve_data_file(path: str | os.PathLike[str] | None, filename: str, who: str) -> Path:
    """The data file to read: `path` itself, ``path / filename``, or the default folder's.

    Raises
    ------
    FileNotFoundError
        Saying where it looked and how to point sitrex at the file.
    """
    if path is None:
        candidate = default_data_dir() / filename
        origin = (f"${ENV_VAR}" if os.environ.get(ENV_VAR, "").strip()
                  else "../shared/data relative to the working directory")
    else:
        candidate = Path(path).expanduser()
        if candidate.is_dir():
            candidate = candidate / filename
        origin = "the path given"
    if not candidate.is_file():
        raise FileNotFoundError(
            f"{who}: no {filename} at {str(candidate)!r} (looked in {origin}). sitrex never "
            f"downloads data: pass path= (the {filename} file or its folder) or set "
            f"${ENV_VAR} to the folder that holds it"
        )
    return candidate
