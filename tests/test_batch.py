"""The batch: discovery and a page pool that survives a dying worker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.batch import PagePool, discover
from pipeline.errors import PageWorkerCrashed


def square(x: int) -> int:
    return x * x


def die_on_three(x: int) -> int:
    if x == 3:
        os._exit(1)  # what the OOM killer does to a worker
    return x


def test_page_pool_replaces_a_broken_pool() -> None:
    pool = PagePool(2)
    try:
        assert pool.map(square, [1, 2, 3]) == [1, 4, 9]
        with pytest.raises(PageWorkerCrashed):
            pool.map(die_on_three, [1, 2, 3, 4])
        assert pool.map(square, [5, 6]) == [25, 36]  # the next document still runs
    finally:
        pool.shutdown()


def test_discover_walks_folders_sorted_skipping_hidden_and_outdir(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / ".cache").mkdir()
    for name in ("b/2.pdf", "a.png", ".hidden.png", "out/x.pdf", ".cache/y.pdf", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    found = discover([str(tmp_path), str(tmp_path / "missing.tif")], exclude=tmp_path / "out")
    assert [Path(p).relative_to(tmp_path).as_posix() for p in found] == [
        "a.png",
        "notes.txt",
        "b/2.pdf",
        "missing.tif",
    ]
