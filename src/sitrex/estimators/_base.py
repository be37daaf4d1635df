"""The base class of both SiTrEx estimators: the scikit-learn surface, in one place.

It holds the constructor, tags, fitted-attribute helpers and the public
``save`` / ``load`` / ``read_metadata`` / pickling methods; the work is done
by one module per concept:

* :mod:`._params`: the parameters, their documentation and checks;
* :mod:`._checks`: input checks (sequences, pairs, targets);
* :mod:`._training`: seeding and fitting a network;
* :mod:`._inference`: running a network in chunks, embeddings;
* :mod:`._persistence`: pickling, ``.keras`` files, pretrained weights.

Keras is imported only inside methods (fit, predict, load, unpickling), never
when this module is imported.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from sitrex import _model_archive
from sitrex.exceptions import InputError

from . import _persistence
from ._checks import check_sequences
from ._inference import inference_batch_size, predict_in_chunks
from ._params import ARCHITECTURE, SHARED_PARAMETERS, Parameter, validate_parameters
from ._training import fit_network, seed_everything

__all__ = ["SiTrExEstimatorBase"]


class SiTrExEstimatorBase(ClassifierMixin, BaseEstimator):
    """Shared machinery of the SiTrEx estimators (private base class)."""

    #: Attribute names of the fitted networks.
    _networks: tuple[str, ...] = ()
    #: The constructor parameters, documented and checked (see ``_params``).
    _parameters: tuple[Parameter, ...] = SHARED_PARAMETERS

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

    # ------------------------------------------------------------------ fitting helpers
    def _validate_params(self) -> None:
        """Check every parameter (at the top of ``fit``); InputError naming a bad one."""
        validate_parameters(self, self._parameters)

    def _architecture(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ARCHITECTURE}

    def _resolve_angle_names(self, n_angles: int) -> tuple[str, ...]:
        if self.angle_names is not None:
            names = tuple(str(n) for n in self.angle_names)
            if len(names) != n_angles:
                raise InputError(f"angle_names has {len(names)} names but the data have "
                                 f"{n_angles} angle columns")
            return names
        if n_angles == 23:
            from sitrex.angle_table import ANGLE_NAMES

            return tuple(ANGLE_NAMES)
        return tuple(f"angle {i}" for i in range(n_angles))

    def _seed(self) -> int | None:
        return seed_everything(self.random_state)

    def _train(self, network, inputs: list[np.ndarray], y: np.ndarray, desc: str, seed):
        """Compile and fit one network; returns its history dict."""
        return fit_network(self, network, inputs, y, desc=desc, seed=seed)

    def _build_network(self, name: str, n_angles: int):
        """An untrained network `name` (one of `_networks`) for the current parameters."""
        from sitrex.models import build_siamese_model, build_usefulness_model

        build = build_siamese_model if name == "similarity_model_" else build_usefulness_model
        return build(n_angles, self._network_max_len(name), **self._architecture())

    def _network_max_len(self, name: str) -> int:
        """Frames the network `name` sees (``max_len``; a subclass may differ per network)."""
        return int(self.max_len)

    # ------------------------------------------------------------------ prediction helpers
    def _run(self, network, inputs: list[np.ndarray]) -> np.ndarray:
        """Outputs of `network`, in chunks sized to its attention cost."""
        chunk = inference_batch_size(self, int(inputs[0].shape[1]))
        return predict_in_chunks(network, inputs, chunk)

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
    def __getstate__(self):
        state = super().__getstate__() if hasattr(super(), "__getstate__") else dict(self.__dict__)
        return _persistence.pickled_state(self, state)

    def __setstate__(self, state):
        _persistence.restore_state(self, state)

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

        Raises
        ------
        sitrex.exceptions.InputError
            If `path` does not end in ``.keras``.
        """
        return _persistence.save_estimator(self, path)

    @classmethod
    def read_metadata(cls, path: str | os.PathLike[str]) -> dict[str, Any]:
        """The ``sitrex.json`` entry of a file written by :meth:`save` (no Keras needed).

        Parameters
        ----------
        path : str or os.PathLike

        Returns
        -------
        dict
            ``{"class", "params", "fitted", "networks", "metadata", ...}``.

        Raises
        ------
        sitrex.exceptions.MissingFileError
            If there is no such file.
        sitrex.exceptions.WeightsIntegrityError
            If the file is not a sitrex estimator file.
        """
        return _model_archive.read_metadata(path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]):
        """Load an estimator written by :meth:`save`, with Keras safe mode on.

        Parameters
        ----------
        path : str or os.PathLike

        Returns
        -------
        estimator
            Fitted, of this class.

        Raises
        ------
        sitrex.exceptions.MissingFileError
            If there is no such file.
        sitrex.exceptions.WeightsIntegrityError
            If the file is not a sitrex estimator file or Keras cannot read it.
        sitrex.exceptions.InputError
            If the file holds another estimator class.
        """
        return _persistence.load_estimator(cls, path)
