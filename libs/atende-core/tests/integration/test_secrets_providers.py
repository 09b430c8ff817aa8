"""Each secrets provider against a real server: fetch, resolution into settings, rotation without restart.

AWS: moto's server mode (a real HTTP server in a thread). Vault and Azure Key Vault: our servers that
follow their documented HTTP APIs (atende_testing.secret_servers); Key Vault over real TLS.
The providers' SDKs are synchronous: tests call them in a thread while the servers run in the loop.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer
from pydantic import SecretStr

from atende_core.errors import ConfigurationError, SecretNotFound, SecretsUnavailable
from atende_core.secrets import RotatingSecret, rotating_secret
from atende_core.secrets.azure import AzureKeyVaultProvider
from atende_core.secrets.files import FileProvider
from atende_core.secrets.vault import VaultKvProvider
from atende_core.settings import ServiceSettings
from atende_testing.secret_servers import KeyVaultServer, StaticTokenCredential, VaultKvServer
from atende_testing.servers import free_port, running_server
from atende_testing.tls import make_tls_files
from atende_testing.waiting import wait_until

pytestmark = pytest.mark.integration


class DemoSettings(ServiceSettings):
    """A service with one secret of its own and one third-party token."""

    external_secrets = ServiceSettings.external_secrets | {"partner_token"}
    signing_key: SecretStr = SecretStr("dev-signing-key")
    partner_token: SecretStr = SecretStr("dev-partner-token")


async def settings_in_thread(**overrides: object) -> DemoSettings:
    return await asyncio.to_thread(lambda: DemoSettings(environment="test", **overrides))


# --------------------------------------------------------------------------- env and files


def test_env_provider_reads_the_named_variable_and_json_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULTED_PARTNER", json.dumps({"token": "partner-from-json"}))
    monkeypatch.setenv("PARTNER_TOKEN_SECRET_REF", "VAULTED_PARTNER#token")
    monkeypatch.setenv("PARTNER_TOKEN", "the-plain-variable-loses")
    settings = DemoSettings(environment="test")
    assert settings.partner_token.get_secret_value() == "partner-from-json"
    assert settings.secret_refs == {"partner_token": "VAULTED_PARTNER#token"}
    monkeypatch.setenv("PARTNER_TOKEN_SECRET_REF", "NOT_SET_ANYWHERE")
    with pytest.raises(ConfigurationError, match="PARTNER_TOKEN could not be read"):
        DemoSettings(environment="test")


def test_mounted_files_fill_secret_fields_and_rotate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "SIGNING_KEY").write_text("k" * 40 + "\n")
    (tmp_path / "partner").write_text("partner-v1")
    monkeypatch.setenv("SECRETS_PROVIDER", "file")
    monkeypatch.setenv("SECRETS_DIR", str(tmp_path))
    monkeypatch.setenv("PARTNER_TOKEN_SECRET_REF", "partner")
    settings = DemoSettings(environment="production")
    assert settings.signing_key.get_secret_value() == "k" * 40  # by its variable's name, newline stripped
    assert settings.partner_token.get_secret_value() == "partner-v1"
    token = rotating_secret(settings, "partner_token")
    assert isinstance(token, RotatingSecret)
    try:
        (tmp_path / "partner").write_text("partner-v2")
        assert token.get_secret_value() == "partner-v1"
        assert token.refresh() is True
        assert token.get_secret_value() == "partner-v2"
        # A vanished file (a Secret being remounted) keeps the last good value.
        (tmp_path / "partner").unlink()
        assert token.refresh() is False
        assert token.get_secret_value() == "partner-v2"
    finally:
        token.close(wait=True)
    # A field with no reference and no file is not rotating: the settings' own value is used.
    monkeypatch.delenv("PARTNER_TOKEN_SECRET_REF")
    assert rotating_secret(DemoSettings(environment="test", secrets_provider="env"), "signing_key") == SecretStr(
        "dev-signing-key"
    )


def test_docker_secret_files_named_by_file_variables_fill_secret_fields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "signing_key").write_text("s" * 40 + "\n")
    (tmp_path / "partner").write_text("partner-from-file")
    monkeypatch.setenv("SIGNING_KEY_FILE", str(tmp_path / "signing_key"))
    monkeypatch.setenv("PARTNER_TOKEN_FILE", str(tmp_path / "partner"))
    monkeypatch.setenv("PARTNER_TOKEN", "the-plain-variable-loses")
    settings = DemoSettings(environment="production")
    assert settings.signing_key.get_secret_value() == "s" * 40
    assert settings.partner_token.get_secret_value() == "partner-from-file"
    assert settings.secret_refs == {}  # a Docker secret changes only with a new service task
    # A reference still wins over the file.
    monkeypatch.setenv("VAULTED_PARTNER", "partner-from-ref")
    monkeypatch.setenv("PARTNER_TOKEN_SECRET_REF", "VAULTED_PARTNER")
    assert DemoSettings(environment="test").partner_token.get_secret_value() == "partner-from-ref"
    # A missing file stops the start-up with the variable and the path, never a value.
    monkeypatch.setenv("SIGNING_KEY_FILE", str(tmp_path / "absent"))
    with pytest.raises(ConfigurationError, match="SIGNING_KEY_FILE names a file that cannot be read"):
        DemoSettings(environment="test")
    # The Vault token's own *_FILE setting is not taken for the token itself.
    monkeypatch.delenv("SIGNING_KEY_FILE")
    monkeypatch.setenv("SECRETS_VAULT_TOKEN_FILE", str(tmp_path / "partner"))
    assert DemoSettings(environment="test").secrets_vault_token is None


def test_file_names_cannot_leave_the_directory(tmp_path: Path) -> None:
    (tmp_path / "inside").write_text("x")
    provider = FileProvider(tmp_path / "sub")
    for name in ("../inside", "..", ".hidden", "a/b", ""):
        with pytest.raises(SecretNotFound):
            provider.get(name)


def test_a_configured_provider_missing_its_settings_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETS_PROVIDER", "vault")
    monkeypatch.setenv("SIGNING_KEY_SECRET_REF", "atende/signing")
    with pytest.raises(ConfigurationError, match="SECRETS_VAULT_URL"):
        DemoSettings(environment="test")


# --------------------------------------------------------------------------- AWS Secrets Manager (moto server)


@pytest.fixture
def moto_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "sa-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


async def test_aws_secrets_manager_fetch_resolution_and_rotation(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = boto3.client("secretsmanager", endpoint_url=moto_endpoint, region_name="sa-east-1")
    admin.create_secret(Name="atende/prod/partner", SecretString=json.dumps({"token": "aws-v1"}))
    admin.create_secret(Name="atende/prod/signing", SecretString="s" * 48)
    monkeypatch.setenv("SECRETS_PROVIDER", "aws")
    monkeypatch.setenv("SECRETS_AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("SECRETS_AWS_REGION", "sa-east-1")
    monkeypatch.setenv("SECRETS_AWS_PREFIX", "atende/prod/")
    monkeypatch.setenv("PARTNER_TOKEN_SECRET_REF", "partner#token")
    monkeypatch.setenv("SIGNING_KEY_SECRET_REF", "signing")
    monkeypatch.setenv("SECRETS_REFRESH_INTERVAL_S", "0.05")
    settings = DemoSettings(environment="production")
    assert settings.partner_token.get_secret_value() == "aws-v1"
    assert settings.signing_key.get_secret_value() == "s" * 48

    token = rotating_secret(settings, "partner_token")
    try:
        admin.put_secret_value(SecretId="atende/prod/partner", SecretString=json.dumps({"token": "aws-v2"}))
        # The interval (50 ms here) picks the new version up without anyone asking.
        await wait_until(lambda: token.get_secret_value() == "aws-v2", timeout=10)
    finally:
        close = getattr(token, "close", None)
        if close:
            close()

    monkeypatch.setenv("PARTNER_TOKEN_SECRET_REF", "no-such-secret")
    with pytest.raises(ConfigurationError, match=r"PARTNER_TOKEN could not be read: .*no secret 'atende/prod/no-such"):
        DemoSettings(environment="test")


# --------------------------------------------------------------------------- HashiCorp Vault KV v2


async def test_vault_kv2_fetch_resolution_and_rotation_on_sighup(monkeypatch: pytest.MonkeyPatch) -> None:
    vault = VaultKvServer(token="s.vault-test-token")
    vault.write("atende/partner", {"token": "vault-v1"})
    vault.write("atende/signing", {"value": "v" * 40})
    async with running_server(vault.app()) as url:
        monkeypatch.setenv("SECRETS_PROVIDER", "vault")
        monkeypatch.setenv("SECRETS_VAULT_URL", url)
        monkeypatch.setenv("SECRETS_VAULT_TOKEN", "s.vault-test-token")
        monkeypatch.setenv("PARTNER_TOKEN_SECRET_REF", "atende/partner#token")
        monkeypatch.setenv("SIGNING_KEY_SECRET_REF", "atende/signing")
        settings = await settings_in_thread()
        assert settings.partner_token.get_secret_value() == "vault-v1"
        assert settings.signing_key.get_secret_value() == "v" * 40

        token = rotating_secret(settings, "partner_token")  # the 5-minute default interval
        assert isinstance(token, RotatingSecret)
        try:
            vault.write("atende/partner", {"token": "vault-v2"})
            reads = vault.reads
            os.kill(os.getpid(), signal.SIGHUP)
            await wait_until(lambda: token.get_secret_value() == "vault-v2", timeout=10)
            assert vault.reads > reads
        finally:
            await asyncio.to_thread(token.close, wait=True)

        wrong = VaultKvProvider(url=url, token="s.wrong")
        with pytest.raises(SecretsUnavailable, match="Forbidden"):
            await asyncio.to_thread(wrong.get, "atende/partner#token")
        right = VaultKvProvider(url=url, token="s.vault-test-token")
        with pytest.raises(SecretNotFound):
            await asyncio.to_thread(right.get, "atende/missing")
        with pytest.raises(SecretNotFound, match="no key 'nope'"):
            await asyncio.to_thread(right.get, "atende/partner#nope")


async def test_vault_token_file_is_read_again_for_each_fetch(tmp_path: Path) -> None:
    vault = VaultKvServer(token="s.second")
    vault.write("atende/partner", {"token": "t"})
    token_file = tmp_path / "vault-token"
    token_file.write_text("s.first\n")
    async with running_server(vault.app()) as url:
        provider = VaultKvProvider(url=url, token_file=token_file)
        with pytest.raises(SecretsUnavailable):
            await asyncio.to_thread(provider.get, "atende/partner#token")
        token_file.write_text("s.second\n")  # Vault Agent renewed its sink
        assert await asyncio.to_thread(provider.get, "atende/partner#token") == "t"


# --------------------------------------------------------------------------- Azure Key Vault (over TLS)


async def test_azure_key_vault_fetch_and_rotation_over_tls(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path)
    keyvault = KeyVaultServer(token="aad-access-token")
    keyvault.set("partner-token", "azure-v1")
    async with running_server(keyvault.app(), tls=tls) as url:
        keyvault.base_url = url
        credential = StaticTokenCredential("aad-access-token")
        # A test server cannot live under vault.azure.net, so the SDK's domain check of the challenge is off.
        provider = AzureKeyVaultProvider(
            vault_url=url,
            credential=credential,
            ca_file=tls.ca_file,
            client_options={"verify_challenge_resource": False},
        )
        assert await asyncio.to_thread(provider.get, "partner-token") == "azure-v1"
        assert credential.scopes == ["https://vault.azure.net/.default"]

        token = RotatingSecret(
            provider=provider, ref="partner-token", name="PARTNER_TOKEN", interval_s=0.05, initial="azure-v1"
        )
        token.start()
        try:
            keyvault.set("partner-token", "azure-v2")
            await wait_until(lambda: token.get_secret_value() == "azure-v2", timeout=10)
        finally:
            await asyncio.to_thread(token.close, wait=True)

        with pytest.raises(SecretNotFound):
            await asyncio.to_thread(provider.get, "missing")
        provider.close()  # its kept-alive connection would hold the server's shutdown
        # Without our CA the TLS handshake fails: the provider verifies the server.
        unverified = AzureKeyVaultProvider(
            vault_url=url, credential=credential, client_options={"verify_challenge_resource": False, "retry_total": 0}
        )
        with pytest.raises(SecretsUnavailable):
            await asyncio.to_thread(unverified.get, "partner-token")
        unverified.close()


async def test_a_hostile_vault_answer_is_unavailable_never_a_crash() -> None:
    from fastapi import FastAPI

    liar = FastAPI()

    @liar.get("/v1/secret/data/{path:path}")
    async def read(path: str) -> dict[str, object]:
        return {"data": "not-an-object", "warnings": None}

    async with running_server(liar) as url:
        provider = VaultKvProvider(url=url, token="s.any")
        with pytest.raises(SecretsUnavailable, match="without a KV v2 data object"):
            await asyncio.to_thread(provider.get, "atende/partner#token")
