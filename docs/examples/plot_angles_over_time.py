"""
Joint angles of an exercise over time
=====================================

The first thing sitrex does with any pose sequence is turn it into the 23 joint
angles of the SiTrEx paper. This example does that for a **synthetic** squat
made by :func:`sitrex.datasets.make_exercise` (a procedural body driven through
a squat: no person was recorded), plots the angles that move over the
repetitions, and shows what a "shallow depth" fault changes.

Everything here runs offline in a second or two; only numpy and matplotlib are
needed.
"""

# %%
# A synthetic squat
# -----------------
# ``make_exercise`` returns :class:`~sitrex.skeleton.Skeleton` objects in metres
# (camera coordinates: x right, y down, z away from the camera) and, with
# ``return_info=True``, the ground truth of each sequence: repetition
# boundaries, camera view, injected fault.
import matplotlib.pyplot as plt
import numpy as np

import sitrex
from sitrex.datasets import make_exercise

skeletons, labels, info = make_exercise(
    1, ["squat"], n_reps=3, tempo=2.0, view="side", random_state=4, return_info=True)
squat, truth = skeletons[0], info[0]
print(squat)
print(f"{truth['n_reps']} repetitions, camera yaw {truth['yaw']:.0f} degrees, fault: {truth['fault']}")

# %%
# The 23 angles
# -------------
# :meth:`Skeleton.angles <sitrex.skeleton.Skeleton.angles>` (or
# :func:`sitrex.compute_angles` on a raw ``(T, 33, 3)`` array) gives one column
# per angle, in the alphabetical order of :data:`sitrex.ANGLE_NAMES`, in degrees.
angles = squat.angles()  # (T, 23), unsigned, [0, 180]
print(angles.shape)
spread = np.ptp(angles, axis=0)
for name, degrees in sorted(zip(sitrex.ANGLE_NAMES, spread), key=lambda x: -x[1])[:8]:
    print(f"{name:<36} moves over {degrees:5.1f} degrees")

# %%
# Knees, hips and torso move most, as in any squat. The two "knee valgus
# indicators" top the list for another reason: the paper defines them from
# landmark *positions* projected on the coronal plane, measured from the
# coordinate origin (here the camera), so they swing widely whenever the body
# moves relative to that origin. sitrex computes them exactly as the paper
# does, because its models were trained on them, but they are not a knee angle
# (see :doc:`/differences`).
#
# Plot the squat's angles over time, with the repetitions of the ground truth.
shown = ["left knee", "right knee", "left hip", "torso flexion", "left ankle dorsiflexion"]
columns = [sitrex.ANGLE_NAMES.index(name) for name in shown]

fig, ax = plt.subplots(figsize=(8, 4))
for name, column in zip(shown, columns):
    ax.plot(squat.times, angles[:, column], label=name)
for start, end in truth["rep_boundaries"]:
    ax.axvspan(start / squat.fps, end / squat.fps, color="0.92", zorder=0)
ax.set_xlabel("time (s)")
ax.set_ylabel("angle (degrees)")
ax.set_title("A synthetic squat: shaded spans are the repetitions")
ax.legend(loc="lower left", fontsize=8, ncol=2)
fig.tight_layout()

# %%
# The same person with a fault
# ----------------------------
# With the same seed, ``make_exercise`` draws the same body, tempo and camera;
# ``faults=["shallow_depth"]`` with ``fault_rate=1`` makes every repetition
# shallower. The ground truth lists the angles the fault is expected to move.
faulty, _, faulty_info = make_exercise(
    1, ["squat"], n_reps=3, tempo=2.0, view="side", random_state=4, return_info=True,
    faults=["shallow_depth"], fault_rate=1.0, severity=1.0)
faulty = faulty[0]
print("affected angles:", ", ".join(faulty_info[0]["affected_angles"]))

knee = sitrex.ANGLE_NAMES.index("left knee")
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.plot(squat.times, squat.angles()[:, knee], label="clean")
ax.plot(faulty.times, faulty.angles()[:, knee], label="shallow depth", ls="--")
ax.set_xlabel("time (s)")
ax.set_ylabel("left knee (degrees)")
ax.set_title("Knee flexion: the faulty squat never bends as far")
ax.legend()
fig.tight_layout()

# %%
# Signed angles in a plane
# ------------------------
# The paper's models take unsigned 3-D angles. For a person, a signed angle in
# an anatomical plane of the torso is often easier to read: ``kind="sagittal"``
# (or ``"coronal"``, ``"transverse"``) measures the ten multi-plane angles in
# that plane, in [0, 360). ``kind="all"`` gives all three planes at once.
sagittal = squat.angles("sagittal")
print(sitrex.angle_names("all")[:4])
print(f"left knee, sagittal plane: {sagittal[:, knee].min():.0f} .. {sagittal[:, knee].max():.0f} degrees")

plt.show()
