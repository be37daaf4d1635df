"""Extract landmark files from a folder of videos, in parallel worker processes.

:func:`extract_folder` runs a pose backend over every video of a folder, one
video per task, on local worker processes (joblib) or on a Dask cluster
(``client=``, or ``joblib.parallel_config(backend="dask")``; see
:doc:`/scaling`), and writes one landmark file per video (``.npz`` or SiTrEx
``.json``). Each file is written atomically by the worker that made it. It
is **resumable**: a video whose output file exists is skipped, and since
outputs are written atomically an existing file is always a finished one (a
killed worker loses only the video it was on). A video that fails is reported
in the result and does not stop the others; what a video was warned about
while it was read (a truncated file, say) is kept in the result and warned
again in the calling process, since a worker process's warnings do not reach
the caller.

Each worker builds the backend once (per thread) and reuses it for its next
videos; the model file is found on the worker through the usual lookup
(``model_path=``, the environment variable, the cache), see
:mod:`sitrex.backends._resolve`.
"""

from __future__ import annotations

import os
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable
from typing import Any

from sitrex._atomic import output_folder
from sitrex.exceptions import InputError, MissingFileError
from sitrex._validation import check_recording
from sitrex.video import VIDEO_SUFFIXES

__all__ = ["BatchResult", "extract_folder", "extract_videos", "reusable_backend"]

# Backends built in a worker, per thread (a backend follows one video at a time), reused for
# the next videos of that thread.
_WORKER_BACKENDS = threading.local()


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
    warnings : dict of Path to list of str
        Video -> what it was warned about while it was read (e.g. a
        truncated file: far fewer frames than its container reports), for
        the videos whose landmark file was written anyway.

    Examples
    --------
    >>> r = BatchResult()
    >>> r.ok, r
    (True, BatchResult(written=0, skipped=0, failed=0))
    """

    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: dict[Path, str] = field(default_factory=dict)
    warnings: dict[Path, list[str]] = field(default_factory=dict)

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


def reusable_backend(name: str, options: dict[str, Any] | None = None):
    """The backend `name` with `options`, built once per thread of this process and reused.

    For worker processes: a MediaPipe or YOLO model loads once, not once
    per video. Its model file is resolved here, on the worker (argument,
    environment variable, cache, download under a lock).

    Examples
    --------
    >>> reusable_backend("openpose")
    Traceback (most recent call last):
    ...
    sitrex.exceptions.BackendNotFoundError: no usable pose backend 'openpose': ...
    """
    from sitrex.backends import get_backend

    options = dict(options or {})
    cache = getattr(_WORKER_BACKENDS, "backends", None)
    if cache is None:
        cache = _WORKER_BACKENDS.backends = {}
    key = (name, _freeze(options))
    if key not in cache:
        cache[key] = get_backend(name, **{"progress": False, **options})
    return cache[key]


def _extract_one(video: str, output: str, backend: str, options: dict[str, Any],
                 estimate: dict[str, Any]) -> list[str]:
    """Worker: one video -> one landmark file (written atomically); returns its warnings."""
    from sitrex.io import save_skeleton

    with warnings.catch_warnings(record=True) as caught:   # they would stay on the worker
        warnings.simplefilter("always", UserWarning)
        skeleton = reusable_backend(backend, options).estimate_video(video, progress=False,
                                                                      **estimate)
    # the rules sitrex.compare applies: an empty or timeless recording is a failure, not a file
    check_recording(skeleton, Path(video).name, need_fps=True)
    save_skeleton(skeleton, output)
    return list(dict.fromkeys(str(w.message) for w in caught
                              if issubclass(w.category, UserWarning)))


def extract_folder(
    input_dir: str | os.PathLike[str],
    output_dir: str | os.PathLike[str],
    backend: str = "mediapipe",
    *,
    backend_options: dict[str, Any] | None = None,
    suffix: str = ".npz",
    recursive: bool = False,
    n_jobs: int | None = 2,
    overwrite: bool = False,
    progress: bool | None = None,
    client: Any = None,
    **estimate_options: Any,
) -> BatchResult:
    """Run a pose backend over every video in a folder and write one landmark file each.

    Parameters
    ----------
    input_dir : str or os.PathLike
        Folder with the videos (files ending in :data:`sitrex.video.VIDEO_SUFFIXES`;
        hidden files, whose names start with a dot, are left out).
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
    n_jobs : int or None, default 2
        Local worker processes (joblib). 1 runs everything in this process;
        None follows :func:`joblib.parallel_config`, so that inside
        ``with parallel_config(backend="dask"):`` the videos go to the Dask
        cluster of the current client.
    overwrite : bool, default False
        Re-extract videos whose output exists. By default they are skipped,
        which makes an interrupted run resumable.
    progress : bool, optional
        A progress bar over videos (None: only on a terminal).
    client : dask.distributed.Client, optional
        Run on this Dask cluster instead (`n_jobs` is then ignored). The
        workers need sitrex with the backend's extra, and access to the
        videos and the output folder under the same paths (a shared file
        system); see :doc:`/scaling`.
    **estimate_options
        Passed to :meth:`~sitrex.backends.PoseBackend.estimate_video`, e.g.
        ``max_frames=300``.

    Returns
    -------
    BatchResult

    Raises
    ------
    sitrex.exceptions.MissingFileError
        If `input_dir` is not a folder.
    BackendNotFoundError
        If the backend is not usable here (checked before any work starts).
    sitrex.exceptions.InputError
        For an unknown `suffix`, a `client` that is not a Dask client, or two
        videos that would be written to the same file (``clip.mp4`` and
        ``clip.mov``).
    sitrex.exceptions.OutputError
        If `output_dir` cannot be created or written (checked before any work).

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
    _check_request(backend, suffix, client)
    target = Path(output_dir)
    pattern = "**/*" if recursive else "*"
    videos = sorted(p for p in source.glob(pattern)
                    if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES
                    and not any(part.startswith(".") for part in p.relative_to(source).parts))
    plan = [(video, target / video.relative_to(source).with_suffix(suffix)) for video in videos]
    _check_plan(plan, output_dir)
    return _run(plan, backend, backend_options, overwrite, n_jobs, progress, client,
                estimate_options)


