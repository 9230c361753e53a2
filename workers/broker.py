"""The dramatiq broker from settings: Redis, RabbitMQ, or the stub broker of the unit tests.

Queues, one per kind of work so that each scales on its own: ``chart2fhir-ocr`` (a page:
decode, cleanup, OCR; CPU-heavy, many workers) and ``chart2fhir-document`` (the join:
extraction, PHI detection, redaction, FHIR; holds the NLP pipelines). Each has an urgent
twin (``chart2fhir-ocr-urgent``, ...) whose actors go first. Messages carry ids only (job,
document, page index), never text or a file name.

Redis keeps queued messages across its restart only with persistence on (``appendonly
yes``); RabbitMQ's queues are durable and its messages persistent.
"""

from __future__ import annotations

from dataclasses import dataclass

import dramatiq
import pika.exceptions
import redis.exceptions
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import dq_name, xq_name
from dramatiq.errors import BrokerConnectionError
from dramatiq.middleware import CurrentMessage

OCR_QUEUE = "chart2fhir-ocr"
DOCUMENT_QUEUE = "chart2fhir-document"
URGENT = "-urgent"
QUEUES = (OCR_QUEUE, OCR_QUEUE + URGENT, DOCUMENT_QUEUE, DOCUMENT_QUEUE + URGENT)
STUB = "stub://"  # the unit tests' in-memory broker
# What a send raises while the broker is away: dramatiq wraps some of the clients' errors
# (RedisBroker.enqueue lets redis-py's through).
OUTAGES: tuple[type[Exception], ...] = (
    BrokerConnectionError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    pika.exceptions.AMQPConnectionError,
)


def make_broker(url: str) -> dramatiq.Broker:
    """A broker for ``url`` (redis://, rediss://, amqp://, amqps:// or stub://).

    Real brokers get dramatiq's Prometheus middleware (the exposition server on
    ``dramatiq_prom_host``:``dramatiq_prom_port``, 0.0.0.0:9191 by default, serves ours
    too: ``workers.metrics``).

    Raises:
        ValueError: another scheme (the message does not repeat the URL: it can hold a
            password).

    """
    from workers.metrics import Metrics

    broker: dramatiq.Broker
    if url == STUB:
        broker = StubBroker()
    elif url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=url)
    elif url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url, confirm_delivery=True)
    else:
        raise ValueError("the broker URL must start with redis://, amqp:// or stub://")
    if url != STUB:
        from dramatiq.middleware.prometheus import Prometheus

        broker.add_middleware(Prometheus())
    broker.add_middleware(CurrentMessage())
    broker.add_middleware(Metrics())
    for queue in QUEUES:
        broker.declare_queue(queue)
    return broker


@dataclass(frozen=True)
class Depth:
    """Messages in a queue: ready, delayed (retries waiting out their backoff), dead."""

    ready: int
    delayed: int
    dead: int


def queue_depth(broker: dramatiq.Broker, queue: str) -> Depth:
    """How many messages ``queue`` holds on ``broker``."""
    if isinstance(broker, StubBroker):
        return Depth(
            broker.queues[queue].qsize(),
            broker.queues[dq_name(queue)].qsize(),
            len(broker.dead_letters_by_queue[queue]),
        )
    from dramatiq.brokers.redis import RedisBroker

    if isinstance(broker, RedisBroker):

        def key(name: str) -> str:
            return f"{broker.namespace}:{name}"

        client = broker.client
        return Depth(
            int(client.llen(key(queue))),
            int(client.llen(key(dq_name(queue)))),
            int(client.zcard(key(xq_name(queue)))),
        )
    ready, delayed, dead = broker.get_queue_message_counts(queue)  # type: ignore[attr-defined]
    return Depth(ready, delayed, dead)
