"""AngleUsefulnessClassifier and ExerciseComparator: behaviour, validation, persistence."""

import ast
import inspect
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from sitrex.estimators import AngleUsefulnessClassifier, ExerciseComparator
from sitrex.estimators._inference import predict_in_chunks
from sitrex.exceptions import InputError
from sitrex.pairs import make_pairs

TINY = dict(embed_dim=8, num_heads=2, key_dim=4, ff_dim=8, head_units=4, max_len=12, epochs=2,
            random_state=0)
EA = {"a": [0, 1], "b": [2], "c": [1, 3]}


@pytest.fixture(scope="module")
def pairs():
    rng = np.random.default_rng(0)
    labels = np.repeat(["a", "b", "c"], 4)
    base = {"a": 30.0, "b": 90.0, "c": 150.0}
    seqs = [base[lab] + 20 * np.sin(np.linspace(0, 6, int(rng.integers(10, 30))))[:, None]
            + rng.normal(0, 3, (1, 4)) for lab in labels]
    X, y = make_pairs(seqs, labels, EA, 48, 12, random_state=0, pad=False)
    return seqs, labels, X, y


@pytest.fixture(scope="module")
def fitted(pairs):
    _, _, X, y = pairs
    return ExerciseComparator(**TINY).fit(X, y)


def test_fit_predict_shapes_and_score(pairs, fitted):
    _, _, X, y = pairs
    proba = fitted.predict_proba(X)
    pred = fitted.predict(X)
    assert proba.shape == pred.shape == (48, 4)
    assert set(np.unique(pred)) <= {0, 1} and ((proba >= 0) & (proba <= 1)).all()
    assert fitted.score(X, y) == pytest.approx((pred == y).mean())
    assert fitted.predict_usefulness([p[0] for p in X]).shape == (48, 4)
    assert fitted.n_angles_ == 4 and fitted.angle_names_ == tuple(f"angle {i}" for i in range(4))
    assert set(fitted.history_) == {"similarity", "usefulness"}


def test_pairs_as_4d_array_and_list_agree(pairs, fitted):
    seqs = pairs[0]
    arr = np.stack([np.stack([seqs[0][:10], seqs[5][:10]])] * 2)     # (2, 2, 10, 4)
    listed = [(seqs[0][:10], seqs[5][:10])] * 2
    np.testing.assert_allclose(fitted.predict_proba(arr), fitted.predict_proba(listed))


def test_compare_names_angles(pairs, fitted):
    seqs = pairs[0]
    out = fitted.compare(seqs[0], seqs[1][:5])
    assert list(out) == ["similarity", "usefulness"]
    assert list(out["similarity"]) == [f"angle {i}" for i in range(4)]
    np.testing.assert_allclose(list(out["similarity"].values()),
                               fitted.predict_proba([(seqs[0], seqs[1][:5])])[0])
    with pytest.raises(ValueError, match="one 2-D"):
        fitted.compare(np.stack([seqs[0][:5]] * 2), seqs[1])


def test_long_sequences_keep_their_last_frames(pairs, fitted):
    seqs = pairs[0]
    long_ref = np.concatenate([np.full((50, 4), 7.0), seqs[0][-12:]])
    np.testing.assert_allclose(fitted.predict_proba([(long_ref, seqs[1])]),
                               fitted.predict_proba([(seqs[0][-12:], seqs[1])]), atol=1e-6)


def test_same_seed_same_predictions(pairs, fitted):
    _, _, X, y = pairs
    again = ExerciseComparator(**TINY).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), fitted.predict_proba(X))


def test_pickle_and_save_load(pairs, fitted, tmp_path):
    _, _, X, _ = pairs
    expected = fitted.predict_proba(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(fitted)).predict_proba(X), expected)
    path = fitted.save(tmp_path / "cmp.keras")
    assert [p.name for p in tmp_path.iterdir()] == ["cmp.keras"]
    loaded = ExerciseComparator.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    assert loaded.get_params() == fitted.get_params()
    with pytest.raises(ValueError, match="not a AngleUsefulnessClassifier"):
        AngleUsefulnessClassifier.load(path)
    (tmp_path / "junk").write_bytes(b"nope")
    with pytest.raises(ValueError, match="not a sitrex estimator"):
        ExerciseComparator.load(tmp_path / "junk")
    with pytest.raises(ValueError, match="ending in '.keras'"):
        fitted.save(tmp_path / "cmp.sitrex")
    # the archive is a plain Keras model too, which safe mode opens
    import keras

    bundle = keras.saving.load_model(path, safe_mode=True)
    assert {layer.name for layer in bundle.layers} >= {"similarity", "usefulness"}


