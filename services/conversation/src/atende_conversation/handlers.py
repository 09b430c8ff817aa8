"""Subscribers: decode → one engine call. Each topic has its own consumer group (so a rebalance of one
does not pause the others); the acknowledgement policy is the bus's: commit after the handler returns,
bounded retries, then the topic's DLQ. Handlers are idempotent (the engine dedups by input id, delivery
notes are plain updates), so the bus's handle-once guard, two Redis round trips per event, is off."""

from __future__ import annotations

import logging

from google.protobuf.message import Message

from atende.conversation.v1 import conversation_pb2 as conv
from atende.nlu.v1 import nlu_pb2 as nlu
from atende.sgp.v1 import sgp_pb2 as sgp
from atende.whatsapp.v1 import whatsapp_pb2 as wa
from atende_conversation.adapters import events as ev
from atende_conversation.adapters.privacy_store import ConversationPrivacy
from atende_conversation.engine import ConversationEngine
from atende_core import privacy
from atende_core.bus import Bus, Envelope, topics

log = logging.getLogger(__name__)

GROUPS = {
    topics.CONVERSATION_INBOUND: "conversation",
    topics.NLU_RESULTS: "conversation-nlu",
    topics.SGP_RESULTS: "conversation-sgp",
    topics.WHATSAPP_STATUS: "conversation-status",
    topics.CONVERSATION_EVENTS: "conversation-agents",
    topics.CONVERSATION_COMMANDS: "conversation-commands",
}
# Request ids of the console's customer panel (the gateway reads SGP itself through the bus).
CONSOLE_REQUEST_PREFIX = "console-"
PUBLISHES_TO = (topics.WHATSAPP_OUTBOUND, topics.NLU_REQUESTS, topics.SGP_REQUESTS, topics.CONVERSATION_EVENTS)


class Handlers:
    """The service's subscribers, bound to one engine."""

    def __init__(self, engine: ConversationEngine) -> None:
        self._engine = engine

    async def on_inbound(self, event: conv.InboundMessage, envelope: Envelope) -> None:
        """A customer message (its wamid is the dedup key)."""
        if not event.conversation_id:
            log.warning("inbound message without conversation id", extra={"event.id": envelope.id})
            return
        message = ev.customer_message(event)
        await self._engine.handle(event.conversation_id, message, input_id=event.message_id or envelope.id)

    async def on_nlu_result(self, event: nlu.TextAnalyzed, envelope: Envelope) -> None:
        """The NLU's reading of a text the conversation asked about."""
        if event.conversation_id:
            answer = ev.nlu_answer(event)
            await self._engine.handle(event.conversation_id, answer, input_id=f"nlu:{event.request_id}")

    async def on_sgp_result(self, event: sgp.SgpResult, envelope: Envelope) -> None:
        """An SGP answer; campaign audiences (no conversation) and the console's panel are not ours."""
        ours = event.conversation_id and not event.request_id.startswith(CONSOLE_REQUEST_PREFIX)
        answer = ev.sgp_answer(event) if ours else None
        if answer is not None:
            await self._engine.handle(event.conversation_id, answer, input_id=f"sgp:{event.request_id}")

    async def on_status(self, event: wa.MessageStatusChanged, envelope: Envelope) -> None:
        """A delivery status of one of our messages: noted on its transcript line."""
        if event.command_id:
            status = wa.DeliveryStatus.Name(event.status).removeprefix("DELIVERY_STATUS_").lower()
            at = event.occurred_at.ToDatetime(tzinfo=envelope.time.tzinfo) if event.HasField("occurred_at") else None
            await self._engine.record_delivery(event.command_id, status, at or envelope.time)

    async def on_conversation_event(self, event: Message, envelope: Envelope) -> None:
        """Agents' actions from the gateway; our own facts on the same topic are skipped."""
        action = ev.agent_action(event)
        conversation_id = getattr(event, "conversation_id", "")
        if action is not None and conversation_id:
            await self._engine.handle(conversation_id, action, input_id=f"agent:{envelope.id}")

    async def on_command(self, event: conv.AgentActionRequested, envelope: Envelope) -> None:
        """An agent's action from the console (acted on once per command id)."""
        if not event.conversation_id or not event.command_id:
            log.warning("agent command without conversation or command id", extra={"event.id": envelope.id})
            return
        await self._engine.command(event.conversation_id, ev.agent_command(event))


def register(bus: Bus, engine: ConversationEngine) -> Handlers:
    """Subscribe the conversation service to its topics (ARCHITECTURE.md)."""
    handlers = Handlers(engine)
    for topic, handle in {
        topics.CONVERSATION_INBOUND: handlers.on_inbound,
        topics.NLU_RESULTS: handlers.on_nlu_result,
        topics.SGP_RESULTS: handlers.on_sgp_result,
        topics.WHATSAPP_STATUS: handlers.on_status,
        topics.CONVERSATION_EVENTS: handlers.on_conversation_event,
    }.items():
        bus.subscribe(topic, handle, group=GROUPS[topic], idempotent=False)
    # Commands are rare and act on SGP: beside the engine's own dedup (by command id, among the last
    # inputs), the bus's handle-once guard remembers them for days.
    topic = topics.CONVERSATION_COMMANDS
    bus.subscribe(topic, handlers.on_command, group=GROUPS[topic], idempotent=True)
    return handlers


class PrivacyLinks:
    """Links each CPF/CNPJ lookup to its conversation, so an erasure by CPF finds the conversation."""

    def __init__(self, store: ConversationPrivacy) -> None:
        self._store = store

    async def on_sgp_request(self, event: sgp.SgpRequest, envelope: Envelope) -> None:
        """Our own lookups (campaign audiences have no conversation)."""
        if (
            event.WhichOneof("operation") == "lookup_customer"
            and event.conversation_id
            and event.lookup_customer.document
        ):
            await self._store.link_lookup(
                request_id=event.request_id,
                conversation_id=event.conversation_id,
                document=event.lookup_customer.document,
            )

    async def on_sgp_result(self, event: sgp.SgpResult, envelope: Envelope) -> None:
        """The customer a lookup found: their ids join the link."""
        if event.WhichOneof("outcome") == "customer_found" and event.conversation_id:
            found = event.customer_found
            await self._store.link_result(
                request_id=event.request_id,
                conversation_id=event.conversation_id,
                customer_id=found.customer_id,
                contract_ids=[c.contract_id for c in found.contracts],
            )


def register_privacy(bus: Bus, store: ConversationPrivacy, *, service: str) -> PrivacyLinks:
    """Subscribe the links (own groups, plain upserts: idempotent) and the privacy commands."""
    links = PrivacyLinks(store)
    bus.subscribe(topics.SGP_REQUESTS, links.on_sgp_request, group="conversation-privacy-links", idempotent=False)
    bus.subscribe(topics.SGP_RESULTS, links.on_sgp_result, group="conversation-privacy-found", idempotent=False)
    privacy.subscribe(bus, service=service, store=store, resolver=store)
    bus.produces(topics.PRIVACY_COMMANDS)
    return links
