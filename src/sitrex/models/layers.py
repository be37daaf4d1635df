"""Custom Keras layers of the SiTrEx networks, registered for serialisation.

Every layer here works on any Keras 3 backend and round-trips through
``model.save("m.keras")`` / ``keras.saving.load_model``. Padding masks are
passed explicitly as a float tensor ``padding_mask`` of shape
(batch, frames), 1 for a real frame and 0 for padding, rather than through
Keras's implicit mask propagation, so that what is masked is always visible in
the code.
"""

from __future__ import annotations

import math

import numpy as np

from sitrex._keras import import_keras

keras = import_keras()
ops = keras.ops

__all__ = [
    "AbsoluteDifference",
    "AngleEncoding",
    "MaskedAveragePooling",
    "PositionalEmbedding",
    "TransformerBlock",
]

_register = keras.saving.register_keras_serializable(package="sitrex")

ANGLE_ENCODINGS = ("sincos", "degrees")


@_register
class AngleEncoding(keras.layers.Layer):
    """Turn joint angles in degrees into network features.

    Parameters
    ----------
    mode : {"sincos", "degrees"}
        ``"sincos"`` (default): each angle becomes its sine and cosine, so
        the features are bounded, and 359 degrees lies next to 1 degree
        (signed plane angles wrap at 360). The output has twice as many
        features as the input. ``"degrees"``: the raw values, as the paper
        feeds them (no scaling).

    Examples
    --------
    >>> import numpy as np
    >>> out = AngleEncoding("sincos")(np.array([[[90.0, 180.0]]], dtype="float32"))
    >>> (np.round(np.asarray(out), 3) + 0.0).tolist()
    [[[1.0, 0.0, 0.0, -1.0]]]
    """

    def __init__(self, mode: str = "sincos", **kwargs):
        super().__init__(**kwargs)
        if mode not in ANGLE_ENCODINGS:
            raise ValueError(f"AngleEncoding: mode must be one of {ANGLE_ENCODINGS}, got {mode!r}")
        self.mode = mode

    def call(self, inputs):
        if self.mode == "degrees":
            return inputs
        radians = inputs * (math.pi / 180.0)
        return ops.concatenate([ops.sin(radians), ops.cos(radians)], axis=-1)

    def compute_output_shape(self, input_shape):
        if self.mode == "degrees" or input_shape[-1] is None:
            return tuple(input_shape)
        return (*input_shape[:-1], 2 * input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


@_register
class PositionalEmbedding(keras.layers.Layer):
    """Add a (max_len, dim) positional table to a sequence of embeddings.

    The table is a weight of the layer, so it is saved with the model. It is
    trained when ``trainable_table`` is true (sitrex's default) and frozen
    otherwise, as in the paper, whose table was random and never trained.

    Parameters
    ----------
    max_len : int
        Longest sequence; the first ``frames`` rows are added.
    trainable_table : bool
        Train the table (default) or keep it fixed.
    table : array_like of shape (max_len, dim), optional
        Initial table (for the paper's stored tables). Default: uniform in
        [-0.05, 0.05], as Keras's ``Embedding`` initialises it.

    Examples
    --------
    >>> import numpy as np
    >>> layer = PositionalEmbedding(4, table=np.ones((4, 2)))
    >>> np.asarray(layer(np.zeros((1, 3, 2), dtype="float32"))).tolist()
    [[[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]]
    """

    def __init__(self, max_len: int, trainable_table: bool = True, table=None, **kwargs):
        super().__init__(**kwargs)
        self.max_len = int(max_len)
        self.trainable_table = bool(trainable_table)
        self._initial_table = None if table is None else np.asarray(table, dtype="float32")
        if self._initial_table is not None and (
            self._initial_table.ndim != 2 or self._initial_table.shape[0] != self.max_len
        ):
            raise ValueError(
                f"PositionalEmbedding: table must have shape ({self.max_len}, dim), got "
                f"{self._initial_table.shape}"
            )

    def build(self, input_shape):
        dim = int(input_shape[-1])
        if self._initial_table is not None:
            if self._initial_table.shape[1] != dim:
                raise ValueError(
                    f"PositionalEmbedding: table has {self._initial_table.shape[1]} columns but "
                    f"the embeddings have {dim}"
                )
            initializer = keras.initializers.Constant(self._initial_table)
        else:
            initializer = keras.initializers.RandomUniform(-0.05, 0.05)
        self.table = self.add_weight(
            name="table", shape=(self.max_len, dim), initializer=initializer,
            trainable=self.trainable_table,
        )
        self._initial_table = None
        self.built = True

    def call(self, inputs):
        frames = ops.shape(inputs)[1]
        return inputs + ops.expand_dims(self.table[:frames], 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "max_len": self.max_len,
                "trainable_table": self.trainable_table}


@_register
class MaskedAveragePooling(keras.layers.Layer):
    """Average over frames, ignoring padding.

    ``call(inputs, padding_mask=None)``: with a mask, the mean of the real
    frames only (a sequence with no real frame gives zeros); without one,
    the plain mean over every frame, padding included, as the paper's
    ``GlobalAveragePooling1D`` did.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[[2.0], [4.0], [0.0]]], dtype="float32")
    >>> mask = np.array([[1.0, 1.0, 0.0]], dtype="float32")
    >>> float(np.asarray(MaskedAveragePooling()(x, mask))[0, 0])
    3.0
    >>> float(np.asarray(MaskedAveragePooling()(x))[0, 0])
    2.0
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True  # accepts (and drops) a Keras mask from a recurrent layer

    def compute_mask(self, inputs, mask=None):
        return None

    def call(self, inputs, padding_mask=None):
        if padding_mask is None:
            return ops.mean(inputs, axis=1)
        weights = ops.expand_dims(ops.cast(padding_mask, inputs.dtype), -1)
        total = ops.sum(inputs * weights, axis=1)
        count = ops.maximum(ops.sum(weights, axis=1), 1.0)
        return total / count

    def compute_output_shape(self, input_shape, padding_mask_shape=None):
        return (input_shape[0], input_shape[-1])


@_register
class TransformerBlock(keras.layers.Layer):
    """One post-norm transformer encoder block, with an optional padding mask.

    ``y = LN(x + Dropout(MHA(x, x)))``, then
    ``LN(y + Dropout(Dense(dim)(Dense(ff_dim, relu)(y))))``: the block of the
    paper (LayerNorm epsilon 1e-6). With ``padding_mask`` the attention
    ignores padded keys.

    Parameters
    ----------
    num_heads : int
    key_dim : int
        Size of each head (the paper: 64, equal to the embedding size).
    ff_dim : int
        Hidden size of the feed-forward part.
    dropout : float

    Examples
    --------
    >>> import numpy as np
    >>> block = TransformerBlock(num_heads=2, key_dim=4, ff_dim=8)
    >>> block(np.zeros((1, 5, 6), dtype="float32"), np.ones((1, 5), dtype="float32")).shape
    (1, 5, 6)
    """

    def __init__(self, num_heads: int = 4, key_dim: int = 64, ff_dim: int = 64,
                 dropout: float = 0.1, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        self.num_heads = int(num_heads)
        self.key_dim = int(key_dim)
        self.ff_dim = int(ff_dim)
        self.dropout = float(dropout)
        self.epsilon = float(epsilon)
        self.attention = keras.layers.MultiHeadAttention(
            num_heads=self.num_heads, key_dim=self.key_dim, name="attention")
        self.dropout1 = keras.layers.Dropout(self.dropout)
        self.norm1 = keras.layers.LayerNormalization(epsilon=self.epsilon, name="norm1")
        self.ff1 = keras.layers.Dense(self.ff_dim, activation="relu", name="ff1")
        self.dropout2 = keras.layers.Dropout(self.dropout)
        self.norm2 = keras.layers.LayerNormalization(epsilon=self.epsilon, name="norm2")
        self.ff2 = None  # needs the embedding size: created in build

    def build(self, inputs_shape, padding_mask_shape=None):
        inputs_shape = tuple(inputs_shape)
        dim = int(inputs_shape[-1])
        self.attention.build(inputs_shape, inputs_shape)
        self.norm1.build(inputs_shape)
        self.ff1.build(inputs_shape)
        self.ff2 = keras.layers.Dense(dim, name="ff2")
        self.ff2.build((*inputs_shape[:-1], self.ff_dim))
        self.norm2.build(inputs_shape)
        self.built = True

    def call(self, inputs, padding_mask=None, training=None):
        attention_mask = None
        if padding_mask is not None:
            keys = ops.cast(padding_mask, "bool")
            frames = ops.shape(inputs)[1]
            attention_mask = ops.repeat(ops.expand_dims(keys, 1), frames, axis=1)
        attended = self.attention(inputs, inputs, attention_mask=attention_mask, training=training)
        y = self.norm1(inputs + self.dropout1(attended, training=training))
        ff = self.ff2(self.ff1(y))
        return self.norm2(y + self.dropout2(ff, training=training))

    def compute_output_shape(self, inputs_shape, padding_mask_shape=None):
        return tuple(inputs_shape)

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "ff_dim": self.ff_dim, "dropout": self.dropout, "epsilon": self.epsilon}


@_register
class AbsoluteDifference(keras.layers.Layer):
    """``|a - b|``, element-wise: the Siamese comparison of two embeddings.

    Examples
    --------
    >>> import numpy as np
    >>> np.asarray(AbsoluteDifference()(np.array([1.0, 5.0]), np.array([3.0, 1.0]))).tolist()
    [2.0, 4.0]
    """

    def call(self, a, b):
        return ops.abs(a - b)

    def compute_output_shape(self, a_shape, b_shape=None):
        return tuple(a_shape)
