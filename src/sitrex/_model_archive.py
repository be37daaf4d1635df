"""sitrex's ``.keras`` estimator files: the ``sitrex.json`` entry, read and written here only.

A file written by :meth:`sitrex.ExerciseComparator.save` is a Keras 3 model
archive (a zip) with one extra entry, ``sitrex.json``: the estimator's class,
parameters, fitted attributes, network names and ``metadata_``, tagged with
a format name and version. Both the estimators (saving, loading) and the
weights registry (:func:`sitrex.pretrained.register_weights`, which reads the
angle names and lengths of a file) go through this module, so the format has
one reader and one writer. It needs neither Keras nor scikit-learn.

Examples
--------
>>> import io, zipfile
>>> buffer = io.BytesIO()
>>> with zipfile.ZipFile(buffer, "w") as zf:
...     zf.writestr("config.json", "{}")            # stands in for a Keras archive
>>> data = add_metadata(buffer.getvalue(), {"class": "ExerciseComparator", "params": {}})
>>> with zipfile.ZipFile(io.BytesIO(data)) as zf:
...     sorted(zf.namelist())
['config.json', 'sitrex.json']
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

from sitrex.exceptions import MissingFileError, WeightsIntegrityError

__all__ = ["FORMAT", "FORMAT_VERSION", "METADATA_ENTRY", "add_metadata", "read_metadata"]

#: Format name written in every ``sitrex.json`` entry.
FORMAT = "sitrex-estimator"
#: Version of the format this sitrex writes and reads.
FORMAT_VERSION = 2
#: Name of the metadata entry inside the ``.keras`` zip archive.
METADATA_ENTRY = "sitrex.json"


def add_metadata(archive: bytes, metadata: dict[str, Any]) -> bytes:
    """A Keras archive (bytes) with the ``sitrex.json`` entry added.

    Parameters
    ----------
    archive : bytes
        A ``.keras`` file's content, as ``keras.Model.save`` writes it.
    metadata : dict
        JSON-serialisable; the format name and version are added to it.

    Returns
    -------
    bytes
    """
    entry = {"format": FORMAT, "format_version": FORMAT_VERSION, **metadata}
    buffer = io.BytesIO(archive)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(METADATA_ENTRY, json.dumps(entry, indent=1))
    return buffer.getvalue()


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``sitrex.json`` entry of a sitrex ``.keras`` file.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    dict
        ``{"format", "format_version", "class", "params", "fitted",
        "networks", "metadata"}``.

    Raises
    ------
    sitrex.exceptions.MissingFileError
        If there is no such file.
    sitrex.exceptions.WeightsIntegrityError
        If the file is not a sitrex estimator file of this format version
        (not a zip, no or unreadable ``sitrex.json``, another format).

    Examples
    --------
    >>> read_metadata("missing.keras")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sitrex.exceptions.MissingFileError: estimator file not found: ...missing.keras
    """
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"estimator file not found: {path.resolve()}")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise WeightsIntegrityError(
            f"{path} is not a sitrex estimator file (not a .keras zip archive); write one with "
            "ExerciseComparator.save, or download it again if it was published") from exc
    with archive:
        try:
            metadata = json.loads(archive.read(METADATA_ENTRY))
        except KeyError as exc:
            raise WeightsIntegrityError(
                f"{path} has no {METADATA_ENTRY} entry: it is not a sitrex estimator file (a "
                "plain Keras model opens with keras.saving.load_model)") from exc
        except (ValueError, zipfile.BadZipFile, OSError) as exc:
            raise WeightsIntegrityError(
                f"{path}: the {METADATA_ENTRY} entry cannot be read ({exc}); the file is "
                "damaged, write or download it again") from exc
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT \
            or metadata.get("format_version") != FORMAT_VERSION:
        found = metadata if not isinstance(metadata, dict) else \
            f"{metadata.get('format')!r} version {metadata.get('format_version')!r}"
        raise WeightsIntegrityError(
            f"{path}: unsupported format {found}; this sitrex reads {FORMAT!r} version "
            f"{FORMAT_VERSION}")
    return metadata
