"""sitrex.models: layers, the two networks, and parity with the paper's published weights."""

import numpy as np
import pytest

from conftest import require_asset

models = pytest.importorskip("sitrex.models")
TINY = dict(embed_dim=8, num_heads=2, key_dim=4, ff_dim=8, head_units=4)


def _predict(model, inputs):
    return np.asarray(model.predict(inputs, verbose=0))


@pytest.fixture(scope="module")
def golden():
    with np.load(require_asset("reference/models_golden.npz")) as z:
        return {k: z[k] for k in z.files}


def test_golden_parity_usefulness(golden):
    model = models.build_paper_model("usefulness", positional_table=golden["pe_usefulness"])
    models.load_paper_weights(
        model, require_asset("weights/sitrex-paper/angle_usefulness_model_L800.h5"))
    x = golden["usefulness_input"]
    prob = _predict(model, [x, np.ones(x.shape[:2], "float32")])
    np.testing.assert_allclose(prob, golden["usefulness_prob"], atol=1e-4)


def test_golden_parity_similarity(golden):
    model = models.build_paper_model("similarity", positional_table=golden["pe_similarity"])
    models.load_paper_weights(
        model, require_asset("weights/sitrex-paper/angle_similarity_model_L300.h5"))
    left, right = golden["similarity_left"], golden["similarity_right"]
    ones = np.ones(left.shape[:2], "float32")
    prob = _predict(model, [left, ones, right, ones])
    np.testing.assert_allclose(prob, golden["similarity_prob"], atol=1e-4)


def test_paper_weights_refuse_the_swapped_file():
    model = models.build_paper_model("similarity", max_len=8)
    with pytest.raises(ValueError, match="swaps"):
        models.load_paper_weights(
            model, require_asset("weights/sitrex-paper/angle_usefulness_model_L800.h5"))
    with pytest.raises(FileNotFoundError):
        models.load_paper_weights(model, "no-such-file.h5")


def test_paper_architecture_size():
    # 79,319 weights in the published files, plus the (max_len, 64) positional table
    assert models.build_paper_model("usefulness", max_len=10).count_params() == 79_319 + 640
    assert models.build_paper_model("similarity", max_len=10).count_params() == 79_319 + 640


@pytest.mark.parametrize("encoder", ["transformer", "gru", "lstm"])
def test_default_config_ignores_padding(encoder):
    """Masked model: the output of a sequence does not depend on how much padding follows it."""
    model = models.build_usefulness_model(3, 16, encoder=encoder, dropout=0.0, **TINY)
    rng = np.random.default_rng(0)
    seq = rng.uniform(0, 180, (6, 3)).astype("float32")
    x = np.zeros((2, 16, 3), "float32")
    x[0, :6] = seq
    x[1, :6] = seq
    x[1, 6:] = 123.0            # garbage in the padding
    mask = np.zeros((2, 16), "float32")
    mask[:, :6] = 1
    out = _predict(model, [x, mask])
    np.testing.assert_allclose(out[0], out[1], atol=1e-5)


def test_paper_config_averages_padding_in():
    model = models.build_paper_model("usefulness", max_len=16)
    x = np.zeros((2, 16, 23), "float32")
    x[:, :6] = 90.0
    x[1, 6:] = 10.0
    out = _predict(model, [x, np.ones((2, 16), "float32")])
    assert np.abs(out[0] - out[1]).max() > 1e-3


def test_positional_table_is_a_saved_weight():
    model = models.build_siamese_model(3, 8, **TINY)
    enc = model.get_layer("encoder")
    names = [w.path for w in enc.position.weights]
    assert len(names) == 1 and enc.position.table.trainable
    assert enc.position.table.shape == (2, 8)        # 8 frames in tokens of 4
    paper = models.build_paper_model("similarity", max_len=8).get_layer("encoder")
    assert not paper.position.table.trainable and paper.position.table.shape == (8, 64)


def test_sincos_wraps_at_360():
    model = models.build_usefulness_model(1, 4, dropout=0.0, **TINY)
    a = np.full((1, 4, 1), 359.5, "float32")
    b = np.full((1, 4, 1), -0.5, "float32")
    m = np.ones((1, 4), "float32")
    np.testing.assert_allclose(_predict(model, [a, m]), _predict(model, [b, m]), atol=1e-5)


def test_siamese_is_symmetric_and_shares_one_encoder():
    model = models.build_siamese_model(3, 8, dropout=0.0, **TINY)
    encoders = [layer for layer in model.layers if isinstance(layer, models.SequenceEncoder)]
    assert len(encoders) == 1
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0, 180, (2, 2, 8, 3)).astype("float32")
    m = np.ones((2, 8), "float32")
    np.testing.assert_allclose(_predict(model, [a, m, b, m]), _predict(model, [b, m, a, m]),
                               atol=1e-6)


def test_bad_options():
    with pytest.raises(ValueError, match="encoder must be one of"):
        models.build_usefulness_model(3, 8, encoder="cnn")
    with pytest.raises(TypeError, match="unknown model option"):
        models.build_usefulness_model(3, 8, hidden=3)
    with pytest.raises(ValueError, match="kind"):
        models.build_paper_model("siamese")
