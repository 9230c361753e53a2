"""Reading and changing the state database: each function one short transaction.

Every change is idempotent, so that at-least-once delivery (a message redelivered after a
worker died, or sent twice) leaves the same rows: a page is recorded once, a document is
claimed by one message at a time and finished once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, and_, create_engine, event, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from pipeline.state.models import FINISHED, Batch, Document, Job, Page
from pipeline.vault import PLAIN, Vault

if TYPE_CHECKING:
    from pipeline.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
STATE_FILE = "state.db"


def default_url(out_dir: Path) -> str:
    """The embedded default: SQLite in OUTDIR."""
    return f"sqlite:///{(out_dir / STATE_FILE).resolve()}"


def open_state(url: str, vault: Vault = PLAIN) -> Engine:
    """An engine on the database at ``url``, upgraded to the newest migration.

    SQLite gets WAL (workers read while one writes), a 30 s busy wait and foreign keys.
    The identified columns (``models.Sealed``) are sealed by ``vault``.
    """
    from alembic import command
    from alembic.config import Config

    sqlite_db = url.startswith("sqlite")
    engine = create_engine(
        url,
        connect_args={"timeout": 30} if sqlite_db else {},
        pool_pre_ping=not sqlite_db,
    )
    engine.dialect.chart2fhir_vault = vault  # type: ignore[attr-defined]  # models.vault_of
    if sqlite_db:

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if not sqlite_db:
            # One migration at a time when many workers start at once.
            connection.execute(select(func.pg_advisory_xact_lock(0x63326668)))
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
    return engine


@dataclass(frozen=True)
class NewDocument:
    """A document to submit: its pages, or its record when it is finished already.

    A record at submission: refused at inspection (``failed``), or done in OUTDIR before
    (skipped, as ingest skips it).
    """

    doc_id: str
    source: str
    pages: int
    record: str | None = None  # DocumentRecord JSON


def create_job(
    engine: Engine,
    job_id: str,
    out_dir: Path,
    documents: Iterable[NewDocument],
    *,
    storage: Path,
) -> None:
    """Record a job with its documents and their pending pages (once: a repeat is ignored)."""
    docs = list(dict((d.doc_id, d) for d in documents).values())  # a file given twice: once
    now = _now()
    with engine.begin() as c:
        insert = _insert(engine)
        c.execute(
            insert(Job)
            .values(
                id=job_id,
                out_dir=str(out_dir),
                storage=str(storage),
                created_at=now,
                documents=len(docs),
            )
            .on_conflict_do_nothing()
        )
        for d in docs:
            stage, error = _stage_of(d)
            c.execute(
                insert(Document)
                .values(
                    job_id=job_id,
                    doc_id=d.doc_id,
                    source=d.source,
                    pages=d.pages,
                    stage=stage,
                    error=error,
                    record=d.record,
                    updated_at=now,
                )
                .on_conflict_do_nothing()
            )
            if d.record is not None or not d.pages:
                continue
            c.execute(
                insert(Page)
                .values(
                    [
                        dict(job_id=job_id, doc_id=d.doc_id, index=i, status="pending",
                             attempts=0, updated_at=now)
                        for i in range(d.pages)
                    ]
                )
                .on_conflict_do_nothing()
            )  # fmt: skip


def page_started(engine: Engine, job_id: str, doc_id: str, index: int) -> int | None:
    """Count a delivery that starts reading page ``index``: its deliveries so far.

    None when the page is read already (a duplicate message) or unknown.
    """
    with engine.begin() as c:
        started = c.execute(
            update(Page)
            .where(*_page(job_id, doc_id, index), Page.status == "pending")
            .values(attempts=Page.attempts + 1, updated_at=_now())
            .returning(Page.attempts)
        ).scalar_one_or_none()
    return started


def page_status(engine: Engine, job_id: str, doc_id: str, index: int) -> str | None:
    """A page's status (pending, done, failed); None if there is no such page."""
    with engine.connect() as c:
        return c.execute(
            select(Page.status).where(*_page(job_id, doc_id, index))
        ).scalar_one_or_none()


def page_finished(
    engine: Engine,
    job_id: str,
    doc_id: str,
    index: int,
    *,
    error: str | None = None,
    seconds: float | None = None,
) -> bool:
    """Record page ``index`` read (or failed with ``error``); True once no page is pending.

    A page already recorded stays as it was (a redelivered message). The count is read
    after the change is committed, so that of two workers finishing a document's last
    pages at once, at least one sees it complete (both may: the claim settles who goes on).
    """
    now = _now()
    with engine.begin() as c:
        c.execute(
            update(Page)
            .where(*_page(job_id, doc_id, index), Page.status == "pending")
            .values(
                status="failed" if error else "done", error=error, seconds=seconds, updated_at=now
            )
        )
        c.execute(
            update(Document)
            .where(*_document(job_id, doc_id), Document.stage == "queued")
            .values(stage="ocr", updated_at=now)
        )
    with engine.connect() as c:
        left = c.execute(select(func.count()).select_from(Page).where(*_pending(job_id, doc_id)))
        return left.scalar_one() == 0


