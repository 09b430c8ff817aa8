"""`atende auth create-admin` and `atende auth rotate-keys` on the real MongoDB-wire server: once as
a real `atende` process (the entry point is registered), the rest through typer's runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from typer.testing import CliRunner

from atende_auth.cli import app
from atende_auth.domain.passwords import Passwords

pytestmark = pytest.mark.integration


@pytest.fixture
def cli_env(
    mongodb_uri: str,
    redis_url: str,
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    mongo_db: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, str]:
    env = {
        "ENVIRONMENT": "test",
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": topic_prefix,
        "MONGODB_URI": mongodb_uri,
        "MONGODB_DATABASE": mongo_db.name,
        "REDIS_URL": redis_url,
        "AUTH_ARGON2_TIME_COST": "1",
        "AUTH_ARGON2_MEMORY_KIB": "8192",
        "AUTH_ARGON2_PARALLELISM": "1",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def sync_db(mongodb_uri: str, mongo_db: Any) -> Any:
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri)
    yield client[mongo_db.name]
    client.close()


def test_create_admin_is_an_atende_command(cli_env: dict[str, str], sync_db: Any, tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("the first admin's passphrase\n")
    argv = ["auth", "create-admin", "--username", "Root", "--name", "Root Admin", "--password-file", str(secret)]
    result = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-c", "from atende_core.cli import main; main()", *argv],
        env={**cli_env, "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "admin Root created" in result.stdout
    assert "passphrase" not in result.stdout + result.stderr
    doc = sync_db["auth_users"].find_one({"username_key": "root"})
    assert doc is not None
    assert (doc["role"], doc["name"], doc["active"], doc["totp_enabled"]) == ("admin", "Root Admin", True, False)
    assert doc["password_hash"].startswith("$argon2id$")
    assert Passwords().verify(doc["password_hash"], "the first admin's passphrase")


def test_create_admin_refuses_a_second_admin_unless_forced(
    cli_env: dict[str, str], sync_db: Any, tmp_path: Path
) -> None:
    runner = CliRunner()
    secret = tmp_path / "password"
    secret.write_text("the first admin's passphrase")
    first = runner.invoke(app, ["create-admin", "--username", "root", "--password-file", str(secret)])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["create-admin", "--username", "second", "--password-file", str(secret)])
    assert again.exit_code == 1
    assert "an admin exists already" in again.output
    prompted = runner.invoke(
        app, ["create-admin", "--username", "second", "--force-new"], input="another long passphrase\n" * 2
    )
    assert prompted.exit_code == 0, prompted.output
    assert sync_db["auth_users"].count_documents({"role": "admin"}) == 2
    duplicate = runner.invoke(
        app, ["create-admin", "--username", "ROOT", "--force-new", "--password-file", str(secret)]
    )
    assert duplicate.exit_code == 1
    assert "username_taken" in duplicate.output
    short = tmp_path / "short"
    short.write_text("short")
    weak = runner.invoke(app, ["create-admin", "--username", "third", "--force-new", "--password-file", str(short)])
    assert weak.exit_code == 1
    assert "weak_password" in weak.output


def test_rotate_keys_adds_a_published_key(cli_env: dict[str, str], sync_db: Any) -> None:
    runner = CliRunner()
    for expected in (1, 2):
        result = runner.invoke(app, ["rotate-keys", "--activation-delay-s", "0"])
        assert result.exit_code == 0, result.output
        assert "new signing key" in result.output
        assert sync_db["auth_signing_keys"].count_documents({}) == expected
