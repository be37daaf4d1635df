"""sitrex: joint-by-joint feedback on workout exercises.

Importing :mod:`sitrex` is cheap: it loads numpy only (and, when no Keras
backend is chosen yet, sets ``KERAS_BACKEND`` to the first installed of JAX,
PyTorch and TensorFlow, without importing it). Keras, MediaPipe,
ultralytics and OpenCV are imported by the functions that need them, the first
time they are used.
"""

from __future__ import annotations

from sitrex._imports import lazy_exports
from sitrex._keras import choose_default_backend

# Pick Keras's backend now (cheap: no import), so that a user's own
# ``import keras`` after ``import sitrex`` runs on JAX like sitrex does.
choose_default_backend()

__version__ = "0.1.0.dev0"

# public name -> module that defines it (imported on first attribute access)
_EXPORTS = {
    "Skeleton": "sitrex.skeleton",
    "concatenate": "sitrex.skeleton",
    "load_skeleton": "sitrex.io",
    "save_skeleton": "sitrex.io",
    "read_openpose": "sitrex.openpose_json",
    "compute_angles": "sitrex.angles",
    "angle_names": "sitrex.angles",
    "range_of_motion": "sitrex.angles",
    "ANGLE_KINDS": "sitrex.angles",
    "ANGLE_NAMES": "sitrex.angles",
    "LANDMARK_NAMES": "sitrex.landmarks",
    "landmark_index": "sitrex.landmarks",
    "fill_gaps": "sitrex.sequences",
    "Conditioning": "sitrex.conditioning",
    "AngleUsefulnessClassifier": "sitrex.estimators",
    "ExerciseComparator": "sitrex.estimators",
    "RepetitionComparator": "sitrex.estimators",
    "make_pairs": "sitrex.pairs",
    "make_usefulness_samples": "sitrex.pairs",
    "get_backend": "sitrex.backends",
    "list_backends": "sitrex.backends",
    "compare": "sitrex.feedback",
    "compare_many": "sitrex.feedback",
    "FeedbackReport": "sitrex.feedback",
    "LiveComparator": "sitrex.live",
    "render_overlay": "sitrex.overlay",
    "save_report_figure": "sitrex.plots",
    # errors (sitrex.exceptions)
    "SitrexError": "sitrex.exceptions",
    "InputError": "sitrex.exceptions",
    "MissingFileError": "sitrex.exceptions",
    "MissingDependencyError": "sitrex.exceptions",
    "IntegrityError": "sitrex.exceptions",
    "OutputError": "sitrex.exceptions",
    "SkeletonFileError": "sitrex.exceptions",
}

_SUBMODULES = (
    "alignment", "angles", "angle_table", "axial_rotation", "backends", "cli", "conditioning",
    "datasets", "demo", "estimators", "exceptions", "feedback", "filters", "io", "landmarks",
    "layouts", "live", "measurement", "model_selection", "models", "openpose_json", "overlay",
    "pairs", "plots", "pretrained", "repetition_sides", "repetitions", "sequences", "sides",
    "skeleton", "video",
)

__getattr__, __dir__, _public = lazy_exports(__name__, _EXPORTS, _SUBMODULES, globals())
__all__ = sorted([*_public, "__version__"])
