"""RepetitionComparator: the estimator contract, its saved state, and its feedback path.

The data are hand-made 30 fps angle clips: a coach repeating a movement on
two angles while a third stays still, correct athletes (other tempo, a few
degrees off, noise) and faulty ones (less range on angle 0). A tiny ensemble
(one network per variant, one epoch) keeps the tests fast; they check the
contract and the plumbing, not the model's quality (that is the benchmark's).
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

import sitrex
from sitrex.estimators import ExerciseComparator, RepetitionComparator
from sitrex.exceptions import InputError

TINY = dict(n_seeds=1, epochs=1, random_state=0)
NAMES = ["knee", "hip", "elbow"]


def clip(reps=3, period=1.5, knee_range=80.0, hip_range=60.0, offset=0.0, seed=0, lead=0.0):
    """`reps` repetitions at 30 fps (plus `lead` of a partial one before), 3 angles."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(30 * (reps + lead) * period)) / 30.0 - lead * period
    phase = 2 * np.pi * t / period
    knee = 170 - knee_range / 2 * (1 - np.cos(phase)) + offset
    hip = 160 - hip_range / 2 * (1 - np.cos(phase)) + offset
    elbow = np.full_like(t, 90.0)
    return np.column_stack([knee, hip, elbow]) + rng.normal(0, 0.5, (len(t), 3))


@pytest.fixture(scope="module")
def data():
    X, y = [], []
    for k in range(6):     # coaches of several ranges, so that the population scale is determined
        knee, hip = 60 + 8 * k, 70 - 6 * k
        coach = clip(knee_range=knee, hip_range=hip, seed=k + 20)
        athlete = dict(period=1.3 + 0.1 * k, hip_range=hip)
        X.append((coach, clip(knee_range=knee, offset=k - 3, seed=k + 1, **athlete)))
        y.append([1, 1, 1])
        X.append((coach, clip(knee_range=knee / 2, seed=k + 11, **athlete)))
        y.append([0, 1, 1])
    return X, np.array(y, float)


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return RepetitionComparator(angle_names=NAMES, **TINY).fit(X, y, groups=["a"] * len(X))


def test_fit_learns_the_scale_the_constant_and_the_ensemble(fitted):
    assert fitted.n_angles_ == 3 and fitted.angle_names_ == tuple(NAMES)
    assert fitted.statistic_scale_ > 0
    assert fitted.population_scale_.sigma is not None
    assert len(fitted.history_) == 2                      # one siam and one ssd network
    assert fitted.metadata_["fps"] == 30.0
    assert fitted.scoring == "repetitions"
    assert list(fitted.classes_) == [0, 1, 2]


def test_predict_proba_is_a_probability_per_pair_and_angle(fitted, data):
    X, _ = data
    proba = fitted.predict_proba(X[:4])
    assert proba.shape == (4, 3)
    assert np.all((proba >= 0) & (proba <= 1))
    assert set(np.unique(fitted.predict(X[:4]))) <= {0, 1}
    assert 0 <= fitted.score(X, data[1]) <= 1


def test_the_statistic_alone_sees_the_shortfall_of_range(fitted, data):
    X, _ = data
    stat = clone(fitted).set_params(combine="mean", statistic_weight=1.0)
    stat.__dict__.update({k: v for k, v in fitted.__dict__.items() if k.endswith("_")})
    proba = stat.predict_proba(X)
    correct, short = proba[0::2, 0], proba[1::2, 0]
    assert short.mean() < correct.mean()


def _parts(fitted, score):
    """`score(fitted)` with the learned part alone, the statistic alone, and as `fitted` combines."""
    own = fitted.get_params()
    try:
        out = [score(fitted.set_params(combine="mean", statistic_weight=w)) for w in (0.0, 1.0)]
    finally:
        fitted.set_params(**own)
    return out + [score(fitted)]


def test_statistic_weight_mixes_the_two_parts_linearly(fitted, data):
    X, _ = data
    learned, statistic, _ = _parts(fitted, lambda c: c.predict_proba(X[:2]))
    fitted.set_params(combine="mean", statistic_weight=0.25)
    try:
        np.testing.assert_allclose(fitted.predict_proba(X[:2]), 0.25 * statistic + 0.75 * learned,
                                   atol=1e-6)
    finally:
        fitted.set_params(combine="agreement", statistic_weight=0.5)


