"""Synthetic movements that turn a segment about its own axis: shoulder external rotation, trunk rotation.

:func:`sitrex.datasets.make_exercise` builds exercises whose joints flex,
extend and raise. The two movements here turn a segment about its long axis
instead (:mod:`sitrex.axial_rotation`), which none of the paper's 23 angles
follows and none of the shared real data sets holds:

* ``"shoulder external rotation"``: the right upper arm by the side, the
  elbow bent at 90 degrees, the forearm sweeping 70 degrees outwards and back;
* ``"trunk rotation"``: arms held in front, elbows bent, the upper body
  turning 45 degrees over still hips and back.

They are built with the same body model as :func:`make_exercise` (random
proportions, repetitions of random tempo, a camera at a random yaw, landmark
jitter), in metres, at 30 fps.
"""

from __future__ import annotations

import numpy as np

from sitrex.exceptions import InputError

from . import _body

__all__ = ["ROTATION_EXERCISES", "make_rotation_exercise"]

#: The movements :func:`make_rotation_exercise` builds, with their full amplitude in degrees.
ROTATION_EXERCISES: dict[str, float] = {"shoulder external rotation": 70.0, "trunk rotation": 45.0}


def _still_pose(n: int) -> dict:
    """Degrees of freedom of a person standing, arms hanging, for `n` frames (sided ones (2, n))."""
    dof = {k: np.zeros(n) for k in ("body_pitch", "trunk_lean", "head_pitch")}
    for k, v in {"hip_flex": 3, "hip_abd": 6, "knee_flex": 4, "ankle_dorsi": 0, "shoulder_flex": 5,
                 "shoulder_abd": 10, "shoulder_rot": 0, "elbow_flex": 10, "wrist_flex": 5}.items():
        dof[k] = np.full((2, n), float(v))
    return dof


def _twist_upper_body(xyz: np.ndarray, degrees: np.ndarray) -> np.ndarray:
    """Turn the landmarks above the hips (face, shoulders, arms) about the body's vertical axis."""
    out = xyz.copy()
    hip = xyz[:, 23:25].mean(axis=1, keepdims=True)
    turn = _body.rotation(1, degrees)
    out[:, :23] = np.einsum("tij,tkj->tki", turn, xyz[:, :23] - hip) + hip
    return out


def make_rotation_exercise(movement: str, amplitude: float = 1.0, *, n_reps: int = 1,
                           noise: float = 0.006, random_state=None):
    """One synthetic clip of a rotation movement, as a :class:`~sitrex.Skeleton`.

    Parameters
    ----------
    movement : {"shoulder external rotation", "trunk rotation"}
    amplitude : float, default 1.0
        The share of the movement's full amplitude (:data:`ROTATION_EXERCISES`)
        reached: 0 holds still, 0.5 is a half range.
    n_reps : int, default 1
    noise : float, default 0.006
        Standard deviation of the landmark jitter, metres.
    random_state : int, numpy Generator or None
        Body, tempo, camera and jitter.

    Examples
    --------
    >>> from sitrex.axial_rotation import shoulder_rotation
    >>> clip = make_rotation_exercise("shoulder external rotation", noise=0.0, random_state=0)
    >>> turn = shoulder_rotation(clip.coords, "right")
    >>> clip.fps, bool(60 < turn.max() - turn.min() < 80)
    (30.0, True)
    """
    from sitrex.skeleton import Skeleton

    from .synthetic import check_random_state

    if movement not in ROTATION_EXERCISES:
        raise InputError(f"unknown rotation movement {movement!r}; choose from {tuple(ROTATION_EXERCISES)}")
    if not np.isfinite(amplitude) or amplitude < 0:
        raise InputError(f"amplitude must be a finite share of the movement, 0 or more; got {amplitude!r}")
    rng = check_random_state(random_state)
    body = _body.draw_body(rng)
    t, p, _, _ = _body.profile(rng, int(n_reps), rng.uniform(2.0, 3.0), 30.0)
    dof = _still_pose(len(t))
    dof["elbow_flex"][:] = 90.0
    turn = ROTATION_EXERCISES[movement] * amplitude * p
    if movement == "shoulder external rotation":
        dof["shoulder_rot"][1] = turn            # the right arm turns outwards
        xyz = _body.pose(body, dof)
    else:
        dof["shoulder_abd"][:] = 15.0
        dof["shoulder_flex"][:] = 30.0
        xyz = _twist_upper_body(_body.pose(body, dof), turn)
    xyz = _body.to_camera(xyz, rng.uniform(-40, 40), rng.uniform(-5, 5), 3.0, t, rng)
    return Skeleton(xyz + rng.normal(0.0, noise, xyz.shape), fps=30.0)
