"""Import machinery in one place: optional dependencies and lazily exported names.

* :func:`import_optional` imports a package that only some features need
  (OpenCV, matplotlib, MediaPipe, ...) or raises
  :class:`~sitrex.exceptions.MissingDependencyError` naming the pip extra.
* :func:`lazy_exports` gives a package ``__getattr__`` and ``__dir__``
  functions that import a public name's module on first access, so that
  ``import sitrex`` stays cheap (numpy only) while ``sitrex.compare`` works.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any

from sitrex.exceptions import MissingDependencyError

__all__ = ["import_optional", "lazy_exports"]


def import_optional(module: str, purpose: str, extra: str) -> ModuleType:
    """Import `module`, or raise an error saying what needs it and how to install it.

    Examples
    --------
    >>> import_optional("math", "arithmetic", "all").__name__
    'math'
    >>> import_optional("no_such_module_xyz", "reading videos", "video")
    Traceback (most recent call last):
    ...
    sitrex.exceptions.MissingDependencyError: reading videos needs no_such_module_xyz; install it with: pip install "sitrex[video]" (No module named 'no_such_module_xyz')
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{purpose} needs {module}; install it with: pip install \"sitrex[{extra}]\" "
            f"({exc})") from exc


def lazy_exports(package: str, names: Mapping[str, str], submodules: Iterable[str] = (),
                 namespace: dict[str, Any] | None = None
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` for a package with lazily imported names.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    names : mapping
        Public name -> module that defines it (absolute, or relative to
        `package` when it starts with a dot).
    submodules : iterable of str
        Submodules reachable as attributes (``sitrex.plots``), imported on
        first access.
    namespace : dict, optional
        The package's ``globals()``; a name, once imported, is cached there
        so that later accesses cost nothing.

    Examples
    --------
    >>> getattr_, dir_, all_ = lazy_exports("json", {"dumps": "json"}, ["decoder"])
    >>> getattr_("dumps")([1])
    '[1]'
    >>> getattr_("decoder").__name__, "dumps" in dir_()
    ('json.decoder', True)
    """
    table = dict(names)
    subs = set(submodules)
    public = sorted({*table, *subs})

    def __getattr__(name: str) -> Any:
        if name in table:
            target = table[name]
            module = importlib.import_module(target, package if target.startswith(".") else None)
            value = getattr(module, name)
        elif name in subs:
            value = importlib.import_module(f"{package}.{name}")
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        if namespace is not None:
            namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(public) | set(namespace or ()))

    return __getattr__, __dir__, public
