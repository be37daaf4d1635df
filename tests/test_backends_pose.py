"""MediaPipe and YOLO-pose on real pixels, both in one process (see the import-order notes).

Images: bus.jpg and zidane.jpg ship inside the ultralytics package. Videos and models
come from ../shared. Nothing is downloaded: every backend gets its model path.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sitrex.backends import get_backend
from sitrex.landmarks import landmark_index
from sitrex.video import VideoError, VideoReader, read_image

pytestmark = pytest.mark.assets

SHOULDERS = [landmark_index("left_shoulder"), landmark_index("right_shoulder")]
HIPS = [landmark_index("left_hip"), landmark_index("right_hip")]
ANKLES = [landmark_index("left_ankle"), landmark_index("right_ankle")]
SHARED_JOINTS = [11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28]  # shoulders .. ankles


@pytest.fixture(scope="session")
def ultralytics_assets() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("ultralytics")
    if spec is None:
        pytest.skip("ultralytics is not installed")
    return Path(spec.origin).parent / "assets"


@pytest.fixture(scope="session")
def models(shared_dir) -> Path:
    return shared_dir / "models"


@pytest.fixture(scope="session")
def mp_lite(models):
    with get_backend("mediapipe", model="lite", model_path=models, download=False) as b:
        yield b


@pytest.fixture(scope="session")
def mp_full(models):
    with get_backend("mediapipe", model="full", model_path=models, download=False) as b:
        yield b


@pytest.fixture(scope="session")
def yolo(models):
    return get_backend("yolo", model="n", model_path=models / "yolo11n-pose.pt", download=False)


def _check_upright_facing_camera(skel):
    """Shoulders above hips above ankles (image y grows downwards); left/right not swapped."""
    px = skel.pixel_coords()[0]
    shoulder_y, hip_y, ankle_y = (np.mean(px[idx, 1]) for idx in (SHOULDERS, HIPS, ANKLES))
    assert shoulder_y < hip_y < ankle_y
    # Facing the camera, the person's own left side is on the image's right.
    assert px[SHOULDERS[0], 0] > px[SHOULDERS[1], 0]
    assert px[HIPS[0], 0] > px[HIPS[1], 0]


@pytest.mark.parametrize("backend", ["mp_lite", "mp_full", "yolo"])
def test_bus_person_found_upright_and_not_mirrored(request, ultralytics_assets, backend):
    b = request.getfixturevalue(backend)
    # The man on the far left faces the camera. MediaPipe finds only him; YOLO sees
    # four people, so it gets the left 300 columns, where he is the only one.
    image = ultralytics_assets / "bus.jpg"
    if backend == "yolo":
        rgb = read_image(image)[:, :300]  # crop to the man on the left
        skel = b.estimate_image(rgb)
    else:
        skel = b.estimate_image(image)
        assert skel.source == "mediapipe:bus.jpg"
    assert skel.n_frames == 1 and skel.meta["no_person_frames"] == 0
    assert skel.has_person[0]
    _check_upright_facing_camera(skel)
    left_shoulder = skel.pixel_coords()[0, 11, :2]
    # ../shared/models/README.md: lite (161.7, 493.3), full (160.7, 492.0), yolo (157.5, 493.1)
    np.testing.assert_allclose(left_shoulder, (160.0, 493.0), atol=5.0)


def test_mediapipe_image_landmarks_have_aspect_ratio_undone(mp_lite, ultralytics_assets):
    skel = mp_lite.estimate_image(ultralytics_assets / "bus.jpg")
    assert skel.meta["units"] == "image_height" and skel.meta["image_size"] == (810, 1080)
    assert skel.meta["dimensions"] == 3 and skel.meta["landmarks"] == "image"
    assert np.isfinite(skel.coords).all() and (skel.confidence > 0).all()


def test_mediapipe_world_landmarks_are_metric_and_hip_centred(models, ultralytics_assets):
    with get_backend("mediapipe", model="lite", model_path=models, landmarks="world") as b:
        skel = b.estimate_image(ultralytics_assets / "bus.jpg")
    assert skel.meta["units"] == "meters"
    xyz = skel.coords[0]
    np.testing.assert_allclose(xyz[HIPS].mean(axis=0), 0.0, atol=0.05)
    shoulder_width = np.linalg.norm(xyz[11] - xyz[12])
    assert 0.2 < shoulder_width < 0.6  # an adult's, in metres
    assert xyz[SHOULDERS, 1].mean() < xyz[HIPS, 1].mean() < xyz[ANKLES, 1].mean()


def test_yolo_maps_coco17_and_leaves_the_rest_nan(yolo, ultralytics_assets):
    skel = yolo.estimate_image(ultralytics_assets / "zidane.jpg")
    assert skel.meta["people_in_view"] == 2 and skel.meta["dimensions"] == 2
    present = skel.present[0]
    assert not present[[1, 3, 4, 6, 9, 10, 17, 18, 19, 20, 21, 22, 29, 30, 31, 32]].any()
    assert present[SHOULDERS].all()
    angles = skel.angles()
    assert np.isnan(angles).any()  # angles needing hands/feet cannot be measured


def _raw_yolo_person(yolo, rgb, person: int):
    """Ultralytics' own keypoints (pixels) and scores for one detected person, by box area."""
    result = yolo._yolo.predict(np.ascontiguousarray(rgb[..., ::-1]), **yolo._kwargs())[0]
    boxes = result.boxes.xyxy.cpu().numpy()
    order = np.argsort(-(boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]), kind="stable")
    i = order[person]
    return (result.keypoints.xy.cpu().numpy()[i].astype(np.float64),
            result.keypoints.conf.cpu().numpy()[i].astype(np.float64))


