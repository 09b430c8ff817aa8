"""Kafka TLS/SASL settings become one KafkaSecurity that every Kafka client is built with."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256

from atende_core.service import build_bus
from atende_core.settings import ServiceSettings
from atende_testing.tls import make_tls_files

pytestmark = pytest.mark.unit


def test_plaintext_adds_nothing() -> None:
    security = ServiceSettings(environment="test").kafka_security()
    assert security.client_kwargs() == {}
    assert security.faststream() is None


def test_mutual_tls_verifies_the_broker_and_presents_our_certificate(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path)
    security = ServiceSettings(
        environment="test",
        kafka_security_protocol="SSL",
        kafka_ssl_ca_file=tls.ca_file,
        kafka_ssl_cert_file=tls.cert_file,
        kafka_ssl_key_file=tls.key_file,
    ).kafka_security()
    options = security.client_kwargs()
    context = options["ssl_context"]
    assert options["security_protocol"] == "SSL"
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert any("Atende test CA" in str(ca.get("subject")) for ca in context.get_ca_certs())
    assert type(security.faststream()) is BaseSecurity


@pytest.mark.parametrize(
    ("protocol", "mechanism", "kind"),
    [("SASL_SSL", "PLAIN", SASLPlaintext), ("SASL_SSL", "SCRAM-SHA-256", SASLScram256)],
)
def test_sasl_credentials_reach_aiokafka_and_faststream(protocol: str, mechanism: str, kind: type) -> None:
    settings = ServiceSettings(
        environment="test",
        kafka_security_protocol=protocol,
        kafka_sasl_mechanism=mechanism,
        kafka_sasl_username="atende-conversation",
        kafka_sasl_password="broker-password",
    )
    security = settings.kafka_security()
    options = security.client_kwargs()
    assert options["sasl_mechanism"] == mechanism
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "atende-conversation",
        "broker-password",
    )
    assert isinstance(security.faststream(), kind)
    assert "broker-password" not in repr(settings)
    # The bus a service builds from these settings carries the same security.
    bus = build_bus(settings, name="conversation", redis=None)
    assert bus._security == security
