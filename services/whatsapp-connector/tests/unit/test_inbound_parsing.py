"""Every inbound type of the reference (§2, §7) parsed into InboundMessage / StatusUpdate."""

import json
from pathlib import Path
from typing import Any

import pytest

from atende.conversation.v1.conversation_pb2 import InteractiveReply, MediaContent
from atende.whatsapp.v1.whatsapp_pb2 import DeliveryStatus
from atende_core.ids import conversation_id
from atende_testing import mutations
from atende_whatsapp_connector.domain.inbound import MalformedWebhook, parse_webhook

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PNID = "106540352242922"
KEY = b"test-id-key"
OWNED = frozenset({PNID})
MESSAGES: dict[str, dict[str, Any]] = json.loads((FIXTURES / "messages.json").read_text())
NOW = 1749416600.0


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def envelope(*messages: dict[str, Any], pnid: str = PNID, **value: Any) -> bytes:
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "551140041234", "phone_number_id": pnid},
                            "contacts": [{"profile": {"name": "Maria Souza"}, "wa_id": "5511987654321"}],
                            "messages": list(messages),
                            **value,
                        },
                    }
                ],
            }
        ],
    }
    # Meta's serialisation: non-ASCII escaped.
    return json.dumps(body, ensure_ascii=True).encode()


def parse(raw: bytes, **kwargs: Any) -> Any:
    return parse_webhook(
        raw, owned=kwargs.pop("owned", OWNED), now=kwargs.pop("now", NOW), stale_after_seconds=900, id_key=KEY
    )


def one(name: str) -> Any:
    parsed = parse(envelope(MESSAGES[name]))
    assert parsed.problems == []
    assert len(parsed.messages) == 1
    return parsed.messages[0]


def test_reference_7_1_text() -> None:
    parsed = parse(fixture("reference_7_1_text.json"))
    [message] = parsed.messages
    assert message.conversation_id == conversation_id(phone_number_id=PNID, wa_id="16505551234", key=KEY)
    assert message.message_id == "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
    assert message.phone_number_id == PNID
    assert message.wa_id == "16505551234"
    assert getattr(message, "from") == "16505551234"
    assert message.profile_name == "Ana Customer"
    assert message.sent_at.seconds == 1749416383
    assert message.text.body == "Hi, where is my invoice for order 4711?"
    assert not message.stale


def test_reference_7_2_list_reply_with_context() -> None:
    [message] = parse(fixture("reference_7_2_list_reply.json")).messages
    assert message.WhichOneof("content") == "interactive_reply"
    reply = message.interactive_reply
    assert (reply.kind, reply.id, reply.title, reply.description) == (
        InteractiveReply.KIND_LIST,
        "billing_invoice",
        "Get my invoice",
        "PDF copy of last invoice",
    )
    assert message.context_message_id == "wamid.LIST-WE-SENT"


def test_reply_button_tap() -> None:
    message = one("button_reply")
    assert message.interactive_reply.kind == InteractiveReply.KIND_BUTTON
    assert (message.interactive_reply.id, message.interactive_reply.title) == ("csat_yes", "Sim, obrigado")
    assert message.context_message_id == "wamid.BUTTONS-WE-SENT"


def test_template_quick_reply_tap_keeps_the_payload() -> None:
    message = one("template_button")
    assert (message.template_button.payload, message.template_button.text) == ("PROMESSA:123", "Ver boleto")


@pytest.mark.parametrize(
    ("name", "kind", "media_id", "mime"),
    [
        ("image", MediaContent.KIND_IMAGE, "1479537139650973", "image/jpeg"),
        ("document", MediaContent.KIND_DOCUMENT, "2000000000000001", "application/pdf"),
        ("audio", MediaContent.KIND_AUDIO, "3000000000000001", "audio/ogg; codecs=opus"),
        ("video", MediaContent.KIND_VIDEO, "4000000000000001", "video/mp4"),
        ("sticker", MediaContent.KIND_STICKER, "5000000000000001", "image/webp"),
    ],
)
def test_media_messages(name: str, kind: int, media_id: str, mime: str) -> None:
    media = one(name).media
    assert (media.kind, media.media_id, media.mime_type) == (kind, media_id, mime)
    assert media.sha256


