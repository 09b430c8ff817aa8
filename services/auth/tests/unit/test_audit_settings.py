"""The chain key: production refuses the development default and short keys."""

from __future__ import annotations

import pytest

from atende_auth.audit.settings import DEV_AUDIT_CHAIN_KEY, AuditSettings
from atende_auth.settings import AuthSettings
from atende_core.errors import ConfigurationError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("key", [DEV_AUDIT_CHAIN_KEY, "short-but-not-default"])
def test_production_refuses_a_weak_chain_key(key: str) -> None:
    with pytest.raises(ConfigurationError, match="AUDIT_CHAIN_KEY"):
        AuditSettings(environment="production", audit_chain_key=key)


def test_production_accepts_a_real_chain_key() -> None:
    settings = AuditSettings(environment="production", audit_chain_key="k" * 32)
    assert settings.audit_key() == b"k" * 32


def test_the_auth_service_settings_carry_the_chain_key_and_development_runs_with_the_default() -> None:
    assert AuthSettings(environment="development").audit_key() == DEV_AUDIT_CHAIN_KEY.encode()
