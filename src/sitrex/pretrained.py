"""Named pretrained weights: the default comparator, the paper's published models, and your own.

A registry maps a name to weight files and everything needed to use them (angle
kind and order, sequence lengths, licence, what they were trained on).
:meth:`sitrex.ExerciseComparator.from_pretrained` turns a name into a ready
comparator (of the class the weights were saved from), and with no name uses
:data:`DEFAULT_WEIGHTS`.

``sitrex-default``
    A :class:`sitrex.RepetitionComparator`, shipped inside the package (no
    download; its sha256 is pinned and checked on every load). It was built
    by ``scripts/build_default_comparator.py`` from public data sets; the
    weights hold no data. See the model card in the documentation for its
    recipe, training data and their terms, and its measured quality.

``sitrex-paper``
    The two files released with the SiTrEx paper (Sellam et al., Neurocomputing
    658, 2025, doi:10.1016/j.neucom.2025.131703) in github.com/asellam/sitrex,
    MIT licence, pinned by commit and sha256. They take the 23 **unsigned**
    angles in alphabetical name order (:data:`sitrex.ANGLE_NAMES`), in raw
    degrees, through the paper's architecture
    (:data:`sitrex.models.PAPER_CONFIG`), padded to 800 frames (usefulness)
    and 300 (similarity).

    The paper's positional table was a random constant, drawn when the model
    was built and never saved, so the trained models cannot be recovered
    exactly. sitrex uses a fixed table, :func:`paper_positional_table`
    (uniform in [-0.05, 0.05] like the paper's, from a documented seed).
    Measured with ``python benchmarks/pretrained_table.py`` on the reference
    inputs of the paper's own code, against the stored tables that reproduce
    its recorded outputs: the fixed table moves the usefulness probabilities
    by at most 0.10 (mean 0.002) and the similarity probabilities by at most
    0.027 (mean 0.003); a second random table drawn by the paper's code
    moves them by 0.056 and 0.045, a zero table by 0.13 and 0.30. The table
    is a small but real source of uncertainty in every use of these weights.
    Pass ``positional_tables=`` for exact reproduction.

Where the files come from, first match wins: an explicit ``path=`` (a folder
holding them), ``$SITREX_WEIGHTS`` (a folder holding them, directly or in a
``<name>/`` subfolder), the cache folder ``<cache>/weights/<name>/`` (see
:func:`sitrex._fetch.cache_root`), then a download checked against the pinned
sha256. Offline and uncached, :class:`WeightsNotAvailableError` names the files
and the ways to provide them.

Examples
--------
>>> from sitrex import pretrained
>>> pretrained.list_weights()[:2], pretrained.DEFAULT_WEIGHTS
(['sitrex-paper', 'sitrex-default'], 'sitrex-default')
>>> info = pretrained.weights_info("sitrex-paper")
>>> info.angle_kind, info.max_len["similarity"], info.max_len["usefulness"]
('unsigned', 300, 800)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sitrex import _model_archive
from sitrex._fetch import RemoteFile, cache_root, resolve_file, sha256_of
from sitrex.exceptions import InputError, WeightsIntegrityError, WeightsNotAvailableError

__all__ = [
    "DEFAULT_WEIGHTS",
    "PAPER_COMMIT",
    "PretrainedWeights",
    "WeightsNotAvailableError",
    "fetch_weights",
    "list_weights",
    "paper_positional_table",
    "register_weights",
    "unregister_weights",
    "weights_info",
]

#: Commit of github.com/asellam/sitrex the paper's weight files are pinned to.
PAPER_COMMIT = "1eb3d7d431a6b52ba07afca0cde55d9f33822d43"
_PAPER_URL = "https://raw.githubusercontent.com/asellam/sitrex/{commit}/weights/{file}"
_ENV_VAR = "SITREX_WEIGHTS"
#: Seed of the fixed positional tables used with the paper's weights.
PAPER_TABLE_SEED = 20250819
#: The classes a comparator file may hold (its ``sitrex.json`` "class").
_COMPARATOR_FILES = ("ExerciseComparator", "RepetitionComparator")
#: The weights ``from_pretrained()`` and :func:`sitrex.compare` use when given no name.
DEFAULT_WEIGHTS = "sitrex-default"
#: The folder of the weights shipped inside the package.
PACKAGED_WEIGHTS = Path(__file__).resolve().parent / "pretrained_weights"
#: The shipped default comparator file and its pinned sha256.
_DEFAULT_FILE = ("sitrex-default.keras",
                 "5fbf5ceeb95912e84b276cf105b5765e616792dd9cde79975f79e398400fb152")


@dataclass(frozen=True)
class PretrainedWeights:
    """A registry entry: weight files and how to use them.

    Attributes
    ----------
    name : str
    description : str
    format : {"paper-h5", "sitrex"}
        ``"paper-h5"``: the paper's two legacy Keras-2 HDF5 files;
        ``"sitrex"``: one ``.keras`` file from
        :meth:`sitrex.ExerciseComparator.save`.
    files : dict
        Role (``"usefulness"``, ``"similarity"``, or ``"estimator"``) to a
        :class:`~sitrex._fetch.RemoteFile`.
    angle_kind : str or None
        The :func:`sitrex.compute_angles` kind the weights expect; None when
        the registration did not state it (the kind the file records then
        applies, else ``"unsigned"``).
    angle_names : tuple of str
        Angle columns, in order.
    max_len : dict
        Frames each network sees.
    trained_on : str
    license : str
    citation : str
    local_file : pathlib.Path or None
        For entries registered from a local file.
    """

    name: str
    description: str
    format: str
    files: dict[str, RemoteFile]
    angle_kind: str | None
    angle_names: tuple[str, ...]
    max_len: dict[str, int]
    trained_on: str = ""
    license: str = ""
    citation: str = ""
    local_file: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _paper_entry() -> PretrainedWeights:
    from sitrex.angle_table import ANGLE_NAMES

    files = {
        "usefulness": ("angle_usefulness_model_L800.h5",
                       "7b9600d7c6493b0b66998358e339eff9b2e6733564c68bf709ffaa59da93d197"),
        "similarity": ("angle_similarity_model_L300.h5",
                       "1d95faa19a04ebdd82d1401a8924a175bff41ced6f1a2b9d64671c35088b0c29"),
    }
    return PretrainedWeights(
        name="sitrex-paper",
        description="The SiTrEx paper's published usefulness and Siamese similarity models",
        format="paper-h5",
        files={role: RemoteFile(filename, _PAPER_URL.format(commit=PAPER_COMMIT, file=filename),
                                sha, _ENV_VAR, f"SiTrEx paper {role} weights")
               for role, (filename, sha) in files.items()},
        angle_kind="unsigned",
        angle_names=tuple(ANGLE_NAMES),
        max_len={"usefulness": 800, "similarity": 300},
        trained_on="the authors' exercise data set (not published)",
        license="MIT, Copyright (c) 2025 Abdellah SELLAM",
        citation=("Sellam, Kassimi, Djebana, Mokhtari. SiTrEx: Siamese transformer for feedback "
                  "and posture correction on workout exercises. Neurocomputing 658 (2025) "
                  "131703. doi:10.1016/j.neucom.2025.131703"),
        extra={"source": f"https://github.com/asellam/sitrex/tree/{PAPER_COMMIT}/weights"},
    )


def _default_entry() -> PretrainedWeights:
    from sitrex.angle_table import ANGLE_NAMES

    filename, sha = _DEFAULT_FILE
    return PretrainedWeights(
        name="sitrex-default",
        description="sitrex's default comparator: a RepetitionComparator (per-repetition curve "
                    "Siamese ensemble mixed with a direction-aware statistic, usefulness rule)",
        format="sitrex",
        files={"estimator": RemoteFile(filename, "", sha, _ENV_VAR, "the default comparator")},
        angle_kind="unsigned",
        angle_names=tuple(ANGLE_NAMES),
        max_len={},
        trained_on="pairs of squat_errors, IRDS, PushFit and Penn Action executions, with "
                   "landmark-space fault injection (see metadata_['training_data'])",
        license="MIT (the weights); the training data keep their own terms and none ships "
                "(see the model card)",
        local_file=PACKAGED_WEIGHTS / filename,
        extra={"builder": "scripts/build_default_comparator.py"},
    )


#: The entries sitrex ships, which cannot be removed.
_BUILT_IN = ("sitrex-paper", "sitrex-default")
_REGISTRY: dict[str, PretrainedWeights] = {"sitrex-paper": _paper_entry(),
                                           "sitrex-default": _default_entry()}


def list_weights() -> list[str]:
    """Names of the registered weights.

    Examples
    --------
    >>> list_weights()[0]
    'sitrex-paper'
    """
    return list(_REGISTRY)


def weights_info(name: str) -> PretrainedWeights:
    """The registry entry `name` (a clear error lists the registered names).

    Examples
    --------
    >>> weights_info("sitrex-paper").format
    'paper-h5'
    >>> weights_info("nope")
    Traceback (most recent call last):
    ...
    KeyError: "no pretrained weights named 'nope'; registered: sitrex-paper, sitrex-default (register your own with sitrex.pretrained.register_weights)"
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no pretrained weights named {name!r}; registered: "
                       f"{', '.join(_REGISTRY)} (register your own with "
                       "sitrex.pretrained.register_weights)") from None


