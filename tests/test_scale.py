"""Scale-out on a Dask LocalCluster of two worker processes: extraction, compare_many, a killed worker.

One cluster serves the whole module (starting it and importing sitrex, Keras
and MediaPipe in its workers takes seconds). Its workers find the MediaPipe
model the usual way, through ``SITREX_MEDIAPIPE_MODEL``, set before they start.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import sitrex
from sitrex.backends import extract_videos
from sitrex.datasets import load_pushfit, make_exercise
from sitrex.feedback import compare, compare_many
from sitrex.skeleton import Skeleton

distributed = pytest.importorskip("distributed")
pytest.importorskip("mediapipe")
pytestmark = pytest.mark.assets

# worker processes cannot import this test module: its classes travel by value
import cloudpickle  # noqa: E402

cloudpickle.register_pickle_by_value(sys.modules[__name__])

VIDEOS = ("pose2sim_single_cam01.mp4", "pose2sim_single_cam02.mp4")
OPTIONS = dict(repetitions=False, useful_angles=["left knee", "right knee", "left hip",
                                                  "right hip"])


@pytest.fixture(scope="module")
def client(shared_dir):
    saved = {k: os.environ.get(k) for k in ("SITREX_MEDIAPIPE_MODEL", "SITREX_OFFLINE")}
    os.environ["SITREX_MEDIAPIPE_MODEL"] = str(shared_dir / "models")
    os.environ["SITREX_OFFLINE"] = "1"
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    try:
        with distributed.Client(cluster) as dask_client:
            yield dask_client
    finally:
        cluster.close()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def comparator():
    skeletons, labels = make_exercise(8, ["squat", "arm curl"], n_reps=2, random_state=5)
    X, y = sitrex.make_pairs([s.angles() for s in skeletons], labels,
                             {"squat": [5, 16, 3, 14], "arm curl": [1, 12]}, n_pairs=16,
                             max_len=32, random_state=0, pad=False)
    return sitrex.ExerciseComparator(embed_dim=8, key_dim=4, ff_dim=8, head_units=4, max_len=32,
                                     epochs=1, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def pushups(shared_dir, tmp_path_factory):
    """Six real push-up clips (PushFit, MediaPipe landmarks) as landmark files."""
    folder = tmp_path_factory.mktemp("pushfit")
    skeletons = load_pushfit(path=shared_dir / "data").skeletons[:7]
    for k, skeleton in enumerate(skeletons):
        skeleton.save(folder / f"pushup{k}.npz")
    return folder


def _no_leftovers(folder: Path) -> None:
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")], \
        "a temporary (half-written) file was left behind"


def test_extraction_and_compare_many_on_a_local_cluster(client, comparator, shared_dir,
                                                        tmp_path):
    videos = [shared_dir / "videos" / name for name in VIDEOS]
    extracted = extract_videos(videos, tmp_path / "landmarks", "mediapipe",
                               backend_options={"model": "lite"}, client=client)
    assert extracted.ok and [p.name for p in extracted.written] == [
        "pose2sim_single_cam01.npz", "pose2sim_single_cam02.npz"]
    assert Skeleton.load(extracted.written[0]).n_frames == 100
    assert extract_videos(videos, tmp_path / "landmarks", "mediapipe", client=client,
                          backend_options={"model": "lite"}).skipped == extracted.written

    coach = extracted.written[0]
    athletes = {"cam02-landmarks": extracted.written[1], "cam02-video": videos[1]}
    out = tmp_path / "reports"
    result = compare_many(coach, athletes, comparator, "mediapipe", output_dir=out,
                          client=client, backend_options={"model": "lite"}, **OPTIONS)
    assert result.ok and result.compared == ["cam02-landmarks", "cam02-video"], result.failed
    here = compare(coach, extracted.written[1], comparator, **OPTIONS)
    there = sitrex.FeedbackReport.from_json(out / "cam02-landmarks.json")
    np.testing.assert_allclose(there.similarity, here.similarity, atol=1e-5, equal_nan=True)
    # the video was estimated on a worker, with the same backend: the same poses, the same report
    video = sitrex.FeedbackReport.from_json(out / "cam02-video.json")
    np.testing.assert_allclose(video.similarity, there.similarity, atol=1e-4, equal_nan=True)
    _no_leftovers(out)


def test_joblib_parallel_config_sends_the_athletes_to_the_cluster(client, comparator, pushups):
    from joblib import parallel_config

    athletes = sorted(pushups.glob("pushup[1-3].npz"))
    with parallel_config(backend="dask"):
        result = compare_many(pushups / "pushup0.npz", athletes, comparator, **OPTIONS)
    alone = compare_many(pushups / "pushup0.npz", athletes, comparator, n_jobs=1, **OPTIONS)
    assert result.compared == ["pushup1", "pushup2", "pushup3"]
    assert [r.score for r in result.rows] == pytest.approx([r.score for r in alone.rows],
                                                           abs=1e-6)


def _worker_shows_native_logs() -> bool:
    from sitrex._native_logs import _showing

    return _showing()


def test_workers_follow_the_callers_native_log_setting(client, monkeypatch):
    """Third-party C++ logs stay quiet on the workers too, unless the caller shows them (--debug)."""
    from sitrex import _native_logs
    from sitrex._parallel import run_tasks

    for show in (False, True, False):
        monkeypatch.setattr(_native_logs, "_SHOW", show)
        outcomes = list(run_tasks(_worker_shows_native_logs, [{}] * 4, client=client))
        assert [o.value for o in outcomes] == [show] * 4


def test_the_command_sends_the_athletes_to_a_dask_scheduler(client, comparator, pushups,
                                                            tmp_path, capsys, monkeypatch):
    """`--dask` connects a client that is not the default one (set_as_default=False), as is a
    client given to compare_many: the tasks are collected on that client, not the default."""
    from sitrex.cli import main

    # no default client, as in a `sitrex --dask` process (the module's one is hidden)
    monkeypatch.setattr(distributed.client, "_get_global_client", lambda: None)
    with pytest.raises(ValueError, match="No clients found"):
        distributed.default_client()
    model = comparator.save(tmp_path / "cmp.keras")
    athletes = [str(pushups / f"pushup{k}.npz") for k in (1, 2)]
    status = main(["compare", str(pushups / "pushup0.npz"), *athletes, "-o",
                   str(tmp_path / "out"), "--comparator", str(model), "--dask",
                   client.scheduler.address, "--json", "--quiet"])
    payload = json.loads(capsys.readouterr().out)
    assert status == 0 and payload["counts"] == {"compared": 2, "skipped": 0, "failed": 0}
    assert (tmp_path / "out" / "pushup2.json").is_file()
    with distributed.Client(client.scheduler.address, set_as_default=False) as other:
        result = compare_many(pushups / "pushup0.npz", athletes, comparator, client=other,
                              **OPTIONS)
    assert result.compared == ["pushup1", "pushup2"], result.failed


class StallingSkeleton(Skeleton):
    """Landmarks whose first reading stalls the worker: it writes its pid to a file and sleeps.

    Once ``released`` exists, it reads normally. The test kills the stalled
    worker, so the athlete is in flight when its worker dies.
    """

    def __init__(self, skeleton: Skeleton, stalled: str, released: str):
        super().__init__(skeleton.coords, skeleton.confidence, skeleton.fps, skeleton.source,
                         skeleton.meta)
        self.stalled, self.released = stalled, released

    @property
    def n_frames(self) -> int:
        if not os.path.exists(self.released):
            Path(self.stalled).write_text(str(os.getpid()))
            time.sleep(120)
        return super().n_frames


def test_a_killed_worker_loses_only_its_athlete_and_a_rerun_completes(client, comparator,
                                                                       pushups, tmp_path):
    stalled, released = tmp_path / "stalled.pid", tmp_path / "released"
    athletes = {f"pushup{k}": pushups / f"pushup{k}.npz" for k in range(1, 7)}
    athletes["victim"] = StallingSkeleton(Skeleton.load(pushups / "pushup6.npz"), str(stalled),
                                          str(released))
    out = tmp_path / "reports"
    runs = []
    run = threading.Thread(target=lambda: runs.append(compare_many(
        pushups / "pushup0.npz", athletes, comparator, output_dir=out, client=client,
        **OPTIONS)))
    run.start()
    deadline = time.monotonic() + 120
    while not stalled.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert stalled.exists(), "the stalling athlete never started"
    time.sleep(0.2)
    released.touch()                     # whoever runs it next reads it normally
    os.kill(int(stalled.read_text()), signal.SIGKILL)
    run.join(timeout=180)
    assert not run.is_alive()

    assert int(stalled.read_text()) not in client.run(os.getpid).values()   # it did die
    first = runs[0]
    # Dask's scheduler gave the lost athlete to another worker: nothing is lost
    assert first.ok and sorted(first.compared) == sorted(athletes), first.failed
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([f"{n}.json" for n in athletes] + ["summary.csv", "summary.json"])
    for name in athletes:                # every report complete and readable, once
        assert json.loads((out / f"{name}.json").read_text())["format"] == "sitrex.feedback/1"
    summary = json.loads((out / "summary.json").read_text())
    assert sorted(r["athlete"] for r in summary["athletes"]) == sorted(athletes)
    _no_leftovers(out)

    rerun = compare_many(pushups / "pushup0.npz", athletes, comparator, output_dir=out,
                         client=client, **OPTIONS)
    assert rerun.skipped == list(athletes) and rerun.compared == []
    _no_leftovers(out)


def test_a_killed_local_process_stops_its_pool_and_the_rerun_resumes(comparator, pushups,
                                                                     tmp_path):
    stalled, released = tmp_path / "stalled.pid", tmp_path / "released"
    athletes = {f"pushup{k}": pushups / f"pushup{k}.npz" for k in range(1, 4)}
    athletes["victim"] = StallingSkeleton(Skeleton.load(pushups / "pushup6.npz"), str(stalled),
                                          str(released))
    out = tmp_path / "reports"
    runs = []
    run = threading.Thread(target=lambda: runs.append(compare_many(
        pushups / "pushup0.npz", athletes, comparator, output_dir=out, n_jobs=2, **OPTIONS)))
    run.start()
    deadline = time.monotonic() + 120
    while not stalled.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert stalled.exists(), "the stalling athlete never started"
    os.kill(int(stalled.read_text()), signal.SIGKILL)
    run.join(timeout=180)
    assert not run.is_alive()

    first = runs[0]
    assert "victim" in first.failed and "not run" in first.failed["victim"]
    _no_leftovers(out)
    written = {p.stem for p in out.glob("pushup*.json")}
    assert written == set(first.compared)

    released.touch()                     # (in this process: no second pool to start)
    rerun = compare_many(pushups / "pushup0.npz", athletes, comparator, output_dir=out,
                         n_jobs=1, **OPTIONS)
    assert rerun.ok and sorted(rerun.skipped + rerun.compared) == sorted(athletes)
    assert set(rerun.skipped) == written
    assert sorted(p.stem for p in out.glob("*.json") if p.stem != "summary") == \
        sorted(athletes)
    _no_leftovers(out)


def _cancelled_once(marker: str, value: int) -> int:
    """Cancels itself on the cluster the first time it runs (as a lost connection would)."""
    from distributed import Future, get_client, get_worker

    if not os.path.exists(marker):
        Path(marker).write_text("cancelled")
        worker_client = get_client()
        worker_client.cancel([Future(get_worker().get_current_task(), worker_client)],
                             force=True)
        time.sleep(5)
    return value


def test_a_task_cancelled_on_the_cluster_is_run_once_more(client, tmp_path):
    from sitrex._parallel import run_tasks

    marker = tmp_path / "cancelled"
    outcomes = list(run_tasks(_cancelled_once, [{"marker": str(marker), "value": 7}],
                              client=client))
    assert marker.exists()                              # it was cancelled once
    assert [(o.index, o.ok, o.value) for o in outcomes] == [(0, True, 7)]
