"""An athlete who alternates sides (right, left, right, left) against a coach who shows one.

A one-sided movement (a knee raise: :func:`sitrex.sides.alternating_runs`) and a movement of
both sides, each its own way (a lunge: :func:`sitrex.repetition_sides.repetition_sides`).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sitrex
from sitrex.feedback import FeedbackReport
from sitrex.repetition_sides import asymmetry, repetition_sides
from sitrex.sides import alternating_runs
from sitrex.skeleton import concatenate

HIPS = ["left hip", "right hip"]
COACH_RIGHT = np.array([False, True])        # the coach raises the right leg
COACH_RANGE = np.array([0.0, 60.0])


def bouts(sides, move, *, period=2.0, fps=30.0, pause=0.0, noise=0.0, seed=0):
    """Hip angles (left, right) of one bout per entry of `sides` (True: the left leg leads),
    each `period` seconds long, `pause` seconds standing between them; ``move(bend)`` gives the
    leading and the other hip's change for a bend going 0 -> 1 -> 0."""
    rng = np.random.default_rng(seed)
    n, still = int(round(period * fps)), int(round(pause * fps))
    lead, other = move(np.sin(np.pi * np.arange(n) / n) ** 2)
    blocks = []
    for left in sides:
        block = np.full((n + still, 2), 175.0)
        block[:n] += np.column_stack([lead, other] if left else [other, lead])
        blocks.append(block)
    hips = np.concatenate(blocks)
    return hips + rng.normal(0.0, noise, hips.shape)


def raises(sides, *, amplitude=60.0, **kw):
    """One leg raised per bout, the other still."""
    return bouts(sides, lambda bend: (-amplitude * bend, 0.0 * bend), **kw)


def lunge_hips(sides, *, depth=80.0, **kw):
    """One lunge per bout: the front hip flexes `depth` degrees while the back one extends a
    fifth as far."""
    return bouts(sides, lambda bend: (-depth * bend, 0.2 * depth * bend), **kw)


#: Alternations of bouts: which leg, how long, pauses, landmark noise.
ALTERNATIONS = dict(
    sides=st.lists(st.booleans(), min_size=2, max_size=6).filter(lambda s: len(set(s)) == 2),
    period=st.floats(1.2, 3.0), pause=st.floats(0.0, 1.0), noise=st.floats(0.0, 1.5),
    seed=st.integers(0, 100))


def assert_one_run_per_stretch(runs, sides, n_frames, period, pause, slack_share):
    """Runs in order, one per stretch of bouts on one side (True: the left, the other side),
    covering the clip; each boundary within the pause (or `slack_share` of a bout) around the
    change of side."""
    stretches = [s for k, s in enumerate(sides) if k == 0 or s != sides[k - 1]]
    assert [other for *_, other in runs] == stretches
    assert runs[0][0] == 0 and runs[-1][1] == n_frames
    assert all(a[1] == b[0] for a, b in zip(runs, runs[1:]))
    step = int(round(period * 30)) + int(round(pause * 30))
    changes = [k * step for k in range(1, len(sides)) if sides[k] != sides[k - 1]]
    slack = int(round(pause * 30)) + int(round(period * 30 * slack_share)) + 1
    for (_, stop, _), change in zip(runs, changes):
        assert abs(stop - change) <= slack


# --------------------------------------------------------------------------- finding the runs
@settings(max_examples=40, deadline=None)
@given(amplitude=st.floats(35.0, 90.0), **ALTERNATIONS)
def test_runs_follow_the_side_that_moves_and_flip_in_the_mirror(sides, period, amplitude, pause,
                                                                noise, seed):
    """One run per stretch of raises on one side, in order; the athlete mirrored gives the same
    runs with the sides swapped."""
    hips = raises(sides, period=period, amplitude=amplitude, pause=pause, noise=noise, seed=seed)
    runs = alternating_runs(hips, HIPS, COACH_RIGHT, COACH_RANGE, 30.0, min_seconds=period / 2)
    assert_one_run_per_stretch(runs, sides, len(hips), period, pause, slack_share=1 / 5)
    mirrored = alternating_runs(hips[:, ::-1], HIPS, COACH_RIGHT, COACH_RANGE, 30.0,
                                min_seconds=period / 2)
    assert mirrored == [(a, b, not other) for a, b, other in runs]


