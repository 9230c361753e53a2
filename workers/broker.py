"""The dramatiq broker from settings: Redis, RabbitMQ, or the stub broker of the unit tests.

Queues, one per kind of work so that each scales on its own: ``chart2fhir-ocr`` (a page:
decode, cleanup, OCR; CPU-heavy, many workers) and ``chart2fhir-document`` (the join:
extraction, PHI detection, redaction, FHIR; holds the NLP pipelines). Messages carry ids
only (job, document, page index), never text or a file name.
"""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage

OCR_QUEUE = "chart2fhir-ocr"
DOCUMENT_QUEUE = "chart2fhir-document"
STUB = "stub://"  # the unit tests' in-memory broker


def make_broker(url: str) -> dramatiq.Broker:
    """A broker for ``url`` (redis://, rediss://, amqp://, amqps:// or stub://).

    Raises:
        ValueError: another scheme (the message does not repeat the URL: it can hold a
            password).

    """
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
    broker.add_middleware(CurrentMessage())
    return broker