@pytest.mark.parametrize("make_X, match", [
    (lambda s: np.zeros((5, 4)), "got an array of shape"),
    (lambda s: [], "empty"),
    (lambda s: [(s[0], np.zeros((0, 4)))], "empty sequence"),
    (lambda s: [(s[0], s[1][:, :3])], "3 angle columns"),
    (lambda s: [(s[0], np.where(np.arange(4) == 2, np.nan, s[1]))], "NaN .*angle 2"),
    (lambda s: [(s[0],)], "pair"),
])
def test_input_validation_messages(pairs, fitted, make_X, match):
    with pytest.raises(ValueError, match=match):
        fitted.predict(make_X(pairs[0]))


def test_fitted_angle_count_is_enforced(pairs, fitted):
    seqs = pairs[0]
    with pytest.raises(ValueError, match="fitted estimator has 4"):
        fitted.predict([(seqs[0][:, :3], seqs[1][:, :3])])


def test_target_validation(pairs):
    _, _, X, y = pairs
    est = ExerciseComparator(**TINY)
    with pytest.raises(ValueError, match="binary"):
        est.fit(X, y * 2)
    with pytest.raises(ValueError, match="shape"):
        est.fit(X, y[:, :3])
    with pytest.raises(ValueError, match="2-D"):
        est.fit(X, y[:, 0])
    with pytest.raises(ValueError, match="usefulness"):
        est.fit(X, y, usefulness=y[:-1])
    with pytest.raises(ValueError, match="encoder must be one of"):
        ExerciseComparator(encoder="cnn").fit(X, y)


@pytest.mark.parametrize("cls", [AngleUsefulnessClassifier, ExerciseComparator])
def test_docstring_documents_every_parameter_in_order_with_its_default(cls):
    from numpydoc.docscrape import ClassDoc

    signature = inspect.signature(cls.__init__).parameters
    documented = ClassDoc(cls, config={"show_class_members": False})["Parameters"]
    assert [p.name for p in documented] == [n for n in signature if n != "self"]
    for p in documented:
        default = signature[p.name].default
        if "default=" in p.type:
            assert ast.literal_eval(p.type.split("default=")[1]) == default, p.name
        else:
            assert p.type.endswith("optional") and default is None, p.name
        assert p.desc, f"{p.name} has no description"


@pytest.mark.parametrize("cls", [AngleUsefulnessClassifier, ExerciseComparator])
@pytest.mark.parametrize("name, value", [
    ("embed_dim", 0), ("num_heads", 2.5), ("max_len", True), ("dropout", 1.0),
    ("validation_fraction", 0.0), ("threshold", 1), ("learning_rate", -1e-3),
    ("positional", "sinusoid"), ("missing", "drop"), ("mask_padding", "yes"),
    ("random_state", -1), ("random_state", "a"), ("verbose", "loud"), ("angle_names", "abcd"),
])
def test_a_bad_parameter_is_named_at_fit(pairs, cls, name, value):
    seqs, _, X, y = pairs
    data = X if cls is ExerciseComparator else seqs
    targets = y if cls is ExerciseComparator else np.zeros((len(seqs), 4), int)
    with pytest.raises(InputError, match=f"^{name} must be"):
        cls(**{**TINY, name: value}).fit(data, targets)


def test_usefulness_max_len_is_checked_by_the_comparator_only(pairs):
    _, _, X, y = pairs
    with pytest.raises(InputError, match="usefulness_max_len must be an integer >= 1"):
        ExerciseComparator(**TINY, usefulness_max_len=0).fit(X, y)
    assert "usefulness_max_len" not in AngleUsefulnessClassifier().get_params()


class _RecordingNetwork:
    """Stands in for a Keras model: output = first feature of the first input; records shapes."""

    def __init__(self):
        self.shapes = []

    def predict_on_batch(self, inputs):
        self.shapes.append(inputs[0].shape)
        return inputs[0][:, :1]


@pytest.mark.parametrize("n, chunk, calls", [
    (1000, 256, [256, 256, 256, 256]),     # the last 232 padded to 256
    (900, 512, [512, 512]),                # the last 388 padded to 512
    (6, 4, [4, 2]),
    (5, 4, [4, 1]),
    (3, 8, [4]),
])
def test_networks_run_in_equal_chunks_the_last_padded_to_a_power_of_two(n, chunk, calls):
    network = _RecordingNetwork()
    x = np.arange(n, dtype=np.float32)[:, None].repeat(3, axis=1)
    out = predict_in_chunks(network, [x, np.ones((n, 3), np.float32)], chunk)
    assert [s[0] for s in network.shapes] == calls
    np.testing.assert_array_equal(out[:, 0], np.arange(n))      # padding dropped, order kept


def test_nan_interpolation_early_stopping_and_progress_bar(pairs, capsys):
    seqs, labels, X, y = pairs
    holey = [(np.where(np.arange(len(r))[:, None] % 3 == 0, np.nan, r), c) for r, c in X]
    with pytest.raises(ValueError, match="fill_gaps"):
        ExerciseComparator(**TINY).fit(holey, y)
    est = ExerciseComparator(**{**TINY, "epochs": 100}, missing="interpolate", early_stopping=True,
                             n_iter_no_change=1, verbose=1).fit(holey, y)
    assert np.isfinite(est.predict_proba(holey)).all()
    assert len(est.history_["similarity"]["val_loss"]) < 100   # stops long before 100 epochs
    assert "epoch" in capsys.readouterr().err


