"""The dramatiq actors: a page, the document join, the job's end.

Run them with ``chart2fhir worker`` (or ``dramatiq workers.actors``).

Each message carries ids only: (job_id, doc_id) and a page index. The broker is the one of
``CHART2FHIR_WORKER__BROKER_URL``, made when this module is imported (dramatiq binds actors
to it); the state database is ``CHART2FHIR_STATE__URL``. An actor loads by id, calls the
stage of ``pipeline.run`` that ingest calls, stores the result and sends the next message:

- ``read_page`` (queue chart2fhir-ocr): one page through decode, cleanup and OCR
  (``pipeline.run.read_page``); its OcrPage goes to storage, the page is recorded in the
  state database, and the worker that records the document's last page sends
  ``assemble``;
- ``assemble`` (queue chart2fhir-document): claims the document (one message at a time;
  a redelivery of the claiming message goes on) and runs ``pipeline.run.assemble_document``
  on the stored pages, which writes OUTDIR/<doc_id>/ as ingest does; the last document of
  the job sends ``finish_job``;
- ``finish_job``: the manifest and the identity check, as ingest ends
  (``pipeline.batch.finish_run``). Running it twice writes the same files.

Every actor has an urgent twin on the ``-urgent`` queues, with a higher priority: a job
submitted urgent (a reviewer's re-run) goes there, and each stage sends the next on the
queues it came from.

Delivery is at-least-once and every step is idempotent: a page read twice (its worker
died before the ack) writes the same OcrPage and is recorded once; the join is claimed by
one message. Failures (``failures``):

- a retryable error (``pipeline.errors``: an OCR timeout, a failed write) is retried with
  backoff, up to ``max_retries``;
- any other failure, or the last retry, is recorded by us (the page or the document
  ``failed`` with its code, so the document and the job still finish) and the message
  goes to the broker's dead-letter queue;
- a message whose worker died on it ``max_crashes`` times (the broker delivers it again
  each time) is poison: recorded failed (E305 for a page, E901 for a document) and
  dead-lettered without being tried again.

What leaves for dramatiq (its logs, the traceback it stores in a retried message) is
``MessageFailed``: a code and fixed text, no cause.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import dramatiq
import sqlalchemy.exc
from dramatiq.middleware import CurrentMessage, TimeLimitExceeded
from sqlalchemy import Engine

from pipeline import errors, state
from pipeline.batch import finish_run, init_worker
from pipeline.errors import PipelineError
from pipeline.logs import configure_logging, fields, get_logger
from pipeline.run import Context, PageTask, assemble_document, finished_now, read_page
from pipeline.schema import DocumentRecord, OcrPage, Source
from pipeline.settings import load_settings
from pipeline.storage import LocalStorage
from pipeline.vault import Vault
from workers import metrics
from workers.broker import DOCUMENT_QUEUE, OCR_QUEUE, OUTAGES, URGENT, make_broker

init_worker()  # one thread each for tesseract and OpenCV: processes are the parallelism
SETTINGS = load_settings()  # SettingsInvalid names a refused setting, never its value
VAULT = Vault.from_settings(SETTINGS.vault)
configure_logging(SETTINGS.log_level, exclusive=True)  # dramatiq's own format prints text
if SETTINGS.worker.broker_url is None:
    raise RuntimeError("set CHART2FHIR_WORKER__BROKER_URL (redis://... or amqp://...)")
dramatiq.set_broker(make_broker(SETTINGS.worker.broker_url.get_secret_value()))
log = get_logger(__name__)

# dramatiq's own limit, a backstop: tesseract and pdftoppm are killed at their own limits
# (CHART2FHIR_OCR__TIMEOUT_S, shared by both engines of auto; CHART2FHIR_LOAD__PDF_TIMEOUT_S).
PAGE_TIME_LIMIT_MS = int((SETTINGS.load.pdf_timeout_s + 2 * SETTINGS.ocr.timeout_s + 60) * 1000)
JOIN_TIME_LIMIT_MS = 2 * 3600 * 1000  # the join re-reads every redacted page
BULK, FIRST = 10, 0  # actor priorities: lower goes first


class MessageFailed(Exception):  # noqa: N818 - what dramatiq logs for a failed message
    """A failed message as dramatiq sees it: an error code and fixed text, nothing else.

    dramatiq logs a failed message's exception with its traceback and stores the
    traceback in a retried message. A third-party message (a pydantic error quotes the
    input, a database error its parameters: a file name, a record) and any chained cause
    could carry PHI, so none of it goes on.
    """

    def __init__(self, error: str, *, retryable: bool = False, exc_type: str = "") -> None:
        super().__init__(f"{error} ({exc_type})" if exc_type else error)
        self.error = error  # "E###: fixed text", as a record's error field
        self.retryable = retryable


# A broker or database that went away (a restart): the message is tried again.
UNAVAILABLE: tuple[type[Exception], ...] = (
    *OUTAGES,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
)


def retry_when(retries: int, exception: BaseException) -> bool:
    """Whether dramatiq retries a failure: a retryable one, ``max_retries`` times."""
    return (
        isinstance(exception, MessageFailed)
        and exception.retryable
        and retries < SETTINGS.worker.max_retries
    )


def _retried_again() -> bool:
    """Whether dramatiq would try the current message again after a retryable failure."""
    return _retries() < SETTINGS.worker.max_retries


def _retries() -> int:
    """How often the current message was retried before (0 on its first delivery)."""
    message = CurrentMessage.get_current_message()
    return int(message.options.get("retries", 0)) if message else 0


def _message_id() -> str:
    message = CurrentMessage.get_current_message()
    return message.message_id if message else "local"


def _urgent() -> bool:
    """Whether the current message came from an urgent queue."""
    message = CurrentMessage.get_current_message()
    return bool(message and message.queue_name.endswith(URGENT))


def failures(record: Callable[..., None]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The actor raising ``MessageFailed`` for whatever it raised (cause dropped).

    A failure that will not be retried is first recorded by ``record(*args, error=...)``
    (so the document still finishes), then leaves for the dead-letter queue.
    """

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(fn)
        def wrapper(*args: Any) -> None:
            try:
                fn(*args)
                return
            except MessageFailed as e:
                failed = e
            except PipelineError as e:
                failed = MessageFailed(e.record, retryable=e.retryable)
            except TimeLimitExceeded:
                failed = MessageFailed(errors.OcrTimeout().record, retryable=True)
            except UNAVAILABLE as e:
                failed = MessageFailed(
                    errors.ServiceUnavailable().record, retryable=True, exc_type=type(e).__name__
                )
            except Exception as e:  # noqa: BLE001 - every failure leaves as fixed text
                failed = MessageFailed(errors.InternalError().record, exc_type=type(e).__name__)
            retried = retry_when(_retries(), failed)
            name, code = fn.__name__.removesuffix("_fn"), failed.error[:4]
            metrics.failure(name, code, retried=retried)
            outcome = "retried" if retried else "dead-lettered"
            log.warning(
                "message failed",
                extra=fields(job_id=args[0], stage=name, code=code, status=outcome),
            )
            if not retried:
                try:
                    record(*args, error=failed.error)
                except Exception as e:  # noqa: BLE001 - the message is dead-lettered anyway
                    log.error("failure not recorded", extra=fields(exc_type=type(e).__name__))
            raise failed from None

        return wrapper

    return decorate


