"""The state database: jobs, documents and pages, shared by every worker of a run.

The join that assembles a document once all its pages are read is state here, not an
in-memory barrier: any worker on any machine records a page (``page_finished``), the one
that sees the last page in enqueues the assembly, and the assembly claims the document
(``claim_document``) so that a duplicate message does no work twice, while a redelivery of
the claiming message (its worker died) goes on. SQLite (OUTDIR/state.db) serves one
machine; PostgreSQL serves many (``StateSettings.url``). Tables are made and upgraded by
Alembic migrations (``migrations/``) when a database is opened.
"""

from pipeline.state.store import (
    JobProgress,
    claim_document,
    create_job,
    default_url,
    finish_document,
    job_finished,
    needs_assembly,
    open_state,
    page_finished,
    page_started,
    progress,
)

__all__ = [
    "JobProgress",
    "claim_document",
    "create_job",
    "default_url",
    "finish_document",
    "job_finished",
    "needs_assembly",
    "open_state",
    "page_finished",
    "page_started",
    "progress",
]
