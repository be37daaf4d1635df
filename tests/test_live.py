"""Live feedback: streamed frame by frame, the same as the offline causal comparison; robust feeds."""

from __future__ import annotations

import numpy as np
import pytest

import sitrex
from sitrex.datasets import make_exercise
from sitrex.exceptions import InputError
from sitrex.feedback import compare
from sitrex.live import LiveComparator

MAX_LEN = 32
KNEES = ["left knee", "right knee"]
#: Streamed and offline similarities differ by float32 rounding only (one window per call
#: against windows in batches); 1e-4 leaves room for any BLAS.
TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def comparator():
    skeletons, labels = make_exercise(4, ["squat", "arm curl"], n_reps=3, tempo=1.5,
                                      random_state=1)
    useful = {"squat": [5, 16, 3, 14, 22], "arm curl": [1, 12]}
    X, y = sitrex.make_pairs([s.angles() for s in skeletons], labels, useful, n_pairs=16,
                             max_len=MAX_LEN, random_state=0, pad=False)
    return sitrex.ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4,
                                     max_len=MAX_LEN, epochs=1, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def coach():
    return make_exercise(1, ["squat"], n_reps=3, random_state=2)[0][0]


@pytest.fixture(scope="module")
def athlete():
    """4 squats at 60 fps (the model runs at 30), nobody for 0.5 s, a glitch, a hidden hand."""
    skeleton = make_exercise(1, ["squat"], n_reps=4, fps=60.0, noise=0.01, random_state=5)[0][0]
    coords = np.array(skeleton.coords)
    coords[100:130] = np.nan
    coords[200, 25] += 0.5
    coords[300:305, 15] = np.nan
    return skeleton.replace(coords=coords)


def stream(live, frames, times):
    return [live.update(frame, t) for frame, t in zip(frames, times)]


@pytest.mark.parametrize("stride", [1, 3])
def test_the_streamed_feedback_is_the_offline_causal_comparison(comparator, coach, athlete,
                                                                 stride):
    live = LiveComparator(coach, comparator, useful_angles=KNEES, stride=stride)
    feedback = stream(live, athlete.coords, athlete.times)
    report = compare(coach, athlete, comparator, useful_angles=KNEES, causal=True,
                     stride=stride)
    streamed = np.array([f.similarity for f in feedback])
    np.testing.assert_array_equal(np.isnan(streamed), np.isnan(report.similarity))
    np.testing.assert_allclose(streamed, report.similarity, atol=TOLERANCE)
    np.testing.assert_array_equal([f.present for f in feedback], report.present)
    np.testing.assert_allclose([f.coverage for f in feedback], report.coverage, atol=1e-12)
    assert np.isfinite(streamed[:, [3, 14]]).mean() > 0.7            # the knees are scored


def test_repetitions_are_counted_live_as_offline(comparator, coach, athlete):
    live = LiveComparator(coach, comparator, useful_angles=KNEES)
    counted = [rep for f in stream(live, athlete.coords, athlete.times)
               for rep in f.new_repetitions]
    counted += live.finish()
    report = compare(coach, athlete, comparator, useful_angles=KNEES, causal=True)
    assert [r.number for r in counted] == [1, 2, 3, 4] == [r.index + 1
                                                           for r in report.repetitions]
    offline_turns = [r.turn / report.fps for r in report.repetitions]
    # counted at the model's 30 fps, the offline ones at the clip's 60 fps
    np.testing.assert_allclose([r.turn for r in counted], offline_turns, atol=1.5 / 30)
    assert all(r.message.startswith(f"rep {r.number}: ") for r in counted)
    assert counted[-1].message.endswith("matches the coach's range of motion")


def test_a_shallow_repetition_gets_a_verdict_in_words_as_it_happens(comparator, coach):
    shallow = make_exercise(1, ["squat"], n_reps=3, faults=["shallow_depth"], fault_rate=1.0,
                            severity=(0.9, 0.9), random_state=3)[0][0]
    live = LiveComparator(coach, comparator, useful_angles=KNEES)
    feedback = stream(live, shallow.coords, shallow.times)
    verdicts = [rep for f in feedback for rep in f.new_repetitions] + live.finish()
    assert verdicts and all(not rep.ok for rep in verdicts)
    assert "shallow" in verdicts[0].message and "knee" in verdicts[0].message
    done = next(i for i, f in enumerate(feedback) if f.new_repetitions)
    assert feedback[done].last_repetition is verdicts[0]
    assert feedback[done].repetitions == 1 and f"{1} repetition" in feedback[done].text


