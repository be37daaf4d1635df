"""Shared fixtures: where the ../shared test assets live, and what to do without them.

Tests that need real data or model files take the ``shared_dir`` fixture (or
call :func:`require_asset`). On a user's fresh clone, where ``../shared`` is
absent, they skip with a reason that says how to provide it; in CI
(``SITREX_REQUIRE_ASSETS=1``) a missing asset is a failure instead, so that a
green run always means the real-data tests ran.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_root() -> Path:
    """The assets folder: ``$SITREX_SHARED``, else ``../shared`` beside the repository."""
    return Path(os.environ.get("SITREX_SHARED", REPO_ROOT.parent / "shared"))


def assets_required() -> bool:
    return os.environ.get("SITREX_REQUIRE_ASSETS", "").strip().lower() in {"1", "true", "yes"}


def require_asset(relative: str = "") -> Path:
    """Path to an asset under the shared folder; skip (or fail in CI) when it is missing."""
    path = shared_root() / relative
    if not path.exists():
        reason = (f"test asset {path} is missing: put the sitrex test assets in ../shared "
                  "beside the repository or point SITREX_SHARED at them")
        if assets_required():
            pytest.fail(f"{reason} (SITREX_REQUIRE_ASSETS=1 turns this skip into a failure)")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ../shared assets folder (skips, or fails under SITREX_REQUIRE_ASSETS=1, when absent)."""
    return require_asset()


@pytest.fixture(scope="session")
def angles_golden():
    """The reference implementation's golden angles (``reference/angles_golden.npz``)."""
    import numpy as np

    with np.load(require_asset("reference/angles_golden.npz")) as z:
        return {k: z[k] for k in z.files}


def sided_clips(exercise: str, fault: str) -> dict:
    """6 correct and 4 faulty repetitions of a sided synthetic exercise, by other bodies, each
    turned to the first one's side (``{"good", "bad", "side", "other"}``)."""
    from sitrex.datasets import make_exercise

    def made(n, seed, **kw):
        clips, _, info = make_exercise(n, [exercise], n_reps=1, view="front",
                                       random_state=seed, return_info=True, **kw)
        return clips, [i["lead_side"] for i in info]

    good, leads = made(6, 5)
    bad, bad_leads = made(4, 6, fault_rate=1.0, faults=[fault])
    good, bad = ([c if lead == leads[0] else c.mirrored() for c, lead in zip(clips, sides)]
                 for clips, sides in ((good, leads), (bad, bad_leads)))
    return {"good": good, "bad": bad, "side": leads[0],
            "other": {"left": "right", "right": "left"}[leads[0]]}


@pytest.fixture(scope="session")
def one_sided_raises():
    """A one-sided exercise (sitrex's synthetic knee raise), correct and with too small a range
    (:func:`sided_clips`)."""
    return sided_clips("knee raise", "incomplete_rom")


@pytest.fixture(scope="session")
def lunges():
    """A movement of both legs, each its own way (sitrex's synthetic lunge), correct and shallow
    (:func:`sided_clips`; ``"side"`` is the leg forward)."""
    return sided_clips("lunge", "shallow_depth")
