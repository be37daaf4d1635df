"""What both SiTrEx estimators share: parameters, input checks, padding, training, saving.

Keras is imported only inside methods (fit, predict, load, unpickling), never
when this module is imported.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from sitrex.sequences import fill_gaps, pad_sequences

_FORMAT = "sitrex-estimator"
_FORMAT_VERSION = 2
_META_ENTRY = "sitrex.json"

#: Architecture parameters, in the order of __init__ (see DEFAULT_CONFIG).
_ARCH = ("encoder", "embed_dim", "num_heads", "key_dim", "ff_dim", "dropout", "head_units",
         "angle_encoding", "positional", "mask_padding", "patch_size")

_PARAMS_DOC = """
    encoder : {"transformer", "gru", "lstm"}, default="transformer"
        Sequence block (the paper's ablation).
    embed_dim : int, default=64
        Projection and sequence-block size.
    num_heads : int, default=4
        Attention heads.
    key_dim : int, default=16
        Size of each attention head (the paper used 64).
    ff_dim : int, default=64
        Feed-forward size of the transformer block.
    dropout : float, default=0.1
    head_units : int, default=32
        Size of the ``Dense(relu)`` embedding head.
    angle_encoding : {"sincos", "degrees"}, default="sincos"
        Angles enter as sine and cosine (handles the 360 wrap) or raw
        degrees (the paper).
    positional : {"learned", "fixed", "none"}, default="learned"
        Positional table of the transformer: trained, frozen random (the
        paper), or none.
    mask_padding : bool, default=True
        Mask padding in attention and pooling (False: the paper, whose
        outputs depend on the padded length).
    patch_size : int, default=4
        Frames per token (1 in the paper); 4 makes training several times
        faster at little cost (see :class:`sitrex.models.SequenceEncoder`).
    max_len : int, default=100
        Frames the network sees. Shorter sequences are zero-padded and
        masked; longer ones keep their **last** `max_len` frames (the most
        recent movement, as in the paper's live sliding window).
    epochs : int, default=30
    batch_size : int, default=32
    learning_rate : float, default=1e-3
        Adam learning rate.
    early_stopping : bool, default=False
        Hold out `validation_fraction` of the training samples and stop when
        the validation loss has not improved for `n_iter_no_change` epochs,
        keeping the best weights (in memory; nothing is written to disk).
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=5
    threshold : float, default=0.5
        Probability at or above which `predict` says 1.
    missing : {"raise", "interpolate"}, default="raise"
        NaN angles: raise a ValueError, or fill them with
        :func:`sitrex.fill_gaps` (linear interpolation in time; angles never
        measured in a sequence become 0).
    angle_names : sequence of str, optional
        Names of the angle columns, for :meth:`compare`-style output.
        Default: :data:`sitrex.ANGLE_NAMES` for 23 columns, else
        ``"angle 0"``, ``"angle 1"``, ...
    verbose : int, default=0
        0 silent; 1 a per-epoch progress bar with the losses.
    random_state : int, RandomState or None, default=None
        Seeds weight initialisation, shuffling and dropout (like
        ``keras.utils.set_random_seed``, this also seeds Python's and
        numpy's global generators). With an int, two fits on the JAX CPU
        backend give identical predictions.
"""


def _as_float_sequence(seq: Any, where: str) -> np.ndarray:
    try:
        return np.asarray(seq, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where} could not be converted to a float array: {exc}") from exc


def check_sequences(X: Any, *, n_angles: int | None = None, missing: str = "raise",
                    name: str = "X", angle_names=None) -> list[np.ndarray]:
    """Validated list of (T_i, n_angles) float32 sequences from a 3-D array or a list of 2-D ones."""
    if isinstance(X, np.ndarray) and X.dtype != object:
        if X.ndim != 3:
            raise ValueError(
                f"{name} must be a 3-D array (n_sequences, n_frames, n_angles) or a list of 2-D "
                f"(n_frames, n_angles) arrays; got a {X.ndim}-D array of shape {X.shape}"
                + (" (for one sequence, pass [sequence])" if X.ndim == 2 else ""))
        seqs = [_as_float_sequence(s, f"{name}[{i}]") for i, s in enumerate(X)]
    else:
        if isinstance(X, (str, bytes)) or not hasattr(X, "__len__"):
            raise ValueError(f"{name} must be a 3-D array or a list of 2-D (n_frames, n_angles) "
                             f"arrays; got {type(X).__name__}")
        seqs = [_as_float_sequence(s, f"{name}[{i}]") for i, s in enumerate(X)]
    if not seqs:
        raise ValueError(f"{name} is empty: no sequence given")
    expected = n_angles
    for i, s in enumerate(seqs):
        if s.ndim != 2:
            raise ValueError(f"{name}[{i}] must be 2-D (n_frames, n_angles); got shape {s.shape}")
        if s.shape[0] == 0:
            raise ValueError(f"{name}[{i}] is an empty sequence (0 frames)")
        if expected is None:
            expected = s.shape[1]
        if s.shape[1] != expected:
            what = "the fitted estimator has" if n_angles is not None else f"{name}[0] has"
            raise ValueError(f"{name}[{i}] has {s.shape[1]} angle columns but {what} {expected}")
        if np.isinf(s).any():
            raise ValueError(f"{name}[{i}] contains inf")
    if missing == "interpolate":
        return [s if not np.isnan(s).any() else f.astype(np.float32)
                for s, f in zip(seqs, fill_gaps(seqs))]
    if missing != "raise":
        raise ValueError(f"missing must be 'raise' or 'interpolate'; got {missing!r}")
    for i, s in enumerate(seqs):
        if np.isnan(s).any():
            frame, col = np.argwhere(np.isnan(s))[0]
            label = angle_names[col] if angle_names is not None and col < len(angle_names) else \
                f"column {col}"
            raise ValueError(
                f"{name}[{i}] contains NaN (first at frame {frame}, {label}): an angle that was "
                "not measured. Fill the gaps deliberately (sitrex.fill_gaps, or "
                "missing='interpolate'), or drop that angle column")
    return seqs


def check_targets(y: Any, n_samples: int, n_angles: int, name: str = "y") -> np.ndarray:
    """(n_samples, n_angles) float32 0/1 targets, or a ValueError naming the problem."""
    if y is None:
        raise ValueError(f"{name} is required: a (n_samples, n_angles) 0/1 array")
    arr = np.asarray(y)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_angles) with one 0/1 column per "
                         f"angle; got shape {arr.shape}")
    if arr.shape != (n_samples, n_angles):
        raise ValueError(f"{name} has shape {arr.shape}; expected ({n_samples}, {n_angles}): one "
                         "row per sample, one column per angle")
    try:
        values = arr.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric 0/1: {exc}") from exc
    bad = ~np.isin(values, (0.0, 1.0))
    if bad.any():
        raise ValueError(f"{name} must be binary (0 or 1 per angle); found "
                         f"{np.unique(values[bad])[:5].tolist()}")
    return values.astype(np.float32)


_ATTENTION_BUDGET = 1 << 21
_MAX_BATCH = 512


def inference_batch_size(estimator, max_len: int) -> int:
    """Sequences per network call at inference: a power of two from 1 to 512.

    A transformer's attention holds ``num_heads * n_tokens ** 2`` scores per
    sequence (``n_tokens = ceil(max_len / patch_size)``); batches are sized
    to keep about two million of them, so they stay in the CPU caches.
    Measured on 2 CPU cores: sitrex's default architecture (25 tokens) is
    fastest with the largest batches, the paper's (300 tokens) with batches
    of 2 to 8, and 3.5 times slower at 256. Recurrent encoders get the
    largest batch.

    Examples
    --------
    >>> from sitrex import ExerciseComparator
    >>> from sitrex.models import PAPER_CONFIG
    >>> inference_batch_size(ExerciseComparator(), 100)
    512
    >>> inference_batch_size(ExerciseComparator(**PAPER_CONFIG), 300)
    4
    """
    if getattr(estimator, "encoder", "transformer") != "transformer":
        return _MAX_BATCH
    tokens = -(-int(max_len) // max(1, int(getattr(estimator, "patch_size", 1))))
    per_sequence = max(1, int(getattr(estimator, "num_heads", 1))) * tokens * tokens
    fits = max(1, _ATTENTION_BUDGET // per_sequence)
    return min(_MAX_BATCH, 1 << (fits.bit_length() - 1))


def _progress_callback(epochs: int, desc: str):
    from tqdm.auto import tqdm

    from sitrex._keras import import_keras

    keras = import_keras()

    class _EpochBar(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.bar = tqdm(total=epochs, desc=desc, unit="epoch")

        def on_epoch_end(self, epoch, logs=None):
            self.bar.update(1)
            if logs:
                self.bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()})

        def on_train_end(self, logs=None):
            self.bar.close()

    return _EpochBar()


def _weights_to_bytes(model) -> bytes:
    """The network's weights as .npz bytes (no pickle, no Keras serialisation)."""
    buffer = io.BytesIO()
    np.savez(buffer, *[np.asarray(w) for w in model.get_weights()])
    return buffer.getvalue()


def _weights_from_bytes(data: bytes) -> list[np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        return [z[f"arr_{i}"] for i in range(len(z.files))]


class SiTrExEstimatorBase(ClassifierMixin, BaseEstimator):
    """Shared machinery of the SiTrEx estimators (private base class)."""

    _networks: tuple[str, ...] = ()

    def __init__(self, *, encoder="transformer", embed_dim=64, num_heads=4, key_dim=16, ff_dim=64,
                 dropout=0.1, head_units=32, angle_encoding="sincos", positional="learned",
                 mask_padding=True, patch_size=4, max_len=100, epochs=30, batch_size=32,
                 learning_rate=1e-3,
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=5, threshold=0.5,
                 missing="raise", angle_names=None, verbose=0, random_state=None):
        self.encoder = encoder
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.ff_dim = ff_dim
        self.dropout = dropout
        self.head_units = head_units
        self.angle_encoding = angle_encoding
        self.positional = positional
        self.mask_padding = mask_padding
        self.patch_size = patch_size
        self.max_len = max_len
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.threshold = threshold
        self.missing = missing
        self.angle_names = angle_names
        self.verbose = verbose
        self.random_state = random_state

    # ------------------------------------------------------------------ sklearn tags
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        tags.target_tags.required = True
        tags.non_deterministic = self.random_state is None
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags

    @property
    def classes_(self) -> np.ndarray:
        """The label indices ``0 .. n_angles - 1``, one label per angle.

        scikit-learn's convention for multi-label classifiers; with it every
        scorer (``"f1_micro"``, ``"roc_auc"``, ...) works, not only
        :meth:`score`.
        """
        check_is_fitted(self, "n_angles_")
        return np.arange(self.n_angles_)

    # ------------------------------------------------------------------ helpers
    def _validate_options(self) -> None:
        for name in ("embed_dim", "num_heads", "key_dim", "ff_dim", "head_units", "max_len",
                     "patch_size", "epochs", "batch_size", "n_iter_no_change"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}")
        if not 0.0 <= float(self.dropout) < 1.0:
            raise ValueError(f"dropout must be in [0, 1); got {self.dropout!r}")
        if not 0.0 < float(self.validation_fraction) < 1.0:
            raise ValueError(f"validation_fraction must be in (0, 1); got "
                             f"{self.validation_fraction!r}")
        if not 0.0 < float(self.threshold) < 1.0:
            raise ValueError(f"threshold must be in (0, 1); got {self.threshold!r}")
        for name, value, allowed in (("encoder", self.encoder, ("transformer", "gru", "lstm")),
                                     ("angle_encoding", self.angle_encoding, ("sincos", "degrees")),
                                     ("positional", self.positional, ("learned", "fixed", "none")),
                                     ("missing", self.missing, ("raise", "interpolate"))):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got "
                                 f"{value!r}")

    def _architecture(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _ARCH}

    def _resolve_angle_names(self, n_angles: int) -> tuple[str, ...]:
        if self.angle_names is not None:
            names = tuple(str(n) for n in self.angle_names)
            if len(names) != n_angles:
                raise ValueError(f"angle_names has {len(names)} names but the data have "
                                 f"{n_angles} angle columns")
            return names
        if n_angles == 23:
            from sitrex.angle_table import ANGLE_NAMES

            return tuple(ANGLE_NAMES)
        return tuple(f"angle {i}" for i in range(n_angles))

    def _seed(self) -> int | None:
        from sitrex._keras import set_random_seed

        if self.random_state is None:
            return None
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        set_random_seed(seed)
        return seed

    def _train(self, model, inputs: list[np.ndarray], y: np.ndarray, desc: str, seed):
        """Compile and fit one network; returns its history dict."""
        from sitrex._keras import import_keras

        keras = import_keras()
        model.compile(optimizer=keras.optimizers.Adam(float(self.learning_rate)),
                      loss="binary_crossentropy", metrics=["binary_accuracy"])
        callbacks, validation = [], None
        n = len(y)
        if self.early_stopping:
            rng = np.random.default_rng(seed)
            n_val = max(1, int(round(float(self.validation_fraction) * n)))
            if n - n_val < 1:
                raise ValueError(f"early_stopping needs at least 2 samples; got {n}")
            order = rng.permutation(n)
            val, train = order[:n_val], order[n_val:]
            validation = ([a[val] for a in inputs], y[val])
            inputs, y = [a[train] for a in inputs], y[train]
            callbacks.append(keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=int(self.n_iter_no_change), restore_best_weights=True))
        if self.verbose:
            callbacks.append(_progress_callback(int(self.epochs), desc))
        history = model.fit(inputs, y, batch_size=int(self.batch_size), epochs=int(self.epochs),
                            verbose=0, shuffle=True, validation_data=validation,
                            callbacks=callbacks)
        return {k: [float(v) for v in vals] for k, vals in history.history.items()}

    def _run(self, model, inputs: list[np.ndarray]) -> np.ndarray:
        """Probabilities in fixed-size chunks (powers of two), so JAX compiles few shapes."""
        n = len(inputs[0])
        chunk = inference_batch_size(self, int(inputs[0].shape[1]))
        out = []
        for start in range(0, n, chunk):
            part = [a[start:start + chunk] for a in inputs]
            m = len(part[0])
            size = 1 << (m - 1).bit_length()
            if size != m:
                part = [np.concatenate([a, np.zeros((size - m, *a.shape[1:]), a.dtype)])
                        for a in part]
            out.append(np.asarray(model.predict_on_batch(part))[:m])
        return np.concatenate(out).astype(np.float64)

    def _sequences(self, X, name="X"):
        check_is_fitted(self)
        return check_sequences(X, n_angles=self.n_angles_, missing=self.missing, name=name,
                               angle_names=self.angle_names_)

    @staticmethod
    def _per_angle_accuracy(y_true: np.ndarray, y_pred: np.ndarray,
                            sample_weight=None) -> float:
        per_sample = (y_true == y_pred).mean(axis=1)
        return float(np.average(per_sample, weights=sample_weight))

    # ------------------------------------------------------------------ pickling and saving
    def _build_network(self, name: str, n_angles: int):
        """An untrained network `name` (one of `_networks`) for the current parameters."""
        from sitrex.models import build_siamese_model, build_usefulness_model

        build = build_siamese_model if name == "similarity_model_" else build_usefulness_model
        return build(n_angles, self._network_max_len(name), **self._architecture())

    def _network_max_len(self, name: str) -> int:
        """Frames the network `name` sees (``max_len``; a subclass may differ per network)."""
        return int(self.max_len)

    def _restore_network(self, name: str, data: bytes):
        model = self._build_network(name, self.n_angles_)
        model.set_weights(_weights_from_bytes(data))
        return model

    # Fitted networks travel as their weights: the architecture is rebuilt from the
    # parameters. This avoids Keras's own serialisation, which imports TensorFlow
    # whenever it is installed (fatal next to JAX in some environments).
    def __getstate__(self):
        state = super().__getstate__() if hasattr(super(), "__getstate__") else dict(self.__dict__)
        state = {k: v for k, v in state.items() if not k.endswith("_cache")}
        for name in self._networks:
            if name in state:
                state[name] = _weights_to_bytes(state[name])
        return state

    def __setstate__(self, state):
        state = dict(state)
        networks = {name: state.pop(name) for name in self._networks
                    if isinstance(state.get(name), bytes)}
        self.__dict__.update(state)
        for name, data in networks.items():
            setattr(self, name, self._restore_network(name, data))

    def _fitted_json(self) -> dict[str, Any]:
        return {"n_angles_": int(self.n_angles_), "angle_names_": list(self.angle_names_),
                "history_": self.history_}

    def _keras_archive(self) -> bytes:
        """The fitted networks as one Keras ``.keras`` archive (bytes)."""
        import tempfile

        from sitrex._keras import import_keras

        keras = import_keras()
        inputs, outputs = [], {}
        for attr in self._networks:
            network = getattr(self, attr)
            own = [keras.Input(tuple(t.shape[1:]), name=f"{network.name}__{t.name}")
                   for t in network.inputs]
            inputs.extend(own)
            outputs[network.name] = network(own)
        bundle = keras.Model(inputs, outputs, name=f"sitrex_{type(self).__name__}")
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "model.keras"
            bundle.save(target)
            return target.read_bytes()

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Save the fitted estimator to one ``.keras`` file.

        The file is a Keras 3 model archive (``keras.saving.load_model(path,
        safe_mode=True)`` opens it: one model bundling the fitted networks,
        positional tables included as weights) plus a ``sitrex.json`` entry
        with the estimator's class, parameters and fitted attributes. It
        holds no pickle and no Lambda layer, so loading it runs no code from
        the file. Keras imports TensorFlow while saving and loading such
        files when TensorFlow is installed.

        Parameters
        ----------
        path : str or os.PathLike
            A file name ending in ``.keras``. Written atomically.

        Returns
        -------
        pathlib.Path
            The path written.
        """
        check_is_fitted(self)
        path = Path(path)
        if path.suffix != ".keras":
            raise ValueError(f"save to a file name ending in '.keras' (a Keras model archive); "
                             f"got {str(path)!r}")
        params = {}
        for key, value in self.get_params(deep=False).items():
            if isinstance(value, np.generic):
                value = value.item()
            if key == "random_state" and not isinstance(value, (int, type(None))):
                value = None  # a RandomState instance is not saved
            if key == "angle_names" and value is not None:
                value = list(value)
            params[key] = value
        meta = {"format": _FORMAT, "format_version": _FORMAT_VERSION,
                "class": type(self).__name__, "params": params, "fitted": self._fitted_json(),
                "networks": {attr: getattr(self, attr).name for attr in self._networks},
                "metadata": dict(getattr(self, "metadata_", {}) or {})}
        buffer = io.BytesIO(self._keras_archive())
        with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(_META_ENTRY, json.dumps(meta, indent=1))
        from sitrex._atomic import atomic_write

        with atomic_write(path, "wb") as f:
            f.write(buffer.getvalue())
        return path

    @classmethod
    def read_metadata(cls, path: str | os.PathLike[str]) -> dict[str, Any]:
        """The ``sitrex.json`` entry of a file written by :meth:`save` (no Keras needed).

        Returns
        -------
        dict
            ``{"class", "params", "fitted", "networks", "metadata", ...}``.

        Raises
        ------
        ValueError
            If the file is not a sitrex estimator file.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"estimator file not found: {path}")
        try:
            zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise ValueError(f"{path} is not a sitrex estimator file (not a .keras zip "
                             "archive)") from exc
        with zf:
            try:
                meta = json.loads(zf.read(_META_ENTRY))
            except KeyError as exc:
                raise ValueError(
                    f"{path} has no {_META_ENTRY}: it is not a sitrex estimator file (a plain "
                    "Keras model opens with keras.saving.load_model)") from exc
        if meta.get("format") != _FORMAT or meta.get("format_version") != _FORMAT_VERSION:
            raise ValueError(f"{path}: unsupported format {meta.get('format')!r} "
                             f"version {meta.get('format_version')!r}")
        return meta

    @classmethod
    def load(cls, path: str | os.PathLike[str]):
        """Load an estimator written by :meth:`save`, with Keras safe mode on.

        Parameters
        ----------
        path : str or os.PathLike

        Raises
        ------
        ValueError
            If the file is not a sitrex estimator of this class.
        """
        path = Path(path)
        meta = cls.read_metadata(path)
        if meta["class"] != cls.__name__:
            raise ValueError(f"{path} holds a {meta['class']}, not a {cls.__name__}; load it "
                             f"with {meta['class']}.load")
        from sitrex._keras import import_keras

        keras = import_keras()
        import sitrex.models  # noqa: F401 - registers the custom layers

        bundle = keras.saving.load_model(path, compile=False, safe_mode=True)
        est = cls(**meta["params"])
        fitted = meta["fitted"]
        est.n_angles_ = int(fitted["n_angles_"])
        est.angle_names_ = tuple(fitted["angle_names_"])
        est.history_ = fitted.get("history_", {})
        if meta.get("metadata"):
            est.metadata_ = dict(meta["metadata"])
        for attr in cls._networks:
            setattr(est, attr, bundle.get_layer(meta["networks"][attr]))
        return est