def test_frames_without_a_person_are_not_scored_and_the_feed_goes_on(comparator, coach, athlete):
    live = LiveComparator(coach, comparator, useful_angles=KNEES)
    frames = list(athlete.coords[:200])
    frames[150:170] = [None] * 20                                       # nobody in view
    feedback = stream(live, frames, athlete.times[:200])
    for f in feedback[150:170]:
        assert not f.present and np.isnan(f.similarity).all()
        assert f.text.startswith("no person in view")
    assert np.isfinite(feedback[-1].similarity[[3, 14]]).all()           # scored again


def test_dropped_frames_change_little_and_count_the_same(comparator, coach, athlete):
    full = LiveComparator(coach, comparator, useful_angles=KNEES)
    every = stream(full, athlete.coords, athlete.times)
    kept = np.sort(np.random.default_rng(0).choice(athlete.n_frames, athlete.n_frames * 2 // 3,
                                                   replace=False))
    kept = np.union1d(kept, [0])
    sparse = LiveComparator(coach, comparator, useful_angles=KNEES)
    some = stream(sparse, athlete.coords[kept], athlete.times[kept])
    a = np.array([every[k].similarity for k in kept])
    b = np.array([f.similarity for f in some])
    both = np.isfinite(a) & np.isfinite(b)
    assert both.mean() > 0.5 and np.abs(a - b)[both].mean() < 0.05
    assert [f.time for f in some] == pytest.approx(athlete.times[kept])
    assert full.repetitions + len(full.finish()) == sparse.repetitions + len(sparse.finish())


def test_repeated_jumping_and_restarting_time_stamps_keep_one_clock(comparator, coach, athlete):
    live = LiveComparator(coach, comparator, useful_angles=KNEES)
    frames = athlete.coords
    times = [0.0, 1 / 60, 1 / 60, 2 / 60, 3 / 60]           # a frame delivered twice
    feedback = stream(live, frames[:5], times)
    assert [f.time for f in feedback] == pytest.approx(times)
    later = live.update(frames[5], 10.0)                   # the camera stalled 10 s
    assert later.time == pytest.approx(10.0) and later.coverage < 0.1
    again = live.update(frames[6], 0.5)                    # the source restarted its clock
    assert again.time > later.time
    assert live.update(frames[7], 0.5 + 1 / 60).time == pytest.approx(again.time + 1 / 60)