def register_weights(name: str, file: str | os.PathLike[str] | None = None, *,
                     url: str | None = None, sha256: str | None = None,
                     angle_kind: str | None = None, description: str = "",
                     trained_on: str = "", license: str = "", citation: str = "",
                     overwrite: bool = False) -> PretrainedWeights:
    """Register your own named weights: a file written by :meth:`ExerciseComparator.save`.

    Parameters
    ----------
    name : str
        The name :meth:`ExerciseComparator.from_pretrained` will take.
    file : str or os.PathLike, optional
        A local ``.keras`` file. Its angle names and lengths are read from
        its ``sitrex.json`` entry.
    url, sha256 : str, optional
        Instead of (or besides) `file`: where the file is published and its
        checksum (both required for downloads).
    angle_kind : str, optional
        The :func:`sitrex.compute_angles` kind the model was trained on.
        Default: the kind the file records (``sitrex train`` records it),
        else ``"unsigned"``. A kind that contradicts the file's record is
        refused.
    description, trained_on, license, citation : str
        Metadata shown by :func:`weights_info`; say what data the weights
        were trained on. A file's own record wins: give only what it does not
        record (``trained_on``, ``license`` or ``citation`` that contradict
        it are refused).
    overwrite : bool, default=False
        Replace an existing entry of that name.

    Returns
    -------
    PretrainedWeights

    Raises
    ------
    sitrex.exceptions.InputError
        The name is taken (without `overwrite`), neither a file nor a url
        and sha256 are given, the file holds another estimator class, or
        `angle_kind`, `trained_on`, `license` or `citation` contradict what
        the file records.
    sitrex.exceptions.MissingFileError
        `file` does not exist.
    sitrex.exceptions.WeightsIntegrityError
        `file` is not a sitrex ``.keras`` file (its ``sitrex.json`` entry is
        read without Keras), or does not match `sha256`.

    Examples
    --------
    >>> register_weights("sitrex-paper", "model.keras")
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: weights named 'sitrex-paper' are already registered; pass overwrite=True to replace them
    """
    from sitrex.angle_table import check_kind

    if name in _REGISTRY and not overwrite:
        raise InputError(f"weights named {name!r} are already registered; pass overwrite=True "
                         "to replace them")
    if file is None and (url is None or sha256 is None):
        raise InputError("give the weights' local file, or their url and sha256")
    if angle_kind is not None:
        check_kind(angle_kind)
    stated = {"angle_kind": angle_kind, "trained_on": trained_on, "license": license,
              "citation": citation}
    angle_names: tuple[str, ...] = ()
    max_len: dict[str, int] = {}
    local = None
    filename = f"{name}.keras"
    if file is not None:
        local = Path(file).expanduser().resolve()
        meta = _model_archive.read_metadata(local)
        if meta["class"] not in _COMPARATOR_FILES:
            raise InputError(f"{local} holds a {meta['class']}; pretrained weights must be a "
                             f"comparator file ({' or '.join(_COMPARATOR_FILES)})")
        angle_names = tuple(meta["fitted"]["angle_names_"])
        params = meta["params"]
        if "max_len" in params:
            max_len = {"similarity": int(params["max_len"]),
                       "usefulness": int(params.get("usefulness_max_len") or params["max_len"])}
        filename = local.name
        stated = _reconcile(local, stated, meta.get("metadata") or {})
        if sha256 is not None and sha256_of(local) != sha256:
            raise WeightsIntegrityError(f"{local} does not match the sha256 given ({sha256}); "
                                        "check the file or the checksum")
    spec = RemoteFile(filename, url or "", sha256, _ENV_VAR, f"{name!r} weights")
    entry = PretrainedWeights(
        name=name, description=description, format="sitrex", files={"estimator": spec},
        angle_kind=stated["angle_kind"], angle_names=angle_names, max_len=max_len,
        trained_on=stated["trained_on"], license=stated["license"],
        citation=stated["citation"], local_file=local)
    _REGISTRY[name] = entry
    return entry