def test_an_athlete_who_does_not_alternate_has_no_runs():
    def runs(hips):
        return alternating_runs(hips, HIPS, COACH_RIGHT, COACH_RANGE, 30.0, min_seconds=1.0)

    assert runs(raises([False] * 4)) == []                 # the coach's side only
    assert runs(raises([True] * 4)) == []                  # the other side only
    both = raises([False] * 4)
    both[:, 0] = both[:, 1]                                # both legs together: not alternating
    assert runs(both) == []
    twitch = raises([False, True, False, True])
    twitch[:, 0] = 175.0 - (175.0 - twitch[:, 0]) * 0.1    # the left leg barely moves
    assert runs(twitch) == []
    assert runs(np.full((240, 2), 175.0)) == []            # standing still
    # a pair of which both sides matter (a lunge) says nothing about the side
    assert alternating_runs(raises([False, True] * 2), HIPS, [True, True], [60.0, 60.0], 30.0,
                            min_seconds=1.0) == []


@settings(max_examples=40, deadline=None)
@given(depth=st.floats(40.0, 100.0), **ALTERNATIONS)
def test_lunges_are_given_to_the_leg_forward_and_flip_in_the_mirror(sides, period, depth, pause,
                                                                   noise, seed):
    """Both legs move in every lunge; each repetition goes to the side whose version of the
    coach's lunge it is, one run per stretch; the athlete mirrored swaps every run's side."""
    coach = lunge_hips([False], period=period, depth=depth)
    hips = lunge_hips(sides, period=period, depth=depth, pause=pause, noise=noise, seed=seed)
    runs = repetition_sides(hips, HIPS, COACH_RIGHT, coach, 30.0, min_seconds=period / 2)
    assert_one_run_per_stretch(runs, sides, len(hips), period, pause, slack_share=1 / 4)
    mirrored = repetition_sides(hips[:, ::-1], HIPS, COACH_RIGHT, coach, 30.0,
                                min_seconds=period / 2)
    assert [(other, abs(a - b)) for (a, _, other), (b, _, _) in zip(mirrored, runs)] == \
        [(not other, 0) for *_, other in runs]


@settings(max_examples=30, deadline=None)
@given(offset=st.floats(-40.0, 40.0), depth=st.floats(20.0, 100.0), back=st.floats(0.0, 0.9))
def test_asymmetry_is_a_difference_of_shape_not_of_level(offset, depth, back):
    """A constant offset between the sides (a camera's view) changes nothing; a movement both
    sides make alike has none; the more the back leg extends, the more there is."""
    def lunge(back_share):
        hips = lunge_hips([False], depth=depth)                 # right leg forward
        hips[:, 0] = 175.0 + back_share * (hips[:, 0] - 175.0) / 0.2
        return hips

    coach = lunge(back)
    assert asymmetry(coach + [offset, 0.0], HIPS, COACH_RIGHT) == pytest.approx(
        asymmetry(coach, HIPS, COACH_RIGHT))
    alike = np.column_stack([coach[:, 1], coach[:, 1] + offset])
    assert asymmetry(alike, HIPS, COACH_RIGHT) == pytest.approx(0.0, abs=1e-9)
    assert asymmetry(lunge(back + 0.1), HIPS, COACH_RIGHT) > asymmetry(coach, HIPS, COACH_RIGHT)


