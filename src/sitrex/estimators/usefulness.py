"""AngleUsefulnessClassifier: which angles matter for the exercise being performed."""

from __future__ import annotations

from typing import Any

import numpy as np

from sitrex.sequences import pad_sequences

from ._base import SiTrExEstimatorBase
from ._checks import check_sequences, check_targets
from ._params import fill_parameters

__all__ = ["AngleUsefulnessClassifier"]


class AngleUsefulnessClassifier(SiTrExEstimatorBase):
    """Multi-label classifier: one angle sequence -> does each angle matter?

    The paper's usefulness network (a transformer, GRU or LSTM encoder and a
    sigmoid per angle) in a scikit-learn estimator. The network is built in
    :meth:`fit`; Keras is imported there, not when sitrex is imported.

    Parameters
    ----------
    {params}

    Attributes
    ----------
    model_ : keras.Model
        The trained network (inputs: padded angles and a mask).
    n_angles_ : int
        Angle columns seen in fit.
    angle_names_ : tuple of str
    history_ : dict
        Per-epoch losses and metrics of the training.

    Examples
    --------
    >>> import numpy as np
    >>> from sitrex.estimators import AngleUsefulnessClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = [rng.uniform(0, 180, (int(n), 3)) for n in rng.integers(5, 12, 8)]
    >>> y = np.tile([[1, 0, 1], [0, 1, 0]], (4, 1))
    >>> clf = AngleUsefulnessClassifier(embed_dim=8, key_dim=4, ff_dim=8, head_units=4,
    ...                                 max_len=8, epochs=2, random_state=0).fit(X, y)
    >>> clf.predict(X).shape
    (8, 3)
    >>> 0.0 <= clf.score(X, y) <= 1.0
    True
    """

    _networks = ("model_",)

    def fit(self, X: Any, y: Any):
        """Train the network.

        Parameters
        ----------
        X : array (n, T, n_angles) or list of (T_i, n_angles) arrays
            Angle sequences in degrees, any lengths.
        y : array (n, n_angles) of 0/1
            1 where the angle matters for the sequence's exercise (e.g.
            ``dataset.usefulness_targets()``).

        Returns
        -------
        self
        """
        self._validate_params()
        self._forget_network_settings()
        seqs = check_sequences(X, missing=self.missing)
        n_angles = seqs[0].shape[1]
        targets = check_targets(y, len(seqs), n_angles)
        names = self._resolve_angle_names(n_angles)
        seed = self._seed()
        x, mask = pad_sequences(seqs, self._network_max_len("model_"))
        model = self._build_network("model_", n_angles)
        self.history_ = self._train(model, [x, mask], targets, "usefulness", seed)
        self.model_ = model
        self._keep_network_settings()
        self.n_angles_ = n_angles
        self.angle_names_ = names
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """(n, n_angles) probability that each angle matters."""
        x, mask = pad_sequences(self._sequences(X), self._network_max_len("model_"))
        return self._run(self.model_, [x, mask])

    def predict(self, X: Any) -> np.ndarray:
        """(n, n_angles) int 0/1: ``predict_proba(X) >= threshold``."""
        return (self.predict_proba(X) >= float(self.threshold)).astype(np.int64)

    def score(self, X: Any, y: Any, sample_weight=None) -> float:
        """Mean per-angle accuracy (the paper's "binary accuracy").

        This is the fraction of correct (sequence, angle) decisions, not
        scikit-learn's default multi-label subset accuracy (which counts a
        sequence as right only if all of its angles are).
        """
        pred = self.predict(X)
        return self._per_angle_accuracy(check_targets(y, *pred.shape), pred, sample_weight)


AngleUsefulnessClassifier.__doc__ = fill_parameters(AngleUsefulnessClassifier.__doc__,
                                                    AngleUsefulnessClassifier._parameters)
