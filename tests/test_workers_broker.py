"""The broker from its URL: the stub for unit tests, the machine's real Redis and RabbitMQ."""

from __future__ import annotations

import socket

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage

from workers.broker import STUB, make_broker

# The machine's start commands (its env page), for a broker that is down.
START = {
    6379: [
        "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
        "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
        "--logfile", "/var/log/redis/ci.log",
    ],
    5672: ["rabbitmq-server", "-detached"],
}  # fmt: skip


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_stub_broker_with_current_message() -> None:
    broker = make_broker(STUB)
    assert isinstance(broker, StubBroker)
    assert any(isinstance(m, CurrentMessage) for m in broker.middleware)


def test_an_unknown_scheme_is_refused_without_repeating_the_url() -> None:
    with pytest.raises(ValueError) as e:
        make_broker("http://user:secret@host/")
    assert "secret" not in str(e.value)


@pytest.mark.parametrize(
    ("url", "port"),
    [("redis://127.0.0.1:6379/15", 6379), ("amqp://guest:guest@127.0.0.1:5672/", 5672)],
)
def test_a_message_round_trips_through_the_real_broker(url: str, port: int) -> None:
    from tests.conftest import _ensure_running

    _ensure_running(lambda: _listening(port), START[port], f"the broker on {port}")
    from dramatiq import Worker

    broker = make_broker(url)
    seen: list[tuple[str, int]] = []
    queue = "chart2fhir-test-broker"

    @dramatiq.actor(broker=broker, queue_name=queue, actor_name="c2f_test_echo")
    def echo(doc_id: str, index: int) -> None:
        seen.append((doc_id, index))

    broker.flush(queue)
    echo.send("abcdef0123456789", 3)
    worker = Worker(broker, worker_timeout=100)
    worker.start()
    try:
        broker.join(queue, timeout=20_000)
        worker.join()
    finally:
        worker.stop()
        broker.close()
    assert seen == [("abcdef0123456789", 3)]
