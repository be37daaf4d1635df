"""Extract landmark files from a folder of videos, in parallel worker processes.

:func:`extract_folder` runs a pose backend over every video of a folder with
joblib, one video per task, and writes one landmark file per video (``.npz`` or
SiTrEx ``.json``, atomically). It is **resumable**: a video whose output file
exists is skipped, and since outputs are written atomically an existing file
is always a finished one. A video that fails is reported in the result and
does not stop the others.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable
from typing import Any

from sitrex.exceptions import InputError, MissingFileError
from sitrex._validation import check_recording
from sitrex.video import VIDEO_SUFFIXES

__all__ = ["BatchResult", "extract_folder", "extract_videos"]

# Backends built in a worker process, reused for the next videos of that worker.
_WORKER_BACKENDS: dict[Any, Any] = {}


@dataclass
class BatchResult:
    """What :func:`extract_folder` did.

    Attributes
    ----------
    written : list of Path
        Output files written in this run.
    skipped : list of Path
        Outputs that already existed (finished in an earlier run).
    failed : dict of Path to str
        Video -> error message, for the videos that could not be processed.

    Examples
    --------
    >>> r = BatchResult()
    >>> r.ok, r
    (True, BatchResult(written=0, skipped=0, failed=0))
    """

    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: dict[Path, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no video failed."""
        return not self.failed

    def __repr__(self) -> str:
        return (f"BatchResult(written={len(self.written)}, skipped={len(self.skipped)}, "
                f"failed={len(self.failed)})")


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)


def _extract_one(video: str, output: str, backend: str, options: dict[str, Any],
                 estimate: dict[str, Any]) -> tuple[str, str, str]:
    """Worker: one video -> one landmark file. Returns (video, status, message)."""
    try:
        from sitrex.backends import get_backend
        from sitrex.io import save_skeleton

        key = (backend, _freeze(options))
        pose = _WORKER_BACKENDS.get(key)
        if pose is None:
            pose = _WORKER_BACKENDS[key] = get_backend(backend, **options)
        skeleton = pose.estimate_video(video, progress=False, **estimate)
        # the rules sitrex.compare applies: an empty or timeless recording is a failure, not a file
        check_recording(skeleton, Path(video).name, need_fps=True)
        save_skeleton(skeleton, output)
    except Exception as exc:  # reported, never fatal for the other videos
        return video, "failed", f"{type(exc).__name__}: {exc}"
    return video, "written", ""


def extract_folder(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    backend: str = "mediapipe",
    *,
    backend_options: dict[str, Any] | None = None,
    suffix: str = ".npz",
    recursive: bool = False,
    n_jobs: int = 2,
    overwrite: bool = False,
    progress: bool | None = None,
    **estimate_options: Any,
) -> BatchResult:
    """Run a pose backend over every video in a folder and write one landmark file each.

    Parameters
    ----------
    input_dir : str or os.PathLike
        Folder with the videos (files ending in :data:`sitrex.video.VIDEO_SUFFIXES`).
    output_dir : str or os.PathLike
        Where to write ``<video stem><suffix>``, mirroring sub-folders when
        `recursive`. Created if needed.
    backend : str, default "mediapipe"
        Registered backend name (see :func:`sitrex.backends.list_backends`).
    backend_options : dict, optional
        Constructor options of the backend, e.g. ``{"model": "lite"}``.
    suffix : {".npz", ".json"}
        Output format (see :func:`sitrex.io.save_skeleton`).
    recursive : bool, default False
        Also look in sub-folders.
    n_jobs : int, default 2
        Worker processes (joblib). 1 runs everything in this process.
    overwrite : bool, default False
        Re-extract videos whose output exists. By default they are skipped,
        which makes an interrupted run resumable.
    progress : bool, optional
        A progress bar over videos (None: only on a terminal).
    **estimate_options
        Passed to :meth:`~sitrex.backends.PoseBackend.estimate_video`, e.g.
        ``max_frames=300``.

    Returns
    -------
    BatchResult

    Raises
    ------
    FileNotFoundError
        If `input_dir` is not a folder.
    BackendNotFoundError
        If the backend is not usable (checked before any work starts).

    Examples
    --------
    >>> import tempfile
    >>> empty = tempfile.mkdtemp()
    >>> extract_folder(empty, tempfile.mkdtemp(), "mediapipe", n_jobs=1)
    BatchResult(written=0, skipped=0, failed=0)
    """
    source = Path(input_dir)
    if not source.is_dir():
        raise MissingFileError(f"no folder at {str(source)!r}; pass the folder of videos")
    _check_request(backend, suffix)
    target = Path(output_dir)
    pattern = "**/*" if recursive else "*"
    videos = sorted(p for p in source.glob(pattern)
                    if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES)
    plan = [(video, target / video.relative_to(source).with_suffix(suffix)) for video in videos]
    return _run(plan, backend, backend_options, overwrite, n_jobs, progress, estimate_options)