@pytest.mark.parametrize("image, person", [("zidane.jpg", 0), ("zidane.jpg", 1), ("frame", 0)])
def test_yolo_landmarks_are_ultralytics_keypoints_in_image_heights(
        models, ultralytics_assets, shared_dir, image, person):
    """The COCO-17 mapping, spelt out: keypoint k of ultralytics lands on MediaPipe landmark
    COCO17_TO_MEDIAPIPE[k] as (x, y) / image height with z = 0 and its score as confidence;
    keypoints scoring below min_keypoint_confidence (0.5) and the 16 other landmarks are NaN."""
    from sitrex.layouts import COCO17_TO_MEDIAPIPE

    if image == "frame":
        rgb = next(iter(VideoReader(shared_dir / "videos" / "sports2d_demo.mp4", start=60,
                                    max_frames=1))).rgb
    else:
        rgb = read_image(ultralytics_assets / image)
    backend = get_backend("yolo", model_path=models / "yolo11n-pose.pt", person=person)
    skel = backend.estimate_image(rgb)
    xy, score = _raw_yolo_person(backend, rgb, person)
    seen = score >= 0.5
    assert seen.sum() >= 5 and not seen.all()  # both branches of the rule are exercised

    expected = np.full((33, 3), np.nan)
    expected_conf = np.full(33, np.nan)
    index = np.asarray(COCO17_TO_MEDIAPIPE)
    expected[index[seen], :2] = xy[seen] / rgb.shape[0]
    expected[index[seen], 2] = 0.0
    expected_conf[index[seen]] = score[seen]
    np.testing.assert_array_equal(skel.coords[0], expected)
    np.testing.assert_array_equal(skel.confidence[0], expected_conf)
    assert skel.meta["units"] == "image_height" and skel.meta["dimensions"] == 2


def test_image_array_and_path_agree(yolo, ultralytics_assets):
    path = ultralytics_assets / "bus.jpg"
    a = yolo.estimate_image(path)
    b = yolo.estimate_image(read_image(path))
    np.testing.assert_allclose(a.coords, b.coords)


