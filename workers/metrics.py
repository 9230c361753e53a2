"""Prometheus metrics of the workers: counts, codes, durations, queue depths. No PHI.

Labels are fixed words (a stage, a status, an error code, a queue name): never an id, a
name or a path. Rates come from the counters (``rate(chart2fhir_pages_total[1m])`` is
pages/s); dramatiq's own metrics (``dramatiq_messages_total``, ``dramatiq_message_duration
_milliseconds``, ...) are served beside them by the same exposition server.

The metrics are made on first use, in the worker process: prometheus_client must be
imported after dramatiq's middleware has set the shared directory of the processes.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

DEPTH_EVERY_S = 5.0
SECONDS = (0.1, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120, 300, 600)


@cache
def _metrics() -> dict[str, Any]:
    import prometheus_client as prom

    return {
        "pages": prom.Counter("chart2fhir_pages_total", "Pages read, by outcome.", ["status"]),
        "documents": prom.Counter(
            "chart2fhir_documents_total", "Documents finished, by status.", ["status"]
        ),
        "failures": prom.Counter(
            "chart2fhir_failures_total",
            "Failed messages, by stage, error code and outcome (retried or dead-lettered).",
            ["stage", "code", "outcome"],
        ),
        "seconds": prom.Histogram(
            "chart2fhir_stage_seconds", "Seconds a stage took.", ["stage"], buckets=SECONDS
        ),
        "depth": prom.Gauge(
            "chart2fhir_queue_messages",
            "Messages in a queue (ready, delayed for a retry, dead-lettered).",
            ["queue", "state"],
            multiprocess_mode="mostrecent",
        ),
    }


def page(seconds: float, *, failed: bool) -> None:
    """A page read (or recorded failed by its reader) in ``seconds``."""
    m = _metrics()
    m["pages"].labels("failed" if failed else "done").inc()
    m["seconds"].labels("read_page").observe(seconds)


def stage(name: str, seconds: float) -> None:
    """A stage's duration."""
    _metrics()["seconds"].labels(name).observe(seconds)


def document(status: str) -> None:
    """A document finished (done, review, failed)."""
    _metrics()["documents"].labels(status).inc()


def failure(stage: str, code: str, *, retried: bool) -> None:
    """A message failed with ``code``."""
    _metrics()["failures"].labels(stage, code, "retried" if retried else "dead-lettered").inc()


class Metrics(Middleware):
    """Samples the depth of our queues every few seconds while the worker runs."""

    def __init__(self) -> None:
        self._stop = threading.Event()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        """Start the sampler."""
        threading.Thread(target=self._sample, args=(broker,), daemon=True).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        """Stop it."""
        self._stop.set()

    def _sample(self, broker: dramatiq.Broker) -> None:
        from workers.broker import QUEUES, queue_depth

        gauge = _metrics()["depth"]
        while not self._stop.wait(DEPTH_EVERY_S):
            try:
                for queue in QUEUES:
                    depth = queue_depth(broker, queue)
                    for state in ("ready", "delayed", "dead"):
                        gauge.labels(queue, state).set(getattr(depth, state))
            except Exception:  # noqa: BLE001,S112 - a broker hiccup: the next sample
                continue
