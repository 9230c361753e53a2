"""Shared storage for workers: atomic writes, keys of ids only."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.storage import LocalStorage


def test_put_get_exists_scratch_delete(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    key = "jobs/j1/d1/page-00000.json"
    assert not store.exists(key)
    store.put(key, b'{"index": 0}')
    store.put(key, b'{"index": 0, "text": "x"}')  # replaced whole
    assert store.get(key) == b'{"index": 0, "text": "x"}'
    assert store.exists(key)
    assert [p.name for p in (tmp_path / "jobs/j1/d1").iterdir()] == ["page-00000.json"]
    scratch = store.scratch("jobs/j1/d1/work")
    assert scratch.is_dir() and scratch == tmp_path / "jobs/j1/d1/work"
    store.delete("jobs/j1")
    assert not store.exists(key) and not (tmp_path / "jobs/j1").exists()
    store.delete("jobs/none")  # nothing there: no error
    with pytest.raises(FileNotFoundError):
        store.get(key)


@pytest.mark.parametrize("key", ["", "/etc/passwd", "jobs/../../x", "jobs//x", "./x"])
def test_a_key_cannot_leave_the_root(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError):
        LocalStorage(tmp_path / "root").put(key, b"x")
