"""The whole platform in-process on free ports, over real Kafka, Redis and the MongoDB-wire server:

    WhatsApp simulator ──signed webhook──► gateway ──► connector ──► conversation ──► nlu-gemini ──► Gemini simulator
           ▲                                               │               │    └──► sgp-adapter ──► SGP simulator
           └──────────── Graph API calls (recorded) ◄──────┘◄──────────────┘

A test plays the customer through the simulator's `/_sim/inbound` and reads the bot's messages from the
Graph API calls the simulator recorded. Each test gets its own topics, Redis namespace and database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from atende_conversation.app import create_app as conversation_app
from atende_conversation.settings import ConversationSettings
from atende_gateway.app import create_app as gateway_app
from atende_gateway.settings import GatewaySettings
from atende_nlu_gemini.adapters.model_store import load_or_build
from atende_nlu_gemini.app import create_app as nlu_app
from atende_nlu_gemini.domain.classifier import LocalNlu
from atende_nlu_gemini.metrics import NluMetrics
from atende_nlu_gemini.settings import NluSettings
from atende_sgp_adapter.app import create_app as sgp_adapter_app
from atende_sgp_adapter.settings import Settings as SgpAdapterSettings
from atende_sim_gemini.app import create_app as gemini_sim_app
from atende_sim_gemini.settings import SimSettings as GeminiSimSettings
from atende_sim_sgp.app import create_app as sgp_sim_app
from atende_sim_sgp.settings import SimSettings as SgpSimSettings
from atende_sim_whatsapp.app import create_app as whatsapp_sim_app
from atende_sim_whatsapp.settings import SimSettings as WhatsAppSimSettings
from atende_testing import INTERNAL_TOKEN, free_port, running_server, wait_until
from atende_testing.tokens import TokenIssuer
from atende_whatsapp_connector.app import create_app as connector_app
from atende_whatsapp_connector.domain.media_hosts import META_MEDIA_HOSTS
from atende_whatsapp_connector.settings import ConnectorSettings

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
PHONE_NUMBER_ID = "106540352242922"


def pytest_configure(config: pytest.Config) -> None:
    """Register this folder's marker (the root configuration runs with --strict-markers)."""
    config.addinivalue_line(
        "markers", "own_conversation: the test runs the conversation service itself (as a process it can kill)"
    )


# --- the bot's messages, as the Graph API received them ---------------------------------------------


@dataclass(frozen=True)
class BotMessage:
    """One message the bot sent, read back from the simulator's request log."""

    seq: int
    type: str  # text, buttons, list, document, read
    text: str
    ids: tuple[str, ...] = ()
    link: str = ""
    body: Any = None

    @classmethod
    def parse(cls, record: dict[str, Any]) -> BotMessage:
        """Read a recorded `POST /{pnid}/messages` body."""
        body = record["body"] or {}
        seq = int(record["seq"])
        if body.get("status") == "read":
            return cls(seq, "read", body.get("message_id", ""), body=body)
        kind = body.get("type", "")
        if kind == "text":
            return cls(seq, "text", body["text"]["body"], body=body)
        if kind == "document":
            doc = body["document"]
            return cls(seq, "document", doc.get("caption", ""), link=doc.get("link", ""), body=body)
        if kind == "interactive":
            interactive = body["interactive"]
            action = interactive.get("action", {})
            if interactive["type"] == "button":
                ids = tuple(b["reply"]["id"] for b in action.get("buttons", []))
                return cls(seq, "buttons", interactive["body"]["text"], ids, body=body)
            rows = [r for section in action.get("sections", []) for r in section.get("rows", [])]
            return cls(seq, "list", interactive["body"]["text"], tuple(r["id"] for r in rows), body=body)
        return cls(seq, kind, "", body=body)