def test_repetitions_that_all_match_one_side_are_no_alternation():
    coach = lunge_hips([False])

    def runs(hips, columns=COACH_RIGHT, template=coach):
        return repetition_sides(hips, HIPS, columns, template, 30.0, min_seconds=1.0)

    assert runs(lunge_hips([False] * 4)) == []                  # the coach's leg forward only
    assert runs(lunge_hips([True] * 4)) == []                   # the other leg only
    assert runs(lunge_hips([False])) == []                      # one repetition
    assert runs(np.full((240, 2), 175.0)) == []                 # standing still
    squat = np.repeat(lunge_hips([False])[:, 1:], 2, axis=1)    # both hips alike: a squat
    assert runs(np.concatenate([squat] * 4), template=squat) == []
    assert runs(lunge_hips([False, True] * 2), columns=[False, False]) == []   # no sided angle
    unclear = lunge_hips([False, True, False, True])
    unclear[60:120] = 175.0 - 60 * np.sin(np.pi * np.arange(60) / 60)[:, None] ** 2
    assert runs(unclear) == []                 # a squat among the lunges: of no clear side
    unmeasured = lunge_hips([False, True] * 2)
    unmeasured[:, 0] = np.nan                          # the athlete's left hip never measured
    assert runs(unmeasured) == [] and runs(lunge_hips([False, True])[:5]) == []   # too short


# --------------------------------------------------------------------------- compare
@pytest.fixture(scope="module")
def knee_raises(one_sided_raises):
    """The coach (the first correct raise), 4 correct and 4 shallow raises of other bodies."""
    good = one_sided_raises["good"]
    return {**one_sided_raises, "coach": good[0], "good": good[1:5]}


def alternate(clips):
    """Right, left, right, left: every second clip mirrored."""
    return concatenate([c.mirrored() if k % 2 else c for k, c in enumerate(clips)])


def flagged(report):
    return [sorted({i.angle for i in fb.issues}) for fb in report.repetition_feedback]


def test_a_correct_alternating_athlete_has_every_repetition_compared_on_its_side(knee_raises):
    coach = knee_raises["coach"]
    report = sitrex.compare(coach, alternate(knee_raises["good"]))
    assert [side for *_, side in report.metadata["side_runs"]] == [
        "coach's side", "other side", "coach's side", "other side"]
    assert len(report.repetitions) == len(report.repetition_feedback) == 4
    assert flagged(report) == [[]] * 4 and report.score > 0.95
    assert any("alternates sides (2 repetition(s) on the coach's side, 2 on the other)" in m
               for m in report.messages)
    assert not report.coach_mirrored
    # both legs matter: each is compared where it works
    for side in (knee_raises["side"], knee_raises["other"]):
        assert report.useful[report.angle_names.index(f"{side} knee")]
    # side for side, the other leg's raises pass as pauses: half the repetitions
    assert len(sitrex.compare(coach, alternate(knee_raises["good"]),
                              sides="same").repetitions) == 2


@pytest.mark.parametrize("faulty_side", ["other", "coach's"])
def test_shallow_raises_on_either_side_are_named_on_that_side(knee_raises, faulty_side):
    """Side for side, the shallow raises of the leg the coach does not show were never judged
    (the report said the athlete matches); now they are named, on that leg."""
    good, bad = knee_raises["good"], knee_raises["bad"]
    if faulty_side == "other":
        clips, leg = [good[0], bad[1], good[2], bad[3]], knee_raises["other"]
    else:
        clips, leg = [bad[0], good[1], bad[2], good[3]], knee_raises["side"]
    athlete = alternate(clips)
    report = sitrex.compare(knee_raises["coach"], athlete)
    marks = [bool(issues) for issues in flagged(report)]
    expected = [False, True, False, True] if faulty_side == "other" else [True, False, True, False]
    assert marks == expected
    for issues in flagged(report):
        assert all(a.startswith(leg) for a in issues)
    assert report.worst_angles(1)[0].startswith(leg)
    assert report.score < 0.95
    side_for_side = sitrex.compare(knee_raises["coach"], athlete, sides="same")
    if faulty_side == "other":
        assert side_for_side.score > 0.95 and not any(flagged(side_for_side))


def test_an_athlete_on_one_side_is_compared_as_before(knee_raises):
    coach, good = knee_raises["coach"], knee_raises["good"]
    same = sitrex.compare(coach, concatenate(good))
    other = sitrex.compare(coach, concatenate([c.mirrored() for c in good]))
    assert "side_runs" not in same.metadata and "side_runs" not in other.metadata
    assert not same.coach_mirrored and other.coach_mirrored


