"""The two SiTrEx networks, in the paper's configuration or sitrex's default one.

Both networks take fixed-length, padded angle sequences and a padding mask:

* :func:`build_usefulness_model`: inputs ``angles`` (batch, max_len,
  n_angles) and ``mask`` (batch, max_len); output (batch, n_angles)
  sigmoids, "does this angle matter for the exercise being performed".
* :func:`build_siamese_model`: inputs ``reference_angles``,
  ``reference_mask``, ``candidate_angles``, ``candidate_mask``; the two
  sequences go through one shared :class:`~sitrex.models.SequenceEncoder`,
  and ``Dense(n_angles, sigmoid)(|e_ref - e_cand|)`` says per angle "does the
  candidate match the reference".

The mask is 1 for a real frame and 0 for padding. With ``mask_padding=False``
(the paper) it is accepted and ignored.

Configurations
--------------
The default configuration fixes three problems of the paper's code: its
positional table is a trained, saved weight (the paper's was a random
constant rebuilt on every build and never saved); padding is masked in
attention and pooling (the paper averaged the zero padding in, so its outputs
depend on the padded length); and angles enter as sine and cosine (the paper
fed raw degrees, and signed plane angles wrap at 360). It is also smaller and
faster: 16-dimensional attention heads (the paper's were 64) and tokens of 4
frames (``patch_size``). :data:`PAPER_CONFIG`
is the paper's exact architecture, needed by its published weights (see
:func:`build_paper_model`).
"""

from __future__ import annotations

from typing import Any

from sitrex._keras import import_keras

from .encoders import SequenceEncoder, check_encoder_options
from .layers import AbsoluteDifference

keras = import_keras()

__all__ = [
    "DEFAULT_CONFIG",
    "PAPER_CONFIG",
    "PAPER_MAX_LEN",
    "build_paper_model",
    "build_siamese_model",
    "build_usefulness_model",
]

#: sitrex's default architecture (small and masked; see the module documentation).
DEFAULT_CONFIG: dict[str, Any] = dict(
    encoder="transformer", embed_dim=64, num_heads=4, key_dim=16, ff_dim=64, dropout=0.1,
    head_units=32, angle_encoding="sincos", positional="learned", mask_padding=True,
    patch_size=4,
)
#: The paper's architecture: raw degrees, frozen positional table, one post-norm
#: transformer block with 4 heads of key size 64, unmasked average pooling.
PAPER_CONFIG: dict[str, Any] = dict(
    encoder="transformer", embed_dim=64, num_heads=4, key_dim=64, ff_dim=64, dropout=0.1,
    head_units=32, angle_encoding="degrees", positional="fixed", mask_padding=False,
    patch_size=1,
)
#: Sequence lengths the published weights were trained at.
PAPER_MAX_LEN = {"usefulness": 800, "similarity": 300}


def _encoder(max_len: int, config: dict[str, Any], positional_table=None) -> SequenceEncoder:
    options = {**DEFAULT_CONFIG, **config}
    unknown = sorted(set(options) - set(DEFAULT_CONFIG))
    if unknown:
        raise TypeError(f"unknown model option(s): {', '.join(unknown)}")
    check_encoder_options(options["encoder"], options["angle_encoding"], options["positional"])
    return SequenceEncoder(max_len, positional_table=positional_table, name="encoder", **options)


def _check_sizes(n_angles: int, max_len: int) -> None:
    if int(n_angles) < 1 or int(max_len) < 1:
        raise ValueError(f"n_angles and max_len must be positive, got {n_angles} and {max_len}")


