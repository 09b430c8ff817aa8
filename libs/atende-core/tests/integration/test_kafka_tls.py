"""Atende's Kafka TLS and SASL settings against a real broker: an SSL and a SASL_SSL (SCRAM-SHA-512) listener."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from atende.nlu.v1.nlu_pb2 import AnalyzeText
from atende_core.bus import Bus, Envelope, topics
from atende_core.service import kafka_answers
from atende_core.settings import ServiceSettings
from atende_testing import wait_until
from atende_testing.kafka_tls import TlsBroker, tls_kafka_broker
from atende_testing.tls import make_tls_files

pytestmark = pytest.mark.integration
log = logging.getLogger(__name__)

NEGATIVE_TIMEOUT_S = 5.0


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsBroker]:
    with tls_kafka_broker(tmp_path_factory.mktemp("kafka-tls"), password=secrets.token_urlsafe(16)) as running:
        log.warning("TLS test broker listening after %.1fs", running.start_s)
        yield running


def _settings(**env: object) -> ServiceSettings:
    return ServiceSettings(service_name="kafka-tls-test", **env)  # type: ignore[arg-type]


async def _round_trip(bootstrap: str, settings: ServiceSettings) -> None:
    prefix = f"tls-{secrets.token_hex(4)}."
    received: list[str] = []

    async def handler(event: AnalyzeText, envelope: Envelope) -> None:
        received.append(event.request_id)

    security = settings.kafka_security()
    producer = Bus(bootstrap_servers=bootstrap, service_name="p", topic_prefix=prefix, security=security)
    consumer = Bus(bootstrap_servers=bootstrap, service_name="c", topic_prefix=prefix, security=security)
    consumer.subscribe(topics.NLU_REQUESTS, handler, group="c")
    try:
        await consumer.start()
        await producer.start(publishes_to=[topics.NLU_REQUESTS])
        await producer.publish(topics.NLU_REQUESTS, AnalyzeText(request_id="tls-1", text="oi"), key="k")
        await wait_until(lambda: received == ["tls-1"], timeout=30)
    finally:
        await producer.stop()
        await consumer.stop()


async def test_bus_publishes_and_consumes_over_ssl(broker: TlsBroker) -> None:
    settings = _settings(kafka_security_protocol="SSL", kafka_ssl_ca_file=broker.tls.ca_file)
    assert await kafka_answers(broker.ssl_bootstrap, timeout=30, security=settings.kafka_security())
    await _round_trip(broker.ssl_bootstrap, settings)


async def test_bus_publishes_and_consumes_over_sasl_ssl_scram_512(broker: TlsBroker) -> None:
    settings = _settings(
        kafka_security_protocol="SASL_SSL",
        kafka_ssl_ca_file=broker.tls.ca_file,
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username=broker.username,
        kafka_sasl_password=broker.password,
    )
    assert await kafka_answers(broker.sasl_ssl_bootstrap, timeout=30, security=settings.kafka_security())
    await _round_trip(broker.sasl_ssl_bootstrap, settings)


async def _refused_in_time(bootstrap: str, settings: ServiceSettings) -> None:
    started = time.monotonic()
    assert not await kafka_answers(bootstrap, timeout=NEGATIVE_TIMEOUT_S, security=settings.kafka_security())
    assert time.monotonic() - started < NEGATIVE_TIMEOUT_S * 3


async def test_a_client_trusting_another_ca_is_refused(broker: TlsBroker, tmp_path: Path) -> None:
    other = make_tls_files(tmp_path / "other")
    assert await kafka_answers(
        broker.ssl_bootstrap,
        timeout=30,
        security=_settings(kafka_security_protocol="SSL", kafka_ssl_ca_file=broker.tls.ca_file).kafka_security(),
    )
    await _refused_in_time(
        broker.ssl_bootstrap, _settings(kafka_security_protocol="SSL", kafka_ssl_ca_file=other.ca_file)
    )


async def test_a_plaintext_client_on_the_tls_listener_is_refused(broker: TlsBroker) -> None:
    tls = _settings(kafka_security_protocol="SSL", kafka_ssl_ca_file=broker.tls.ca_file)
    assert await kafka_answers(broker.ssl_bootstrap, timeout=30, security=tls.kafka_security())
    await _refused_in_time(broker.ssl_bootstrap, _settings(kafka_security_protocol="PLAINTEXT"))


async def test_a_wrong_scram_password_is_refused(broker: TlsBroker) -> None:
    right = {
        "kafka_security_protocol": "SASL_SSL",
        "kafka_ssl_ca_file": broker.tls.ca_file,
        "kafka_sasl_mechanism": "SCRAM-SHA-512",
        "kafka_sasl_username": broker.username,
    }
    assert await kafka_answers(
        broker.sasl_ssl_bootstrap,
        timeout=30,
        security=_settings(**right, kafka_sasl_password=broker.password).kafka_security(),
    )
    await _refused_in_time(broker.sasl_ssl_bootstrap, _settings(**right, kafka_sasl_password="not-the-password"))
