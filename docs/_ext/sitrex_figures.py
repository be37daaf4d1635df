"""Figures drawn by the docs build (matplotlib), from sitrex's own tables.

:func:`draw_angle_skeleton` draws a 3-D pose in three views and marks each of
the 23 angles of :data:`sitrex.angle_table.ANGLE_DEFINITIONS` with an arc and
its column number, in the view of the plane it is measured in.
"""

from __future__ import annotations

import numpy as np

from sitrex.angle_table import ANGLE_DEFINITIONS, TORSO_AXES
from sitrex.landmarks import LANDMARK_NAMES, landmark_index

# Bones drawn between landmarks (MediaPipe topology, the body only).
BONES = [
    ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
    *[(f"{s}_{a}", f"{s}_{b}") for s in ("left", "right") for a, b in (
        ("shoulder", "elbow"), ("elbow", "wrist"), ("wrist", "pinky"), ("wrist", "index"),
        ("pinky", "index"), ("wrist", "thumb"), ("hip", "knee"), ("knee", "ankle"),
        ("ankle", "heel"), ("heel", "foot_index"), ("ankle", "foot_index"))],
    ("left_eye", "right_eye"), ("left_ear", "left_eye"), ("right_ear", "right_eye"),
    ("mouth_left", "mouth_right"),
]
COLOURS = {"left": "#1f77b4", "right": "#d62728", "torso": "#2ca02c"}
# the three views: (title, horizontal axis, vertical axis, normal) in the body frame
# (X: the person's left, Y: up, Z: the person's front)
VIEWS = {
    "coronal": ("front view (coronal plane)", np.array([1.0, 0, 0]), np.array([0, 1.0, 0]),
                np.array([0, 0, 1.0])),
    "sagittal": ("side view (sagittal plane)", np.array([0, 0, 1.0]), np.array([0, 1.0, 0]),
                 np.array([1.0, 0, 0])),
    "transverse": ("top view (transverse plane)", np.array([-1.0, 0, 0]), np.array([0, 0, 1.0]),
                   np.array([0, 1.0, 0])),
}


def demo_pose() -> np.ndarray:
    """A hand-made 3-D pose (33, 3), metres, body frame: X the person's left, Y up, Z front.

    A split stance with bent knees, the arms raised in different directions,
    so that every angle has a visible, non-degenerate opening.
    """
    p = {}

    def put(name, xyz):
        p[name] = np.asarray(xyz, dtype=float)

    put("left_hip", [0.10, 0.0, 0.02])
    put("right_hip", [-0.10, 0.0, -0.02])
    put("left_shoulder", [0.19, 0.52, 0.08])
    put("right_shoulder", [-0.19, 0.52, 0.04])
    # legs: left foot forward, right foot back; knees bent
    put("left_knee", [0.16, -0.36, 0.26])
    put("left_ankle", [0.19, -0.78, 0.20])
    put("left_heel", [0.19, -0.83, 0.14])
    put("left_foot_index", [0.22, -0.86, 0.36])
    put("right_knee", [-0.12, -0.40, -0.22])
    put("right_ankle", [-0.20, -0.76, -0.40])
    put("right_heel", [-0.21, -0.78, -0.47])
    put("right_foot_index", [-0.22, -0.86, -0.28])
    # arms: left upper arm out to the side and a little forward, forearm up;
    # right upper arm forward and down, forearm forward
    put("left_elbow", [0.45, 0.47, 0.20])
    put("left_wrist", [0.52, 0.72, 0.26])
    put("left_pinky", [0.57, 0.79, 0.24])
    put("left_index", [0.53, 0.81, 0.31])
    put("left_thumb", [0.49, 0.78, 0.30])
    put("right_elbow", [-0.27, 0.30, 0.24])
    put("right_wrist", [-0.30, 0.38, 0.50])
    put("right_pinky", [-0.33, 0.34, 0.58])
    put("right_index", [-0.29, 0.37, 0.60])
    put("right_thumb", [-0.26, 0.40, 0.56])
    # head
    put("nose", [0.0, 0.72, 0.20])
    for side, s in (("left", 1), ("right", -1)):
        put(f"{side}_eye_inner", [0.02 * s, 0.75, 0.18])
        put(f"{side}_eye", [0.035 * s, 0.755, 0.17])
        put(f"{side}_eye_outer", [0.05 * s, 0.755, 0.16])
        put(f"{side}_ear", [0.08 * s, 0.73, 0.09])
    put("mouth_left", [0.025, 0.685, 0.18])
    put("mouth_right", [-0.025, 0.685, 0.18])
    return np.stack([p[name] for name in LANDMARK_NAMES])