class Customer:
    """A person on the simulator's chat: writes, taps, and reads what the bot sent since last time."""

    def __init__(self, platform: Platform, phone: str, name: str = "Maria Souza") -> None:
        self.platform = platform
        self.phone = phone
        self.name = name
        self._cursor = 0
        self.wamids: list[str] = []

    async def _send(self, **spec: Any) -> str:
        answer = await self.platform.inbound({"from": self.phone, "name": self.name, **spec})
        assert answer["gateway_status"] == 200, answer
        self.wamids.append(answer["wamid"])
        return str(answer["wamid"])

    async def says(self, text: str) -> str:
        """Type a text."""
        return await self._send(text=text)

    async def taps(self, reply_id: str, title: str = "") -> str:
        """Tap a reply button."""
        return await self._send(interactive={"type": "button_reply", "id": reply_id, "title": title or reply_id})

    async def picks(self, row_id: str, title: str = "") -> str:
        """Pick a list row."""
        return await self._send(interactive={"type": "list_reply", "id": row_id, "title": title or row_id})

    async def quick_reply(self, payload: str, text: str) -> str:
        """Tap a template quick-reply button."""
        return await self._send(button={"payload": payload, "text": text})

    async def all_messages(self) -> list[BotMessage]:
        """Every message sent to this customer (mark-as-read included)."""
        return [BotMessage.parse(r) for r in await self.platform.graph_requests(self.phone)]

    async def reads(self, contains: str, *, timeout: float = 60) -> list[BotMessage]:
        """Wait until a new message containing `contains` arrives; the new messages up to it."""

        async def probe() -> list[BotMessage] | None:
            fresh = [m for m in await self.all_messages() if m.seq > self._cursor and m.type != "read"]
            for index, message in enumerate(fresh):
                if contains in message.text:
                    return fresh[: index + 1]
            return None

        try:
            got = await wait_until(probe, timeout=timeout, interval=0.1)
        except AssertionError:
            seen = [m.text[:80] for m in await self.all_messages() if m.seq > self._cursor]
            raise AssertionError(f"{self.phone} never read {contains!r}; new since last read: {seen}") from None
        self._cursor = got[-1].seq
        return got

    async def replies(self) -> list[BotMessage]:
        """Every message (no mark-read) sent so far."""
        return [m for m in await self.all_messages() if m.type != "read"]


# --- the platform -------------------------------------------------------------------------------------


