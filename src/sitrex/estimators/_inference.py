"""Running fitted networks: chunks sized to the attention cost, the encoder alone, embeddings.

Callers hand over any number of sequences; the networks see them in chunks
of one power-of-two size (:func:`inference_batch_size`), the last chunk
zero-padded to a power of two, so JAX compiles few input shapes.
"""

from __future__ import annotations

import numpy as np

from sitrex._keras import NETWORK_LOCK
from sitrex.exceptions import InputError

__all__ = ["encoder_only", "inference_batch_size", "predict_in_chunks",
           "similarity_from_embeddings"]

#: Attention scores (floats) one chunk may hold: about 8 MB, so they stay in the CPU caches.
_ATTENTION_BUDGET = 1 << 21
#: Largest chunk (recurrent encoders, short transformer inputs).
_MAX_BATCH = 512


def inference_batch_size(estimator, max_len: int) -> int:
    """Sequences per network call at inference: a power of two from 1 to 512.

    A transformer's attention holds ``num_heads * n_tokens ** 2`` scores per
    sequence (``n_tokens = ceil(max_len / patch_size)``); chunks are sized
    to keep about two million of them, so they stay in the CPU caches.
    Measured on 2 CPU cores: sitrex's default architecture (25 tokens) is
    fastest with the largest chunks, the paper's (300 tokens) with chunks
    of 2 to 8, and 3.5 times slower at 256. Recurrent encoders get the
    largest chunk.

    Examples
    --------
    >>> from sitrex import ExerciseComparator
    >>> from sitrex.models import PAPER_CONFIG
    >>> inference_batch_size(ExerciseComparator(), 100)
    512
    >>> inference_batch_size(ExerciseComparator(**PAPER_CONFIG), 300)
    4
    """
    if estimator.encoder != "transformer":
        return _MAX_BATCH
    tokens = -(-int(max_len) // max(1, int(estimator.patch_size)))
    per_sequence = max(1, int(estimator.num_heads)) * tokens * tokens
    fits = max(1, _ATTENTION_BUDGET // per_sequence)
    return min(_MAX_BATCH, 1 << (fits.bit_length() - 1))


def _next_power_of_two(n: int) -> int:
    return 1 << (n - 1).bit_length()


def predict_in_chunks(network, inputs: list[np.ndarray], chunk: int) -> np.ndarray:
    """The network's outputs for all samples of `inputs`, `chunk` samples per call.

    Every call but the last gets exactly `chunk` samples; the last is
    zero-padded to the next power of two (and the padding's outputs
    dropped), so a power-of-two `chunk` gives at most ``log2(chunk) + 1``
    input shapes over any number of calls.

    Returns
    -------
    numpy.ndarray of float64, one row per sample
    """
    n = len(inputs[0])
    out = []
    for start in range(0, n, chunk):
        part = [a[start:start + chunk] for a in inputs]
        m = len(part[0])
        size = _next_power_of_two(m)
        if size != m:
            part = [np.concatenate([a, np.zeros((size - m, *a.shape[1:]), a.dtype)])
                    for a in part]
        with NETWORK_LOCK:
            out.append(np.asarray(network.predict_on_batch(part))[:m])
    return np.concatenate(out).astype(np.float64)


def encoder_only(similarity_network):
    """A Keras model of the Siamese network's shared encoder: (angles, mask) -> embedding."""
    from sitrex._keras import import_keras

    keras = import_keras()
    encoder = similarity_network.get_layer("encoder")
    angles = keras.Input(tuple(similarity_network.inputs[0].shape[1:]), name="angles")
    mask = keras.Input(tuple(similarity_network.inputs[1].shape[1:]), name="mask")
    return keras.Model([angles, mask], encoder(angles, mask), name="encoder_only")


def similarity_from_embeddings(similarity_network, reference, candidates) -> np.ndarray:
    """The Siamese head on encoder outputs: ``sigmoid(|reference - candidates| @ W + b)``.

    Parameters
    ----------
    similarity_network : keras.Model
        Its ``"similarity"`` layer holds ``W`` and ``b``.
    reference : array (embedding size,) or (n, embedding size)
    candidates : array (n, embedding size)

    Returns
    -------
    numpy.ndarray of shape (n, n_angles)
    """
    kernel, bias = (np.asarray(w, dtype=np.float64)
                    for w in similarity_network.get_layer("similarity").get_weights())
    ref = np.asarray(reference, dtype=np.float64)
    cand = np.atleast_2d(np.asarray(candidates, dtype=np.float64))
    if cand.ndim != 2 or cand.shape[1] != kernel.shape[0] or ref.shape[-1] != kernel.shape[0]:
        raise InputError(
            f"embeddings must have {kernel.shape[0]} columns (from embed()); got reference "
            f"{ref.shape} and candidates {cand.shape}")
    logits = np.abs(ref - cand) @ kernel + bias
    return 1.0 / (1.0 + np.exp(-logits))