def _torso_axes(xyz: np.ndarray) -> dict[str, np.ndarray]:
    """sitrex's torso frame (same formulas as sitrex._geometry.torso_frame)."""
    ls, rs, lh, rh = (xyz[landmark_index(n)] for n in
                      ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))
    horizontal = (rs - ls) / np.linalg.norm(rs - ls)
    up = (ls + rs) / 2 - (lh + rh) / 2
    forward = np.cross(horizontal, up)
    forward /= np.linalg.norm(forward)
    upward = np.cross(forward, horizontal)
    return dict(zip(TORSO_AXES, (horizontal, upward / np.linalg.norm(upward), forward)))


def _point(xyz: np.ndarray, names) -> np.ndarray:
    return np.mean([xyz[landmark_index(n)] for n in names], axis=0)


def _angle_geometry(d, xyz, axes):
    """(vertex, direction a, direction b, reference drawn dashed?) of one angle, 3-D."""
    pts = [_point(xyz, names) for names in d.points]
    if d.measure == "segment":
        return pts[0], pts[1] - pts[0], axes[d.reference], True
    return pts[1], pts[0] - pts[1], pts[2] - pts[1], False


def _best_view(d, a, b) -> str:
    if d.plane is not None:
        return d.plane
    # a multi-plane angle: the view whose plane holds both segments best
    scores = {}
    for plane, (_, _, _, normal) in VIEWS.items():
        scores[plane] = sum(abs(np.dot(v / np.linalg.norm(v), normal)) for v in (a, b))
    return min(scores, key=scores.get)


def _side(name: str) -> str:
    return name.split()[0] if name.split()[0] in ("left", "right") else "torso"


