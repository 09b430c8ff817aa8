"""Schemathesis against the gateway's own OpenAPI document (the webhook and every operator route), as
an admin and as nobody, on a real uvicorn server over real Kafka and Redis: no answer is a 5xx."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from atende_core.identity import Role
from atende_gateway.app import create_app
from atende_gateway.settings import GatewaySettings
from atende_sim_whatsapp.app import create_app as create_sim
from atende_sim_whatsapp.settings import SimSettings
from atende_testing.servers import INTERNAL_TOKEN, serving_in_thread
from atende_testing.tokens import TokenIssuer, jwks_app
from atende_whatsapp_connector.app import create_app as create_connector
from atende_whatsapp_connector.settings import ConnectorSettings

pytestmark = pytest.mark.integration

EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def served_gateway(
    kafka_bootstrap_servers: str, redis_url: str, topic_prefix: str
) -> Iterator[tuple[str, TokenIssuer]]:
    """The gateway, a JWKS stand-in and the WhatsApp connector with the simulator behind it (the console's
    templates and uploads), served from background threads (schemathesis calls are synchronous)."""
    issuer = TokenIssuer()
    common = {"kafka_bootstrap_servers": kafka_bootstrap_servers, "kafka_topic_prefix": topic_prefix,
              "redis_url": redis_url, "internal_api_token": INTERNAL_TOKEN}  # fmt: skip
    with ExitStack() as stack:
        auth_url, sim_url = stack.enter_context(
            serving_in_thread(jwks_app(issuer), create_sim(SimSettings(whatsapp_sim_sample_templates=True)))
        )
        issuer.auth_url = auth_url
        (connector_url,) = stack.enter_context(
            serving_in_thread(create_connector(ConnectorSettings(**common, whatsapp_api_base_url=sim_url)))
        )
        gateway_settings = GatewaySettings(
            **common,
            auth_url=auth_url,
            operator_rate_limit_per_user="100000/minute",
            operator_rate_limit_per_ip="100000/minute",
            console_stream_max_s=0.2,  # the live stream ends at once, so a fuzzed call gets its whole answer
            whatsapp_connector_url=connector_url,
        )
        (url,) = stack.enter_context(serving_in_thread(create_app(gateway_settings)))
        yield url, issuer


# Schemathesis' strategies draw from `random` (its choice, not ours): Hypothesis deprecates that.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
def test_no_generated_request_gets_a_server_error(served_gateway: tuple[str, TokenIssuer]) -> None:
    url, issuer = served_gateway
    admin = {"Authorization": f"Bearer {issuer.mint('adm', Role.ADMIN)}"}
    document = httpx.get(f"{url}/openapi.json", headers=admin, timeout=10).json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8  # the webhook's two and the operator API's six
    for operation in operations:
        for headers in (admin, {}):
            _fuzz(operation, url, headers)


def _fuzz(operation: Any, url: str, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=int(os.environ.get("ATENDE_FUZZ_EXAMPLES", EXAMPLES_PER_OPERATION)),
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        case.call_and_validate(base_url=url, headers=headers, checks=[not_a_server_error], timeout=10)

    check()