def test_a_long_session_keeps_constant_memory(comparator, coach, athlete):
    import gc
    import tracemalloc

    live = LiveComparator(coach, comparator, useful_angles=KNEES, history_seconds=4.0)
    angles = athlete.angles()
    n = len(angles)
    tracemalloc.start()
    sizes = []
    for t in range(3 * 900):                               # 45 s of feed at 60 fps
        live.update(np.nan_to_num(angles[t % n], nan=90.0), t / 60)
        if t % 900 == 899:
            gc.collect()                                   # cyclic garbage is not in use
            sizes.append(tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    assert live.repetitions >= 8
    assert sizes[2] - sizes[0] < 64 * 1024, sizes           # not growing with the session


def test_refusals_name_the_problem(comparator, coach):
    with pytest.raises(InputError, match="CausalConditioning"):
        LiveComparator(coach, comparator, smooth=sitrex.Conditioning())
    live = LiveComparator(coach, comparator, useful_angles=KNEES)
    with pytest.raises(InputError, match=r"landmarks \(33, 3\)"):
        live.update(np.zeros(5), 0.0)


def test_a_refused_frame_or_time_stamp_leaves_no_trace_in_the_session(comparator, coach, athlete):
    frames, times = athlete.coords, athlete.times
    live = LiveComparator(coach, comparator, useful_angles=KNEES)
    before = stream(live, frames[:40], times[:40])
    poisoned = np.full((33, 3), np.inf)
    for frame, time, match in [
            (poisoned, times[40], "infinite values"),
            (frames[40], float("nan"), "finite number of seconds"),
            (frames[40], "soon", "number of seconds"),
            (frames[40][None], times[40], r"one pose, \(33, 3\), per call"),
            (athlete, times[40], "not a whole Skeleton"),
            (3.0, times[40], r"landmarks \(33, 3\)"),
            (np.zeros((4, 4, 3), np.uint8), times[40], "smaller than 16 pixels")]:
        with pytest.raises(InputError, match=match):
            live.update(frame, time)
    after = stream(live, frames[40:], times[40:])
    untouched = stream(LiveComparator(coach, comparator, useful_angles=KNEES), frames, times)
    np.testing.assert_array_equal([f.similarity for f in before + after],
                                  [f.similarity for f in untouched])
    assert [f.time for f in before + after] == [f.time for f in untouched]


def test_a_time_stamp_far_ahead_is_a_jump_and_not_a_memory_error(comparator, coach, athlete):
    live = LiveComparator(coach, comparator, useful_angles=KNEES)
    stream(live, athlete.coords[:5], athlete.times[:5])
    far = live.update(athlete.coords[5], 1.7e9)          # epoch seconds after relative ones
    assert far.time == pytest.approx(1.7e9)
    back = live.update(athlete.coords[6], athlete.times[6])   # then relative again: a restart
    assert back.time == pytest.approx(far.time + 1 / 60)  # one frame interval, not the jump
    assert live.update(athlete.coords[7], athlete.times[7]).time == pytest.approx(
        back.time + 1 / 60)


@pytest.fixture(scope="module")
def default_comparator():
    return sitrex.ExerciseComparator.from_pretrained()          # packaged, offline


@pytest.fixture(scope="module")
def squats():
    """A coach and another person, four squats each (the athlete with a little noise)."""
    skeletons, _ = make_exercise(2, ["squat"], n_reps=4, noise=0.01, random_state=0)
    return skeletons


def live_repetitions(live, athlete):
    feedback = stream(live, athlete.coords, athlete.times)
    return feedback, [r for f in feedback for r in f.new_repetitions] + live.finish()


#: A repetition cut by the live counter and the same repetition cut by the offline alignment
#: hold a few frames more or less: on the angles that matter their similarities differ by
#: < 0.02 on these clips (< 0.05 on the others).
CUT_TOLERANCE = 0.04


def test_the_default_scores_each_repetition_live_as_offline(default_comparator, squats):
    """The shipped default scores whole repetitions: each one once counted, as offline."""
    coach, athlete = squats
    assert default_comparator.scoring == "repetitions"
    live = LiveComparator(coach, smooth=False)                     # None: the default
    assert live.scores_repetitions
    feedback, reps = live_repetitions(live, athlete)
    report = compare(coach, athlete, default_comparator, smooth=False)
    assert len(reps) == 4
    compared = 0
    for rep in reps:
        offline = report.similarity[int(round(rep.turn * athlete.fps))]
        if np.isfinite(offline).any():               # offline scores whole repetitions only
            live_values, offline_values = rep.similarity[live.focus], offline[live.focus]
            # an angle measured in under half of one repetition's frames would not be scored
            # live, where the repetition is scored alone; a synthetic squat measures them all
            both = np.isfinite(live_values)
            unscored = {live.angle_names[i] for i in np.asarray(live.focus)[~both]}
            assert not unscored, unscored
            np.testing.assert_allclose(live_values[both], offline_values[both],
                                       atol=CUT_TOLERANCE)
            compared += 1
    assert compared >= 2
    # "now" is the last counted repetition's similarity; nothing before the first one
    first = next(k for k, f in enumerate(feedback) if f.new_repetitions)
    assert np.isnan(feedback[first - 1].similarity).all()
    streamed = [r for f in feedback for r in f.new_repetitions]
    np.testing.assert_array_equal(feedback[-1].similarity, streamed[-1].similarity)
    assert feedback[-1].differs == streamed[-1].differs


def test_a_live_verdict_names_the_faulty_angle(default_comparator, squats):
    from sitrex.faults import inject_fault

    coach, athlete = squats
    _, correct = live_repetitions(LiveComparator(coach, default_comparator, smooth=False), athlete)
    assert not any(rep.differs for rep in correct), [r.message for r in correct]
    # nothing below the threshold: no range check speaks against the verdict
    assert all(rep.message == f"rep {rep.number}: moves like the coach" and not rep.issues
               for rep in correct), [r.message for r in correct]
    shallow, fault = inject_fault(athlete, "rom_less", random_state=3)
    assert fault.joint.endswith("knee")
    _, faulty = live_repetitions(LiveComparator(coach, default_comparator, smooth=False), shallow)
    assert len(faulty) == 4
    for rep in faulty:
        assert rep.differs[:1] == (fault.joint,), rep.message
        assert rep.message.startswith(f"rep {rep.number}: {fault.joint} differs from the coach")
        assert not rep.ok and rep.to_dict()["differs"][0] == fault.joint
        assert [i.angle for i in rep.issues] == list(rep.differs)    # described: only these


def test_window_options_are_refused_for_a_repetition_comparator(default_comparator, coach):
    """Options the comparator would ignore are refused, offline as live, and causal scoring."""
    with pytest.raises(InputError, match="window.*scores whole repetitions"):
        LiveComparator(coach, default_comparator, window_seconds=1.0)
    with pytest.raises(InputError, match="stride.*scores whole repetitions"):
        compare(coach, coach, default_comparator, stride=2)
    with pytest.raises(InputError, match="warm-up"):
        compare(coach, coach, default_comparator, warmup_seconds=0.5)
    with pytest.raises(InputError, match="repetitions=True"):
        LiveComparator(coach, default_comparator, repetitions=False)
    with pytest.raises(InputError, match="whole repetitions.*LiveComparator"):
        compare(coach, coach, default_comparator, causal=True)


def test_2d_poses_are_scored_live_without_the_angles_that_need_depth(default_comparator, squats):
    """A 2-D pose stream (a YOLO camera): repetitions are counted and scored as for 3-D poses,
    and no angle measured in a plane that holds the line of sight is ever scored."""
    from test_angles_image_plane import flattened

    from sitrex.angle_table import depth_columns

    coach, athlete = (s.replace(coords=flattened(s.coords)) for s in squats)
    live = LiveComparator(coach, default_comparator, smooth=False)
    depth = np.flatnonzero(depth_columns())
    assert not set(np.asarray(live.focus).tolist()) & set(depth.tolist())
    feedback, reps = live_repetitions(live, athlete)
    assert len(reps) == 4
    assert all(np.isnan(r.similarity[depth]).all() for r in reps)
    assert any(np.isfinite(r.similarity[live.focus]).any() for r in reps)


def test_a_mirrored_session_is_the_offline_causal_comparison_with_the_coach_mirrored(
        comparator, coach, athlete):
    """sides="mirrored": the coach is mirrored once, up front, and the streamed feedback is the
    offline causal comparison of the same clip with sides="mirrored"."""
    mirrored = athlete.mirrored()
    live = LiveComparator(coach, comparator, sides="mirrored")
    assert live.sides == "mirrored" and live.coach.is_mirrored
    feedback = np.array([f.similarity for f in stream(live, mirrored.coords, mirrored.times)])
    report = compare(coach, mirrored, comparator, causal=True, sides="mirrored")
    assert report.coach_mirrored
    np.testing.assert_array_equal(np.isnan(feedback), np.isnan(report.similarity))
    np.testing.assert_allclose(feedback, report.similarity, atol=TOLERANCE)
    plain = np.array([f.similarity for f in stream(LiveComparator(coach, comparator),
                                                   mirrored.coords, mirrored.times)])
    assert not np.allclose(plain, feedback, equal_nan=True)       # the mirroring is not a no-op
    with pytest.raises(InputError, match="sides must be one of 'same', 'mirrored', 'auto', "
                                         "'alternating' for a live"):
        LiveComparator(coach, comparator, sides="left")
    # a window comparator (and a symmetric squat) scores side for side with "auto"
    assert not LiveComparator(coach, comparator, sides="auto").both_sides



def test_auto_sides_live_counts_and_judges_each_side_against_the_coach_on_that_side(
        default_comparator, one_sided_raises):
    """sides="auto" with a one-sided coach: an athlete alternating legs has every raise counted
    and compared with the coach on its side, numbered in one sequence; the other leg's shallow
    raises are named on that leg. Side for side, the other leg's raises are not counted."""
    from sitrex.skeleton import concatenate

    good, bad, other_leg = (one_sided_raises[k] for k in ("good", "bad", "other"))
    coach = good[0]
    athlete = concatenate([good[1], bad[1].mirrored(), good[2], bad[2].mirrored()])
    live = LiveComparator(coach, default_comparator, sides="auto")
    assert live.both_sides
    _, reps = live_repetitions(live, athlete)
    assert [r.number for r in reps] == [1, 2, 3, 4] and live.repetitions == 4
    assert [r.other_side for r in reps] == [False, True, False, True]
    assert [r.ok for r in reps] == [True, False, True, False]
    for rep in reps[1::2]:
        assert "(other side)" in rep.message and rep.differs
        assert all(angle.startswith(other_leg) for angle in rep.differs)
    assert reps[1].to_dict()["other_side"] is True
    _, same = live_repetitions(LiveComparator(coach, default_comparator), athlete)
    assert len(same) == 2 and not any(r.other_side for r in same)
    # one leg only: nothing is counted on the other side
    _, one_leg = live_repetitions(LiveComparator(coach, default_comparator, sides="auto"),
                                  concatenate(good[1:4]))
    assert len(one_leg) == 3 and not any(r.other_side for r in one_leg)
    _, other = live_repetitions(LiveComparator(coach, default_comparator, sides="auto"),
                                concatenate([c.mirrored() for c in good[1:4]]))
    assert len(other) == 3 and all(r.other_side and r.ok for r in other)


def test_alternating_sides_live_counts_alternating_lunges_one_by_one(default_comparator, lunges):
    """sides="alternating" with a coach whose movement moves both legs, each its own way (a
    lunge): the repetitions are found on both sides alike and each goes to the side whose
    version of the coach's lunge it is. Side for side (and with "auto", which counts each side on
    its own only for a one-sided coach), right + left lunges are one repetition: 2 of 4, and the
    other leg's shallow lunges are never judged."""
    from sitrex.skeleton import concatenate

    good, bad = lunges["good"], lunges["bad"]
    coach = good[0]
    athlete = concatenate([good[1], bad[1].mirrored(), good[3], bad[3].mirrored()])
    live = LiveComparator(coach, default_comparator, sides="alternating")
    assert live.both_sides
    _, reps = live_repetitions(live, athlete)
    assert [r.number for r in reps] == [1, 2, 3, 4]
    assert [r.other_side for r in reps] == [False, True, False, True]
    assert [r.ok for r in reps] == [True, False, True, False]
    for sides in ("same", "auto"):
        session = LiveComparator(coach, default_comparator, sides=sides)
        assert not session.both_sides and len(live_repetitions(session, athlete)[1]) == 2
    _, other = live_repetitions(LiveComparator(coach, default_comparator, sides="alternating"),
                                concatenate([c.mirrored() for c in good[1:5]]))
    assert len(other) == 4 and all(r.other_side and r.ok for r in other)
    _, one_leg = live_repetitions(LiveComparator(coach, default_comparator, sides="alternating"),
                                  concatenate(good[1:5]))
    assert len(one_leg) == 4 and not any(r.other_side for r in one_leg)


def test_one_comparator_serves_sessions_in_several_threads(squats):
    """A server loads the comparator once; its sessions run in threads, at the same time."""
    from concurrent.futures import ThreadPoolExecutor

    coach, athlete = squats
    shared = sitrex.ExerciseComparator.from_pretrained()     # fresh: no network call made yet

    def session(_):
        live = LiveComparator(coach, shared, smooth=False)
        return [rep.message for rep in live_repetitions(live, athlete)[1]]

    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(session, range(4)))
    alone = session(None)
    assert len(alone) == 4
    assert together == [alone] * 4


def test_a_recorded_coach_has_the_angles_that_matter_of_the_offline_comparison(shared_dir):
    """The coach's clip is there whole: it is cleaned as offline, only the athlete causally."""
    from sitrex.datasets import load_pushfit

    skeletons = load_pushfit(path=shared_dir / "data").skeletons
    coach, athlete = skeletons[7], skeletons[140]     # a real push-up coach: web video, jittery
    live = LiveComparator(coach)
    report = compare(coach, athlete, sides="same")
    assert live.focus.tolist() == np.flatnonzero(report.useful).tolist()
    np.testing.assert_allclose(live.coach.usefulness, report.usefulness)
