"""Every Keras backend, each in its own process (TensorFlow and JAX must not share one here).

Also: importing sitrex does not import Keras, JAX is the default backend, and a
missing backend names the pip extra.
"""

import os
import subprocess
import sys
import textwrap

import pytest

SMOKE = textwrap.dedent("""
    import os, sys, pathlib, tempfile, pickle
    import numpy as np
    import keras
    import sitrex.models as sm
    from sitrex.estimators import ExerciseComparator
    from sitrex.pairs import make_pairs
    assert keras.backend.backend() == os.environ["KERAS_BACKEND"], keras.backend.backend()
    rng = np.random.default_rng(0)
    seqs = [rng.uniform(0, 180, (int(n), 3)) for n in rng.integers(9, 20, 6)]
    X, y = make_pairs(seqs, ["a", "a", "a", "b", "b", "b"], {"a": [0], "b": [1, 2]}, 16, 8,
                      random_state=0, pad=False)
    est = ExerciseComparator(embed_dim=8, num_heads=2, key_dim=4, ff_dim=8, head_units=4,
                             max_len=8, epochs=1, random_state=0).fit(X, y)
    p = est.predict_proba(X)
    assert p.shape == (16, 3) and np.isfinite(p).all()
    tmp = pathlib.Path(tempfile.mkdtemp())
    est.save(tmp / "est.keras")
    np.testing.assert_allclose(ExerciseComparator.load(tmp / "est.keras").predict_proba(X), p,
                               atol=1e-6)
    np.testing.assert_allclose(pickle.loads(pickle.dumps(est)).predict_proba(X), p, atol=1e-6)
    # the custom layers round-trip through Keras's own .keras format
    model = est.similarity_model_
    model.save(tmp / "m.keras")
    loaded = keras.saving.load_model(tmp / "m.keras")
    inputs = est._pair_inputs(X)
    np.testing.assert_allclose(np.asarray(loaded.predict(inputs, verbose=0)),
                               np.asarray(model.predict(inputs, verbose=0)), atol=1e-6)
    print("OK")
""")


def _run(code, env_update, timeout=240):
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    env.update(env_update)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("backend", ["jax", "torch", "tensorflow"])
def test_backend_smoke(backend):
    pytest.importorskip(backend)
    result = _run(SMOKE, {"KERAS_BACKEND": backend})
    assert result.returncode == 0 and "OK" in result.stdout, result.stderr[-3000:]


def test_import_is_keras_free_and_jax_is_the_default():
    code = textwrap.dedent("""
        import os, sys
        import sitrex, sitrex.estimators, sitrex.pairs, sitrex.model_selection
        assert "keras" not in sys.modules, "importing sitrex imported keras"
        assert "KERAS_BACKEND" not in os.environ
        from sitrex._keras import import_keras
        keras = import_keras()
        print(keras.backend.backend(), os.environ["KERAS_BACKEND"])
    """)
    result = _run(code, {})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["jax", "jax"]


def test_user_backend_choice_is_kept():
    pytest.importorskip("torch")
    code = "from sitrex._keras import import_keras; print(import_keras().backend.backend())"
    result = _run(code, {"KERAS_BACKEND": "torch"})
    assert result.stdout.strip() == "torch", result.stderr[-2000:]


def test_without_jax_an_installed_backend_is_picked():
    """A core install whose JAX was removed still runs: sitrex picks PyTorch (or TensorFlow)."""
    pytest.importorskip("torch")
    code = textwrap.dedent("""
        import os, sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "jax" or name.startswith("jax."):
                    raise ModuleNotFoundError("No module named 'jax'", name="jax")
        sys.meta_path.insert(0, Block())
        from sitrex._keras import import_keras
        print(import_keras().backend.backend(), os.environ["KERAS_BACKEND"])
    """)
    result = _run(code, {})
    assert result.stdout.split() == ["torch", "torch"], result.stdout + result.stderr[-2000:]


def test_missing_backend_names_the_extra():
    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "jax" or name.startswith("jax."):
                    raise ModuleNotFoundError("No module named 'jax'", name="jax")
        sys.meta_path.insert(0, Block())
        from sitrex._keras import import_keras
        try:
            import_keras()
        except ImportError as exc:
            print(exc)
    """)
    result = _run(code, {"KERAS_BACKEND": "jax"})
    assert 'pip install "sitrex[jax]"' in result.stdout, result.stdout + result.stderr[-2000:]