def test_choose_another_person(models, ultralytics_assets):
    image = ultralytics_assets / "bus.jpg"
    weights = models / "yolo11n-pose.pt"
    picks = {}
    for person in ("largest", 1, 2, "central"):
        skel = get_backend("yolo", model_path=weights, person=person).estimate_image(image)
        picks[person] = np.nanmean(skel.pixel_coords()[0, SHOULDERS + HIPS, 0])
    assert len({round(v) for v in picks.values()}) >= 3  # different people


def test_mediapipe_and_yolo_agree_on_the_same_person(mp_full, yolo, shared_dir):
    """Shared joints of the single-person Pose2Sim clip (frame 0, 1080x1920).

    Tolerance: the median distance over the 12 shared joints within 4 % of the
    person's shoulder-to-ankle height (about 600 px here, so 24 px), and every
    joint within 10 %. The two models were trained on different annotations
    (BlazePose places hips higher and wider than COCO's, and ankles differ by the
    foot model), so exact agreement is not expected; a wrong person, a left/right
    swap or a colour-channel swap gives errors of 20-100 %. Measured: median 12 px,
    worst 5.4 %.
    """
    frame = next(iter(VideoReader(shared_dir / "videos" / "pose2sim_single_cam01.mp4",
                                  max_frames=1)))
    a = mp_full.estimate_image(frame.rgb).pixel_coords()[0, SHARED_JOINTS, :2]
    b = yolo.estimate_image(frame.rgb).pixel_coords()[0, SHARED_JOINTS, :2]
    assert np.isfinite(a).all() and np.isfinite(b).all()
    height = a[:, 1].max() - a[:, 1].min()
    dist = np.linalg.norm(a - b, axis=1)
    assert np.median(dist) < 0.04 * height, dist
    assert dist.max() < 0.10 * height, dist


def test_mediapipe_video_frame_count_fps_and_no_gaps(mp_lite, shared_dir):
    skel = mp_lite.estimate_video(shared_dir / "videos" / "pose2sim_single_cam01.mp4")
    assert skel.n_frames == 100 and skel.fps == 60.0
    assert skel.meta["no_person_frames"] == 0 and skel.meta["video_frame_count"] == 100
    assert skel.meta["image_size"] == (1080, 1920)
    assert skel.source == "mediapipe:pose2sim_single_cam01.mp4"
    # tracking in VIDEO mode gives a smooth trajectory: the hips move < 5 % of the height per frame
    hip = skel.coords[:, HIPS, :2].mean(axis=1)
    assert np.abs(np.diff(hip, axis=0)).max() < 0.05


def test_yolo_video_tracks_one_person_and_another_on_request(models, shared_dir):
    path = shared_dir / "videos" / "sports2d_demo.mp4"
    weights = models / "yolo11n-pose.pt"
    tracks = {}
    for person in ("largest", 1):
        skel = get_backend("yolo", model_path=weights, person=person).estimate_video(
            path, start=60, max_frames=30)
        assert skel.n_frames == 30 and skel.fps == 30.0 and skel.meta["start_frame"] == 60
        assert skel.meta["max_people_in_view"] >= 2
        hip = np.nanmean(skel.pixel_coords()[:, SHOULDERS + HIPS, :2], axis=1)
        assert np.isfinite(hip).all()
        steps = np.linalg.norm(np.diff(hip, axis=0), axis=1)
        assert steps.max() < 60.0  # px per frame: never jumps to the other person
        tracks[person] = hip.mean(axis=0)
    assert np.linalg.norm(tracks["largest"] - tracks[1]) > 300.0


def test_yolo_full_video_frame_count(yolo, shared_dir):
    skel = yolo.estimate_video(shared_dir / "videos" / "pose2sim_single_cam02.mp4", step=2)
    assert skel.n_frames == 50 and skel.fps == 30.0 and skel.meta["frame_step"] == 2


