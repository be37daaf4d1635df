"""``sitrex.measurement.knee_frontal_tilt``: how far a knee is inside or outside its ankle.

The shin (ankle to knee), projected onto the torso's coronal plane, against
the torso's outward axis on its side: 90 degrees for a shin along the torso,
above 90 for a knee inside its ankle (valgus), below for a knee outside it.
:func:`sitrex.measurement.comparison_angles` compares it in place of the
paper's knee valgus indicator. Properties on random plausible bodies (the
strategies of ``test_angles_properties``) and a few built poses.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_angles_properties import (bodies, example_body, idx, local_bodies, mirror, rotations,
                                    sequences, torso_frame, translations)

import sitrex
from sitrex.angles import VALGUS_MIN_SPREAD, compute_angles
from sitrex.exceptions import InputError
from sitrex.measurement import (KNEE_VALGUS_MEASURES, comparison_angles, in_torso_lengths,
                                knee_frontal_tilt)

pytestmark = [pytest.mark.filterwarnings("error::RuntimeWarning")]

SIDES = ("left", "right")
SIGNED = ("sagittal", "coronal", "transverse", "max-energy", "all")


def tilt(body: np.ndarray, side: str, kind: str = "unsigned") -> float:
    return float(knee_frontal_tilt(body[None], side, kind)[0])


def reference_tilt(body: np.ndarray, side: str) -> float:
    """Independent: coordinates of the shin along the torso's outward and up axes."""
    across, up, _ = torso_frame(body)
    outward = across if side == "right" else -across
    shin = body[idx(f"{side}_knee")] - body[idx(f"{side}_ankle")]
    return float(np.degrees(np.arctan2(abs(shin @ up), shin @ outward)))


def in_plane_fraction(body: np.ndarray, side: str) -> float:
    """The length of the shin seen in the coronal plane, over its length."""
    _, _, forward = torso_frame(body)
    shin = body[idx(f"{side}_knee")] - body[idx(f"{side}_ankle")]
    return float(np.linalg.norm(shin - (shin @ forward) * forward) / np.linalg.norm(shin))


def measured_sides(body: np.ndarray) -> list[str]:
    """The sides whose shin is clearly not seen end-on (the tilt is NaN below a tenth)."""
    return [side for side in SIDES if in_plane_fraction(body, side) > 0.12]


def placed(body: np.ndarray, side: str, inward: float) -> np.ndarray:
    """`body` with the ankle 0.4 below the knee along the torso's up axis, the knee then moved
    `inward` towards the body's midline along the shoulder line."""
    across, up, _ = torso_frame(body)
    towards_midline = across if side == "left" else -across
    out = body.copy()
    out[idx(f"{side}_ankle")] = out[idx(f"{side}_knee")] - 0.4 * up
    out[idx(f"{side}_knee")] += inward * towards_midline
    return out


@settings(max_examples=30, deadline=None)
@given(body=local_bodies(), rotation=rotations(), scale=st.floats(0.01, 100.0), shift=translations)
def test_does_not_depend_on_placement_units_or_origin(body, rotation, scale, shift):
    moved = scale * body @ rotation.T + shift
    for side in SIDES:
        for kind in ("unsigned", "coronal"):
            assert np.isclose(tilt(moved, side, kind), tilt(body, side, kind), atol=1e-6, equal_nan=True)


