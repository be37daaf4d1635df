"""Load the paper's published legacy-HDF5 weights into :func:`build_paper_model` networks.

The two published files were written by Keras 2.10 ``save_weights`` (legacy
HDF5, not Keras 3 ``.weights.h5``). Their 22 arrays are read in the file's own
order (the root ``layer_names`` attribute, then each layer group's
``weight_names``) and assigned by position:

1. projection Dense kernel (n_angles, 64), bias (64)
2. attention query, key, value kernels (64, 4, 64) and biases (4, 64)
3. attention output kernel (4, 64, 64), bias (64)
4. LayerNorm 1 gamma, beta
5. feed-forward Dense 1 and Dense 2, kernel and bias each
6. LayerNorm 2 gamma, beta
7. Dense(32) kernel, bias
8. output Dense(n_angles) kernel, bias

A file of the other kind (one input vs two) is refused: the two files have
identical shapes, so a swap would load silently and give wrong outputs.
The positional table is not in these files (the paper never saved it).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from sitrex.exceptions import InputError, MissingFileError, WeightsIntegrityError

__all__ = ["load_paper_weights", "read_paper_weights"]

_N_ARRAYS = 22


def read_paper_weights(path: str | os.PathLike[str]) -> tuple[str, list[np.ndarray]]:
    """Read a published weights file: its kind and its 22 arrays in file order.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    kind : {"usefulness", "similarity"}
        From the number of input layers (1 or 2) the file records.
    arrays : list of numpy.ndarray

    Raises
    ------
    sitrex.exceptions.MissingFileError
        If there is no such file.
    sitrex.exceptions.WeightsIntegrityError
        If the file is not a legacy Keras weights file of a SiTrEx model.

    Examples
    --------
    >>> read_paper_weights("missing.h5")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sitrex.exceptions.MissingFileError: paper weights file not found: ...missing.h5
    """
    path = Path(path)
    if not path.is_file():
        raise MissingFileError(f"paper weights file not found: {path.resolve()}")
    import h5py

    def text(v):
        return v.decode() if isinstance(v, bytes) else str(v)

    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise WeightsIntegrityError(
            f"{path.name} is not a readable HDF5 weights file ({exc}); download it again or "
            "check its sha256") from exc
    with f:
        if "layer_names" not in f.attrs:
            raise WeightsIntegrityError(
                f"{path.name} is not a legacy Keras HDF5 weights file (no 'layer_names' "
                "attribute); Keras 3 '.weights.h5' files load with model.load_weights")
        layer_names = [text(n) for n in f.attrs["layer_names"]]
        arrays = []
        for layer in layer_names:
            group = f[layer]
            for weight in group.attrs.get("weight_names", []):
                arrays.append(np.asarray(group[text(weight)], dtype=np.float32))
    n_inputs = sum(1 for n in layer_names if n.startswith("input"))
    if n_inputs not in (1, 2) or len(arrays) != _N_ARRAYS:
        raise WeightsIntegrityError(
            f"{path.name} does not hold a SiTrEx paper model: expected 1 or 2 input layers and "
            f"{_N_ARRAYS} weight arrays, found {n_inputs} and {len(arrays)}")
    return ("usefulness" if n_inputs == 1 else "similarity"), arrays


def _targets(model):
    """The paper model's variables in the published files' order."""
    encoder = model.get_layer("encoder")
    block = encoder.block
    if encoder.encoder != "transformer":
        raise InputError("the paper's weights need the transformer encoder")
    attention = block.attention
    parts = [encoder.projection,
             attention._query_dense, attention._key_dense, attention._value_dense,
             attention._output_dense, block.norm1, block.ff1, block.ff2, block.norm2, encoder.head,
             model.layers[-1]]
    variables = []
    for part in parts:
        variables.extend(part.weights)
    return variables


def load_paper_weights(model, path: str | os.PathLike[str]):
    """Assign a published ``.h5`` weights file to a :func:`build_paper_model` network.

    Parameters
    ----------
    model : keras.Model
        From ``build_paper_model("usefulness")`` or
        ``build_paper_model("similarity")`` (any max_len).
    path : str or os.PathLike
        ``angle_usefulness_model_L800.h5`` or ``angle_similarity_model_L300.h5``.

    Returns
    -------
    keras.Model
        The same model, for chaining.

    Raises
    ------
    sitrex.exceptions.WeightsIntegrityError
        If the file is not a paper weights file, or holds the other kind of
        model (the swap the upstream notebook makes).
    sitrex.exceptions.InputError
        If `model` does not have the paper's architecture (a shape or the
        number of weights does not match).

    Examples
    --------
    >>> from sitrex.models import build_paper_model
    >>> model = build_paper_model("usefulness", max_len=8)
    >>> load_paper_weights(model, "angle_usefulness_model_L800.h5")  # doctest: +SKIP
    """
    kind, arrays = read_paper_weights(path)
    model_kind = "usefulness" if len(model.inputs) == 2 else "similarity"
    if kind != model_kind:
        raise WeightsIntegrityError(
            f"{Path(path).name} holds the paper's {kind} model but the model given is a "
            f"{model_kind} model (the upstream notebook swaps the two files; the file names "
            "are right)")
    variables = _targets(model)
    if len(variables) != len(arrays):
        raise InputError(f"the model has {len(variables)} weight arrays to fill; the file has "
                         f"{len(arrays)}; build the model with build_paper_model")
    for variable, array in zip(variables, arrays):
        if tuple(variable.shape) != array.shape:
            raise InputError(
                f"{Path(path).name}: array of shape {array.shape} does not fit "
                f"{variable.path} of shape {tuple(variable.shape)}; build the model with "
                "build_paper_model")
    for variable, array in zip(variables, arrays):
        variable.assign(array)
    return model