def doc_key(job_id: str, doc_id: str, name: str) -> str:
    """The storage key of one of a document's artifacts."""
    return f"jobs/{job_id}/{doc_id}/{name}"


def page_key(job_id: str, doc_id: str, index: int) -> str:
    """The storage key of a page's OcrPage (JSON)."""
    return doc_key(job_id, doc_id, f"page-{index:05d}.json")


@cache
def engine() -> Engine:
    """The state database of the process (one engine, opened and upgraded once)."""
    if SETTINGS.state.url is None:
        raise RuntimeError("set CHART2FHIR_STATE__URL for workers")
    return state.open_state(SETTINGS.state.url.get_secret_value(), VAULT)


@cache
def context() -> Context:
    """The NLP pipelines of the process; redaction pages are painted and re-read here."""
    return Context(settings=SETTINGS, map_pages=lambda fn, items: [fn(i) for i in items])


def _storage(job_id: str) -> tuple[Path, LocalStorage]:
    out_dir, storage = state.store.job_paths(engine(), job_id)
    return out_dir, LocalStorage(storage, VAULT)


# --- read_page ---------------------------------------------------------------------------


def _record_page(job_id: str, doc_id: str, index: int, *, error: str) -> None:
    """Record a page failed (and its empty OcrPage stored), and send the join if it is due.

    A page recorded already (the failure came after, sending the join) keeps its reading.
    """
    if state.store.page_status(engine(), job_id, doc_id, index) == "pending":
        _, store = _storage(job_id)
        page = OcrPage(index=index, width=0, height=0, dpi=SETTINGS.load.dpi, text="", error=error)
        store.put(page_key(job_id, doc_id, index), page.model_dump_json().encode())
        state.page_finished(engine(), job_id, doc_id, index, error=error)
    if state.needs_assembly(engine(), job_id, doc_id):
        send(assemble_actors, job_id, doc_id)


