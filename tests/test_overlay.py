"""Video overlay and figures of real comparisons: real videos, both pose backends, a tiny comparator.

The clips are cut from ../shared/videos (Pose2Sim's lab recording, two cameras) and scaled down
to keep the test fast: the athlete is 24 frames of camera 1 at 360x640 with frames 8-11 blanked
(no person), the coach 20 frames of camera 2 at 288x512. Each backend estimates poses once
(module-scoped fixtures); the comparator is fitted once on synthetic exercises.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

import sitrex  # noqa: E402
from sitrex.backends import get_backend  # noqa: E402
from sitrex.feedback import FeedbackReport, compare  # noqa: E402
from sitrex.landmarks import landmark_index  # noqa: E402
from sitrex.overlay import angle_geometry, render_overlay, similarity_colors  # noqa: E402
from sitrex.skeleton import Skeleton  # noqa: E402
from sitrex.exceptions import OutputError  # noqa: E402
from sitrex.video import VideoError, VideoReader, read_video_info  # noqa: E402

ATHLETE_FRAMES, ATHLETE_SIZE, BLANK = 24, (360, 640), range(8, 12)
COACH_FRAMES, COACH_SIZE = 20, (288, 512)
TORSO_AND_LEGS = [("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
                  ("left_knee", "right_knee"), ("left_ankle", "right_ankle")]


def write_clip(src, dst, n_frames, size, blank=(), fps=60.0):
    writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    try:
        for frame in VideoReader(src, max_frames=n_frames):
            rgb = cv2.resize(frame.rgb, size, interpolation=cv2.INTER_AREA)
            if frame.index in blank:
                rgb[:] = 0
            writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
    return dst


@pytest.fixture(scope="module")
def clips(shared_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    videos = shared_dir / "videos"
    athlete = write_clip(videos / "pose2sim_single_cam01.mp4", folder / "athlete.mp4",
                         ATHLETE_FRAMES, ATHLETE_SIZE, blank=BLANK)
    coach = write_clip(videos / "pose2sim_single_cam02.mp4", folder / "coach.mp4",
                       COACH_FRAMES, COACH_SIZE)
    return {"athlete": athlete, "coach": coach, "original": videos / "pose2sim_single_cam01.mp4"}


@pytest.fixture(scope="module")
def comparator():
    from sitrex.datasets import make_exercise

    skeletons, labels = make_exercise(6, ["squat", "arm curl"], n_reps=2, tempo=1.0,
                                      random_state=0)
    useful = {"squat": [5, 16], "arm curl": [1, 12]}
    X, y = sitrex.make_pairs([s.angles() for s in skeletons], labels, useful, n_pairs=12,
                             max_len=16, random_state=0)
    return sitrex.ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4, max_len=16,
                                     epochs=1, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def mediapipe(shared_dir):
    with get_backend("mediapipe", model="lite", model_path=shared_dir / "models",
                     download=False) as backend:
        yield backend


@pytest.fixture(scope="module")
def yolo(shared_dir):
    # imgsz 320: four times faster than 640, and enough for one person filling the frame
    return get_backend("yolo", model_path=shared_dir / "models" / "yolo11n-pose.pt", imgsz=320,
                       download=False)


@pytest.fixture(scope="module")
def mp_report(clips, comparator, mediapipe) -> FeedbackReport:
    """Coach and athlete videos through MediaPipe and the comparator: the whole job."""
    return compare(clips["coach"], clips["athlete"], comparator=comparator, backend=mediapipe)


@pytest.fixture(scope="module")
def yolo_report(clips, comparator, yolo) -> FeedbackReport:
    """The same with YOLO-pose."""
    return compare(clips["coach"], clips["athlete"], comparator=comparator, backend=yolo)


@pytest.fixture(params=["mp_report", "yolo_report"])
def report(request) -> FeedbackReport:
    """Each backend's report in turn."""
    return request.getfixturevalue(request.param)


