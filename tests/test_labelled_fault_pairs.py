"""Pairs of correct coaches and recorded faulty athletes: who is paired, and what is labelled."""

from __future__ import annotations

import numpy as np
import pytest

from sitrex.datasets import SQUAT_FAULT_ANGLES, make_exercise
from sitrex.datasets.labelled_fault_pairs import fault_angles, labelled_fault_pairs
from sitrex.datasets.protocol import ProtocolData
from sitrex.datasets.training_pairs import training_pairs
from sitrex.measurement import COMPARISON_ANGLE_NAMES

FORMS = ["olympic squat", "powerlifting squat", "heels lifting", "olympic squat", "knees caving",
         "no depth"]
GROUPS = ["a", "a", "a", "b", "b", "c"]
CORRECT = [True, True, False, True, False, False]


@pytest.fixture(scope="module")
def squats():
    """Six squats in three recording days: three correct, three with a named fault."""
    clips, _ = make_exercise(6, ["squat"], n_reps=2, random_state=3)
    return ProtocolData("squat_errors", clips, ["squat"] * 6, GROUPS, CORRECT, forms=FORMS)


@pytest.fixture(scope="module")
def pairs(squats):
    return labelled_fault_pairs(squats, n_coaches=5, n_athletes=5, coach_reps=(1,), random_state=0)


def _athlete_clip(data, sequence):
    from sitrex.conditioning import Conditioning
    from sitrex.datasets.protocol import model_angles

    for i, skeleton in enumerate(data.skeletons):
        angles = model_angles(Conditioning().skeleton(skeleton), conditioned=True)
        if angles.shape == sequence.shape and np.allclose(angles, sequence, equal_nan=True):
            return i
    raise AssertionError("athlete sequence matches no clip")


def test_every_correct_coach_meets_the_faulty_clips_of_the_other_groups(squats, pairs):
    # coaches 0, 1 (day a) meet faults 4, 5; coach 3 (day b) meets faults 2, 5
    assert len(pairs) == 2 + 2 + 2
    athletes = [_athlete_clip(squats, pairs.sequences[c]) for c in pairs.candidate]
    assert sorted(athletes) == [2, 4, 4, 5, 5, 5]
    assert all(not squats.correct[a] for a in athletes)


def test_only_the_faults_own_angles_are_labelled_and_they_differ(squats, pairs):
    for c, targets, fault in zip(pairs.candidate, pairs.targets, pairs.faults):
        clip = _athlete_clip(squats, pairs.sequences[c])
        assert fault == f"labelled: {FORMS[clip]}"
        named = [COMPARISON_ANGLE_NAMES.index(n) for n in SQUAT_FAULT_ANGLES[FORMS[clip]]]
        labelled = np.flatnonzero(np.isfinite(targets))
        assert set(labelled) <= set(named) and len(labelled)
        assert (targets[labelled] == 0).all()


def test_they_never_count_as_correct_executions(pairs):
    assert pairs.injected.all()
    assert set(pairs.sources.tolist()) == {"squat_errors"}


def test_a_fault_without_named_angles_gives_no_pair(squats):
    pushfit = ProtocolData("pushfit", squats.skeletons, squats.exercises, squats.groups,
                           squats.correct)
    assert fault_angles(pushfit, 2) == ()
    assert len(labelled_fault_pairs(pushfit, random_state=0)) == 0


def test_the_same_seed_gives_the_same_pairs(squats, pairs):
    again = labelled_fault_pairs(squats, n_coaches=5, n_athletes=5, coach_reps=(1,), random_state=0)
    np.testing.assert_array_equal(again.targets, pairs.targets)
    np.testing.assert_array_equal(again.faults, pairs.faults)


def test_training_pairs_add_them_only_when_asked_and_leave_them_out_with_their_data_set(shared_dir):
    plain = training_pairs(shared_dir / "data", sources=["irds"])
    mixed = training_pairs(shared_dir / "data", sources=["irds"], labelled_faults=True)
    recorded = np.char.startswith(mixed.faults.astype(str), "labelled: ")
    assert not np.char.startswith(plain.faults.astype(str), "labelled: ").any()
    assert recorded.any() and (~recorded).sum() == len(plain)
    np.testing.assert_array_equal(mixed.targets[~recorded], plain.targets)
    left_out = training_pairs(shared_dir / "data", sources=["irds"], leave_out="irds",
                              labelled_faults=True)
    assert len(left_out) == 0
