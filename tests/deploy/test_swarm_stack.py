"""deploy/swarm/stack.yml: valid under the Compose specification's JSON schema (deploy/schemas/, kept
in the repository), and right for Atende: every service, a release tag, the image's health check,
rolling updates that roll back, only the gateway published, and every secret setting of every
service read from a Docker secret; each service's own settings class accepts the result in
production."""

from __future__ import annotations

import base64
import importlib
import inspect
import json
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import SecretStr

from atende_core.secrets.source import is_secret_field
from atende_core.settings import ServiceSettings
from atende_testing.platform import SERVICES

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "deploy" / "swarm" / "stack.yml"
SCHEMA = ROOT / "deploy" / "schemas" / "compose-spec.json"
SECRETS_DIR = "/run/secrets/"
# Values an operator exports before `docker stack deploy` (deploy/swarm/atende.env.example).
DEPLOYER_ENV = {
    "ATENDE_VERSION": "1.4.2",
    "KAFKA_BOOTSTRAP_SERVERS": "kafka-1.example.net:9093,kafka-2.example.net:9093",
    "KAFKA_SASL_USERNAME": "atende",
    "REDIS_URL": "rediss://redis.example.net:6380/0",
    "MONGODB_URI": "mongodb://mongo-1.example.net:27017/?replicaSet=rs0",
    "PII_MASTER_KEY_ID": "2026-12",
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "WHATSAPP_BUSINESS_ACCOUNT_ID": "102290129340398",
    "ISP_NAME": "NetExemplo",
    "SGP_BASE_URL": "https://sgp.example.net",
    "ATENDE_INFRA_CA_FILE": "./infra-ca.pem",
}
# Secret settings a deployment may leave out: the Vault token (Docker secrets are the provider here),
# the client key's passphrase (SASL is the client authentication here) and the previous PII keys
# (set only during a key rotation: docs/secrets.md).
OPTIONAL_SECRETS = {"secrets_vault_token", "kafka_ssl_key_password", "pii_previous_keys"}

_VARIABLE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}")


def interpolate(value: Any, env: Mapping[str, str], missing: set[str]) -> Any:
    """What `docker stack deploy` does with ${VAR}, ${VAR:-default} and ${VAR:?message}."""
    if isinstance(value, dict):
        return {k: interpolate(v, env, missing) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env, missing) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, op = match["name"], match["op"]
        if env.get(name):
            return env[name]
        if op == ":-":
            return str(match["arg"])
        missing.add(name)
        return ""

    return _VARIABLE.sub(substitute, value)


def load_stack(env: Mapping[str, str]) -> tuple[dict[str, Any], set[str]]:
    missing: set[str] = set()
    raw = yaml.safe_load(STACK.read_text())
    return interpolate(raw, env, missing), missing


@pytest.fixture(scope="module")
def stack() -> dict[str, Any]:
    loaded, missing = load_stack(DEPLOYER_ENV)
    assert not missing, f"variables the stack requires beyond the documented ones: {sorted(missing)}"
    return loaded


def settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"atende_{service.replace('-', '_')}.settings")
    found = [
        c
        for _, c in inspect.getmembers(module, inspect.isclass)
        if issubclass(c, ServiceSettings) and c.__module__ == module.__name__
    ]
    assert len(found) == 1, (service, found)
    return found[0]


