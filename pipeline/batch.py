"""A batch of inputs in one process tree: discovery, skipping, parallelism, the manifest.

Documents run concurrently in threads of this process (they mostly wait); their pages run in
a pool of worker processes, one page per process at a time, tesseract single-threaded in
each. This is the embedded mode; ``workers/`` spreads the same stages over machines.
"""

from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from pipeline.errors import PageWorkerCrashed, PipelineError, SourceUnreadable
from pipeline.logs import fields, get_logger
from pipeline.ocr.load import doc_id_for, inspect_source
from pipeline.run import Context, failure_record, process_document
from pipeline.schema import DocumentRecord, Source
from pipeline.settings import Settings, configure_process
from pipeline.vault import PLAIN, Vault

log = get_logger(__name__)
MANIFEST = "manifest.json"


def discover(paths: Iterable[str], *, exclude: Path | None = None) -> list[str]:
    """Every input file named or found (recursively, sorted) in the folders named.

    Hidden files are skipped; everything else is an input, so that an unsupported file gets
    a ``failed`` record instead of vanishing.
    """
    found: list[str] = []
    excluded = exclude.resolve() if exclude else None
    for path in paths:
        p = Path(path)
        if not p.is_dir():
            found.append(path)
            continue
        for root, dirs, files in os.walk(p):
            root_path = Path(root)
            dirs[:] = sorted(
                d for d in dirs if not d.startswith(".") and (root_path / d).resolve() != excluded
            )
            found.extend(str(root_path / f) for f in sorted(files) if not f.startswith("."))
    return found


