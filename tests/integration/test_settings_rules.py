"""Production's refusals, checked on every service's settings class (a table), and a real service
process started without ENVIRONMENT and with `make dev`'s secrets, which must refuse to start."""

from __future__ import annotations

import asyncio
import importlib
import os
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from atende_core.errors import ConfigurationError
from atende_core.settings import ServiceSettings
from atende_testing.platform import DEV_SECRETS, SERVICES

ROOT = Path(__file__).resolve().parents[2]

SETTINGS = {
    "gateway": "atende_gateway.settings.GatewaySettings",
    "auth": "atende_auth.settings.AuthSettings",
    "whatsapp-connector": "atende_whatsapp_connector.settings.ConnectorSettings",
    "conversation": "atende_conversation.settings.ConversationSettings",
    "nlu-gemini": "atende_nlu_gemini.settings.NluSettings",
    "sgp-adapter": "atende_sgp_adapter.settings.Settings",
    "campaign-scheduler": "atende_campaign_scheduler.settings.CampaignSettings",
    "notifier": "atende_notifier.settings.NotifierSettings",
}
# Conditional secrets of the base class (Kafka SASL, Vault): covered by their own tests.
BASE_OPTIONAL = {"kafka_sasl_password", "kafka_ssl_key_password", "secrets_vault_token"}


def settings_class(service: str) -> type[ServiceSettings]:
    module, _, name = SETTINGS[service].rpartition(".")
    cls: type[ServiceSettings] = getattr(importlib.import_module(module), name)
    return cls


def secret_names(cls: type[ServiceSettings]) -> list[str]:
    from atende_core.secrets.source import is_secret_field

    return [n for n, f in cls.model_fields.items() if is_secret_field(f) and n not in BASE_OPTIONAL]


def valid_production(cls: type[ServiceSettings]) -> dict[str, Any]:
    """Real-looking values: 48-byte secrets, https URLs."""
    values: dict[str, Any] = {"environment": "production"}
    for index, name in enumerate(secret_names(cls)):
        values[name] = f"{index:02d}" + "Zq8f3LwP0sXb6TgE1nYc4VjR7kHa9uMd2oQi5Bz" + "x" * 7
    for name in cls.https_urls:
        values[name] = "https://api.example.com.br"
    return values


def cases() -> list[tuple[str, str, dict[str, Any], str]]:
    """(service, rule, overrides, expected message) for every rule that applies to every class."""
    table: list[tuple[str, str, dict[str, Any], str]] = []
    for service in SETTINGS:
        cls = settings_class(service)
        for name in secret_names(cls):
            variable = name.upper()
            table.append((service, f"{name} placeholder", {name: "changeme"}, f"{variable} holds a placeholder"))
            table.append((service, f"{name} make-dev value", {name: DEV_SECRETS.get(variable, "dev-sgp-token")}, ""))
            if name in cls.external_secrets:
                continue
            table.append((service, f"{name} 31 bytes", {name: "k" * 31}, f"{variable} is shorter than 32 bytes"))
        for name in cls.https_urls:
            variable = name.upper()
            table.append((service, f"{name} http", {name: "http://api.example.com.br"}, f"{variable} must be an https"))
            if cls.model_fields[name].default is not None:  # a simulator default: required in production
                table.append((service, f"{name} omitted", {name: None}, "is required in production"))
    return table


@pytest.mark.unit
@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_service_accepts_a_real_production_configuration(service: str) -> None:
    cls = settings_class(service)
    settings = cls(**valid_production(cls))
    assert settings.is_production


@pytest.mark.unit
@pytest.mark.parametrize(("service", "rule", "overrides", "message"), cases(), ids=lambda v: str(v)[:40])
def test_production_refuses(service: str, rule: str, overrides: dict[str, Any], message: str) -> None:
    cls = settings_class(service)
    values = valid_production(cls)
    for name, value in overrides.items():
        if value is None:
            values.pop(name)
        else:
            values[name] = value
    with pytest.raises(ConfigurationError) as refused:
        cls(**values)
    text = str(refused.value)
    variable = next(iter(overrides)).upper()
    assert variable in text
    if message:
        assert message in text
    # The refusal never repeats the secret it refused.
    for value in overrides.values():
        if isinstance(value, str) and len(value) > 8:
            assert value not in text


