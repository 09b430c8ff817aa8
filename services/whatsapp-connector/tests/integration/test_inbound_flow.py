"""Customer messages from the simulator, through the gateway and Kafka, out of the connector."""

import asyncio
import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from atende.conversation.v1.conversation_pb2 import InteractiveReply, MediaContent
from atende_core.ids import conversation_id, conversation_id_key
from atende_core.settings import ServiceSettings
from atende_testing import wait_until

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CUSTOMER = "5511987654321"
KEY = conversation_id_key(ServiceSettings())
CONVERSATION = conversation_id(phone_number_id="106540352242922", wa_id=CUSTOMER, key=KEY)


async def test_every_inbound_type_becomes_one_normalized_event(stack: Any) -> None:
    text = await stack.inject(**{"from": CUSTOMER, "name": "Maria Souza", "text": "Olá! Quero a segunda via 🙏"})
    button = await stack.inject(
        **{
            "from": CUSTOMER,
            "context_id": "wamid.BUTTONS",
            "interactive": {"type": "button_reply", "id": "csat_yes", "title": "Sim"},
        }
    )
    row = await stack.inject(
        **{
            "from": CUSTOMER,
            "interactive": {"type": "list_reply", "id": "boleto", "title": "Segunda via", "description": "PDF"},
        }
    )
    tap = await stack.inject(**{"from": CUSTOMER, "button": {"payload": "PROMESSA:1", "text": "Ver boleto"}})
    location = await stack.inject(
        **{"from": CUSTOMER, "location": {"latitude": -23.56, "longitude": -46.65, "name": "Casa"}}
    )
    image = await stack.inject(**{"from": CUSTOMER, "image": {"caption": "Luz vermelha no modem"}})
    document = await stack.inject(**{"from": CUSTOMER, "document": {"filename": "comprovante.pdf"}})
    audio = await stack.inject(**{"from": CUSTOMER, "audio": {"voice": True}})
    video = await stack.inject(**{"from": CUSTOMER, "video": {}})
    sticker = await stack.inject(**{"from": CUSTOMER, "sticker": {}})
    contacts = await stack.inject(
        **{
            "from": CUSTOMER,
            "contacts": [
                {"name": {"formatted_name": "João Pereira"}, "phones": [{"phone": "+5521998765432", "type": "CELL"}]}
            ],
        }
    )
    reaction = await stack.inject(**{"from": CUSTOMER, "reaction": {"message_id": "wamid.OURS", "emoji": "👍"}})
    forwarded = await stack.inject(**{"from": CUSTOMER, "forwarded": True, "text": "olha isso"})
    unsupported = await stack.inject(**{"from": CUSTOMER, "unsupported": {"type": "poll_creation"}})

    event = await stack.inbound_with(text["wamid"])
    assert (event.conversation_id, event.wa_id, event.profile_name) == (CONVERSATION, CUSTOMER, "Maria Souza")
    assert event.text.body == "Olá! Quero a segunda via 🙏"
    assert not event.stale
    event = await stack.inbound_with(button["wamid"])
    assert (event.interactive_reply.kind, event.interactive_reply.id) == (InteractiveReply.KIND_BUTTON, "csat_yes")
    assert event.context_message_id == "wamid.BUTTONS"
    event = await stack.inbound_with(row["wamid"])
    assert (event.interactive_reply.kind, event.interactive_reply.description) == (InteractiveReply.KIND_LIST, "PDF")
    assert (await stack.inbound_with(tap["wamid"])).template_button.payload == "PROMESSA:1"
    assert (await stack.inbound_with(location["wamid"])).location.name == "Casa"
    event = await stack.inbound_with(image["wamid"])
    assert (event.media.kind, event.media.caption, event.media.mime_type) == (
        MediaContent.KIND_IMAGE,
        "Luz vermelha no modem",
        "image/png",
    )
    assert event.media.media_id
    assert event.media.sha256
    assert event.media.url
    assert (await stack.inbound_with(document["wamid"])).media.filename == "comprovante.pdf"
    assert (await stack.inbound_with(audio["wamid"])).media.voice
    assert (await stack.inbound_with(video["wamid"])).media.kind == MediaContent.KIND_VIDEO
    assert (await stack.inbound_with(sticker["wamid"])).media.kind == MediaContent.KIND_STICKER
    assert (await stack.inbound_with(contacts["wamid"])).contacts.contacts[0].formatted_name == "João Pereira"
    assert (await stack.inbound_with(reaction["wamid"])).reaction.emoji == "👍"
    assert (await stack.inbound_with(forwarded["wamid"])).forwarded
    event = await stack.inbound_with(unsupported["wamid"])
    assert (event.unsupported.type, event.unsupported.error_code) == ("poll_creation", 131051)


