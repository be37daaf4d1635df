"""sitrex.range_of_motion: how far each angle moves (the 5-95th percentile span)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import sitrex
from sitrex.angles import range_of_motion

angle_arrays = arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(1, 5)),
                      elements=st.floats(0, 360, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(angle_arrays, st.floats(-180, 180), st.floats(0.1, 10))
def test_it_ignores_an_offset_and_scales_with_the_angles(angles, offset, factor):
    span = range_of_motion(angles)
    assert span.shape == (angles.shape[1],)
    assert np.all(span >= 0)
    assert np.all(span <= angles.max(axis=0) - angles.min(axis=0) + 1e-9)
    np.testing.assert_allclose(range_of_motion(angles + offset), span, atol=1e-7)
    np.testing.assert_allclose(range_of_motion(angles * factor), span * factor, atol=1e-7)


@settings(max_examples=40, deadline=None)
@given(angle_arrays, st.data())
def test_missing_frames_are_ignored_and_an_unmeasured_angle_has_no_range(angles, data):
    hidden = data.draw(arrays(bool, angles.shape))
    hidden[0] = False                                # every angle keeps a frame
    gappy = np.where(hidden, np.nan, angles)
    gappy[:, 0] = np.nan
    span = range_of_motion(gappy)
    assert np.isnan(span[0])
    for k in range(1, angles.shape[1]):
        kept = angles[~hidden[:, k], k]
        assert span[k] == np.percentile(kept, 95) - np.percentile(kept, 5)


def test_the_time_axis_can_be_any_axis_and_the_function_is_public():
    angles = np.random.default_rng(0).uniform(0, 180, (3, 50, 23))
    np.testing.assert_allclose(range_of_motion(angles, axis=1), np.stack(
        [range_of_motion(a) for a in angles]))
    assert sitrex.range_of_motion is range_of_motion
    assert np.isnan(range_of_motion(np.zeros((0, 4)))).all()