@dataclass
class Platform:
    """URLs of the running pieces and a client to drive the simulators."""

    whatsapp_sim: str
    sgp_sim: str
    gateway: str
    conversation_settings: ConversationSettings
    http: httpx.AsyncClient
    # Mints operators' access tokens; the gateway verifies them from its JWKS (a real local server).
    # None when the real auth service signs them (the console's browser tests).
    tokens: TokenIssuer | None
    # The in-process conversation service (None when the test runs it as a process).
    conversation: str | None = None

    async def inbound(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Inject a customer message through the WhatsApp simulator (signed webhook to the gateway)."""
        response = await self.http.post(f"{self.whatsapp_sim}/_sim/inbound", json=spec)
        response.raise_for_status()
        return dict(response.json())

    async def graph_requests(self, phone: str) -> list[dict[str, Any]]:
        """Graph API message calls recorded for one customer, oldest first."""
        response = await self.http.get(f"{self.whatsapp_sim}/_sim/requests", params={"phone": phone})
        response.raise_for_status()
        return [r for r in response.json()["requests"] if r["path"].endswith("/messages")]

    async def webhooks(self, kind: str = "inbound") -> list[dict[str, Any]]:
        """Webhook deliveries the simulator made."""
        response = await self.http.get(f"{self.whatsapp_sim}/_sim/webhooks", params={"kind": kind})
        return list(response.json()["webhooks"])

    async def sgp_faults(self, **faults: Any) -> None:
        """Switch SGP simulator failure injection."""
        (await self.http.post(f"{self.sgp_sim}/_sim/faults", json=faults)).raise_for_status()

    def customer(self, phone: str, name: str = "Maria Souza") -> Customer:
        """A customer with this WhatsApp number."""
        return Customer(self, phone, name)


def conversation_environment(settings: ConversationSettings) -> dict[str, str]:
    """Environment variables that give a conversation subprocess the same settings."""
    env = {
        "ENVIRONMENT": settings.environment.value,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": settings.kafka_topic_prefix,
        "REDIS_URL": settings.redis_url,
        "REDIS_KEY_PREFIX": settings.redis_key_prefix,
        "MONGODB_URI": settings.mongodb_uri,
        "MONGODB_DATABASE": settings.mongodb_database,
        "ISP_NAME": settings.isp_name,
        "BUSINESS_HOURS": settings.business_hours,
        "PII_HASH_KEY": settings.pii_hash_key.get_secret_value(),
        "TIMER_POLL_INTERVAL_SECONDS": str(settings.timer_poll_interval_seconds),
        "CONVERSATION_PORT": str(free_port()),
        "INTERNAL_API_TOKEN": INTERNAL_TOKEN,
        "LOG_LEVEL": "WARNING",
    }
    return {**os.environ, **env}


class ConversationProcess:
    """The conversation service as a real process, so a test can SIGKILL it mid-flow."""

    def __init__(self, settings: ConversationSettings) -> None:
        self._env = conversation_environment(settings)
        self._process: asyncio.subprocess.Process | None = None
        self.url = f"http://127.0.0.1:{self._env['CONVERSATION_PORT']}"

    async def start(self) -> None:
        """Start and wait until it is ready."""
        executable = Path(sys.executable).with_name("atende-conversation")
        self._process = await asyncio.create_subprocess_exec(str(executable), env=self._env, cwd=ROOT)
        async with httpx.AsyncClient() as client:

            async def ready() -> bool:
                assert self._process is not None
                assert self._process.returncode is None, "conversation process exited"
                try:
                    return (await client.get(f"{self.url}/readyz")).status_code == 200
                except httpx.HTTPError:
                    return False

            await wait_until(ready, timeout=60, interval=0.2)

    async def kill(self) -> None:
        """SIGKILL: no graceful shutdown, no commit, no flush."""
        if self._process is not None and self._process.returncode is None:
            self._process.send_signal(signal.SIGKILL)
            await asyncio.wait_for(self._process.wait(), timeout=10)
        self._process = None


@pytest.fixture
def e2e_settings(
    kafka_bootstrap_servers: str, redis_url: str, mongodb_uri: str, topic_prefix: str, mongo_db: Any
) -> dict[str, Any]:
    """Connection settings every piece shares for this test."""
    return {
        "kafka_bootstrap_servers": kafka_bootstrap_servers,
        "kafka_topic_prefix": topic_prefix,
        "redis_url": redis_url,
        "mongodb_uri": mongodb_uri,
        "mongodb_database": mongo_db.name,
        "bus_retry_backoff_seconds": 0.05,
        "internal_api_token": INTERNAL_TOKEN,
    }


_LOCAL_MODEL: list[LocalNlu] = []


def _nlu_app(common: dict[str, Any], *, gemini_url: str, feedback: Path) -> Any:
    """The NLU service (local model first, Gemini simulator behind it), with its own metrics registry."""
    settings = NluSettings(
        **common, gemini_api_key="sim-gemini-key", gemini_base_url=gemini_url, nlu_feedback_path=feedback
    )
    if not _LOCAL_MODEL:  # loading the model once per session keeps the tests fast
        _LOCAL_MODEL.append(
            load_or_build(
                model_path=settings.nlu_model_path,
                train_path=settings.nlu_train_path,
                feedback_path=settings.nlu_feedback_path,
                seed=settings.nlu_seed,
            ).local_nlu()
        )
    return nlu_app(settings, local=_LOCAL_MODEL[0], metrics=NluMetrics(CollectorRegistry()))


@contextlib.asynccontextmanager
async def running_platform(
    common: dict[str, Any],
    *,
    auth_url: str,
    feedback: Path,
    tokens: TokenIssuer | None = None,
    with_conversation: bool = True,
) -> AsyncIterator[Platform]:
    """Simulators, gateway (its tokens verified by `auth_url`), connector, sgp-adapter, NLU (corrections
    stored in `feedback`) and, unless told otherwise, conversation."""
    prefix = common["kafka_topic_prefix"]
    gateway_port, wa_port = free_port(), free_port()
    wa_url = f"http://127.0.0.1:{wa_port}"
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=30))
        wa_sim = whatsapp_sim_app(
            WhatsAppSimSettings(
                whatsapp_sim_port=wa_port,
                whatsapp_sim_webhook_url=f"http://127.0.0.1:{gateway_port}/webhooks/whatsapp",
                whatsapp_sim_pair_burst=1000,
                whatsapp_sim_read_mode="never",
                whatsapp_sim_sample_templates=True,
            )
        )
        await stack.enter_async_context(running_server(wa_sim, port=wa_port))
        sgp_url = await stack.enter_async_context(running_server(sgp_sim_app(SgpSimSettings(sgp_sim_customers=300))))
        await stack.enter_async_context(
            running_server(sgp_adapter_app(SgpAdapterSettings(**common, sgp_base_url=sgp_url, cache_key_prefix=prefix)))
        )
        connector_url = await stack.enter_async_context(
            running_server(
                connector_app(
                    ConnectorSettings(
                        **common,
                        whatsapp_api_base_url=wa_url,
                        whatsapp_media_download_hosts=[*META_MEDIA_HOSTS, wa_url],
                    )
                )
            )
        )
        gemini_url = await stack.enter_async_context(running_server(gemini_sim_app(GeminiSimSettings())))
        await stack.enter_async_context(running_server(_nlu_app(common, gemini_url=gemini_url, feedback=feedback)))
        conversation_settings = ConversationSettings(
            **common,
            redis_key_prefix=prefix,
            isp_name="Fibra Teste",
            business_hours="mon-sun 00:00-23:59",
            timer_poll_interval_seconds=0.1,
            pii_hash_key="e2e-key",
        )
        conversation_url = None
        if with_conversation:
            conversation_url = await stack.enter_async_context(running_server(conversation_app(conversation_settings)))
        gateway_url = await stack.enter_async_context(
            running_server(
                # The same blind-index key as the conversation service: agents find customers by CPF.
                gateway_app(
                    GatewaySettings(
                        **common,
                        auth_url=auth_url,
                        whatsapp_connector_url=connector_url,
                        pii_hash_key="e2e-key",
                    )
                ),
                port=gateway_port,
            )
        )
        yield Platform(wa_url, sgp_url, gateway_url, conversation_settings, http, tokens, conversation_url)


@pytest.fixture
async def platform(
    e2e_settings: dict[str, Any], request: pytest.FixtureRequest, tmp_path: Path, token_issuer: TokenIssuer
) -> AsyncIterator[Platform]:
    """Simulators, gateway, connector, sgp-adapter, NLU and (unless marked `own_conversation`) conversation."""
    async with running_platform(
        e2e_settings,
        auth_url=token_issuer.auth_url,
        feedback=tmp_path / "feedback.jsonl",
        tokens=token_issuer,
        with_conversation="own_conversation" not in request.keywords,
    ) as running:
        yield running


@pytest.fixture
async def conversation_process() -> AsyncIterator[Callable[[ConversationSettings], ConversationProcess]]:
    """Start conversation processes; all are killed after the test."""
    processes: list[ConversationProcess] = []

    def make(settings: ConversationSettings) -> ConversationProcess:
        process = ConversationProcess(settings)
        processes.append(process)
        return process

    yield make
    for process in processes:
        with contextlib.suppress(Exception):
            await process.kill()
