"""sitrex.feedback.compare end to end with a tiny comparator: inputs, windows, gaps, errors."""

import copy
import warnings

import numpy as np
import pytest

import sitrex
from sitrex.backends import Detections, PoseBackend
from sitrex.datasets import make_exercise
from sitrex.exceptions import InputError
from sitrex.feedback import FeedbackReport, compare
from sitrex.sequences import interpolate_gaps, resample

MAX_LEN = 16


@pytest.fixture(scope="module")
def data():
    skeletons, labels = make_exercise(4, ["squat", "arm curl"], n_reps=2, tempo=1.5,
                                      random_state=0)
    return skeletons, labels


@pytest.fixture(scope="module")
def comparator(data):
    skeletons, labels = data
    seqs = [s.angles() for s in skeletons]
    useful = {"squat": [5, 16, 3, 14, 22], "arm curl": [1, 12]}
    X, y = sitrex.make_pairs(seqs, labels, useful, n_pairs=16, max_len=MAX_LEN, random_state=0,
                             pad=False)
    return sitrex.ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4,
                                     max_len=MAX_LEN, epochs=1, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def squats(data):
    skeletons, labels = data
    coach, athlete = [s for s, lab in zip(skeletons, labels) if lab == "squat"][:2]
    return coach, athlete


def test_report_shapes_and_sources(comparator, squats, tmp_path):
    coach, athlete = squats
    path = coach.save(tmp_path / "coach.npz")
    report = compare(path, athlete, comparator, repetitions=False, smooth=False)
    assert isinstance(report, FeedbackReport)
    n, a = athlete.n_frames, len(sitrex.ANGLE_NAMES)
    assert report.similarity.shape == (n, a) and report.present.shape == (n,)
    assert report.coach_angles.shape == (coach.n_frames, a)
    assert report.angle_names == tuple(sitrex.ANGLE_NAMES) and report.fps == athlete.fps
    np.testing.assert_allclose(report.times, np.arange(n) / athlete.fps)
    assert report.coach_source == str(path) and report.athlete_source is None
    assert report.athlete_skeleton is athlete and report.coach_skeleton.n_frames == coach.n_frames
    assert report.window == MAX_LEN and report.alignment is None
    np.testing.assert_allclose(report.athlete_angles, pipeline_angles(athlete))
    assert np.isfinite(report.athlete_angles).all()
    valgus = np.array([d.measure == "valgus" for d in sitrex.angles.ANGLE_DEFINITIONS])
    np.testing.assert_allclose(report.athlete_angles[:, ~valgus], athlete.angles()[:, ~valgus],
                               atol=0.2)
    # the valgus indicator columns hold the knee frontal tilt, not the paper's indicator
    tilt = [sitrex.measurement.knee_frontal_tilt(athlete.coords, side) for side in ("left", "right")]
    np.testing.assert_allclose(report.athlete_angles[:, valgus], np.stack(tilt, axis=1), atol=1e-6)


def pipeline_angles(skeleton):
    """The angles compare() measures: in torso lengths, the knee frontal tilt in the valgus columns."""
    from sitrex.measurement import comparison_angles

    return comparison_angles(skeleton.coords)


def test_a_comparator_trained_on_the_papers_indicator_is_given_it(comparator, squats):
    from sitrex.measurement import comparison_angles

    coach, athlete = squats
    valgus = np.array([d.measure == "valgus" for d in sitrex.angles.ANGLE_DEFINITIONS])
    paper = copy.copy(comparator)
    paper.metadata_ = {"knee_valgus": "paper"}
    report = compare(coach, athlete, paper, smooth=False, window=12, repetitions=False, min_window=1)
    expected = comparison_angles(athlete.coords, knee_valgus="paper")
    np.testing.assert_array_equal(report.athlete_angles, expected)
    tilt = compare(coach, athlete, comparator, smooth=False, window=12, repetitions=False,
                   min_window=1).athlete_angles
    np.testing.assert_array_equal(tilt[:, ~valgus], expected[:, ~valgus])
    assert not np.allclose(tilt[:, valgus], expected[:, valgus], equal_nan=True)
    paper.metadata_ = {"knee_valgus": "origin"}
    with pytest.raises(InputError, match=r"metadata_\['knee_valgus'\] is 'origin'"):
        compare(coach, athlete, paper, smooth=False, window=12, repetitions=False, min_window=1)


def test_cached_embedding_equals_direct_predict_proba(comparator, squats):
    coach, athlete = squats
    report = compare(coach, athlete, comparator, window=12, repetitions=False, min_window=1,
                     smooth=False, coach_rep="whole")
    # gaps (none in a synthetic squat) bridged as the pipeline bridges them
    ref, cand = (interpolate_gaps(pipeline_angles(s), fill_value=0.0) for s in (coach, athlete))
    frames = [0, 5, 11, 12, 40, athlete.n_frames - 1]
    direct = comparator.predict_proba([(ref, cand[max(0, t - 11):t + 1]) for t in frames])
    scored = np.isfinite(report.similarity[frames]).all(0)
    assert scored.all()
    np.testing.assert_allclose(report.similarity[frames][:, scored], direct[:, scored], atol=1e-5)
    usefulness = comparator.predict_usefulness_proba([ref])[0]
    np.testing.assert_allclose(report.usefulness, usefulness, atol=1e-6)
    np.testing.assert_array_equal(report.useful, usefulness >= comparator.threshold)


