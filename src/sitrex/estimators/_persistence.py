"""Fitted estimators to files and back: pickling, ``.keras`` files, paper weights, the registry.

This is the one place that turns files into fitted estimators:

* pickling: the networks travel as their weights (``.npz`` bytes) and are
  rebuilt from the parameters on unpickling;
* :func:`save_estimator` / :func:`load_estimator`: one ``.keras`` file (a
  Keras archive plus the ``sitrex.json`` entry of :mod:`sitrex._model_archive`);
* :func:`comparator_from_paper_files`: the paper's two legacy ``.h5`` files
  in networks of the paper's architecture;
* :func:`comparator_from_registry`: a name of :mod:`sitrex.pretrained` to a
  fitted comparator, with its ``metadata_``;
* :func:`load_comparator`: a comparator file of either class.

The registry only names, finds and verifies files; it knows nothing of the
estimators. Keras is imported inside the functions.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from sitrex import _model_archive
from sitrex.exceptions import InputError, WeightsIntegrityError

__all__ = ["comparator_from_paper_files", "comparator_from_registry", "load_comparator",
           "load_estimator", "pickled_state", "restore_state", "save_estimator"]

#: The classes a comparator file may hold (``sitrex.json``'s "class"), all in sitrex.estimators.
COMPARATOR_CLASSES = ("ExerciseComparator", "RepetitionComparator")


# ---------------------------------------------------------------------------------- pickling
# Fitted networks travel as their weights: the architecture is rebuilt from the
# parameters. This avoids Keras's own serialisation, which imports TensorFlow
# whenever it is installed (fatal next to JAX in some environments).

def _weights_to_bytes(network) -> bytes:
    """The network's weights as .npz bytes (no pickle, no Keras serialisation)."""
    buffer = io.BytesIO()
    np.savez(buffer, *[np.asarray(w) for w in network.get_weights()])
    return buffer.getvalue()