def test_agreement_is_the_larger_part_per_repetition_and_angle(fitted, data):
    X, _ = data
    assert fitted.combine == "agreement"                    # the default
    learned, statistic, agreement = _parts(fitted, lambda c: c.score_repetitions(*X[1]).similarity)
    np.testing.assert_allclose(agreement, np.maximum(learned, statistic), atol=1e-6)
    assert (agreement >= statistic - 1e-9).all()           # never below the calibrated statistic
    assert not np.allclose(learned, statistic)              # the two parts do differ


def test_agreement_fits_the_constant_on_both_parts(data, monkeypatch):
    """With agreement the constant sees the learned part of every correct sample; with mean it does not."""
    import sitrex.estimators._population_scale as population_scale

    X, y = data
    seen = []
    fit_scale = population_scale.fit_statistic_scale

    def recording(z, learned=None):
        seen.append((np.size(z), None if learned is None else np.asarray(learned)))
        return fit_scale(z, learned)

    monkeypatch.setattr(population_scale, "fit_statistic_scale", recording)
    for combine in ("agreement", "mean"):
        fitted = RepetitionComparator(combine=combine, angle_names=NAMES, **TINY).fit(
            X, y, groups=["a"] * len(X))
        n_z, learned = seen[-1]
        if combine == "agreement":
            assert learned is not None and learned.shape == (n_z,)
            assert ((learned >= 0) & (learned <= 1)).all()
        else:
            assert learned is None
        assert fitted.statistic_scale_ > 0
    agreed, own = (fit_scale(np.arange(20.0), np.r_[np.zeros(10), np.ones(10)]),
                   fit_scale(np.arange(20.0)))
    assert agreed < own          # half the samples vetoed by the learned part: a stricter constant


def test_a_file_written_before_combine_and_alignment_existed_loads_as_it_was(fitted, data,
                                                                           tmp_path):
    import json
    import zipfile

    from sitrex._model_archive import METADATA_ENTRY

    X, _ = data
    path = fitted.save(tmp_path / "new.keras")
    old = tmp_path / "old.keras"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(old, "w") as dst:
        for item in src.infolist():
            content = src.read(item)
            if item.filename == METADATA_ENTRY:
                entry = json.loads(content)
                del entry["params"]["combine"], entry["params"]["alignment"]
                content = json.dumps(entry).encode()
            dst.writestr(item, content)
    new = RepetitionComparator.load(path)
    assert new.combine == "agreement" and new.alignment == "shape"
    loaded = RepetitionComparator.load(old)
    assert loaded.combine == "mean" and loaded.statistic_weight == 0.5
    assert loaded.alignment == "values" and loaded.reference_profile(X[0][0]).alignment == "values"
    fitted.set_params(alignment="values")
    try:
        learned, statistic, _ = _parts(fitted, lambda c: c.predict_proba(X[:2]))
    finally:
        fitted.set_params(alignment="shape")
    np.testing.assert_allclose(loaded.predict_proba(X[:2]), (learned + statistic) / 2, atol=1e-6)


def test_usefulness_is_the_rule_of_the_reference_clip(fitted, data):
    X, _ = data
    useful = fitted.predict_usefulness([X[0][0]])[0]
    assert useful.tolist() == [1, 1, 0]                   # the still elbow does not matter
    result = fitted.compare(*X[1])
    assert list(result["similarity"]) == NAMES and result["usefulness"]["elbow"] < 0.5


def test_score_repetitions_scores_each_repetition_of_the_candidate(fitted):
    coach = clip(seed=0)
    athlete = clip(reps=4, period=1.4, lead=0.5, seed=3)
    scores = fitted.score_repetitions(coach, athlete)
    assert len(scores.repetitions.bounds) == 4            # the partial one at the start is not
    assert scores.similarity.shape == (4, 3)
    assert scores.usefulness.shape == (3,)


def test_save_load_and_pickle_give_the_same_predictions(fitted, data, tmp_path):
    X, _ = data
    expected = fitted.predict_proba(X[:3])
    path = fitted.save(tmp_path / "rep.keras")
    loaded = RepetitionComparator.load(path)
    np.testing.assert_allclose(loaded.predict_proba(X[:3]), expected, atol=1e-6)
    assert loaded.statistic_scale_ == pytest.approx(fitted.statistic_scale_)
    assert RepetitionComparator.read_metadata(path)["class"] == "RepetitionComparator"
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_allclose(again.predict_proba(X[:3]), expected, atol=1e-6)
    with pytest.raises(InputError, match="RepetitionComparator"):
        ExerciseComparator.load(path)