def extract_videos(
    videos: Iterable[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    backend: str = "mediapipe",
    *,
    backend_options: dict[str, Any] | None = None,
    suffix: str = ".npz",
    n_jobs: int = 2,
    overwrite: bool = False,
    progress: bool | None = None,
    **estimate_options: Any,
) -> BatchResult:
    """Like :func:`extract_folder`, for a list of video files.

    Each video ``dir/name.mp4`` is written to ``output_dir/name<suffix>``.

    Raises
    ------
    FileNotFoundError
        If a video does not exist (checked before any work starts).
    ValueError
        If two videos share a file name, so their outputs would collide.

    Examples
    --------
    >>> import tempfile
    >>> extract_videos([], tempfile.mkdtemp(), "mediapipe", n_jobs=1)
    BatchResult(written=0, skipped=0, failed=0)
    """
    _check_request(backend, suffix)
    paths = [Path(v) for v in videos]
    missing = [str(v) for v in paths if not v.is_file()]
    if missing:
        raise MissingFileError(f"no video file at {', '.join(map(repr, missing))}")
    target = Path(output_dir)
    plan = [(video, target / (video.stem + suffix)) for video in paths]
    outputs = [out for _, out in plan]
    clashes = sorted({o.name for o in outputs if outputs.count(o) > 1})
    if clashes:
        raise InputError(f"several videos would be written to the same file ({', '.join(clashes)}); "
                         "rename them or extract them into different folders")
    return _run(plan, backend, backend_options, overwrite, n_jobs, progress, estimate_options)


def _check_request(backend: str, suffix: str) -> None:
    from sitrex.backends._registry import _not_found, list_backends
    from sitrex.io import SUPPORTED_SUFFIXES

    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(f"suffix must be one of {SUPPORTED_SUFFIXES}, got {suffix!r}")
    if backend not in list_backends():
        raise _not_found(backend, "not installed or not usable")


def _run(plan: list[tuple[Path, Path]], backend: str, backend_options, overwrite: bool,
         n_jobs: int, progress, estimate_options: dict[str, Any]) -> BatchResult:
    """Extract every (video, output) of `plan`, skipping finished outputs."""
    from sitrex.video import progress_enabled

    result = BatchResult()
    todo: list[tuple[Path, Path]] = []
    for video, out in plan:
        if out.exists() and not overwrite:
            result.skipped.append(out)
        else:
            todo.append((video, out))
    if not todo:
        return result
    for _, out in todo:
        out.parent.mkdir(parents=True, exist_ok=True)

    from joblib import Parallel, delayed

    options = dict(backend_options or {})
    tasks = (delayed(_extract_one)(str(v), str(o), backend, options, estimate_options)
             for v, o in todo)
    outputs = dict((str(v), o) for v, o in todo)
    runner = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    bar = None
    if progress_enabled(progress):
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), unit="video", desc=f"{backend} extraction")
    try:
        for video, status, message in runner(tasks):
            if status == "written":
                result.written.append(outputs[video])
            else:
                result.failed[Path(video)] = message
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    result.written.sort()
    return result