def aligned(report, comparator) -> FeedbackReport:
    """The same poses compared with time alignment (no second pose estimation)."""
    out = compare(report.coach_skeleton, report.athlete_skeleton, comparator=comparator,
                  align=True)
    return dataclasses.replace(out, coach_source=report.coach_source,
                               athlete_source=report.athlete_source)


def decode(path):
    frames = [f.rgb for f in VideoReader(path)]
    return np.stack(frames)


# ---------------------------------------------------------------------------- the report
@pytest.mark.assets
def test_report_has_a_row_per_athlete_frame_and_flags_the_blank_ones(report):
    assert report.similarity.shape == (ATHLETE_FRAMES, len(sitrex.ANGLE_NAMES))
    assert report.times.shape == (ATHLETE_FRAMES,) and report.fps == pytest.approx(60.0)
    expected = np.ones(ATHLETE_FRAMES, bool)
    expected[list(BLANK)] = False
    assert report.present.tolist() == expected.tolist()
    assert np.isnan(report.similarity[~expected]).all()
    assert np.isfinite(report.similarity[expected][:, report.useful]).any()
    assert report.athlete_skeleton.meta["no_person_frames"] == len(BLANK)
    assert report.athlete_skeleton.meta["image_size"] == ATHLETE_SIZE
    assert report.coach_skeleton.n_frames == COACH_FRAMES


@pytest.mark.assets
def test_both_backends_put_the_body_at_the_same_pixels(mediapipe, yolo, clips):
    """Image-height units undone with the image size (MediaPipe also had x rescaled by w/h)."""
    mp = mediapipe.estimate_video(clips["athlete"], max_frames=2)
    other = yolo.estimate_video(clips["athlete"], max_frames=2)
    assert mp.meta["image_size"] == other.meta["image_size"] == ATHLETE_SIZE
    mid = [[landmark_index(a), landmark_index(b)] for a, b in TORSO_AND_LEGS]
    a = mp.pixel_coords()[:, :, :2]
    b = other.pixel_coords()[:, :, :2]
    a_mid = np.stack([a[:, i].mean(axis=1) for i in mid], axis=1)  # side-agnostic midpoints
    b_mid = np.stack([b[:, i].mean(axis=1) for i in mid], axis=1)
    height = np.ptp(a_mid[..., 1])
    assert 0.2 * ATHLETE_SIZE[1] < height < ATHLETE_SIZE[1]  # a standing person, in pixels
    assert np.linalg.norm(a_mid - b_mid, axis=-1).max() < 0.06 * height


# ---------------------------------------------------------------------------- the overlay video
@pytest.mark.assets
def test_overlay_has_the_input_frame_count_and_size(report, tmp_path):
    out = render_overlay(report, tmp_path / "overlay.mp4")
    assert out == tmp_path / "overlay.mp4"
    info = read_video_info(out)
    assert (info.frame_count, info.size) == (ATHLETE_FRAMES, ATHLETE_SIZE)
    assert info.fps == pytest.approx(60.0)
    assert decode(out).shape == (ATHLETE_FRAMES, ATHLETE_SIZE[1], ATHLETE_SIZE[0], 3)
    assert [p.name for p in tmp_path.iterdir()] == ["overlay.mp4"]


@pytest.mark.assets
def test_side_by_side_is_twice_as_wide_with_the_coach_on_the_left(report, tmp_path):
    out = render_overlay(report, tmp_path / "pair.mp4", side_by_side=True)
    info = read_video_info(out)
    assert (info.frame_count, info.size) == (ATHLETE_FRAMES, (2 * ATHLETE_SIZE[0], ATHLETE_SIZE[1]))
    frames = decode(out)
    # the left half shows the coach's clip (lab pixels) even where the athlete's frame is blank
    coach_half = frames[:, 40:, :ATHLETE_SIZE[0]].mean(axis=(1, 2, 3))
    assert coach_half.min() > 40
    athlete_half = frames[:, 40:, ATHLETE_SIZE[0] + 12:-12].mean(axis=(1, 2, 3))
    assert athlete_half[list(BLANK)].max() < 10 < athlete_half[0]