@pytest.mark.unit
@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_no_environment_is_refused_and_development_keeps_its_defaults(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cls = settings_class(service)
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    with pytest.raises(ConfigurationError, match="ENVIRONMENT is not set"):
        cls()
    for environment in ("development", "test"):
        settings = cls(environment=environment)
        assert all(isinstance(v, SecretStr) for v in settings.secret_fields().values())


@pytest.mark.unit
def test_sasl_needs_credentials_and_plain_sasl_needs_tls_in_production() -> None:
    with pytest.raises(ConfigurationError, match="KAFKA_SASL_USERNAME"):
        ServiceSettings(environment="test", kafka_security_protocol="SASL_SSL")
    with pytest.raises(ConfigurationError, match="use SASL_SSL"):
        ServiceSettings(
            environment="production",
            kafka_security_protocol="SASL_PLAINTEXT",
            kafka_sasl_username="atende",
            kafka_sasl_password="p" * 40,
        )
    scram = ServiceSettings(
        environment="production",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="atende",
        kafka_sasl_password="p" * 40,
    ).kafka_security()
    options = scram.client_kwargs()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["ssl_context"] is not None
    assert type(scram.faststream()).__name__ == "SASLScram512"


@pytest.mark.integration
async def test_a_service_process_without_environment_and_with_the_dev_secrets_refuses_to_start() -> None:
    """The console scripts of the services that hold `make dev`'s secrets, started the way a careless
    deployment would start them (the table above covers every class in-process; each start costs
    seconds of imports on a loaded machine)."""
    env = {k: v for k, v in os.environ.items() if k != "ENVIRONMENT"}
    env.update({k: v for k, v in DEV_SECRETS.items() if k != "ENVIRONMENT"})
    env["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:1"  # never reached: the settings refuse first

    async def start(command: str, environment: dict[str, str]) -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            str(ROOT / ".venv" / "bin" / command),
            env=environment,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode is not None
        return process.returncode, stderr.decode()

    chosen = [p for p in SERVICES if p.name in ("gateway", "whatsapp-connector", "sgp-adapter")]
    results = await asyncio.gather(*(start(p.command, env) for p in chosen))
    for program, (code, stderr) in zip(chosen, results, strict=True):
        assert code == 2, (program.name, stderr)
        assert f"{program.command}: refusing to start: ENVIRONMENT is not set" in stderr, program.name
        assert "Traceback" not in stderr

    # The same secrets with ENVIRONMENT=production: refused by name, never echoed.
    production = {**env, "ENVIRONMENT": "production"}
    code, stderr = await start("atende-sgp-adapter", production)
    assert code == 2
    assert "atende-sgp-adapter: refusing to start: SGP_TOKEN holds a development default" in stderr
    assert DEV_SECRETS["SGP_TOKEN"] not in stderr


@pytest.mark.unit
def test_load_ends_the_process_with_the_reason_and_never_the_rejected_value(capsys: pytest.CaptureFixture[str]) -> None:
    cls = settings_class("sgp-adapter")
    with pytest.raises(SystemExit) as ended:
        cls.load(environment="test", sgp_ticket_types="not-json-tok3n-ABCDEF")
    assert ended.value.code == 2
    stderr = capsys.readouterr().err
    assert "refusing to start: SGP_TICKET_TYPES" in stderr
    assert "tok3n-ABCDEF" not in stderr
    with pytest.raises(SystemExit):
        cls.load(environment="production", sgp_token="changeme")
    assert "SGP_TOKEN holds a placeholder" in capsys.readouterr().err
