"""The backend registry: entry-point discovery, third-party and broken plugins, errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

from sitrex.backends import (
    BackendNotFoundError,
    PoseBackend,
    get_backend,
    list_backends,
    refresh_backends,
)
from sitrex.backends.mediapipe import MediaPipeBackend
from sitrex.backends.yolo import YoloBackend


@pytest.fixture
def fresh_registry():
    refresh_backends()
    yield
    refresh_backends()


def _install_plugin(tmp_path, monkeypatch, dist, entry_points, module_name=None, module_src=None):
    """A fake installed distribution: <dist>.dist-info with entry_points.txt, on sys.path."""
    info = tmp_path / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    lines = "\n".join(f"{k} = {v}" for k, v in entry_points.items())
    (info / "entry_points.txt").write_text(f"[sitrex.backends]\n{lines}\n")
    if module_name:
        (tmp_path / f"{module_name}.py").write_text(textwrap.dedent(module_src))
    monkeypatch.syspath_prepend(str(tmp_path))
    refresh_backends()


def test_builtins_are_registered_through_entry_points(fresh_registry):
    status = list_backends(all=True)
    assert status["mediapipe"].entry_point == "sitrex.backends.mediapipe:MediaPipeBackend"
    assert status["yolo"].entry_point == "sitrex.backends.yolo:YoloBackend"
    # this environment has both installed
    assert {"mediapipe", "yolo"} <= set(list_backends())


def test_importing_backends_and_listing_them_stays_light():
    code = (
        "import sys, sitrex, sitrex.backends as b\n"
        "b.list_backends(all=True)\n"
        "import sitrex.backends.mediapipe, sitrex.backends.yolo, sitrex.backends.batch, sitrex.video\n"
        "heavy = [m for m in ('mediapipe', 'ultralytics', 'torch', 'cv2', 'tensorflow', 'joblib')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_third_party_plugin_is_found_and_used(tmp_path, monkeypatch, fresh_registry):
    _install_plugin(
        tmp_path, monkeypatch, "sitrex_fakepose", {"fakepose": "fakepose_mod:FakePose"},
        "fakepose_mod",
        """
        import numpy as np
        from sitrex.backends import Detections, PoseBackend

        class FakePose(PoseBackend):
            name = "fakepose"
            def __init__(self, value=0.25, **kw):
                super().__init__(**kw)
                self.value = value
            def detect_image(self, rgb):
                h, w = rgb.shape[:2]
                xyz = np.full((1, 33, 3), self.value)
                return Detections(xyz, np.ones((1, 33)), np.array([[0.0, 0, w, h]]), np.ones(1))
        """,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a plugin written to the public contract: no warning
        assert "fakepose" in list_backends()
        backend = get_backend("fakepose", value=0.5)
    assert type(backend).__name__ == "FakePose" and backend.value == 0.5
    skel = backend.estimate_video([np.zeros((8, 8, 3), np.uint8)] * 3, fps=10.0)
    assert skel.n_frames == 3 and skel.meta["backend"] == "fakepose"
    np.testing.assert_allclose(skel.coords, 0.5)


def test_broken_plugin_warns_and_does_not_break_the_others(tmp_path, monkeypatch, fresh_registry):
    _install_plugin(
        tmp_path, monkeypatch, "sitrex_broken", {"brokenpose": "brokenpose_mod:Broken"},
        "brokenpose_mod", "raise ImportError('libfoo.so: cannot open shared object file')\n",
    )
    with pytest.warns(RuntimeWarning, match="brokenpose.*libfoo"):
        usable = list_backends()
    assert "brokenpose" not in usable and "mediapipe" in usable
    status = list_backends(all=True)["brokenpose"]
    assert not status.available and "ImportError" in status.reason
    with pytest.raises(BackendNotFoundError, match="libfoo"):
        get_backend("brokenpose")


def test_entry_point_that_is_not_a_backend_warns(tmp_path, monkeypatch, fresh_registry):
    _install_plugin(tmp_path, monkeypatch, "sitrex_notabackend", {"notone": "json:dumps"})
    with pytest.warns(RuntimeWarning, match="not a subclass"):
        assert "notone" not in list_backends()


def test_plugin_without_detect_image_is_listed_as_unusable(tmp_path, monkeypatch, fresh_registry):
    _install_plugin(
        tmp_path, monkeypatch, "sitrex_hookless", {"hookless": "hookless_mod:Hookless"},
        "hookless_mod",
        """
        from sitrex.backends import PoseBackend

        class Hookless(PoseBackend):
            name = "hookless"
        """,
    )
    with pytest.warns(RuntimeWarning, match=r"hookless.*detect_image\(\)"):
        assert "hookless" not in list_backends()
    assert "does not implement detect_image()" in list_backends(all=True)["hookless"].reason
    with pytest.raises(BackendNotFoundError, match="detect_image"):
        get_backend("hookless")


def test_missing_backend_lists_installed_ones_and_extras(fresh_registry):
    with pytest.raises(BackendNotFoundError) as info:
        get_backend("openpose")
    msg = str(info.value)
    assert "'openpose'" in msg and "mediapipe" in msg and "yolo" in msg
    assert "sitrex.backends" in msg


def test_backend_with_missing_dependency_names_the_extra(monkeypatch, fresh_registry):
    monkeypatch.setattr(YoloBackend, "requires", ("ultralytics", "no_such_module_xyz"))
    status = list_backends(all=True)["yolo"]
    assert not status.available
    assert 'pip install "sitrex[yolo]"' in status.reason
    assert "yolo" not in list_backends()
    with pytest.raises(BackendNotFoundError, match=r'sitrex\[yolo\]'):
        get_backend("yolo")


def test_get_backend_accepts_classes_and_instances():
    class Dummy(PoseBackend):
        name = "dummy"

        def detect_image(self, rgb):
            raise AssertionError("not called")

    d = get_backend(Dummy, person="central")
    assert d.person == "central"
    assert get_backend(d) is d
    with pytest.raises(TypeError):
        get_backend(d, person="largest")
    with pytest.raises(TypeError):
        get_backend(42)


def test_person_option_is_validated():
    with pytest.raises(ValueError, match="person"):
        MediaPipeBackend.__init__(object.__new__(MediaPipeBackend), person="tallest")


def test_no_warning_for_healthy_registry(fresh_registry):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        list_backends(all=True)
