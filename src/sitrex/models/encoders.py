"""The shared sequence encoder of both SiTrEx networks: angles -> one embedding.

:class:`SequenceEncoder` chains the angle encoding, a dense projection, the
positional table (transformer only), the sequence block (one transformer
block, a GRU or an LSTM), average pooling and a ``Dense(head_units, relu)``
head. It is one registered layer, so the Siamese model shares it between its
two inputs simply by calling it twice.
"""

from __future__ import annotations

from sitrex._keras import import_keras

from .layers import (
    ANGLE_ENCODINGS,
    AngleEncoding,
    MaskedAveragePooling,
    PositionalEmbedding,
    TransformerBlock,
)

keras = import_keras()

__all__ = ["ENCODERS", "POSITIONAL", "SequenceEncoder"]

#: Sequence blocks of the paper's ablation.
ENCODERS = ("transformer", "gru", "lstm")
#: Positional table options: trained weight, frozen weight, or none.
POSITIONAL = ("learned", "fixed", "none")


def check_encoder_options(encoder: str, angle_encoding: str, positional: str) -> None:
    """Raise a ValueError naming the option that is not supported."""
    for name, value, allowed in (("encoder", encoder, ENCODERS),
                                 ("angle_encoding", angle_encoding, ANGLE_ENCODINGS),
                                 ("positional", positional, POSITIONAL)):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")


