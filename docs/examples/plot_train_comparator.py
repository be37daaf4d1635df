"""
Train and cross-validate a comparator
=====================================

:class:`~sitrex.estimators.ExerciseComparator` is the SiTrEx model behind a
scikit-learn estimator: given a *reference* execution and a *candidate*
execution, it says for every joint angle whether the candidate moves like the
reference (similarity), and which angles matter for the reference's exercise
(usefulness).

This example trains one on **synthetic** exercises from
:func:`sitrex.datasets.make_exercise` (procedural bodies, not recordings of
people), scores it with ``cross_val_score``, and compares a few executions. It
is sized to run in seconds on a laptop CPU; real training uses far more pairs
and epochs (see :doc:`/paper`).
"""

# %%
# Angle sequences of four exercises
# ---------------------------------
# Every execution becomes a ``(T, 23)`` array of joint angles. The models also
# need to know which angles matter for each exercise; here we state them by
# name, as the paper's ``exercise_angles.json`` does, and turn the names into
# column numbers.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import KFold, cross_val_score

import sitrex
from sitrex.datasets import make_exercise

exercises = ["squat", "arm curl", "lateral raise", "push-up"]
skeletons, labels = make_exercise(48, exercises, random_state=0)
sequences = [s.angles() for s in skeletons]

useful_names = {
    "squat": ["left knee", "right knee", "left hip", "right hip", "torso flexion"],
    "arm curl": ["left elbow", "right elbow"],
    "lateral raise": ["left shoulder", "right shoulder",
                      "left frontal shoulder abduction", "right frontal shoulder abduction"],
    "push-up": ["left elbow", "right elbow", "left shoulder", "right shoulder"],
}
useful = {ex: [sitrex.ANGLE_NAMES.index(n) for n in names] for ex, names in useful_names.items()}
print(f"{len(sequences)} sequences, {sum(len(s) for s in sequences)} frames")

# %%
# Pairs, by the paper's protocol
# ------------------------------
# :func:`sitrex.make_pairs` draws (reference, candidate) pairs: for every angle
# that matters for the reference's exercise, the candidate's channel comes from
# another execution of the same exercise (target 1); for every other angle it
# comes from a different exercise (target 0). Crops are random, training pairs
# get a little Gaussian noise. ``X`` is ``(n_pairs, 2, max_len, 23)``.
X, y = sitrex.make_pairs(sequences, labels, useful, n_pairs=384, max_len=48, random_state=0)
print(X.shape, y.shape, f"{y.mean():.0%} of the targets are 1")

# %%
# Fit and score
# -------------
# A small comparator (sitrex's default architecture, shortened sequences) for a
# few epochs. :meth:`~sitrex.estimators.ExerciseComparator.score` is the mean
# per-angle accuracy, the paper's "binary accuracy" (not scikit-learn's subset
# accuracy, which would need every angle of a pair right).
comparator = sitrex.ExerciseComparator(max_len=48, epochs=6, batch_size=32, random_state=0)
# sphinx_gallery_thumbnail_number = 2
comparator.fit(X[:256], y[:256])
print(f"held-out per-angle accuracy: {comparator.score(X[256:], y[256:]):.3f}")

fig, ax = plt.subplots(figsize=(6, 3.2))
for network, history in comparator.history_.items():
    ax.plot(np.arange(1, len(history["loss"]) + 1), history["loss"], marker="o", label=network)
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.set_title("The two networks learn together in fit()")
ax.legend()
fig.tight_layout()

# %%
# Cross-validation
# ----------------
# The estimator follows scikit-learn's conventions, so ``cross_val_score``,
# ``GridSearchCV`` and ``clone`` work as usual: each fold trains a fresh clone
# with the same parameters. Note that splitting *pairs*
# (as here) lets one execution appear in both training and test pairs; the
# paper's evaluations split *executions* first, which
# :mod:`sitrex.model_selection` does (see :doc:`/sklearn`).
scores = cross_val_score(comparator, X, y, cv=KFold(3, shuffle=True, random_state=0))
print("per-angle accuracy per fold:", np.round(scores, 3))

# %%
# Comparing executions
# --------------------
# :meth:`~sitrex.estimators.ExerciseComparator.compare` takes one reference and
# one candidate of any lengths and returns named per-angle probabilities. A
# squat compared with another squat should look similar on the squat's angles;
# compared with an arm curl, it should not.
labels = np.asarray(labels)
squats = np.flatnonzero(labels == "squat")
curl = np.flatnonzero(labels == "arm curl")[0]
same = comparator.compare(sequences[squats[0]], sequences[squats[1]])
other = comparator.compare(sequences[squats[0]], sequences[curl])

shown = useful_names["squat"] + ["left elbow", "right elbow"]
positions = np.arange(len(shown))
fig, ax = plt.subplots(figsize=(7, 3.4))
ax.bar(positions - 0.2, [same["similarity"][n] for n in shown], width=0.4,
       label="squat vs another squat")
ax.bar(positions + 0.2, [other["similarity"][n] for n in shown], width=0.4,
       label="squat vs an arm curl")
ax.set_xticks(positions, shown, rotation=30, ha="right", fontsize=8)
ax.set_ylabel("similarity")
ax.set_ylim(0, 1)
ax.axhline(0.5, color="0.6", lw=0.8)
ax.legend(fontsize=8)
ax.set_title("Per-angle similarity to a reference squat")
fig.tight_layout()

print("usefulness for the squat reference (top 5):")
for name, p in sorted(same["usefulness"].items(), key=lambda kv: -kv[1])[:5]:
    print(f"  {name:<36} {p:.2f}")

plt.show()
