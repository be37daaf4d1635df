"""The base classes of the SiTrEx estimators: the scikit-learn surface, in one place.

* :class:`EstimatorCore`: what every sitrex estimator has: tags, ``classes_``,
  parameter checks, angle names, seeding, and the public ``save`` / ``load``
  / ``read_metadata`` / pickling methods;
* :class:`SiTrExEstimatorBase`: the transformer estimators (the paper's
  networks): their constructor, building and running their networks;
* :class:`ComparatorMixin`: what every comparator has:
  :meth:`~ComparatorMixin.from_pretrained`, which returns the class the named
  weights were saved from.

The work is done by one module per concept:

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
from ._persistence import comparator_from_registry
from ._training import fit_network, seed_everything

__all__ = ["ComparatorMixin", "EstimatorCore", "SiTrExEstimatorBase"]


class EstimatorCore(ClassifierMixin, BaseEstimator):
    """What every sitrex estimator has (private base class; no constructor of its own)."""

    #: Attribute names of the fitted networks.
    _networks: tuple[str, ...] = ()
    #: Fitted attributes beyond ``n_angles_``, ``angle_names_`` and ``history_`` that
    #: ``save`` writes to the file (JSON values).
    _saved_fitted: tuple[str, ...] = ()
    #: The constructor parameters, documented and checked (see ``_params``).
    _parameters: tuple[Parameter, ...] = SHARED_PARAMETERS
    #: Parameters ``save`` writes as None (machine-specific, e.g. a cache folder).
    _unsaved_params: tuple[str, ...] = ()
    #: Values of parameters added after files were written: what a file without
    #: them was computed with (``load`` uses them, not today's defaults).
    _params_of_older_files: dict[str, Any] = {}
    #: Parameters that shape the fitted networks. A fitted estimator keeps the values it
    #: was fitted (or loaded) with: as in scikit-learn, ``set_params`` changes the next fit,
    #: not what the fitted networks read or how they are pickled and saved.
    _shaping_params: tuple[str, ...] = ()

    # ------------------------------------------------------------------ network settings
    def _network_settings(self) -> dict[str, Any]:
        """The shaping parameters of the fitted networks (the current ones before a fit)."""
        kept = self.__dict__.get("_fitted_settings")
        if kept is not None:
            return dict(kept)
        return {name: getattr(self, name) for name in self._shaping_params}

    def _forget_network_settings(self) -> None:
        """At the start of a fit: the networks are built from the current parameters."""
        self.__dict__.pop("_fitted_settings", None)

    def _keep_network_settings(self) -> None:
        """When networks were built (a fit, a file loaded): their shaping parameters stay."""
        self._fitted_settings = {name: getattr(self, name) for name in self._shaping_params}

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

    def _resolve_angle_names(self, n_angles: int) -> tuple[str, ...]:
        if self.angle_names is not None:
            names = tuple(str(n) for n in self.angle_names)
            if len(names) != n_angles:
                raise InputError(f"angle_names has {len(names)} names but the data have "
                                 f"{n_angles} angle columns")
            return names
        from sitrex.measurement import COMPARISON_ANGLE_NAMES

        if n_angles == len(COMPARISON_ANGLE_NAMES):     # the paper's 23 and the axial rotations
            return COMPARISON_ANGLE_NAMES
        if n_angles == 23:
            from sitrex.angle_table import ANGLE_NAMES

            return tuple(ANGLE_NAMES)
        return tuple(f"angle {i}" for i in range(n_angles))

    def _seed(self) -> int | None:
        return seed_everything(self.random_state)

    @staticmethod
    def _per_angle_accuracy(y_true: np.ndarray, y_pred: np.ndarray,
                            sample_weight=None) -> float:
        per_sample = (y_true == y_pred).mean(axis=1)
        return float(np.average(per_sample, weights=sample_weight))

    # ------------------------------------------------------------------ pickling and saving
    def _fitted_to_json(self, name: str) -> Any:
        """The fitted attribute `name` (one of ``_saved_fitted``) as a JSON value."""
        return getattr(self, name)

    def _fitted_from_json(self, name: str, value: Any) -> Any:
        """The fitted attribute `name` from its JSON value (the inverse of ``_fitted_to_json``)."""
        return value

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


class SiTrExEstimatorBase(EstimatorCore):
    """The transformer estimators' constructor and networks (private base class)."""

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

    # ------------------------------------------------------------------ networks
    _shaping_params = (*ARCHITECTURE, "max_len")

    def _architecture(self) -> dict[str, Any]:
        settings = self._network_settings()
        return {name: settings[name] for name in ARCHITECTURE}

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
        return int(self._network_settings()["max_len"])

    def _run(self, network, inputs: list[np.ndarray]) -> np.ndarray:
        """Outputs of `network`, in chunks sized to its attention cost."""
        chunk = inference_batch_size(self, int(inputs[0].shape[1]))
        return predict_in_chunks(network, inputs, chunk)

    def _sequences(self, X, name="X"):
        check_is_fitted(self)
        return check_sequences(X, n_angles=self.n_angles_, missing=self.missing, name=name,
                               angle_names=self.angle_names_)



