"""The benchmark's worker-queue part (``chart2fhir bench``, section "Worker queues").

On the same documents (the first ``SUBSET`` of the set), one after the other on the same
cores:

- bare tesseract (``--oem 1 --psm 3`` on the decoded pages, one and two processes at a
  time): the ceiling of what OCR alone reads per minute here, and how the cores scale;
- embedded: ``ingest`` with ``--jobs 2`` (the default on one machine);
- the worker queues through Redis with PostgreSQL as the state database: ``chart2fhir
  submit`` with ``chart2fhir worker --processes 1``, then ``--processes 2`` (workers started
  and idle first; timed from submit to the job's manifest written), twice each,
  alternating, the quicker counting; the CPU time the hypervisor took (steal) beside each.

Pages per minute of each (every page of every document through every stage: OCR,
extraction, PHI detection, redaction and its re-read, FHIR), scaling efficiency 1→2 worker
processes (pages/min with 2 over twice that with 1), and the queue's overhead per page two
ways: measured inside a run (the 1-process run's wall time not spent in a stage, per page:
messages, storage, state, idle gaps) and by parts (state transactions of a page on
PostgreSQL, a no-op message's round trip on Redis, the stored OcrPage's write and read),
each against the work a page costs (stage seconds per page).

Run alone on a set ``chart2fhir bench`` generated: ``python -m pipeline.bench_workers
out/bench/set``. Redis and PostgreSQL are the settings' (``CHART2FHIR_WORKER__BROKER_URL``,
``CHART2FHIR_STATE__URL``) or this machine's (``redis://127.0.0.1:6379/11``, a database
``chart2fhir_bench`` on 127.0.0.1:5432); the section says so when they are unreachable.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.settings import Settings

SUBSET = 18  # documents (the whole set at the default --n)
REDIS = "redis://127.0.0.1:6379/11"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/chart2fhir_bench"
PARTS_N = 300  # pages (and messages) timed for the overhead by parts
REPEATS = 2  # of each queue run (and of bare tesseract): the quickest counts
READY_S = 180.0


def run_workers_bench(scans: list[str], *, settings: Settings, out: Path) -> dict[str, Any]:
    """Every figure of the section; ``{"skipped": reason}`` without Redis or PostgreSQL."""
    broker_url = _secret(settings.worker.broker_url) or REDIS
    state_url = _secret(settings.state.url) or POSTGRES
    reason = _unreachable(broker_url, state_url)
    if reason:
        return {"skipped": reason}
    from pipeline import state
    from pipeline.batch import ingest

    subset = sorted(scans)[:SUBSET]
    engine = state.open_state(state_url)
    result: dict[str, Any] = {"documents": len(subset), "cores": os.cpu_count()}

    pages = _decoded_pages(subset, settings, out / "bare")
    result["pages"] = len(pages)
    for processes in (1, 2):
        result[f"bare_{processes}"] = _best(lambda p=processes: _bare_tesseract(pages, processes=p))

    def embedded() -> dict[str, Any]:
        with Stolen() as stolen:
            ingest(subset, out_dir=out / "embedded", settings=settings, jobs=2, force=True)
        return {"seconds": stolen.seconds, "steal": stolen.share, "jobs": 2}

    result["embedded"] = embedded()
    env = {**os.environ, "CHART2FHIR_WORKER__BROKER_URL": broker_url,
           "CHART2FHIR_STATE__URL": state_url}  # fmt: skip
    _flush(broker_url)
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    for _ in range(REPEATS):  # alternated, so that a noisy spell of the host hits both
        for processes in (1, 2):
            runs[processes].append(
                _queue_run(
                    subset,
                    processes=processes,
                    env=env,
                    engine=engine,
                    out=out / f"queue-{processes}",
                )  # fmt: skip
            )
    for processes, tries in runs.items():
        result[f"queue_{processes}"] = min(tries, key=lambda r: r["seconds"])
        result[f"queue_{processes}"]["tries"] = [round(r["seconds"], 1) for r in tries]
    result["parts"] = _overhead_parts(engine, broker_url, out / "parts")
    _add_rates(result)
    return result


def _add_rates(r: dict[str, Any]) -> None:
    """Pages/min of each run, the scaling efficiency, overhead ratios."""
    pages = r["pages"]
    for key in ("bare_1", "bare_2", "embedded", "queue_1", "queue_2"):
        r[key]["pages_per_min"] = pages / r[key]["seconds"] * 60
    one, two = r["queue_1"], r["queue_2"]
    r["scaling_efficiency"] = two["pages_per_min"] / (2 * one["pages_per_min"])
    r["bare_scaling"] = r["bare_2"]["pages_per_min"] / (2 * r["bare_1"]["pages_per_min"])
    work = one["stage_seconds"] / pages  # what a page costs in the stages
    r["stage_seconds_per_page"] = work
    r["overhead_in_run_s"] = (one["seconds"] - one["stage_seconds"]) / pages
    r["overhead_in_run"] = r["overhead_in_run_s"] / work
    parts = r["parts"]
    messages = (one["messages"]) / pages  # read_page, assemble, finish_job per page
    parts["per_page_ms"] = (
        parts["state_page_ms"] + parts["state_document_ms"] * r["documents"] / pages
        + parts["message_ms"] * messages + parts["storage_ms"]
    )  # fmt: skip
    parts["messages_per_page"] = messages
    r["overhead_by_parts"] = parts["per_page_ms"] / 1000 / work


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


def _unreachable(broker_url: str, state_url: str) -> str | None:
    """Why the section cannot run, or None; makes the bench database when it is ours."""
    import redis
    import sqlalchemy

    try:
        redis.Redis.from_url(broker_url, socket_connect_timeout=3).ping()
    except redis.RedisError:
        return "no Redis at the broker URL (CHART2FHIR_WORKER__BROKER_URL)"
    if state_url == POSTGRES:
        try:
            import psycopg

            with psycopg.connect(
                "host=127.0.0.1 port=5432 user=postgres dbname=postgres",
                autocommit=True,
                connect_timeout=3,
            ) as c:
                if not c.execute("SELECT 1 FROM pg_database WHERE datname = 'chart2fhir_bench'"
                                 ).fetchone():  # fmt: skip
                    c.execute("CREATE DATABASE chart2fhir_bench")
        except psycopg.Error:
            return "no PostgreSQL on 127.0.0.1:5432"
    try:
        with sqlalchemy.create_engine(state_url).connect():
            pass
    except sqlalchemy.exc.SQLAlchemyError:
        return "the state database (CHART2FHIR_STATE__URL) is unreachable"
    return None


def _flush(broker_url: str) -> None:
    """Empty the queues the workers read (left over from an interrupted run)."""
    import redis

    client = redis.Redis.from_url(broker_url)
    keys = list(client.scan_iter("dramatiq:chart2fhir-*"))
    if keys:
        client.delete(*keys)


# --- bare tesseract -------------------------------------------------------------------------


def _decoded_pages(scans: list[str], settings: Settings, folder: Path) -> list[str]:
    """Every page of ``scans`` decoded as the pipeline decodes it, saved as PNG (untimed)."""
    import cv2

    from pipeline.batch import inspect_input
    from pipeline.ocr.load import load_page
    from pipeline.schema import Source

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for scan in scans:
        source = inspect_input(scan, out_dir=folder, earlier={}, settings=settings, force=True)
        if not isinstance(source, Source):
            continue
        for i in range(source.pages):
            path = folder / f"{source.doc_id}-{i:03d}.png"
            cv2.imwrite(str(path), load_page(source, i, cfg=settings.load).image)
            paths.append(str(path))
    return paths


def _tesseract(path: str) -> None:
    subprocess.run(
        ["tesseract", path, "-", "--oem", "1", "--psm", "3"],
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        capture_output=True,
        check=True,
    )


def _bare_tesseract(pages: list[str], *, processes: int) -> dict[str, Any]:
    with Stolen() as stolen, ProcessPoolExecutor(processes) as pool:
        list(pool.map(_tesseract, pages))
    return {"seconds": stolen.seconds, "steal": stolen.share, "processes": processes}


def _best(run: Any) -> dict[str, Any]:
    """The quickest of ``REPEATS`` runs (the least disturbed by the host)."""
    return min((run() for _ in range(REPEATS)), key=lambda r: r["seconds"])


class Stolen:
    """Wall seconds of a block and the share of CPU time the hypervisor took (steal)."""

    def __enter__(self) -> Stolen:
        self._started, self._cpu = time.monotonic(), _cpu_times()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.monotonic() - self._started
        after = _cpu_times()
        total = sum(after) - sum(self._cpu)
        self.share = (after[7] - self._cpu[7]) / total if total and len(after) > 7 else 0.0


def _cpu_times() -> list[int]:
    """The machine's CPU time counters (/proc/stat: user, nice, system, idle, ..., steal)."""
    try:
        with open("/proc/stat") as f:
            return [int(v) for v in f.readline().split()[1:9]]
    except OSError:
        return []


