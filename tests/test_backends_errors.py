"""What the built-in backends raise: missing libraries, bad model files, bad options, old names.

Every error is one of sitrex.exceptions, so the command line maps it to the right exit
status, and each still derives from the built-in class users caught before.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from sitrex.backends import get_backend
from sitrex.exceptions import InputError, IntegrityError, MissingDependencyError


@pytest.fixture
def garbage(tmp_path):
    """A model file of the right name whose bytes are no model (a failed copy)."""
    def make(name: str):
        path = tmp_path / name
        path.write_bytes(b"<html>404 Not Found</html>\n" * 10)
        return path
    return make


def _check_unloadable(error: IntegrityError, path) -> None:
    message = str(error)
    assert str(path) in message and "Replace it" in message
    assert "\n" not in message and len(message) < 600  # one line of the library's report at most


def test_unloadable_yolo_weights_are_an_integrity_error_naming_the_file(garbage):
    pytest.importorskip("ultralytics")
    bad = garbage("yolo11n-pose.pt")
    with pytest.raises(IntegrityError) as info:
        get_backend("yolo", model_path=bad, download=False)
    _check_unloadable(info.value, bad)
    assert "yolo11n-pose.pt, published at https://" in str(info.value)


def test_a_mediapipe_model_given_to_yolo_fails_when_the_backend_is_made(shared_dir):
    """ultralytics takes any file that is not a .pt checkpoint as an export and reads it only
    at the first image: the backend loads it at once, so the error is the damaged-model one
    (exit 5 on the command line), not an unexpected one halfway through a video."""
    pytest.importorskip("ultralytics")
    task = shared_dir / "models" / "pose_landmarker_lite.task"
    with pytest.raises(IntegrityError) as info:
        get_backend("yolo", model_path=task, download=False)
    _check_unloadable(info.value, task)


def test_unloadable_mediapipe_model_is_an_integrity_error_naming_the_file(garbage):
    pytest.importorskip("mediapipe")
    bad = garbage("pose_landmarker_lite.task")
    with get_backend("mediapipe", model="lite", model_path=bad, download=False) as backend:
        with pytest.raises(IntegrityError) as info:  # the model is loaded on first use
            backend.estimate_image(np.zeros((8, 8, 3), np.uint8))
    _check_unloadable(info.value, bad)


@pytest.mark.parametrize("backend, module, extra", [
    ("yolo", "ultralytics", "yolo"),
    ("mediapipe", "mediapipe", "mediapipe"),
])
def test_missing_library_names_the_pip_extra(monkeypatch, backend, module, extra):
    from sitrex.backends.mediapipe import import_mediapipe
    from sitrex.backends.yolo import import_ultralytics

    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
    importer = import_ultralytics if backend == "yolo" else import_mediapipe
    with pytest.raises(MissingDependencyError, match=rf'pip install "sitrex\[{extra}\]"'):
        importer()
    with pytest.raises(ImportError):  # still what callers caught before
        importer()


@pytest.mark.parametrize("backend, options, name", [
    ("yolo", {"conf": 1.5}, "conf"),
    ("yolo", {"iou": -0.1}, "iou"),
    ("yolo", {"min_keypoint_confidence": float("nan")}, "min_keypoint_confidence"),
    ("yolo", {"imgsz": 0}, "imgsz"),
    ("yolo", {"model": "xxl"}, "model"),
    ("mediapipe", {"min_tracking_confidence": 2}, "min_tracking_confidence"),
    ("mediapipe", {"num_poses": 0}, "num_poses"),
    ("mediapipe", {"landmarks": "pixels"}, "landmarks"),
    ("mediapipe", {"person": "tallest"}, "person"),
])
def test_options_out_of_range_are_input_errors_naming_the_option(backend, options, name):
    pytest.importorskip("ultralytics" if backend == "yolo" else "mediapipe")
    with pytest.raises(InputError, match=name):
        get_backend(backend, download=False, **options)


@pytest.mark.assets
def test_yolo_weights_argument_still_works_and_warns(shared_dir):
    pytest.importorskip("ultralytics")
    path = shared_dir / "models" / "yolo11n-pose.pt"
    with pytest.warns(DeprecationWarning, match=r"model_path="):
        backend = get_backend("yolo", weights=path, download=False)
    assert backend.model_path == path
    with pytest.warns(DeprecationWarning, match="model_path"):
        assert backend.weights == path
    with pytest.raises(InputError, match="once"):
        get_backend("yolo", weights=path, model_path=path)
