"""sitrex.pretrained: the paper's published weights through the registry, and user weights."""

import ast
import io
import json
import pickle
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from conftest import require_asset

pytest.importorskip("keras")
from sitrex import _fetch, pretrained  # noqa: E402
from sitrex.estimators import ExerciseComparator  # noqa: E402
from sitrex.exceptions import (  # noqa: E402
    InputError,
    MissingFileError,
    WeightsIntegrityError,
)
from sitrex.pretrained import WeightsNotAvailableError  # noqa: E402

SRC = Path(pretrained.__file__).parent

USEFULNESS = "angle_usefulness_model_L800.h5"
SIMILARITY = "angle_similarity_model_L300.h5"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No real cache, no environment, and no network for any test here."""
    monkeypatch.setenv("SITREX_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("SITREX_WEIGHTS", raising=False)
    monkeypatch.delenv("SITREX_OFFLINE", raising=False)

    def no_network(url, timeout):
        raise AssertionError(f"a test tried to download {url}")

    monkeypatch.setattr(_fetch, "_urlopen", no_network)


@pytest.fixture(scope="module")
def paper_dir():
    return require_asset("weights/sitrex-paper")


@pytest.fixture(scope="module")
def golden():
    with np.load(require_asset("reference/models_golden.npz")) as z:
        return {k: z[k] for k in z.files}


def _trim(batch):
    """The recorded inputs are zero-padded: give the comparator the real frames."""
    out = []
    for seq in batch:
        real = np.flatnonzero(np.abs(seq).sum(axis=1) > 0)
        out.append(seq[: real[-1] + 1] if real.size else seq[:1])  # all-zero edge case
    return out


@pytest.fixture(scope="module")
def exact(paper_dir, golden):
    """The paper's weights with the stored positional tables of the reference run."""
    tables = {"usefulness": golden["pe_usefulness"], "similarity": golden["pe_similarity"]}
    return ExerciseComparator.from_pretrained("sitrex-paper", path=paper_dir,
                                              positional_tables=tables)


def test_registry_describes_the_paper_weights():
    info = pretrained.weights_info("sitrex-paper")
    assert info.angle_kind == "unsigned"
    assert list(info.angle_names) == sorted(info.angle_names) and len(info.angle_names) == 23
    assert info.max_len == {"usefulness": 800, "similarity": 300}
    assert {s.filename for s in info.files.values()} == {USEFULNESS, SIMILARITY}
    assert all(pretrained.PAPER_COMMIT in s.url and len(s.sha256) == 64
               for s in info.files.values())
    assert "MIT" in info.license and "10.1016/j.neucom.2025.131703" in info.citation
    with pytest.raises(KeyError, match="registered: sitrex-paper"):
        pretrained.weights_info("nope")


def test_pinned_checksums_match_the_shared_copies(paper_dir):
    for spec in pretrained.weights_info("sitrex-paper").files.values():
        assert _fetch.sha256_of(paper_dir / spec.filename) == spec.sha256


def test_parity_with_the_reference_outputs(exact, golden):
    """Both models reproduce the paper code's recorded probabilities within 1e-4."""
    use = exact.predict_usefulness_proba(_trim(golden["usefulness_input"]))
    np.testing.assert_allclose(use, golden["usefulness_prob"], atol=1e-4)
    pairs = list(zip(_trim(golden["similarity_left"]), _trim(golden["similarity_right"])))
    np.testing.assert_allclose(exact.predict_proba(pairs), golden["similarity_prob"], atol=1e-4)


def test_default_table_is_fixed_and_close(paper_dir, golden, exact):
    a = ExerciseComparator.from_pretrained("sitrex-paper", path=paper_dir)
    b = ExerciseComparator.from_pretrained("sitrex-paper", path=paper_dir)
    refs = _trim(golden["usefulness_input"][:4])
    np.testing.assert_array_equal(a.predict_usefulness_proba(refs),
                                  b.predict_usefulness_proba(refs))
    # the documented effect of the unknown table: small (see benchmarks/pretrained_table.py)
    assert np.abs(a.predict_usefulness_proba(refs)
                  - exact.predict_usefulness_proba(refs)).max() < 0.15
    assert (a.max_len, a.usefulness_max_len) == (300, 800)


def test_metadata_says_which_weights_and_what_input(paper_dir):
    comparator = ExerciseComparator.from_pretrained("sitrex-paper", path=paper_dir)
    info = pretrained.weights_info("sitrex-paper")
    assert comparator.metadata_ == {
        "weights": "sitrex-paper", "angle_kind": "unsigned",
        "angle_names": list(info.angle_names),
        "max_len": {"similarity": 300, "usefulness": 800},
        "trained_on": info.trained_on, "license": info.license, "citation": info.citation,
        "knee_valgus": "paper",       # compare() gives it the paper's indicator, not the tilt
    }