def draw_angle_skeleton(fig=None):
    """Draw the three views with the 23 angles; returns the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Arc

    xyz = demo_pose()
    axes3 = _torso_axes(xyz)
    if fig is None:
        fig = plt.figure(figsize=(12, 5.6))
    panels = {}
    for k, plane in enumerate(("coronal", "sagittal", "transverse")):
        panels[plane] = fig.add_subplot(1, 3, k + 1)

    def to2d(plane, v):
        _, h, w, _ = VIEWS[plane]
        return np.array([np.dot(v, h), np.dot(v, w)])

    for plane, ax in panels.items():
        title = VIEWS[plane][0]
        for a_name, b_name in BONES:
            p, q = to2d(plane, xyz[landmark_index(a_name)]), to2d(plane, xyz[landmark_index(b_name)])
            ax.plot([p[0], q[0]], [p[1], q[1]], color="0.55", lw=2.2, solid_capstyle="round", zorder=1)
        pts = np.array([to2d(plane, v) for v in xyz])
        ax.scatter(pts[:, 0], pts[:, 1], s=9, color="0.3", zorder=2)
        ax.set_title(title, fontsize=11)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)

    placed: dict[str, list[np.ndarray]] = {p: [] for p in panels}
    vertices: dict[str, list[np.ndarray]] = {p: [] for p in panels}
    for column, d in enumerate(ANGLE_DEFINITIONS):
        vertex, a, b, dashed = _angle_geometry(d, xyz, axes3)
        plane = _best_view(d, a, b)
        ax = panels[plane]
        colour = COLOURS[_side(d.name)]
        v2, a2, b2 = to2d(plane, vertex), to2d(plane, a), to2d(plane, b)
        a2, b2 = a2 / np.linalg.norm(a2), b2 / np.linalg.norm(b2)
        if dashed:  # the torso axis the segment is measured from
            end = v2 + 0.22 * b2
            ax.plot([v2[0], end[0]], [v2[1], end[1]], ls=(0, (3, 2)), color=colour, lw=1.2, zorder=3)
        # arcs sharing a vertex in one view get growing radii
        radius = 0.075 + 0.04 * sum(np.linalg.norm(v2 - w) < 0.03 for w in vertices[plane])
        vertices[plane].append(v2)
        t1, t2 = np.degrees(np.arctan2(a2[1], a2[0])), np.degrees(np.arctan2(b2[1], b2[0]))
        start, sweep = t1, (t2 - t1) % 360
        if sweep > 180:  # always the smaller opening
            start, sweep = t2, 360 - sweep
        ax.add_patch(Arc(v2, 2 * radius, 2 * radius, theta1=start, theta2=start + sweep,
                         color=colour, lw=1.8, zorder=4))
        mid = np.radians(start + sweep / 2)
        label = v2 + (radius + 0.055) * np.array([np.cos(mid), np.sin(mid)])
        for other in placed[plane]:  # nudge labels apart
            if np.linalg.norm(label - other) < 0.06:
                label = label + np.array([0.0, -0.065])
        placed[plane].append(label)
        ax.text(*label, str(column), color=colour, fontsize=9, fontweight="bold", ha="center",
                va="center", zorder=5,
                bbox=dict(boxstyle="round,pad=0.12", fc="white", ec="none", alpha=0.85))

    for ax in panels.values():
        ax.autoscale_view()
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        ax.set_xlim(x0 - 0.08, x1 + 0.08)
        ax.set_ylim(y0 - 0.05, y1 + 0.05)
    handles = [Line2D([], [], color=c, lw=2, label=f"{k} side" if k != "torso" else "torso")
               for k, c in COLOURS.items()]
    handles.append(Line2D([], [], color="0.3", ls=(0, (3, 2)), label="torso axis (segment angles)"))
    fig.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=9)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.93, bottom=0.08, wspace=0.05)
    return fig


def draw_pipeline(fig=None):
    """The sitrex pipeline as boxes and arrows; returns the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    if fig is None:
        fig = plt.figure(figsize=(12, 3.3))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 12)
    ax.set_ylim(0, 3.3)
    ax.axis("off")

    def box(x, y, w, h, title, body, colour):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.04,rounding_size=0.12",
                                    fc=colour, ec="0.35", lw=1.2))
        ax.text(x + w / 2, y + h - 0.22, title, ha="center", va="top", fontsize=10.5,
                fontweight="bold")
        ax.text(x + w / 2, y + h - 0.55, body, ha="center", va="top", fontsize=8.5, linespacing=1.35)

    def arrow(x0, y0, x1, y1):
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=14,
                                     color="0.3", lw=1.3))

    mid = 1.65
    box(0.1, 1.0, 1.45, 1.3, "video", "or images,\nor a landmark\nfile", "#f2f2f2")
    box(1.95, 1.0, 1.75, 1.3, "pose backend", "MediaPipe,\nYOLO-pose,\nor a plugin", "#e8f0fa")
    box(4.1, 1.0, 1.85, 1.3, "Skeleton", "(T, 33, 3), MediaPipe\nlandmarks; NaN where\nmissing", "#e8f0fa")
    box(6.35, 1.0, 1.6, 1.3, "joint angles", "(T, 23), degrees;\nthe paper's 23\nangles", "#e8f0fa")
    box(8.35, 1.75, 1.9, 1.35, "usefulness", "transformer: does\nthis angle matter\nfor the exercise?", "#fdf0e0")
    box(8.35, 0.2, 1.9, 1.35, "Siamese", "transformer: does the\ncandidate move like\nthe reference?", "#fdf0e0")
    box(10.6, 1.0, 1.3, 1.3, "feedback", "per angle:\nmatters and\ndiffers", "#e6f4e6")
    arrow(1.6, mid, 1.92, mid)
    arrow(3.75, mid, 4.07, mid)
    arrow(6.0, mid, 6.32, mid)
    arrow(8.0, mid + 0.2, 8.32, 2.4)
    arrow(8.0, mid - 0.2, 8.32, 0.9)
    arrow(10.3, 2.4, 10.57, mid + 0.2)
    arrow(10.3, 0.9, 10.57, mid - 0.2)
    return fig
