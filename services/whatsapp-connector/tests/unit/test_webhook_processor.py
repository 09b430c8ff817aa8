"""WebhookProcessor with fakes: dedup, status ordering, conversation mapping, fallbacks, dead letters."""

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from atende.whatsapp.v1.whatsapp_pb2 import DeliveryStatus, Template, WebhookReceived
from atende_core.bus import Envelope, PermanentError, topics
from atende_core.ids import conversation_id, keyed_token
from atende_whatsapp_connector.once import ClaimBusy
from atende_whatsapp_connector.ports import SentMessage
from atende_whatsapp_connector.webhooks import WebhookProcessor

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PNID = "106540352242922"
ENVELOPE = Envelope(id="e1", type="atende.whatsapp.v1.WebhookReceived", source="test", time=datetime.now(UTC))
S = DeliveryStatus


@pytest.fixture
def processor(publisher: Any, dedup: Any, status_store: Any, index: Any) -> WebhookProcessor:
    return WebhookProcessor(
        publisher=publisher,
        dedup=dedup,
        statuses=status_store,
        index=index,
        owned=frozenset({PNID}),
        stale_after_seconds=900,
        id_key=b"test-id-key",
        clock=lambda: 1749416400.0,
        claim_wait_seconds=0.6,
    )


def webhook(raw: bytes) -> WebhookReceived:
    return WebhookReceived(raw_body=raw, phone_number_id=PNID)


def statuses_body(*items: tuple[str, str, int], errors: list[dict[str, Any]] | None = None) -> bytes:
    statuses = []
    for wamid, status, ts in items:
        item: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(ts), "recipient_id": "5511987654321"}
        if status == "failed" and errors:
            item["errors"] = errors
        statuses.append(item)
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {"field": "messages", "value": {"metadata": {"phone_number_id": PNID}, "statuses": statuses}}
                    ],
                }
            ],
        }
    ).encode()


async def test_the_same_webhook_three_times_publishes_one_inbound_event(
    processor: WebhookProcessor, publisher: Any
) -> None:
    raw = (FIXTURES / "reference_7_1_text.json").read_bytes()
    for _ in range(3):
        await processor.handle(webhook(raw), ENVELOPE)
    [event] = publisher.events
    assert event.topic == topics.CONVERSATION_INBOUND
    assert event.key == conversation_id(phone_number_id=PNID, wa_id="16505551234", key=b"test-id-key")
    assert event.event.text.body == "Hi, where is my invoice for order 4711?"


async def test_inbound_event_ids_are_stable_per_wamid(processor: WebhookProcessor, publisher: Any, dedup: Any) -> None:
    raw = (FIXTURES / "reference_7_1_text.json").read_bytes()
    await processor.handle(webhook(raw), ENVELOPE)
    dedup.state.clear()  # Redis lost its keys: the republished event keeps its id, so consumers still dedup.
    await processor.handle(webhook(raw), ENVELOPE)
    assert publisher.events[0].event_id == publisher.events[1].event_id


async def test_a_failed_publish_releases_the_claim_so_the_retry_publishes(
    processor: WebhookProcessor, publisher: Any
) -> None:
    raw = (FIXTURES / "reference_7_1_text.json").read_bytes()
    publisher.fail_next = 1
    with pytest.raises(ConnectionError):
        await processor.handle(webhook(raw), ENVELOPE)
    await processor.handle(webhook(raw), ENVELOPE)
    assert len(publisher.events) == 1


async def test_an_item_claimed_elsewhere_is_waited_for_then_left_to_the_bus(
    processor: WebhookProcessor, dedup: Any, publisher: Any
) -> None:
    # Keyed by a token of the wamid: Meta's wamids embed the customer's number.
    key = "message:" + keyed_token("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", key=b"test-id-key")
    raw = (FIXTURES / "reference_7_1_text.json").read_bytes()
    dedup.state[key] = "claimed"
    with pytest.raises(ClaimBusy):
        await processor.handle(webhook(raw), ENVELOPE)
    # The other consumer died and its claim expired: this one handles the message.
    release = asyncio.get_running_loop().call_later(0.2, dedup.state.pop, key)
    await processor.handle(webhook(raw), ENVELOPE)
    release.cancel()
    assert len(publisher.events) == 1


async def test_statuses_move_forward_whatever_the_arrival_order(
    processor: WebhookProcessor, publisher: Any, index: Any
) -> None:
    await index.remember("wamid.OUT", SentMessage(conversation_id="conv-1", command_id="cmd-1"))
    await processor.handle(webhook(statuses_body(("wamid.OUT", "delivered", 20))), ENVELOPE)
    await processor.handle(webhook(statuses_body(("wamid.OUT", "sent", 10))), ENVELOPE)  # late: ignored
    await processor.handle(webhook(statuses_body(("wamid.OUT", "read", 30), ("wamid.OUT", "read", 30))), ENVELOPE)
    await processor.handle(webhook(statuses_body(("wamid.OUT", "delivered", 20))), ENVELOPE)  # duplicate
    events = publisher.on(topics.WHATSAPP_STATUS)
    assert [e.status for e in events] == [S.DELIVERY_STATUS_DELIVERED, S.DELIVERY_STATUS_READ]
    assert {(e.conversation_id, e.command_id, e.message_id) for e in events} == {("conv-1", "cmd-1", "wamid.OUT")}
    assert [p.key for p in publisher.events] == ["conv-1", "conv-1"]
    assert events[1].occurred_at.seconds == 30