def needs_assembly(engine: Engine, job_id: str, doc_id: str) -> bool:
    """Whether every page of the document is in and it is not finished yet."""
    with engine.connect() as c:
        found = c.execute(
            select(Document.doc_id).where(
                *_document(job_id, doc_id),
                Document.stage.not_in(FINISHED),
                ~exists().where(*_pending(job_id, doc_id)),
            )
        ).first()
    return found is not None


def claim_document(
    engine: Engine,
    job_id: str,
    doc_id: str,
    *,
    claimant: str,
    timeout_s: float,
    now: datetime | None = None,
) -> int:
    """Claim the document's assembly for ``claimant`` (a message id): its deliveries so far.

    Claimable: every page in and nobody assembling it yet; or claimed by ``claimant``
    itself (its message redelivered after its worker died); or claimed longer than
    ``timeout_s`` ago. A finished document is never claimed again. 0: not ours.
    """
    now = now or _now()
    pending = exists().where(*_pending(job_id, doc_id))
    with engine.begin() as c:
        done = c.execute(
            update(Document)
            .where(
                *_document(job_id, doc_id),
                ~pending,
                or_(
                    Document.stage.in_(("queued", "ocr")),
                    and_(
                        Document.stage == "assembling",
                        or_(
                            Document.claimed_by == claimant,
                            Document.claimed_at < now - timedelta(seconds=timeout_s),
                        ),
                    ),
                ),
            )
            .values(
                stage="assembling",
                claimed_by=claimant,
                claimed_at=now,
                attempts=Document.attempts + 1,
                updated_at=now,
            )
            .returning(Document.attempts)
        ).scalar_one_or_none()
    return done or 0


def finish_document(
    engine: Engine,
    job_id: str,
    doc_id: str,
    *,
    claimant: str,
    status: str,
    error: str | None,
    record: str | None = None,
) -> bool:
    """Record the document ``status`` (done, review, failed), if ``claimant`` holds it."""
    if status not in FINISHED:
        raise ValueError("status must be done, review or failed")
    with engine.begin() as c:
        done = c.execute(
            update(Document)
            .where(
                *_document(job_id, doc_id),
                Document.stage == "assembling",
                Document.claimed_by == claimant,
            )
            .values(stage=status, error=error, record=record, updated_at=_now())
        )
        return done.rowcount == 1


def job_finished(engine: Engine, job_id: str) -> None:
    """Record the job's manifest written (again, after a redelivery: the first time stays)."""
    with engine.begin() as c:
        c.execute(
            update(Job)
            .where(Job.id == job_id, Job.finished_at.is_(None))
            .values(finished_at=_now())
        )


@dataclass(frozen=True)
class JobProgress:
    """Counts of a job, for ``chart2fhir status``: no names, no paths."""

    job_id: str
    documents: int
    by_stage: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    pages_done: int = 0
    pages_failed: int = 0
    started: datetime | None = None
    updated: datetime | None = None  # the latest change of any row
    written: datetime | None = None  # the manifest, once every document finished

    @property
    def finished(self) -> bool:
        """Whether every document is done, in review or failed."""
        return sum(self.by_stage.get(s, 0) for s in FINISHED) == self.documents

    def pages_per_minute(self) -> float:
        """Pages read per minute since the job started."""
        if not self.started or not self.updated or self.updated <= self.started:
            return 0.0
        minutes = (self.updated - self.started).total_seconds() / 60
        return (self.pages_done + self.pages_failed) / minutes

    def eta_s(self) -> float | None:
        """Seconds until every page is read, at the rate so far (None before any)."""
        rate = self.pages_per_minute()
        if not rate:
            return None
        return (self.pages - self.pages_done - self.pages_failed) / rate * 60


def progress(engine: Engine, job_id: str) -> JobProgress | None:
    """The job's counts; None if there is no such job."""
    with engine.connect() as c:
        job = c.execute(select(Job).where(Job.id == job_id)).first()
        if job is None:
            return None
        stages = dict(
            c.execute(
                select(Document.stage, func.count())
                .where(Document.job_id == job_id)
                .group_by(Document.stage)
            ).all()
        )
        pages = dict(
            c.execute(
                select(Page.status, func.count()).where(Page.job_id == job_id).group_by(Page.status)
            ).all()
        )
        updated = c.execute(
            select(func.max(Document.updated_at)).where(Document.job_id == job_id)
        ).scalar_one()
    return JobProgress(
        job_id=job_id,
        documents=job.documents,
        by_stage={str(k): int(v) for k, v in stages.items()},
        pages=sum(pages.values()),
        pages_done=pages.get("done", 0),
        pages_failed=pages.get("failed", 0),
        started=job.created_at,
        updated=updated,
        written=job.finished_at,
    )


@dataclass(frozen=True)
class DocumentProgress:
    """One document of a job, for ``chart2fhir status --documents``: ids and counts only."""

    doc_id: str
    stage: str
    pages: int
    pages_read: int  # done or failed
    error: str | None  # "E###: fixed text"


