"""Use case: a verified webhook (`whatsapp.webhooks`) → `conversation.inbound` messages and
`whatsapp.status` statuses, each once (dedup by wamid, and by wamid+status), statuses only forward.

A body that is not a webhook, or items that cannot be read, end in the dead-letter topic
(PermanentError) after everything readable in the batch was published.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from atende.conversation.v1.conversation_pb2 import InboundMessage
from atende.whatsapp.v1.whatsapp_pb2 import DeliveryStatus, MessageStatusChanged, SendMessage, Template, WebhookReceived
from atende_core.bus import Envelope, PermanentError, topics
from atende_core.bus.idempotency import Claim
from atende_core.ids import conversation_id, keyed_token
from atende_whatsapp_connector import metrics
from atende_whatsapp_connector.domain.errors import REENGAGEMENT
from atende_whatsapp_connector.domain.inbound import MalformedWebhook, StatusUpdate, parse_webhook
from atende_whatsapp_connector.domain.outbound import with_template
from atende_whatsapp_connector.domain.status import FAILED, transition
from atende_whatsapp_connector.once import CLAIM_WAIT_SECONDS, claim_once
from atende_whatsapp_connector.ports import Deduplicator, Publisher, SentIndex, SentMessage, StatusStore

log = logging.getLogger(__name__)
_EVENT_IDS = uuid.UUID("6f0c1b0e-6a43-4d9e-9d6b-0b7e3d1f5a10")
REENGAGEMENT_SUFFIX = ":reengagement"


def stable_event_id(*parts: str) -> str:
    """The same event id for the same WhatsApp fact, so downstream handle-once skips replays too."""
    return str(uuid.uuid5(_EVENT_IDS, ":".join(parts)))


def status_name(status: DeliveryStatus) -> str:
    """`DELIVERY_STATUS_READ` → `read`."""
    return DeliveryStatus.Name(status).removeprefix("DELIVERY_STATUS_").lower()


class WebhookProcessor:
    """Turns verified webhook bodies into inbound-message and status events."""

    def __init__(
        self,
        *,
        publisher: Publisher,
        dedup: Deduplicator,
        statuses: StatusStore,
        index: SentIndex,
        owned: frozenset[str],
        stale_after_seconds: float,
        id_key: bytes,
        clock: Callable[[], float] = time.time,
        claim_wait_seconds: float = CLAIM_WAIT_SECONDS,
    ) -> None:
        self._publisher = publisher
        self._dedup = dedup
        self._statuses = statuses
        self._index = index
        self._owned = owned
        self._stale_after = stale_after_seconds
        self._id_key = id_key
        self._clock = clock
        self._claim_wait = claim_wait_seconds

    async def handle(self, event: WebhookReceived, envelope: Envelope) -> None:
        """Publish every new message and status of one webhook body."""
        try:
            parsed = parse_webhook(
                event.raw_body,
                owned=self._owned,
                now=self._clock(),
                stale_after_seconds=self._stale_after,
                id_key=self._id_key,
            )
        except MalformedWebhook as exc:
            metrics.MALFORMED.labels("body").inc()
            log.error("unreadable webhook body", extra={"event.id": envelope.id, "error.message": str(exc)})
            raise PermanentError(str(exc)) from exc
        if parsed.foreign_numbers:
            metrics.FOREIGN.inc(len(parsed.foreign_numbers))
            log.info("webhook changes for numbers we do not own ignored", extra={"count": len(parsed.foreign_numbers)})
        for name in parsed.other_fields:
            log.info("webhook field not handled", extra={"webhook.field": name})
        for error in parsed.system_errors:
            log.warning(
                "whatsapp reported a system error", extra={"error.code": error.code, "error.title": error.title}
            )
        for message in parsed.messages:
            await self._inbound(message)
        for status in parsed.statuses:
            await self._status(status)
        if parsed.problems:
            metrics.MALFORMED.labels("item").inc(len(parsed.problems))
            log.error("webhook items could not be read", extra={"event.id": envelope.id, "problems": parsed.problems})
            raise PermanentError("; ".join(parsed.problems))

    async def _once(self, key: str, kind: str) -> Claim | None:
        """The claim to go on with, or None when the item was already handled."""
        return await claim_once(self._dedup, key, kind=kind, wait_seconds=self._claim_wait)

    async def _inbound(self, message: InboundMessage) -> None:
        key = f"message:{keyed_token(message.message_id, key=self._id_key)}"  # wamids embed the number
        claim = await self._once(key, "message")
        if claim is None:
            return
        try:
            await self._publisher.publish(
                topics.CONVERSATION_INBOUND,
                message,
                key=message.conversation_id,
                event_id=stable_event_id("inbound", message.message_id),
            )
        except Exception:
            if claim is Claim.ACQUIRED:
                await self._dedup.release(key)
            raise
        if claim is Claim.ACQUIRED:
            await self._dedup.complete(key)
        metrics.INBOUND.labels(message.WhichOneof("content") or "none").inc()
        if message.stale:
            metrics.INBOUND_STALE.inc()
            log.info("stale inbound message recorded", extra={"message.id": message.message_id})

    async def _status(self, update: StatusUpdate) -> None:
        name = status_name(update.status)
        key = f"status:{keyed_token(update.message_id, key=self._id_key)}:{name}"
        claim = await self._once(key, "status")
        if claim is None:
            return
        try:
            await self._apply_status(update, name)
        except Exception:
            if claim is Claim.ACQUIRED:
                await self._dedup.release(key)
            raise
        if claim is Claim.ACQUIRED:
            await self._dedup.complete(key)

    async def _apply_status(self, update: StatusUpdate, name: str) -> None:
        sent = await self._index.lookup(update.message_id)
        conversation = (
            sent.conversation_id
            if sent
            else conversation_id(phone_number_id=update.phone_number_id, wa_id=update.recipient_id, key=self._id_key)
        )
        decision = transition(await self._statuses.current(update.message_id), update.status)
        if not decision.record:
            metrics.STATUSES.labels(name, "superseded").inc()
            return
        for status in (*decision.implied, update.status):
            event = MessageStatusChanged(
                conversation_id=conversation,
                message_id=update.message_id,
                command_id=sent.command_id if sent else "",
                status=status,
                recipient_id=update.recipient_id,
                biz_opaque_callback_data=update.biz_opaque_callback_data,
                pricing_category=update.pricing_category,
            )
            event.occurred_at.FromSeconds(update.occurred_at)
            if status == update.status:
                event.errors.extend(update.errors)
            await self._publisher.publish(
                topics.WHATSAPP_STATUS,
                event,
                key=conversation,
                event_id=stable_event_id("status", update.message_id, status_name(status)),
            )
        # Recorded after publishing: a failed publish is retried with the state unchanged.
        await self._statuses.record(update.message_id, update.status)
        metrics.STATUSES.labels(name, "recorded").inc()
        if update.status == FAILED and sent is not None and any(e.code == REENGAGEMENT for e in update.errors):
            await self._fall_back(update, sent, conversation)

    async def _fall_back(self, update: StatusUpdate, sent: SentMessage, conversation: str) -> None:
        """The message failed because the 24-hour window was closed: queue its template fallback."""
        if not sent.fallback_template or sent.command_id.endswith(REENGAGEMENT_SUFFIX):
            log.warning("re-engagement failure without a fallback template", extra={"message.id": update.message_id})
            return
        template = Template()
        template.ParseFromString(sent.fallback_template)
        original = SendMessage(
            command_id=sent.command_id, conversation_id=conversation, phone_number_id=update.phone_number_id, to=sent.to
        )
        command = with_template(original, template, command_id=sent.command_id + REENGAGEMENT_SUFFIX)
        await self._publisher.publish(
            topics.WHATSAPP_OUTBOUND, command, key=conversation, event_id=stable_event_id("command", command.command_id)
        )
        metrics.FALLBACKS.inc()
        log.info("template fallback queued after re-engagement failure", extra={"message.id": update.message_id})
