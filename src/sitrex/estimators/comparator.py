"""ExerciseComparator: per-angle similarity of a candidate execution to a reference one."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from sitrex.exceptions import InputError
from sitrex.sequences import pad_sequences

from ._base import ComparatorMixin, SiTrExEstimatorBase
from ._checks import check_pairs, check_sequences, check_targets, warn_padding_kept
from ._inference import encoder_only
from ._inference import similarity_from_embeddings as _similarity_head
from ._params import SHARED_PARAMETERS, USEFULNESS_MAX_LEN, fill_parameters, insert_parameter

__all__ = ["ExerciseComparator", "check_pairs"]


class ExerciseComparator(ComparatorMixin, SiTrExEstimatorBase):
    """Per-angle comparison of a candidate execution with a reference: the SiTrEx model.

    It learns both of the paper's networks: the Siamese similarity network
    (reference and candidate through one shared encoder, a sigmoid per angle
    on ``|e_ref - e_cand|``) and the usefulness network (which angles matter
    for the reference's exercise). Both are built in :meth:`fit`; Keras is
    imported there. It scores an athlete's clip in sliding windows
    (``scoring = "windows"``, see :mod:`sitrex.feedback.windows`).
    ``ExerciseComparator.from_pretrained("sitrex-paper")`` holds the paper's
    published networks.

    Parameters
    ----------
    {params}

    Attributes
    ----------
    similarity_model_, usefulness_model_ : keras.Model
    n_angles_ : int
    angle_names_ : tuple of str
    history_ : dict
        ``{"similarity": {...}, "usefulness": {...}}`` per-epoch logs.

    Examples
    --------
    >>> import numpy as np
    >>> from sitrex.estimators import ExerciseComparator
    >>> from sitrex.pairs import make_pairs
    >>> rng = np.random.default_rng(0)
    >>> seqs = [rng.uniform(0, 180, (20, 3)) for _ in range(6)]
    >>> X, y = make_pairs(seqs, ["a", "a", "a", "b", "b", "b"], {"a": [0], "b": [1, 2]},
    ...                   n_pairs=16, max_len=8, random_state=0, pad=False)
    >>> cmp = ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4, max_len=8,
    ...                          epochs=1, random_state=0).fit(X, y)
    >>> cmp.predict(X).shape
    (16, 3)
    >>> sorted(cmp.compare(seqs[0], seqs[1]))
    ['similarity', 'usefulness']
    """

    _networks = ("similarity_model_", "usefulness_model_")
    _parameters = insert_parameter(SHARED_PARAMETERS, USEFULNESS_MAX_LEN, after="max_len")

    def __init__(self, *, encoder="transformer", embed_dim=64, num_heads=4, key_dim=16, ff_dim=64,
                 dropout=0.1, head_units=32, angle_encoding="sincos", positional="learned",
                 mask_padding=True, patch_size=4, max_len=100, usefulness_max_len=None, epochs=30,
                 batch_size=32, learning_rate=1e-3, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=5, threshold=0.5, missing="raise", angle_names=None, verbose=0,
                 random_state=None):
        super().__init__(
            encoder=encoder, embed_dim=embed_dim, num_heads=num_heads, key_dim=key_dim,
            ff_dim=ff_dim, dropout=dropout, head_units=head_units, angle_encoding=angle_encoding,
            positional=positional, mask_padding=mask_padding, patch_size=patch_size,
            max_len=max_len, epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, threshold=threshold, missing=missing,
            angle_names=angle_names, verbose=verbose, random_state=random_state)
        self.usefulness_max_len = usefulness_max_len

    _shaping_params = (*SiTrExEstimatorBase._shaping_params, "usefulness_max_len")

    def _network_max_len(self, name: str) -> int:
        settings = self._network_settings()
        if name == "usefulness_model_" and settings["usefulness_max_len"] is not None:
            return int(settings["usefulness_max_len"])
        return int(settings["max_len"])

    def fit(self, X: Any, y: Any, usefulness: Any = None):
        """Train the similarity and the usefulness networks.

        Parameters
        ----------
        X : array (n, 2, T, n_angles) or list of (reference, candidate)
            Pairs of angle sequences (degrees). In a list the two sides may
            have any lengths; a 4-D array's frames are all real (no padding).
            :func:`sitrex.make_pairs` draws them by the paper's protocol.
        y : array (n, n_angles) of 0/1
            1 where the candidate matches the reference on that angle.
        usefulness : array (n, n_angles) of 0/1, optional
            Per pair, which angles matter for the reference's exercise
            (sample-aligned, so ``cross_val_score(..., params={"usefulness":
            u})`` splits it with the pairs). Default: `y`, which is what it
            equals under the paper's pair protocol.

        Returns
        -------
        self
        """
        self._validate_params()
        self._forget_network_settings()
        refs, cands = check_pairs(X, missing=self.missing)
        n_angles = refs[0].shape[1]
        targets = check_targets(y, len(refs), n_angles)
        useful = targets if usefulness is None else check_targets(
            usefulness, len(refs), n_angles, name="usefulness")
        names = self._resolve_angle_names(n_angles)
        seed = self._seed()
        max_len = self._network_max_len("similarity_model_")
        warn_padding_kept(refs + cands, max_len)
        ref_x, ref_m = pad_sequences(refs, max_len)
        cand_x, cand_m = pad_sequences(cands, max_len)
        use_x, use_m = pad_sequences(refs, self._network_max_len("usefulness_model_"))
        similarity = self._build_network("similarity_model_", n_angles)
        history = {"similarity": self._train(similarity, [ref_x, ref_m, cand_x, cand_m], targets,
                                             "similarity", seed)}
        usefulness_model = self._build_network("usefulness_model_", n_angles)
        history["usefulness"] = self._train(usefulness_model, [use_x, use_m], useful,
                                            "usefulness", seed)
        self.similarity_model_ = similarity
        self.usefulness_model_ = usefulness_model
        self._keep_network_settings()
        self.n_angles_ = n_angles
        self.angle_names_ = names
        self.history_ = history
        return self

    def _pair_inputs(self, X):
        check_is_fitted(self)
        refs, cands = check_pairs(X, n_angles=self.n_angles_, missing=self.missing,
                                  angle_names=self.angle_names_)
        max_len = self._network_max_len("similarity_model_")
        return [*pad_sequences(refs, max_len), *pad_sequences(cands, max_len)]

    def predict_proba(self, X: Any) -> np.ndarray:
        """(n, n_angles) probability that the candidate matches the reference on each angle."""
        inputs = self._pair_inputs(X)  # checks that the estimator is fitted
        return self._run(self.similarity_model_, inputs)

    def predict(self, X: Any) -> np.ndarray:
        """(n, n_angles) int 0/1 per-angle similarity: ``predict_proba(X) >= threshold``."""
        return (self.predict_proba(X) >= float(self.threshold)).astype(np.int64)

    def score(self, X: Any, y: Any, sample_weight=None) -> float:
        """Mean per-angle accuracy of :meth:`predict` (the paper's "binary accuracy").

        The fraction of correct (pair, angle) decisions. This is **not**
        scikit-learn's multi-label subset accuracy, which would count a pair
        as right only if all of its angles are.
        """
        pred = self.predict(X)
        return self._per_angle_accuracy(check_targets(y, *pred.shape), pred, sample_weight)

    def predict_usefulness_proba(self, references: Any) -> np.ndarray:
        """(n, n_angles) probability that each angle matters for each reference's exercise."""
        check_is_fitted(self)
        seqs = check_sequences(references, n_angles=self.n_angles_, missing=self.missing,
                               name="references", angle_names=self.angle_names_)
        inputs = list(pad_sequences(seqs, self._network_max_len("usefulness_model_")))
        return self._run(self.usefulness_model_, inputs)

    def predict_usefulness(self, references: Any) -> np.ndarray:
        """(n, n_angles) int 0/1: which angles matter for each reference's exercise.

        Parameters
        ----------
        references : array (n, T, n_angles) or list of (T_i, n_angles) arrays
        """
        return (self.predict_usefulness_proba(references) >= float(self.threshold)).astype(
            np.int64)

    def _encoder_model(self):
        """A Keras model of the shared encoder alone (built once, not pickled)."""
        cached = self.__dict__.get("_encoder_cache")
        if cached is not None and cached[0] is self.similarity_model_:
            return cached[1]
        model = encoder_only(self.similarity_model_)
        self.__dict__["_encoder_cache"] = (self.similarity_model_, model)
        return model

    def embed(self, sequences: Any) -> np.ndarray:
        """Embeddings of the shared Siamese encoder, one row per sequence.

        With :meth:`similarity_from_embeddings` this splits
        :meth:`predict_proba` in two, so that a reference compared with many
        candidates (e.g. every sliding window of an athlete's clip) is
        encoded once.

        Parameters
        ----------
        sequences : array (n, T, n_angles) or list of (T_i, n_angles) arrays

        Returns
        -------
        numpy.ndarray of shape (n, embedding size)

        Examples
        --------
        >>> import numpy as np
        >>> from sitrex.pairs import make_pairs
        >>> rng = np.random.default_rng(0)
        >>> seqs = [rng.uniform(0, 180, (20, 2)) for _ in range(4)]
        >>> X, y = make_pairs(seqs, ["a", "a", "b", "b"], {"a": [0], "b": [1]}, n_pairs=8,
        ...                   max_len=8, random_state=0, pad=False)
        >>> cmp = ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4, max_len=8,
        ...                          epochs=1, random_state=0).fit(X, y)
        >>> e = cmp.embed(seqs)
        >>> direct = cmp.predict_proba([(seqs[0], s) for s in seqs])
        >>> bool(np.allclose(cmp.similarity_from_embeddings(e[0], e), direct, atol=1e-5))
        True
        """
        seqs = self._sequences(sequences, name="sequences")
        return self._run(self._encoder_model(), list(pad_sequences(seqs, self._network_max_len("similarity_model_"))))

    def similarity_from_embeddings(self, reference: Any, candidates: Any) -> np.ndarray:
        """Per-angle similarity from :meth:`embed` outputs (no encoder run).

        Parameters
        ----------
        reference : array (embedding size,) or (n, embedding size)
            One reference embedding (compared with every candidate) or one
            per candidate.
        candidates : array (n, embedding size)

        Returns
        -------
        numpy.ndarray of shape (n, n_angles)
            The probabilities :meth:`predict_proba` gives for those pairs.
        """
        check_is_fitted(self)
        return _similarity_head(self.similarity_model_, reference, candidates)

    def compare(self, reference: Any, candidate: Any) -> dict[str, dict[str, float]]:
        """Compare one candidate execution with one reference (any lengths).

        Parameters
        ----------
        reference, candidate : array_like (T, n_angles)

        Returns
        -------
        dict
            ``{"similarity": {angle name: probability the candidate matches
            the reference on it}, "usefulness": {angle name: probability it
            matters for the reference's exercise}}``, angles in column order.
            ``pandas.DataFrame(result)`` makes it a table.
        """
        check_is_fitted(self)
        for name, seq in (("reference", reference), ("candidate", candidate)):
            if np.ndim(seq) != 2:
                raise InputError(f"{name} must be one 2-D (n_frames, n_angles) sequence; got "
                                 f"shape {np.shape(seq)}")
        similarity = self.predict_proba([(reference, candidate)])[0]
        usefulness = self.predict_usefulness_proba([reference])[0]
        return {"similarity": dict(zip(self.angle_names_, similarity.tolist())),
                "usefulness": dict(zip(self.angle_names_, usefulness.tolist()))}


ExerciseComparator.__doc__ = fill_parameters(ExerciseComparator.__doc__,
                                             ExerciseComparator._parameters)
