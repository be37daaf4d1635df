"""Tests of the synthetic exercise generator (sitrex.datasets.synthetic)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import find_peaks

from sitrex.angles import ANGLE_NAMES, compute_angles
from sitrex.datasets.synthetic import EXERCISES, FAULT_TABLE, FAULTS, make_exercise
from sitrex.landmarks import landmark_index

COL = {name: i for i, name in enumerate(ANGLE_NAMES)}


def _angles(skel, kind="unsigned"):
    return compute_angles(skel.coords, kind)


@pytest.fixture(scope="module")
def batch():
    return make_exercise(14, n_reps=(2, 4), random_state=0, return_info=True)


def test_same_seed_gives_identical_arrays():
    a, la = make_exercise(5, random_state=42)
    b, lb = make_exercise(5, random_state=42)
    assert (la == lb).all()
    assert all(np.array_equal(x.coords, y.coords) for x, y in zip(a, b))


def test_different_seeds_give_different_sequences():
    a, _ = make_exercise(3, "squat", random_state=1)
    b, _ = make_exercise(3, "squat", random_state=2)
    assert not any(x.coords.shape == y.coords.shape and np.allclose(x.coords, y.coords) for x, y in zip(a, b))


def test_legacy_random_state_and_generator_are_accepted():
    make_exercise(2, random_state=np.random.RandomState(0))
    make_exercise(2, random_state=np.random.default_rng(0))


def test_labels_are_balanced_and_match_requested_exercises():
    _, labels = make_exercise(10, ["squat", "push-up", "arm curl"], n_reps=2, random_state=3)
    names, counts = np.unique(labels, return_counts=True)
    assert set(names) == {"squat", "push-up", "arm curl"}
    assert counts.max() - counts.min() <= 1


def test_shapes_fps_and_metadata(batch):
    skels, labels, info = batch
    assert len(skels) == len(labels) == len(info) == 14
    for s, lab, inf in zip(skels, labels, info):
        assert s.coords.shape == (inf["n_frames"], 33, 3)
        assert s.fps == 30.0 and s.meta["synthetic"] is True and s.meta["units"] == "metres"
        assert s.source.startswith(f"synthetic:{lab}#") and inf["exercise"] == lab


@pytest.mark.parametrize("noise", [0.0, 0.01])
def test_coordinates_are_finite(noise):
    skels, _ = make_exercise(7, noise=noise, n_reps=2, random_state=4)
    assert all(np.isfinite(s.coords).all() for s in skels)


@pytest.mark.parametrize("kind", ["unsigned", "sagittal", "coronal", "transverse"])
def test_angles_have_no_nan(batch, kind):
    for s in batch[0]:
        assert not np.isnan(compute_angles(s.coords, kind)).any()


def test_front_view_standing_anatomy_and_handedness():
    skels, _ = make_exercise(7, view="front", pitch=0.0, noise=0.0, n_reps=2, random_state=5)
    for s in skels:
        y = s.coords[0, :, 1]  # y points down
        if s.meta["exercise"] == "push-up":
            continue
        shoulders, hips = y[[11, 12]].mean(), y[[23, 24]].mean()
        ankles = y[[27, 28]].mean()
        assert shoulders < hips < ankles
        assert y[landmark_index("nose")] < shoulders
        # facing the camera: the person's own left is on the image right (+x)
        assert s["left_shoulder"][0, 0] > s["right_shoulder"][0, 0]
        assert s["left_hip"][0, 0] > s["right_hip"][0, 0]


def test_side_view_faces_image_right():
    skels, _ = make_exercise(1, "squat", view="side", pitch=0.0, noise=0.0, random_state=6)
    xyz = skels[0].coords[0]
    assert xyz[landmark_index("nose"), 0] > xyz[[23, 24], 0].mean()


@pytest.mark.parametrize("pair", [(11, 13), (13, 15), (23, 25), (25, 27), (27, 31), (11, 12), (0, 7)])
def test_segment_lengths_are_rigid_without_noise(pair):
    for s in make_exercise(7, noise=0.0, n_reps=2, random_state=7, faults=None, fault_rate=0.5)[0]:
        length = np.linalg.norm(s.coords[:, pair[0]] - s.coords[:, pair[1]], axis=-1)
        assert np.ptp(length) < 1e-9


def test_main_angle_has_one_extreme_per_rep():
    skels, _, info = make_exercise(14, n_reps=(1, 6), noise=0.003, random_state=8, return_info=True)
    for s, inf in zip(skels, info):
        angle = _angles(s)[:, COL[inf["main_angle"]]]
        start = angle[0]
        sign = 1.0 if angle.max() - start > start - angle.min() else -1.0  # toward the rep extreme
        peaks, _ = find_peaks(sign * angle, prominence=15.0)
        assert len(peaks) == inf["n_reps"], inf["exercise"]
        assert len(inf["rep_boundaries"]) == len(inf["rep_extremes"]) == inf["n_reps"]


def _with_and_without(exercise, fault, seed=11, severity=0.5):
    kw = dict(noise=0.0, n_reps=2, severity=severity, random_state=seed, return_info=True)
    clean, _, info0 = make_exercise(1, exercise, **kw)
    faulty, _, info1 = make_exercise(1, exercise, faults=[fault], fault_rate=1.0, **kw)
    assert info0[0]["fault"] is None and info1[0]["fault"] == fault
    assert clean[0].coords.shape == faulty[0].coords.shape
    return clean[0], faulty[0], info1[0]


def test_fault_keeps_body_tempo_and_view():
    clean, faulty, _ = _with_and_without("squat", "shallow_depth")
    np.testing.assert_allclose(clean.coords[0], faulty.coords[0], atol=1e-9)  # same start pose


CASES = [(f, ex) for f in FAULTS for ex in FAULT_TABLE[f]["angles"]]


@pytest.mark.parametrize("fault, exercise", CASES)
def test_fault_moves_its_claimed_angles(fault, exercise):
    clean, faulty, info = _with_and_without(exercise, fault)
    kind = info["affected_kind"]
    diff = np.abs((_angles(faulty, kind) - _angles(clean, kind) + 180.0) % 360.0 - 180.0)
    # the fault shows at one end of the rep: the end-of-rep pose, or the start pose (e.g. a press)
    starts = [start for start, _ in info["rep_boundaries"]]
    change = np.maximum(diff[info["rep_extremes"]].mean(axis=0), diff[starts].mean(axis=0))
    for name in info["affected_angles"]:
        assert change[COL[name]] > 5.0, (name, change[COL[name]])


_ARMS = ("left elbow", "right elbow", "left wrist", "right wrist")
FAR = {
    "shallow_depth": _ARMS,
    "incomplete_rom": None,
    "torso_lean": ("left knee", "right knee") + _ARMS,
    "knee_valgus": ("left knee", "right knee") + _ARMS,  # a swivel keeps the unsigned knee angle
    "elbow_flare": ("left knee", "right knee", "left hip", "right hip", "left elbow", "right elbow"),
}


@pytest.mark.parametrize("fault, exercise", [c for c in CASES if FAR[c[0]]])
def test_fault_leaves_far_angles_unchanged(fault, exercise):
    clean, faulty, _ = _with_and_without(exercise, fault)
    cols = [COL[n] for n in FAR[fault]]
    assert np.abs(_angles(faulty)[:, cols] - _angles(clean)[:, cols]).max() < 1.0


def test_incomplete_rom_arm_curl_leaves_legs_unchanged():
    clean, faulty, _ = _with_and_without("arm curl", "incomplete_rom")
    cols = [COL[n] for n in ("left knee", "right knee", "left hip", "right hip")]
    assert np.abs(_angles(faulty)[:, cols] - _angles(clean)[:, cols]).max() < 1.0


def test_fault_rate_zero_gives_no_faults_and_one_gives_faults():
    _, _, none = make_exercise(6, "squat", faults=FAULTS, fault_rate=0.0, random_state=9, return_info=True)
    _, _, all_ = make_exercise(6, "squat", faults=FAULTS, fault_rate=1.0, random_state=9, return_info=True)
    assert all(i["fault"] is None for i in none)
    assert all(i["fault"] in FAULTS and i["affected_angles"] for i in all_)


def test_inapplicable_fault_is_skipped_per_sequence():
    _, labels, info = make_exercise(4, ["squat", "arm curl"], faults=["knee_valgus"], fault_rate=1.0,
                                    random_state=10, return_info=True)
    for lab, inf in zip(labels, info):
        assert inf["fault"] == ("knee_valgus" if lab == "squat" else None)


def test_exercises_are_distinguishable_by_knee_range():
    skels, labels = make_exercise(6, ["squat", "arm curl"], n_reps=2, random_state=12)
    knee = {lab: [] for lab in labels}
    for s, lab in zip(skels, labels):
        a = _angles(s)[:, COL["left knee"]]
        knee[lab].append(np.ptp(a))
    assert np.mean(knee["squat"]) > 60.0 > 20.0 > np.mean(knee["arm curl"])


def test_push_up_is_horizontal():
    s = make_exercise(1, "push-up", view="front", pitch=0.0, noise=0.0, random_state=13)[0][0]
    torso = s.coords[:, [11, 12]].mean(axis=1) - s.coords[:, [23, 24]].mean(axis=1)
    assert (np.abs(torso[:, 1]) < 0.5 * np.linalg.norm(torso, axis=-1)).all()


@pytest.mark.parametrize("kwargs, match", [
    (dict(exercises=["squat", "jumping jack"]), "valid exercises.*'squat'"),
    (dict(faults=["wobble"]), "valid faults.*'knee_valgus'"),
    (dict(exercises="arm curl", faults=["knee_valgus"], fault_rate=0.5), "applies only to squat"),
    (dict(n_samples=0), "n_samples"),
    (dict(noise=-1.0), "noise"),
    (dict(fault_rate=1.5), "fault_rate"),
    (dict(n_reps=(3, 2)), "n_reps"),
    (dict(view="top"), "view"),
    (dict(random_state="seed"), "random_state"),
])
def test_bad_arguments_raise_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_exercise(**{"n_samples": 2, **kwargs})


def test_every_exercise_is_available():
    assert set(EXERCISES) >= {"squat", "lunge", "deadlift", "arm curl", "shoulder press", "lateral raise",
                              "push-up", "front raise", "side leg raise", "knee raise", "sit to stand"}


@pytest.mark.parametrize("exercise", ["side leg raise", "knee raise"])
def test_a_one_legged_exercise_moves_the_leading_leg_and_stands_on_the_other(exercise):
    skels, _, info = make_exercise(8, exercise, noise=0.0, random_state=14, return_info=True)
    assert {i["lead_side"] for i in info} == {"left", "right"}
    for s, inf in zip(skels, info):
        lead, stand = inf["lead_side"], "right" if inf["lead_side"] == "left" else "left"
        assert inf["main_angle"] == f"{lead} hip"
        rom = np.ptp(s.angles(), axis=0)
        assert rom[ANGLE_NAMES.index(f"{lead} hip")] > 20.0
        assert rom[ANGLE_NAMES.index(f"{stand} hip")] < 3.0
        def travel(side):
            ankle = s.coords[:, landmark_index(f"{side}_ankle")]
            return np.linalg.norm(ankle - ankle[0], axis=-1).max()

        assert travel(stand) < 0.25 * travel(lead)       # the standing foot stays put


def test_useful_angles_of_each_exercise_move():
    """Every listed useful angle moves (over 5 degrees of range on clean data)."""
    from sitrex.angles import ANGLE_NAMES
    from sitrex.datasets import SYNTHETIC_EXERCISE_ANGLES

    assert set(SYNTHETIC_EXERCISE_ANGLES) == set(EXERCISES)
    skeletons, labels = make_exercise(len(EXERCISES) * 3, noise=0.0, random_state=3)
    for exercise, names in SYNTHETIC_EXERCISE_ANGLES.items():
        assert set(names) <= set(ANGLE_NAMES)
        columns = [ANGLE_NAMES.index(n) for n in names]
        rom = np.array([np.ptp(s.angles()[:, columns], axis=0)
                        for s, lab in zip(skeletons, labels) if lab == exercise])
        assert rom.mean(axis=0).min() > 5.0, exercise