def _weights_from_bytes(data: bytes) -> list[np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        return [z[f"arr_{i}"] for i in range(len(z.files))]


def pickled_state(estimator, state: dict[str, Any]) -> dict[str, Any]:
    """`state` (the estimator's ``__dict__``) with networks as weight bytes and caches dropped."""
    state = {k: v for k, v in state.items() if not k.endswith("_cache")}
    for name in estimator._networks:
        if name in state:
            state[name] = _weights_to_bytes(state[name])
    return state


def restore_state(estimator, state: dict[str, Any]) -> None:
    """Set `state` from :func:`pickled_state` on `estimator`, rebuilding its networks."""
    state = dict(state)
    networks = {name: state.pop(name) for name in estimator._networks
                if isinstance(state.get(name), bytes)}
    estimator.__dict__.update(state)
    for name, data in networks.items():
        network = estimator._build_network(name, estimator.n_angles_)
        network.set_weights(_weights_from_bytes(data))
        setattr(estimator, name, network)


# ---------------------------------------------------------------------------------- .keras files
def _keras_archive(estimator) -> bytes:
    """The fitted networks as one Keras ``.keras`` archive (bytes)."""
    from sitrex._keras import import_keras

    keras = import_keras()
    inputs, outputs = [], {}
    for attr in estimator._networks:
        network = getattr(estimator, attr)
        own = [keras.Input(tuple(t.shape[1:]), name=f"{network.name}__{t.name}")
               for t in network.inputs]
        inputs.extend(own)
        outputs[network.name] = network(own)
    bundle = keras.Model(inputs, outputs, name=f"sitrex_{type(estimator).__name__}")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "model.keras"
        bundle.save(target)
        return target.read_bytes()


def _saved_params(estimator) -> dict[str, Any]:
    """The parameters as JSON values (a RandomState instance is not saved)."""
    params = {}
    shaped = estimator._network_settings()     # those of the fitted networks
    for key, value in {**estimator.get_params(deep=False), **shaped}.items():
        if isinstance(value, np.generic):
            value = value.item()
        if key == "random_state" and not isinstance(value, (int, type(None))):
            value = None
        if key in estimator._unsaved_params:
            value = None
        if key == "angle_names" and value is not None:
            value = list(value)
        params[key] = value
    return params


def save_estimator(estimator, path: str | os.PathLike[str]) -> Path:
    """Write a fitted estimator to one ``.keras`` file (see ``SiTrExEstimatorBase.save``)."""
    check_is_fitted(estimator)
    path = Path(path)
    if path.suffix != ".keras":
        raise InputError(f"save to a file name ending in '.keras' (a Keras model archive); "
                         f"got {str(path)!r}")
    metadata = {
        "class": type(estimator).__name__,
        "params": _saved_params(estimator),
        "fitted": {"n_angles_": int(estimator.n_angles_),
                   "angle_names_": list(estimator.angle_names_),
                   "history_": estimator.history_,
                   **{name: estimator._fitted_to_json(name) for name in estimator._saved_fitted}},
        "networks": {attr: getattr(estimator, attr).name for attr in estimator._networks},
        "metadata": dict(getattr(estimator, "metadata_", {}) or {}),
    }
    data = _model_archive.add_metadata(_keras_archive(estimator), metadata)
    from sitrex._atomic import atomic_write

    with atomic_write(path, "wb") as f:
        f.write(data)
    return path


def load_estimator(cls, path: str | os.PathLike[str]):
    """An estimator of class `cls` from a file written by :func:`save_estimator`.

    Raises
    ------
    sitrex.exceptions.MissingFileError
        No such file.
    sitrex.exceptions.WeightsIntegrityError
        The file is not a sitrex estimator file, or Keras cannot read its
        networks.
    sitrex.exceptions.InputError
        The file holds another estimator class.
    """
    path = Path(path)
    metadata = _model_archive.read_metadata(path)
    if metadata["class"] != cls.__name__:
        raise InputError(f"{path} holds a {metadata['class']}, not a {cls.__name__}; load it "
                         f"with {metadata['class']}.load")
    from sitrex._keras import import_keras

    keras = import_keras()
    import sitrex.models  # noqa: F401 - registers the custom layers

    try:
        bundle = keras.saving.load_model(path, compile=False, safe_mode=True)
        networks = {attr: bundle.get_layer(metadata["networks"][attr]) for attr in cls._networks}
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise WeightsIntegrityError(
            f"{path}: Keras cannot read the networks of this sitrex file ({exc}); the file is "
            "damaged or was written by an incompatible version, write or download it again"
        ) from exc
    estimator = cls(**{**cls._params_of_older_files, **metadata["params"]})
    fitted = metadata["fitted"]
    estimator.n_angles_ = int(fitted["n_angles_"])
    estimator.angle_names_ = tuple(fitted["angle_names_"])
    estimator.history_ = fitted.get("history_", {})
    for name in cls._saved_fitted:
        if name not in fitted:
            raise WeightsIntegrityError(f"{path}: the {cls.__name__} file lacks its fitted "
                                        f"{name}; write it again with this sitrex")
        setattr(estimator, name, estimator._fitted_from_json(name, fitted[name]))
    if metadata.get("metadata"):
        estimator.metadata_ = dict(metadata["metadata"])
    for attr, network in networks.items():
        setattr(estimator, attr, network)
    estimator._keep_network_settings()
    return estimator


def _saved_class(cls, saved: str):
    """The class to build for a file saved from `saved`: `cls` if it is (a subclass of) it."""
    if any(base.__name__ == saved for base in cls.__mro__):
        return cls
    if saved not in COMPARATOR_CLASSES:
        raise InputError(f"the file holds a {saved}, which is not a sitrex comparator "
                         f"({', '.join(COMPARATOR_CLASSES)})")
    import sitrex.estimators

    return getattr(sitrex.estimators, saved)


def load_comparator(path: str | os.PathLike[str]):
    """A fitted comparator from a ``.keras`` file, of whichever class saved it.

    ``ExerciseComparator.load`` and ``RepetitionComparator.load`` insist on
    their own class; this takes either.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    ExerciseComparator or RepetitionComparator

    Raises
    ------
    sitrex.exceptions.MissingFileError, sitrex.exceptions.WeightsIntegrityError
        As :meth:`~sitrex.ExerciseComparator.load`.
    sitrex.exceptions.InputError
        If the file holds an estimator that is not a comparator.
    """
    return load_estimator(_saved_class(object, _model_archive.read_metadata(path)["class"]), path)


# ---------------------------------------------------------------------------------- pretrained
_PAPER_NETWORKS = (("similarity", "similarity_model_"), ("usefulness", "usefulness_model_"))


def _paper_tables(positional_tables, max_len: dict[str, int]) -> dict[str, np.ndarray]:
    """The positional table of each paper network: given, or sitrex's fixed one."""
    from sitrex.pretrained import paper_positional_table

    given = dict(positional_tables or {})
    unknown = set(given) - set(max_len)
    if unknown:
        raise InputError(f"positional_tables takes the keys 'usefulness' and 'similarity'; got "
                         f"{sorted(unknown)}")
    tables = {}
    for role, rows in max_len.items():
        table = given.get(role)
        table = paper_positional_table(role) if table is None else np.asarray(table, np.float32)
        if table.shape != (rows, 64):
            raise InputError(f"the {role} positional table must have shape ({rows}, 64); got "
                             f"{table.shape}")
        tables[role] = table
    return tables


def comparator_from_paper_files(cls, entry, files: dict[str, Path], positional_tables=None,
                                params: dict[str, Any] | None = None):
    """A fitted comparator of class `cls` from the paper's two ``.h5`` files.

    Parameters
    ----------
    cls : type
        :class:`~sitrex.estimators.ExerciseComparator` or a subclass.
    entry : sitrex.pretrained.PretrainedWeights
        A ``"paper-h5"`` entry (angle names, lengths).
    files : dict
        ``{"usefulness": path, "similarity": path}``.
    positional_tables : dict, optional
        ``{"usefulness": (800, 64), "similarity": (300, 64)}`` arrays;
        default :func:`sitrex.pretrained.paper_positional_table`.
    params : dict, optional
        Estimator parameters overriding the paper's.

    Raises
    ------
    sitrex.exceptions.WeightsIntegrityError
        A file is not the paper's weights file for its network (unreadable,
        another model, the two files swapped).
    """
    from sitrex.models import PAPER_CONFIG, build_paper_model, load_paper_weights

    tables = _paper_tables(positional_tables, entry.max_len)
    settings = dict(PAPER_CONFIG, max_len=entry.max_len["similarity"],
                    usefulness_max_len=entry.max_len["usefulness"],
                    angle_names=list(entry.angle_names))
    defaults = cls().get_params()
    fixed = sorted(k for k, v in (params or {}).items() if k in cls._shaping_params
                   and v != settings.get(k, defaults.get(k)))
    if fixed:
        raise InputError(f"{', '.join(fixed)}: set by the paper's networks (max_len "
                         f"{settings['max_len']}, usefulness_max_len "
                         f"{settings['usefulness_max_len']}, {PAPER_CONFIG}); these weights "
                         "cannot change them (train a comparator to)")
    settings.update(params or {})
    comparator = cls(**settings)
    comparator._validate_params()
    for role, attr in _PAPER_NETWORKS:
        network = build_paper_model(role, max_len=entry.max_len[role],
                                    positional_table=tables[role],
                                    n_angles=len(entry.angle_names))
        setattr(comparator, attr, load_paper_weights(network, files[role]))
    comparator.n_angles_ = len(entry.angle_names)
    comparator.angle_names_ = tuple(entry.angle_names)
    comparator.history_ = {}
    comparator._keep_network_settings()
    return comparator


def comparator_from_registry(cls, name: str, *, path=None, download: bool = True,
                             positional_tables=None, params: dict[str, Any] | None = None):
    """A fitted comparator of class `cls` from the registered weights `name`.

    The files are found (and verified) by :func:`sitrex.pretrained.fetch_weights`;
    this turns them into a comparator and records in ``metadata_`` which
    weights it holds and what input they expect: what the file records
    (angle kind, training data, licence) is kept, and the registry entry fills
    in what it does not record (the paper's files record nothing). See
    :meth:`sitrex.ExerciseComparator.from_pretrained` for the parameters.
    """
    from sitrex.pretrained import fetch_weights, weights_info

    entry = weights_info(name)
    files = fetch_weights(name, path, download=download)
    if entry.format == "paper-h5":
        comparator = comparator_from_paper_files(_saved_class(cls, "ExerciseComparator"), entry,
                                                 files, positional_tables, params)
    elif entry.format == "sitrex":
        if positional_tables is not None:
            raise InputError("positional_tables only applies to the paper's weights; a sitrex "
                             "file stores its table")
        saved = _model_archive.read_metadata(files["estimator"])["class"]
        comparator = load_estimator(_saved_class(cls, saved), files["estimator"])
        if params:
            comparator.set_params(**params)
            comparator._validate_params()
    else:
        raise InputError(f"the weights {name!r} have the format {entry.format!r}, which this "
                         "sitrex cannot load ('paper-h5' or 'sitrex')")
    recorded = dict(getattr(comparator, "metadata_", {}) or {})   # what the file says
    kind = recorded.get("angle_kind")
    if kind and entry.angle_kind and kind != entry.angle_kind:
        raise InputError(f"{files['estimator']} records angle_kind={kind!r}, but the {name!r} "
                         f"entry says {entry.angle_kind!r}; register the file again without "
                         "angle_kind (the file's record wins)")
    metadata = {**recorded, "weights": entry.name,
                "angle_kind": kind or entry.angle_kind or "unsigned",
                "angle_names": list(comparator.angle_names_)}
    if entry.format == "paper-h5":      # trained on the paper's own valgus indicator
        metadata["knee_valgus"] = "paper"
    if hasattr(comparator, "_network_max_len"):
        metadata["max_len"] = {
            "similarity": comparator._network_max_len("similarity_model_"),
            "usefulness": comparator._network_max_len("usefulness_model_")}
    for key in ("trained_on", "license", "citation"):   # the file's, else the registry's
        metadata[key] = recorded.get(key) or getattr(entry, key) or ""
    comparator.metadata_ = metadata
    return comparator
