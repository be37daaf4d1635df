"""A recording as another capture system would make it (sitrex.datasets.augment)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sitrex
from sitrex.datasets import drop_landmarks, jitter, make_exercise, retime
from sitrex.exceptions import InputError
from sitrex.measurement import body_size, image_plane_frames


@pytest.fixture(scope="module")
def clip():
    return make_exercise(1, ["squat"], n_reps=2, noise=0.0, random_state=0)[0][0]


@settings(max_examples=25, deadline=None)
@given(scale=st.sampled_from([1e-3, 1.0, 1e3]), seed=st.integers(0, 2**31 - 1))
def test_jitter_is_measured_in_torso_lengths_whatever_the_units(clip, scale, seed):
    scaled = clip.replace(coords=clip.coords * scale)
    moved = jitter(scaled, 0.03, random_state=seed)
    spread = np.nanstd(moved.coords - scaled.coords) / body_size(scaled.coords)
    assert 0.025 < spread < 0.035


def test_jitter_keeps_missing_landmarks_missing_and_2d_poses_flat(clip):
    coords = clip.coords.copy()
    coords[5:9, 15] = np.nan
    coords[:, :, 2] = 0.0                                      # a 2-D pose
    moved = jitter(clip.replace(coords=coords), 0.05, random_state=1)
    assert np.isnan(moved.coords[5:9, 15]).all()
    assert image_plane_frames(moved.coords[~np.isnan(moved.coords).any(axis=(1, 2))]).all()
    assert np.nanstd(moved.coords[..., :2] - coords[..., :2]) > 0


def test_jitter_leaves_the_input_alone_and_is_seeded(clip):
    before = clip.coords.copy()
    a, b = jitter(clip, random_state=3), jitter(clip, random_state=3)
    np.testing.assert_array_equal(clip.coords, before)
    np.testing.assert_array_equal(a.coords, b.coords)
    assert not np.array_equal(a.coords, jitter(clip, random_state=4).coords)


@settings(max_examples=25, deadline=None)
@given(share=st.floats(0.0, 0.3), seed=st.integers(0, 2**31 - 1))
def test_dropped_landmarks_come_in_runs_of_the_asked_length(clip, share, seed):
    lost = np.isnan(drop_landmarks(clip, share, run=(3, 10), random_state=seed).coords[..., 0])
    assert lost.mean() <= share + 0.05
    for landmark in range(lost.shape[1]):        # every run is at least 3 frames (or at the end)
        edges = np.diff(np.concatenate([[0], lost[:, landmark].astype(int), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        assert ((ends - starts >= 3) | (ends == len(lost))).all()


def test_dropping_about_a_share_of_the_frames(clip):
    long = sitrex.concatenate([clip] * 6)
    lost = np.isnan(drop_landmarks(long, 0.1, random_state=0).coords[..., 0]).mean()
    assert 0.07 < lost < 0.11
    assert not np.isnan(drop_landmarks(long, 0.0, random_state=0).coords).any()


def test_retime_keeps_the_duration_and_the_poses(clip):
    half = retime(clip, clip.fps / 2)
    assert half.fps == clip.fps / 2
    assert abs(half.n_frames / half.fps - clip.n_frames / clip.fps) <= 1 / half.fps
    np.testing.assert_allclose(half.coords[::1][:10], clip.coords[::2][:10], atol=1e-9)
    assert retime(clip, clip.fps).n_frames == clip.n_frames


def test_a_comparison_survives_another_capture(clip):
    """The same squats, captured noisier, with holes and at 20 fps, are still judged alike."""
    other = retime(drop_landmarks(jitter(clip, 0.02, random_state=0), 0.05, random_state=0), 20.0)
    report = sitrex.compare(clip, other)
    assert report.score > 0.5


@pytest.mark.parametrize("call, match", [
    (lambda c: jitter(c.coords), "Skeleton"),
    (lambda c: jitter(c, -1.0), "scale"),
    (lambda c: drop_landmarks(c, 1.0), "share"),
    (lambda c: drop_landmarks(c, 0.1, run=(0, 3)), "run"),
    (lambda c: retime(c.replace(fps=None), 15.0), "frame rate"),
    (lambda c: retime(c, 0.0), "fps"),
])
def test_bad_input_is_named(clip, call, match):
    with pytest.raises(InputError, match=match):
        call(clip)
