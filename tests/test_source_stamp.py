"""sitrex._source_stamp: the key of the caches of computed pairs and features."""

from __future__ import annotations

from sitrex._source_stamp import source_stamp


def test_the_cache_stamp_changes_with_any_source_file_and_nothing_else(tmp_path):
    package = tmp_path / "sitrex"
    (package / "angles").mkdir(parents=True)
    (package / "__init__.py").write_text("x = 1\n")
    (package / "angles" / "joints.py").write_text("def angle():\n    return 0.0\n")
    (package / "notes.txt").write_text("not code")
    stamp = source_stamp(package)
    assert stamp == source_stamp(package)
    (package / "notes.txt").write_text("still not code")
    assert source_stamp(package) == stamp
    (package / "angles" / "joints.py").write_text("def angle():\n    return 0.5\n")
    changed = source_stamp(package)
    assert changed != stamp
    (package / "angles" / "joints.py").rename(package / "angles" / "segments.py")
    assert source_stamp(package) != changed


def test_the_installed_package_has_a_stamp():
    stamp = source_stamp()
    assert len(stamp) == 12 and int(stamp, 16) >= 0