@pytest.mark.assets
def test_side_by_side_follows_the_time_alignment(mp_report, comparator, clips, tmp_path):
    report = aligned(mp_report, comparator)
    assert report.alignment is not None and report.alignment.shape == (ATHLETE_FRAMES,)
    out = render_overlay(report, tmp_path / "pair.mp4", side_by_side=True, max_frames=6)
    info = read_video_info(out)
    assert (info.frame_count, info.size) == (6, (2 * ATHLETE_SIZE[0], ATHLETE_SIZE[1]))
    # with the coach played backwards, athlete frame t shows coach frame alignment[t]
    backwards = dataclasses.replace(
        report, alignment=np.arange(ATHLETE_FRAMES)[::-1] % COACH_FRAMES)
    shown = decode(render_overlay(backwards, tmp_path / "back.mp4", side_by_side=True,
                                  max_frames=2))[:, 40:, :ATHLETE_SIZE[0]].astype(float)
    coach = decode(clips["coach"])
    scale = ATHLETE_SIZE[0] / COACH_SIZE[0]  # same aspect ratio: scaled, no bars
    scaled = np.stack([cv2.resize(f, ATHLETE_SIZE, interpolation=cv2.INTER_AREA) for f in coach])
    scaled = scaled[:, 40:].astype(float)
    assert scale == ATHLETE_SIZE[1] / COACH_SIZE[1]
    for t in range(2):
        j = (ATHLETE_FRAMES - 1 - t) % COACH_FRAMES
        errors = np.abs(scaled - shown[t]).mean(axis=(1, 2, 3))
        assert int(np.argmin(errors)) == j, errors.round(1)


@pytest.mark.assets
def test_no_person_frames_get_a_red_border(report, tmp_path):
    frames = decode(render_overlay(report, tmp_path / "overlay.mp4")).astype(float)
    edge = np.concatenate([frames[:, 100:-100, :3].reshape(len(frames), -1, 3),
                           frames[:, 100:-100, -3:].reshape(len(frames), -1, 3)], axis=1)
    redness = edge[..., 0].mean(axis=1) - edge[..., 1].mean(axis=1)
    blank = np.zeros(ATHLETE_FRAMES, bool)
    blank[list(BLANK)] = True
    assert redness[blank].min() > 100 > redness[~blank].max()


@pytest.mark.assets
def test_arcs_are_drawn_at_the_joints_of_the_landmarks(report, tmp_path):
    """On a blank frame (no video), a red arc at the left knee centres on its pixel position."""
    sim = np.where(report.present[:, None], 0.0, np.nan) * np.ones(len(report.angle_names))
    useful = np.array([n == "left knee" for n in report.angle_names])
    bare = dataclasses.replace(report, athlete_source=None, similarity=sim, useful=useful)
    frames = decode(render_overlay(bare, tmp_path / "knee.mp4")).astype(float)
    knee = report.athlete_skeleton.pixel_coords()[:, landmark_index("left_knee"), :2]
    red = (frames[..., 0] > 150) & (frames[..., 1] < 90) & (frames[..., 2] < 90)
    red[:, :60] = False  # the header text
    for t in (0, 5, 20):
        ys, xs = np.nonzero(red[t])
        assert len(xs) > 20
        distance = np.hypot(xs - knee[t, 0], ys - knee[t, 1])
        assert np.median(distance) < 25  # the arc's radius is 0.035 * 360 = 13 px
    assert not red[list(BLANK)][:, 60:-12, 12:-12].any()  # inside the red border


