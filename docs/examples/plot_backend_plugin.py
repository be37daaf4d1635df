"""
Write a pose backend plugin
===========================

sitrex turns videos into skeletons through *pose backends*. MediaPipe and
YOLO-pose are built in, and any other estimator can be added as a plugin: a
subclass of :class:`sitrex.backends.PoseBackend`, registered under the
entry-point group ``sitrex.backends`` of the package that ships it.

This example writes a toy backend around a "model" that finds coloured markers
in an image, one colour per keypoint, as a motion-capture suit would have. It
runs on frames rendered from a **synthetic** squat, so no model file or video
is needed; a real backend would call its network where this one looks for
colours.
"""

# %%
# The frames: a synthetic squat, seen by a pinhole camera
# -------------------------------------------------------
# :func:`sitrex.datasets.make_exercise` gives 3-D landmarks in camera
# coordinates (metres; x right, y down, z away from the camera). Each of the
# 17 COCO keypoints (the layout of YOLO-pose and many other estimators) is
# painted as a small square whose green value encodes which keypoint it is.
import matplotlib.pyplot as plt
import numpy as np

import sitrex
from sitrex.backends import Detections, PoseBackend
from sitrex.datasets import make_exercise
from sitrex.layouts import COCO17_NAMES, COCO17_TO_MEDIAPIPE

WIDTH, HEIGHT = 320, 360
# COCO-17 bones, drawn in grey between the markers
BONES = [(5, 6), (5, 7), (7, 9), (6, 8), (8, 10), (5, 11), (6, 12), (11, 12),
         (11, 13), (13, 15), (12, 14), (14, 16), (0, 5), (0, 6)]


def project(xyz):
    """Pinhole projection of camera coordinates (T, K, 3) to pixels (T, K, 2), framed so
    that the whole movement fills most of the image."""
    uv = xyz[..., :2] / xyz[..., 2:]
    low, high = uv.reshape(-1, 2).min(axis=0), uv.reshape(-1, 2).max(axis=0)
    scale = 0.85 * min(WIDTH / (high - low)[0], HEIGHT / (high - low)[1])
    return (uv - (low + high) / 2) * scale + np.array([WIDTH / 2, HEIGHT / 2])


def render(pixels):
    """One RGB frame with a 5x5 marker per COCO-17 keypoint (green channel = 10 * (k + 1))."""
    image = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    for a, b in BONES:
        t = np.linspace(0, 1, 60)[:, None]
        u, v = np.round(pixels[a] + t * (pixels[b] - pixels[a])).astype(int).T
        inside = (u >= 0) & (u < WIDTH) & (v >= 0) & (v < HEIGHT)
        image[v[inside], u[inside]] = 150
    for k, (u, v) in enumerate(pixels):
        u, v = int(round(u)), int(round(v))
        image[max(v - 2, 0):v + 3, max(u - 2, 0):u + 3] = (255, 10 * (k + 1), 0)
    return image


(squat,), _ = make_exercise(1, ["squat"], n_reps=2, view="side", noise=0.0, random_state=1)
truth = squat.coords[:, list(COCO17_TO_MEDIAPIPE)]            # (T, 17, 3), metres
frames = [render(p) for p in project(truth)]
print(f"{len(frames)} frames of {WIDTH}x{HEIGHT} pixels at {squat.fps:g} fps")

# %%
# The backend
# -----------
# A backend sets a few class attributes and implements one method,
# :meth:`~sitrex.backends.PoseBackend.detect_image`, that returns every person
# found in an RGB image as :class:`~sitrex.backends.Detections`: landmarks in
# the MediaPipe 33-landmark layout (NaN where the model has no such landmark),
# a confidence per landmark, a box and a score per person. Two more methods are
# optional: ``detect_frames`` for models that follow people from frame to
# frame, and ``metadata`` for what every result should record. Everything else
# (reading videos, choosing and following one person, NaN frames when nobody
# is found, the resulting :class:`~sitrex.skeleton.Skeleton`) is shared.
#
# Options are constructor arguments. Heavy imports (a deep-learning library,
# model weights) belong in ``__init__``, so that listing the installed
# backends stays cheap.


