"""Importing an optional dependency, with an error that names the pip extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["import_optional"]


def import_optional(module: str, purpose: str, extra: str) -> ModuleType:
    """Import `module`, or raise an ImportError saying what needs it and how to install it.

    Examples
    --------
    >>> import_optional("math", "arithmetic", "all").__name__
    'math'
    >>> import_optional("no_such_module_xyz", "reading videos", "video")
    Traceback (most recent call last):
    ...
    ImportError: reading videos needs no_such_module_xyz; install it with: pip install "sitrex[video]" (No module named 'no_such_module_xyz')
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{purpose} needs {module}; install it with: pip install "
                          f"\"sitrex[{extra}]\" ({exc})") from exc