@settings(max_examples=30, deadline=None)
@given(body=bodies())
def test_unsigned_is_the_angle_of_the_shin_against_the_outward_axis(body):
    for side in measured_sides(body):
        assert np.isclose(tilt(body, side), reference_tilt(body, side), atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(body=bodies(), kind=st.sampled_from(SIGNED))
def test_signed_kinds_agree_with_unsigned_while_the_knee_is_above_the_ankle(body, kind):
    _, up, _ = torso_frame(body)
    for side in measured_sides(body):
        unsigned, signed = tilt(body, side), tilt(body, side, kind)
        assert 0.0 <= signed < 360.0
        knee_above = (body[idx(f"{side}_knee")] - body[idx(f"{side}_ankle")]) @ up > 0
        assert np.isclose(signed, unsigned if knee_above else 360.0 - unsigned, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(body=bodies(), kind=st.sampled_from(("unsigned", "coronal")))
def test_both_sides_read_the_same_way_in_a_mirror(body, kind):
    mirrored = mirror(body)
    assert np.isclose(tilt(mirrored, "left", kind), tilt(body, "right", kind), atol=1e-6, equal_nan=True)
    assert np.isclose(tilt(mirrored, "right", kind), tilt(body, "left", kind), atol=1e-6, equal_nan=True)


@settings(max_examples=25, deadline=None)
@given(body=local_bodies(), inward=st.floats(0.02, 0.3), rotation=rotations())
def test_a_knee_inside_its_ankle_reads_above_90_and_outside_below(body, inward, rotation):
    for side in SIDES:
        assert np.isclose(tilt(placed(body, side, 0.0) @ rotation.T, side), 90.0, atol=1e-6)
        assert tilt(placed(body, side, inward) @ rotation.T, side) > 90.0
        assert tilt(placed(body, side, -inward) @ rotation.T, side) < 90.0


@settings(max_examples=30, deadline=None)
@given(body=bodies())
def test_a_shin_seen_nearly_end_on_is_not_measured(body):
    for side in SIDES:
        if in_plane_fraction(body, side) < 0.08:
            assert np.isnan(tilt(body, side)) and np.isnan(tilt(body, side, "coronal"))


def test_missing_landmarks_and_a_shin_seen_end_on_are_not_measured():
    body = example_body()
    frames = np.stack([body] * 3)
    frames[1, idx("left_ankle")] = np.nan
    across, up, forward = torso_frame(body)
    frames[2, idx("left_ankle")] = frames[2, idx("left_knee")] - 0.4 * forward + 0.01 * up
    got = knee_frontal_tilt(frames, "left")
    assert np.isfinite(got[0]) and np.isnan(got[1:]).all()
    assert np.isfinite(knee_frontal_tilt(frames, "right")).all()


def test_a_bad_side_or_kind_is_named():
    with pytest.raises(InputError, match="side must be 'left' or 'right'"):
        knee_frontal_tilt(example_body()[None], "middle")
    with pytest.raises(InputError, match="kind"):
        knee_frontal_tilt(example_body()[None], "left", "sideways")


@settings(max_examples=30, deadline=None)
@given(body=sequences(min_frames=2, max_frames=4),
       kind=st.sampled_from(("unsigned", "sagittal", "coronal", "transverse", "all")))
def test_comparison_angles_put_it_in_the_valgus_columns_and_change_nothing_else(body, kind):
    got = comparison_angles(body, kind)
    names = sitrex.angles.angle_names(kind)
    plain = compute_angles(in_torso_lengths(body), kind)
    for side in SIDES:
        column = names.index(f"{side} knee valgus indicator")
        np.testing.assert_allclose(got[:, column], knee_frontal_tilt(body, side, kind), atol=1e-9)
    others = np.array(["valgus" not in n for n in names])
    np.testing.assert_array_equal(got[:, others], plain[:, others])


def test_comparison_angles_by_name_keep_the_tilt_in_its_place():
    body = np.stack([example_body()] * 2)
    got = comparison_angles(body, names=["right knee valgus indicator", "left knee",
                                         "left knee valgus indicator"])
    np.testing.assert_allclose(got[:, 0], knee_frontal_tilt(body, "right"))
    np.testing.assert_allclose(got[:, 2], knee_frontal_tilt(body, "left"))
    np.testing.assert_array_equal(got[:, 1], compute_angles(in_torso_lengths(body), names="left knee")[:, 0])


@settings(max_examples=20, deadline=None)
@given(body=sequences(min_frames=2, max_frames=4), kind=st.sampled_from(("unsigned", "coronal", "all")))
def test_the_paper_measure_keeps_the_papers_indicator_where_it_has_a_direction(body, kind):
    got = comparison_angles(body, kind, knee_valgus="paper")
    expected = compute_angles(in_torso_lengths(body), kind, valgus_min_spread=VALGUS_MIN_SPREAD)
    np.testing.assert_array_equal(got, expected)
    assert KNEE_VALGUS_MEASURES == ("frontal tilt", "paper")


def test_an_unknown_knee_measure_is_named():
    with pytest.raises(InputError, match="knee_valgus must be one of"):
        comparison_angles(example_body()[None], knee_valgus="valgus")
