"""The package itself: a cheap import, and a public API that resolves."""

from __future__ import annotations

import subprocess
import sys

import sitrex

HEAVY = ("keras", "tensorflow", "torch", "jax", "mediapipe", "ultralytics", "cv2", "sklearn", "matplotlib")


def test_importing_sitrex_loads_no_heavy_dependency():
    code = (
        "import sys, sitrex\n"
        "from sitrex import Skeleton, compute_angles, angle_names\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"importing sitrex imported: {result.stdout.strip()}"


def test_every_public_name_resolves():
    for name in sitrex.__all__:
        assert getattr(sitrex, name) is not None, name


def test_unknown_attribute_raises_attribute_error():
    try:
        sitrex.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_version_is_a_string():
    assert isinstance(sitrex.__version__, str) and sitrex.__version__
