"""The conversation service on real Kafka, Redis and the MongoDB-wire server, with the test playing the
customer (conversation.inbound), the NLU (nlu.results), SGP (sgp.results) and the agents."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from google.protobuf.message import Message
from pymongo.asynchronous.database import AsyncDatabase

from atende.conversation.v1 import conversation_pb2 as conv
from atende.nlu.v1 import nlu_pb2 as nlu
from atende.sgp.v1 import sgp_pb2 as sgp
from atende.whatsapp.v1 import whatsapp_pb2 as wa
from atende_conversation.app import create_app
from atende_conversation.settings import ConversationSettings
from atende_core.bus import Bus, Envelope, topics
from atende_core.ids import conversation_id, conversation_id_key
from atende_core.settings import ServiceSettings
from atende_testing import INTERNAL_TOKEN, running_server, wait_until

PHONE_NUMBER_ID = "106540352242922"
WA_ID = "5511987654321"
CONVERSATION = conversation_id(phone_number_id=PHONE_NUMBER_ID, wa_id=WA_ID, key=conversation_id_key(ServiceSettings()))


class World:
    """Everything the service publishes, and the test's way to answer as customer, NLU, SGP and agents."""

    def __init__(self, bus: Bus, conversation: str = CONVERSATION, wa_id: str = WA_ID) -> None:
        self.bus = bus
        self.conversation_id = conversation
        self.wa_id = wa_id
        self.seen: dict[str, list[tuple[Message, Envelope]]] = defaultdict(list)
        self._ids = itertools.count(1)

    async def record(self, event: Message, envelope: Envelope) -> None:
        """Bus handler: keep every delivery (duplicates included)."""
        self.seen[envelope.topic].append((event, envelope))

    def subscribe(self) -> None:
        """Listen to what the service emits (no dedup: the test must see duplicates if any)."""
        for topic in (topics.WHATSAPP_OUTBOUND, topics.NLU_REQUESTS, topics.SGP_REQUESTS, topics.CONVERSATION_EVENTS):
            self.bus.subscribe(topic, self.record, group=f"probe-{topic}", idempotent=False)

    # --- reading ----------------------------------------------------------------------------------

    def outbound(self) -> list[wa.SendMessage]:
        """Send commands so far (mark-read included)."""
        return [e for e, _ in self.seen[topics.WHATSAPP_OUTBOUND] if isinstance(e, wa.SendMessage)]

    def replies(self) -> list[wa.SendMessage]:
        """Send commands that are messages (no mark-read)."""
        return [c for c in self.outbound() if c.WhichOneof("content") != "mark_read"]

    def facts(self, kind: type[Message]) -> list[Any]:
        """conversation.events of one type."""
        return [e for e, _ in self.seen[topics.CONVERSATION_EVENTS] if isinstance(e, kind)]

    def nlu_requests(self) -> list[nlu.AnalyzeText]:
        """NLU requests so far."""
        return [e for e, _ in self.seen[topics.NLU_REQUESTS] if isinstance(e, nlu.AnalyzeText)]

    def sgp_requests(self) -> list[sgp.SgpRequest]:
        """SGP requests so far."""
        return [e for e, _ in self.seen[topics.SGP_REQUESTS] if isinstance(e, sgp.SgpRequest)]

    async def wait_replies(self, count: int, *, timeout: float = 30) -> list[wa.SendMessage]:
        """Wait until at least `count` reply messages were sent; return them all."""
        await wait_until(lambda: len(self.replies()) >= count, timeout=timeout)
        return self.replies()

    async def wait_nlu_request(self, count: int = 1) -> nlu.AnalyzeText:
        """Wait for the `count`-th NLU request."""
        await wait_until(lambda: len(self.nlu_requests()) >= count, timeout=30)
        return self.nlu_requests()[count - 1]

    async def wait_sgp_request(self, count: int = 1) -> sgp.SgpRequest:
        """Wait for the `count`-th SGP request."""
        await wait_until(lambda: len(self.sgp_requests()) >= count, timeout=30)
        return self.sgp_requests()[count - 1]

    # --- acting -----------------------------------------------------------------------------------

    def inbound(
        self, *, text: str = "", choice: str = "", message_id: str = "", stale: bool = False
    ) -> conv.InboundMessage:
        """A customer message as the connector publishes it."""
        message = conv.InboundMessage(
            conversation_id=self.conversation_id,
            message_id=message_id or f"wamid.test{next(self._ids)}",
            phone_number_id=PHONE_NUMBER_ID,
            wa_id=self.wa_id,
            profile_name="Maria da Silva",
            stale=stale,
        )
        setattr(message, "from", message.wa_id)
        if choice:
            message.interactive_reply.CopyFrom(
                conv.InteractiveReply(kind=conv.InteractiveReply.KIND_BUTTON, id=choice, title=choice)
            )
        else:
            message.text.CopyFrom(conv.TextContent(body=text))
        return message

    async def say(self, text: str = "", *, choice: str = "", message_id: str = "", stale: bool = False) -> str:
        """Publish a customer message; its wamid."""
        message = self.inbound(text=text, choice=choice, message_id=message_id, stale=stale)
        await self.bus.publish(topics.CONVERSATION_INBOUND, message, key=self.conversation_id)
        return message.message_id

    async def answer_nlu(self, request: nlu.AnalyzeText, intent: str, confidence: float = 0.95, **extra: Any) -> None:
        """Publish the NLU's answer to `request`."""
        result = nlu.TextAnalyzed(
            request_id=request.request_id,
            conversation_id=request.conversation_id,
            intent=intent,
            confidence=confidence,
            sentiment=extra.pop("sentiment", "neutro"),
            model="local",
            message_id=request.message_id,
            **extra,
        )
        await self.bus.publish(topics.NLU_RESULTS, result, key=request.conversation_id)

    async def answer_sgp(self, request: sgp.SgpRequest, **outcome: Message) -> None:
        """Publish SGP's answer to `request` (one outcome field, e.g. customer_found=...)."""
        result = sgp.SgpResult(request_id=request.request_id, conversation_id=request.conversation_id, **outcome)
        await self.bus.publish(topics.SGP_RESULTS, result, key=request.conversation_id)


@pytest.fixture
def settings(
    kafka_bootstrap_servers: str,
    redis_url: str,
    mongodb_uri: str,
    topic_prefix: str,
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> ConversationSettings:
    """Service settings on the test's own topics, Redis namespace and database; agents always in."""
    return ConversationSettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        redis_url=redis_url,
        redis_key_prefix=topic_prefix,
        mongodb_uri=mongodb_uri,
        mongodb_database=mongo_db.name,
        isp_name="Fibra Teste",
        business_hours="mon-sun 00:00-23:59",
        timer_poll_interval_seconds=0.05,
        bus_retry_backoff_seconds=0.05,
        pii_hash_key="integration-test-key",
        internal_api_token=INTERNAL_TOKEN,
    )


@pytest.fixture
async def world(make_bus: Callable[..., Bus]) -> World:
    """The test's side of the bus, started."""
    bus = make_bus("test-world")
    world = World(bus)
    world.subscribe()
    await bus.start(
        publishes_to=[topics.CONVERSATION_INBOUND, topics.NLU_RESULTS, topics.SGP_RESULTS, topics.CONVERSATION_COMMANDS]
    )
    return world


@pytest.fixture
def service() -> Callable[[ConversationSettings], Any]:
    """Run the conversation service (a context manager yielding its URL); can be started more than once."""

    @asynccontextmanager
    async def run(settings: ConversationSettings) -> AsyncIterator[str]:
        async with running_server(create_app(settings)) as url:
            yield url

    return run
