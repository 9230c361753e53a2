"""The worker queues on dramatiq's StubBroker: submit + workers write what ingest writes."""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path

import pytest

SAMPLES = Path(__file__).parent.parent / "samples" / "scans"
INPUTS = ["c001-progress-note-moderate.jpg", "c002-lab-report-heavy.tif"]


@pytest.fixture(scope="module")
def actors(tmp_path_factory):
    """workers.actors bound to a stub broker and a SQLite state database of its own."""
    import os

    db = tmp_path_factory.mktemp("state") / "state.db"
    saved = {
        k: os.environ.get(k) for k in ("CHART2FHIR_WORKER__BROKER_URL", "CHART2FHIR_STATE__URL")
    }
    os.environ["CHART2FHIR_WORKER__BROKER_URL"] = "stub://"
    os.environ["CHART2FHIR_STATE__URL"] = f"sqlite:///{db}"
    try:
        module = importlib.import_module("workers.actors")
        yield module
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _drain(broker) -> None:
    """Run a worker until every queue is empty (messages send further messages)."""
    from dramatiq import Worker

    from workers.broker import QUEUES

    worker = Worker(broker, worker_timeout=100)
    worker.start()
    try:
        for _ in range(10):
            for queue in QUEUES:
                broker.join(queue, fail_fast=True, timeout=600_000)
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
        # Every output of the document, byte for byte.
        assert _files(queued / doc_id) == _files(embedded / doc_id), doc_id
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