@failures(_record_page)
def read_page_fn(job_id: str, doc_id: str, index: int) -> None:
    """Read one page, store it, and send the join when the document is complete."""
    attempts = state.page_started(engine(), job_id, doc_id, index)
    if attempts is None:  # read already: a duplicate, or redelivered after it was recorded
        if state.needs_assembly(engine(), job_id, doc_id):
            send(assemble_actors, job_id, doc_id)  # the join's claim drops a second one
        return
    if attempts - _retries() > SETTINGS.worker.max_crashes:
        raise MessageFailed(errors.PageWorkerCrashed().record)  # poison: recorded, dead-lettered
    _, store = _storage(job_id)
    source = Source.model_validate_json(store.get(doc_key(job_id, doc_id, "source.json")))
    work = store.scratch(doc_key(job_id, doc_id, "work"))
    started = time.monotonic()
    page = read_page(PageTask(source, index, str(work), SETTINGS))
    if page.error and errors.is_retryable(page.error) and _retried_again():
        raise MessageFailed(page.error, retryable=True)  # not recorded: tried again
    store.put(page_key(job_id, doc_id, index), page.model_dump_json().encode())
    seconds = round(time.monotonic() - started, 3)
    metrics.page(seconds, failed=bool(page.error))
    log.info(
        "page read",
        extra=fields(job_id=job_id, doc_id=doc_id, page=index, seconds=seconds,
                     code=page.error[:4] if page.error else None),
    )  # fmt: skip
    if state.page_finished(engine(), job_id, doc_id, index, error=page.error, seconds=seconds):
        send(assemble_actors, job_id, doc_id)


# --- assemble ----------------------------------------------------------------------------


def _record_document(job_id: str, doc_id: str, *, error: str) -> None:
    """Record the document failed, if this message holds its claim, and end the job if due."""
    path, pages = state.store.document_source(engine(), job_id, doc_id)
    record = DocumentRecord(
        source=path,
        doc_id=doc_id,
        pages=pages,
        status="failed",
        error=error,
        finished_at=finished_now(),
    )
    _finished(job_id, doc_id, record)


def _finished(job_id: str, doc_id: str, record: DocumentRecord) -> None:
    recorded = state.finish_document(
        engine(),
        job_id,
        doc_id,
        claimant=_message_id(),
        status=record.status,
        error=record.error,
        record=record.model_dump_json(),
    )
    if recorded:
        metrics.document(record.status)
    _job_end_due(job_id)


def _job_end_due(job_id: str) -> None:
    """Send finish_job if every document of the job is finished."""
    progress = state.progress(engine(), job_id)
    if progress is not None and progress.finished:
        send(finish_job_actors, job_id)