def read_manifest(out_dir: Path, vault: Vault = PLAIN) -> list[DocumentRecord]:
    """The records of an earlier run into ``out_dir`` (none if there was none).

    The manifest is identified (its ``source`` paths) and sealed by ``vault`` when it has a
    key; a sealed manifest without its key raises SealedUnreadable, never reads as empty.
    """
    try:
        data = json.loads(vault.read(out_dir / MANIFEST))
        return [DocumentRecord.model_validate(d) for d in data["documents"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def write_manifest(out_dir: Path, records: list[DocumentRecord], vault: Vault = PLAIN) -> None:
    """Write manifest.json atomically, sealed by ``vault``."""
    body = {"documents": [r.model_dump(mode="json") for r in records]}
    vault.write(out_dir / MANIFEST, json.dumps(body, indent=2) + "\n")


def init_worker() -> None:
    """Page worker process set-up: single-threaded tesseract and OpenCV."""
    import cv2

    configure_process()
    cv2.setNumThreads(1)


class PagePool:
    """Worker processes for pages; a pool broken by a dying worker is replaced.

    A worker killed mid-page (out of memory, a signal) breaks the whole executor. The
    documents whose pages were in flight fail with E305; the next documents get a new pool.
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._lock = threading.Lock()
        self._pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
        )

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        """``fn`` over ``items`` in the worker processes, results in order."""
        with self._lock:
            pool = self._pool
        try:
            return list(pool.map(fn, items))
        except BrokenProcessPool as e:
            with self._lock:
                if self._pool is pool:
                    self._pool = self._new()
            raise PageWorkerCrashed() from e

    def shutdown(self) -> None:
        """Stop the workers, dropping queued pages."""
        self._pool.shutdown(cancel_futures=True)


def ingest(
    paths: list[str],
    *,
    out_dir: Path,
    settings: Settings,
    jobs: int,
    force: bool = False,
    on_done: Callable[[DocumentRecord], None] | None = None,
) -> list[DocumentRecord]:
    """Process every input into ``out_dir``; returns one record per input, in input order.

    Documents already ``done``/``review`` in ``out_dir`` (same content hash) are skipped
    unless ``force``. The manifest keeps earlier documents that this run did not touch.
    """
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    inputs = discover(paths, exclude=out_dir)
    vault = Vault.from_settings(settings.vault)
    earlier = {r.doc_id: r for r in read_manifest(out_dir, vault)}
    records: list[DocumentRecord | None] = [None] * len(inputs)
    lock = threading.Lock()
    by_doc: dict[str, Future[DocumentRecord]] = {}
    log.info("batch started", extra=fields(documents=len(inputs), jobs=jobs))

    pool = PagePool(jobs)
    ctx = Context(settings=settings, map_pages=pool.map)

    def handle(path: str) -> DocumentRecord:
        source = inspect_input(
            path, out_dir=out_dir, earlier=earlier, settings=settings, force=force
        )
        if isinstance(source, DocumentRecord):
            return source
        with lock:
            # The same content twice in one run is processed once; both inputs get a record.
            twin = by_doc.get(source.doc_id)
            if twin is None:
                mine: Future[DocumentRecord] = Future()
                by_doc[source.doc_id] = mine
        if twin is not None:
            return twin.result().model_copy(update={"source": path})
        try:
            record = process_document(source, out_dir=out_dir, ctx=ctx)
        except BaseException as e:
            mine.set_exception(e)
            raise
        mine.set_result(record)
        return record

    def finish(i: int, fut: Future[DocumentRecord]) -> None:
        record = fut.result()
        with lock:
            records[i] = record
            done = [r for r in records if r is not None]
            _save(out_dir, earlier, done, vault)
        if on_done:
            on_done(record)

    try:
        with ThreadPoolExecutor(max_workers=jobs + 1) as threads:
            futures = []
            for i, path in enumerate(inputs):
                fut = threads.submit(handle, path)
                fut.add_done_callback(functools.partial(finish, i))
                futures.append(fut)
            for fut in futures:
                fut.result()
    finally:
        pool.shutdown()
    return finish_run(out_dir, earlier, [r for r in records if r is not None], vault)


def inspect_input(
    path: str,
    *,
    out_dir: Path,
    earlier: dict[str, DocumentRecord],
    settings: Settings,
    force: bool,
) -> Source | DocumentRecord:
    """The Source of ``path`` to process, or its record when there is nothing to process.

    A record: ``failed`` when the input is refused at inspection (E1xx), or the earlier
    record when the same content is done or in review in ``out_dir`` already (unless
    ``force``). Shared by ``ingest`` and ``chart2fhir submit``.
    """
    try:
        source = inspect_source(path, cfg=settings.load)
    except PipelineError as e:
        return failure_record(path, _path_id(path), e)
    except Exception:  # noqa: BLE001 - an input we cannot even inspect still gets a record
        return failure_record(path, _path_id(path), SourceUnreadable())
    previous = earlier.get(source.doc_id)
    if (
        not force
        and previous is not None
        and previous.status in ("done", "review")
        and (out_dir / source.doc_id / "bundle.json").exists()
    ):
        log.info("document skipped", extra=fields(doc_id=source.doc_id, status="skipped"))
        return previous.model_copy(update={"source": path})
    return source


def finish_run(
    out_dir: Path, earlier: dict[str, DocumentRecord], final: list[DocumentRecord], vault: Vault
) -> list[DocumentRecord]:
    """Write the manifest of a run and check identities across OUTDIR.

    The manifest keeps earlier documents the run did not touch; returns ``final`` with
    identity flags. Ingest and the worker queues' last step end the same way.
    """
    _save(out_dir, earlier, final, vault)
    return _check_identities(out_dir, final, vault)


def _check_identities(
    out_dir: Path, final: list[DocumentRecord], vault: Vault
) -> list[DocumentRecord]:
    """Flag identity conflicts across every document of ``out_dir`` (pipeline/identity.py)."""
    from pipeline.identity import check_identities

    everything = check_identities(out_dir, read_manifest(out_dir, vault), vault)
    write_manifest(out_dir, everything, vault)
    flags = {r.doc_id: (r.status, r.error, r.reasons) for r in everything}
    return [
        r.model_copy(update=dict(zip(("status", "error", "reasons"), flags[r.doc_id], strict=True)))
        if r.doc_id in flags
        else r
        for r in final
    ]


def _save(
    out_dir: Path,
    earlier: dict[str, DocumentRecord],
    records: list[DocumentRecord],
    vault: Vault,
) -> None:
    touched = {r.doc_id for r in records}
    kept = [r for doc_id, r in earlier.items() if doc_id not in touched]
    write_manifest(out_dir, kept + records, vault)


def _path_id(path: str) -> str:
    """An id for an input whose content cannot be read: from its path, which is not shown."""
    return "x" + doc_id_for(hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest())[1:]


def exit_code(records: list[DocumentRecord]) -> int:
    """0 when every document is done or in review, 3 when any failed."""
    return 3 if any(r.status == "failed" for r in records) else 0


def summary(records: list[DocumentRecord]) -> dict[str, Any]:
    """Counts for the closing line of a run."""
    pages = sum(r.pages for r in records)
    seconds = sum(r.seconds for r in records)
    return {
        "documents": len(records),
        "done": sum(r.status == "done" for r in records),
        "review": sum(r.status == "review" for r in records),
        "failed": sum(r.status == "failed" for r in records),
        "pages": pages,
        "observations": sum(r.observations for r in records),
        "phi_spans": sum(r.phi_spans for r in records),
        "seconds": round(seconds, 2),
    }
