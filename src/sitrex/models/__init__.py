"""The SiTrEx networks in Keras 3 (any backend; sitrex defaults Keras to JAX).

Importing this module imports Keras. Choose the backend with the
``KERAS_BACKEND`` environment variable before the first import; when it is
unset and JAX is installed, sitrex picks JAX.

* :func:`build_usefulness_model`, :func:`build_siamese_model`: the two
  networks, :data:`DEFAULT_CONFIG` or :data:`PAPER_CONFIG`;
* :func:`build_paper_model`, :func:`load_paper_weights`: the paper's exact
  architecture and its published legacy ``.h5`` weights;
* :func:`build_curve_siamese`, :func:`build_curve_ensemble`: the per-angle
  Siamese network on repetition curves (:class:`sitrex.RepetitionComparator`);
* :class:`SequenceEncoder` and the layers in :mod:`sitrex.models.layers`,
  registered for Keras serialisation under the package name ``"sitrex"``.
"""

from .curves import build_curve_ensemble, build_curve_siamese
from .encoders import ENCODERS, SequenceEncoder
from .layers import (
    AbsoluteDifference,
    AngleEncoding,
    MaskedAveragePooling,
    PositionalEmbedding,
    TransformerBlock,
)
from .networks import (
    DEFAULT_CONFIG,
    PAPER_CONFIG,
    PAPER_MAX_LEN,
    build_paper_model,
    build_siamese_model,
    build_usefulness_model,
)
from .paper_weights import load_paper_weights

__all__ = [
    "DEFAULT_CONFIG",
    "ENCODERS",
    "PAPER_CONFIG",
    "PAPER_MAX_LEN",
    "AbsoluteDifference",
    "AngleEncoding",
    "MaskedAveragePooling",
    "PositionalEmbedding",
    "SequenceEncoder",
    "TransformerBlock",
    "build_curve_ensemble",
    "build_curve_siamese",
    "build_paper_model",
    "build_siamese_model",
    "build_usefulness_model",
    "load_paper_weights",
]