def _reconcile(file: Path, stated: dict[str, Any], recorded: dict[str, Any]) -> dict[str, Any]:
    """`stated` registry values filled in from what `file` records; a contradiction is refused.

    Examples
    --------
    >>> _reconcile(Path("m.keras"), {"angle_kind": None, "license": "MIT"},
    ...            {"angle_kind": "sagittal"})
    {'angle_kind': 'sagittal', 'license': 'MIT'}
    >>> _reconcile(Path("m.keras"), {"angle_kind": "unsigned"}, {"angle_kind": "sagittal"})
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: m.keras records angle_kind='sagittal', not 'unsigned': a file's own record wins; leave angle_kind out of register_weights (or register a file trained on 'unsigned' angles)
    """
    out = dict(stated)
    for key, value in stated.items():
        own = recorded.get(key)
        if not own:
            continue
        if value and value != own:
            hint = f" (or register a file trained on {value!r} angles)" * (key == "angle_kind")
            raise InputError(f"{file.name} records {key}={own!r}, not {value!r}: a file's own "
                             f"record wins; leave {key} out of register_weights{hint}")
        out[key] = own
    return out


def unregister_weights(name: str) -> None:
    """Remove a registered entry (the built-in ``sitrex-paper`` and ``sitrex-default`` stay)."""
    if name in _BUILT_IN:
        raise InputError(f"the built-in {name!r} entry cannot be removed")
    weights_info(name)
    del _REGISTRY[name]


