"""The training pairs of the default comparator: who is paired with whom, and what the targets say."""

from __future__ import annotations

import numpy as np
import pytest

from sitrex.measurement import COMPARISON_ANGLE_NAMES
from sitrex.datasets import make_exercise
from sitrex.datasets.protocol import ProtocolData, coach_input, protocol_data
from sitrex.datasets.training_pairs import (
    TRAINING_SOURCES,
    TrainingPairs,
    build_pairs,
    training_pairs,
)
from sitrex.exceptions import InputError


@pytest.fixture(scope="module")
def synthetic():
    """Six correct squats in three groups, and two arm curls in two groups."""
    squats, _ = make_exercise(6, ["squat"], n_reps=2, random_state=0)
    curls, _ = make_exercise(2, ["arm curl"], n_reps=2, random_state=1)
    return ProtocolData("synthetic", list(squats) + list(curls),
                        ["squat"] * 6 + ["arm curl"] * 2,
                        ["a", "a", "b", "b", "c", "c", "a", "b"], [True] * 8)


@pytest.fixture(scope="module")
def pairs(synthetic):
    return build_pairs(synthetic, n_coaches=2, n_athletes=3, coach_reps=(1, 2), random_state=0)


def _matching_clip(data, target, cut=False):
    """Index of the clip whose model angles (of its one-repetition cut) are `target`, or None."""
    from sitrex.datasets.protocol import model_angles, one_repetition

    for i, skel in enumerate(data.skeletons):
        angles = model_angles(one_repetition(skel) if cut else skel)
        if angles.shape == target.shape and np.allclose(angles, target, equal_nan=True):
            return i
    return None


def test_athletes_are_correct_clips_of_the_coachs_exercise_from_other_groups(synthetic, pairs):
    one_rep_as_is = (~pairs.injected) & (pairs.coach_reps == 1)
    assert one_rep_as_is.any()
    for ref, cand in zip(pairs.reference[one_rep_as_is], pairs.candidate[one_rep_as_is]):
        athlete = _matching_clip(synthetic, pairs.sequences[cand])
        coach = _matching_clip(synthetic, pairs.sequences[ref], cut=True)
        assert athlete is not None and coach is not None
        assert synthetic.correct[athlete] and synthetic.correct[coach]
        assert synthetic.exercises[athlete] == synthetic.exercises[coach]
        assert synthetic.groups[athlete] != synthetic.groups[coach]


def test_every_athlete_comes_as_it_is_and_with_one_injected_fault(pairs):
    as_is = pairs.faults == ""
    assert 0 < (~as_is).sum() <= as_is.sum()
    # an injected pair follows the uninjected pair of the same coach and athlete clip
    for k in np.flatnonzero(~as_is):
        assert pairs.faults[k - 1] == "" and pairs.reference[k - 1] == pairs.reference[k]


def test_uninjected_pairs_have_target_one_on_every_measured_angle(pairs):
    targets = pairs.targets[~pairs.injected]
    assert set(np.unique(targets[np.isfinite(targets)]).tolist()) == {1.0}


def test_injected_pairs_label_a_changed_angle_zero_unless_the_fault_is_tolerated(pairs):
    from sitrex.faults import TOLERATED_KINDS

    for k in np.flatnonzero(pairs.injected):
        labels = pairs.targets[k]
        if pairs.faults[k] in TOLERATED_KINDS:
            assert not (labels == 0).any()
        else:
            assert (labels == 0).any(), pairs.faults[k]
            # and the candidate really differs from the clip it was injected into
            # (a column unmeasured in every frame, such as a rotation of a straight arm, is skipped)
            change = np.abs(pairs.sequences[pairs.candidate[k]]
                            - pairs.sequences[pairs.candidate[k - 1]])
            diff = np.max(np.where(np.isnan(change), -np.inf, change), axis=0)
            assert np.max(diff[labels == 0]) > 3.0


def test_coach_inputs_of_several_repetitions_are_longer_than_one(pairs):
    one = {int(r) for r in pairs.reference[pairs.coach_reps == 1]}
    two = {int(r) for r in pairs.reference[pairs.coach_reps == 2]}
    assert one and two
    assert np.mean([len(pairs.sequences[r]) for r in two]) > \
        np.mean([len(pairs.sequences[r]) for r in one])


def test_a_multi_repetition_coach_takes_mates_of_its_group_and_exercise_only(synthetic):
    rng = np.random.default_rng(0)
    # clip 6 (arm curl, group a) has no other arm curl in its group: no 2-repetition coach
    assert coach_input(synthetic, 6, 2, rng) is None
    assert coach_input(synthetic, 0, 2, rng).n_frames > coach_input(synthetic, 0, 1, rng).n_frames


def test_the_same_seed_gives_the_same_pairs(synthetic, pairs):
    again = build_pairs(synthetic, n_coaches=2, n_athletes=3, coach_reps=(1, 2), random_state=0)
    np.testing.assert_array_equal(again.reference, pairs.reference)
    np.testing.assert_array_equal(again.candidate, pairs.candidate)
    np.testing.assert_array_equal(again.targets, pairs.targets)
    for a, b in zip(again.sequences, pairs.sequences):
        np.testing.assert_array_equal(a, b)


