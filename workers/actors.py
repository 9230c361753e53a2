"""The dramatiq actors: a page, the document join, the job's end.

Run them with ``dramatiq workers.actors`` (processes and threads as dramatiq's options).

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

Page work here is at-least-once: a page read twice (its worker died before the ack) writes
the same OcrPage and is recorded once.
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
from dramatiq.middleware import CurrentMessage
from sqlalchemy import Engine

from pipeline import errors, state
from pipeline.batch import finish_run
from pipeline.errors import PipelineError
from pipeline.run import Context, PageTask, assemble_document, read_page
from pipeline.schema import DocumentRecord, OcrPage, Source
from pipeline.settings import Settings, configure_process
from pipeline.storage import LocalStorage
from workers.broker import DOCUMENT_QUEUE, OCR_QUEUE, make_broker

configure_process()
SETTINGS = Settings()
if SETTINGS.worker.broker_url is None:
    raise RuntimeError("set CHART2FHIR_WORKER__BROKER_URL (redis://... or amqp://...)")
dramatiq.set_broker(make_broker(SETTINGS.worker.broker_url.get_secret_value()))
RETRIES: dict[str, Any] = dict(
    max_retries=SETTINGS.worker.max_retries,
    min_backoff=SETTINGS.worker.min_backoff_ms,
    max_backoff=SETTINGS.worker.max_backoff_ms,
)


class MessageFailed(Exception):  # noqa: N818 - what dramatiq logs for a failed message
    """A failed message as dramatiq sees it: an error code and fixed text, nothing else.

    dramatiq logs a failed message's exception with its traceback. A third-party message
    (a pydantic error quotes the input, a database error its parameters: a file name, a
    record) and any chained cause could carry PHI, so none of it goes on.
    """


def fixed_text_errors(fn: Callable[..., None]) -> Callable[..., None]:
    """``fn`` raising ``MessageFailed`` (cause dropped) for whatever it raised."""

    @functools.wraps(fn)
    def wrapper(*args: Any) -> None:
        try:
            fn(*args)
        except PipelineError as e:
            raise MessageFailed(e.record) from None
        except Exception as e:  # noqa: BLE001 - every failure leaves as fixed text
            raise MessageFailed(f"{errors.InternalError().record} ({type(e).__name__})") from None

    return wrapper


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
    return state.open_state(SETTINGS.state.url.get_secret_value())


@cache
def context() -> Context:
    """The NLP pipelines of the process; redaction pages are painted and re-read here."""
    return Context(settings=SETTINGS, map_pages=lambda fn, items: [fn(i) for i in items])


def _storage(job_id: str) -> tuple[Path, LocalStorage]:
    out_dir, storage = state.store.job_paths(engine(), job_id)
    return out_dir, LocalStorage(storage)


@dramatiq.actor(queue_name=OCR_QUEUE, **RETRIES)
@fixed_text_errors
def read_page_actor(job_id: str, doc_id: str, index: int) -> None:
    """Read one page, store it, and send the join when the document is complete."""
    _, store = _storage(job_id)
    source = Source.model_validate_json(store.get(doc_key(job_id, doc_id, "source.json")))
    work = store.scratch(doc_key(job_id, doc_id, "work"))
    started = time.monotonic()
    page = read_page(PageTask(source, index, str(work), SETTINGS))
    store.put(page_key(job_id, doc_id, index), page.model_dump_json().encode())
    seconds = round(time.monotonic() - started, 3)
    if state.page_finished(engine(), job_id, doc_id, index, error=page.error, seconds=seconds):
        assemble_actor.send(job_id, doc_id)


@dramatiq.actor(queue_name=DOCUMENT_QUEUE, **RETRIES)
@fixed_text_errors
def assemble_actor(job_id: str, doc_id: str) -> None:
    """Claim the document and run the document stages on its stored pages."""
    message = CurrentMessage.get_current_message()
    claimant = message.message_id if message else "local"
    timeout = SETTINGS.state.claim_timeout_s
    if not state.claim_document(engine(), job_id, doc_id, claimant=claimant, timeout_s=timeout):
        return  # a duplicate, or finished already
    out_dir, store = _storage(job_id)
    source = Source.model_validate_json(store.get(doc_key(job_id, doc_id, "source.json")))
    pages = [
        OcrPage.model_validate_json(store.get(page_key(job_id, doc_id, i)))
        for i in range(source.pages)
    ]
    work = store.scratch(doc_key(job_id, doc_id, "work"))
    record = assemble_document(
        source, pages, out_dir=out_dir, work_dir=str(work), ctx=context(), started=time.monotonic()
    )
    state.finish_document(
        engine(),
        job_id,
        doc_id,
        claimant=claimant,
        status=record.status,
        error=record.error,
        record=record.model_dump_json(),
    )
    store.delete(doc_key(job_id, doc_id, "work"))  # page images: identified, no longer needed
    progress = state.progress(engine(), job_id)
    if progress is not None and progress.finished:
        finish_job_actor.send(job_id)


@dramatiq.actor(queue_name=DOCUMENT_QUEUE, **RETRIES)
@fixed_text_errors
def finish_job_actor(job_id: str) -> None:
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
    finish_run(out_dir, before, final)