def test_a_registered_file_comes_back_as_its_own_class(fitted, tmp_path):
    path = fitted.save(tmp_path / "mine.keras")
    sitrex.pretrained.register_weights("test-repetitions", path)
    try:
        for cls in (ExerciseComparator, RepetitionComparator):
            loaded = cls.from_pretrained("test-repetitions", statistic_weight=1.0)
            assert type(loaded) is RepetitionComparator
            assert loaded.statistic_weight == 1.0
            assert loaded.metadata_["weights"] == "test-repetitions"
    finally:
        sitrex.pretrained.unregister_weights("test-repetitions")


def test_memory_caches_the_feature_step(data, tmp_path):
    X, y = data
    first = RepetitionComparator(memory=str(tmp_path), **TINY).fit(X, y)
    cached = list(tmp_path.rglob("output.pkl"))
    assert cached
    second = RepetitionComparator(memory=str(tmp_path), **TINY).fit(X, y)
    assert sorted(tmp_path.rglob("output.pkl")) == sorted(cached)
    np.testing.assert_allclose(first.predict_proba(X[:2]), second.predict_proba(X[:2]))


def test_a_feature_cache_written_by_other_code_is_not_read(data, tmp_path, monkeypatch):
    import sitrex._source_stamp

    X, y = data
    RepetitionComparator(memory=str(tmp_path), **TINY).fit(X, y)
    cached = sorted(tmp_path.rglob("output.pkl"))
    monkeypatch.setattr(sitrex._source_stamp, "_installed_stamp", lambda: "0" * 12)
    RepetitionComparator(memory=str(tmp_path), **TINY).fit(X, y)
    assert len(sorted(tmp_path.rglob("output.pkl"))) == 2 * len(cached)


def test_machine_settings_are_not_saved(fitted, tmp_path):
    """n_jobs and memory describe the machine that fitted: a file fitted with n_jobs=2 is the one fitted
    without it (the default comparator's build relies on that to be byte-reproducible)."""
    import json
    import zipfile

    from sitrex._model_archive import METADATA_ENTRY

    fitted.set_params(n_jobs=2, memory=str(tmp_path / "cache"))
    try:
        path = fitted.save(tmp_path / "rep.keras")
    finally:
        fitted.set_params(n_jobs=None, memory=None)
    loaded = RepetitionComparator.load(path)
    assert loaded.n_jobs is None and loaded.memory is None
    with zipfile.ZipFile(path) as archive:
        params = json.loads(archive.read(METADATA_ENTRY))["params"]
    assert params["n_jobs"] is None and params["memory"] is None


def test_fit_checks_first(data):
    X, y = data
    with pytest.raises(InputError, match="statistic_weight"):
        RepetitionComparator(statistic_weight=2).fit(X, y)
    with pytest.raises(InputError, match="combine must be one of 'agreement', 'mean'"):
        RepetitionComparator(combine="min").fit(X, y)
    with pytest.raises(InputError, match="alignment must be one of 'shape', 'values'"):
        RepetitionComparator(alignment="dtw").fit(X, y)
    with pytest.raises(InputError, match="binary"):
        RepetitionComparator(**TINY).fit(X, np.full_like(y, 0.5))
    with pytest.raises(InputError, match="one value per pair"):
        RepetitionComparator(**TINY).fit(X, y, groups=[0])
    with pytest.raises(InputError, match="no training sample"):        # no correct pair
        RepetitionComparator(**TINY).fit(X, y, correct=np.zeros(len(X), bool))



@pytest.mark.parametrize("weights, message", [
    (np.nan, "finite"), ("inf", "finite"), (-1.0, "non-negative"), (0.0, "zero for every"),
    ([1.0, 2.0], r"one weight per sample \(12\)"), ("heavy", "numbers")])
def test_sample_weight_is_checked_like_scikit_learn(data, weights, message):
    X, y = data
    weights = np.full(len(X), float(weights)) if weights in ("inf", np.nan) else weights
    with pytest.raises(InputError, match=message):
        RepetitionComparator(**TINY).fit(X, y, sample_weight=weights)


def test_sample_weight_of_zero_leaves_a_pair_out(data):
    X, y = data
    weights = np.ones(len(X))
    weights[1] = 0.0
    model = RepetitionComparator(**TINY).fit(X, y, sample_weight=weights)
    assert np.isfinite(model.predict_proba(X[:2])).all()
    assert all(np.isfinite(v).all() for h in model.history_.values() for v in h.values())