def document_progress(engine: Engine, job_id: str) -> list[DocumentProgress]:
    """Every document of the job with its stage and pages read, by doc_id."""
    read = (
        select(Page.doc_id, func.count().label("n"))
        .where(Page.job_id == job_id, Page.status != "pending")
        .group_by(Page.doc_id)
        .subquery()
    )
    with engine.connect() as c:
        rows = c.execute(
            select(Document.doc_id, Document.stage, Document.pages, read.c.n, Document.error)
            .outerjoin(read, read.c.doc_id == Document.doc_id)
            .where(Document.job_id == job_id)
            .order_by(Document.doc_id)
        ).all()
    return [
        DocumentProgress(d, stage, pages, int(n or 0), error) for d, stage, pages, n, error in rows
    ]


def _stage_of(d: NewDocument) -> tuple[str, str | None]:
    """The stage a submitted document starts in, and its error: finished if its record is."""
    if d.record is None:
        return "queued", None
    from pipeline.schema import DocumentRecord

    record = DocumentRecord.model_validate_json(d.record)
    return record.status, record.error


def job_paths(engine: Engine, job_id: str) -> tuple[Path, Path]:
    """(OUTDIR, storage directory) of a job; LookupError if there is no such job."""
    with engine.connect() as c:
        row = c.execute(select(Job.out_dir, Job.storage).where(Job.id == job_id)).first()
    if row is None:
        raise LookupError("no such job")
    return Path(row[0]), Path(row[1])


def document_source(engine: Engine, job_id: str, doc_id: str) -> tuple[str, int]:
    """(input path, pages) of a document; LookupError if there is no such document."""
    with engine.connect() as c:
        row = c.execute(
            select(Document.source, Document.pages).where(*_document(job_id, doc_id))
        ).first()
    if row is None:
        raise LookupError("no such document")
    return str(row[0]), int(row[1])


def records(engine: Engine, job_id: str) -> dict[str, str]:
    """The DocumentRecord JSON of every finished document of the job, by doc_id."""
    with engine.connect() as c:
        rows = c.execute(
            select(Document.doc_id, Document.record).where(
                Document.job_id == job_id, Document.record.is_not(None)
            )
        ).all()
    return {doc_id: record for doc_id, record in rows if record is not None}


def _document(job_id: str, doc_id: str) -> tuple[Any, ...]:
    """The WHERE terms of one document's row."""
    return Document.job_id == job_id, Document.doc_id == doc_id


def _page(job_id: str, doc_id: str, index: int) -> tuple[Any, ...]:
    """The WHERE terms of one page's row."""
    return Page.job_id == job_id, Page.doc_id == doc_id, Page.index == index


def _pending(job_id: str, doc_id: str) -> tuple[Any, ...]:
    """The WHERE terms of a document's pages not yet read."""
    return Page.job_id == job_id, Page.doc_id == doc_id, Page.status == "pending"


def _insert(engine: Engine) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING (SQLite and PostgreSQL)."""
    return postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert


def _now() -> datetime:
    """Now, naive UTC (see models.py)."""
    return datetime.now(UTC).replace(tzinfo=None)


def reseal(engine: Engine) -> int:
    """Write every identified value (``models.Sealed`` columns) again, under the current key.

    Returns the values written.
    """
    from pipeline.state.models import Base, Sealed

    written = 0
    for table in Base.metadata.sorted_tables:
        sealed = [c for c in table.columns if isinstance(c.type, Sealed)]
        if not sealed:
            continue
        keys = list(table.primary_key.columns)
        with engine.begin() as c:
            for row in c.execute(select(*keys, *sealed)).all():
                values = {col.name: row[len(keys) + i] for i, col in enumerate(sealed)}
                where = [k == row[i] for i, k in enumerate(keys)]
                c.execute(update(table).where(*where).values(**values))
                written += sum(v is not None for v in values.values())
    return written


def batch_id(out_dir: Path) -> str:
    """A batch's id: from its OUTDIR's resolved path (no path in the id itself)."""
    return hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]


def register_batch(engine: Engine, out_dir: Path) -> str:
    """Register ``out_dir`` as a batch (once: review, retention); returns its id."""
    bid = batch_id(out_dir)
    with engine.begin() as c:
        c.execute(
            _insert(engine)(Batch)
            .values(id=bid, out_dir=str(out_dir.resolve()), registered_at=_now())
            .on_conflict_do_nothing()
        )
    return bid


def batches(engine: Engine) -> list[tuple[str, Path]]:
    """(id, OUTDIR) of every batch."""
    with engine.connect() as c:
        return [(b, Path(d)) for b, d in c.execute(select(Batch.id, Batch.out_dir))]


def open_for(out_dir: Path, settings: Settings) -> Engine:
    """The state database of ``out_dir``: ``state.url``, else OUTDIR/state.db (made 0700)."""
    vault = Vault.from_settings(settings.vault)
    if settings.state.url is not None:
        return open_state(settings.state.url.get_secret_value(), vault)
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    return open_state(default_url(out_dir), vault)