def check_video_paths(videos: Iterable[Any]) -> list[Path]:
    """The paths of `videos`, each an existing file (not a folder), checked before any work.

    Examples
    --------
    >>> import tempfile
    >>> check_video_paths([tempfile.mkdtemp()])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sitrex.exceptions.InputError: '...': a folder, not a video file; pass the videos it holds (e.g. folder/*.mp4)
    """
    paths = [Path(v) for v in videos]
    missing = [str(v) for v in paths if not v.exists()]
    if missing:
        raise MissingFileError(f"no video file at {', '.join(map(repr, missing))}")
    folders = [str(v) for v in paths if not v.is_file()]
    if folders:
        raise InputError(f"{', '.join(map(repr, folders))}: a folder, not a video file; pass "
                         "the videos it holds (e.g. folder/*.mp4)")
    return paths


def extract_videos(
    videos: Iterable[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    backend: str = "mediapipe",
    *,
    backend_options: dict[str, Any] | None = None,
    suffix: str = ".npz",
    n_jobs: int | None = 2,
    overwrite: bool = False,
    progress: bool | None = None,
    client: Any = None,
    **estimate_options: Any,
) -> BatchResult:
    """Like :func:`extract_folder`, for a list of video files.

    Each video ``dir/name.mp4`` is written to ``output_dir/name<suffix>``.

    Raises
    ------
    sitrex.exceptions.MissingFileError
        If a video does not exist (checked before any work starts).
    sitrex.exceptions.InputError
        If two videos share a file name, so their outputs would collide.
    sitrex.exceptions.OutputError
        If `output_dir` cannot be created or written (checked before any work).

    Examples
    --------
    >>> import tempfile
    >>> extract_videos([], tempfile.mkdtemp(), "mediapipe", n_jobs=1)
    BatchResult(written=0, skipped=0, failed=0)
    """
    _check_request(backend, suffix, client)
    paths = check_video_paths(videos)
    target = Path(output_dir)
    plan = [(video, target / (video.stem + suffix)) for video in paths]
    _check_plan(plan, output_dir)
    return _run(plan, backend, backend_options, overwrite, n_jobs, progress, client,
                estimate_options)


def _check_plan(plan: list[tuple[Path, Path]], output_dir) -> None:
    """Before any video is read: no two videos share an output file, and the output folder is
    created and writable."""
    from collections import Counter

    counts = Counter(out for _, out in plan)
    clashes = sorted({out.name for out, n in counts.items() if n > 1})
    if clashes:
        raise InputError(f"several videos would be written to the same file "
                         f"({', '.join(clashes)}); rename them or extract them into different "
                         "folders")
    output_folder(output_dir, "output_dir", writable=True)


def _check_request(backend: str, suffix: str, client: Any) -> None:
    from sitrex._parallel import check_client
    from sitrex.backends._registry import _not_found, list_backends
    from sitrex.io import SUPPORTED_SUFFIXES

    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(f"suffix must be one of {SUPPORTED_SUFFIXES}, got {suffix!r}")
    check_client(client)
    if backend not in list_backends():
        raise _not_found(backend, "not installed or not usable")


def _run(plan: list[tuple[Path, Path]], backend: str, backend_options, overwrite: bool,
         n_jobs: int | None, progress, client, estimate_options: dict[str, Any]) -> BatchResult:
    """Extract every (video, output) of `plan`, skipping finished outputs."""
    from sitrex._parallel import run_tasks
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

    tasks = [{"video": str(v), "output": str(o)} for v, o in todo]
    shared = {"backend": backend, "options": dict(backend_options or {}),
              "estimate": estimate_options}
    bar = None
    if progress_enabled(progress):
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), unit="video", desc=f"{backend} extraction")
    try:
        for outcome in run_tasks(_extract_one, tasks, shared=shared, client=client,
                                 n_jobs=n_jobs):
            video, output = todo[outcome.index]
            if outcome.ok:
                result.written.append(output)
                if outcome.value:
                    result.warnings[video] = outcome.value
            else:
                result.failed[video] = outcome.error
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    for whys in result.warnings.values():       # said here, where the caller sees them
        for why in whys:
            warnings.warn(why, UserWarning, stacklevel=3)
    result.written.sort()
    return result
