"""Every error sitrex raises on purpose, in one small hierarchy.

All of them derive from :class:`SitrexError`, so ``except sitrex.SitrexError``
catches whatever sitrex reports, and each also derives from the built-in
exception a Python user would expect (``ValueError`` for bad input,
``FileNotFoundError`` for a missing file, ``ImportError`` for a missing
package, ``OSError`` for a file that cannot be written), so code written
against the built-in classes keeps working.

::

    SitrexError
    ├── InputError (ValueError)                 bad data, a bad option, an unreadable file
    │   ├── SkeletonFileError                   a landmark file that cannot be read
    │   ├── VideoError                          a video that cannot be read
    │   └── IntegrityError                      a model / weights file that fails its checksum
    │       │                                   or cannot be loaded
    │       └── WeightsIntegrityError
    ├── MissingFileError (FileNotFoundError)    an input file that does not exist
    │   └── ModelFilesNotFoundError             pose-model or weight files not found and not
    │       ├── ModelNotAvailableError          downloadable (offline, no cache)
    │       └── WeightsNotAvailableError
    ├── MissingDependencyError (ImportError)    an optional package is not installed
    ├── BackendError (RuntimeError)             a pose backend cannot be loaded or run
    │   └── BackendNotFoundError (LookupError)  no backend of that name is installed
    └── OutputError (OSError)                   an output file cannot be written

The command line maps these classes to its exit statuses (see
:data:`sitrex.cli.EXIT_CODES` and ``docs/cli.rst``).

Examples
--------
>>> from sitrex.exceptions import InputError, SitrexError
>>> issubclass(InputError, ValueError), issubclass(InputError, SitrexError)
(True, True)
>>> try:
...     raise InputError("angles look like radians")
... except ValueError as exc:
...     print(exc)
angles look like radians
"""

from __future__ import annotations

__all__ = [
    "BackendError",
    "BackendNotFoundError",
    "InputError",
    "IntegrityError",
    "MissingDependencyError",
    "MissingFileError",
    "ModelFilesNotFoundError",
    "ModelNotAvailableError",
    "OutputError",
    "SitrexError",
    "SkeletonFileError",
    "VideoError",
    "WeightsIntegrityError",
    "WeightsNotAvailableError",
]


class SitrexError(Exception):
    """Base class of every error sitrex raises on purpose."""


class InputError(SitrexError, ValueError):
    """Bad input: data of the wrong shape, range or type, a bad option, an unreadable file.

    The message names the problem and the fix.
    """


class SkeletonFileError(InputError):
    """A landmark file (``.npz`` or SiTrEx ``.json``) is malformed; the message names the file."""


class VideoError(InputError):
    """A video cannot be opened or decoded, or holds no usable frame."""


class IntegrityError(InputError):
    """A model or weights file fails its pinned sha256, or is damaged and cannot be loaded.

    The message names the file and says how to get a good copy.
    """


class WeightsIntegrityError(IntegrityError):
    """A pretrained weight file fails its pinned sha256 or cannot be read as weights."""


class MissingFileError(SitrexError, FileNotFoundError):
    """A file that was named does not exist."""


class ModelFilesNotFoundError(MissingFileError):
    """Model files are needed but not found, and could not be downloaded.

    The message names the files and the ways to provide them (an argument,
    an environment variable, the cache folder).
    """


class ModelNotAvailableError(ModelFilesNotFoundError):
    """A pose-model file (MediaPipe ``.task``, YOLO ``.pt``) is not found and not downloadable."""


class WeightsNotAvailableError(ModelFilesNotFoundError):
    """Pretrained weight files are not found and could not be downloaded."""


class MissingDependencyError(SitrexError, ImportError):
    """An optional package is needed; the message names the pip extra that installs it."""


class BackendError(SitrexError, RuntimeError):
    """A pose backend cannot be loaded, configured or run."""


class BackendNotFoundError(BackendError, LookupError):
    """No usable backend of that name; the message lists what is installed and how to add more."""


class OutputError(SitrexError, OSError):
    """An output file cannot be written (permission, missing folder, a folder in the way, disk full).

    The message names the user's path, never a temporary file.
    """
