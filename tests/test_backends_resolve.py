"""Model-file resolution: argument, environment variable, cache, verified download (never real)."""

from __future__ import annotations

import hashlib
import io
import urllib.error

import pytest

from sitrex.backends import ModelNotAvailableError
from sitrex.exceptions import IntegrityError
from sitrex import _fetch
from sitrex.backends._resolve import MODEL_FILES, ModelFile, cache_dir, resolve_model_file, sha256_of

SPEC = MODEL_FILES["mediapipe", "lite"]


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """An empty cache, no env overrides, and a network that is never reached."""
    monkeypatch.setenv("SITREX_CACHE", str(tmp_path / "cache"))
    for var in ("SITREX_MEDIAPIPE_MODEL", "SITREX_YOLO_WEIGHTS", "SITREX_OFFLINE"):
        monkeypatch.delenv(var, raising=False)

    def no_network(url, timeout):
        raise urllib.error.URLError("network is unreachable (test)")

    monkeypatch.setattr(_fetch, "_urlopen", no_network)


def test_explicit_path_file_and_folder(tmp_path):
    f = tmp_path / "my.task"
    f.write_bytes(b"x")
    assert resolve_model_file(SPEC, f) == f
    (tmp_path / SPEC.filename).write_bytes(b"x")
    assert resolve_model_file(SPEC, tmp_path) == tmp_path / SPEC.filename


def test_explicit_path_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(ModelNotAvailableError, match="model_path="):
        resolve_model_file(SPEC, tmp_path / "nope.task")


def test_environment_variable_file_or_folder(tmp_path, monkeypatch):
    f = tmp_path / "custom.task"
    f.write_bytes(b"x")
    monkeypatch.setenv("SITREX_MEDIAPIPE_MODEL", str(f))
    assert resolve_model_file(SPEC) == f
    (tmp_path / SPEC.filename).write_bytes(b"y")
    monkeypatch.setenv("SITREX_MEDIAPIPE_MODEL", str(tmp_path))
    assert resolve_model_file(SPEC) == tmp_path / SPEC.filename
    monkeypatch.setenv("SITREX_MEDIAPIPE_MODEL", str(tmp_path / "missing.task"))
    with pytest.raises(ModelNotAvailableError, match=r"\$SITREX_MEDIAPIPE_MODEL"):
        resolve_model_file(SPEC)


def test_argument_beats_environment(tmp_path, monkeypatch):
    a, b = tmp_path / "a.task", tmp_path / "b.task"
    a.write_bytes(b"a")
    b.write_bytes(b"b")
    monkeypatch.setenv("SITREX_MEDIAPIPE_MODEL", str(b))
    assert resolve_model_file(SPEC, a) == a


def test_cache_folder_is_used(tmp_path):
    cached = cache_dir() / SPEC.filename
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"cached")
    assert cache_dir() == tmp_path / "cache" / "models"
    assert resolve_model_file(SPEC) == cached


def test_cached_file_with_wrong_checksum_is_refused():
    spec = MODEL_FILES["yolo", "n"]
    cached = cache_dir() / spec.filename
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"not the weights")
    with pytest.raises(IntegrityError, match="delete it"):
        resolve_model_file(spec)


def test_offline_and_uncached_says_what_is_needed_and_three_ways():
    with pytest.raises(ModelNotAvailableError) as info:
        resolve_model_file(SPEC)
    msg = str(info.value)
    assert SPEC.filename in msg and "network is unreachable" in msg
    assert "model_path=" in msg and "SITREX_MEDIAPIPE_MODEL" in msg and str(cache_dir()) in msg
    assert SPEC.url in msg
    assert not any(cache_dir().glob("*")) if cache_dir().exists() else True


def test_download_switched_off_never_touches_the_network(monkeypatch):
    def boom(url, timeout):
        raise AssertionError("must not be called")

    monkeypatch.setattr(_fetch, "_urlopen", boom)
    with pytest.raises(ModelNotAvailableError, match="switched off"):
        resolve_model_file(SPEC, download=False)
    monkeypatch.setenv("SITREX_OFFLINE", "1")
    with pytest.raises(ModelNotAvailableError, match="SITREX_OFFLINE"):
        resolve_model_file(SPEC)


def _fake_spec(payload: bytes, sha: str | None) -> ModelFile:
    return ModelFile("fake.task", "https://example.invalid/fake.task", sha, "SITREX_FAKE_MODEL",
                     "fake model")


def test_verified_download_lands_atomically_in_the_cache(monkeypatch):
    payload = b"model bytes" * 1000
    monkeypatch.setattr(_fetch, "_urlopen", lambda url, timeout: io.BytesIO(payload))
    spec = _fake_spec(payload, hashlib.sha256(payload).hexdigest())
    path = resolve_model_file(spec)
    assert path == cache_dir() / "fake.task" and path.read_bytes() == payload
    assert sorted(p.name for p in cache_dir().iterdir()) == ["fake.task"]


def test_download_with_wrong_checksum_leaves_nothing(monkeypatch):
    monkeypatch.setattr(_fetch, "_urlopen", lambda url, timeout: io.BytesIO(b"tampered"))
    spec = _fake_spec(b"", "0" * 64)
    with pytest.raises(IntegrityError, match="sha256"):
        resolve_model_file(spec)
    assert list(cache_dir().iterdir()) == []


def test_parallel_workers_download_a_file_once(monkeypatch):
    """Workers sharing a cache folder: one downloads, the others wait and find the file cached."""
    import threading
    import time

    payload = b"model bytes" * 1000
    downloads = []

    def slow_server(url, timeout):
        downloads.append(url)
        time.sleep(0.3)                        # the others arrive while this download runs
        return io.BytesIO(payload)

    monkeypatch.setattr(_fetch, "_urlopen", slow_server)
    spec = _fake_spec(payload, hashlib.sha256(payload).hexdigest())
    found, errors = [], []

    def worker():
        try:
            found.append(resolve_model_file(spec))
        except Exception as exc:               # pragma: no cover - reported by the assert
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(downloads) == 1
    assert found == [cache_dir() / "fake.task"] * 4 and found[0].read_bytes() == payload
    assert sorted(p.name for p in cache_dir().iterdir()) == ["fake.task"]    # lock file gone


def test_unpinned_download_warns(monkeypatch):
    monkeypatch.setattr(_fetch, "_urlopen", lambda url, timeout: io.BytesIO(b"abc"))
    with pytest.warns(RuntimeWarning, match="unverified"):
        resolve_model_file(_fake_spec(b"abc", None))


@pytest.mark.assets
def test_pinned_yolo_checksum_matches_the_shared_file(shared_dir):
    spec = MODEL_FILES["yolo", "n"]
    assert sha256_of(shared_dir / "models" / spec.filename) == spec.sha256


def test_backend_without_model_fails_fast_offline():
    from sitrex.backends.mediapipe import MediaPipeBackend

    with pytest.raises(ModelNotAvailableError, match="pose_landmarker_full.task"):
        MediaPipeBackend("full")