@pytest.mark.assets
def test_landmarks_from_a_file_are_drawn_on_the_video_given_with_them(mp_report, clips,
                                                                      tmp_path):
    """A report on landmark files (``sitrex extract``'s) does not know where its video is: on
    black frames by default, on the video given as athlete_video= (``--athlete-video``)."""
    from_file = dataclasses.replace(mp_report, athlete_source=str(tmp_path / "athlete.npz"))
    on_black = decode(render_overlay(from_file, tmp_path / "black.mp4"))
    on_video = decode(render_overlay(from_file, tmp_path / "video.mp4",
                                     athlete_video=clips["athlete"]))
    shown = [t for t in range(ATHLETE_FRAMES) if t not in BLANK]
    assert on_video[shown, 100:-20, 20:-20].mean() > 3 * on_black[shown, 100:-20, 20:-20].mean()


@pytest.mark.assets
def test_overlay_reads_the_landmarks_range_of_a_longer_video(mp_report, clips, tmp_path):
    """Landmarks of frames 0-23 of a longer video: the overlay reads just those frames."""
    report = mp_report
    longer = write_clip(clips["original"], tmp_path / "athlete.mp4", 30, ATHLETE_SIZE)
    out = render_overlay(report, tmp_path / "o.mp4", athlete_video=longer)
    assert read_video_info(out).frame_count == ATHLETE_FRAMES


# ---------------------------------------------------------------------------- errors
@pytest.mark.assets
def test_mismatched_videos_are_refused(mp_report, clips, tmp_path):
    report = mp_report
    with pytest.raises(VideoError, match="1080x1920 pixels"):
        render_overlay(report, tmp_path / "o.mp4", athlete_video=clips["original"])
    short = write_clip(clips["original"], tmp_path / "short.mp4", 10, ATHLETE_SIZE)
    with pytest.raises(VideoError, match="has 10 frames"):
        render_overlay(report, tmp_path / "o.mp4", athlete_video=short)
    other = write_clip(clips["original"], tmp_path / "other.mp4", 30, ATHLETE_SIZE)
    with pytest.raises(VideoError, match="do not say they came from this video"):
        render_overlay(report, tmp_path / "o.mp4", athlete_video=other)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00" * 64)
    with pytest.raises(VideoError, match="broken.mp4"):
        render_overlay(report, tmp_path / "o.mp4", athlete_video=broken)
    with pytest.raises(FileNotFoundError, match="no athlete video"):
        render_overlay(report, tmp_path / "o.mp4", athlete_video=tmp_path / "missing.mp4")
    assert not (tmp_path / "o.mp4").exists()


@pytest.mark.assets
def test_bad_outputs_and_reports_are_refused(mp_report, tmp_path):
    report = mp_report
    with pytest.raises(ValueError, match=r"\*\.mp4"):
        render_overlay(report, tmp_path / "o.avi")
    with pytest.raises(OutputError, match="does not exist"):
        render_overlay(report, tmp_path / "no" / "o.mp4")
    with pytest.raises(ValueError, match="max_frames"):
        render_overlay(report, tmp_path / "o.mp4", max_frames=0)
    with pytest.raises(ValueError, match="athlete_skeleton is None"):
        render_overlay(dataclasses.replace(report, athlete_skeleton=None), tmp_path / "o.mp4")
    flat = report.athlete_skeleton.normalized()  # torso units: no longer on the image
    with pytest.raises(ValueError, match="cannot place the athlete's landmarks"):
        render_overlay(dataclasses.replace(report, athlete_skeleton=flat), tmp_path / "o.mp4")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.assets
def test_a_failed_render_leaves_the_previous_video(mp_report, tmp_path, monkeypatch):
    report = mp_report
    out = tmp_path / "overlay.mp4"
    out.write_bytes(b"previous")
    from sitrex import overlay

    calls = []

    def fail_later(self, img, *args, **kwargs):
        calls.append(1)
        if len(calls) > 3:
            raise RuntimeError("interrupted")

    monkeypatch.setattr(overlay._Painter, "banner", fail_later)
    with pytest.raises(RuntimeError, match="interrupted"):
        render_overlay(report, out)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["overlay.mp4"]


