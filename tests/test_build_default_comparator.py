"""scripts/build_default_comparator.py: the parts that make the shipped weights reproducible."""

from __future__ import annotations

import importlib.util
import io
import json
import zipfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build_default_comparator.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("build_default_comparator", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _archive(entries, when):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries:
            zf.writestr(zipfile.ZipInfo(name, date_time=when), content)
    return buffer.getvalue()


def test_equal_weights_saved_at_different_times_give_equal_bytes(script):
    weights = b"\x00\x01weights"
    first = _archive([("model.weights.h5", weights),
                      ("metadata.json", json.dumps({"keras_version": "3", "date_saved":
                                                    "2026-12-01@14:00:00"}))],
                     (2026, 12, 1, 14, 0, 0))
    second = _archive([("metadata.json", json.dumps({"date_saved": "2027-01-02@09:30:00",
                                                     "keras_version": "3"})),
                       ("model.weights.h5", weights)],
                      (2027, 1, 2, 9, 30, 0))
    assert first != second
    assert script.reproducible_archive(first) == script.reproducible_archive(second)


def test_the_archive_keeps_every_entry_and_the_weights_unchanged(script):
    data = _archive([("config.json", "{}"), ("model.weights.h5", b"abc"),
                     ("sitrex.json", '{"class": "RepetitionComparator"}')], (2026, 1, 1, 0, 0, 0))
    with zipfile.ZipFile(io.BytesIO(script.reproducible_archive(data))) as zf:
        assert zf.namelist() == ["config.json", "model.weights.h5", "sitrex.json"]
        assert zf.read("model.weights.h5") == b"abc"


def test_different_weights_still_give_different_bytes(script):
    one = _archive([("model.weights.h5", b"a")], (2026, 1, 1, 0, 0, 0))
    two = _archive([("model.weights.h5", b"b")], (2026, 1, 1, 0, 0, 0))
    assert script.reproducible_archive(one) != script.reproducible_archive(two)


def test_all_one_shot_builds_take_neither_a_data_set_nor_an_output(script):
    with pytest.raises(SystemExit):
        script.main(["--lodo-dir", "out", "--leave-out", "irds"])


def test_keras_object_ids_of_one_run_do_not_change_the_bytes(script):
    def config(first, second):
        return json.dumps({"layers": [{"shared_object_id": first}, {"shared_object_id": first},
                                      {"shared_object_id": second}]})

    one = _archive([("config.json", config(140020028796368, 140020028796999))], (2026, 1, 1, 0, 0, 0))
    two = _archive([("config.json", config(140681760642192, 140681760640000))], (2026, 1, 1, 0, 0, 0))
    assert script.reproducible_archive(one) == script.reproducible_archive(two)
    with zipfile.ZipFile(io.BytesIO(script.reproducible_archive(one))) as zf:
        ids = [layer["shared_object_id"] for layer in json.loads(zf.read("config.json"))["layers"]]
    assert ids == [1, 1, 2]                      # which objects are shared is kept


class _RecordingComparator:
    """Stands in for RepetitionComparator: keeps what fit was given."""

    def fit(self, X, y, groups=None, correct=None):
        self.fitted = {"X": X, "y": y, "groups": groups, "correct": correct}
        return self


def test_injected_pairs_never_count_as_correct_executions(script):
    import numpy as np

    from sitrex.datasets.training_pairs import TrainingPairs

    all_ones, one_fault = np.ones((4, 23)), np.ones((4, 23))
    one_fault[:, 5] = 0
    pairs = TrainingPairs(
        sequences=[np.full((30, 23), float(k)) for k in range(4)],
        reference=np.array([0, 0, 0, 0]), candidate=np.array([1, 2, 3, 1]),
        targets=np.vstack([all_ones[:1], all_ones[:1], one_fault[:1], all_ones[:1]]),
        sources=np.array(["irds", "irds", "irds", "penn_action"]),
        faults=np.array(["", "rom_more", "rom_less", ""]),   # rom_more: tolerated, labelled all 1
        coach_reps=np.array([1, 1, 1, 3]))

    fitted = script.fit_recipe(_RecordingComparator(), pairs).fitted

    assert fitted["correct"].tolist() == [True, False, False, True]
    assert fitted["groups"].tolist() == pairs.sources.tolist()
    assert len(fitted["X"]) == len(fitted["y"]) == len(pairs)


def test_the_recipe_in_the_metadata_says_which_pairs_are_correct(script):
    assert "recorded correct pairs only" in script.RECIPE
    assert "rom_more" in script.RECIPE
