"""
Compare two executions
======================

The main job of sitrex: say, joint by joint, where an athlete's execution of
an exercise differs from a coach's. This example makes a coach's squat and an
athlete's squat with a known fault, trains a small comparator, compares the
two with :func:`sitrex.feedback.compare`, and reads the report: messages,
heat map, angle curves and repetitions.

**Everything here is synthetic**: the executions come from the procedural
generator :func:`sitrex.datasets.make_exercise` (animated skeletons, not
recordings of people), and the comparator is trained on other synthetic
executions, in seconds, with the helpers behind ``sitrex demo``
(:mod:`sitrex.demo`). It shows how the pieces fit and how to read the output;
it says nothing about real athletes.
"""

# %%
# A coach and a faulty athlete
# ----------------------------
# Two squats of four repetitions by two different synthetic people. The
# athlete's has the ``torso_lean`` fault at full severity: the torso leans
# too far forward at the bottom of every repetition. The generator's ground
# truth says which angles the fault moves.
import csv
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

from sitrex.datasets import make_exercise
from sitrex.demo import train_demo_comparator
from sitrex.feedback import FeedbackReport, compare
from sitrex.plots import plot_angle_curves, plot_repetitions, plot_similarity_heatmap

coach = make_exercise(1, "squat", n_reps=4, random_state=1)[0][0]
athletes, _, info = make_exercise(1, "squat", n_reps=4, faults=["torso_lean"], fault_rate=1.0,
                                  severity=1.0, random_state=2, return_info=True)
athlete, truth = athletes[0], info[0]
print("coach:  ", coach)
print("athlete:", athlete)
print("injected fault:", truth["fault"], "-> moves", ", ".join(truth["affected_angles"]))

# %%
# A small comparator
# ------------------
# :func:`~sitrex.demo.train_demo_comparator` trains a small
# :class:`~sitrex.estimators.ExerciseComparator` on synthetic executions of
# five exercises, half of them with a fault (:func:`~sitrex.demo.make_demo_pairs`
# teaches it that a faulty angle does not match). ``sitrex demo`` trains a
# larger one (200 executions, 2,500 pairs, 16 epochs); this one is smaller so
# that the page builds quickly. Real feedback would use the paper's published
# weights (:doc:`/pretrained`) or a model trained on real recordings.
comparator = train_demo_comparator(random_state=0, n_clips=120, n_pairs=1200, epochs=8)
print(comparator.max_len, "frames per window;", len(comparator.angle_names_), "angles")

# %%
# Compare
# -------
# :func:`~sitrex.feedback.compare` accepts skeletons, landmark files, videos or
# angle arrays. It predicts once, on the coach's execution, which angles
# matter for the exercise; then it scores every frame of the athlete, angle by
# angle, on the window of frames ending at that frame. With ``align=True``
# each window is compared with the part of the coach's movement that dynamic
# time warping matched to it, so a different tempo does not count as a
# difference. It also splits the athlete's clip into repetitions and compares
# each with the coach's typical one.
report = compare(coach, athlete, comparator, align=True)
print(report)
print()
print("\n".join(report.messages))

# %%
# The first message gives the overall score: the mean similarity over the
# angles that matter and the frames that were scored. One line per angle then
# lists the frame ranges where its similarity falls below the threshold,
# worst angle first. The last lines come from the repetitions: per
# repetition, the angles whose similarity is below the threshold there, worst
# first, each with its range of motion or extreme position against the
# coach's in degrees (:func:`sitrex.repetitions.judge_repetitions`).
#
# The worst angles are those the fault moves:
print("worst angles:", report.worst_angles(3))
for s in report.summary():
    print(f"{s.name:<14} usefulness {s.usefulness:.2f}  mean similarity "
          f"{s.mean_similarity:.2f}  below threshold in {s.below_fraction:.0%} of the frames")

# %%
# The heat map
# ------------
# One row per angle that matters, one column per frame of the athlete: red
# where the athlete differs from the coach, green where they match. The first
# frames are blank: the window ending at frame ``t`` holds frames ``0 .. t``
# only, and until it has half a window of history (``min_window``) it is not
# scored, because this small model, trained on 32 to 64 frames, reads a few
# frames of anyone's movement as "differs".
# sphinx_gallery_thumbnail_number = 1
ax = plot_similarity_heatmap(report)

# %%
# Coach and athlete, angle by angle
# ---------------------------------
# The curves of two angles the fault moves. Because the report is aligned,
# the coach (dashed) is drawn at the athlete's time, frame for frame; the
# thin vertical lines are the athlete's repetition boundaries.
ax = plot_angle_curves(report, ["torso flexion", "left hip"])

# %%
# Per repetition
# --------------
# Each repetition's range of motion next to the coach's (dashed lines): the
# athlete's torso and hips travel much further than the coach's.
ax = plot_repetitions(report, metric="range")

# %%
# Against a correct execution
# ---------------------------
# The same coach against a third person squatting correctly. The overall
# score of this small network does not tell the two athletes apart, and the
# repetition lines, which say what the network says, name angles for both:
# a model trained for a few seconds on a few hundred synthetic pairs is
# rough, and its verdicts should be read as a demonstration of the report,
# not as a verdict on anyone. The degrees in the lines show it: the correct
# athlete's "differently" moving torso covers the coach's range.
correct = make_exercise(1, "squat", n_reps=4, random_state=3)[0][0]
other = compare(coach, correct, comparator, align=True)
print(f"overall score: faulty athlete {report.score:.2f}, correct athlete {other.score:.2f}")
print("faulty: ", report.repetition_feedback[0].message)
print("correct:", other.repetition_feedback[0].message)

# %%
# The range checks alone, without the network
# (:func:`sitrex.repetitions.compare_repetitions`: fixed ratios of the
# coach's range of motion and extremes in degrees), tell these two apart more
# clearly here: tens of degrees for the faulty athlete's ankles and torso, a
# few degrees of ankle for the correct one. On real people they flag correct executions too often to be the
# verdict (correct people's ranges differ from a coach's by more than such
# fixed ratios allow), which is why a report names what its comparator says.
from sitrex.repetitions import compare_repetitions

for name, r in [("faulty", report), ("correct", other)]:
    checks = compare_repetitions(r.coach_angles, r.athlete_angles, angle_names=r.angle_names,
                                 columns=r.focus, fps=r.fps)
    print(f"{name + ':':9s}", checks[0].message)

# %%
# Export
# ------
# A report saves to JSON (everything but the skeletons, NaN as ``null``; it
# loads back with :meth:`~sitrex.feedback.FeedbackReport.from_json`) and to a
# CSV table with one row per frame and one similarity column per angle.
# :meth:`~sitrex.feedback.FeedbackReport.to_dict` gives the same content as
# plain Python for programs.
folder = Path(tempfile.mkdtemp())
report.to_json(folder / "report.json")
report.to_csv(folder / "report.csv")
again = FeedbackReport.from_json(folder / "report.json")
print(f"reloaded: score {again.score:.3f}, {again.n_frames} frames")
with open(folder / "report.csv", newline="") as f:
    rows = list(csv.DictReader(f))
columns = ["frame", "time", "present", "left hip", "right hip", "torso flexion"]
print(",".join(columns), "(6 of the", len(rows[0]), "columns)")
for row in rows[40:43]:
    print(",".join(row[c] for c in columns))

plt.show()
