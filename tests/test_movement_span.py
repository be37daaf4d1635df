"""The coach's movement span: long still ends are cut, a clip that moves at once is kept whole."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sitrex.repetitions import LONG_STILL, movement_span


def _repetition(n_frames: int, depth: float, noise: float, seed: int) -> np.ndarray:
    """One squat-like repetition that leaves its rest pose at once: knee, hip and a still angle."""
    phase = 2 * np.pi * np.arange(n_frames) / n_frames
    knee = 170 - depth * (1 - np.cos(phase))
    hip = 175 - 0.8 * depth * (1 - np.cos(phase))
    rng = np.random.default_rng(seed)
    return np.column_stack([knee, hip, np.full(n_frames, 90.0)]) + rng.normal(0, noise, (n_frames, 3))


@settings(max_examples=40, deadline=None)
@given(n_frames=st.integers(20, 120), depth=st.floats(15, 70), noise=st.floats(0, 0.5),
       before=st.one_of(st.floats(0, 0.15), st.floats(1, 6)),     # a short or a long stand,
       after=st.one_of(st.floats(0, 0.15), st.floats(1, 6)),      # clear of the 0.5 s limit
       seed=st.integers(0, 1000))
def test_standing_before_and_after_is_cut_back_to_the_repetition(n_frames, depth, noise, before,
                                                                 after, seed):
    fps = 30.0
    rep = _repetition(n_frames, depth, noise, seed)
    n0, n1 = int(before * fps), int(after * fps)
    clip = np.concatenate([np.repeat(rep[:1], n0, 0), rep, np.repeat(rep[-1:], n1, 0)])
    span = movement_span(clip, np.ones(len(clip), bool), fps)
    alone = movement_span(rep, np.ones(len(rep), bool), fps)
    assert (alone.start, alone.stop) == (0, n_frames)          # it moves at once: kept whole
    # a long still end is cut where the movement leaves 5 % of its range: within the first
    # (last) 7.2 % of a cosine repetition, arccos(0.9) / (2 pi); a short still end is kept
    slack = int(np.ceil(0.072 * n_frames)) + 1
    if n0 > LONG_STILL * fps:
        assert n0 <= span.start <= n0 + slack, (span, n0)
    else:
        assert span.start == 0
    if n1 > LONG_STILL * fps:
        assert n0 + n_frames - slack <= span.stop <= n0 + n_frames, (span, n0 + n_frames)
    else:
        assert span.stop == len(clip)

def test_frames_without_a_person_and_a_still_clip_are_kept_as_they_are():
    clip = np.column_stack([170 - 40 * (1 - np.cos(2 * np.pi * np.arange(60) / 60)),
                            np.full(60, 90.0)])
    present = np.ones(60, bool)
    present[:5] = present[-3:] = False
    assert movement_span(clip, present, 30.0) == slice(5, 57)
    still = np.full((90, 2), 120.0)
    assert movement_span(still, np.ones(90, bool), 30.0) == slice(0, 90)