# ------------------------------------------------------------------------ the feedback path
def test_compare_scores_whole_repetitions_and_leaves_partial_ones_unscored(fitted):
    coach = clip(seed=0)
    athlete = clip(reps=4, period=1.4, lead=0.5, seed=3)
    report = sitrex.compare(coach, athlete, fitted, fps=30.0, smooth=False)
    scoring = report.metadata["scoring"]
    assert scoring["method"] == "repetitions" and len(scoring["repetitions"]) == 4
    start, end = (round(s * 30) for s in scoring["repetitions"][0])
    assert start > 0 and np.isnan(report.similarity[:start]).all()   # the partial repetition
    for a, b in (np.array(scoring["repetitions"]) * 30).round().astype(int):
        rep = report.similarity[a:b, :2]
        assert np.isfinite(rep).all() and (rep == rep[0]).all()       # one value per repetition
    assert 0 <= report.score <= 1
    assert report.worst_angles(1)[0] in ("knee", "hip")
    assert report.useful.tolist() == [True, True, False]


def test_the_cli_and_compare_many_take_a_repetition_comparator(fitted, tmp_path, capsys):
    from sitrex.cli import main
    from sitrex.estimators import load_comparator

    model = fitted.save(tmp_path / "rep.keras")
    assert type(load_comparator(model)) is RepetitionComparator
    coach, athletes = tmp_path / "coach.npy", tmp_path / "athletes"
    athletes.mkdir()
    np.save(coach, clip(seed=0))
    for k in range(2):
        np.save(athletes / f"a{k}.npy", clip(reps=3, period=1.4, seed=5 + k))
    status = main(["compare", str(coach), str(athletes / "a0.npy"), "--comparator", str(model),
                   "--fps", "30", "-o", str(tmp_path / "r.json"), "--quiet"])
    assert status == 0 and (tmp_path / "r.json").is_file()
    many = sitrex.compare_many(clip(seed=0), [clip(period=1.4, seed=5 + k) for k in range(2)],
                               fitted, fps=30.0, progress=False)
    assert [r.status for r in many.rows] == ["compared"] * 2
    assert {r.metadata["scoring"]["method"] for r in many.reports.values()} == {"repetitions"}


def test_random_state_none_does_not_reseed_the_global_generators(data):
    """None is fresh randomness, as in scikit-learn: the fit draws from numpy's and Python's
    global generators but does not reseed them (it used to seed them as random_state=0 does)."""
    import random

    X, y = data
    after = []
    for seed in (123, 456):
        np.random.seed(seed)
        random.seed(seed)
        RepetitionComparator(**{**TINY, "random_state": None}).fit(X, y)
        after.append((np.random.rand(), random.random()))
    assert after[0][0] != after[1][0] and after[0][1] != after[1][1]


def test_random_state_takes_a_randomstate_and_checks_the_rest(data):
    X, y = data
    a = RepetitionComparator(**{**TINY, "random_state": np.random.RandomState(7)}).fit(X, y)
    b = RepetitionComparator(**{**TINY, "random_state": np.random.RandomState(7)}).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X[:2]), b.predict_proba(X[:2]))
    for bad in ("a", -1, 1.5):
        with pytest.raises(InputError, match="random_state"):
            RepetitionComparator(**{**TINY, "random_state": bad}).fit(X, y)


def test_n_jobs_follows_joblib(data, monkeypatch):
    """n_jobs as joblib reads it: -2 is all cores but one, 0 has no meaning, and None follows
    joblib.parallel_config."""
    import sitrex._parallel
    from joblib import parallel_config

    X, y = data
    with pytest.raises(InputError, match="got 0"):
        RepetitionComparator(**{**TINY, "n_jobs": 0}).fit(X, y)
    asked = []
    real = sitrex._parallel.run_tasks

    def recording(function, tasks, **kw):
        asked.append(kw.get("n_jobs"))
        return real(function, tasks, n_jobs=1)

    monkeypatch.setattr(sitrex._parallel, "run_tasks", recording)
    groups = np.repeat(np.arange(4), 3)
    with parallel_config(n_jobs=2):
        RepetitionComparator(**TINY).fit(X, y, groups=groups)
    RepetitionComparator(**{**TINY, "n_jobs": -2}).fit(X, y, groups=groups)
    assert asked == [2, -2]


def test_n_seeds_changed_after_fit_changes_the_next_fit_only(fitted, data):
    X, _ = data
    before = fitted.predict_proba(X[:2])
    fitted.set_params(n_seeds=2)
    try:
        np.testing.assert_allclose(pickle.loads(pickle.dumps(fitted)).predict_proba(X[:2]),
                                   before, atol=1e-6)
    finally:
        fitted.set_params(n_seeds=TINY["n_seeds"])
