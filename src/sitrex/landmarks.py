"""The MediaPipe 33-landmark topology shared by every sitrex skeleton.

Every pose source (MediaPipe, YOLO-pose, Penn Action labels, plugins) is mapped
into this one layout, so the rest of the library only ever sees one set of
indices. Landmark *names* follow MediaPipe's pose landmarker model card; the
"left" and "right" landmarks are the person's own left and right.
"""

from __future__ import annotations

__all__ = ["LANDMARK_NAMES", "N_LANDMARKS", "landmark_index", "mirror_permutation"]

LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)

N_LANDMARKS: int = len(LANDMARK_NAMES)

_INDEX = {name: i for i, name in enumerate(LANDMARK_NAMES)}


def landmark_index(name: str) -> int:
    """Return the index of a landmark in the 33-landmark layout.

    Parameters
    ----------
    name : str
        A MediaPipe landmark name such as ``"left_knee"``. Spaces and hyphens
        are accepted in place of underscores, and case is ignored.

    Returns
    -------
    int
        The landmark's position along the landmark axis.

    Raises
    ------
    KeyError
        If the name is not a MediaPipe landmark; the message lists close names.

    Examples
    --------
    >>> landmark_index("left_knee")
    25
    >>> landmark_index("Right Shoulder")
    12
    """
    key = str(name).strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return _INDEX[key]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(key, LANDMARK_NAMES, n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(
            f"{name!r} is not a landmark of the MediaPipe 33-landmark layout.{hint} "
            "See sitrex.landmarks.LANDMARK_NAMES for the full list."
        ) from None


def mirror_permutation() -> tuple[int, ...]:
    """Index permutation that swaps every left landmark with its right twin.

    Examples
    --------
    >>> perm = mirror_permutation()
    >>> LANDMARK_NAMES[perm[landmark_index("left_knee")]]
    'right_knee'
    """
    perm = []
    for name in LANDMARK_NAMES:
        if name.startswith("left_"):
            twin = "right_" + name[5:]
        elif name.startswith("right_"):
            twin = "left_" + name[6:]
        elif name == "mouth_left":
            twin = "mouth_right"
        elif name == "mouth_right":
            twin = "mouth_left"
        else:
            twin = name
        perm.append(_INDEX[twin])
    return tuple(perm)
