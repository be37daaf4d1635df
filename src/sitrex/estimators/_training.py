"""Training one network for an estimator: seeding, compiling, fitting, early stopping, progress.

The training options come from the estimator's parameters (``learning_rate``,
``epochs``, ``batch_size``, ``early_stopping``, ``validation_fraction``,
``n_iter_no_change``, ``verbose``, ``random_state``). Keras is imported
inside the functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils import check_random_state

from sitrex.exceptions import InputError

__all__ = ["fit_network", "seed_everything"]


def seed_everything(random_state: Any) -> int | None:
    """Seed Keras, Python and numpy from `random_state`; returns the seed (None: not seeded).

    Like ``keras.utils.set_random_seed``, this also seeds Python's and numpy's
    global generators, so that weight initialisation, shuffling and dropout
    repeat.
    """
    from sitrex._keras import set_random_seed

    if random_state is None:
        return None
    seed = int(check_random_state(random_state).randint(2**31 - 1))
    set_random_seed(seed)
    return seed


def _progress_callback(epochs: int, desc: str):
    """A Keras callback drawing one tqdm bar of `epochs` steps, with the losses."""
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


def _hold_out(inputs: list[np.ndarray], y: np.ndarray, fraction: float, seed: int | None):
    """Hold out `fraction` of the samples at random: (train inputs, y), (held-out inputs, y)."""
    n = len(y)
    n_val = max(1, int(round(fraction * n)))
    if n - n_val < 1:
        raise InputError(f"early_stopping needs at least 2 samples; got {n}")
    order = np.random.default_rng(seed).permutation(n)
    val, train = order[:n_val], order[n_val:]
    return ([a[train] for a in inputs], y[train]), ([a[val] for a in inputs], y[val])


def fit_network(estimator, network, inputs: list[np.ndarray], y: np.ndarray, *, desc: str,
                seed: int | None, sample_weight: np.ndarray | None = None
                ) -> dict[str, list[float]]:
    """Compile and fit `network` with the estimator's training options.

    Parameters
    ----------
    estimator : SiTrExEstimatorBase
        Supplies the training parameters.
    network : keras.Model
        Untrained; binary cross-entropy on sigmoid outputs.
    inputs : list of numpy.ndarray
        The network's inputs (padded angles and masks).
    y : numpy.ndarray of shape (n, n_angles)
        0/1 targets.
    desc : str
        Label of the progress bar (``verbose=1``).
    seed : int or None
        Seeds the early-stopping hold-out.
    sample_weight : numpy.ndarray of shape (n,), optional
        Per-sample weights of the loss (not with early stopping).

    Returns
    -------
    dict
        Per-epoch history: metric name to a list of floats.
    """
    from sitrex._keras import import_keras

    keras = import_keras()
    network.compile(optimizer=keras.optimizers.Adam(float(estimator.learning_rate)),
                    loss="binary_crossentropy", metrics=["binary_accuracy"])
    callbacks, validation = [], None
    if getattr(estimator, "early_stopping", False):
        (inputs, y), validation = _hold_out(inputs, y, float(estimator.validation_fraction),
                                            seed)
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=int(estimator.n_iter_no_change),
            restore_best_weights=True))
    if estimator.verbose:
        callbacks.append(_progress_callback(int(estimator.epochs), desc))
    history = network.fit(inputs, y, batch_size=int(estimator.batch_size),
                          epochs=int(estimator.epochs), verbose=0, shuffle=True,
                          sample_weight=sample_weight,
                          validation_data=validation, callbacks=callbacks)
    return {k: [float(v) for v in values] for k, values in history.history.items()}
