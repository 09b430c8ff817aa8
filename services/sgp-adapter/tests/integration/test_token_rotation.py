"""The SGP token rotates without a restart: the ISP issues a new token in SGP, the operator writes it
to Vault, and the running adapter's next request carries it (re-read on the refresh interval)."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from atende_sgp_adapter.adapters.sgp import SgpBillingSystem
from atende_sgp_adapter.errors import BillingMisconfigured
from atende_sgp_adapter.settings import Settings
from atende_sim_sgp.server import running_simulator
from atende_sim_sgp.settings import SimSettings
from atende_testing import running_server, wait_until
from atende_testing.secret_servers import VaultKvServer

pytestmark = pytest.mark.integration

MARIA = "12345678909"


async def test_a_new_sgp_token_in_vault_reaches_the_next_request(monkeypatch: pytest.MonkeyPatch) -> None:
    sim_settings = SimSettings(sgp_token="sgp-token-version-1", sgp_app="Atende")
    vault = VaultKvServer(token="s.adapter")
    vault.write("atende/sgp", {"token": "sgp-token-version-1"})
    with running_simulator(sim_settings) as sim_url:
        async with running_server(vault.app()) as vault_url:
            monkeypatch.setenv("SECRETS_PROVIDER", "vault")
            monkeypatch.setenv("SECRETS_VAULT_URL", vault_url)
            monkeypatch.setenv("SECRETS_VAULT_TOKEN", "s.adapter")
            monkeypatch.setenv("SECRETS_REFRESH_INTERVAL_S", "0.1")
            monkeypatch.setenv("SGP_TOKEN_SECRET_REF", "atende/sgp#token")
            # The SDK call is synchronous and the Vault server runs in this loop: build in a thread.
            settings = await asyncio.to_thread(
                lambda: Settings(environment="test", sgp_base_url=sim_url, sgp_app="Atende", sgp_breaker_threshold=50)
            )
            assert settings.sgp_token.get_secret_value() == "sgp-token-version-1"
            sgp = SgpBillingSystem.from_settings(settings)
            try:
                assert await sgp.find_customer(MARIA) is not None

                # SGP switches to a new token: the old one is refused from now on.
                sim_settings.sgp_token = SecretStr("sgp-token-version-2")
                with pytest.raises(BillingMisconfigured):
                    await sgp.find_customer(MARIA)
                vault.write("atende/sgp", {"token": "sgp-token-version-2"})

                async def answers() -> bool:
                    try:
                        return await sgp.find_customer(MARIA) is not None
                    except BillingMisconfigured:
                        return False

                await wait_until(answers, timeout=15, interval=0.1)
            finally:
                await sgp.aclose()