def test_clone_and_cross_val_score_split_usefulness_with_the_pairs(pairs):
    _, _, X, y = pairs
    est = ExerciseComparator(**{**TINY, "epochs": 1})
    assert clone(est).get_params() == est.get_params()
    seen = []

    class Spy(ExerciseComparator):
        def fit(self, X, y, usefulness=None):
            seen.append((len(X), None if usefulness is None else len(usefulness)))
            return super().fit(X, y, usefulness=usefulness)

    scores = cross_val_score(Spy(**est.get_params()), X, y, cv=KFold(2),
                             params={"usefulness": y.copy()})
    assert scores.shape == (2,) and ((0 <= scores) & (scores <= 1)).all()
    assert seen == [(24, 24), (24, 24)]


def test_gridsearch(pairs):
    seqs, labels, _, _ = pairs
    y = np.array([np.isin(np.arange(4), EA[lab]) for lab in labels]).astype(int)
    search = GridSearchCV(AngleUsefulnessClassifier(**{**TINY, "epochs": 1}),
                          {"learning_rate": [1e-3, 1e-2]}, cv=2, refit=False).fit(seqs, y)
    assert search.best_params_["learning_rate"] in (1e-3, 1e-2)


def test_usefulness_classifier(pairs):
    seqs, labels, _, _ = pairs
    y = np.array([np.isin(np.arange(4), EA[lab]) for lab in labels]).astype(int)
    clf = AngleUsefulnessClassifier(**{**TINY, "epochs": 1}, encoder="gru").fit(seqs, y)
    assert clf.predict(seqs).shape == (12, 4)
    assert 0 <= clf.score(seqs, y) <= 1
    with pytest.raises(ValueError, match=r"3-D array .*\(for one sequence"):
        clf.predict(seqs[0])
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(seqs),
                                  clf.predict_proba(seqs))


def test_unfitted_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        ExerciseComparator().predict([(np.zeros((3, 2)), np.zeros((3, 2)))])


def test_every_scorer_works(pairs, fitted):
    """classes_ follows scikit-learn's multi-label convention, so scorers beyond score() work."""
    from sklearn.metrics import get_scorer

    _, _, X, y = pairs
    np.testing.assert_array_equal(fitted.classes_, np.arange(y.shape[1]))
    for name in ("f1_micro", "roc_auc", "average_precision"):
        assert 0.0 <= get_scorer(name)(fitted, X, y) <= 1.0
    assert not hasattr(ExerciseComparator(), "classes_")


def test_candidates_with_other_columns_than_their_references_say_so_at_fit(pairs):
    """Nothing is fitted yet: the message names the references, not a fitted estimator."""
    _, _, X, y = pairs
    X = [(ref, cand[:, :-1]) for ref, cand in X]
    with pytest.raises(InputError, match=r"candidates\)\[0\] has \d+ angle columns but the "
                                         r"references have \d+"):
        ExerciseComparator(**TINY).fit(X, y)


def test_parameters_changed_after_fit_take_effect_at_the_next_fit(pairs, tmp_path):
    """scikit-learn's rule: set_params on a fitted estimator changes the next fit, not the
    fitted networks, what they read, or how they are pickled and saved (before, predict
    padded to the new max_len and Keras refused it, and unpickling rebuilt the networks from
    the new parameters)."""
    _, _, X, y = pairs
    fitted = ExerciseComparator(**TINY).fit(X, y)
    before = fitted.predict_proba(X)
    fitted.set_params(max_len=20, embed_dim=16, mask_padding=False, patch_size=2)
    np.testing.assert_allclose(fitted.predict_proba(X), before, atol=1e-6)
    np.testing.assert_allclose(pickle.loads(pickle.dumps(fitted)).predict_proba(X), before,
                               atol=1e-6)
    loaded = ExerciseComparator.load(fitted.save(tmp_path / "c.keras"))
    np.testing.assert_allclose(loaded.predict_proba(X), before, atol=1e-6)
    assert loaded.max_len == TINY["max_len"] and loaded.embed_dim == TINY["embed_dim"]
    refitted = fitted.fit(X, y)
    assert tuple(refitted.similarity_model_.inputs[0].shape[1:2]) == (20,)


def test_padding_a_shorter_max_len_would_keep_is_warned_about(pairs):
    seqs, labels, _, _ = pairs
    X, y = make_pairs(seqs, labels, EA, 16, 24, random_state=0)          # padded to 24 frames
    with pytest.warns(UserWarning, match=r"longer than max_len=12 and end in all-zero frames"):
        ExerciseComparator(**{**TINY, "epochs": 1}).fit(X, y)
    X, y = make_pairs(seqs, labels, EA, 16, 24, random_state=0, pad=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)                      # as drawn: no padding
        ExerciseComparator(**{**TINY, "epochs": 1}).fit(X, y)
