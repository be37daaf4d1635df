"""The overlay's pixels: OpenCV drawing of arcs, stick figures and banners on RGB frames (private).

:mod:`sitrex.overlay` decides what to draw (which angles, which colours, which
frames); this module only knows how it looks. Where an angle's arc goes comes
from :func:`sitrex.angle_table.angle_arms`, already in pixels.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sitrex.landmarks import landmark_index

__all__ = ["Painter", "fit_inside", "letterbox"]

BONE_RGB = (235, 235, 235)
NO_PERSON_RGB = (200, 30, 30)

# Stick figure drawn under the arcs (connectivity only; the angles come from the angle table).
_BONES = np.array([(landmark_index(a), landmark_index(b)) for a, b in (
    ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
    ("left_ankle", "left_heel"), ("left_heel", "left_foot_index"),
    ("left_ankle", "left_foot_index"),
    ("right_ankle", "right_heel"), ("right_heel", "right_foot_index"),
    ("right_ankle", "right_foot_index"),
)], dtype=np.intp)


def _pt(xy) -> tuple[int, int]:
    return int(round(float(xy[0]))), int(round(float(xy[1])))


class Painter:
    """Draws arcs, bones, labels and banners on RGB frames of one size.

    Sizes (arc radius, line and text thickness, font scale) follow the
    frame's shorter side, so a video looks the same at any resolution.
    """

    def __init__(self, cv2: Any, width: int, height: int) -> None:
        self.cv2 = cv2
        unit = min(width, height)
        self.radius = max(8, int(round(0.035 * unit)))
        self.thick = max(1, int(round(unit / 300)))
        self.font = cv2.FONT_HERSHEY_SIMPLEX
        self.font_scale = max(0.35, unit / 1100)
        self.text_thick = max(1, int(round(unit / 450)))

    def text(self, img: np.ndarray, s: str, org, colour, scale: float | None = None) -> None:
        """Text with a black outline, readable on any background."""
        cv2, sc = self.cv2, scale or self.font_scale
        org = (int(org[0]), int(org[1]))
        cv2.putText(img, s, org, self.font, sc, (0, 0, 0), self.text_thick + 2, cv2.LINE_AA)
        cv2.putText(img, s, org, self.font, sc, tuple(int(v) for v in colour), self.text_thick,
                    cv2.LINE_AA)

    def bones(self, img: np.ndarray, points: np.ndarray) -> None:
        """The stick figure of one frame's (33, 2+) pixel landmarks (missing ones skipped)."""
        cv2 = self.cv2
        ends = points[_BONES, :2]  # (bones, 2 ends, xy)
        for p, q in ends[np.isfinite(ends).all(axis=(1, 2))]:
            cv2.line(img, _pt(p), _pt(q), BONE_RGB, self.thick, cv2.LINE_AA)

    def arcs(self, img: np.ndarray, vertex: np.ndarray, first: np.ndarray, second: np.ndarray,
             colours: np.ndarray, values: np.ndarray) -> None:
        """One frame's angle arcs, each filled between its two arms and labelled with its value.

        Parameters
        ----------
        img : ndarray (H, W, 3) uint8
            Drawn on in place.
        vertex, first, second : ndarray (k, 2+)
            Pixel position of each arc's centre and the directions of its
            arms (:func:`sitrex.angle_table.angle_arms`); a NaN vertex is
            not drawn.
        colours : ndarray (k, 3)
            RGB of each arc.
        values : ndarray (k,)
            Degrees written beside each arc; NaN (not measured) is not drawn.
        """
        cv2 = self.cv2
        layer = img.copy()
        seen: dict[tuple[int, int], int] = {}
        outlines = []
        for centre, a, c, colour, value in zip(vertex[:, :2], first[:, :2], second[:, :2],
                                               colours, values):
            if not (np.isfinite(centre).all() and np.isfinite(value)):
                continue
            centre = _pt(centre)
            k = seen.get(centre, 0)  # several angles at one joint: nested arcs
            seen[centre] = k + 1
            r = int(round(self.radius * (1.0 + 0.7 * k)))
            colour = tuple(int(v) for v in colour)
            theta_a = math.degrees(math.atan2(a[1], a[0]))
            if not (np.isfinite(c).all() and np.hypot(*c) > 1e-6):
                # the second arm points out of the image (e.g. the torso's forward axis in 2-D)
                cv2.circle(img, centre, r, colour, self.thick + 1, cv2.LINE_AA)
                outlines.append((centre, r, theta_a, value, colour))
                continue
            theta_c = math.degrees(math.atan2(c[1], c[0]))
            sweep = (theta_c - theta_a) % 360.0
            start, sweep = (theta_a, sweep) if sweep <= 180.0 else (theta_c, 360.0 - sweep)
            cv2.ellipse(layer, centre, (r, r), 0.0, start, start + sweep, colour, -1, cv2.LINE_AA)
            cv2.ellipse(img, centre, (r, r), 0.0, start, start + sweep, colour, self.thick + 1,
                        cv2.LINE_AA)
            outlines.append((centre, r, start + sweep / 2.0, value, colour))
        cv2.addWeighted(layer, 0.45, img, 0.55, 0.0, dst=img)
        for centre, r, middle, value, colour in outlines:
            cv2.circle(img, centre, max(2, self.thick + 1), colour, -1, cv2.LINE_AA)
            rad = math.radians(middle)
            label = f"{value:.0f}"
            (tw, th), _ = cv2.getTextSize(label, self.font, self.font_scale, self.text_thick)
            x = centre[0] + (r + 4 + tw / 2) * math.cos(rad) - tw / 2
            y = centre[1] + (r + 4 + th / 2) * math.sin(rad) + th / 2
            self.text(img, label, (x, y), colour)

    def no_person(self, img: np.ndarray) -> None:
        """A red border: this frame has no person (nothing is scored)."""
        h, w = img.shape[:2]
        border = max(2, int(round(0.012 * min(w, h))))
        self.cv2.rectangle(img, (0, 0), (w - 1, h - 1), NO_PERSON_RGB, 2 * border)

    def banner(self, img: np.ndarray, lines: list[str], colour=(255, 255, 255),
               fill=None) -> None:
        """Lines of text at the top of the frame, on a translucent band of `fill`."""
        cv2 = self.cv2
        (_, th), _ = cv2.getTextSize("Ag", self.font, self.font_scale, self.text_thick)
        pad = max(4, th // 2)
        if fill is not None:
            height = pad + len(lines) * (th + pad) + pad
            band = img[:height].copy()
            cv2.rectangle(band, (0, 0), (img.shape[1], height), fill, -1)
            cv2.addWeighted(band, 0.6, img[:height], 0.4, 0.0, dst=img[:height])
        for k, line in enumerate(lines):
            self.text(img, line, (pad, pad + (k + 1) * (th + pad) - pad // 2), colour)


def fit_inside(source: tuple[int, int], target: tuple[int, int]
               ) -> tuple[float, tuple[int, int], tuple[int, int]]:
    """How a `source` (w, h) frame fits centred inside `target` (w, h), aspect ratio kept.

    Returns the scale, the scaled size (w, h) and the offset (dx, dy) of its
    top-left corner.

    Examples
    --------
    >>> fit_inside((300, 100), (360, 640))
    (1.2, (360, 120), (0, 260))
    """
    (src_w, src_h), (w, h) = source, target
    scale = min(w / src_w, h / src_h)
    new_w, new_h = max(1, int(round(src_w * scale))), max(1, int(round(src_h * scale)))
    return scale, (new_w, new_h), ((w - new_w) // 2, (h - new_h) // 2)


def letterbox(cv2: Any, rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``rgb`` scaled inside `size` (w, h) as :func:`fit_inside` says, with black bars."""
    src_h, src_w = rgb.shape[:2]
    if (src_w, src_h) == tuple(size):
        return rgb
    _, (new_w, new_h), (dx, dy) = fit_inside((src_w, src_h), size)
    canvas = np.zeros((size[1], size[0], 3), np.uint8)
    canvas[dy:dy + new_h, dx:dx + new_w] = cv2.resize(rgb, (new_w, new_h),
                                                      interpolation=cv2.INTER_AREA)
    return canvas