def build_usefulness_model(n_angles: int = 23, max_len: int = 100, *, positional_table=None,
                           name: str = "usefulness", **config: Any):
    """Build the angle-usefulness network (uncompiled).

    Parameters
    ----------
    n_angles : int
        Angle columns in and sigmoid outputs out.
    max_len : int
        Frames of the padded input.
    positional_table : array_like of shape (max_len, embed_dim), optional
        Initial positional table.
    name : str
        Model name.
    **config
        Architecture options overriding :data:`DEFAULT_CONFIG`: ``encoder``,
        ``embed_dim``, ``num_heads``, ``key_dim``, ``ff_dim``, ``dropout``,
        ``head_units``, ``angle_encoding``, ``positional``, ``mask_padding``,
        ``patch_size`` (see :class:`~sitrex.models.SequenceEncoder`).

    Returns
    -------
    keras.Model
        Inputs ``[angles, mask]``, output (batch, n_angles).

    Examples
    --------
    >>> import numpy as np
    >>> model = build_usefulness_model(3, 8, embed_dim=8, key_dim=4, ff_dim=8, head_units=4)
    >>> model.predict([np.zeros((2, 8, 3)), np.ones((2, 8))], verbose=0).shape
    (2, 3)
    """
    _check_sizes(n_angles, max_len)
    encoder = _encoder(max_len, config, positional_table)
    angles = keras.Input((max_len, n_angles), name="angles")
    mask = keras.Input((max_len,), name="mask")
    outputs = keras.layers.Dense(n_angles, activation="sigmoid", name="usefulness")(
        encoder(angles, mask))
    return keras.Model([angles, mask], outputs, name=name)


def build_siamese_model(n_angles: int = 23, max_len: int = 100, *, positional_table=None,
                        name: str = "similarity", **config: Any):
    """Build the Siamese similarity network (uncompiled).

    Parameters are those of :func:`build_usefulness_model`.

    Returns
    -------
    keras.Model
        Inputs ``[reference_angles, reference_mask, candidate_angles,
        candidate_mask]``, output (batch, n_angles) per-angle similarity.

    Examples
    --------
    >>> import numpy as np
    >>> model = build_siamese_model(3, 8, embed_dim=8, key_dim=4, ff_dim=8, head_units=4)
    >>> x, m = np.zeros((2, 8, 3)), np.ones((2, 8))
    >>> model.predict([x, m, x, m], verbose=0).shape
    (2, 3)
    """
    _check_sizes(n_angles, max_len)
    encoder = _encoder(max_len, config, positional_table)
    ref = keras.Input((max_len, n_angles), name="reference_angles")
    ref_mask = keras.Input((max_len,), name="reference_mask")
    cand = keras.Input((max_len, n_angles), name="candidate_angles")
    cand_mask = keras.Input((max_len,), name="candidate_mask")
    difference = AbsoluteDifference(name="difference")(encoder(ref, ref_mask),
                                                        encoder(cand, cand_mask))
    outputs = keras.layers.Dense(n_angles, activation="sigmoid", name="similarity")(difference)
    return keras.Model([ref, ref_mask, cand, cand_mask], outputs, name=name)


def build_paper_model(kind: str, *, max_len: int | None = None, positional_table=None,
                      n_angles: int = 23):
    """The paper's exact architecture, as its published weights need it.

    Parameters
    ----------
    kind : {"usefulness", "similarity"}
    max_len : int, optional
        Default: the published weights' length, 800 (usefulness) or 300
        (similarity). The positional table must have this many rows.
    positional_table : array_like, optional
        The positional table. The paper never saved its tables; pass the
        stored ones for exact reproduction. Default: a random frozen table,
        U(-0.05, 0.05), like the paper's.
    n_angles : int
        23 for the published weights.

    Examples
    --------
    >>> model = build_paper_model("similarity", max_len=16)
    >>> model.count_params()
    80343
    """
    if kind not in PAPER_MAX_LEN:
        raise ValueError(f"kind must be 'usefulness' or 'similarity', got {kind!r}")
    max_len = PAPER_MAX_LEN[kind] if max_len is None else int(max_len)
    build = build_usefulness_model if kind == "usefulness" else build_siamese_model
    return build(n_angles, max_len, positional_table=positional_table, **PAPER_CONFIG)