def test_media_details() -> None:
    assert one("image").media.caption == "Meu roteador"
    assert one("image").media.url.startswith("https://lookaside.fbsbx.com/")
    document = one("document").media
    assert (document.filename, document.caption) == ("comprovante.pdf", "Comprovante")
    assert one("audio").media.voice is True


def test_location() -> None:
    location = one("location").location
    assert (location.latitude, location.longitude) == (-23.5613, -46.6565)
    assert (location.name, location.address) == ("Casa", "Av. Paulista, 1000")


def test_shared_contacts() -> None:
    [contact] = one("contacts").contacts.contacts
    assert contact.formatted_name == "João Pereira"
    assert list(contact.phones) == ["+55 21 99876-5432"]


def test_reaction_and_its_removal() -> None:
    reaction = one("reaction").reaction
    assert (reaction.message_id, reaction.emoji) == ("wamid.OUR-REPLY", "👍")
    assert one("reaction_removed").reaction.emoji == ""


def test_reply_with_context_and_forwarded_flag() -> None:
    message = one("reply_forwarded")
    assert message.context_message_id == "wamid.OUR-REPLY"
    assert message.forwarded


@pytest.mark.parametrize(
    ("name", "kind", "code"),
    [("unsupported", "edit", 131051), ("order", "order", 0), ("nfm_reply", "interactive:nfm_reply", 0)],
)
def test_unknown_and_unsupported_types_become_unsupported(name: str, kind: str, code: int) -> None:
    unsupported = one(name).unsupported
    assert (unsupported.type, unsupported.error_code) == (kind, code)


def test_unknown_fields_are_ignored() -> None:
    assert one("referral_text").text.body == "Vi o anúncio"


def test_old_messages_are_flagged_stale() -> None:
    old = {**MESSAGES["reply_forwarded"], "timestamp": str(int(NOW) - 901)}
    [message] = parse(envelope(old)).messages
    assert message.stale


def test_wa_id_and_from_may_differ() -> None:
    """Key users by wa_id; reply to `from` (reference §2)."""
    message = {**MESSAGES["reply_forwarded"], "from": "+55 11 98765-4321"}
    [parsed] = parse(envelope(message)).messages
    assert parsed.wa_id == "5511987654321"
    assert getattr(parsed, "from") == "+55 11 98765-4321"
    assert parsed.conversation_id == conversation_id(phone_number_id=PNID, wa_id="5511987654321", key=KEY)


def test_every_entry_change_message_and_status_is_read_and_foreign_numbers_are_skipped() -> None:
    ours = json.loads(envelope(MESSAGES["image"], MESSAGES["location"]))
    statuses = {
        "statuses": [
            {"id": "wamid.S1", "status": "sent", "timestamp": "1", "recipient_id": "5511987654321"},
            {"id": "wamid.S1", "status": "read", "timestamp": "2", "recipient_id": "5511987654321"},
        ]
    }
    second_change = json.loads(envelope(MESSAGES["reaction"], **statuses))["entry"][0]["changes"][0]
    foreign = json.loads(envelope(MESSAGES["document"], pnid="999"))["entry"][0]
    template_update = {"field": "message_template_status_update", "value": {"event": "APPROVED"}}
    ours["entry"][0]["changes"].extend([second_change, template_update])
    ours["entry"].append(foreign)
    parsed = parse(json.dumps(ours).encode())
    assert [m.message_id for m in parsed.messages] == ["wamid.IMG", "wamid.LOC", "wamid.RCT"]
    assert [(s.message_id, s.status) for s in parsed.statuses] == [
        ("wamid.S1", DeliveryStatus.DELIVERY_STATUS_SENT),
        ("wamid.S1", DeliveryStatus.DELIVERY_STATUS_READ),
    ]
    assert parsed.foreign_numbers == ["999"]
    assert parsed.other_fields == ["message_template_status_update"]


def test_several_owned_numbers() -> None:
    parsed = parse(envelope(MESSAGES["image"], pnid="777"), owned=frozenset({PNID, "777"}))
    assert parsed.messages[0].conversation_id == conversation_id(phone_number_id="777", wa_id="5511987654321", key=KEY)


