"""sitrex: joint-by-joint feedback on workout exercises.

Importing :mod:`sitrex` is cheap: it loads numpy only. Keras, MediaPipe,
ultralytics and OpenCV are imported by the functions that need them, the first
time they are used.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0.dev0"

# public name -> module that defines it (imported on first attribute access)
_LAZY = {
    "Skeleton": "sitrex.skeleton",
    "SkeletonFileError": "sitrex.io",
    "load_skeleton": "sitrex.io",
    "save_skeleton": "sitrex.io",
    "concatenate": "sitrex.skeleton",
    "compute_angles": "sitrex.angles",
    "angle_names": "sitrex.angles",
    "ANGLE_KINDS": "sitrex.angles",
    "ANGLE_NAMES": "sitrex.angles",
    "AngleUsefulnessClassifier": "sitrex.estimators",
    "ExerciseComparator": "sitrex.estimators",
    "make_pairs": "sitrex.pairs",
    "make_usefulness_samples": "sitrex.pairs",
    "fill_gaps": "sitrex.pairs",
    "get_backend": "sitrex.backends",
    "list_backends": "sitrex.backends",
    "LANDMARK_NAMES": "sitrex.landmarks",
    "compare": "sitrex.feedback",
    "FeedbackReport": "sitrex.feedback",
    "render_overlay": "sitrex.overlay",
    "save_report_figure": "sitrex.plots",
    "landmark_index": "sitrex.landmarks",
}

_SUBMODULES = {
    "alignment", "angles", "angle_table", "backends", "cli", "datasets", "demo", "estimators",
    "feedback",
    "io", "landmarks", "layouts", "model_selection", "models", "overlay", "pairs", "plots",
    "pretrained", "repetitions", "skeleton", "video",
}

__all__ = sorted([*_LAZY, *_SUBMODULES, "__version__"])


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        module = importlib.import_module(f"sitrex.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'sitrex' has no attribute {name!r}")


def __dir__():
    return __all__
