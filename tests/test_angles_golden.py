"""sitrex's angles reproduce the SiTrEx reference implementation (../shared/reference).

The golden arrays were produced by running the paper's own code on 20
synthetic sequences and 8 hand-made edge cases; see
``../shared/reference/README.md``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from sitrex.angles import ANGLE_NAMES, MULTI_PLANE_ANGLES, angle_names, compute_angles

TOLERANCE_DEG = 1e-6
SIGNED_KINDS = ["sagittal", "coronal", "transverse", "max-energy"]


def circular_error(a, b):
    d = np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)) % 360.0
    return np.minimum(d, 360.0 - d)


def test_column_order_is_the_references_sorted_order(angles_golden):
    assert ANGLE_NAMES == tuple(angles_golden["angle_names_sorted"])


def test_multi_plane_angles_are_the_references(angles_golden):
    assert set(MULTI_PLANE_ANGLES) == set(angles_golden["multi_plane_angles"])


def test_unsigned_angles_match_the_reference(angles_golden):
    ours = compute_angles(angles_golden["landmarks"], "unsigned")
    np.testing.assert_allclose(ours, angles_golden["angles_unsigned_sorted"], rtol=0, atol=TOLERANCE_DEG)


@pytest.mark.parametrize("kind", SIGNED_KINDS)
def test_plane_angles_match_the_reference_circularly(angles_golden, kind):
    ours = compute_angles(angles_golden["landmarks"], kind)
    assert circular_error(ours, angles_golden[f"angles_{kind}_sorted"]).max() < TOLERANCE_DEG


@pytest.mark.parametrize("kind", ["unsigned", "sagittal", "coronal", "transverse"])
def test_edge_cases_match_the_reference(angles_golden, kind):
    ours = compute_angles(angles_golden["edge_landmarks"], kind)
    error = circular_error(ours, angles_golden[f"edge_angles_{kind}_sorted"])
    worst = np.unravel_index(np.argmax(error), error.shape)
    assert error.max() < TOLERANCE_DEG, (
        f"edge case {angles_golden['edge_desc'][worst[0]]!r}, angle {ANGLE_NAMES[worst[1]]!r}")


def test_all_kind_matches_the_reference_at_its_float32_precision(angles_golden):
    """The reference stores the 'all' kind as float32, so compare at that precision."""
    ours = compute_angles(angles_golden["landmarks"], "all")
    index_map = json.loads(str(angles_golden["angles_all_sorted_index_map"]))
    columns = angle_names("all")
    for name, cols in index_map.items():
        expected = [f"{name} ({p})" for p in ("sagittal", "coronal", "transverse")] if len(cols) == 3 else [name]
        assert [columns[c] for c in cols] == expected
    error = circular_error(ours.astype(np.float32), angles_golden["angles_all_sorted"])
    assert error.max() < TOLERANCE_DEG


def test_uint8_model_inputs_are_the_truncated_unsigned_angles(angles_golden):
    """The paper's models saw unsigned angles cast to uint8 (truncation), see quirk 3."""
    ours = compute_angles(angles_golden["landmarks"], "unsigned")
    np.testing.assert_array_equal(ours.astype(np.uint8), angles_golden["angles_unsigned_sorted_uint8"])
