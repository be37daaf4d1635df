"""The per-angle Siamese network on repetition curves (the repetition comparator's learned part).

One sample is one angle of one repetition: the reference's curve of that
angle and the candidate's curve put on the reference's timeline, both
resampled to a few points and scaled. A small convolutional encoder φ,
shared by the two sides and by every angle, embeds each curve; the head reads
``[φ(a) - φ(c), |φ(a) - φ(c)|]`` (the signed difference keeps the direction:
"less range" is not "more range"), optionally with per-sample statistics and
descriptors, and gives the probability that the two match.

* :func:`build_curve_siamese`: one network;
* :func:`build_curve_ensemble`: several networks behind one model that
  averages their outputs (what a fitted comparator holds and saves).

Every layer is a built-in Keras layer or a registered sitrex layer, so the
models save to ``.keras`` files that load in safe mode.
"""

from __future__ import annotations

from collections.abc import Sequence

from sitrex._keras import import_keras

from .layers import AbsoluteDifference

keras = import_keras()
layers = keras.layers

__all__ = ["CURVE_INPUTS", "build_curve_ensemble", "build_curve_siamese"]

#: Input names of the networks, in order: the two curves, statistics, descriptors.
CURVE_INPUTS = ("reference_curve", "candidate_curve", "statistics", "descriptors")


def _encoder(n_points: int, filters: int, units: int, name: str):
    curve = keras.Input((n_points, 1), name="curve")
    h = layers.Conv1D(filters, 5, activation="relu", padding="same")(curve)
    h = layers.Conv1D(filters, 5, activation="relu", padding="same")(h)
    h = layers.Concatenate()([layers.GlobalAveragePooling1D()(h), layers.GlobalMaxPooling1D()(h)])
    return keras.Model(curve, layers.Dense(units, activation="relu")(h), name=name)


def _inputs(n_points: int, n_statistics: int, n_descriptors: int) -> dict:
    found = {"reference_curve": keras.Input((n_points, 1), name="reference_curve"),
             "candidate_curve": keras.Input((n_points, 1), name="candidate_curve")}
    if n_statistics:
        found["statistics"] = keras.Input((n_statistics,), name="statistics")
    if n_descriptors:
        found["descriptors"] = keras.Input((n_descriptors,), name="descriptors")
    return found


def build_curve_siamese(n_points: int = 32, *, n_statistics: int = 0, n_descriptors: int = 0,
                        filters: int = 16, units: int = 16, head_units: int = 32,
                        name: str = "curve_siamese"):
    """One per-angle Siamese network on two curves.

    Parameters
    ----------
    n_points : int, default 32
        Points per curve.
    n_statistics, n_descriptors : int, default 0
        Sizes of the optional extra inputs read by the head (0: none).
    filters, units, head_units : int
        Conv1D filters, embedding size, hidden units of the head.
    name : str

    Returns
    -------
    keras.Model
        Inputs (by name, in :data:`CURVE_INPUTS` order): two ``(n_points,
        1)`` curves, then the extra inputs it has; output ``(batch, 1)``, a
        probability.

    Examples
    --------
    >>> import numpy as np
    >>> net = build_curve_siamese(16)
    >>> curve = np.zeros((2, 16, 1), np.float32)
    >>> net.predict_on_batch([curve, curve]).shape
    (2, 1)
    >>> net.count_params()
    3009
    """
    inputs = _inputs(n_points, n_statistics, n_descriptors)
    encoder = _encoder(n_points, filters, units, name=f"{name}_encoder")
    e_ref = encoder(inputs["reference_curve"])
    e_cand = encoder(inputs["candidate_curve"])
    parts = [layers.Subtract()([e_cand, e_ref]), AbsoluteDifference()(e_cand, e_ref)]
    parts += [inputs[k] for k in ("statistics", "descriptors") if k in inputs]
    h = layers.Dense(head_units, activation="relu")(layers.Concatenate()(parts))
    out = layers.Dense(1, activation="sigmoid", name=f"{name}_similarity")(h)
    return keras.Model(list(inputs.values()), out, name=name)


def build_curve_ensemble(members: Sequence, *, n_points: int = 32, n_statistics: int = 0,
                         n_descriptors: int = 0, name: str = "curve_ensemble"):
    """Several curve networks behind one model that averages their probabilities.

    Parameters
    ----------
    members : sequence of keras.Model
        From :func:`build_curve_siamese` (trained or not); each reads the
        inputs it has.
    n_points, n_statistics, n_descriptors : int
        The ensemble's inputs: the largest any member reads.
    name : str

    Returns
    -------
    keras.Model
        Inputs as :func:`build_curve_siamese` with the given sizes; output
        ``(batch, 1)``, the members' mean probability.

    Examples
    --------
    >>> import numpy as np
    >>> nets = [build_curve_siamese(16, name="a"),
    ...         build_curve_siamese(16, n_statistics=2, name="b")]
    >>> ensemble = build_curve_ensemble(nets, n_points=16, n_statistics=2)
    >>> x = [np.zeros((3, 16, 1), np.float32)] * 2 + [np.zeros((3, 2), np.float32)]
    >>> ensemble.predict_on_batch(x).shape
    (3, 1)
    """
    if not members:
        raise ValueError("an ensemble needs at least one member network")
    inputs = _inputs(n_points, n_statistics, n_descriptors)
    missing = {t.name for m in members for t in m.inputs} - set(inputs)
    if missing:
        raise ValueError(f"the ensemble has no input {sorted(missing)} that a member reads; "
                         "give its size (n_statistics, n_descriptors)")
    outputs = [member([inputs[t.name] for t in member.inputs]) for member in members]
    mean = outputs[0] if len(outputs) == 1 else layers.Average()(outputs)
    return keras.Model(list(inputs.values()), mean, name=name)