class ComparatorMixin:
    """What every comparator has: named pretrained weights (private mixin).

    A comparator compares a candidate execution with a reference, angle by
    angle (``predict_proba`` of pairs, ``predict_usefulness_proba``,
    ``compare``), and tells the feedback pipeline how it scores a clip
    (its ``scoring`` attribute: ``"windows"`` or ``"repetitions"``).
    """

    #: How :func:`sitrex.compare` scores an athlete with this comparator.
    scoring = "windows"

    @classmethod
    def from_pretrained(cls, name: str | None = None, *, path=None, download: bool = True,
                        positional_tables=None, **params):
        """A ready comparator from named pretrained weights (no training).

        The comparator returned is of the class the weights were saved from
        (this class, when it is that class or a subclass of it):
        ``ExerciseComparator.from_pretrained()`` returns the default
        :class:`~sitrex.RepetitionComparator`, and
        ``from_pretrained("sitrex-paper")`` an
        :class:`~sitrex.ExerciseComparator` holding the paper's networks.

        Parameters
        ----------
        name : str, optional
            A name from :func:`sitrex.pretrained.list_weights`: ``"sitrex-default"``
            (the default; shipped inside the package, no download), the
            paper's published weights ``"sitrex-paper"``, or weights
            registered with :func:`sitrex.pretrained.register_weights`.
        path : str or os.PathLike, optional
            A folder holding the weight files (or, for a single-file entry,
            the file). Otherwise ``$SITREX_WEIGHTS``, then the cache folder,
            then a download verified by sha256 (see
            :func:`sitrex.pretrained.fetch_weights`).
        download : bool, default=True
            Allow the download step (``SITREX_OFFLINE=1`` also forbids it).
        positional_tables : dict, optional
            For the paper's weights only: ``{"usefulness": (800, 64) array,
            "similarity": (300, 64) array}``. The paper never saved its
            positional tables; by default a fixed, documented table is used
            (:func:`sitrex.pretrained.paper_positional_table`).
        **params
            Estimator parameters to override, e.g. ``threshold=0.6``.

        Returns
        -------
        ExerciseComparator or RepetitionComparator
            Fitted: ``predict``, ``compare`` and ``predict_usefulness`` work
            at once. Its ``metadata_`` attribute records the weights' name,
            angle kind, angle names, training data, licence and citation.

        Raises
        ------
        sitrex.exceptions.WeightsNotAvailableError
            If the files are not found and cannot be downloaded; the message
            names them and the ways to provide them.
        sitrex.exceptions.WeightsIntegrityError
            If a file fails its pinned sha256 or cannot be read as these
            weights (damaged, another model, the paper's two files swapped);
            the message names the file.
        sitrex.exceptions.InputError
            If a parameter or positional table is invalid.
        KeyError
            If no weights of that name are registered.

        Examples
        --------
        >>> from sitrex import ExerciseComparator
        >>> default = ExerciseComparator.from_pretrained()      # shipped: no download
        >>> type(default).__name__, default.metadata_["weights"]
        ('RepetitionComparator', 'sitrex-default')
        >>> paper = ExerciseComparator.from_pretrained("sitrex-paper")  # doctest: +SKIP
        >>> paper.max_len, paper.usefulness_max_len  # doctest: +SKIP
        (300, 800)
        """
        from sitrex.pretrained import DEFAULT_WEIGHTS

        return comparator_from_registry(cls, DEFAULT_WEIGHTS if name is None else name,
                                        path=path, download=download,
                                        positional_tables=positional_tables, params=params)