def test_stride_holds_past_values_and_ignores_the_future(comparator, squats):
    coach, athlete = squats
    cand = athlete.angles()
    full = compare(coach, cand, comparator, stride=1, fps=30, repetitions=False, min_window=1,
                   smooth=False)
    strided = compare(coach, cand, comparator, stride=4, fps=30, repetitions=False,
                      min_window=1, smooth=False)
    t = np.arange(len(cand))
    np.testing.assert_allclose(strided.similarity, full.similarity[t - t % 4], atol=1e-6)
    changed = cand.copy()
    changed[50:] = 90.0
    later = compare(coach, changed, comparator, stride=4, fps=30, repetitions=False,
                    min_window=1, smooth=False)
    np.testing.assert_array_equal(later.similarity[:50], strided.similarity[:50])


def test_frames_without_a_person_are_flagged_and_not_scored(comparator, squats):
    coach, athlete = squats
    coords = athlete.coords.copy()
    coords[10:20] = np.nan
    report = compare(coach, athlete.replace(coords=coords), comparator, repetitions=False,
                     min_window=1, smooth=False)
    assert (~report.present).sum() == 10 and not report.present[10:20].any()
    assert np.isnan(report.similarity[10:20]).all()
    assert np.isfinite(report.similarity[report.present][:, report.useful]).all()
    assert np.isnan(report.athlete_angles[10:20]).all()          # not filled in the report
    assert report.coverage[19] == pytest.approx(6 / 16)
    assert any(line.startswith("no person in frames 10-19") for line in report.messages)


def test_a_coach_at_another_frame_rate_is_resampled(comparator, squats):
    coach, athlete = squats
    ref = coach.angles()
    doubled = np.empty((2 * len(ref) - 1, ref.shape[1]))
    doubled[0::2] = ref
    doubled[1::2] = (ref[:-1] + ref[1:]) / 2
    assert resample(doubled, 60.0, 30.0)[0] == pytest.approx(ref)
    options = dict(repetitions=False, smooth=False, coach_rep="whole")
    a = compare(ref, athlete, comparator, fps=30.0, **options)
    # the athlete Skeleton has 30 fps; fps=60 applies to the coach array, which has none
    report = compare(doubled, athlete, comparator, fps=60.0, **options)
    np.testing.assert_allclose(report.similarity, a.similarity, atol=1e-5)


