"""The worker queues on dramatiq's StubBroker: submit + workers write what ingest writes."""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path

import pytest

from pipeline import errors
from pipeline.layout import DEID_DIR

SAMPLES = Path(__file__).parent.parent / "samples" / "scans"
INPUTS = ["c001-progress-note-moderate.jpg", "c002-lab-report-heavy.tif"]


@pytest.fixture(scope="module")
def actors(tmp_path_factory):
    """workers.actors bound to a stub broker and a SQLite state database of its own."""
    import os

    db = tmp_path_factory.mktemp("state") / "state.db"
    env = {
        "CHART2FHIR_WORKER__BROKER_URL": "stub://",
        "CHART2FHIR_STATE__URL": f"sqlite:///{db}",
        # Two retries, milliseconds apart, so that a test sees them exhausted.
        "CHART2FHIR_WORKER__MAX_RETRIES": "2",
        "CHART2FHIR_WORKER__MIN_BACKOFF_MS": "10",
        "CHART2FHIR_WORKER__MAX_BACKOFF_MS": "50",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        module = importlib.import_module("workers.actors")
        yield module
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _drain(broker, *, fail_fast: bool = True, threads: int = 8) -> None:
    """Run a worker until every queue is empty (messages send further messages).

    ``fail_fast``: raise the exception of a dead-lettered message.
    """
    from dramatiq import Worker

    from workers.broker import QUEUES

    worker = Worker(broker, worker_timeout=100, worker_threads=threads)
    worker.start()
    try:
        for _ in range(10):
            for queue in QUEUES:
                broker.join(queue, fail_fast=fail_fast, timeout=600_000)
            worker.join()
            if all(not broker.queues[q].qsize() for q in broker.queues):
                break
    finally:
        worker.stop()


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def test_submit_and_workers_write_the_same_files_as_ingest(
    actors, tmp_path: Path, settings
) -> None:
    from pipeline.batch import ingest, read_manifest
    from pipeline.state import progress
    from workers.jobs import status_line, submit

    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in INPUTS:
        shutil.copy(SAMPLES / name, inputs / name)
    (inputs / "empty.pdf").write_bytes(b"")  # refused at submission, as ingest refuses it
    (inputs / "twin.jpg").write_bytes((inputs / INPUTS[0]).read_bytes())  # the same content

    embedded = tmp_path / "embedded"
    ingest([str(inputs)], out_dir=embedded, settings=settings, jobs=1)
    queued = tmp_path / "queued"
    queued.mkdir()
    shutil.copy(embedded / "deid.key", queued / "deid.key")  # one surrogate key for both

    job = submit([str(inputs)], out_dir=queued, settings=actors.SETTINGS)
    _drain(actors.dramatiq.get_broker())

    p = progress(actors.engine(), job)
    assert p is not None and p.finished
    assert (p.pages, p.pages_done) == (
        3,
        3,
    )  # two documents; the twin and the empty file read nothing
    assert "4 documents" not in status_line(p) and "3 documents" in status_line(p)
    ours = {r.doc_id: r for r in read_manifest(queued)}
    theirs = {r.doc_id: r for r in read_manifest(embedded)}
    assert sorted(ours) == sorted(theirs)
    for doc_id, record in theirs.items():
        mine = ours[doc_id]
        assert (mine.status, mine.error, mine.reasons, mine.observations) == (
            record.status,
            record.error,
            record.reasons,
            record.observations,
        )
        if record.status == "failed":
            continue
        # Every output of the document, identified and de-identified, byte for byte.
        assert _files(queued / doc_id) == _files(embedded / doc_id), doc_id
        assert _files(queued / DEID_DIR / doc_id) == _files(embedded / DEID_DIR / doc_id)
        assert _files(queued / DEID_DIR / doc_id)  # not two empty folders
    assert json.loads((queued / "identity.json").read_text()) == json.loads(
        (embedded / "identity.json").read_text()
    )
    # The page images left storage once their document was assembled.
    assert not list((queued / ".queue-storage").rglob("*.npy"))


def test_a_failed_message_leaves_as_fixed_text_without_the_phi_it_met(
    actors, tmp_path: Path
) -> None:
    """A damaged stored description quoting a planted name and file name: neither escapes."""
    from workers.jobs import submit

    inputs = tmp_path / "in"
    inputs.mkdir()
    planted = "Zebediah Quillfeather"
    shutil.copy(SAMPLES / INPUTS[0], inputs / f"{planted}.jpg")  # PHI in the file name
    out = tmp_path / "out"
    broker = actors.dramatiq.get_broker()
    job = submit([str(inputs)], out_dir=out, settings=actors.SETTINGS)
    broker.flush_all()  # the actor is called directly below
    (doc,) = [p.parent for p in (out / ".queue-storage" / "jobs" / job).glob("*/source.json")]
    (doc / "source.json").write_text(f'{{"path": "{planted}.jpg", "pages": "not a number"}}')
    with pytest.raises(actors.MessageFailed) as failed:
        actors.read_page_fn(job, doc.name, 0)
    text = str(failed.value)
    assert text == "E900: An unexpected error occurred. (ValidationError)"
    assert failed.value.error == "E900: An unexpected error occurred."
    assert failed.value.__cause__ is None and failed.value.__suppress_context__
    assert planted not in text and "Quillfeather" not in repr(failed.value)


def _emptied(actors):
    """The stub broker with no message queued and no dead letter left by another test."""
    broker = actors.dramatiq.get_broker()
    broker.flush_all()
    broker.dead_letters_by_queue.clear()
    return broker


def _inputs(tmp_path: Path, *names: str) -> Path:
    inputs = tmp_path / "in"
    inputs.mkdir(parents=True)
    for name in names:
        shutil.copy(SAMPLES / name, inputs / name)
    return inputs


def _pages(actors, job: str) -> dict[tuple[str, int], tuple[str, str | None, int]]:
    """(doc_id, index) -> (status, error, attempts) of every page of the job."""
    from sqlalchemy import select

    from pipeline.state.models import Page

    with actors.engine().connect() as c:
        rows = c.execute(
            select(Page.doc_id, Page.index, Page.status, Page.error, Page.attempts).where(
                Page.job_id == job
            )
        ).all()
    return {(d, i): (st, e, a) for d, i, st, e, a in rows}


def _sample(name: str, **labels: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_timed_out_page_is_retried_then_recorded_failed(
    actors, tmp_path: Path, monkeypatch
) -> None:
    """E301 is retryable: tried max_retries more times, then recorded as ingest records it."""
    from pipeline.batch import read_manifest
    from pipeline.state import progress
    from workers.jobs import submit

    broker = _emptied(actors)
    s = actors.SETTINGS
    hurried = s.model_copy(update={"ocr": s.ocr.model_copy(update={"timeout_s": 0.01})})
    monkeypatch.setattr(actors, "SETTINGS", hurried)  # tesseract is killed at 10 ms
    labels = dict(stage="read_page", code="E301", outcome="retried")
    before = _sample("chart2fhir_failures_total", **labels)
    out = tmp_path / "out"
    job = submit([str(_inputs(tmp_path, INPUTS[0]))], out_dir=out, settings=hurried)
    _drain(broker, fail_fast=False)

    ((doc_id, index),) = _pages(actors, job)
    status, error, attempts = _pages(actors, job)[doc_id, index]
    assert (status, error, attempts) == ("failed", errors.OcrTimeout().record, 3)  # 1 + 2
    assert _sample("chart2fhir_failures_total", **labels) - before == 2
    assert not broker.dead_letters  # a page failure recorded: nothing poison
    # The document and the job finish: the manifest has the failure.
    p = progress(actors.engine(), job)
    assert p is not None and p.finished and p.by_stage == {"failed": 1}
    (record,) = read_manifest(out)
    assert (record.status, record.error) == ("failed", error)


def test_an_unexpected_failure_is_recorded_and_dead_lettered_and_the_job_finishes(
    actors, tmp_path: Path
) -> None:
    from pipeline.batch import read_manifest
    from workers.jobs import submit

    broker = _emptied(actors)
    out = tmp_path / "out"
    job = submit([str(_inputs(tmp_path, *INPUTS))], out_dir=out, settings=actors.SETTINGS)
    lost = next(iter(_pages(actors, job)))[0]
    (out / ".queue-storage" / "jobs" / job / lost / "source.json").unlink()  # storage lost it
    _drain(broker, fail_fast=False)

    records = {r.doc_id: r for r in read_manifest(out)}
    assert (records[lost].status, records[lost].error) == ("failed", errors.InternalError().record)
    assert [r.status for d, r in records.items() if d != lost] != ["failed"]
    assert all(s == "failed" for (d, _), (s, _, _) in _pages(actors, job).items() if d == lost)
    dead = sorted((m.actor_name, m.args[1]) for m in broker.dead_letters)
    pages = sum(1 for (d, _) in _pages(actors, job) if d == lost)
    assert dead == [("assemble", lost)] + [("read_page", lost)] * pages
    for message in broker.dead_letters:  # the traceback dramatiq stored: fixed text only
        assert message.options["traceback"].endswith(
            "MessageFailed: E900: An unexpected error occurred. (FileNotFoundError)\n"
        )


def test_a_poison_page_is_recorded_and_dead_lettered_and_the_others_go_on(
    actors, tmp_path: Path
) -> None:
    """Workers died on a page max_crashes times: its next delivery records E305 unread."""
    from pipeline.batch import read_manifest
    from pipeline.state import page_started
    from workers.jobs import submit

    broker = _emptied(actors)
    out = tmp_path / "out"
    job = submit([str(_inputs(tmp_path, *INPUTS))], out_dir=out, settings=actors.SETTINGS)
    two_pages = next(d for (d, i) in _pages(actors, job) if i == 1)
    for _ in range(actors.SETTINGS.worker.max_crashes):  # three deliveries whose worker died
        page_started(actors.engine(), job, two_pages, 1)
    _drain(broker, fail_fast=False)

    pages = _pages(actors, job)
    assert pages[two_pages, 1] == ("failed", "E305: A page worker process died (out of memory "
                                   "or killed).", 4)  # fmt: skip
    assert pages[two_pages, 0][0] == "done"
    assert [s for (d, _), (s, _, _) in pages.items() if d != two_pages] == ["done"]
    (dead,) = broker.dead_letters
    assert dead.args == (job, two_pages, 1)
    records = {r.doc_id: r for r in read_manifest(out)}
    # One page of two lost: the document is in review with the page's code, as in ingest.
    assert records[two_pages].status == "review" and "E305" in records[two_pages].reasons[0]
    assert [r.status for d, r in records.items() if d != two_pages] != ["failed"]


def test_an_urgent_job_stays_on_the_urgent_queues_and_goes_before_the_bulk(
    actors, tmp_path: Path
) -> None:
    from dramatiq.middleware import Middleware

    from workers.broker import DOCUMENT_QUEUE, OCR_QUEUE, URGENT
    from workers.jobs import submit

    broker = actors.dramatiq.get_broker()
    broker.flush_all()
    seen: list[tuple[str, str]] = []

    class Seen(Middleware):
        def before_process_message(self, broker, message):
            seen.append((message.queue_name, message.args[0]))

    bulk = submit([str(_inputs(tmp_path / "a", INPUTS[1]))], out_dir=tmp_path / "a" / "out",
                  settings=actors.SETTINGS)  # fmt: skip
    urgent = submit([str(_inputs(tmp_path / "b", INPUTS[0]))], out_dir=tmp_path / "b" / "out",
                    settings=actors.SETTINGS, urgent=True)  # fmt: skip
    assert broker.queues[OCR_QUEUE].qsize() == 2 and broker.queues[OCR_QUEUE + URGENT].qsize() == 1
    middleware = Seen()
    broker.middleware.append(middleware)
    try:
        _drain(broker, threads=1)
    finally:
        broker.middleware.remove(middleware)
    mine = [q for q, j in seen if j == urgent]
    assert mine == [OCR_QUEUE + URGENT, DOCUMENT_QUEUE + URGENT, DOCUMENT_QUEUE + URGENT]
    assert {q for q, j in seen if j == bulk} == {OCR_QUEUE, DOCUMENT_QUEUE}
    # The urgent page is read before the bulk job's second page (prefetch took at most one).
    reads = [j for q, j in seen if q.startswith(OCR_QUEUE)]
    assert reads.index(urgent) <= 1
    # The urgent job's end comes before the bulk job's join.
    assert seen.index((DOCUMENT_QUEUE + URGENT, urgent)) < seen.index((DOCUMENT_QUEUE, bulk))


def test_a_failure_after_the_page_was_recorded_keeps_its_reading(actors, tmp_path: Path) -> None:
    """E902 sending the join, retries exhausted: the page stays read, the join is sent."""
    from workers.broker import DOCUMENT_QUEUE
    from workers.jobs import submit

    broker = actors.dramatiq.get_broker()
    broker.flush_all()
    out = tmp_path / "out"
    job = submit([str(_inputs(tmp_path, INPUTS[0]))], out_dir=out, settings=actors.SETTINGS)
    broker.flush_all()  # the page is read below, by hand
    ((doc_id, _),) = _pages(actors, job)
    actors.read_page_fn(job, doc_id, 0)
    stored = out / ".queue-storage" / "jobs" / job / doc_id / "page-00000.json"
    reading = stored.read_bytes()
    broker.flush_all()
    actors._record_page(job, doc_id, 0, error=errors.ServiceUnavailable().record)
    assert stored.read_bytes() == reading and b'"error":null' in reading
    assert _pages(actors, job)[doc_id, 0][:2] == ("done", None)
    assert broker.queues[DOCUMENT_QUEUE].qsize() == 1  # the join, sent again