def _how_to_provide(entry: PretrainedWeights, reason: str) -> str:
    listing = "; ".join(
        f"{spec.filename} (sha256 {spec.sha256 or 'not pinned'}"
        + (f", published at {spec.url}" if spec.url else "") + ")"
        for spec in entry.files.values())
    cache = cache_root() / "weights" / entry.name
    return (f"the {entry.name!r} weights need {len(entry.files)} file(s): {listing}. They were "
            f"not found: {reason}. Provide them in one of three ways: (1) pass path='/folder' "
            f"holding them; (2) set the environment variable {_ENV_VAR} to that folder (or to a "
            f"folder with a {entry.name}/ subfolder holding them); (3) put them in the cache "
            f"folder {cache} (set SITREX_CACHE to move it)")


def fetch_weights(name: str, path: str | os.PathLike[str] | None = None, *,
                  download: bool = True, timeout: float = 30.0) -> dict[str, Path]:
    """Local paths of the weight files of `name`, downloading them if needed.

    Parameters
    ----------
    name : str
    path : str or os.PathLike, optional
        A folder holding the files (or, for a one-file entry, the file).
    download : bool, default=True
        Allow downloading into the cache (``SITREX_OFFLINE=1`` forbids it).
    timeout : float
        Network timeout in seconds.

    Returns
    -------
    dict
        Role to an existing file.

    Raises
    ------
    WeightsNotAvailableError
        The files are not found and cannot be downloaded.
    WeightsIntegrityError
        A cached or downloaded file does not match its pinned sha256.
    sitrex.exceptions.InputError
        A file given (`path`, ``$SITREX_WEIGHTS``) for a one-file entry that
        pins a sha256 (``sitrex-default``) is another file.

    Examples
    --------
    >>> fetch_weights("sitrex-paper", download=False)  # doctest: +SKIP
    {'usefulness': PosixPath('.../angle_usefulness_model_L800.h5'), 'similarity': ...}
    """
    entry = weights_info(name)
    if path is None and entry.local_file is not None:
        path = entry.local_file
        _check_packaged(entry)
    if path is None:
        env = os.environ.get(_ENV_VAR)
        if env and (Path(env).expanduser() / name).is_dir():
            path = Path(env).expanduser() / name
    if path is not None and len(entry.files) > 1 and Path(path).expanduser().is_file():
        raise InputError(
            f"the {name!r} weights are {len(entry.files)} files "
            f"({', '.join(spec.filename for spec in entry.files.values())}); pass the folder "
            f"that holds them, not the file {str(path)!r}")
    found = {}
    for role, spec in entry.files.items():
        found[role] = resolve_file(
            spec, path, cache_folder=cache_root() / "weights" / name,
            how_to_provide=lambda reason: _how_to_provide(entry, reason),
            not_available=WeightsNotAvailableError, corrupt=WeightsIntegrityError,
            download=download and bool(spec.url), timeout=timeout)
        if entry.format == "sitrex" and found[role] != entry.local_file:
            _check_given(entry, spec, found[role])
    return found


