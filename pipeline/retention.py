"""Retention and legal hold of a batch's identified artifacts, and purging them.

A batch is an OUTDIR, registered in the state database (``review_batches``). Its retention
period says how long a document's identified artifacts are kept after the document
finished (``DocumentRecord.finished_at``); a legal hold keeps every artifact of the batch
whatever the period. ``purge`` deletes the identified artifacts of the documents past their
period in batches not on hold: in the document's folder the files ``vault.identified``
names (text.txt, bundle.json, searchable.pdf, ocr.json, extraction.json, hocr/, the
identified history), its rendered pages in the review cache, its pages in queue storage;
in the state database its review items (values and all: the review app has nothing left to
show) and its input path; in the manifest its input path (the record stays, with
``purged_at``, and is never put to review again). The de-identified outputs stay: they are
what analysts keep. Every change of policy and every purged document is an audit row.

A document without ``finished_at`` (written before it was recorded) is never due: it is
reported as undated, and kept.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, delete, select, update

from pipeline.batch import read_manifest, write_manifest
from pipeline.layout import identified
from pipeline.schema import DocumentRecord
from pipeline.state import audit
from pipeline.state.models import Batch, Document, Item, Job
from pipeline.state.store import register_batch
from pipeline.vault import Vault


@dataclass(frozen=True)
class Policy:
    """A batch's retention: days after a document finished (None: no period), and hold."""

    batch_id: str
    retain_days: int | None
    legal_hold: bool
    hold_reference: str | None


@dataclass(frozen=True)
class Plan:
    """What a purge of a batch would do at ``now``."""

    policy: Policy
    due: tuple[str, ...]  # doc_ids past their period, not on hold: purged
    held: tuple[str, ...] = ()  # doc_ids past their period, kept by the legal hold
    kept: dict[str, datetime] = field(default_factory=dict)  # doc_id -> kept until
    undated: tuple[str, ...] = ()  # no finished_at: kept
    purged_before: tuple[str, ...] = ()  # purged by an earlier run


@dataclass(frozen=True)
class Purged:
    """What ``purge`` deleted: files per doc_id (none when the batch is on hold)."""

    plan: Plan
    files: dict[str, int]


def policy(engine: Engine, out_dir: Path) -> Policy:
    """The retention of ``out_dir``'s batch (registered when it is not yet)."""
    bid = register_batch(engine, out_dir)
    with engine.connect() as c:
        row = c.execute(
            select(Batch.retain_days, Batch.legal_hold, Batch.hold_reference).where(Batch.id == bid)
        ).one()
    return Policy(bid, row[0], bool(row[1]), row[2])


def set_retention(engine: Engine, out_dir: Path, days: int, *, actor: str) -> Policy:
    """Keep identified artifacts ``days`` after each document finished (audited)."""
    if days < 0:
        raise ValueError("a retention period is 0 or more days")
    bid = policy(engine, out_dir).batch_id
    with engine.begin() as c:
        c.execute(update(Batch).where(Batch.id == bid).values(retain_days=days))
    audit.record(engine, actor, "retention_set", f"batch:{bid}", days=days)
    return policy(engine, out_dir)


def set_hold(engine: Engine, out_dir: Path, reference: str | None, *, actor: str) -> Policy:
    """Put the batch on legal hold under ``reference`` (a matter number), or release it."""
    if reference is not None and not 0 < len(reference) <= 100:
        raise ValueError("a legal hold's reference is 1 to 100 characters")
    bid = policy(engine, out_dir).batch_id
    with engine.begin() as c:
        c.execute(
            update(Batch)
            .where(Batch.id == bid)
            .values(legal_hold=reference is not None, hold_reference=reference)
        )
    action = "legal_hold" if reference is not None else "legal_hold_released"
    audit.record(engine, actor, action, f"batch:{bid}")
    return policy(engine, out_dir)


def plan(records: list[DocumentRecord], rule: Policy, now: datetime) -> Plan:
    """Which documents of ``records`` are due for purging at ``now`` under ``rule``."""
    due: list[str] = []
    kept: dict[str, datetime] = {}
    undated: list[str] = []
    before: list[str] = []
    for r in dict((r.doc_id, r) for r in records).values():  # a twin input: one document
        if r.purged_at is not None:
            before.append(r.doc_id)
        elif r.finished_at is None:
            undated.append(r.doc_id)
        elif rule.retain_days is None:
            continue
        elif (until := r.finished_at + timedelta(days=rule.retain_days)) <= now:
            due.append(r.doc_id)
        else:
            kept[r.doc_id] = until
    return Plan(
        rule,
        due=() if rule.legal_hold else tuple(due),
        held=tuple(due) if rule.legal_hold else (),
        kept=kept,
        undated=tuple(undated),
        purged_before=tuple(before),
    )


def purge(
    out_dir: Path,
    *,
    engine: Engine,
    vault: Vault,
    actor: str,
    now: datetime | None = None,
    dry_run: bool = False,
) -> Purged:
    """Delete the identified artifacts of every due document of ``out_dir`` (see above)."""
    now = now or datetime.now(UTC)
    records = read_manifest(out_dir, vault)
    todo = plan(records, policy(engine, out_dir), now)
    files: dict[str, int] = {}
    if dry_run:
        return Purged(todo, {d: len(_artifacts(out_dir, d)) for d in todo.due})
    for doc_id in todo.due:
        files[doc_id] = _delete(out_dir, doc_id)
        _forget(engine, out_dir, todo.policy.batch_id, doc_id)
        records = [
            r.model_copy(update={"source": "", "purged_at": now}) if r.doc_id == doc_id else r
            for r in records
        ]
        write_manifest(out_dir, records, vault)  # after each: a crash loses no record
        audit.record(
            engine,
            actor,
            "purge",
            f"document:{doc_id}",
            batch=todo.policy.batch_id,
            files=files[doc_id],
        )
    return Purged(todo, files)


def _artifacts(out_dir: Path, doc_id: str) -> list[Path]:
    """The identified files of a document: in its folder, review cache and queue storage."""
    found = [
        p
        for p in sorted((out_dir / doc_id).rglob("*"))
        if p.is_file() and identified(p.relative_to(out_dir))
    ]
    found += sorted(p for p in (out_dir / ".review-cache" / doc_id).glob("*") if p.is_file())
    queue = out_dir / ".queue-storage" / "jobs"
    found += sorted(p for p in queue.glob(f"*/{doc_id}/*") if p.is_file())
    return found


def _delete(out_dir: Path, doc_id: str) -> int:
    """Remove the document's identified files (and the folders only they filled)."""
    gone = _artifacts(out_dir, doc_id)
    for path in gone:
        path.unlink(missing_ok=True)
    for folder in (
        out_dir / doc_id / "hocr",
        out_dir / ".review-cache" / doc_id,
        *(out_dir / ".queue-storage" / "jobs").glob(f"*/{doc_id}"),
    ):
        shutil.rmtree(folder, ignore_errors=True)
    return len(gone)


def _forget(engine: Engine, out_dir: Path, batch_id: str, doc_id: str) -> None:
    """Remove the document's identified values from the state database."""
    with engine.begin() as c:
        c.execute(delete(Item).where(Item.batch_id == batch_id, Item.doc_id == doc_id))
        jobs = select(Job.id).where(Job.out_dir == str(out_dir.resolve()))
        c.execute(
            update(Document)
            .where(Document.doc_id == doc_id, Document.job_id.in_(jobs))
            .values(source="", record=None)
        )
