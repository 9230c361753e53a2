"""The state database's tables: jobs, their documents and their pages.

A row holds ids, counts, stages and error codes; the one identified column is
``documents.source`` (the input path, which a file name can make PHI). The database is
identified storage, like OUTDIR's bundle.json; it is never logged or put in a message.
Times are naive UTC (SQLite keeps no zone).
Every change to these tables is a migration (``migrations/versions``): ``open_state``
upgrades a database to the newest one before use.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKeyConstraint, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# A document's stage: queued (no page read yet), ocr (pages being read), assembling (the
# join claimed it: extraction, de-identification, FHIR), then what ingest records.
STAGES = ("queued", "ocr", "assembling", "done", "review", "failed")
FINISHED = ("done", "review", "failed")
# A page's status: pending until read; failed pages count as in (the document records them).
PAGE_STATUSES = ("pending", "done", "failed")


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
    source: Mapped[str] = mapped_column(String(4096))  # identified: see the module docstring
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
    record: Mapped[str | None] = mapped_column(Text, default=None)

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
