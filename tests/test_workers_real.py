"""The worker queues as users run them, and their faults.

``chart2fhir submit`` and ``chart2fhir worker`` processes on the machine's real Redis,
RabbitMQ and PostgreSQL (each started if down): the outputs are ingest's, byte for byte,
after a clean run, after a worker is killed -9 twenty times mid-page or mid-join, and after
the broker restarts mid-run; a poison page is recorded failed and dead-lettered while the
other documents finish; SIGTERM finishes the page at hand; the broker's traffic, the
workers' logs, the status line and the metrics hold no PHI.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from pipeline import errors, state
from pipeline.batch import read_manifest
from pipeline.layout import DEID_DIR
from pipeline.state.models import Document, Page
from tests.conftest import _ensure_running
from tests.test_workers_broker import START, _listening

ROOT = Path(__file__).parent.parent
SCANS = ROOT / "samples" / "scans"
TRUTH = ROOT / "samples" / "truth"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/"
REDIS = "redis://127.0.0.1:6379/13"
KILLS = 20


@pytest.fixture
def engine(postgres_url: str) -> Engine:
    """The state database of the run: a new database on the machine's PostgreSQL."""
    return state.open_state(postgres_url)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _flushed(url: str) -> str:
    """``url``'s broker up (started if down) with our queues empty."""
    from workers.broker import make_broker

    port = 5672 if url.startswith("amqp") else int(url.split(":")[2].split("/")[0])
    if port in START:
        _ensure_running(lambda: _listening(port), START[port], f"the broker on {port}")
    broker = make_broker(url)
    broker.flush_all()
    broker.close()
    return url


class Run:
    """One OUTDIR's job: the environment, chart2fhir submit, worker processes."""

    def __init__(self, tmp: Path, broker_url: str, state_url: str, **env: str) -> None:
        self.tmp = tmp
        self.out = tmp / "out"
        self.log = tmp / "workers.log"
        self.metrics_port = 0
        self.env = {
            **os.environ,
            "CHART2FHIR_WORKER__BROKER_URL": broker_url,
            "CHART2FHIR_STATE__URL": state_url,
            "CHART2FHIR_WORKER__MIN_BACKOFF_MS": "200",
            "CHART2FHIR_WORKER__MAX_BACKOFF_MS": "1000",
            "dramatiq_prom_db": str(tmp / "prometheus"),
            "CHART2FHIR_LOG_LEVEL": "INFO",  # a line per page and per document
            **env,
        }
        (tmp / "prometheus").mkdir(parents=True, exist_ok=True)
        self.workers: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode in (0, 3), done.stderr.decode()[-2000:]
        return done.stdout.decode()

    def submit(self, *paths: Path, key_from: Path | None = None) -> str:
        self.out.mkdir(parents=True, exist_ok=True)
        if key_from is not None:  # one surrogate key, so that deid outputs compare
            shutil.copy(key_from / "deid.key", self.out / "deid.key")
        return self.cli("submit", *map(str, paths), "--out", str(self.out)).strip()

    def start(self, processes: int = 2) -> None:
        self.metrics_port = _free_port()  # a new one: the killed server's may linger
        with self.log.open("ab") as log:
            self.workers = subprocess.Popen(
                [sys.executable, "-m", "pipeline.cli", "worker", "--processes", str(processes),
                 "--metrics-port", str(self.metrics_port)],
                env=self.env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
            )  # fmt: skip

    def kill(self) -> None:
        """kill -9 the workers: dramatiq's main process, its workers, their tesseracts."""
        assert self.workers is not None
        os.killpg(self.workers.pid, signal.SIGKILL)
        self.workers.wait(30)
        self.workers = None

    def stop(self) -> int:
        """SIGTERM to dramatiq's main process, as a service manager stops it."""
        assert self.workers is not None
        self.workers.send_signal(signal.SIGTERM)
        code = self.workers.wait(120)
        self.workers = None
        return code

    def close(self) -> None:
        if self.workers is not None:
            with _suppress():
                self.kill()


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return True


@pytest.fixture
def runs(tmp_path: Path) -> Iterator[Callable[..., Run]]:
    made: list[Run] = []

    def make(name: str, broker_url: str, state_url: str, **env: str) -> Run:
        run = Run(tmp_path / name, broker_url, state_url, **env)
        made.append(run)
        return run

    yield make
    for run in made:
        run.close()