class MarkerBackend(PoseBackend):
    """Find one person wearing 17 colour-coded markers (COCO-17 order)."""

    name = "markers"          # the name it is registered under
    extra = None              # the pip extra that installs its dependencies, if any
    requires = ()             # importable modules it needs (checked without importing)
    units = "image_height"    # output coordinates: pixels / image height
    dimensions = 2            # a 2-D estimator: z = 0

    def __init__(self, *, min_pixels=4, **options):
        super().__init__(**options)  # person=..., progress=...
        self.min_pixels = min_pixels

    def detect_image(self, rgb):
        height = rgb.shape[0]
        red, green = rgb[..., 0].astype(int), rgb[..., 1].astype(int)
        coords = np.full((1, 33, 3), np.nan)
        confidence = np.full((1, 33), np.nan)
        for k, landmark in enumerate(COCO17_TO_MEDIAPIPE):
            rows, cols = np.nonzero((red == 255) & (green == 10 * (k + 1)))
            if len(rows) >= self.min_pixels:
                coords[0, landmark] = cols.mean() / height, rows.mean() / height, 0.0
                confidence[0, landmark] = min(1.0, len(rows) / 25)
        found = ~np.isnan(coords[0, :, 0])
        if not found.any():
            return Detections.empty()
        xy = coords[0, found, :2] * height
        box = np.array([[*xy.min(axis=0), *xy.max(axis=0)]])
        return Detections(coords, confidence, box, np.ones(1))

    def metadata(self):
        return {"min_pixels": self.min_pixels}


# %%
# Using it
# --------
# :func:`sitrex.get_backend` accepts a registered name, a backend class or an
# instance. ``estimate_video`` takes a video file, a
# :class:`~sitrex.video.VideoReader`, or any iterable of RGB frames (with
# ``fps``, or as ``(frame, seconds)`` pairs).
backend = sitrex.get_backend(MarkerBackend, min_pixels=4)
skeleton = backend.estimate_video(frames, fps=squat.fps)
print(skeleton)
print({key: skeleton.meta[key]
       for key in ("backend", "units", "dimensions", "no_person_frames", "min_pixels")})

# %%
# The skeleton has the 17 COCO landmarks and NaN for the 16 others (eyes'
# corners, mouth, hands, feet), so exactly the angles that need a missing
# landmark are NaN: here the wrists, which need the hand landmarks.
angles = skeleton.angles()
missing = [n for n, column in zip(sitrex.ANGLE_NAMES, angles.T) if np.isnan(column).all()]
print("angles this backend cannot measure:", ", ".join(missing))

# %%
# The camera sees the person's right side; markers of the left side hide behind
# it in some frames, which become NaN for the angles that need them. On the
# visible side, a 2-D estimator measures the knee almost as the 3-D ground
# truth does, because the squat's knee flexion lies in the image plane.
knee = sitrex.ANGLE_NAMES.index("right knee")
hidden = np.isnan(angles[:, sitrex.ANGLE_NAMES.index("left knee")]).mean()
print(f"left knee hidden in {hidden:.0%} of the frames, right knee in "
      f"{np.isnan(angles[:, knee]).mean():.0%}")
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8), width_ratios=(1, 1.6))
middle = len(frames) // 3
left.imshow(frames[middle])
found = skeleton.coords[middle, list(COCO17_TO_MEDIAPIPE), :2] * HEIGHT
left.scatter(*found.T, s=40, facecolors="none", edgecolors="yellow", lw=1)
left.set_title(f"frame {middle}: markers and detections", fontsize=10)
left.axis("off")
right.plot(squat.times, squat.angles()[:, knee], label="3-D ground truth", lw=3, alpha=0.5)
right.plot(skeleton.times, angles[:, knee], label="MarkerBackend (2-D)", ls="--")
right.set_xlabel("time (s)")
right.set_ylabel("right knee (degrees)")
right.legend()
fig.tight_layout()

# %%
# Registering the plugin
# ----------------------
# To make ``get_backend("markers")`` and ``sitrex.list_backends()`` find it,
# the package that ships the class declares an entry point in its
# ``pyproject.toml``:
#
# .. code-block:: toml
#
#     [project.entry-points."sitrex.backends"]
#     markers = "my_package.pose:MarkerBackend"
#
# After ``pip install`` of that package, sitrex discovers it like the built-in
# backends (call :func:`sitrex.backends.refresh_backends` in a session that was
# already running). A plugin that fails to import gives a warning and is left
# out; it never breaks the others.
print(sorted(sitrex.list_backends(all=True)))

plt.show()