# ---------------------------------------------------------------------------- figures, real report
@pytest.mark.assets
def test_report_figure_of_a_real_comparison(report, tmp_path):
    pytest.importorskip("matplotlib")
    from sitrex.plots import report_figure, save_report_figure

    fig = report_figure(report)
    heat = fig.axes[0].images[0].get_array()
    assert heat.shape == (int(report.useful.sum()), ATHLETE_FRAMES)
    assert heat.mask[:, list(BLANK)].all()
    out = save_report_figure(report, tmp_path / "report.svg")
    assert out.read_text().rstrip().endswith("</svg>")


# ---------------------------------------------------------------------------- pieces
def test_similarity_colours_run_red_to_green_and_grey_for_nan():
    colours = similarity_colors(np.array([[0.0, 0.25, 0.5], [0.75, 1.0, np.nan]]))
    assert colours.shape == (2, 3, 3) and colours.dtype == np.uint8
    red, green = colours[..., 0].astype(int), colours[..., 1].astype(int)
    assert (np.diff(red.ravel()[[2, 3, 4]]) < 0).all()      # red fades from the middle on
    assert (np.diff(green.ravel()[[0, 1, 2]]) > 0).all()    # green grows up to the middle
    assert colours[1, 2].tolist() == [160, 160, 160]
    assert similarity_colors(2.0).tolist() == similarity_colors(1.0).tolist()  # clipped


@pytest.mark.parametrize("name", sitrex.ANGLE_NAMES)
def test_every_angle_has_a_vertex_from_the_table(name):
    from sitrex.angle_table import angle_definition

    g = angle_geometry(name)
    d = angle_definition(name)
    landmarks = {landmark_index(n) for p in d.points for n in p}
    assert set(g.vertex) <= landmarks and set(g.arms[0]) <= landmarks
    assert (g.arms[1] is None) == (d.measure == "segment") == (g.axis is not None)


def test_overlay_uses_the_image_size_to_undo_mediapipe_units(tmp_path):
    """A landmark at normalised (0.75, 0.25) of a 400x200 image is drawn at pixel (300, 50)."""
    xyz = np.full((3, 33, 3), np.nan)
    for name, xy in [("left_shoulder", (0.75, 0.05)), ("left_elbow", (0.75, 0.25)),
                     ("left_wrist", (0.95, 0.25))]:
        xyz[:, landmark_index(name)] = (*xy, 0.0)
    skel = Skeleton.from_normalized_image(xyz, image_size=(400, 200), fps=5.0)
    angles = skel.angles(names=["left elbow"])
    report = FeedbackReport(angle_names=("left elbow",), usefulness=[1.0], useful=[True],
                            similarity=np.ones((3, 1)), present=skel.has_person,
                            times=skel.times, fps=5.0, threshold=0.5, coach_angles=angles,
                            athlete_angles=angles, athlete_skeleton=skel)
    frames = decode(render_overlay(report, tmp_path / "o.mp4")).astype(float)
    assert frames.shape == (3, 200, 400, 3)
    green = (frames[..., 1] > 100) & (frames[..., 0] < 80)
    green[:, :45] = False  # the header
    ys, xs = np.nonzero(green[1])
    # the elbow's arc opens between "up" and "right" of pixel (300, 50)
    assert 295 <= np.median(xs) <= 315 and 35 <= np.median(ys) <= 55


