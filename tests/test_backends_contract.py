"""The plugin contract of sitrex.backends.PoseBackend: public hooks, the old private names, errors.

No pose library is needed: the backends here are toys that "find" people at fixed places.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from sitrex.backends import Detections, PoseBackend, get_backend
from sitrex.video import Frame

BLACK = np.zeros((20, 40, 3), np.uint8)


def _person(value: float, box: tuple[float, float, float, float]) -> Detections:
    """One person with every landmark at `value` and the given pixel box."""
    return Detections(np.full((1, 33, 3), value), np.ones((1, 33)), np.array([box], float),
                      np.ones(1))


def _define_new_style():
    class NewStyle(PoseBackend):
        name = "new-style"

        def detect_image(self, rgb):
            return _person(0.25, (0, 0, rgb.shape[1], rgb.shape[0]))

        def metadata(self):
            return {"model": "toy"}

    return NewStyle


def _define_old_style():
    class OldStyle(PoseBackend):
        name = "old-style"

        def _detect_image(self, rgb):
            return _person(0.75, (0, 0, rgb.shape[1], rgb.shape[0]))

        def _detect_frames(self, frames):
            for det in super()._detect_frames(frames):  # the old default, reached by super()
                yield det

        def _meta(self):
            return {**super()._meta(), "model": "old"}

    return OldStyle


def test_plugin_with_the_public_hooks_works_end_to_end_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        backend = get_backend(_define_new_style(), person="central")
        image = backend.estimate_image(BLACK)
        video = backend.estimate_video([BLACK] * 4, fps=8.0)
    assert image.meta["model"] == "toy" and image.meta["people_in_view"] == 1
    np.testing.assert_allclose(image.coords, 0.25)
    assert video.n_frames == 4 and video.fps == 8.0 and video.meta["backend"] == "new-style"


def test_plugin_with_the_old_private_hooks_warns_once_and_still_works():
    with pytest.warns(DeprecationWarning) as record:
        OldStyle = _define_old_style()
    assert len(record) == 1
    message = str(record[0].message)
    for old, new in [("_detect_image", "detect_image"), ("_detect_frames", "detect_frames"),
                     ("_meta", "metadata")]:
        assert f"{old}() -> {new}()" in message
    assert record[0].filename == __file__  # points at the plugin's class statement

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # using the class warns no more
        video = OldStyle().estimate_video([BLACK] * 3, fps=3.0)
    np.testing.assert_allclose(video.coords, 0.75)
    assert video.meta["model"] == "old" and video.n_frames == 3


def test_subclass_of_a_new_style_backend_overriding_an_old_name_uses_it():
    with pytest.warns(DeprecationWarning, match=r"_meta\(\) -> metadata\(\)"):
        class Renamed(_define_new_style()):
            def _meta(self):
                return {"model": "overridden"}

    assert Renamed().estimate_image(BLACK).meta["model"] == "overridden"


def test_plugin_without_an_image_hook_cannot_be_instantiated():
    class NoHook(PoseBackend):
        name = "no-hook"

        def metadata(self):
            return {}

    with pytest.raises(TypeError, match="detect_image"):
        NoHook()


def test_custom_detect_frames_receives_timed_rgb_frames():
    seen = []

    class Streaming(_define_new_style()):
        def detect_frames(self, frames):
            for frame in frames:
                seen.append((frame.index, frame.time, frame.rgb.dtype, frame.rgb.shape))
                yield Detections.empty()

    grey_floats = np.zeros((20, 40))  # converted to RGB uint8 before the backend sees it
    skel = Streaming().estimate_video([(grey_floats, 0.5), (grey_floats, 1.0)])
    assert seen == [(0, 0.5, np.uint8, (20, 40, 3)), (1, 1.0, np.uint8, (20, 40, 3))]
    assert skel.fps == pytest.approx(2.0) and skel.meta["no_person_frames"] == 2


def test_the_chosen_person_is_followed_and_absent_frames_are_nan():
    big, small = (0, 0, 30, 20), (30, 0, 40, 10)
    per_frame = [
        Detections(np.stack([np.full((33, 3), 1.0), np.full((33, 3), 2.0)]), np.ones((2, 33)),
                   np.array([small, big], float), np.ones(2)),
        Detections.empty(),
        _person(2.0, big),
    ]

    class Scripted(PoseBackend):
        name = "scripted"

        def detect_image(self, rgb):
            raise AssertionError("videos go through detect_frames")

        def detect_frames(self, frames):
            for det, _ in zip(per_frame, frames):
                yield det

    frames = [Frame(i, i / 10, BLACK) for i in range(3)]
    skel = Scripted(person="largest").estimate_video(frames)
    assert skel.coords[[0, 2], 0, 0].tolist() == [2.0, 2.0]
    assert skel.has_person.tolist() == [True, False, True]
    assert skel.meta["no_person_frames"] == 1 and skel.meta["max_people_in_view"] == 2


def test_names_moved_out_of_base_still_import_with_a_warning():
    import sitrex.backends.base as base
    from sitrex.backends._tracking import PersonSelector
    from sitrex.video import read_image

    with pytest.warns(DeprecationWarning, match="sitrex.video.read_image"):
        assert base.read_image is read_image
    with pytest.warns(DeprecationWarning, match="PersonSelector"):
        assert base.PersonSelector is PersonSelector
    with pytest.raises(AttributeError):
        base.no_such_name  # noqa: B018
