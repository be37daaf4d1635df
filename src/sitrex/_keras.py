"""The one place where sitrex imports Keras (private).

sitrex runs on Keras 3 with any of its backends. When sitrex is the first to
import Keras and the user has not chosen a backend, it picks the first
installed one of JAX (the fastest on CPU in our benchmarks, and part of
sitrex's core install), PyTorch and TensorFlow. To use another backend, set
the environment variable before Python imports Keras, for example
``KERAS_BACKEND=torch python train.py``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading

__all__ = ["NETWORK_LOCK", "choose_default_backend", "import_keras", "set_random_seed"]

#: Held around every call of a fitted network. A Keras model builds its predict function on its
#: first call and is not safe to call from several threads at once (one comparator shared by the
#: sessions of a threaded server broke for good); the calls are short, so they take turns.
NETWORK_LOCK = threading.RLock()

_EXTRAS = {"jax": "jax", "torch": "torch", "tensorflow": "tensorflow", "numpy": None}
#: Backends sitrex picks from, first installed wins, when ``KERAS_BACKEND`` is unset.
_PREFERRED = ("jax", "torch", "tensorflow")


def _missing_backend_error(backend: str, exc: BaseException) -> ImportError:
    extra = _EXTRAS.get(backend)
    hint = (f'install it with: pip install "sitrex[{extra}]"' if extra else
            "choose another backend with the KERAS_BACKEND environment variable")
    return ImportError(
        f"sitrex needs a Keras backend, and the selected one ({backend!r}) cannot be imported "
        f"({exc}); {hint}. The default backend is JAX, part of sitrex's core install: "
        f"pip install \"sitrex[jax]\" puts it back"
    )


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):     # a broken or blocked installation counts as absent
        return False


def choose_default_backend() -> str | None:
    """Set ``KERAS_BACKEND`` to the first installed preferred backend, if still open.

    Does nothing when the user chose a backend or Keras is already imported
    (its backend is then fixed). Cheap: it looks for the packages without
    importing them. :mod:`sitrex` calls it on import, so that
    ``import sitrex; import keras`` gives Keras on JAX, not on an absent
    TensorFlow.

    Returns
    -------
    str or None
        The backend Keras will use or uses, or None if it cannot be known yet
        (no preferred backend installed).

    Examples
    --------
    >>> choose_default_backend() in ("jax", "torch", "tensorflow", "numpy")
    True
    """
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    if not os.environ.get("KERAS_BACKEND"):
        chosen = next((name for name in _PREFERRED if _installed(name)), None)
        if chosen is None:
            return None
        os.environ["KERAS_BACKEND"] = chosen
    return os.environ["KERAS_BACKEND"]


def import_keras():
    """Import and return :mod:`keras`, choosing the JAX backend by default.

    If ``KERAS_BACKEND`` is unset and Keras is not imported yet,
    ``KERAS_BACKEND`` is set to the first installed of JAX, PyTorch and
    TensorFlow (JAX comes with sitrex's core install).

    Raises
    ------
    ImportError
        If Keras or its backend is missing; the message names the pip extra.

    Examples
    --------
    >>> keras = import_keras()
    >>> keras.__version__ >= "3"
    True
    """
    choose_default_backend()
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    try:
        import keras
    except ModuleNotFoundError as exc:
        if exc.name == "keras":
            raise ImportError(
                "sitrex's models need Keras 3: pip install \"sitrex[jax]\"") from exc
        raise _missing_backend_error(backend, exc) from exc
    except ImportError as exc:
        raise _missing_backend_error(backend, exc) from exc
    return keras


def set_random_seed(seed: int) -> None:
    """Seed Keras, Python and numpy like ``keras.utils.set_random_seed``, without importing TF.

    ``keras.utils.set_random_seed`` imports TensorFlow whenever it is
    installed, to seed it too; next to JAX that import is slow and, in some
    environments, fatal. Here TensorFlow is seeded only when it is the
    backend or already imported.

    Examples
    --------
    >>> import numpy as np
    >>> set_random_seed(0); a = np.random.rand()
    >>> set_random_seed(0); a == np.random.rand()
    True
    """
    import random

    import numpy as np

    keras = import_keras()
    seed = int(seed)
    if keras.backend.backend() == "tensorflow" or "tensorflow" in sys.modules:
        keras.utils.set_random_seed(seed)
        return
    try:
        from keras.src.backend.common import global_state
        from keras.src.random import seed_generator
        from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED
    except ImportError:  # a Keras whose internals moved: fall back to the public call
        keras.utils.set_random_seed(seed)
        return
    global_state.set_global_attribute(GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    random.seed(seed)
    np.random.seed(seed)
    if keras.backend.backend() == "torch":
        import torch

        torch.manual_seed(seed)
