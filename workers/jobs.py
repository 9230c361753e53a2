"""``chart2fhir submit`` and ``chart2fhir status``: a job onto the queues, and its progress.

Submission inspects every input as ingest does (``pipeline.batch.inspect_input``): a
refused input (E1xx) or one done in OUTDIR before is recorded finished at once; every other
document is stored (its Source, in the job's storage) and its pages are sent to the OCR
queue, one message per page. The messages carry (job_id, doc_id, index) only.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from pipeline import state
from pipeline.batch import discover, inspect_input, read_manifest
from pipeline.schema import DocumentRecord
from pipeline.settings import Settings
from pipeline.state.store import NewDocument
from pipeline.storage import LocalStorage
from pipeline.vault import Vault

QUEUE_STORAGE = ".queue-storage"


def submit(
    paths: list[str],
    *,
    out_dir: Path,
    settings: Settings,
    force: bool = False,
    urgent: bool = False,
) -> str:
    """Record a job for ``paths`` and send its pages; returns the job id.

    ``urgent`` (a reviewer's re-run): on the urgent queues, which workers take first.

    Raises:
        RuntimeError: the broker or state database is not configured.

    """
    from workers import actors  # binds the actors to the configured broker

    out_dir = out_dir.resolve()  # the same path on every worker (a shared filesystem)
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    storage_dir = (settings.worker.storage_dir or out_dir / QUEUE_STORAGE).resolve()
    vault = Vault.from_settings(settings.vault)
    store = LocalStorage(storage_dir, vault)
    engine = actors.engine()
    job_id = uuid.uuid4().hex
    inputs = discover(paths, exclude=out_dir)
    earlier = {r.doc_id: r for r in read_manifest(out_dir, vault)}
    docs: dict[str, NewDocument] = {}
    order: list[tuple[str, str]] = []
    for path in inputs:
        found = inspect_input(
            path, out_dir=out_dir, earlier=earlier, settings=settings, force=force
        )
        order.append((path, found.doc_id))
        if found.doc_id in docs:
            continue  # the same content twice: processed once, both inputs get its record
        if isinstance(found, DocumentRecord):
            docs[found.doc_id] = NewDocument(
                found.doc_id, path, found.pages, record=found.model_dump_json()
            )
        else:
            key = actors.doc_key(job_id, found.doc_id, "source.json")
            store.put(key, found.model_dump_json().encode())
            docs[found.doc_id] = NewDocument(found.doc_id, path, found.pages)
    store.put(f"jobs/{job_id}/inputs.json", json.dumps(order).encode())
    store.put(
        f"jobs/{job_id}/earlier.json",
        json.dumps({d: r.model_dump(mode="json") for d, r in earlier.items()}).encode(),
    )
    state.create_job(engine, job_id, out_dir, docs.values(), storage=storage_dir)
    pending = [d for d in docs.values() if d.record is None]
    for d in pending:
        for i in range(d.pages):
            actors.send(actors.read_page_actors, job_id, d.doc_id, i, urgent=urgent)
    if not pending:
        actors.send(actors.finish_job_actors, job_id, urgent=urgent)
    return job_id


def status_line(progress: state.JobProgress) -> str:
    """One line of counts: no names, no paths."""
    stages = ", ".join(f"{k} {v}" for k, v in sorted(progress.by_stage.items()))
    eta = progress.eta_s()
    return (
        f"job {progress.job_id}: {progress.documents} documents ({stages}); pages "
        f"{progress.pages_done + progress.pages_failed}/{progress.pages} read "
        f"({progress.pages_failed} failed), {progress.pages_per_minute():.1f} pages/min"
        + (f", ETA {eta:.0f} s" if eta is not None and not progress.finished else "")
        + ("; manifest written" if progress.written else "")
    )


def document_lines(documents: list[state.store.DocumentProgress]) -> list[str]:
    """A line a document: its id, stage, pages read and error code; no names, no paths."""
    return [
        f"{d.doc_id}  {d.stage:<10}  pages {d.pages_read}/{d.pages}"
        + (f"  {d.error[:4]}" if d.error else "")
        for d in documents
    ]