def test_overrides_and_positional_tables_are_checked(paper_dir):
    paper = ExerciseComparator.from_pretrained("sitrex-paper", path=paper_dir, threshold=0.7)
    assert paper.threshold == 0.7
    with pytest.raises(InputError, match="threshold"):
        ExerciseComparator.from_pretrained("sitrex-paper", path=paper_dir, threshold=2)
    with pytest.raises(InputError, match="'usefulness' and 'similarity'"):
        ExerciseComparator.from_pretrained("sitrex-paper", path=paper_dir,
                                           positional_tables={"other": None})
    with pytest.raises(InputError, match=r"shape \(300, 64\)"):
        ExerciseComparator.from_pretrained("sitrex-paper", path=paper_dir,
                                           positional_tables={"similarity": np.zeros((3, 64))})


def test_a_subclass_gets_a_subclass(paper_dir):
    class Mine(ExerciseComparator):
        pass

    assert type(Mine.from_pretrained("sitrex-paper", path=paper_dir)) is Mine


def test_a_swapped_folder_is_refused(paper_dir, tmp_path):
    """The upstream notebook's swap loads silently in plain Keras; sitrex refuses it."""
    shutil.copy(paper_dir / USEFULNESS, tmp_path / SIMILARITY)
    shutil.copy(paper_dir / SIMILARITY, tmp_path / USEFULNESS)
    with pytest.raises(WeightsIntegrityError, match="swaps the two files"):
        ExerciseComparator.from_pretrained("sitrex-paper", path=tmp_path)
    (tmp_path / SIMILARITY).write_bytes(b"not hdf5")
    with pytest.raises(WeightsIntegrityError, match=SIMILARITY.replace(".", r"\.")):
        ExerciseComparator.from_pretrained("sitrex-paper", path=tmp_path)


@pytest.mark.parametrize("params", [{"max_len": 200}, {"mask_padding": True},
                                    {"usefulness_max_len": 300}])
def test_the_paper_networks_shape_cannot_be_changed(paper_dir, params):
    """The paper's networks are fixed: a shaping parameter is refused, not ignored (before,
    max_len=200 failed deep in Keras and mask_padding=True changed what a pickled copy
    predicted)."""
    with pytest.raises(InputError, match=f"{next(iter(params))}: set by the paper's networks"):
        ExerciseComparator.from_pretrained("sitrex-paper", path=paper_dir, **params)


def test_one_file_of_a_two_file_entry_asks_for_the_folder(paper_dir):
    with pytest.raises(InputError, match="are 2 files .* pass the folder that holds them"):
        ExerciseComparator.from_pretrained("sitrex-paper", path=paper_dir / SIMILARITY)


def test_offline_and_uncached_names_the_files_and_the_ways(monkeypatch):
    monkeypatch.setenv("SITREX_OFFLINE", "1")
    with pytest.raises(WeightsNotAvailableError) as err:
        ExerciseComparator.from_pretrained("sitrex-paper")
    message = str(err.value)
    for needle in (USEFULNESS, SIMILARITY, "path=", "SITREX_WEIGHTS", "cache", "sha256"):
        assert needle in message


def test_environment_variable_with_a_named_subfolder(paper_dir, tmp_path, monkeypatch):
    shutil.copytree(paper_dir, tmp_path / "weights" / "sitrex-paper")
    monkeypatch.setenv("SITREX_WEIGHTS", str(tmp_path / "weights"))
    files = pretrained.fetch_weights("sitrex-paper", download=False)
    assert files["similarity"] == tmp_path / "weights" / "sitrex-paper" / SIMILARITY


def test_verified_download_into_the_cache(paper_dir, tmp_path, monkeypatch):
    served = []

    def serve(url, timeout):
        served.append(url)
        return io.BytesIO((paper_dir / url.rsplit("/", 1)[1]).read_bytes())

    monkeypatch.setattr(_fetch, "_urlopen", serve)
    files = pretrained.fetch_weights("sitrex-paper")
    assert len(served) == 2 and all(pretrained.PAPER_COMMIT in u for u in served)
    assert files["usefulness"] == tmp_path / "cache" / "weights" / "sitrex-paper" / USEFULNESS
    assert pretrained.fetch_weights("sitrex-paper", download=False) == files  # now cached

    monkeypatch.setenv("SITREX_CACHE", str(tmp_path / "other"))
    monkeypatch.setattr(_fetch, "_urlopen", lambda url, timeout: io.BytesIO(b"tampered"))
    with pytest.raises(pretrained.WeightsIntegrityError, match="sha256"):
        pretrained.fetch_weights("sitrex-paper")
    folder = tmp_path / "other" / "weights" / "sitrex-paper"
    assert not folder.exists() or not any(folder.iterdir())