def test_the_report_file_keeps_the_runs(knee_raises, tmp_path):
    report = sitrex.compare(knee_raises["coach"], alternate(knee_raises["good"]))
    again = FeedbackReport.from_json(report.to_json(tmp_path / "r.json"))
    assert again.metadata["side_runs"] == report.metadata["side_runs"]
    assert [fb.message for fb in again.repetition_feedback] == \
        [fb.message for fb in report.repetition_feedback]


def test_real_alternating_arm_raises_are_compared_arm_by_arm(shared_dir):
    """IRDS shoulder abductions: one subject's left, right, left and right gestures in one clip,
    against another subject's one-arm repetition. (Kinect's projected shoulder angles are noisy:
    of the 22 such clips of two subjects and two gestures against two coaches each, 18 were found
    to alternate; the others are compared side for side, as before.)"""
    from sitrex.datasets.protocol import coach_input, protocol_data

    data = protocol_data("irds", shared_dir / "data")
    left, right = (np.flatnonzero((data.exercises == f"Shoulder Abduction {side}") & data.correct)
                   for side in ("Left", "Right"))
    both = [s for s in dict.fromkeys(data.groups[left])
            if (data.groups[left] == s).sum() >= 2 and (data.groups[right] == s).sum() >= 2]
    coach_subject, subject = both[:2]
    lefts, rights = left[data.groups[left] == subject][:2], right[data.groups[right] == subject][:2]
    coach = coach_input(data, left[data.groups[left] == coach_subject][0], 1,
                        np.random.default_rng(0))
    fps = data.skeletons[lefts[0]].fps
    athlete = concatenate([data.skeletons[k].replace(fps=fps)
                           for k in (lefts[0], rights[0], lefts[1], rights[1])])
    report = sitrex.compare(coach, athlete)
    assert [side for *_, side in report.metadata["side_runs"]] == [
        "coach's side", "other side", "coach's side", "other side"]
    assert len(report.repetitions) == 4 and report.score >= report.threshold
    assert len(sitrex.compare(coach, athlete, sides="same").repetitions) == 2


def test_the_summary_of_many_athletes_says_who_alternated(knee_raises, tmp_path):
    import csv

    coach, good = knee_raises["coach"], knee_raises["good"]
    athletes = {"one side": concatenate(good), "alternating": alternate(good)}
    assert [r.alternates for r in sitrex.compare_many(coach, athletes).rows] == [False, True]
    sitrex.compare_many(coach, athletes, output_dir=tmp_path)
    again = sitrex.compare_many(coach, athletes, output_dir=tmp_path)    # from the report files
    assert again.skipped == ["one side", "alternating"]
    assert [r.alternates for r in again.rows] == [False, True]
    with open(tmp_path / "summary.csv", newline="") as f:
        assert [r["alternates"] for r in csv.DictReader(f)] == ["false", "true"]


def test_the_overlay_draws_each_run_on_the_coach_joint_it_was_compared_with(knee_raises):
    """Side by side, the coach's arcs go on the coach's twin joints (and show the twins' angles)
    during the athlete's runs on the other side, on the joints themselves elsewhere."""
    from sitrex.angle_table import angle_arms
    from sitrex.overlay import _coach_drawing
    from sitrex.sides import mirror_columns

    report = sitrex.compare(knee_raises["coach"], alternate(knee_raises["good"]))
    n = report.n_frames
    index = np.minimum(np.arange(n), report.coach_skeleton.n_frames - 1)
    pixels = report.coach_skeleton.coords[index]
    columns = np.flatnonzero(report.useful)
    twins = mirror_columns(report.angle_names)[columns]
    (vertex, _, _), values = _coach_drawing(report, pixels, index, columns)
    other = np.zeros(n, bool)
    for start, end, side in report.metadata["side_runs"]:
        other |= (side == "other side") & (report.times >= start) & (report.times < end)
    assert 0 < other.sum() < n
    for drawn, frames in ((twins, other), (columns, ~other)):
        expected = angle_arms(pixels, [report.angle_names[c] for c in drawn])[0]
        np.testing.assert_array_equal(vertex[frames], expected[frames])
        np.testing.assert_array_equal(values[frames], report.coach_angles[index][frames][:, drawn])