def _check_given(entry: PretrainedWeights, spec: RemoteFile, file: Path) -> None:
    """A file found for a one-file entry that pins a sha256 must be that entry's file.

    Another comparator file is not those weights: labelling it with the entry's
    name, angle kind and licence would misdescribe it.
    """
    if spec.sha256 is None:
        return
    got = sha256_of(file)
    if got != spec.sha256:
        raise InputError(
            f"{str(file)!r} is not the {entry.name!r} weights: its sha256 is {got}, not the "
            f"pinned {spec.sha256}. To use a comparator you trained, load it with "
            f"sitrex.estimators.load_comparator({str(file)!r}) (sitrex compare --comparator "
            f"FILE), or register it under a name of its own with "
            f"sitrex.pretrained.register_weights")


def _check_packaged(entry: PretrainedWeights) -> None:
    """A local entry with a pinned sha256 (the shipped default) must match it."""
    spec = entry.files["estimator"] if "estimator" in entry.files else None
    if spec is None or spec.sha256 is None or not entry.local_file.is_file():
        return
    if sha256_of(entry.local_file) != spec.sha256:
        raise WeightsIntegrityError(
            f"{entry.local_file} does not match the sha256 pinned for {entry.name!r} "
            f"({spec.sha256}): the installed file is damaged or was replaced; reinstall sitrex")


def paper_positional_table(kind: str, *, seed: int = PAPER_TABLE_SEED) -> np.ndarray:
    """The fixed positional table sitrex uses with the paper's weights.

    Uniform in [-0.05, 0.05] (the distribution of the paper's lost tables),
    drawn with ``numpy.random.default_rng(seed)``: (800, 64) for
    ``"usefulness"`` and (300, 64) for ``"similarity"``.

    Examples
    --------
    >>> t = paper_positional_table("similarity")
    >>> t.shape, t.dtype, bool(abs(t).max() <= 0.05)
    ((300, 64), dtype('float32'), True)
    """
    rows = weights_info("sitrex-paper").max_len.get(kind)
    if rows is None:
        raise InputError(f"kind must be 'usefulness' or 'similarity'; got {kind!r}")
    offset = 0 if kind == "usefulness" else 1
    rng = np.random.default_rng(seed + offset)
    return rng.uniform(-0.05, 0.05, (rows, 64)).astype(np.float32)