def test_pairs_survive_a_save_and_load(pairs, tmp_path):
    pairs.save(tmp_path / "pairs.npz")
    back = TrainingPairs.load(tmp_path / "pairs.npz")
    assert len(back) == len(pairs)
    np.testing.assert_array_equal(back.targets, pairs.targets)
    for (r1, c1), (r2, c2) in zip(back.X, pairs.X):
        np.testing.assert_array_equal(r1, r2)
        np.testing.assert_array_equal(c1, c2)


def test_without_drops_a_source_and_the_sequences_only_it_used(pairs):
    other = TrainingPairs(pairs.sequences, pairs.reference, pairs.candidate, pairs.targets,
                          np.full(len(pairs), "other"), pairs.faults, pairs.coach_reps)
    both = TrainingPairs.concatenate([pairs, other])
    assert len(both) == 2 * len(pairs) and len(both.sequences) == 2 * len(pairs.sequences)
    left = both.without("other")
    assert len(left) == len(pairs) and set(left.sources.tolist()) == {"synthetic"}
    assert len(left.sequences) == len(pairs.sequences)
    for (r1, c1), (r2, c2) in zip(left.X, pairs.X):
        assert r1 is r2 and c1 is c2


def test_the_targets_have_one_column_per_angle(pairs):
    assert pairs.targets.shape == (len(pairs), len(COMPARISON_ANGLE_NAMES))
    assert all(s.shape[1] == len(COMPARISON_ANGLE_NAMES) for s in pairs.sequences)


def test_an_unknown_source_is_refused_with_the_choices():
    with pytest.raises(InputError, match="choose from squat_errors"):
        training_pairs(sources=["nope"])
    with pytest.raises(InputError, match="unknown training source"):
        training_pairs(leave_out="penn")


def test_protocol_data_groups_pushfit_by_video_format(shared_dir):
    data = protocol_data("pushfit", shared_dir / "data")
    assert len(data) == 261                      # the 4 clips of unknown format are dropped
    assert all("fps" in g for g in data.groups)
    assert data.correct.sum() == 139


def test_irds_pairs_are_built_and_cached_once(shared_dir, tmp_path):
    first = training_pairs(shared_dir / "data", sources=["irds"], cache=tmp_path)
    cached = list(tmp_path.glob("pairs_irds_*.npz"))
    assert len(cached) == 1
    again = training_pairs(shared_dir / "data", sources=["irds"], cache=tmp_path)
    np.testing.assert_array_equal(first.targets, again.targets)
    assert set(first.sources.tolist()) == {"irds"} and first.injected.any()
    assert set(first.coach_reps.tolist()) == {1, 3}
    assert TRAINING_SOURCES.index("irds") == 1


def test_the_pairs_cache_is_keyed_by_the_code_that_built_it(tmp_path, monkeypatch):
    import sitrex._source_stamp
    from sitrex.datasets.training_pairs import _cache_name

    name = _cache_name("irds", {"n_coaches": 3}, 1, tmp_path)
    assert name.startswith("pairs_irds_") and name == _cache_name("irds", {"n_coaches": 3}, 1,
                                                                    tmp_path)
    assert _cache_name("irds", {"n_coaches": 4}, 1, tmp_path) != name
    monkeypatch.setattr(sitrex._source_stamp, "_installed_stamp", lambda: "0" * 12)
    assert _cache_name("irds", {"n_coaches": 3}, 1, tmp_path) != name


def test_a_coach_or_athlete_without_measured_angles_makes_no_pairs(synthetic):
    hidden = synthetic.skeletons[0].replace(coords=np.full_like(synthetic.skeletons[0].coords,
                                                                np.nan))
    data = ProtocolData("hidden", [hidden] + synthetic.skeletons[2:6],
                        ["squat"] * 5, ["a", "b", "b", "c", "c"], [True] * 5)
    pairs = build_pairs(data, n_coaches=5, n_athletes=4, coach_reps=(1,), random_state=0)
    assert len(pairs) > 0
    for ref, cand in zip(pairs.reference, pairs.candidate):
        shared = (np.isfinite(pairs.sequences[ref]).mean(0) >= 0.5) & \
            (np.isfinite(pairs.sequences[cand]).mean(0) >= 0.5)
        assert shared.any()


def test_synthetic_exercises_are_an_optional_source_of_bodies_of_their_own():
    from sitrex.datasets import EXERCISES
    from sitrex.datasets.training_pairs import OPTIONAL_SOURCES

    assert "synthetic" in OPTIONAL_SOURCES and "synthetic" not in TRAINING_SOURCES
    data = protocol_data("synthetic")
    assert set(data.exercises.tolist()) == set(EXERCISES)
    assert len(set(data.groups.tolist())) == len(data) and data.correct.all()