async def test_reference_payloads_arrive_and_a_webhook_delivered_three_times_is_one_event(stack: Any) -> None:
    text = json.loads((FIXTURES / "reference_7_1_text.json").read_text())
    listed = json.loads((FIXTURES / "reference_7_2_list_reply.json").read_text())
    for _ in range(3):
        assert await stack.raw_webhook(text) == 200
    assert await stack.raw_webhook(listed) == 200
    event = await stack.inbound_with("wamid.NEW-INBOUND")
    assert event.interactive_reply.id == "billing_invoice"
    assert event.conversation_id == conversation_id(phone_number_id="106540352242922", wa_id="16505551234", key=KEY)
    # The three deliveries of §7.1 were all consumed before §7.2 (one partition per number, in order).
    assert [m.message_id for m in stack.inbound].count(
        text["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    ) == 1
    metrics = (await stack.connector.get("/metrics")).text
    assert 'atende_whatsapp_duplicates_total{kind="message"} 2.0' in metrics


async def test_old_backlog_is_flagged_stale_and_foreign_numbers_are_ignored(stack: Any) -> None:
    old = await stack.inject(**{"from": CUSTOMER, "timestamp": 1_700_000_000, "text": "mensagem de semana passada"})
    assert (await stack.inbound_with(old["wamid"])).stale
    foreign = json.loads((FIXTURES / "reference_7_1_text.json").read_text())
    value = foreign["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = "999999999"
    value["messages"][0]["id"] = "wamid.FOREIGN"
    assert await stack.raw_webhook(foreign) == 200
    marker = await stack.inject(**{"from": CUSTOMER, "text": "depois"})
    await stack.inbound_with(marker["wamid"])
    assert all(m.message_id != "wamid.FOREIGN" for m in stack.inbound)


async def test_malformed_webhooks_are_answered_200_and_dead_lettered(stack: Any, make_bus: Any) -> None:
    dead: list[Any] = []
    from atende_core.bus import topics

    async def on_dead(event: Any, envelope: Any) -> None:
        dead.append(envelope)

    dlq_reader = make_bus("dlq-reader")
    dlq_reader.subscribe(topics.WHATSAPP_WEBHOOKS + ".dlq", on_dead, group="dlq-reader", idempotent=False)
    await dlq_reader.start()
    response = await stack.sim.post("/_sim/raw-webhook", json={"body_text": "{not json"})
    assert response.json()["status_code"] == 200  # genuine but unreadable: Meta must not retry for a week
    envelope = (await wait_until(lambda: dead, timeout=30))[0]
    assert envelope.headers["x-error-type"] == "PermanentError"
    assert envelope.headers["x-original-topic"] == topics.WHATSAPP_WEBHOOKS
    metrics = (await stack.connector.get("/metrics")).text
    assert 'atende_whatsapp_malformed_webhooks_total{scope="body"} 1.0' in metrics


async def test_media_bytes_are_downloaded_with_the_token_on_demand(stack: Any) -> None:
    pdf = b"%PDF-1.4\n% comprovante de pagamento\n%%EOF\n"
    sent = await stack.inject(
        **{
            "from": CUSTOMER,
            "document": {
                "filename": "comprovante.pdf",
                "mime_type": "application/pdf",
                "data_base64": base64.b64encode(pdf).decode(),
            },
        }
    )
    event = await stack.inbound_with(sent["wamid"])
    response = await stack.connector.get(
        f"/media/{event.media.media_id}", params={"phone_number_id": "106540352242922"}
    )
    assert response.status_code == 200
    assert response.content == pdf
    assert response.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(response.content).hexdigest() == event.media.sha256
    downloads = await stack.requests("media_download")
    # The simulator refuses downloads without the token (and masks it in its log).
    assert (downloads[-1]["status_code"], downloads[-1]["headers"]["authorization"][:7]) == (200, "Bearer ")
    assert (await stack.connector.get("/media/0000")).status_code == 404


async def test_media_client_fetches_afresh_after_the_url_expired(stack: Any) -> None:
    from atende_whatsapp_connector.adapters.graph import GraphClient
    from atende_whatsapp_connector.adapters.media import MediaClient

    sent = await stack.inject(**{"from": CUSTOMER, "image": {}})
    event = await stack.inbound_with(sent["wamid"])
    graph = GraphClient(
        base_url=stack.settings.graph_base_url,
        access_token=stack.settings.whatsapp_access_token,
        media_hosts=stack.settings.media_host_allowlist,
    )
    try:
        media = await MediaClient(graph).fetch(event.media.media_id)
        assert media.verified
        assert media.data.startswith(b"\x89PNG")
        # The webhook's own URL works with the token, and not without it.
        assert (await graph.download(event.media.url))[0] == media.data
    finally:
        await graph.aclose()
    await asyncio.sleep(0)