def test_the_range_panel_draws_each_repetition_against_the_coach_joint_it_was_compared_with(
        knee_raises):
    """A dash per repetition: the coach's own knee's range where the athlete raised the coach's
    leg, the coach's other knee's (which hardly moves) where it raised the other."""
    from sitrex.plots import plot_repetitions
    from sitrex.sides import mirror_columns

    report = sitrex.compare(knee_raises["coach"], alternate(knee_raises["good"]))
    other = report.other_side_frames()
    assert other.any() and not other.all()
    columns = np.flatnonzero(report.useful)
    ax = plot_repetitions(report, metric="range", angles=columns)
    twins = mirror_columns(report.angle_names)[columns]
    measured = np.isfinite(report.coach_angles).any(0)
    coach = np.where(measured, report.coach_angles, 0.0)   # never-measured columns: not drawn
    coach_range = np.where(measured, np.nanmax(coach, 0) - np.nanmin(coach, 0), np.nan)
    dashes = [seg for c in ax.collections if c.get_linestyle()[0][1] is not None
              for seg in c.get_segments()]
    assert len(dashes) == len(columns) * len(report.repetitions)
    for j, (column, twin) in enumerate(zip(columns, twins)):
        for r, rep in enumerate(report.repetitions):
            y = dashes[j * len(report.repetitions) + r][0, 1]
            expected = coach_range[twin if other[rep.start] else column]
            assert y == pytest.approx(expected), (report.angle_names[column], r)
    side = report.angle_names.index(f"{knee_raises['side']} knee")
    assert coach_range[side] > 30 > coach_range[mirror_columns(report.angle_names)[side]]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sum("on each repetition's side" in t for t in labels) == len(columns)


# --------------------------------------------------------------------------- lunges
@pytest.fixture(scope="module")
def lunge_clips(lunges):
    """The coach (the first correct lunge), 4 correct and 4 shallow lunges of other bodies."""
    good = lunges["good"]
    return {**lunges, "coach": good[0], "good": good[1:5]}


def test_correct_alternating_lunges_count_four_repetitions_each_on_its_side(lunge_clips):
    """Side for side, a right + left lunge was one repetition (4 lunges counted as 2)."""
    coach, good = lunge_clips["coach"], lunge_clips["good"]
    report = sitrex.compare(coach, alternate(good))
    assert [side for *_, side in report.metadata["side_runs"]] == [
        "coach's side", "other side", "coach's side", "other side"]
    assert len(report.repetitions) == 4 and flagged(report) == [[]] * 4
    assert report.score > 0.95 and not report.coach_mirrored
    assert len(sitrex.compare(coach, alternate(good), sides="same").repetitions) == 2
    # a symmetric exercise's repetitions have no side to find
    squats, _ = sitrex.datasets.make_exercise(5, ["squat"], n_reps=1, view="front",
                                              random_state=3)
    assert "side_runs" not in sitrex.compare(squats[0], alternate(squats[1:])).metadata


@pytest.mark.parametrize("faulty_leg", ["other", "coach's"])
def test_shallow_lunges_on_either_leg_are_named_in_their_repetitions(lunge_clips, faulty_leg):
    """Before, every case scored 0.99 or more, 2 repetitions, nothing named: the good lunge of
    each right + left pair hid the shallow one."""
    good, bad = lunge_clips["good"], lunge_clips["bad"]
    clips = ([good[0], bad[1], good[2], bad[3]] if faulty_leg == "other"
             else [bad[0], good[1], bad[2], good[3]])
    report = sitrex.compare(lunge_clips["coach"], alternate(clips))
    expected = [False, True, False, True] if faulty_leg == "other" else [True, False, True, False]
    assert [bool(issues) for issues in flagged(report)] == expected
    assert report.score < 0.9
    assert any(a.endswith("knee") for issues in flagged(report) for a in issues)