def test_convert_to_a_keras_file_and_back(exact, golden, tmp_path):
    """sitrex's own format: one .keras file, positional tables stored as weights, safe mode."""
    import keras

    path = exact.save(tmp_path / "sitrex-paper.keras")
    bundle = keras.saving.load_model(path, safe_mode=True)
    tables = [w for w in bundle.get_layer("similarity").weights if w.path.endswith("table")]
    np.testing.assert_array_equal(np.asarray(tables[0]), golden["pe_similarity"])
    loaded = ExerciseComparator.load(path)
    assert loaded.metadata_["weights"] == "sitrex-paper"
    refs = _trim(golden["usefulness_input"][:3])
    pairs = list(zip(_trim(golden["similarity_left"][:3]), _trim(golden["similarity_right"][:3])))
    np.testing.assert_allclose(loaded.predict_usefulness_proba(refs),
                               golden["usefulness_prob"][:3], atol=1e-4)
    np.testing.assert_allclose(loaded.predict_proba(pairs), golden["similarity_prob"][:3],
                               atol=1e-4)
    again = pickle.loads(pickle.dumps(exact))
    np.testing.assert_allclose(again.predict_proba(pairs), golden["similarity_prob"][:3],
                               atol=1e-4)


def tiny_comparator(seed: int) -> tuple[ExerciseComparator, np.ndarray]:
    """A small comparator fitted on random angles (3 columns), as a user's own; and its pairs."""
    from sitrex.pairs import make_pairs

    rng = np.random.default_rng(seed)
    seqs = [rng.uniform(0, 180, (20, 3)) for _ in range(6)]
    X, y = make_pairs(seqs, ["a"] * 3 + ["b"] * 3, {"a": [0], "b": [1, 2]}, n_pairs=16,
                      max_len=8, random_state=0, pad=False)
    return ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4, max_len=8,
                              epochs=1, random_state=0).fit(X, y), X


def test_register_your_own_weights(tmp_path):
    mine, X = tiny_comparator(0)
    path = mine.save(tmp_path / "mine.keras")
    entry = pretrained.register_weights("mine", path, angle_kind="sagittal",
                                        trained_on="random numbers")
    try:
        assert entry.max_len == {"similarity": 8, "usefulness": 8}
        assert entry.angle_names == ("angle 0", "angle 1", "angle 2")
        assert "mine" in pretrained.list_weights()
        with pytest.raises(ValueError, match="already registered"):
            pretrained.register_weights("mine", path)
        back = ExerciseComparator.from_pretrained("mine", threshold=0.4)
        assert back.threshold == 0.4 and back.metadata_["trained_on"] == "random numbers"
        assert back.metadata_["angle_kind"] == "sagittal"
        np.testing.assert_array_equal(back.predict_proba(X), mine.predict_proba(X))
    finally:
        pretrained.unregister_weights("mine")
    assert "mine" not in pretrained.list_weights()
    with pytest.raises(ValueError, match="cannot be removed"):
        pretrained.unregister_weights("sitrex-paper")


def _imported_modules(path: Path) -> set[str]:
    """Every module the file imports, anywhere (inside functions too), as absolute names.

    Import statements (relative ones resolved) and ``importlib.import_module`` /
    ``__import__`` calls with a literal name.
    """
    package = ["sitrex", *path.relative_to(SRC).parent.parts]
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = package[:len(package) - node.level + 1] if node.level else []
            base = ".".join(parts + ([node.module] if node.module else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str) \
                and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                    "import_module", "__import__"):
            names.add(node.args[0].value)
    return names


def test_the_registry_knows_nothing_of_the_estimators():
    """sitrex.pretrained names, finds and verifies files; sitrex.estimators builds from them."""
    imported = _imported_modules(SRC / "pretrained.py")
    assert "sitrex._model_archive" in imported           # the scan does see imports
    assert not [m for m in imported if m == "sitrex.estimators"
                or m.startswith("sitrex.estimators.")]
    assert not hasattr(pretrained, "load_pretrained")


