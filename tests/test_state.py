"""The state database on SQLite and on the machine's real PostgreSQL: migrations, the join."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text

from pipeline.schema import DocumentRecord
from pipeline.state import (
    claim_document,
    create_job,
    default_url,
    finish_document,
    needs_assembly,
    open_state,
    page_finished,
    page_started,
    progress,
)
from pipeline.state.models import Document, Page
from pipeline.state.store import NewDocument, records

REFUSED = DocumentRecord(
    source="/in/c.pdf", doc_id="c" * 16, status="failed", error="E103: Not a PDF or image."
)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path: Path) -> Engine:
    if request.param == "sqlite":
        return open_state(default_url(tmp_path))
    return open_state(request.getfixturevalue("postgres_url"))


def _job(engine: Engine, pages: int = 3) -> str:
    job = uuid.uuid4().hex
    create_job(
        engine,
        job,
        Path("/out"),
        storage=Path("/shared"),
        documents=[
            NewDocument("a" * 16, "/in/a.pdf", pages),
            NewDocument("b" * 16, "/in/b.pdf", 1),
            NewDocument("c" * 16, "/in/c.pdf", 0, record=REFUSED.model_dump_json()),
            NewDocument("a" * 16, "/in/a-again.pdf", pages),  # the same file twice: once
        ],
    )
    return job


def test_migrations_make_the_tables_and_a_second_open_changes_nothing(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"jobs", "documents", "pages", "alembic_version"} <= tables
    assert {"review_users", "review_sessions", "review_items", "review_audit"} <= tables
    again = open_state(engine.url.render_as_string(hide_password=False))
    with again.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0004"


def test_a_document_is_complete_once_every_page_is_in_and_redeliveries_change_nothing(
    engine: Engine,
) -> None:
    job = _job(engine)
    a = "a" * 16
    p = progress(engine, job)
    assert p is not None
    assert (p.documents, p.pages, p.by_stage) == (3, 4, {"queued": 2, "failed": 1})
    assert page_started(engine, job, a, 0) == 1
    assert page_started(engine, job, a, 0) == 2  # its worker died; delivered again
    assert page_finished(engine, job, a, 0, seconds=2.5) is False
    assert page_finished(engine, job, a, 0, seconds=9.9) is False  # redelivered: no change
    assert page_started(engine, job, a, 0) is None  # read already: a duplicate
    assert needs_assembly(engine, job, a) is False
    assert page_finished(engine, job, a, 2, error="E301: OCR timed out.") is False
    assert page_finished(engine, job, a, 1, seconds=2.0) is True
    assert needs_assembly(engine, job, a) is True
    with engine.connect() as c:
        rows = c.execute(select(Page.index, Page.status, Page.attempts, Page.seconds)
                         .where(Page.job_id == job, Page.doc_id == a)
                         .order_by(Page.index)).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [
        (0, "done", 2, 2.5),  # two deliveries started it; the duplicate did not overwrite
        (1, "done", 0, 2.0),
        (2, "failed", 0, None),
    ]
    p = progress(engine, job)
    assert p is not None
    assert (p.pages_done, p.pages_failed, p.by_stage["ocr"]) == (2, 1, 1)
    assert progress(engine, "no-such-job") is None
    # Only the document refused at submission has its record yet.
    assert {k: DocumentRecord.model_validate_json(v) for k, v in records(engine, job).items()} == {
        "c" * 16: REFUSED
    }


def test_one_claim_at_a_time_a_redelivery_goes_on_a_stale_claim_is_taken_over(
    engine: Engine,
) -> None:
    job = _job(engine, pages=1)
    a = "a" * 16
    # Not claimable while a page is pending.
    assert claim_document(engine, job, a, claimant="m1", timeout_s=60) == 0
    page_finished(engine, job, a, 0)
    assert claim_document(engine, job, a, claimant="m1", timeout_s=60) == 1
    assert claim_document(engine, job, a, claimant="m2", timeout_s=60) == 0  # a duplicate
    assert claim_document(engine, job, a, claimant="m1", timeout_s=60) == 2  # redelivered
    with engine.connect() as c:
        claimed_at = c.execute(
            select(Document.claimed_at).where(Document.doc_id == a, Document.job_id == job)
        ).scalar_one()
    later = claimed_at + timedelta(seconds=61)
    assert claim_document(engine, job, a, claimant="m3", timeout_s=60, now=later) == 3
    # The first worker woke up: it no longer holds the document and cannot finish it.
    assert finish_document(engine, job, a, claimant="m1", status="done", error=None) is False
    assert finish_document(engine, job, a, claimant="m3", status="review", error="E403: x") is True
    # Finished: nobody claims it again, even the finisher's redelivered message.
    assert claim_document(engine, job, a, claimant="m3", timeout_s=60) == 0
    assert not needs_assembly(engine, job, a)
    assert (
        claim_document(engine, job, a, claimant="m4", timeout_s=0, now=later + timedelta(days=1))
        == 0
    )
    with pytest.raises(ValueError):
        finish_document(engine, job, a, claimant="m3", status="ocr", error=None)


def test_concurrent_last_pages_complete_the_document_and_exactly_one_claim_wins(
    engine: Engine,
) -> None:
    pages = 8
    job = _job(engine, pages=pages)
    a = "a" * 16
    complete: list[bool] = []
    claims: list[int] = []
    barrier = threading.Barrier(pages)

    def finish(i: int) -> None:
        barrier.wait()
        if page_finished(engine, job, a, i):
            complete.append(True)
            claims.append(claim_document(engine, job, a, claimant=f"m{i}", timeout_s=60))

    threads = [threading.Thread(target=finish, args=(i,)) for i in range(pages)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert complete  # at least one worker saw the document complete
    assert claims.count(1) == 1 and claims.count(0) == len(claims) - 1  # exactly one assembles


def test_documents_of_a_job_with_their_stage_and_pages_read(engine: Engine) -> None:
    from pipeline.state.store import DocumentProgress, document_progress
    from workers.jobs import document_lines

    job = _job(engine)
    a, b, c = "a" * 16, "b" * 16, "c" * 16
    page_finished(engine, job, a, 0, seconds=1.0)
    page_finished(engine, job, a, 2, error="E301: OCR timed out.")
    assert document_progress(engine, job) == [
        DocumentProgress(a, "ocr", 3, 2, None),
        DocumentProgress(b, "queued", 1, 0, None),
        DocumentProgress(c, "failed", 0, 0, REFUSED.error),
    ]
    assert document_lines(document_progress(engine, job)) == [
        f"{a}  ocr         pages 2/3",
        f"{b}  queued      pages 0/1",
        f"{c}  failed      pages 0/0  E103",
    ]