async def test_read_without_delivered_emits_delivered_first(processor: WebhookProcessor, publisher: Any) -> None:
    await processor.handle(webhook(statuses_body(("wamid.X", "sent", 1), ("wamid.X", "read", 2))), ENVELOPE)
    assert [e.status for e in publisher.on(topics.WHATSAPP_STATUS)] == [
        S.DELIVERY_STATUS_SENT,
        S.DELIVERY_STATUS_DELIVERED,
        S.DELIVERY_STATUS_READ,
    ]
    # Not sent by this deployment (or index expired): the conversation comes from the recipient.
    assert publisher.events[0].key == conversation_id(phone_number_id=PNID, wa_id="5511987654321", key=b"test-id-key")


async def test_failed_is_recorded_after_anything_and_final(processor: WebhookProcessor, publisher: Any) -> None:
    errors = [{"code": 131026, "title": "Message undeliverable"}]
    body = statuses_body(("wamid.F", "sent", 1), ("wamid.F", "failed", 2), ("wamid.F", "delivered", 3), errors=errors)
    await processor.handle(webhook(body), ENVELOPE)
    events = publisher.on(topics.WHATSAPP_STATUS)
    assert [e.status for e in events] == [S.DELIVERY_STATUS_SENT, S.DELIVERY_STATUS_FAILED]
    assert [(e.code, e.title) for e in events[1].errors] == [(131026, "Message undeliverable")]


async def test_async_reengagement_failure_queues_the_fallback_template_once(
    processor: WebhookProcessor, publisher: Any, index: Any
) -> None:
    fallback = Template(name="retomada_atendimento", language="pt_BR")
    await index.remember(
        "wamid.OUR-SEND",
        SentMessage(
            conversation_id="conv-1",
            command_id="cmd-9",
            to="+16505551234",
            fallback_template=fallback.SerializeToString(),
        ),
    )
    raw = (FIXTURES / "reference_7_3_status_failed.json").read_bytes()
    await processor.handle(webhook(raw), ENVELOPE)
    await processor.handle(webhook(raw), ENVELOPE)
    [failed] = publisher.on(topics.WHATSAPP_STATUS)
    assert failed.errors[0].code == 131047
    [command] = publisher.on(topics.WHATSAPP_OUTBOUND)
    assert command.command_id == "cmd-9:reengagement"
    assert (command.to, command.conversation_id, command.phone_number_id) == ("+16505551234", "conv-1", PNID)
    assert command.template.name == "retomada_atendimento"


async def test_no_fallback_without_a_template(processor: WebhookProcessor, publisher: Any, index: Any) -> None:
    await index.remember("wamid.OUR-SEND", SentMessage(conversation_id="conv-1", command_id="cmd-9"))
    await processor.handle(webhook((FIXTURES / "reference_7_3_status_failed.json").read_bytes()), ENVELOPE)
    assert publisher.on(topics.WHATSAPP_OUTBOUND) == []


@pytest.mark.parametrize("raw", [b"<html>", b'{"object": "page", "entry": 5}'])
async def test_unreadable_bodies_are_dead_lettered(processor: WebhookProcessor, raw: bytes) -> None:
    with pytest.raises(PermanentError):
        await processor.handle(webhook(raw), ENVELOPE)


async def test_unreadable_items_are_dead_lettered_after_the_readable_ones_are_published(
    processor: WebhookProcessor, publisher: Any
) -> None:
    messages = [
        {"from": "5511987654321", "id": "wamid.OK", "timestamp": "1749416383", "type": "text", "text": {"body": "oi"}},
        {"from": "5511987654321", "id": "wamid.BAD", "timestamp": "x", "type": "text", "text": {"body": "oi"}},
    ]
    raw = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "changes": [
                        {"field": "messages", "value": {"metadata": {"phone_number_id": PNID}, "messages": messages}}
                    ]
                }
            ],
        }
    ).encode()
    with pytest.raises(PermanentError, match="message 1"):
        await processor.handle(webhook(raw), ENVELOPE)
    assert [e.message_id for e in publisher.on(topics.CONVERSATION_INBOUND)] == ["wamid.OK"]


async def test_foreign_numbers_publish_nothing(processor: WebhookProcessor, publisher: Any) -> None:
    raw = (FIXTURES / "reference_7_1_text.json").read_bytes().replace(PNID.encode(), b"999999")
    await processor.handle(webhook(raw), ENVELOPE)
    assert publisher.events == []


async def test_stale_messages_are_published_flagged(processor: WebhookProcessor, publisher: Any) -> None:
    raw = (FIXTURES / "reference_7_1_text.json").read_bytes().replace(b"1749416383", b"1749000000")
    await processor.handle(webhook(raw), ENVELOPE)
    assert publisher.events[0].event.stale
