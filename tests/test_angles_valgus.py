"""``compute_angles(..., valgus_min_spread=d)``: the valgus indicator where it has no direction.

The paper's indicator takes the angle at the knee between the unit directions
of the hip, knee and ankle (projected onto the coronal plane, seen from the
origin). With ``d > 0`` it is NaN where the knee's direction lies within ``d``
degrees of the hip's or the ankle's. Checked against an independent
implementation on random plausible bodies (the strategies of
``test_angles_properties``), on a leg standing straight and a squatting one,
and, where the paper's indicator flips, against what
:func:`sitrex.measurement.comparison_angles` measures instead (the knee
frontal tilt, ``test_knee_frontal_tilt``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_angles_properties import (PLANE_NORMAL, VALGUS, bodies, example_body, idx, rotations,
                                    torso_frame)

import sitrex
from sitrex.angles import VALGUS_MIN_SPREAD, compute_angles
from sitrex.measurement import comparison_angles
from sitrex.exceptions import InputError

pytestmark = [pytest.mark.filterwarnings("error::RuntimeWarning")]

KINDS = ("unsigned", "sagittal", "coronal", "transverse", "all")


def knee_spreads(landmarks: np.ndarray) -> np.ndarray:
    """Per side (left, right): the smaller angle, degrees, between the knee's direction and the
    hip's or the ankle's, seen from the origin in the coronal plane (written independently)."""
    normal = torso_frame(landmarks)[PLANE_NORMAL["coronal"]]

    def direction(name):
        p = landmarks[idx(name)]
        p = p - np.dot(p, normal) * normal
        return p / np.linalg.norm(p)

    out = []
    for side in ("left", "right"):
        knee = direction(f"{side}_knee")
        out.append(min(np.degrees(np.arccos(np.clip(np.dot(knee, direction(f"{side}_{o}")), -1, 1)))
                       for o in ("hip", "ankle")))
    return np.array(out)


def valgus_columns(kind: str) -> list[int]:
    names = sitrex.angles.angle_names(kind)
    return [names.index(v) for v in VALGUS]


@settings(max_examples=60, deadline=None)
@given(body=bodies(), kind=st.sampled_from(KINDS), spread=st.floats(0.5, 60.0))
def test_the_indicator_is_nan_exactly_where_the_knee_is_within_the_spread(body, kind, spread):
    plain = compute_angles(body, kind)
    masked = compute_angles(body, kind, valgus_min_spread=spread)
    columns = valgus_columns(kind)
    others = np.setdiff1d(np.arange(plain.shape[-1]), columns)
    np.testing.assert_array_equal(masked[others], plain[others])   # no other angle changes
    spreads = knee_spreads(body)
    decided = np.abs(spreads - spread) > 1e-6       # rounding may decide on the boundary
    assert np.array_equal(np.isnan(masked[columns])[decided], (spreads < spread)[decided])
    kept = ~np.isnan(masked[columns])
    np.testing.assert_array_equal(masked[columns][kept], plain[columns][kept])


@settings(max_examples=40, deadline=None)
@given(body=bodies(), rotation=rotations(), scale=st.floats(0.2, 5.0))
def test_what_is_left_unmeasured_does_not_change_with_rotation_or_scale_about_the_origin(
        body, rotation, scale):
    decided = np.abs(knee_spreads(body) - VALGUS_MIN_SPREAD) > 1e-6
    columns = valgus_columns("unsigned")
    here = np.isnan(compute_angles(body, valgus_min_spread=VALGUS_MIN_SPREAD)[columns])
    moved = scale * body @ rotation.T
    there = np.isnan(compute_angles(moved, valgus_min_spread=VALGUS_MIN_SPREAD)[columns])
    assert np.array_equal(here[decided], there[decided])


def test_zero_is_the_paper_bit_for_bit():
    body = example_body()
    assert np.array_equal(compute_angles(body, "all", valgus_min_spread=0.0),
                          compute_angles(body, "all"))


def _legs(bend: float, jitter: np.ndarray) -> np.ndarray:
    """A body facing +z, mid-hip at the origin, feet apart: the left knee and ankle on one ray
    from the origin (a straight leg in a wide stance), the knee then pushed forward by `bend`."""
    body = example_body()
    positions = {"left_shoulder": [-0.2, 0.5, 0], "right_shoulder": [0.2, 0.5, 0],
                 "left_hip": [-0.13, 0, 0], "right_hip": [0.13, 0, 0],
                 "left_knee": [-0.2, -0.45 + bend, bend], "left_ankle": [-0.36, -0.81, 0]}
    for name, xyz in positions.items():
        body[idx(name)] = xyz
    body[idx("left_knee")] += jitter
    return body


def test_a_straight_leg_in_a_wide_stance_flips_the_paper_indicator_and_is_left_unmeasured():
    rng = np.random.default_rng(0)
    poses = np.stack([_legs(0.0, rng.normal(0, 0.003, 3)) for _ in range(200)])
    name = ["left knee valgus indicator"]
    paper = compute_angles(poses, names=name)[:, 0]
    assert np.ptp(paper) > 90                      # 3 mm of jitter: the paper's value flips
    assert np.isnan(compute_angles(poses, names=name, valgus_min_spread=VALGUS_MIN_SPREAD)).all()


def test_a_squatting_knee_is_measured_and_steady():
    rng = np.random.default_rng(0)
    poses = np.stack([_legs(0.25, rng.normal(0, 0.003, 3)) for _ in range(200)])
    values = compute_angles(poses, names=["left knee valgus indicator"],
                            valgus_min_spread=VALGUS_MIN_SPREAD)[:, 0]
    assert np.isfinite(values).all() and np.ptp(values) < 10


def test_comparison_angles_measure_a_straight_leg_in_a_wide_stance_steadily():
    # where the paper's indicator flips, the comparisons' knee frontal tilt holds still
    rng = np.random.default_rng(1)
    poses = np.stack([_legs(0.0, rng.normal(0, 0.003, 3)) for _ in range(200)]) * 250
    left = sitrex.ANGLE_NAMES.index("left knee valgus indicator")
    got = comparison_angles(poses)[:, left]
    assert np.isfinite(got).all() and np.ptp(got) < 3
    assert np.ptp(compute_angles(poses)[:, left]) > 90


@pytest.mark.parametrize("value", [-1.0, 90.5, float("nan"), "six", True])
def test_a_spread_outside_0_to_90_degrees_is_refused_with_its_name(value):
    with pytest.raises(InputError, match="valgus_min_spread"):
        compute_angles(example_body(), valgus_min_spread=value)
