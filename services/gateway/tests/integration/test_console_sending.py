"""What an agent sends besides text, on real Kafka and Redis in the real gateway app, with the real
WhatsApp connector and the WhatsApp simulator behind it: approved templates (also after the 24-hour
window), attachments sniffed and uploaded through the connector, the window's 409 on text replies,
canned answers; hostile uploads refused with a clear 4xx."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from atende.audit.v1.audit_pb2 import AuditEntryRecorded
from atende.conversation.v1 import conversation_pb2 as conv
from atende.whatsapp.v1 import whatsapp_pb2 as wa
from atende_core.bus import Bus, Envelope, topics
from atende_core.identity import Role
from atende_core.ids import conversation_id, conversation_id_key
from atende_core.settings import ServiceSettings
from atende_gateway import metrics
from atende_gateway.app import create_app
from atende_gateway.settings import GatewaySettings
from atende_sim_whatsapp.app import create_app as create_sim
from atende_sim_whatsapp.settings import SimSettings
from atende_testing import INTERNAL_TOKEN, free_port, running_server, wait_until
from atende_testing.tokens import TokenIssuer
from atende_whatsapp_connector.app import create_app as create_connector
from atende_whatsapp_connector.settings import ConnectorSettings

pytestmark = pytest.mark.integration

PNID = "106540352242922"
WA_ID = "5511987650001"
CID = conversation_id(phone_number_id=PNID, wa_id=WA_ID, key=conversation_id_key(ServiceSettings()))
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
CAP = 64 * 1024


def _stamp(at: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromMicroseconds(int(at * 1e6))
    return stamp


@pytest.fixture
async def world(
    kafka_bootstrap_servers: str, redis_url: str, topic_prefix: str, make_bus: Callable[..., Bus]
) -> AsyncIterator[dict[str, Any]]:
    """The WhatsApp simulator (sample templates) and the real connector in front of it."""
    sim_port = free_port()
    sim = SimSettings(whatsapp_sim_port=sim_port, whatsapp_sim_sample_templates=True)
    connector = ConnectorSettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        redis_url=redis_url,
        whatsapp_api_base_url=f"http://127.0.0.1:{sim_port}",
        internal_api_token=INTERNAL_TOKEN,
        bus_retry_backoff_seconds=0.05,
    )
    async with (
        running_server(create_sim(sim), port=sim_port) as sim_url,
        running_server(create_connector(connector)) as connector_url,
        httpx.AsyncClient(base_url=sim_url) as sim_client,
    ):
        yield {"sim": sim_client, "connector_url": connector_url}


async def test_templates_attachments_and_the_window(
    kafka_bootstrap_servers: str,
    redis_url: str,
    topic_prefix: str,
    make_bus: Callable[..., Bus],
    token_issuer: TokenIssuer,
    world: dict[str, Any],
) -> None:
    def headers(user: str = "ana", role: Role = Role.AGENT, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_issuer.mint(user, role)}", **extra}

    commands: list[wa.SendMessage] = []
    audit: list[AuditEntryRecorded] = []

    async def on_command(event: wa.SendMessage, _: Envelope) -> None:
        commands.append(event)

    async def on_audit(event: AuditEntryRecorded, _: Envelope) -> None:
        audit.append(event)

    bus = make_bus("conversation-stand-in")
    bus.subscribe(topics.WHATSAPP_OUTBOUND, on_command, group="probe-outbound", idempotent=False)
    bus.subscribe(topics.AUDIT_EVENTS, on_audit, group="probe-audit", idempotent=False)
    await bus.start(publishes_to=[topics.CONVERSATION_EVENTS, topics.CONVERSATION_INBOUND])
    settings = GatewaySettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        redis_url=redis_url,
        auth_url=token_issuer.auth_url,
        whatsapp_connector_url=world["connector_url"],
        internal_api_token=INTERNAL_TOKEN,
        console_attachment_max_bytes=CAP,
    )
    async with running_server(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as client:
        handoff = conv.HandoffRequested(conversation_id=CID, reason="customer_asked", customer_name="Maria",
                                        phone_number_id=PNID, wa_id=WA_ID)  # fmt: skip
        await bus.publish(topics.CONVERSATION_EVENTS, handoff, key=CID)
        # The customer wrote 25 hours (90,000 s) ago: WhatsApp's window is closed.
        old = conv.InboundMessage(conversation_id=CID, message_id="wamid.old", wa_id=WA_ID, phone_number_id=PNID,
                                  sent_at=_stamp(time.time() - 90_000), text=conv.TextContent(body="oi"))  # fmt: skip
        await bus.publish(topics.CONVERSATION_INBOUND, old, key=CID)

        async def detail() -> dict[str, Any]:
            return dict((await client.get(f"/operator/conversations/{CID}", headers=headers())).json())

        await wait_until(lambda: _has_turn(detail, "oi"), timeout=30)
        closed = await detail()
        assert closed["window_open"] is False
        assert closed["window_closes_at"] == pytest.approx(closed["last_customer_at"] + 24 * 3600)

        # Templates: approved and fillable only; every role may list them.
        listed = await client.get("/operator/templates", headers=headers("vera", Role.VIEWER))
        assert listed.status_code == 200
        templates = {t["name"]: t for t in listed.json()["items"]}
        assert set(templates) == {"hello_world", "lembrete_contato", "retomar_atendimento", "visita_tecnica_agendada"}
        assert templates["retomar_atendimento"]["parameters"] == 2

        send = {"name": "retomar_atendimento", "language": "pt_BR", "parameters": ["Maria", "Ana"]}
        template_url = f"/operator/conversations/{CID}/template"
        assert (await client.post(template_url, json=send, headers=headers())).status_code == 409  # not claimed
        assert (await client.post(f"/operator/handoffs/{CID}/claim", headers=headers())).status_code == 200
        reply = await client.post(f"/operator/handoffs/{CID}/reply", json={"text": "Oi"}, headers=headers())
        assert reply.status_code == 409
        assert "template" in reply.json()["detail"]
        assert (await client.post(template_url, json=send, headers=headers("bia"))).status_code == 409
        assert (await client.post(template_url, json=send, headers=headers("vera", Role.VIEWER))).status_code == 403
        for wrong in (
            {**send, "parameters": ["Maria"]},
            {**send, "name": "manutencao_programada"},  # pending
            {**send, "name": "oferta_upgrade_plano"},  # rejected
            {**send, "parameters": ["Maria", "linha\nquebrada"]},
            {**send, "name": "../../etc"},
        ):
            assert (await client.post(template_url, json=wrong, headers=headers())).status_code == 422, wrong
        first = await client.post(template_url, json=send, headers=headers(**{"Idempotency-Key": "t-1"}))
        again = await client.post(template_url, json=send, headers=headers(**{"Idempotency-Key": "t-1"}))
        assert first.status_code == again.status_code == 202
        assert first.json() == again.json()
        template_id = first.json()["command_id"]

        # Attachments: refused while the window is closed, then open it with a new customer message.
        attach_url = f"/operator/conversations/{CID}/attachments"
        pdf = {"file": ("fatura dezembro.pdf", PDF, "application/pdf")}
        assert (await client.post(attach_url, files=pdf, headers=headers())).status_code == 409
        new = conv.InboundMessage(conversation_id=CID, message_id="wamid.new", wa_id=WA_ID, phone_number_id=PNID,
                                  sent_at=_stamp(time.time()), text=conv.TextContent(body="voltei"))  # fmt: skip
        await bus.publish(topics.CONVERSATION_INBOUND, new, key=CID)
        await wait_until(lambda: _has_turn(detail, "voltei"), timeout=30)
        assert (await detail())["window_open"] is True

        sent = await client.post(
            attach_url, files=pdf, data={"caption": "Segue a fatura"}, headers=headers(**{"Idempotency-Key": "a-1"})
        )
        assert sent.status_code == 202, sent.text
        document_id = sent.json()["command_id"]
        retried = await client.post(
            attach_url, files=pdf, data={"caption": "Segue a fatura"}, headers=headers(**{"Idempotency-Key": "a-1"})
        )
        assert retried.json() == sent.json()  # the same command, and the first upload reused
        image = await client.post(attach_url, files={"file": ("foto.png", PNG, "image/png")}, headers=headers())
        assert image.status_code == 202
        refused_before = _refusals()

        # Hostile uploads: too big (refused before reading), a program named .pdf, no file, no length, a viewer.
        huge = {"file": ("grande.pdf", PDF + bytes(CAP + 32 * 1024), "application/pdf")}
        assert (await client.post(attach_url, files=huge, headers=headers())).status_code == 413
        just_over = {"file": ("grande.pdf", PDF + bytes(CAP), "application/pdf")}
        assert (await client.post(attach_url, files=just_over, headers=headers())).status_code == 413
        disguised = {"file": ("fatura.pdf", b"MZ\x90\x00\x03" + bytes(100), "application/pdf")}
        assert (await client.post(attach_url, files=disguised, headers=headers())).status_code == 415
        assert (await client.post(attach_url, files={"file": ("vazio.pdf", b"", "application/pdf")},
                                  headers=headers())).status_code == 422  # fmt: skip
        assert (await client.post(attach_url, data={"caption": "sem arquivo"}, headers=headers())).status_code == 422
        assert (await client.post(attach_url, content=b"not a form", headers=headers())).status_code == 422

        async def chunks() -> AsyncIterator[bytes]:
            yield PDF

        no_length = await client.post(
            attach_url, content=chunks(), headers=headers(**{"Content-Type": "application/pdf"})
        )
        assert no_length.status_code == 411
        viewer = await client.post(attach_url, files=pdf, headers=headers("vera", Role.VIEWER))
        assert viewer.status_code == 403

        refused = {reason: n - refused_before.get(reason, 0) for reason, n in _refusals().items()}
        assert refused["too_large"] == 2
        assert refused["type"] == 1
        assert refused["empty"] == 1
        assert refused["malformed"] == 2
        assert refused["no_length"] == 1

        # What went out: a template with its texts, a document and an image by the media ids WhatsApp gave.
        await wait_until(lambda: len({c.command_id for c in commands}) >= 3, timeout=30)
        by_id = {c.command_id: c for c in commands}
        template = by_id[template_id].template
        assert (template.name, template.language, [p.text for p in template.body]) == (
            "retomar_atendimento", "pt_BR", ["Maria", "Ana"])  # fmt: skip
        document = by_id[document_id].document
        assert (document.filename, document.caption) == ("fatura dezembro.pdf", "Segue a fatura")
        uploads = (await world["sim"].get("/_sim/requests", params={"kind": "media_upload"})).json()["requests"]
        assert document.media_id in {u["response"]["id"] for u in uploads}
        assert sorted(u["body"]["type"] for u in uploads) == ["application/pdf", "image/png"]

        # The board shows them as the agent's turns.
        async def turns() -> dict[str, dict[str, Any]] | None:
            found = {t["command_id"]: t for t in (await detail())["turns"] if t.get("command_id")}
            return found if {template_id, document_id} <= set(found) else None

        shown = await wait_until(turns, timeout=30) or {}
        assert shown[template_id]["kind"] == "template"
        assert shown[template_id]["role"] == "agent"
        assert shown[document_id]["kind"] == "document"
        assert shown[document_id]["media"]["media_id"] == document.media_id

        # Audited once per Idempotency-Key.
        await wait_until(lambda: {"conversation.template", "conversation.attachment"} <= {e.action for e in audit},
                         timeout=30)  # fmt: skip
        assert len({e.entry_id for e in audit if e.action == "conversation.template"}) == 1

        # The simulator received the template send (allowed outside the window) from the connector.
        async def template_sent() -> bool:
            calls = (await world["sim"].get("/_sim/requests", params={"kind": "template"})).json()["requests"]
            return any(c["body"]["template"]["name"] == "retomar_atendimento" for c in calls)

        await wait_until(template_sent, timeout=30)
    await bus.stop()


def _refusals() -> dict[str, float]:
    """atende_gateway_console_sends_total of attachments, by outcome (the gateway runs in this process)."""
    return {
        sample.labels["outcome"]: sample.value
        for metric in metrics.CONSOLE_SENDS.collect()
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels["kind"] == "attachment"
    }


async def _has_turn(detail: Callable[[], Any], text: str) -> bool:
    body = await detail()
    return any(t["text"] == text for t in body.get("turns", []))


async def test_canned_answers_and_an_unreachable_connector(gateway: Any, token_issuer: TokenIssuer) -> None:
    viewer = {"Authorization": f"Bearer {token_issuer.mint('vera', Role.VIEWER)}"}
    async with gateway(whatsapp_connector_url=f"http://127.0.0.1:{free_port()}") as client:
        canned = await client.get("/operator/canned-answers", headers=viewer)
        templates = await client.get("/operator/templates", headers=viewer)
        assert (await client.get("/operator/canned-answers")).status_code == 401

    items = canned.json()["items"]
    assert canned.status_code == 200
    assert 10 <= len(items) <= 15
    assert {"horario", "segunda_via", "promessa", "visita_tecnica"} <= {i["id"] for i in items}
    assert any("{nome}" in i["text"] for i in items)
    assert templates.status_code == 503
    assert templates.headers["Retry-After"] == "5"