def test_the_archive_format_is_read_without_keras_or_sklearn(tmp_path):
    imported = _imported_modules(SRC / "_model_archive.py")
    assert not [m for m in imported if m.split(".")[0] in ("keras", "sklearn", "tensorflow")]
    code = ("import sys, sitrex.pretrained; "
            "print(sorted(m for m in ('keras', 'sklearn', 'sitrex.estimators') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_a_file_that_is_not_sitrex_weights_is_an_integrity_error(tmp_path):
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a zip")
    with pytest.raises(WeightsIntegrityError, match="junk.keras"):
        pretrained.register_weights("junk", junk)
    with pytest.raises(WeightsIntegrityError, match="junk.keras"):
        ExerciseComparator.load(junk)
    plain = tmp_path / "plain.keras"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("config.json", "{}")
    with pytest.raises(WeightsIntegrityError, match="no sitrex.json"):
        ExerciseComparator.read_metadata(plain)
    with pytest.raises(MissingFileError, match="missing.keras"):
        ExerciseComparator.load(tmp_path / "missing.keras")
    assert "junk" not in pretrained.list_weights()


def test_damaged_networks_in_a_sitrex_file_are_an_integrity_error(exact, tmp_path):
    path = exact.save(tmp_path / "good.keras")
    damaged = tmp_path / "damaged.keras"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            if not item.filename.endswith(".h5"):           # drop the weights
                dst.writestr(item, src.read(item))
    assert json.loads(zipfile.ZipFile(damaged).read("sitrex.json"))["class"] == \
        "ExerciseComparator"
    with pytest.raises(WeightsIntegrityError, match="damaged.keras"):
        ExerciseComparator.load(damaged)


@pytest.fixture(scope="module")
def sagittal_file(tmp_path_factory):
    """A comparator saved the way ``sitrex train --kind sagittal`` saves one (it records its kind)."""
    mine, _ = tiny_comparator(1)
    mine.metadata_ = {"angle_kind": "sagittal", "trained_on": "my squats", "license": "CC0"}
    return mine.save(tmp_path_factory.mktemp("sagittal") / "sagittal.keras")


def test_a_file_that_is_not_the_default_is_not_labelled_the_default(sagittal_file, tmp_path):
    with pytest.raises(InputError, match="not the 'sitrex-default' weights.*load_comparator"):
        ExerciseComparator.from_pretrained(path=sagittal_file)
    shutil.copy(sagittal_file, tmp_path / "sitrex-default.keras")
    with pytest.raises(InputError, match="sha256"):
        ExerciseComparator.from_pretrained("sitrex-default", path=tmp_path)
    shutil.copy(pretrained.weights_info("sitrex-default").local_file, tmp_path)  # the real one
    given = ExerciseComparator.from_pretrained(path=tmp_path / "sitrex-default.keras")
    assert given.metadata_["weights"] == "sitrex-default"


def test_registered_weights_keep_what_the_file_records(sagittal_file):
    with pytest.raises(InputError, match="records angle_kind='sagittal', not 'unsigned'"):
        pretrained.register_weights("mine", sagittal_file, angle_kind="unsigned")
    with pytest.raises(InputError, match="records trained_on='my squats'"):
        pretrained.register_weights("mine", sagittal_file, trained_on="something else")
    assert "mine" not in pretrained.list_weights()
    entry = pretrained.register_weights("mine", sagittal_file, citation="our report")
    try:
        assert (entry.angle_kind, entry.trained_on, entry.license) == ("sagittal", "my squats",
                                                                        "CC0")
        meta = ExerciseComparator.from_pretrained("mine").metadata_
        assert meta["weights"] == "mine" and meta["angle_kind"] == "sagittal"
        assert (meta["trained_on"], meta["license"], meta["citation"]) == (
            "my squats", "CC0", "our report")
    finally:
        pretrained.unregister_weights("mine")


def test_a_published_file_that_contradicts_its_entry_is_refused(sagittal_file):
    pretrained.register_weights("remote", url="https://example.org/remote.keras",
                                sha256=_fetch.sha256_of(sagittal_file), angle_kind="unsigned")
    try:
        assert pretrained.weights_info("remote").angle_kind == "unsigned"
        with pytest.raises(InputError, match="records angle_kind='sagittal'.*'unsigned'"):
            ExerciseComparator.from_pretrained("remote", path=sagittal_file)
    finally:
        pretrained.unregister_weights("remote")
    pretrained.register_weights("remote", url="https://example.org/remote.keras",
                                sha256=_fetch.sha256_of(sagittal_file))
    try:
        assert pretrained.weights_info("remote").angle_kind is None     # not stated
        back = ExerciseComparator.from_pretrained("remote", path=sagittal_file)
        assert back.metadata_["angle_kind"] == "sagittal"
    finally:
        pretrained.unregister_weights("remote")