@keras.saving.register_keras_serializable(package="sitrex")
class SequenceEncoder(keras.layers.Layer):
    """Encode a (padded) joint-angle sequence into one embedding vector.

    Parameters
    ----------
    max_len : int
        Number of frames of the (padded) input.
    encoder : {"transformer", "gru", "lstm"}
        Sequence block. The recurrent blocks take no positional table (they
        know the order), as in the paper's ablation.
    embed_dim : int
        Size of the projection and of the sequence block.
    num_heads, key_dim, ff_dim : int
        Transformer block sizes (`key_dim` per head).
    dropout : float
        Dropout of the transformer block.
    head_units : int
        Size of the ``Dense(relu)`` head, i.e. of the embedding.
    angle_encoding : {"sincos", "degrees"}
        See :class:`~sitrex.models.layers.AngleEncoding`.
    positional : {"learned", "fixed", "none"}
        Positional table, trained or frozen (both saved), or none.
    mask_padding : bool
        Use ``padding_mask`` in attention, recurrence and pooling. False
        reproduces the paper, which averaged the zero padding in.
    patch_size : int
        Frames per token: each run of `patch_size` consecutive frames is
        projected into one token (1 in the paper). With 4, a 100-frame
        sequence is 25 tokens: attention costs 16 times less and the other
        layers 4 times less, which is what makes sitrex's default train
        several times faster than the paper's network. Angle sequences at
        video frame rates change little from one frame to the next, so
        little is lost. A token is padding only if all its frames are.
    positional_table : array_like, optional
        Initial positional table, (n_tokens, embed_dim) with
        ``n_tokens = ceil(max_len / patch_size)``.

    Examples
    --------
    >>> import numpy as np
    >>> enc = SequenceEncoder(max_len=8, embed_dim=8, num_heads=2, key_dim=4, ff_dim=8,
    ...                       head_units=4)
    >>> enc(np.zeros((2, 8, 3), dtype="float32"), np.ones((2, 8), dtype="float32")).shape
    (2, 4)
    """

    def __init__(self, max_len: int, encoder: str = "transformer", embed_dim: int = 64,
                 num_heads: int = 4, key_dim: int = 16, ff_dim: int = 64, dropout: float = 0.1,
                 head_units: int = 32, angle_encoding: str = "sincos", positional: str = "learned",
                 mask_padding: bool = True, patch_size: int = 1, positional_table=None,
                 **kwargs):
        super().__init__(**kwargs)
        check_encoder_options(encoder, angle_encoding, positional)
        self.max_len = int(max_len)
        self.encoder = encoder
        self.embed_dim = int(embed_dim)
        self.num_heads = int(num_heads)
        self.key_dim = int(key_dim)
        self.ff_dim = int(ff_dim)
        self.dropout = float(dropout)
        self.head_units = int(head_units)
        self.angle_encoding = angle_encoding
        self.positional = positional
        self.mask_padding = bool(mask_padding)
        self.patch_size = int(patch_size)
        if self.patch_size < 1:
            raise ValueError(f"patch_size must be >= 1, got {patch_size!r}")
        self.n_tokens = -(-self.max_len // self.patch_size)

        self.encoding = AngleEncoding(angle_encoding, name="angle_encoding")
        self.projection = keras.layers.Dense(self.embed_dim, name="projection")
        self.position = None
        if encoder == "transformer" and positional != "none":
            self.position = PositionalEmbedding(
                self.n_tokens, trainable_table=positional == "learned", table=positional_table,
                name="position")
        if encoder == "transformer":
            self.block = TransformerBlock(self.num_heads, self.key_dim, self.ff_dim, self.dropout,
                                          name="transformer")
        elif encoder == "gru":
            self.block = keras.layers.GRU(self.embed_dim, return_sequences=True, name="gru")
        else:
            self.block = keras.layers.LSTM(self.embed_dim, return_sequences=True, name="lstm")
        self.pooling = MaskedAveragePooling(name="pooling")
        self.head = keras.layers.Dense(self.head_units, activation="relu", name="head")

    def build(self, angles_shape, padding_mask_shape=None):
        angles_shape = tuple(angles_shape)
        features = self.encoding.compute_output_shape(angles_shape)
        self.encoding.build(angles_shape)
        self.projection.build((angles_shape[0], self.n_tokens, features[-1] * self.patch_size))
        hidden = (angles_shape[0], self.n_tokens, self.embed_dim)
        if self.position is not None:
            self.position.build(hidden)
        self.block.build(hidden)
        self.head.build((angles_shape[0], self.embed_dim))
        self.built = True

    def _patches(self, x, mask):
        """(batch, max_len, F) -> (batch, n_tokens, patch_size * F); the mask likewise."""
        ops = keras.ops
        k, n = self.patch_size, self.n_tokens
        if mask is not None:
            x = x * ops.expand_dims(ops.cast(mask, x.dtype), -1)
        extra = n * k - self.max_len
        if extra:
            x = ops.pad(x, [[0, 0], [0, extra], [0, 0]])
        x = ops.reshape(x, (-1, n, k * x.shape[-1]))
        if mask is not None:
            if extra:
                mask = ops.pad(mask, [[0, 0], [0, extra]])
            mask = ops.max(ops.reshape(mask, (-1, n, k)), axis=-1)
        return x, mask

    def call(self, angles, padding_mask=None, training=None):
        mask = padding_mask if self.mask_padding else None
        x = self.encoding(angles)
        if self.patch_size > 1:
            x, mask = self._patches(x, mask)
        x = self.projection(x)
        if self.position is not None:
            x = self.position(x)
        if self.encoder == "transformer":
            x = self.block(x, mask, training=training)
        else:
            x = self.block(x, mask=None if mask is None else keras.ops.cast(mask, "bool"),
                           training=training)
        return self.head(self.pooling(x, mask))

    def compute_output_shape(self, angles_shape, padding_mask_shape=None):
        return (angles_shape[0], self.head_units)

    def get_config(self):
        return {**super().get_config(), "max_len": self.max_len, "encoder": self.encoder,
                "embed_dim": self.embed_dim, "num_heads": self.num_heads, "key_dim": self.key_dim,
                "ff_dim": self.ff_dim, "dropout": self.dropout, "head_units": self.head_units,
                "angle_encoding": self.angle_encoding, "positional": self.positional,
                "mask_padding": self.mask_padding, "patch_size": self.patch_size}