def test_without_alignment_the_coach_frame_is_the_one_at_the_same_time():
    from sitrex.overlay import _coach_frames

    coach = Skeleton(np.zeros((10, 33, 3)), fps=30.0)
    angles = np.zeros((20, 1))
    report = FeedbackReport(angle_names=("left elbow",), usefulness=[1.0], useful=[True],
                            similarity=angles, present=np.ones(20, bool),
                            times=np.arange(20) / 60.0, fps=60.0, threshold=0.5,
                            coach_angles=np.zeros((10, 1)), athlete_angles=angles,
                            coach_skeleton=coach)
    assert _coach_frames(report, coach, 10, 20).tolist() == (np.arange(20) // 2).tolist()
    same_rate = coach.replace(fps=60.0)
    assert _coach_frames(report, same_rate, 10, 20).tolist() == [*range(10), *[9] * 10]
    aligned = dataclasses.replace(report, alignment=np.arange(20)[::-1])
    assert _coach_frames(aligned, coach, 10, 20).tolist() == np.minimum(np.arange(20)[::-1],
                                                                        9).tolist()


def test_side_by_side_letterboxes_the_coach_and_moves_its_landmarks_along(tmp_path):
    """A 300x100 coach beside a 360x640 athlete: scaled by 1.2, 260 px bars above and below."""
    def arm(image_size, elbow_px, fps=5.0):
        w, h = image_size
        xyz = np.full((2, 33, 3), np.nan)
        ex, ey = elbow_px
        for name, (x, y) in [("left_shoulder", (ex, ey - 30)), ("left_elbow", (ex, ey)),
                             ("left_wrist", (ex + 30, ey))]:
            xyz[:, landmark_index(name)] = (x / w, y / h, 0.0)
        return Skeleton.from_normalized_image(xyz, image_size=image_size, fps=fps)

    coach, athlete = arm((300, 100), (150, 50)), arm((360, 640), (100, 300))
    angles = athlete.angles(names=["left elbow"])
    report = FeedbackReport(angle_names=("left elbow",), usefulness=[1.0], useful=[True],
                            similarity=np.ones((2, 1)), present=[True, True],
                            times=athlete.times, fps=5.0, threshold=0.5, coach_angles=angles,
                            athlete_angles=angles, coach_skeleton=coach, athlete_skeleton=athlete)
    frames = decode(render_overlay(report, tmp_path / "o.mp4", side_by_side=True))
    assert frames.shape == (2, 640, 720, 3)
    left = frames[0, :, :360].astype(float)
    blue = (left[..., 2] > 150) & (left[..., 0] < 140)
    blue[:40] = False  # the header
    ys, xs = np.nonzero(blue)
    assert len(xs) > 20
    assert abs(np.median(xs) - 150 * 1.2) < 15 and abs(np.median(ys) - (50 * 1.2 + 260)) < 15


# ---------------------------------------------------------------------------- where arcs go
def test_the_arms_of_a_joint_angle_span_the_angle_the_report_measures():
    from sitrex.angle_table import ANGLE_DEFINITIONS, angle_arms
    from sitrex.datasets import make_exercise

    # in millimetres, so that the kernels' 1e-6 guard against zero-length segments is negligible
    xyz = 1000 * make_exercise(1, "squat", n_reps=1, random_state=0)[0][0].coords
    joints = [d.name for d in ANGLE_DEFINITIONS if d.measure == "joint"]
    vertex, first, second = angle_arms(xyz, joints)
    assert vertex.shape == first.shape == second.shape == (len(xyz), len(joints), 3)
    cosine = (first * second).sum(-1) / np.linalg.norm(first, axis=-1) / np.linalg.norm(second,
                                                                                         axis=-1)
    between_arms = np.degrees(np.arccos(np.clip(cosine, -1, 1)))
    np.testing.assert_allclose(between_arms, sitrex.compute_angles(xyz, names=joints), atol=1e-6)


def test_a_segment_angle_is_drawn_against_a_unit_torso_axis():
    from sitrex.angle_table import angle_arms

    xyz = np.random.default_rng(0).normal(size=(5, 33, 3))
    vertex, first, second = angle_arms(xyz, ["left ankle dorsiflexion"])
    ankle, knee = xyz[:, landmark_index("left_ankle")], xyz[:, landmark_index("left_knee")]
    np.testing.assert_allclose(vertex[:, 0], ankle)
    np.testing.assert_allclose(first[:, 0], knee - ankle)
    np.testing.assert_allclose(np.linalg.norm(second[:, 0], axis=-1), 1.0)
    mid_shoulder = xyz[:, [11, 12]].mean(axis=1)
    mid_hip = xyz[:, [23, 24]].mean(axis=1)
    # drawn at the ankle, so against the upward axis: pointing from the shoulders to the hips
    assert ((second[:, 0] * (mid_hip - mid_shoulder)).sum(-1) > 0).all()


def test_an_angle_missing_a_landmark_or_outside_the_table_is_not_drawn():
    from sitrex.angle_table import angle_arms

    xyz = np.random.default_rng(1).normal(size=(3, 33, 3))
    xyz[1, landmark_index("left_wrist")] = np.nan
    vertex, _, _ = angle_arms(xyz, ["left elbow", "left knee", "left elbow (sagittal)"])
    drawn = np.isfinite(vertex).all(axis=-1)
    assert drawn.tolist() == [[True, True, False], [False, True, False], [True, True, False]]


# ---------------------------------------------------------------------------- writing the video
def left_arm_report(n_frames: int = 6, image_size=(160, 120)) -> FeedbackReport:
    """A left arm on blank frames (no video), all scored 0.5."""
    w, h = image_size
    xyz = np.full((n_frames, 33, 3), np.nan)
    for name, (x, y) in [("left_shoulder", (60, 40)), ("left_elbow", (80, 70)),
                         ("left_wrist", (110, 60))]:
        xyz[:, landmark_index(name)] = (x / h, y / h, 0.0)
    skel = Skeleton(xyz, fps=10.0, meta={"units": "image_height", "image_size": image_size})
    angles = skel.angles(names=["left elbow"])
    return FeedbackReport(angle_names=("left elbow",), usefulness=[1.0], useful=[True],
                          similarity=np.full((n_frames, 1), 0.5), present=skel.has_person,
                          times=skel.times, fps=10.0, threshold=0.5, coach_angles=angles,
                          athlete_angles=angles, coach_skeleton=skel, athlete_skeleton=skel)


def count_frames(path) -> int:
    """Frames OpenCV decodes from a video file."""
    capture = cv2.VideoCapture(str(path))
    n = 0
    while capture.read()[0]:
        n += 1
    capture.release()
    return n


def test_the_overlay_plays_back_with_one_frame_per_report_frame(tmp_path):
    report = left_arm_report(n_frames=7)
    assert count_frames(render_overlay(report, tmp_path / "all.mp4")) == 7
    assert count_frames(render_overlay(report, tmp_path / "three.mp4", max_frames=3)) == 3
    pair = render_overlay(report, tmp_path / "pair.mp4", side_by_side=True)
    assert count_frames(pair) == 7 and read_video_info(pair).size == (320, 120)


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_render_leaves_no_file_and_no_temporary_file(tmp_path, monkeypatch,
                                                                    error):
    from sitrex import overlay

    calls = []

    def fail_on_the_third_frame(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise error("stop")

    monkeypatch.setattr(overlay._Painter, "arcs", fail_on_the_third_frame)
    with pytest.raises(error):
        render_overlay(left_arm_report(), tmp_path / "overlay.mp4")
    assert len(calls) == 3
    assert list(tmp_path.iterdir()) == []


def test_an_output_that_cannot_be_written_names_the_users_path(tmp_path):
    from sitrex.exceptions import OutputError

    (tmp_path / "overlay.mp4").mkdir()
    with pytest.raises(OutputError, match="overlay.mp4': it is a folder"):
        render_overlay(left_arm_report(), tmp_path / "overlay.mp4")
    assert [p.name for p in tmp_path.iterdir()] == ["overlay.mp4"]
