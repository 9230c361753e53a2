"""Where workers keep a job's artifacts: page images, OCR results, the document's scratch.

Workers on many machines share one storage directory (``WorkerSettings.storage_dir``, a
network filesystem): a page read on one machine is assembled on another. Everything goes
through ``Storage`` so that an object store can take its place; ``LocalStorage`` is the
directory. Keys are ids only ("jobs/JOB/DOC/page-00003.json"), never a file name. The
artifacts are identified (page images, OCR text): they are sealed by the vault when it has
a key (pipeline/vault.py), files 0600 in 0700 folders.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Protocol

from pipeline.vault import PLAIN, Vault


class Storage(Protocol):
    """Bytes under keys; a write is atomic (a reader never sees half of it)."""

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key``, replacing what was there."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes under ``key``; FileNotFoundError when there are none."""
        ...

    def exists(self, key: str) -> bool:
        """Whether ``key`` holds anything."""
        ...

    def scratch(self, prefix: str) -> Path:
        """A local directory for ``prefix`` that the page and document stages share.

        The page stage writes the clean page images there and the document stage reads
        them (``pipeline.run``): on a shared filesystem, the same directory on every machine.
        """
        ...

    def delete(self, prefix: str) -> None:
        """Remove every key under ``prefix`` (nothing if there is none)."""
        ...


class LocalStorage:
    """A directory, shared by the workers of every machine (NFS or the like)."""

    def __init__(self, root: Path, vault: Vault = PLAIN) -> None:
        self.root = root
        self.vault = vault

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or any(p in ("", ".", "..") for p in parts):
            raise ValueError("a storage key is a relative path of ids")
        return self.root.joinpath(*parts)

    def put(self, key: str, data: bytes) -> None:
        """Seal, write under a temporary name (fsynced: other machines read it), rename."""
        path = self._path(key)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(self.vault.seal(data))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        """Read (and open) the file of ``key``."""
        return self.vault.read(self._path(key))

    def exists(self, key: str) -> bool:
        """Whether the file of ``key`` exists."""
        return self._path(key).is_file()

    def scratch(self, prefix: str) -> Path:
        """The directory of ``prefix``, made if missing."""
        path = self._path(prefix)
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return path

    def delete(self, prefix: str) -> None:
        """Remove the directory (or file) of ``prefix``."""
        path = self._path(prefix)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