def test_alignment_matches_each_athlete_frame_to_a_coach_frame(comparator, squats):
    coach, _ = squats
    ref = coach.angles()
    slow = np.repeat(ref, 2, axis=0)                       # the coach at half speed
    report = compare(ref, slow, comparator, align=True, fps=30, repetitions=False,
                     smooth=False, coach_rep="whole")
    al = report.alignment
    assert al.shape == (len(slow),) and (np.diff(al) >= 0).all()
    assert al[0] == 0 and al[-1] == len(ref) - 1
    assert np.abs(al - np.arange(len(slow)) // 2).max() <= 2
    t = 40
    window = slow[t - MAX_LEN + 1:t + 1]
    warped = ref[al[t - MAX_LEN + 1:t + 1]]
    direct = comparator.predict_proba([(warped, window)])[0]
    np.testing.assert_allclose(report.similarity[t], direct, atol=1e-5)


def test_repetitions_are_reported_or_explained(comparator, squats):
    coach, athlete = squats
    report = compare(coach, athlete, comparator, useful_angles=["left knee", "right knee"])
    assert report.useful.sum() == 2
    assert len(report.repetitions) >= 1 and report.repetition_note is None
    assert len(report.repetition_feedback) == len(report.repetitions)
    assert all(fb.message in report.messages for fb in report.repetition_feedback)
    # a repetition names an angle exactly when the report's similarity says it differs there
    for fb in report.repetition_feedback:
        mean = np.nanmean(report.similarity[fb.repetition.slice], axis=0)
        below = {report.angle_names[c] for c in report.focus if mean[c] < report.threshold}
        assert {i.angle for i in fb.issues} == below
        assert set(fb.similarity) == set(fb.angles)
    still = np.full((60, len(sitrex.ANGLE_NAMES)), 90.0)
    flat = compare(still, still, comparator, fps=30)
    assert flat.repetitions == [] and "repetition" in flat.repetition_note


def test_landmark_json_and_video_inputs(comparator, squats, tmp_path):
    cv2 = pytest.importorskip("cv2")
    coach, athlete = squats
    json_path = athlete[:40].save(tmp_path / "athlete.json")
    video = tmp_path / "coach.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (32, 24))
    for _ in range(12):
        writer.write(np.zeros((24, 32, 3), np.uint8))
    writer.release()
    pose = coach.coords[0]

    class FixedPose(PoseBackend):
        name = "fixed-test"

        def detect_image(self, rgb):
            return Detections(pose[None], np.ones((1, 33)), np.array([[0, 0, 32, 24]]),
                              np.ones(1))

    report = compare(video, json_path, comparator, backend=FixedPose(), repetitions=False)
    assert report.coach_source == str(video) and report.athlete_source == str(json_path)
    assert report.coach_angles.shape == (12, len(sitrex.ANGLE_NAMES)) and report.n_frames == 40
    with pytest.raises(ValueError, match="backend must be"):
        compare(video, json_path, comparator, backend=3, repetitions=False)


def test_landmark_arrays_are_skeletons_at_the_given_frame_rate(comparator, squats):
    coach, athlete = squats
    as_skeletons = compare(coach, athlete, comparator, repetitions=False)
    as_arrays = compare(coach.coords, athlete.coords[..., :2].tolist(), comparator,
                        fps=athlete.fps, repetitions=False)
    flat = compare(coach, athlete.replace(coords=athlete.coords * [1, 1, 0]), comparator,
                   repetitions=False)
    np.testing.assert_allclose(as_arrays.coach_angles, as_skeletons.coach_angles)
    np.testing.assert_allclose(as_arrays.similarity, flat.similarity)
    assert as_arrays.fps == athlete.fps and as_arrays.athlete_skeleton.n_frames == athlete.n_frames


def _errors(comparator, coach):
    angles = coach.angles()
    empty = sitrex.Skeleton(np.full((5, 33, 3), np.nan), fps=30.0)
    return [
        (("missing.npz", angles), FileNotFoundError, "does not exist"),
        (("notes.txt", angles), ValueError, "unknown file type"),
        ((angles, angles[:, :5]), ValueError, "5 columns but the comparator expects 23"),
        ((angles, angles[:, 0]), ValueError, r"landmarks \(n_frames, 33, 3\) or angles "
                                             r"\(n_frames, n_angles\); got shape \(\d+,\)"),
        ((angles, coach.coords[:, :30]), ValueError,
         r"athlete landmarks: expected coordinates of shape \(T, 33, 3\), got \(T, 30, 3\)"),
        ((empty, angles), ValueError, "coach: no frame has a person"),
        ((angles, np.full_like(angles, np.nan)), ValueError, "athlete: no frame has a person"),
        ((angles, angles[:0]), ValueError, "athlete has no frames"),
    ]


def test_input_errors_name_the_problem(comparator, squats):
    coach, _ = squats
    for args, error, match in _errors(comparator, coach):
        with pytest.raises(error, match=match):
            compare(*args, comparator, fps=30.0, repetitions=False)


@pytest.mark.parametrize("kwargs,match", [
    ({"window": MAX_LEN + 1}, "max_len"), ({"stride": 0}, "stride"),
    ({"threshold": 1.5}, "threshold must be a probability"),
    ({"useful_angles": ["elbow of doom"]}, "useful_angles: unknown angle .elbow of doom"),
    ({"kind": "sideways"}, "kind")])
def test_option_errors(comparator, squats, kwargs, match):
    coach, athlete = squats
    with pytest.raises(ValueError, match=match):
        compare(coach, athlete, comparator, repetitions=False, **kwargs)


def test_comparator_errors(comparator, squats):
    coach, athlete = squats
    with pytest.raises(ValueError, match="not fitted"):
        compare(coach, athlete, sitrex.ExerciseComparator(), repetitions=False)
    with pytest.raises(ValueError, match="must be a fitted sitrex.ExerciseComparator"):
        compare(coach, athlete, object(), repetitions=False)


def test_unknown_frame_rate_warns_and_assumes_30(comparator, squats):
    coach, athlete = squats
    with pytest.warns(UserWarning, match="assuming 30 fps"):
        report = compare(coach.angles(), athlete.angles(), comparator, repetitions=False)
    assert report.fps == 30.0
    said = "the coach's and the athlete's frame rates were not known: 30 fps was assumed"
    assert any(said in line for line in report.messages)       # the report says so
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        given = compare(coach.angles(), athlete, comparator, fps=30.0, repetitions=False)
    assert not any("frame rate" in note for note in given.metadata.get("notes", []))


def test_the_first_frames_are_not_scored_until_the_window_has_history(comparator):
    """Default: half a window of history before the first score (NaN before, not 'differs')."""
    from sitrex.datasets import make_exercise

    skeletons, _ = make_exercise(2, ["squat"], random_state=0)
    coach, athlete = (s.angles() for s in skeletons)
    report = compare(coach, athlete, comparator, fps=30.0, repetitions=False)
    half = report.window // 2
    assert np.isnan(report.similarity[: half - 1]).all()
    assert np.isfinite(report.similarity[half - 1:, report.useful]).all()
    assert report.present[: half - 1].all()  # a person is there: just not scored yet
    with pytest.raises(ValueError, match="min_window"):
        compare(coach, athlete, comparator, fps=30.0, repetitions=False, min_window=0)