# --- the queue runs -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the workers exited at start")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("the workers did not start")


def _queue_run(
    scans: list[str], *, processes: int, env: dict[str, str], out: Path, engine: Any
) -> dict[str, Any]:
    """Workers started and idle, then submit; seconds until the job's manifest is written."""
    from sqlalchemy import func, select

    from pipeline import state
    from pipeline.schema import DocumentRecord
    from pipeline.state.models import Page

    out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    cli = [sys.executable, "-m", "pipeline.cli"]
    workers = subprocess.Popen(
        [*cli, "worker", "--processes", str(processes), "--metrics-port", str(port)],
        env={**env, "dramatiq_prom_db": tempfile.mkdtemp(prefix="c2f-prom-")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_port(port, workers)
        with Stolen() as stolen:  # its share of steal; seconds by the database's clock
            started = datetime.now(UTC).replace(tzinfo=None)
            submitted = subprocess.run(
                [*cli, "submit", *scans, "--out", str(out), "--force"],
                env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            job = submitted.stdout.strip()
            while True:  # slowly: a busy poller would take the workers' CPU
                progress = state.progress(engine, job)
                if progress is not None and progress.written:
                    break
                time.sleep(1.0)
        seconds = (progress.written - started).total_seconds()
    finally:
        workers.send_signal(signal.SIGTERM)
        try:
            workers.wait(120)
        except subprocess.TimeoutExpired:
            os.killpg(workers.pid, signal.SIGKILL)
    with engine.connect() as c:
        page_seconds = c.execute(
            select(func.coalesce(func.sum(Page.seconds), 0.0)).where(Page.job_id == job)
        ).scalar_one()
    records = [
        DocumentRecord.model_validate_json(r) for r in state.store.records(engine, job).values()
    ]
    join_seconds = sum(r.seconds for r in records)
    return {
        "processes": processes,
        "seconds": seconds,
        "steal": stolen.share,
        "stage_seconds": float(page_seconds) + join_seconds,
        "page_seconds": float(page_seconds),
        "join_seconds": join_seconds,
        "messages": progress.pages + len(records) + 1,
        "statuses": {
            s: sum(1 for r in records if r.status == s) for s in ("done", "review", "failed")
        },
    }


# --- overhead by parts ----------------------------------------------------------------------


def _overhead_parts(engine: Any, broker_url: str, folder: Path) -> dict[str, float]:
    """What the queue adds to a page, timed apart: state, a message, storage."""
    from pipeline import state
    from pipeline.state.store import NewDocument
    from pipeline.storage import LocalStorage

    job = uuid.uuid4().hex
    docs = [NewDocument(f"{i:016x}", "/bench/none.pdf", 3) for i in range(PARTS_N // 3)]
    state.create_job(engine, job, folder, docs, storage=folder)
    started = time.perf_counter()
    for d in docs:
        for i in range(d.pages):
            state.page_started(engine, job, d.doc_id, i)
            state.page_finished(engine, job, d.doc_id, i, seconds=1.0)
    state_page = (time.perf_counter() - started) / (len(docs) * 3)
    started = time.perf_counter()
    for d in docs:
        claimant = uuid.uuid4().hex
        state.claim_document(engine, job, d.doc_id, claimant=claimant, timeout_s=60)
        state.finish_document(engine, job, d.doc_id, claimant=claimant, status="done", error=None,
                              record="{}")  # fmt: skip
        state.progress(engine, job)
    state_document = (time.perf_counter() - started) / len(docs)

    store = LocalStorage(folder / "storage")
    body = json.dumps({"words": [{"text": "word", "conf": 90.0, "box": [1, 2, 3, 4]}] * 400})
    started = time.perf_counter()
    for i in range(PARTS_N):
        store.put(f"jobs/{job}/p/{i}.json", body.encode())
        store.get(f"jobs/{job}/p/{i}.json")
    storage = (time.perf_counter() - started) / PARTS_N
    return {
        "state_page_ms": state_page * 1000,
        "state_document_ms": state_document * 1000,
        "message_ms": _message_round_trip(broker_url) * 1000,
        "storage_ms": storage * 1000,
    }


def _message_round_trip(broker_url: str) -> float:
    """Seconds per no-op message on Redis: sent, fetched, run by a worker thread, acked."""
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker

    broker = RedisBroker(url=broker_url)
    queue = "chart2fhir-bench-noop"
    broker.flush(queue)

    @dramatiq.actor(broker=broker, queue_name=queue, actor_name="c2f_bench_noop", max_retries=0)
    def noop(job_id: str, doc_id: str, index: int) -> None:
        return None

    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    started = time.perf_counter()
    for i in range(PARTS_N):
        noop.send(uuid.uuid4().hex, "0" * 16, i)
    worker.start()
    try:
        broker.join(queue, timeout=120_000)
        worker.join()
    finally:
        worker.stop()
        broker.close()
    return (time.perf_counter() - started) / PARTS_N


# --- the report -----------------------------------------------------------------------------


def render_workers(r: dict[str, Any]) -> list[str]:
    """The section of BENCHMARKS.md."""
    lines = ["## Worker queues", ""]
    if "skipped" in r:
        return [*lines, f"Skipped: {r['skipped']}.", ""]
    one, two = r["queue_1"], r["queue_2"]
    parts = r["parts"]
    lines += [
        f"The first {r['documents']} documents of the set ({r['pages']} pages), one run after "
        f"the other on the same {r['cores']} cores (`pipeline/bench_workers.py`). Pages/min "
        "count every stage of a page (OCR, extraction, PHI detection, redaction and its re-read, "
        "FHIR) except for bare tesseract, which only reads. The queue runs go through Redis with "
        "PostgreSQL as the state database, workers started first, timed from `chart2fhir "
        "submit` to the job's manifest.",
        "",
        "| run | seconds | pages/min | CPU stolen by the host |",
        "|---|---|---|---|",
        *(
            f"| bare tesseract, {n} process{'es' if n > 1 else ''} (OCR only: the ceiling) | "
            f"{r[f'bare_{n}']['seconds']:.1f} | {r[f'bare_{n}']['pages_per_min']:.1f} | "
            f"{r[f'bare_{n}']['steal']:.1%} |"
            for n in (1, 2)
        ),
        f"| embedded (`ingest --jobs {r['embedded']['jobs']}`) | {r['embedded']['seconds']:.1f} "
        f"| {r['embedded']['pages_per_min']:.1f} | {r['embedded']['steal']:.1%} |",
        f"| queue, 1 worker process | {one['seconds']:.1f} | {one['pages_per_min']:.1f} | "
        f"{one['steal']:.1%} |",
        f"| queue, 2 worker processes | {two['seconds']:.1f} | {two['pages_per_min']:.1f} | "
        f"{two['steal']:.1%} |",
        "",
        f"Each queue run twice, alternating (1, 2, 1, 2: {one['tries']} s and {two['tries']} s), "
        "bare tesseract twice each; the quicker counts: this machine shares its host, and a "
        "busy spell costs the run that uses both cores most.",
        "",
        f"- Scaling efficiency 1→2 worker processes: **{r['scaling_efficiency']:.2f}** "
        f"(target ≥ 0.9); bare tesseract's own, in the same run: {r['bare_scaling']:.2f}.",
        f"- Work per page in the stages (1-process run): {r['stage_seconds_per_page']:.2f} s "
        f"({one['page_seconds'] / r['pages']:.2f} s reading the page, "
        f"{one['join_seconds'] / r['pages']:.2f} s of its document's join).",
        f"- Queue + state overhead per page, in the 1-process run (wall time outside the "
        f"stages: messages, storage, state, idle gaps): {r['overhead_in_run_s'] * 1000:.0f} ms, "
        f"**{r['overhead_in_run']:.1%}** of the page's work (target ≤ 5 %).",
        f"- By parts: state {parts['state_page_ms']:.2f} ms per page (2 transactions on "
        f"PostgreSQL) + {parts['state_document_ms']:.2f} ms per document (claim, finish, "
        f"progress); a message's round trip on Redis {parts['message_ms']:.2f} ms "
        f"(× {parts['messages_per_page']:.2f} messages per page); the OcrPage stored and read "
        f"{parts['storage_ms']:.2f} ms: {parts['per_page_ms']:.2f} ms per page, "
        f"{r['overhead_by_parts']:.2%} of its work.",
        "",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline.bench_workers SET_DIR``: the section alone, printed."""
    import argparse

    from pipeline.settings import configure_process

    parser = argparse.ArgumentParser(prog="python -m pipeline.bench_workers")
    parser.add_argument(
        "set_dir", type=Path, help="a set written by chart2fhir bench (out/bench/set)"
    )
    parser.add_argument("--out", type=Path, default=Path("out/bench-workers"))
    args = parser.parse_args(argv)
    configure_process()
    truths = [json.loads(p.read_text()) for p in sorted((args.set_dir / "truth").glob("*.json"))]
    scans = [str(args.set_dir / t["file"]) for t in truths]
    result = run_workers_bench(scans, settings=Settings(), out=args.out)
    (args.out / "workers.json").write_text(json.dumps(result, indent=2) + "\n")
    print("\n".join(render_workers(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
