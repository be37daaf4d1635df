"""Each angle's role in the coach's movement: the learned similarity's side input (private).

:func:`descriptors` reads it from a coach's profile
(:func:`~sitrex.estimators._repetition_features.coach_profile`): the angle's family, how much
it moves against the coach's other angles, and how much the coach's legs, arms and trunk move.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sitrex.exceptions import InputError

from ._repetition_features import CoachProfile

__all__ = ["FAMILIES", "N_DESCRIPTORS", "descriptors"]

FAMILIES = ("elbow", "shoulder", "wrist", "frontal shoulder abduction", "scapular upward rotation",
            "knee", "hip", "ankle dorsiflexion", "knee valgus indicator",
            "horizontal shoulder adduction", "shoulder extension", "torso flexion")
N_DESCRIPTORS = len(FAMILIES) + 9
_LEG = ("knee", "hip", "ankle dorsiflexion")
_ARM = ("elbow", "shoulder", "frontal shoulder abduction", "shoulder extension",
        "horizontal shoulder adduction")


def _family(name: str) -> str:
    return name.replace("left ", "").replace("right ", "")


def descriptors(profile: CoachProfile, angle_names: Any) -> np.ndarray:
    """Each angle's role in the coach's movement: the learned similarity's side input.

    Parameters
    ----------
    profile : CoachProfile
    angle_names : sequence of str
        The clip's column names (``sitrex.angles.angle_names()``); the family
        of ``"left knee"`` is ``"knee"``.

    Returns
    -------
    numpy.ndarray, shape (n_angles, 21)
        Columns: one-hot of the 12 angle families (:data:`FAMILIES`; all 0
        for a name of no family), ``ln(ROM + 5)``, ``ROM / max ROM``,
        ``ln(roughness + 0.1)`` (roughness 1 where not measured),
        ``median / 180``, ``ln(spread + 1)`` (0 without spread), a has-spread
        flag, and the largest ROM of the leg angles (knee, hip, ankle
        dorsiflexion), of the arm angles (elbow, shoulder, frontal shoulder
        abduction, shoulder extension, horizontal shoulder adduction) and of
        torso flexion, each over max ROM (``max ROM`` is at least 1 degree).

    Examples
    --------
    >>> import numpy as np
    >>> from sitrex.estimators._repetition_features import coach_profile
    >>> t = np.arange(150) / 30.0
    >>> knee = 170 - 80 * np.sin(np.pi * t / 5) ** 2
    >>> profile = coach_profile(np.column_stack([knee, 0 * t + 90]))
    >>> d = descriptors(profile, ["left knee", "torso flexion"])
    >>> d.shape, int(np.argmax(d[0, :12])), float(d[0, 13]), d[0, 18:].tolist()
    ((2, 21), 5, 1.0, [1.0, 0.0, 0.0])
    """
    names = [str(n) for n in angle_names]
    if len(names) != len(profile.rom):
        raise InputError(f"angle_names has {len(names)} names for {len(profile.rom)} angles")
    families = [_family(n) for n in names]
    onehot = np.array([[f == fam for fam in FAMILIES] for f in families], dtype=float)
    rom = profile.rom
    top = max(float(rom.max()), 1.0)

    def group_max(group):
        inside = np.isin(families, group)
        return rom[inside].max() / top if inside.any() else 0.0

    has_spread = np.isfinite(profile.spread)
    columns = np.column_stack([
        np.log(rom + 5), rom / top, np.log(np.nan_to_num(profile.roughness, nan=1.0) + 0.1),
        profile.median / 180, np.where(has_spread, np.log(np.where(has_spread, profile.spread, 0)
                                                          + 1), 0.0),
        has_spread.astype(float)])
    context = np.broadcast_to([group_max(_LEG), group_max(_ARM), group_max(("torso flexion",))],
                              (len(names), 3))
    return np.concatenate([onehot, columns, context], axis=1)
