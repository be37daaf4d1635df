"""Backend discovery through the ``sitrex.backends`` entry-point group.

Built-in and third-party backends are found the same way: every installed
distribution may declare, in its packaging metadata::

    [project.entry-points."sitrex.backends"]
    mybackend = "mypackage.pose:MyBackend"

where ``MyBackend`` subclasses :class:`~sitrex.backends.PoseBackend`. The
entry points are read once and cached (:func:`refresh_backends` clears the
cache). A backend class is imported only when it is listed or asked for, and
importing it must stay cheap: the heavy libraries load when the backend is
*instantiated*. A plugin that fails to import, whose object is not a
``PoseBackend``, or that does not implement
:meth:`~sitrex.backends.PoseBackend.detect_image`, gives a
:class:`RuntimeWarning` and is left out; it never breaks the others.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from sitrex.backends.base import BackendNotFoundError, PoseBackend

__all__ = ["BackendStatus", "ENTRY_POINT_GROUP", "get_backend", "list_backends", "refresh_backends"]

#: The entry-point group backends register under.
ENTRY_POINT_GROUP = "sitrex.backends"

#: Built-in backends and the pip extra that installs their dependencies, so an
#: error can say how to get one even if its entry point is missing.
BUILTIN_EXTRAS: dict[str, str] = {"mediapipe": "mediapipe", "yolo": "yolo"}


@dataclass(frozen=True)
class BackendStatus:
    """Whether a registered backend can be used, and if not, why.

    Attributes
    ----------
    name : str
    entry_point : str
        ``"module:Class"`` it is registered as.
    available : bool
        Importable and its dependencies installed.
    reason : str
        Empty when available; otherwise what is wrong and how to fix it.

    Examples
    --------
    >>> BackendStatus("x", "pkg.mod:X", False, "needs foo").available
    False
    """

    name: str
    entry_point: str
    available: bool
    reason: str = ""


@functools.lru_cache(maxsize=1)
def _entry_points() -> dict[str, EntryPoint]:
    """name -> entry point of the group, read once. Duplicates: the first wins, with a warning."""
    found: dict[str, EntryPoint] = {}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        name = ep.name.lower()
        if name in found:
            if found[name].value != ep.value:
                warnings.warn(
                    f"two '{ENTRY_POINT_GROUP}' entry points are named {name!r}: "
                    f"{found[name].value} and {ep.value}; using {found[name].value}",
                    RuntimeWarning,
                    stacklevel=3,
                )
            continue
        found[name] = ep
    return found


@functools.lru_cache(maxsize=None)
def _load(name: str) -> tuple[type[PoseBackend] | None, str]:
    """Import one entry point's class: (class, "") or (None, why it failed). Warns once."""
    ep = _entry_points()[name]
    try:
        obj = ep.load()
    except Exception as exc:  # a broken plugin must not break sitrex
        reason = f"failed to load {ep.value}: {type(exc).__name__}: {exc}"
        warnings.warn(f"sitrex pose backend {name!r} {reason}", RuntimeWarning, stacklevel=4)
        return None, reason
    if not (isinstance(obj, type) and issubclass(obj, PoseBackend)):
        reason = f"{ep.value} is not a subclass of sitrex.backends.PoseBackend"
    elif inspect.isabstract(obj):
        hooks = ", ".join(f"{hook}()" for hook in sorted(obj.__abstractmethods__))
        reason = f"{ep.value} does not implement {hooks} (see sitrex.backends.PoseBackend)"
    else:
        return obj, ""
    warnings.warn(f"sitrex pose backend {name!r}: {reason}", RuntimeWarning, stacklevel=4)
    return None, reason


def refresh_backends() -> None:
    """Forget the cached entry points, e.g. after installing a plugin in a running session.

    Examples
    --------
    >>> refresh_backends()
    """
    _load.cache_clear()
    _entry_points.cache_clear()


