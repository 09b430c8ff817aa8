import pytest

from atende_core.errors import ConfigurationError
from atende_whatsapp_connector.settings import ConnectorSettings

pytestmark = pytest.mark.unit


def test_owned_numbers_default_to_the_configured_number(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ConnectorSettings(whatsapp_phone_number_id="1").owned_phone_number_ids == frozenset({"1"})
    monkeypatch.setenv("WHATSAPP_OWNED_PHONE_NUMBER_IDS", "1, 2,3")
    assert ConnectorSettings().owned_phone_number_ids == frozenset({"1", "2", "3"})


def test_graph_base_url_is_versioned() -> None:
    settings = ConnectorSettings(whatsapp_api_base_url="https://graph.facebook.com/", whatsapp_graph_version="v25.0")
    assert settings.graph_base_url == "https://graph.facebook.com/v25.0"


def test_production_refuses_development_tokens() -> None:
    with pytest.raises(ConfigurationError, match="WHATSAPP_ACCESS_TOKEN"):
        ConnectorSettings(environment="production")
    settings = ConnectorSettings(
        environment="production",
        whatsapp_access_token="EAAG" + "x" * 40,
        whatsapp_api_base_url="https://graph.facebook.com",
    )
    assert settings.environment == "production"


def test_dedup_must_outlive_metas_retries() -> None:
    with pytest.raises(ValueError, match="greater than or equal"):
        ConnectorSettings(whatsapp_dedup_ttl_seconds=3600)