def test_reference_7_3_failed_status_carries_the_error() -> None:
    [status] = parse(fixture("reference_7_3_status_failed.json")).statuses
    assert status.status == DeliveryStatus.DELIVERY_STATUS_FAILED
    assert (status.message_id, status.recipient_id, status.occurred_at) == ("wamid.OUR-SEND", "16505551234", 1751142888)
    [error] = status.errors
    assert (error.code, error.title) == (131047, "Re-engagement message")
    assert error.details.startswith("Message failed to send because more than 24 hours")


def test_status_pricing_and_callback_data() -> None:
    status = {
        "id": "wamid.S",
        "status": "delivered",
        "timestamp": "5",
        "recipient_id": "1",
        "biz_opaque_callback_data": "invoice-4711",
        "pricing": {"billable": True, "pricing_model": "PMP", "type": "regular", "category": "utility"},
    }
    [parsed] = parse(envelope(statuses=[status])).statuses
    assert (parsed.biz_opaque_callback_data, parsed.pricing_category) == ("invoice-4711", "utility")


@pytest.mark.parametrize("raw", [b"not json", b"\xff\xfe", b"[1, 2]", b'{"entry": "nope"}', b"{}"])
def test_bodies_that_are_not_webhooks_are_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedWebhook):
        parse(raw)


def test_one_bad_item_is_reported_and_the_rest_of_the_batch_survives() -> None:
    broken_text = {"from": "1", "id": "wamid.BAD", "timestamp": "1", "type": "text"}
    no_id = {"from": "1", "timestamp": "1", "type": "text", "text": {"body": "x"}}
    weird_status = {"id": "wamid.S", "status": "deleted", "timestamp": "1"}
    parsed = parse(envelope(broken_text, no_id, MESSAGES["location"], statuses=[weird_status, {"status": "sent"}]))
    assert [m.message_id for m in parsed.messages] == ["wamid.LOC"]
    assert len(parsed.problems) == 4
    assert parsed.problems[0] == "message 0: type 'text' without its 'text' object"


def test_absurd_numbers_are_problems_of_their_item_not_crashes() -> None:
    far_future = {"from": "1", "id": "wamid.FAR", "timestamp": "9" * 400, "type": "text", "text": {"body": "x"}}
    huge_code = {
        "id": "wamid.S",
        "status": "failed",
        "timestamp": "1749416500",
        "errors": [{"code": 2**70, "title": "x"}],
    }
    parsed = parse(envelope(far_future, MESSAGES["location"], statuses=[huge_code]))
    assert [m.message_id for m in parsed.messages] == ["wamid.LOC"]
    assert [p.split(":")[0] for p in parsed.problems] == ["message 0", "status 0"]


def test_half_a_surrogate_pair_still_delivers_the_message() -> None:
    text = {"from": "5511987654321", "id": "wamid.SUR", "timestamp": "1749416500", "type": "text"}
    raw = envelope({**text, "text": {"body": "oi PLACEHOLDER"}}).replace(b"PLACEHOLDER", b"\\ud83d e \\ud83d\\ude00")
    [message] = parse(raw).messages
    assert message.text.body == "oi \ufffd e \U0001f600"  # the lone half replaced, the whole pair kept
    message.SerializeToString()


def test_a_change_whose_value_has_the_wrong_shape_is_a_problem() -> None:
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"changes": [{"field": "messages", "value": {"messages": 3}}]}],
    }
    parsed = parse(json.dumps(body).encode())
    assert parsed.messages == []
    assert parsed.problems == ["entry 0 change 0: messages: list_type"]


def test_system_errors_are_reported() -> None:
    errors = [{"code": 131052, "title": "Media download error", "error_data": {"details": "too big"}}]
    parsed = parse(envelope(errors=errors))
    assert [(e.code, e.details) for e in parsed.system_errors] == [(131052, "too big")]


def test_hostile_variants_of_real_bodies_are_read_or_refused_never_raised() -> None:
    names = ("reference_7_1_text.json", "reference_7_2_list_reply.json", "reference_7_3_status_failed.json")
    bodies = [json.loads(fixture(name)) for name in names] + [json.loads(envelope(m)) for m in MESSAGES.values()]
    for seed, body in enumerate(bodies):
        for variant in mutations(body, seed=seed, count=300):
            try:
                parsed = parse(json.dumps(variant).encode())  # NaN and lone surrogates as Python writes them
            except MalformedWebhook:
                continue
            for message in parsed.messages:
                message.SerializeToString()