def _status(name: str) -> BackendStatus:
    ep = _entry_points()[name]
    cls, reason = _load(name)
    if cls is None:
        return BackendStatus(name, ep.value, False, reason)
    missing = cls.missing_requirements()
    if missing:
        return BackendStatus(
            name, ep.value, False, f"needs {', '.join(missing)}: {cls.install_hint()}"
        )
    return BackendStatus(name, ep.value, True)


def list_backends(*, all: bool = False) -> dict[str, BackendStatus]:  # noqa: A002
    """The pose backends that are installed and usable.

    Parameters
    ----------
    all : bool, default False
        Also list registered backends that cannot be used (missing
        dependency, plugin that failed to import), with the reason.

    Returns
    -------
    dict of str to BackendStatus
        Sorted by name. Nothing heavy is imported: dependencies are checked
        with :func:`importlib.util.find_spec`.

    Warns
    -----
    RuntimeWarning
        For a plugin that fails to import (once per session).

    Examples
    --------
    >>> {"mediapipe", "yolo"} <= set(list_backends(all=True))
    True
    >>> status = list_backends(all=True)["yolo"]
    >>> status.entry_point
    'sitrex.backends.yolo:YoloBackend'
    """
    out = {}
    for name in _entry_points():
        status = _status(name)
        if status.available or all:
            out[name] = status
    return out


def _not_found(name: str, why: str) -> BackendNotFoundError:
    statuses = list_backends(all=True)
    usable = [n for n, s in statuses.items() if s.available]
    lines = [f"no usable pose backend {name!r}: {why}.",
             f"Installed and usable: {usable or 'none'}."]
    unusable = [f"{n} ({s.reason})" for n, s in statuses.items() if not s.available]
    if unusable:
        lines.append("Registered but not usable: " + "; ".join(unusable) + ".")
    hints = [f'pip install "sitrex[{extra}]" adds {n!r}'
             for n, extra in BUILTIN_EXTRAS.items() if n not in usable]
    lines.append(
        ("To add more: " + "; ".join(hints) + ". " if hints else "")
        + f"Third-party backends register under the entry-point group '{ENTRY_POINT_GROUP}'."
    )
    return BackendNotFoundError(" ".join(lines))


def get_backend(name: str | type[PoseBackend] | PoseBackend, **options: Any) -> PoseBackend:
    """Create a pose backend by name, with its options.

    Parameters
    ----------
    name : str, PoseBackend subclass or instance
        A registered name (see :func:`list_backends`), e.g. ``"mediapipe"``
        or ``"yolo"``; a class is instantiated; an instance is returned as is
        (then `options` must be empty).
    **options
        Constructor arguments of the backend, e.g. ``model="lite"``,
        ``person="central"``.

    Returns
    -------
    PoseBackend

    Raises
    ------
    BackendNotFoundError
        If no usable backend has that name; the message lists the installed
        ones and the pip extras that add the built-in ones.

    Examples
    --------
    >>> get_backend("openpose")
    Traceback (most recent call last):
    ...
    sitrex.exceptions.BackendNotFoundError: no usable pose backend 'openpose': ...

    With MediaPipe installed and a model file at hand::

        backend = get_backend("mediapipe", model="lite", model_path="pose_landmarker_lite.task")
        skeleton = backend.estimate_video("squat.mp4")
    """
    if isinstance(name, PoseBackend):
        if options:
            raise TypeError("options can only be given with a backend name or class, "
                            "not with a backend instance")
        return name
    if isinstance(name, type) and issubclass(name, PoseBackend):
        return name(**options)
    if not isinstance(name, str):
        raise TypeError(f"backend must be a name, a PoseBackend class or instance, got {name!r}")
    key = name.strip().lower()
    if key not in _entry_points():
        raise _not_found(name, "nothing is registered under that name")
    status = _status(key)
    if not status.available:
        raise _not_found(name, status.reason)
    cls, _ = _load(key)
    return cls(**options)