@failures(_record_document)
def assemble_fn(job_id: str, doc_id: str) -> None:
    """Claim the document and run the document stages on its stored pages."""
    timeout = SETTINGS.state.claim_timeout_s
    attempts = state.claim_document(
        engine(), job_id, doc_id, claimant=_message_id(), timeout_s=timeout
    )
    if not attempts:  # a duplicate, or finished already (its worker died before the ack,
        _job_end_due(job_id)  # perhaps before it sent finish_job)
        return
    if attempts - _retries() > SETTINGS.worker.max_crashes:
        raise MessageFailed(errors.DocumentWorkerDied().record)
    out_dir, store = _storage(job_id)
    source = Source.model_validate_json(store.get(doc_key(job_id, doc_id, "source.json")))
    pages = [
        OcrPage.model_validate_json(store.get(page_key(job_id, doc_id, i)))
        for i in range(source.pages)
    ]
    work = store.scratch(doc_key(job_id, doc_id, "work"))
    started = time.monotonic()
    record = assemble_document(
        source, pages, out_dir=out_dir, work_dir=str(work), ctx=context(), started=started
    )
    metrics.stage("assemble", time.monotonic() - started)
    # A failed write is the join's one retryable failure (the pages' were settled before).
    written = errors.OutputWriteFailed().record
    if record.error == written and _retried_again():
        raise MessageFailed(written, retryable=True)  # tried again: the claim stays ours
    _finished(job_id, doc_id, record)
    store.delete(doc_key(job_id, doc_id, "work"))  # page images: identified, no longer needed


# --- finish_job --------------------------------------------------------------------------


def _record_job(job_id: str, *, error: str) -> None:
    """Nothing to record per document: the job stays unfinished in ``chart2fhir status``."""


@failures(_record_job)
def finish_job_fn(job_id: str) -> None:
    """Write the job's manifest and check identities, as ingest ends."""
    out_dir, store = _storage(job_id)
    inputs = json.loads(store.get(f"jobs/{job_id}/inputs.json"))
    earlier = json.loads(store.get(f"jobs/{job_id}/earlier.json"))
    done = {
        doc_id: DocumentRecord.model_validate_json(r)
        for doc_id, r in state.store.records(engine(), job_id).items()
    }
    final = [done[doc_id].model_copy(update={"source": path}) for path, doc_id in inputs]
    before = {d: DocumentRecord.model_validate(r) for d, r in earlier.items()}
    finish_run(out_dir, before, final, VAULT)
    state.job_finished(engine(), job_id)


# --- the actors: each stage on its bulk queue and on its urgent twin ----------------------


def _actors(
    fn: Callable[..., None], queue: str, **options: Any
) -> dict[bool, dramatiq.Actor[..., None]]:
    """``fn`` as the bulk actor (False) and the urgent one (True)."""
    name = fn.__name__.removesuffix("_fn")
    common: dict[str, Any] = dict(
        retry_when=retry_when,
        min_backoff=SETTINGS.worker.min_backoff_ms,
        max_backoff=SETTINGS.worker.max_backoff_ms,
        **options,
    )
    bulk = dramatiq.actor(actor_name=name, queue_name=queue, priority=BULK, **common)
    urgent = dramatiq.actor(
        actor_name=f"{name}_urgent", queue_name=queue + URGENT, priority=FIRST, **common
    )
    return {False: bulk(fn), True: urgent(fn)}


read_page_actors = _actors(read_page_fn, OCR_QUEUE, time_limit=PAGE_TIME_LIMIT_MS)
assemble_actors = _actors(assemble_fn, DOCUMENT_QUEUE, time_limit=JOIN_TIME_LIMIT_MS)
finish_job_actors = _actors(finish_job_fn, DOCUMENT_QUEUE)


def send(
    actors: dict[bool, dramatiq.Actor[..., None]], *args: Any, urgent: bool | None = None
) -> None:
    """Send the message of the next stage, on the queues the current message came from.

    While the broker is away (a restart) the send is tried again, for ``broker_wait_s``:
    failing the message at hand instead would need the broker too.
    """
    actor = actors[_urgent() if urgent is None else urgent]
    deadline = time.monotonic() + SETTINGS.worker.broker_wait_s
    delay = 0.5
    while True:
        try:
            actor.send(*args)
            return
        except OUTAGES:
            if time.monotonic() + delay > deadline:
                raise
            log.warning("broker unreachable: sending again", extra=fields(seconds=delay))
            time.sleep(delay)
            delay = min(delay * 2, 10.0)