def _wait(engine: Engine, job: str, *, timeout: float = 600, tick: Callable[[], None] | None = None
          ) -> state.JobProgress:  # fmt: skip
    """Poll the state database until the job's manifest is written."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        progress = state.progress(engine, job)
        if progress is not None and progress.written:
            return progress
        if tick is not None:
            tick()
        time.sleep(0.2)
    pytest.fail(f"job not finished in {timeout} s: {state.progress(engine, job)}")


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def _assert_same_as_ingest(out: Path, ingested: Path) -> None:
    """Every record and every output file of every document, as ingest wrote them."""
    ours = {r.doc_id: r for r in read_manifest(out)}
    theirs = {r.doc_id: r for r in read_manifest(ingested)}
    assert sorted(ours) == sorted(theirs)
    for doc_id, record in theirs.items():
        timing = {"seconds", "finished_at"}  # when and how fast: not what
        assert ours[doc_id].model_dump(exclude=timing) == record.model_dump(exclude=timing)
        assert _files(out / doc_id) == _files(ingested / doc_id), doc_id
        assert _files(out / DEID_DIR / doc_id) == _files(ingested / DEID_DIR / doc_id), doc_id
    assert json.loads((out / "identity.json").read_text()) == json.loads(
        (ingested / "identity.json").read_text()
    )


def _stages(out: Path) -> dict[str, int]:
    """Documents by status in OUTDIR's manifest."""
    found: dict[str, int] = {}
    for r in read_manifest(out):
        found[r.status] = found.get(r.status, 0) + 1
    return found


