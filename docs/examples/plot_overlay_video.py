"""
Render the overlay video
========================

:func:`sitrex.overlay.render_overlay` writes the athlete's video with every
angle that matters drawn as an arc at its joint, coloured from red (differs
from the coach) through yellow to green (matches), like the SiTrEx paper's
figures, optionally with the coach's video beside it. This example renders
one and shows a few of its frames.

**The data are synthetic**: a procedurally animated coach and athlete from
:func:`sitrex.datasets.make_exercise`, not recordings of people, and a small
comparator trained on synthetic executions in seconds. With real videos the
overlay is drawn on the video itself (``sitrex compare COACH.mp4 ATHLETE.mp4
--video overlay.mp4 --side-by-side``); here there is no video, so it is drawn
on blank frames.
"""

# %%
# Landmarks in image units
# ------------------------
# The overlay places each landmark on the picture, so it needs the athlete's
# landmarks in image units, as the pose backends give them:
# ``meta["units"] = "image_height"`` (coordinates divided by the frame
# height) and ``meta["image_size"] = (width, height)`` in pixels.
#
# The synthetic generator gives 3-D positions in metres, from the camera. A
# scaled orthographic camera turns them into image units: centre the body,
# scale it to fill most of a 360 x 480 frame, keep depth on the same scale.
# A uniform scale and a shift change no angle except the paper's knee valgus
# indicator, which depends on where the coordinate origin is
# (:doc:`/differences`).
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import sitrex
from sitrex.datasets import make_exercise
from sitrex.demo import train_demo_comparator
from sitrex.feedback import compare
from sitrex.overlay import render_overlay
from sitrex.video import VideoReader, read_video_info

WIDTH, HEIGHT = 360, 480


def to_image(skeleton, size=(WIDTH, HEIGHT), fill=0.8):
    """A synthetic skeleton (metres) as landmarks in image-height units, body centred."""
    xyz = skeleton.coords
    low, high = np.nanmin(xyz, axis=(0, 1)), np.nanmax(xyz, axis=(0, 1))
    pixels_per_metre = fill * min(size[0] / (high[0] - low[0]), size[1] / (high[1] - low[1]))
    pixels = (xyz - (low + high) / 2) * pixels_per_metre + [size[0] / 2, size[1] / 2, 0.0]
    return sitrex.Skeleton(pixels / size[1], fps=skeleton.fps, source=skeleton.source,
                           meta={"units": "image_height", "image_size": size, "dimensions": 3})


coach_3d = make_exercise(1, "squat", n_reps=3, view="side", random_state=1)[0][0]
athlete_3d = make_exercise(1, "squat", n_reps=3, view="side", faults=["torso_lean"],
                           fault_rate=1.0, severity=1.0, random_state=2)[0][0]
coach, athlete = to_image(coach_3d), to_image(athlete_3d)

# the athlete steps out of the picture for a third of a second: nobody in frames 70-79
xyz = athlete.coords.copy()
xyz[70:80] = np.nan
athlete = athlete.replace(coords=xyz)
print(coach)
print(athlete)

# %%
# The report
# ----------
# A small comparator, as in the example
# :ref:`sphx_glr_auto_examples_plot_compare_executions.py`, and the comparison,
# aligned in time. The frames without a person are flagged, not scored.
comparator = train_demo_comparator(random_state=0, n_clips=120, n_pairs=1200, epochs=8)
report = compare(coach, athlete, comparator, align=True)
print(report)
print("frames without a person:", report.no_person_ranges())
print("similarity there:", report.similarity[70:80][:, report.useful].ravel()[:5], "...")

# %%
# Render
# ------
# ``side_by_side=True`` puts the coach on the left, showing with each athlete
# frame the coach frame the alignment matched to it (``report.alignment``),
# with the coach's angles drawn in blue. The video is written with OpenCV
# to a temporary file first and renamed when complete. With real footage the
# report's source videos are used, or ``athlete_video=`` / ``coach_video=``;
# ``max_frames=`` renders only the beginning of a long clip.
folder = Path(tempfile.mkdtemp())
video = render_overlay(report, folder / "overlay.mp4", side_by_side=True, progress=False)
info = read_video_info(video)
print(f"{video.name}: {info.frame_count} frames of {info.width} x {info.height} at {info.fps:g} fps")

# %%
# A few frames of the result
# --------------------------
# Each frame's banner gives the time, the frame number and the mean
# similarity of the drawn angles; each arc carries the angle's value in
# degrees, coloured by that frame's similarity. Frame 20 is red: early in
# the clip the windows are short, and this small model scores every angle
# low there (see :doc:`/feedback`). Frame 50 is near the bottom of a squat.
# In frame 75 the athlete has left the picture: the frame is marked
# "no person" and nothing is drawn on it.
shown = [20, 50, 75, 110]
frames = {frame.index: frame.rgb for frame in VideoReader(video) if frame.index in shown}
fig, axes = plt.subplots(2, 2, figsize=(9, 6.4), layout="constrained")
for ax, index in zip(axes.ravel(), shown):
    ax.imshow(frames[index])
    ax.set_title(f"frame {index}: coach (left), athlete (right)", fontsize=9)
    ax.axis("off")
fig.suptitle("Overlay of a synthetic squat: arcs from red (differs) to green (matches)")

plt.show()