def test_the_stack_is_valid_under_the_compose_specification(stack: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(stack), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_a_missing_required_variable_is_named_not_defaulted() -> None:
    _, missing = load_stack({k: v for k, v in DEPLOYER_ENV.items() if k not in {"ATENDE_VERSION", "REDIS_URL"}})
    assert missing == {"ATENDE_VERSION", "REDIS_URL"}


def test_every_service_is_deployed_from_its_release_image(stack: dict[str, Any]) -> None:
    assert set(stack["services"]) == {p.name for p in SERVICES}
    for name, service in stack["services"].items():
        assert service["image"] == f"atende/{name}:1.4.2", name
    raw = STACK.read_text()
    assert ":latest" not in raw
    assert "ATENDE_VERSION:-" not in raw  # the tag has no default: an unset tag stops the deploy


def test_every_service_has_the_image_health_check_and_safe_rolling_updates(stack: dict[str, Any]) -> None:
    for name, service in stack["services"].items():
        check = service["healthcheck"]
        assert check["test"] == ["CMD", "python", "-m", "atende_core.healthcheck"], name
        assert not check.get("disable"), name
        deploy = service["deploy"]
        assert deploy["update_config"]["failure_action"] == "rollback", name
        assert deploy["update_config"]["monitor"], name
        assert "rollback_config" in deploy, name
        assert deploy["restart_policy"]["condition"] in {"any", "on-failure"}, name
        assert deploy["placement"]["constraints"], name
        assert {"limits", "reservations"} <= set(deploy["resources"]), name
        assert service["read_only"] is True, name
        # start-first everywhere except where one writer holds a file (the NLU's feedback file).
        order = "stop-first" if name == "nlu-gemini" else "start-first"
        assert deploy["update_config"]["order"] == order, name
        assert deploy["rollback_config"]["order"] == order, name


def test_only_the_gateway_is_published_and_only_it_joins_the_edge(stack: dict[str, Any]) -> None:
    published = {name for name, s in stack["services"].items() if s.get("ports")}
    assert published == {"gateway"}
    assert [p["target"] for p in stack["services"]["gateway"]["ports"]] == [8080]  # not the internal 8090
    assert {name for name, s in stack["services"].items() if "edge" in s["networks"]} == {"gateway"}
    for service in stack["services"].values():
        assert "backend" in service["networks"]


def test_services_keep_the_ports_their_images_check(stack: dict[str, Any]) -> None:
    for program in SERVICES:
        env = stack["services"][program.name]["environment"]
        assert env[program.port_variable] == str(program.default_port), program.name
        if program.internal_port_variable:
            assert env[program.internal_port_variable] == str(program.default_internal_port)


def test_every_secret_is_declared_used_and_external(stack: dict[str, Any]) -> None:
    declared = set(stack["secrets"])
    used = {s["source"] for service in stack["services"].values() for s in service.get("secrets", [])}
    assert used == declared
    assert all(spec == {"external": True} for spec in stack["secrets"].values())


@pytest.mark.parametrize("program", SERVICES, ids=lambda p: p.name)
def test_every_secret_setting_comes_from_a_mounted_secret_and_production_accepts_it(
    program: Any, stack: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = stack["services"][program.name]
    env: dict[str, str] = {k: str(v) for k, v in service["environment"].items()}
    cls = settings_class(program.name)
    fields = cls.model_fields
    for variable in env:  # a misspelt variable would be silently ignored by the settings
        name = variable.lower()
        assert name in fields or (name.endswith("_file") and name.removesuffix("_file") in fields), variable
    mounted = {s["target"] for s in service["secrets"]}
    secret_names = {n for n, f in fields.items() if is_secret_field(f)}
    for name in sorted(secret_names - OPTIONAL_SECRETS):
        variable = name.upper()
        assert variable not in env, f"{variable} must not be a plain variable"
        path = env.get(variable + "_FILE", "")
        assert path.startswith(SECRETS_DIR), f"{program.name}: {variable}_FILE is not set to a Docker secret"
        assert path.removeprefix(SECRETS_DIR) in mounted, f"{program.name}: {path} is not mounted"
    # Production settings from this environment and these files: every rule of docs/secrets.md holds.
    values = {t: base64.b64encode(secrets.token_bytes(32)).decode() for t in mounted}
    for target, value in values.items():
        (tmp_path / target).write_text(value + "\n")
    for variable in [k for k in os.environ if k.lower() in fields or k.endswith(("_FILE", "_SECRET_REF"))]:
        monkeypatch.delenv(variable, raising=False)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value.replace(SECRETS_DIR, f"{tmp_path}/"))
    settings = cls()
    assert settings.is_production
    for name in secret_names - OPTIONAL_SECRETS:
        target = Path(env[name.upper() + "_FILE"]).name
        secret = getattr(settings, name)
        assert isinstance(secret, SecretStr), name
        assert secret.get_secret_value() == values[target], name