def _pages(engine: Engine, job: str) -> list[tuple[str, int, str, str | None, int]]:
    with engine.connect() as c:
        rows = c.execute(
            select(Page.doc_id, Page.index, Page.status, Page.error, Page.attempts)
            .where(Page.job_id == job)
            .order_by(Page.doc_id, Page.index)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _in_progress(engine: Engine, job: str) -> list[tuple[str, int, int]]:
    """(doc_id, page index or -1 for the join, deliveries) of the work under way."""
    with engine.connect() as c:
        pages = c.execute(
            select(Page.doc_id, Page.index, Page.attempts).where(
                Page.job_id == job, Page.status == "pending", Page.attempts > 0
            )
        ).all()
        joins = c.execute(
            select(Document.doc_id, Document.attempts).where(
                Document.job_id == job, Document.stage == "assembling"
            )
        ).all()
    return [(d, i, a) for d, i, a in pages] + [(d, -1, a) for d, a in joins]


def _phi() -> list[str]:
    """What identifies the bundled charts' patients, by their ground truth; file names too."""
    found: list[str] = []
    for truth in TRUTH.glob("*.json"):
        t = json.loads(truth.read_text())
        p = t["patient"]
        found += [p["family"], *p["given"], p["mrn"], p["birth_date"], Path(t["file"]).stem]
    return found


def _leaks(text: str, phi: list[str]) -> list[str]:
    """The PHI strings in ``text``, as words (an MRN inside a hex message id is no leak)."""
    return [
        s for s in phi
        if re.search(rf"(?<![0-9A-Za-z]){re.escape(s)}(?![0-9A-Za-z])", text, re.IGNORECASE)
    ]  # fmt: skip


class RedisMonitor:
    """Every command the Redis server receives (Redis's MONITOR), message bodies included."""

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.commands: list[str] = []
        self._monitor = self.client.monitor()
        self._monitor.__enter__()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        with _suppress():
            for command in self._monitor.listen():
                self.commands.append(str(command.get("command", "")))

    def close(self) -> str:
        with _suppress():
            self._monitor.connection.disconnect()
        self._thread.join(5)
        return "\n".join(self.commands)


def _scrape(port: int) -> str:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        return r.read().decode()


def _metric(text: str, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples that carry ``labels``."""
    total = 0.0
    for line in text.splitlines():
        m = re.match(rf"^{name}(?:\{{(.*)\}})? (\S+)$", line)
        if m and all(f'{k}="{v}"' in (m.group(1) or "") for k, v in labels.items()):
            total += float(m.group(2))
    return total


# --- a clean run --------------------------------------------------------------------------


def test_redis_and_postgresql_write_what_ingest_writes_and_no_phi_crosses_the_broker(
    runs, engine: Engine, postgres_url: str, samples_outdir: Path
) -> None:
    """Two worker processes on Redis: ingest's files; metrics; ids only on the wire."""
    run = runs("clean", _flushed(REDIS), postgres_url)
    monitor = RedisMonitor(REDIS)
    planted = run.tmp / "in" / "Zebediah Quillfeather 1961-04-02"
    planted.mkdir(parents=True)
    shutil.copy(
        SCANS / "c003-vitals-flowsheet-clean.png", planted / "Quillfeather MRN 77120934.png"
    )
    job = run.submit(SCANS, key_from=samples_outdir)
    second = Run(run.tmp / "second", REDIS, postgres_url)
    job2 = second.submit(planted)
    run.start(processes=2)
    progress = _wait(engine, job)
    _wait(engine, job2)
    metrics = _scrape(run.metrics_port)
    status = run.cli("status", job, "--documents")
    run.stop()
    traffic = monitor.close()

    _assert_same_as_ingest(run.out, samples_outdir)
    pages = _pages(engine, job)
    assert len(pages) == 9 and {p[2] for p in pages} == {"done"}
    assert all(p[4] == 1 for p in pages)  # one delivery each: nothing read twice
    assert progress.by_stage == _stages(samples_outdir)
    stages = ", ".join(f"{k} {v}" for k, v in sorted(_stages(samples_outdir).items()))
    assert f"job {job}: 6 documents ({stages}); pages 9/9 read" in status
    assert "manifest written" in status
    for r in read_manifest(samples_outdir):  # a line a document: id, stage, pages read
        assert re.search(rf"^{r.doc_id}  {r.status} +pages {r.pages}/{r.pages}", status, re.M)
    assert _metric(metrics, "chart2fhir_pages_total", status="done") == 10  # both jobs
    assert _metric(metrics, "chart2fhir_documents_total") == 7
    assert _metric(metrics, "chart2fhir_stage_seconds_count", stage="read_page") == 10
    assert _metric(metrics, "dramatiq_messages_total", actor_name="read_page") == 10
    assert 'chart2fhir_queue_messages{queue="chart2fhir-ocr",state="ready"}' in metrics
    # What crossed the broker, what the workers logged, status, metrics: ids, never PHI.
    assert '"read_page"' in traffic and job in traffic  # the capture saw the messages
    phi = [*_phi(), "Zebediah", "Quillfeather", "1961-04-02", "77120934"]
    log = run.log.read_text()
    assert log.count('"msg": "page read"') == 10  # the capture saw the workers' lines
    assert log.count('"msg": "document finished"') == 7
    for text in (traffic, log, status, metrics):
        assert _leaks(text, phi) == []
    assert all(line.startswith("{") or "dramatiq" in line for line in log.splitlines()), (
        "a worker line outside the PHI-safe formatter"
    )


# --- faults -------------------------------------------------------------------------------


def test_twenty_kill_9s_mid_page_and_mid_join_lose_nothing_and_duplicate_nothing(
    runs, engine: Engine, postgres_url: str, samples_outdir: Path
) -> None:
    """kill -9 of every worker process 20 times while a page or a join is under way."""
    run = runs("kills", _flushed(RABBITMQ), postgres_url)
    job = run.submit(SCANS, key_from=samples_outdir)
    rng = random.Random(7)
    kills: list[list[tuple[str, int]]] = []  # what each kill interrupted
    run.start(processes=1)  # one page or join at a time: each kill cuts one off
    before: dict[tuple[str, int], int] = {}  # deliveries counted when this worker started
    while len(kills) < KILLS:
        progress = state.progress(engine, job)
        assert progress is not None
        assert not progress.written, f"the run ended after {len(kills)} kills"
        # Work this worker started (a delivery counted since), below max_crashes deliveries
        # so that none turns poison (that is another test).
        busy = [(d, i, a) for d, i, a in _in_progress(engine, job) if a > before.get((d, i), 0)]
        if busy and all(a < 3 for _, _, a in busy):
            time.sleep(rng.uniform(0.1, 2.0))  # somewhere in the page (2.5 s) or the join
            now = _in_progress(engine, job)
            started = [(d, i, a) for d, i, a in now if a > before.get((d, i), 0)]
            if started and all(a < 3 for _, _, a in started):
                run.kill()
                kills.append([(d, i) for d, i, _ in started])
                before = {(d, i): a for d, i, a in now}
                run.start(processes=1)
        time.sleep(0.05)
    _wait(engine, job)
    run.stop()

    interrupted = {k for killed in kills for k in killed}
    assert len(interrupted) >= 5, kills  # many pages and joins were cut off
    assert any(i == -1 for _, i in interrupted), "no join was killed"
    pages = _pages(engine, job)
    assert {p[2] for p in pages} == {"done"}, pages  # every page in, none lost, none failed
    assert sum(p[4] for p in pages) > len(pages)  # read again after the kills
    _assert_same_as_ingest(run.out, samples_outdir)
    # No duplicated FHIR resource: each bundle's entries are ingest's, ids unique.
    for record in read_manifest(run.out):
        bundle = json.loads((run.out / record.doc_id / "bundle.json").read_text())
        urls = [e["fullUrl"] for e in bundle["entry"]]
        assert len(urls) == len(set(urls))


def test_a_broker_restart_mid_run_and_the_run_completes(
    runs, engine: Engine, postgres_url: str, samples_outdir: Path, tmp_path: Path
) -> None:
    """A Redis of our own (persistence on, as a deployment runs it) restarted mid-run."""
    port = _free_port()
    data = tmp_path / "redis"
    data.mkdir()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "yes", "--appendfsync", "always", "--dir", str(data)]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        for _ in range(50):
            if _listening(port):
                break
            time.sleep(0.1)
        run = runs("restart", _flushed(f"redis://127.0.0.1:{port}/0"), postgres_url)
        job = run.submit(SCANS, key_from=samples_outdir)
        run.start()
        while not any(p[2] == "done" for p in _pages(engine, job)):
            time.sleep(0.2)
        server.terminate()  # mid-run: pages are being read, others queued
        server.wait(30)
        time.sleep(3)
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        progress = _wait(engine, job)
        run.stop()
    finally:
        server.terminate()
        server.wait(30)
    assert progress.by_stage == _stages(samples_outdir)
    assert {p[2] for p in _pages(engine, job)} == {"done"}
    _assert_same_as_ingest(run.out, samples_outdir)


def test_a_poison_page_is_failed_and_dead_lettered_and_the_others_finish(
    runs, engine: Engine, postgres_url: str
) -> None:
    """A page that kills its worker (as the OOM killer would) every time it is read."""
    from workers.broker import OCR_QUEUE, make_broker, queue_depth

    run = runs("poison", _flushed(RABBITMQ), postgres_url,
               CHART2FHIR_WORKER__MAX_CRASHES="2")  # fmt: skip
    inputs = run.tmp / "in"
    inputs.mkdir(parents=True)
    for name in ("c002-lab-report-heavy.tif", "c003-vitals-flowsheet-clean.png"):
        shutil.copy(SCANS / name, inputs / name)
    job = run.submit(inputs)
    poison = next((d, i) for d, i, *_ in _pages(engine, job) if i == 1)  # c002's second page
    deaths = 0

    def kill_on_poison() -> None:
        """Kill the worker once it starts reading the page (a delivery counted since)."""
        nonlocal deaths
        # Two deaths; the third delivery finds them counted and records the page unread.
        if any((d, i) == poison and a == deaths + 1 <= 2 for d, i, a in _in_progress(engine, job)):
            time.sleep(0.5)  # into the page
            run.kill()
            deaths += 1
            run.start(processes=1)

    run.start(processes=1)
    progress = _wait(engine, job, tick=kill_on_poison)
    run.stop()

    assert deaths == 2
    pages = {(d, i): (s, e, a) for d, i, s, e, a in _pages(engine, job)}
    assert pages[poison] == ("failed", errors.PageWorkerCrashed().record, 3)
    assert all(s == "done" for k, (s, _, a) in pages.items() if k != poison)
    records = {r.doc_id: r for r in read_manifest(run.out)}
    assert records[poison[0]].status == "review"  # one page of two lost, as ingest records it
    assert errors.PageWorkerCrashed().record in records[poison[0]].reasons
    assert progress.by_stage == {"review": 1, "done": 1}
    broker = make_broker(RABBITMQ)
    try:
        assert queue_depth(broker, OCR_QUEUE).dead == 1  # the poison message, dead-lettered
    finally:
        broker.flush_all()
        broker.close()


def test_sigterm_finishes_the_page_at_hand_and_a_new_worker_does_the_rest(
    runs, engine: Engine, postgres_url: str
) -> None:
    run = runs("sigterm", _flushed(RABBITMQ), postgres_url)
    inputs = run.tmp / "in"
    inputs.mkdir(parents=True)
    for name in ("c002-lab-report-heavy.tif", "c004-discharge-summary-moderate.pdf"):
        shutil.copy(SCANS / name, inputs / name)
    job = run.submit(inputs)
    run.start(processes=1)
    while not _in_progress(engine, job):
        time.sleep(0.05)
    (doc_id, index, _), *_ = _in_progress(engine, job)
    assert run.stop() == 0  # graceful: dramatiq's exit code 0
    pages = {(d, i): (s, a) for d, i, s, _, a in _pages(engine, job)}
    assert pages[doc_id, index] == ("done", 1)  # finished before the worker stopped
    assert any(s == "pending" for s, _ in pages.values())  # the rest waited in the queue
    run.start(processes=1)
    _wait(engine, job)
    run.stop()
    pages = {(d, i): (s, a) for d, i, s, _, a in _pages(engine, job)}
    assert set(pages.values()) == {("done", 1)}  # every page read once: nothing redone
