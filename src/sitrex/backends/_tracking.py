"""Choosing one person and following that person across frames (private).

A backend reports *every* person it finds in a frame
(:class:`~sitrex.backends.Detections`); the skeleton holds *one*. The
``person`` rule chooses whom in the first frame that has somebody
(:meth:`PersonSelector.rank`); later frames keep that person by the tracker's
id or, without one, by box overlap (:meth:`PersonSelector.pick`).
:class:`PersonTrack` collects the chosen person's landmarks frame by frame,
with NaN frames where that person is absent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sitrex.exceptions import InputError
from sitrex.landmarks import N_LANDMARKS

if TYPE_CHECKING:  # pragma: no cover
    from sitrex.backends.base import Detections

__all__ = ["PersonSelector", "PersonTrack", "boxes_from_points", "check_person"]

PERSON_RULES = ("largest", "central")


def check_person(person: Any) -> str | int:
    """A valid ``person`` option: ``"largest"``, ``"central"`` or a rank >= 0.

    Examples
    --------
    >>> check_person("central"), check_person(2)
    ('central', 2)
    >>> check_person("tallest")
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: person must be 'largest', 'central' or a rank >= 0 (0 = largest person, 1 = the second largest, ...), got 'tallest'
    """
    if isinstance(person, str) and person in PERSON_RULES:
        return person
    if isinstance(person, (int, np.integer)) and not isinstance(person, bool) and person >= 0:
        return int(person)
    raise InputError(
        f"person must be 'largest', 'central' or a rank >= 0 (0 = largest person, 1 = the "
        f"second largest, ...), got {person!r}"
    )


def boxes_from_points(xy: np.ndarray) -> np.ndarray:
    """(N, K, 2) pixel points -> (N, 4) boxes around the present ones (NaN box if none).

    Examples
    --------
    >>> boxes_from_points(np.array([[[1.0, 2.0], [3.0, np.nan], [5.0, 0.0]]])).tolist()
    [[1.0, 0.0, 5.0, 2.0]]
    """
    xy = np.asarray(xy, dtype=np.float64)
    if xy.shape[0] == 0:
        return np.empty((0, 4))
    ok = ~np.isnan(xy).any(axis=-1, keepdims=True)
    lo = np.where(ok, xy, np.inf).min(axis=1)
    hi = np.where(ok, xy, -np.inf).max(axis=1)
    boxes = np.concatenate([lo, hi], axis=1)
    boxes[~np.isfinite(boxes).all(axis=1)] = np.nan
    return boxes


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Intersection over union of one box with each of `boxes` (0 where undefined)."""
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = inter / (area + areas - inter)
    return np.nan_to_num(iou, nan=0.0)


class PersonSelector:
    """Choose one person in the first frame that has one, then follow that person.

    Parameters
    ----------
    person : {"largest", "central"} or int
        How to choose when locking on: the largest box, the box whose centre
        is nearest the image centre, or the k-th largest (0 = largest).
    image_size : (width, height)
        For the "central" rule.
    iou_threshold : float, default 0.3
        In later frames the person is the detection with the same track id
        or, when there is no id match, the best overlap (IoU) with the
        person's last box, if at least this. Otherwise the frame has no
        person.

    Examples
    --------
    >>> from sitrex.backends import Detections
    >>> sel = PersonSelector("largest", (100, 100))
    >>> boxes = np.array([[0, 0, 10, 10], [50, 50, 90, 90.0]])
    >>> det = Detections(np.zeros((2, 33, 3)), np.ones((2, 33)), boxes, np.ones(2))
    >>> sel.pick(det)
    1
    >>> moved = Detections(det.coords, det.confidence, boxes[::-1] + 2, np.ones(2))
    >>> sel.pick(moved)                    # the same person, now listed first
    0
    """

    def __init__(self, person: str | int, image_size: tuple[int, int], iou_threshold: float = 0.3):
        self.person = check_person(person)
        self.image_size = image_size
        self.iou_threshold = float(iou_threshold)
        self.track_id: int | None = None
        self.last_box: np.ndarray | None = None

    def rank(self, det: Detections) -> int | None:
        """Index of the person the rule chooses among `det`, ignoring history."""
        boxes = det.boxes
        valid = np.flatnonzero(np.isfinite(boxes).all(axis=1))
        if valid.size == 0:
            return None
        b = boxes[valid]
        if self.person == "central":
            w, h = self.image_size
            centre = 0.5 * (b[:, :2] + b[:, 2:])
            dist = np.hypot(centre[:, 0] - w / 2.0, centre[:, 1] - h / 2.0)
            return int(valid[np.argmin(dist)])
        area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        order = valid[np.argsort(-area, kind="stable")]
        k = 0 if self.person == "largest" else self.person
        return int(order[k]) if k < order.size else None

    def pick(self, det: Detections) -> int | None:
        """Index of the followed person in `det`, or None when absent.

        Until somebody has been chosen this is :meth:`rank`.
        """
        if det.n == 0:
            return None
        if self.last_box is None:
            i = self.rank(det)
        else:
            i = None
            if det.ids is not None and self.track_id is not None:
                hit = np.flatnonzero(det.ids == self.track_id)
                if hit.size:
                    i = int(hit[0])
            if i is None:
                iou = _iou(self.last_box, det.boxes)
                best = int(np.argmax(iou))
                if iou[best] >= self.iou_threshold:
                    i = best
        if i is not None:
            self.last_box = det.boxes[i].copy()
            if det.ids is not None:
                self.track_id = int(det.ids[i])
        return i


class PersonTrack:
    """The chosen person's landmarks, one row per frame, NaN where that person is absent.

    Parameters
    ----------
    person : {"largest", "central"} or int
        The rule of :class:`PersonSelector`.

    Examples
    --------
    >>> from sitrex.backends import Detections
    >>> track = PersonTrack("largest")
    >>> one = Detections(np.ones((1, 33, 3)), np.ones((1, 33)), np.array([[0, 0, 5, 5.0]]),
    ...                  np.ones(1))
    >>> for det in (one, Detections.empty(), one):
    ...     track.add(det, image_size=(10, 10))
    >>> coords, confidence = track.arrays()
    >>> coords.shape, np.isnan(coords[:, 0, 0]).tolist(), track.people
    ((3, 33, 3), [False, True, False], [1, 0, 1])
    """

    def __init__(self, person: str | int) -> None:
        self.person = check_person(person)
        self.people: list[int] = []  # how many people each frame had in view
        self._selector: PersonSelector | None = None
        self._coords: list[np.ndarray] = []
        self._confidence: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self._coords)

    def add(self, det: Detections, image_size: tuple[int, int]) -> None:
        """Append the followed person of one frame (`image_size` is used by the first call)."""
        if self._selector is None:
            self._selector = PersonSelector(self.person, image_size)
        i = self._selector.pick(det)
        self.people.append(det.n)
        if i is None:
            self._coords.append(np.full((N_LANDMARKS, 3), np.nan))
            self._confidence.append(np.full(N_LANDMARKS, np.nan))
        else:
            self._coords.append(det.coords[i])
            self._confidence.append(det.confidence[i])

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Coordinates (T, 33, 3) and confidence (T, 33) of the frames added so far."""
        if not self._coords:
            return np.empty((0, N_LANDMARKS, 3)), np.empty((0, N_LANDMARKS))
        return np.stack(self._coords), np.stack(self._confidence)
