"""Settings and the security-event publisher at their edges (no infrastructure)."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from atende.security.v1.security_pb2 import SecurityEventRecorded as Sec
from atende_auth.adapters.security_events import BusSecurityEvents
from atende_auth.domain.clock import MovableClock
from atende_auth.settings import AuthSettings
from atende_core.bus import Bus
from atende_core.errors import ConfigurationError
from atende_core.identity import Role

pytestmark = pytest.mark.unit


def test_production_refuses_the_development_encryption_key() -> None:
    with pytest.raises(ConfigurationError, match="AUTH_TOTP_ENCRYPTION_KEY"):
        AuthSettings(environment="production", audit_chain_key="a" * 40)
    AuthSettings(environment="production", audit_chain_key="a" * 40, auth_totp_encryption_key="k" * 40)


def test_the_allowlist_and_trusted_proxies_parse_from_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_IP_ALLOWLIST", '{"admin": ["10.0.0.0/8"], "supervisor": []}')
    monkeypatch.setenv("AUTH_TRUSTED_PROXIES", '["192.168.1.1/32"]')
    settings = AuthSettings()
    assert [str(n) for n in settings.auth_ip_allowlist[Role.ADMIN]] == ["10.0.0.0/8"]
    assert settings.auth_ip_allowlist[Role.SUPERVISOR] == []
    assert [str(n) for n in settings.auth_trusted_proxies] == ["192.168.1.1/32"]


def test_a_bad_allowlist_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_IP_ALLOWLIST", '{"root": ["10.0.0.0/8"]}')
    with pytest.raises(ValueError, match="auth_ip_allowlist"):
        AuthSettings()


async def test_an_event_that_cannot_be_published_is_counted_and_does_not_raise() -> None:
    bus = Bus(bootstrap_servers="127.0.0.1:1", service_name="auth-test")  # never started
    events = BusSecurityEvents(bus, clock=MovableClock())
    labels = {"kind": "KIND_LOGIN_FAILED"}
    before = REGISTRY.get_sample_value("atende_auth_security_events_failed_total", labels) or 0.0
    await events.record(Sec.KIND_LOGIN_FAILED, user_id="u1", source_ip="192.0.2.1")
    assert REGISTRY.get_sample_value("atende_auth_security_events_failed_total", labels) == before + 1