def test_frames_without_person_become_nan_and_are_counted(mp_lite, shared_dir):
    reader = VideoReader(shared_dir / "videos" / "pose2sim_single_cam01.mp4", max_frames=6)
    frames = []
    for f in reader:
        rgb = f.rgb if f.index % 2 == 0 else np.zeros_like(f.rgb)  # blank every other frame
        frames.append((rgb, f.time))
    skel = mp_lite.estimate_video(frames)
    assert skel.n_frames == 6 and skel.fps == pytest.approx(60.0, rel=0.05)
    assert skel.meta["no_person_frames"] == 3
    assert skel.has_person.tolist() == [True, False] * 3


def test_empty_inputs_are_errors(mp_lite, shared_dir, tmp_path):
    with pytest.raises(VideoError, match="0 frames"):
        mp_lite.estimate_video([], fps=30.0)
    with pytest.raises(FileNotFoundError):
        mp_lite.estimate_video(tmp_path / "missing.mp4")
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00" * 100)
    with pytest.raises(VideoError, match="broken.mp4"):
        mp_lite.estimate_video(bad)
    with pytest.raises(VideoError):
        mp_lite.estimate_video(shared_dir / "videos" / "pose2sim_single_cam01.mp4", start=1000)
    with pytest.raises(ValueError, match="strictly increase"):
        mp_lite.estimate_video([(np.zeros((4, 4, 3), np.uint8), 1.0)] * 2)


def test_estimated_video_saves_atomically(mp_lite, shared_dir, tmp_path):
    skel = mp_lite.estimate_video(shared_dir / "videos" / "pose2sim_single_cam01.mp4",
                                  max_frames=5)
    from sitrex.skeleton import Skeleton

    out = skel.save(tmp_path / "pose.json")
    back = Skeleton.load(out)
    assert back.n_frames == 5 and back.meta["no_person_frames"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pose.json"]


_ORDER_CODE = """
import sys
{first}
{second}
print("survived")
"""


@pytest.mark.parametrize(
    "first, second",
    [
        # MediaPipe first used to abort the process when torchvision came next.
        ("from sitrex.backends.mediapipe import import_mediapipe; import_mediapipe()",
         "import torchvision"),
        # TensorFlow already loaded (e.g. by Keras) and then the YOLO backend.
        ("import tensorflow", "from sitrex.backends.yolo import import_ultralytics; "
                              "import_ultralytics()"),
    ],
)
def test_import_order_does_not_abort_the_process(first, second):
    pytest.importorskip("torchvision")
    pytest.importorskip("mediapipe")
    if "tensorflow" in first:
        pytest.importorskip("tensorflow")
    code = _ORDER_CODE.format(first=first, second=second)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0 and "survived" in out.stdout, out.stderr[-2000:]


def test_yolo_predicts_in_a_process_that_loaded_tensorflow_first(models):
    """ultralytics imports torchvision (and so Triton) at the first prediction, not at import:
    the guard must cover that import too, or the process aborts at its first frame."""
    pytest.importorskip("tensorflow")
    code = ("import numpy as np, tensorflow\n"
            "from sitrex.backends.yolo import YoloBackend\n"
            f"backend = YoloBackend(model_path={str(models / 'yolo11n-pose.pt')!r}, download=False)\n"
            "backend.estimate_image(np.zeros((64, 64, 3), np.uint8))\n"
            "print('survived')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0 and "survived" in out.stdout, out.stderr[-2000:]


def test_mediapipe_import_leaves_tensorflow_unloaded():
    code = ("import sys\nfrom sitrex.backends.mediapipe import import_mediapipe\n"
            "import_mediapipe()\nprint('tensorflow' in sys.modules, sys.modules.get('tensorflow', 0))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, check=True)
    assert out.stdout.split()[-2:] == ["False", "0"]


def test_yolo_without_tracker_follows_by_box_overlap(models, shared_dir):
    b = get_backend("yolo", model_path=models / "yolo11n-pose.pt", tracker=None)
    skel = b.estimate_video(shared_dir / "videos" / "sports2d_demo.mp4", start=60, max_frames=8)
    assert skel.n_frames == 8 and skel.meta["no_person_frames"] == 0
