"""The state database's tables: jobs, their documents and pages; the review app's.

A row holds ids, counts, stages and error codes; the identified columns are
``documents.source`` (the input path, which a file name can make PHI) and the values a
review item holds (``review_items.original``/``corrected``). The database is identified
storage, like OUTDIR's bundle.json; it is never logged or put in a message. Those columns
are ``Sealed``: with a vault key they hold AES-GCM ciphertext (pipeline/vault.py).
Times are naive UTC (SQLite keeps no zone).
Every change to these tables is a migration (``migrations/versions``): ``open_state``
upgrades a database to the newest one before use.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from pipeline.vault import PLAIN, Vault

# A document's stage: queued (no page read yet), ocr (pages being read), assembling (the
# join claimed it: extraction, de-identification, FHIR), then what ingest records.
STAGES = ("queued", "ocr", "assembling", "done", "review", "failed")
FINISHED = ("done", "review", "failed")
# A page's status: pending until read; failed pages count as in (the document records them).
PAGE_STATUSES = ("pending", "done", "failed")


class Sealed(TypeDecorator[str]):
    """Text sealed by the vault of the engine (``store.open_state(url, vault)``).

    The vault rides on the engine's dialect, the one object SQLAlchemy hands a type; a
    value never compares equal to its sealed form, so these columns are never queried by
    value. A plain value (written without a key) reads as it is.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """Seal a value on its way in."""
        return None if value is None else vault_of(dialect).seal_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        """Open a value on its way out."""
        return None if value is None else vault_of(dialect).open_text(value)


def vault_of(dialect: Dialect) -> Vault:
    """The vault ``open_state`` set on an engine's dialect (none: plain)."""
    vault: Vault = getattr(dialect, "chart2fhir_vault", PLAIN)
    return vault


class Base(DeclarativeBase):
    """The declarative base of the state tables."""


class Job(Base):
    """One ``chart2fhir submit``: documents bound for one OUTDIR."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    out_dir: Mapped[str] = mapped_column(String(4096))
    storage: Mapped[str] = mapped_column(String(4096))  # the shared storage directory
    created_at: Mapped[datetime] = mapped_column(DateTime())
    documents: Mapped[int] = mapped_column(Integer, default=0)
    # When its manifest was written (every document finished): the job is over.
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(), default=None)


class Document(Base):
    """A document of a job, with its stage and, once finished, its status."""

    __tablename__ = "documents"

    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(Sealed)  # identified: see the module docstring
    pages: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    error: Mapped[str | None] = mapped_column(String(200), default=None)  # "E###: fixed text"
    # The message that claimed the join, and when: a redelivery of that message may go on.
    claimed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(), default=None)
    # Deliveries of the join that claimed it (a worker killed mid-join is delivered again).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(DateTime())
    # The finished document's DocumentRecord (JSON), for the job's manifest.
    record: Mapped[str | None] = mapped_column(Sealed, default=None)

    __table_args__ = (ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="CASCADE"),)


class Page(Base):
    """A page of a document: read once, whichever worker and however often redelivered."""

    __tablename__ = "pages"

    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    error: Mapped[str | None] = mapped_column(String(200), default=None)
    # Deliveries that started reading it: more than the message's retries means workers
    # died on it (see workers.actors, poison pages).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime())

    __table_args__ = (
        ForeignKeyConstraint(
            ["job_id", "doc_id"], ["documents.job_id", "documents.doc_id"], ondelete="CASCADE"
        ),
    )


# --- the reviewers' web app (pipeline/review/) -----------------------------------------

ROLES = ("reviewer", "supervisor", "admin")
# An item's state: open until a reviewer accepts, corrects or rejects it.
ITEM_STATES = ("open", "accepted", "corrected", "rejected")


class User(Base):
    """A person who signs in to the review app; ``chart2fhir users`` manages them."""

    __tablename__ = "review_users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, with its salt
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime())


class Session(Base):
    """A signed-in browser: the cookie holds the token, the row only its SHA-256."""

    __tablename__ = "review_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    csrf: Mapped[str] = mapped_column(String(64))  # every form of the session carries it
    created_at: Mapped[datetime] = mapped_column(DateTime())
    last_seen_at: Mapped[datetime] = mapped_column(DateTime())

    __table_args__ = (
        ForeignKeyConstraint(["username"], ["review_users.username"], ondelete="CASCADE"),
    )


class Batch(Base):
    """An OUTDIR: under review (an ``ingest`` run's, or a job's), and under retention."""

    __tablename__ = "review_batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    out_dir: Mapped[str] = mapped_column(String(4096), unique=True)
    # The manifest.json last read into items (its mtime in ns): read again when it changes.
    manifest_mtime_ns: Mapped[int | None] = mapped_column(BigInteger, default=None)
    registered_at: Mapped[datetime] = mapped_column(DateTime())
    # pipeline/retention.py: a document's identified artifacts may be purged this many days
    # after it finished (None: kept until a period is set), unless the batch is on legal
    # hold. The hold's reference is a matter number, never patient data.
    retain_days: Mapped[int | None] = mapped_column(Integer, default=None)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    hold_reference: Mapped[str | None] = mapped_column(String(100), default=None)


class Item(Base):
    """One thing a reviewer settles: a value, a page reading, a PHI detection, an identity.

    ``original`` and ``corrected`` are identified (values as read and as corrected): the
    state database is identified storage (see the module docstring).
    """

    __tablename__ = "review_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(32), index=True)
    doc_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # review.items.KINDS
    ref: Mapped[str] = mapped_column(String(200))  # what in the document: "observations/3"
    reason: Mapped[str] = mapped_column(String(4))  # the error code that asks for review
    label: Mapped[str] = mapped_column(String(100))  # the item's type: "Heart rate", "PERSON"
    page: Mapped[int | None] = mapped_column(Integer, default=None)  # 0-based
    box: Mapped[str | None] = mapped_column(String(64), default=None)  # "x0,y0,x1,y1"
    risk: Mapped[float] = mapped_column(Float, index=True)  # 0..1, highest reviewed first
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    original: Mapped[str] = mapped_column(Sealed)  # JSON
    corrected: Mapped[str | None] = mapped_column(Sealed, default=None)  # JSON
    resolved_by: Mapped[str | None] = mapped_column(String(64), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(), default=None)

    __table_args__ = (
        UniqueConstraint("batch_id", "doc_id", "kind", "ref"),
        ForeignKeyConstraint(["batch_id"], ["review_batches.id"], ondelete="CASCADE"),
    )


class AuditEntry(Base):
    """One row of the append-only audit log, chained by hash to the one before.

    ``hash`` is SHA-256 over the previous row's hash and this row's fields; ``prev_hash``
    is unique, so two writers cannot both extend the same row (one retries). Triggers
    refuse UPDATE and DELETE (migration 0003). No PHI: ids, actions and field names only.
    """

    __tablename__ = "review_audit"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    resource: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(String(500), default="")
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))
