"""Other keypoint layouts mapped into the MediaPipe 33-landmark skeleton.

Each layout is a data table: ``<LAYOUT>_TO_MEDIAPIPE[k]`` is the MediaPipe
landmark index that the layout's keypoint ``k`` is placed at (-1: MediaPipe
has no such point, the keypoint is not kept). Landmarks a layout lacks stay
NaN (missing).

Units
-----
Pose estimators report coordinates either in pixels or normalised separately
by the image width and height (MediaPipe), which distorts angles in any image
that is not square. The converters put everything into one isotropic unit,
**image heights**: ``x_out = x_px / height`` and ``y_out = y_px / height``
(for MediaPipe's normalised input: ``x_out = x * width / height``,
``y_out = y`` and ``z_out = z * width / height``, since MediaPipe's z is on
x's scale). They record ``meta["units"] = "image_height"`` and
``meta["image_size"] = (width, height)``. Pixel input without an image size
is kept in pixels (``meta["units"] = "pixels"``), which is isotropic too.
:func:`to_pixels` goes back to pixels, e.g. to draw overlays.

2-D layouts
-----------
COCO-17 and Penn Action are 2-D: z is set to 0.0 for every provided landmark,
so angles are measured in the image plane, and ``meta["dimensions"] = 2``.

3-D layouts
-----------
Kinect v2's 25 body joints (:func:`from_kinect_v2`) are 3-D camera-space
positions in metres; ``meta["units"] = "metres"``, ``meta["dimensions"] = 3``.

OpenPose
--------
:func:`from_openpose` takes OpenPose's BODY_25 (its default), its COCO-18, or
COCO-17 keypoints as OpenPose's JSON files hold them: 2-D (``x, y, c``, z set
to 0.0 as above) or 3-D (``x, y, z, c``, in the calibration's units,
``meta["units"] = "as recorded"``). :func:`sitrex.openpose_json.read_openpose`
reads the files.

The package holds one layout family per module: :mod:`sitrex.layouts.image`
(COCO-17, Penn Action, MediaPipe's normalised image landmarks, and the
image-height units), :mod:`sitrex.layouts.kinect` (Kinect v2),
:mod:`sitrex.layouts.openpose` (OpenPose's layouts); the input
checks and the placement into the 33 landmarks they share are in the private
``_common`` module.
"""

from __future__ import annotations

from sitrex.layouts.image import (
    COCO17_NAMES,
    COCO17_TO_MEDIAPIPE,
    PENN13_NAMES,
    PENN13_README_NAMES,
    PENN13_TO_MEDIAPIPE,
    coco17_landmarks,
    from_coco17,
    from_normalized_image,
    from_penn13,
    to_pixels,
)
from sitrex.layouts.kinect import (
    KINECT25_NAMES,
    KINECT25_TO_MEDIAPIPE,
    KINECT_TRACKING_CONFIDENCE,
    from_kinect_v2,
)
from sitrex.layouts.openpose import (
    BODY25_NAMES,
    BODY25_TO_MEDIAPIPE,
    COCO18_NAMES,
    COCO18_TO_MEDIAPIPE,
    OPENPOSE_HAND_TO_MEDIAPIPE,
    OPENPOSE_LAYOUTS,
    from_openpose,
    openpose_landmarks,
)

__all__ = [
    "BODY25_NAMES",
    "BODY25_TO_MEDIAPIPE",
    "COCO18_NAMES",
    "COCO18_TO_MEDIAPIPE",
    "OPENPOSE_HAND_TO_MEDIAPIPE",
    "OPENPOSE_LAYOUTS",
    "from_openpose",
    "openpose_landmarks",
    "COCO17_NAMES",
    "COCO17_TO_MEDIAPIPE",
    "PENN13_NAMES",
    "PENN13_README_NAMES",
    "PENN13_TO_MEDIAPIPE",
    "coco17_landmarks",
    "KINECT25_NAMES",
    "KINECT25_TO_MEDIAPIPE",
    "KINECT_TRACKING_CONFIDENCE",
    "from_coco17",
    "from_kinect_v2",
    "from_normalized_image",
    "from_penn13",
    "to_pixels",
]
