"""Send commands from Kafka to the simulator's Graph API: exact JSON, statuses back, limits, error classes."""

import asyncio
import json
from datetime import datetime
from typing import Any

import pytest

from atende.whatsapp.v1.whatsapp_pb2 import (
    Button,
    DeliveryStatus,
    ListMessage,
    ListRow,
    ListSection,
    MarkRead,
    Media,
    Reaction,
    ReplyButtons,
    SendMessage,
    Template,
    TemplateButton,
    TemplateParameter,
    Text,
)
from atende_core.bus import topics
from atende_core.ids import conversation_id, conversation_id_key
from atende_core.settings import ServiceSettings
from atende_testing import wait_until
from atende_whatsapp_connector.adapters.graph import GraphClient
from atende_whatsapp_connector.adapters.media import MediaClient
from atende_whatsapp_connector.cli import default_templates_dir, load_definitions

pytestmark = pytest.mark.integration

PNID = "106540352242922"
CUSTOMER = "5511987654321"
KEY = conversation_id_key(ServiceSettings())
CONVERSATION = conversation_id(phone_number_id=PNID, wa_id=CUSTOMER, key=KEY)
S = DeliveryStatus
TEXT = TemplateParameter.KIND_TEXT


@pytest.fixture
def sim_overrides() -> dict[str, Any]:
    # Media links are sent as given (nobody serves them in this test).
    return {"whatsapp_sim_fetch_media_links": False}


def cmd(command_id: str, to: str = CUSTOMER, **content: Any) -> SendMessage:
    return SendMessage(
        command_id=command_id,
        conversation_id=conversation_id(phone_number_id=PNID, wa_id=to, key=KEY),
        phone_number_id=PNID,
        to=to,
        **content,
    )


async def seed_templates(stack: Any) -> None:
    for definition in load_definitions(default_templates_dir()):
        response = await stack.sim.post("/_sim/templates", json={**definition.create_body(), "status": "APPROVED"})
        response.raise_for_status()


async def upload_pdf(stack: Any) -> str:
    graph = GraphClient(base_url=stack.settings.graph_base_url, access_token=stack.settings.whatsapp_access_token)
    try:
        return await MediaClient(graph).upload(
            PNID, b"%PDF-1.4\n%%EOF\n", mime_type="application/pdf", filename="boleto.pdf"
        )
    finally:
        await graph.aclose()


async def sends(stack: Any, count: int) -> list[dict[str, Any]]:
    return await wait_until(lambda: _sends(stack, count), timeout=30)


async def _sends(stack: Any, count: int) -> list[dict[str, Any]] | None:
    found = [r for r in await stack.requests() if r["path"].endswith("/messages")]
    return found if len(found) >= count else None


async def test_every_outbound_type_is_sent_as_the_exact_graph_json(stack: Any) -> None:
    inbound = await stack.inject(**{"from": CUSTOMER, "text": "oi"})  # opens the 24-hour window
    await seed_templates(stack)
    pdf_id = await upload_pdf(stack)
    boleto = Template(
        name="boleto_segunda_via",
        header=[
            TemplateParameter(
                kind=TemplateParameter.KIND_DOCUMENT, media=Media(media_id=pdf_id, filename="boleto-04-2026.pdf")
            )
        ],
        body=[
            TemplateParameter(kind=TEXT, text="Maria"),
            TemplateParameter(kind=TEXT, text="10/04/2026"),
            TemplateParameter(kind=TEXT, text="99,90"),
        ],
        buttons=[
            TemplateButton(
                sub_type="quick_reply",
                index=0,
                parameters=[TemplateParameter(kind=TemplateParameter.KIND_PAYLOAD, text="PAGO:42")],
            )
        ],
    )
    commands_and_bodies: list[tuple[SendMessage, dict[str, Any]]] = [
        (
            cmd("c-read", mark_read=MarkRead(message_id=inbound["wamid"], typing_indicator=True)),
            {
                "messaging_product": "whatsapp",
                "status": "read",
                "message_id": inbound["wamid"],
                "typing_indicator": {"type": "text"},
            },
        ),
        (
            cmd(
                "c-text",
                text=Text(body="Segue o link: https://atende.example/2via", preview_url=True),
                reply_to_message_id=inbound["wamid"],
            ),
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "+5511987654321",
                "type": "text",
                "text": {"body": "Segue o link: https://atende.example/2via", "preview_url": True},
                "context": {"message_id": inbound["wamid"]},
            },
        ),
        (
            cmd("c-doc-id", document=Media(media_id=pdf_id, filename="boleto.pdf", caption="Seu boleto")),
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "+5511987654321",
                "type": "document",
                "document": {"id": pdf_id, "caption": "Seu boleto", "filename": "boleto.pdf"},
            },
        ),
        (
            cmd("c-doc-link", document=Media(link="https://files.example/b.pdf", filename="b.pdf")),
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "+5511987654321",
                "type": "document",
                "document": {"link": "https://files.example/b.pdf", "filename": "b.pdf"},
            },
        ),
        (
            cmd("c-image", image=Media(link="https://files.example/modem.png", caption="Seu modem")),
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "+5511987654321",
                "type": "image",
                "image": {"link": "https://files.example/modem.png", "caption": "Seu modem"},
            },
        ),
        (
            cmd("c-template", template=boleto, biz_opaque_callback_data="boleto-42"),
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "+5511987654321",
                "type": "template",
                "biz_opaque_callback_data": "boleto-42",
                "template": {
                    "name": "boleto_segunda_via",
                    "language": {"code": "pt_BR"},
                    "components": [
                        {
                            "type": "header",
                            "parameters": [
                                {"type": "document", "document": {"id": pdf_id, "filename": "boleto-04-2026.pdf"}}
                            ],
                        },
                        {
                            "type": "body",
                            "parameters": [
                                {"type": "text", "text": "Maria"},
                                {"type": "text", "text": "10/04/2026"},
                                {"type": "text", "text": "99,90"},
                            ],
                        },
                        {
                            "type": "button",
                            "sub_type": "quick_reply",
                            "index": "0",
                            "parameters": [{"type": "payload", "payload": "PAGO:42"}],
                        },
                    ],
                },
            },
        ),
        (
            cmd(
                "c-buttons",
                buttons=ReplyButtons(
                    header="Fatura",
                    body="Posso ajudar em algo mais?",
                    footer="Atende",
                    buttons=[Button(id="sim", title="Sim"), Button(id="nao", title="Não")],
                ),
            ),
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "+5511987654321",
                "type": "interactive",
                "interactive": {
                    "type": "button",
                    "header": {"type": "text", "text": "Fatura"},
                    "body": {"text": "Posso ajudar em algo mais?"},
                    "footer": {"text": "Atende"},
                    "action": {
                        "buttons": [
                            {"type": "reply", "reply": {"id": "sim", "title": "Sim"}},
                            {"type": "reply", "reply": {"id": "nao", "title": "Não"}},
                        ]
                    },
                },
            },
        ),
        (
            cmd(
                "c-list",
                list=ListMessage(
                    body="Escolha o contrato",
                    button="Contratos",
                    sections=[
                        ListSection(
                            title="Ativos",
                            rows=[
                                ListRow(id="ct-1", title="Fibra 300", description="Rua A, 10"),
                                ListRow(id="ct-2", title="Fibra 500"),
                            ],
                        )
                    ],
                ),
            ),
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "+5511987654321",
                "type": "interactive",
                "interactive": {
                    "type": "list",
                    "body": {"text": "Escolha o contrato"},
                    "action": {
                        "button": "Contratos",
                        "sections": [
                            {
                                "title": "Ativos",
                                "rows": [
                                    {"id": "ct-1", "title": "Fibra 300", "description": "Rua A, 10"},
                                    {"id": "ct-2", "title": "Fibra 500"},
                                ],
                            }
                        ],
                    },
                },
            },
        ),
        (
            cmd("c-reaction", reaction=Reaction(message_id=inbound["wamid"], emoji="👍")),
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "+5511987654321",
                "type": "reaction",
                "reaction": {"message_id": inbound["wamid"], "emoji": "👍"},
            },
        ),
    ]
    for command, _ in commands_and_bodies:
        await stack.send(command)
    recorded = await sends(stack, len(commands_and_bodies))
    # One conversation, one partition: sent in command order, each body exactly as the reference shows.
    assert [r["body"] for r in recorded] == [body for _, body in commands_and_bodies]
    assert all(r["status_code"] == 200 for r in recorded), [r["response"] for r in recorded]
    # ACCEPTED with the wamid for every message (mark-as-read has none), keyed by the conversation.
    for (command, _), record in zip(commands_and_bodies[1:], recorded[1:], strict=True):
        accepted = (await stack.statuses_of(command.command_id))[0]
        assert (accepted.status, accepted.message_id) == (S.DELIVERY_STATUS_ACCEPTED, record["wamid"])
        assert accepted.conversation_id == CONVERSATION
    # Meta's status webhooks come back through the gateway and are mapped to the command.
    text_statuses = await stack.statuses_of("c-text", 4)
    assert [s.status for s in text_statuses] == [
        S.DELIVERY_STATUS_ACCEPTED,
        S.DELIVERY_STATUS_SENT,
        S.DELIVERY_STATUS_DELIVERED,
        S.DELIVERY_STATUS_READ,
    ]
    assert {s.conversation_id for s in text_statuses} == {CONVERSATION}
    assert (await stack.statuses_of("c-template", 2))[1].biz_opaque_callback_data == "boleto-42"


async def test_a_command_delivered_twice_is_sent_once(stack: Any) -> None:
    await stack.inject(**{"from": CUSTOMER, "text": "oi"})
    command = cmd("c-once", text=Text(body="Só uma vez"))
    for _ in range(3):
        await stack.send(command)
    await stack.send(cmd("c-after", text=Text(body="depois")))
    await stack.statuses_of("c-after")
    bodies = [r["body"].get("text", {}).get("body") for r in await stack.requests()]
    assert bodies.count("Só uma vez") == 1


async def test_limit_violations_fail_before_any_graph_call(stack: Any) -> None:
    bad = [
        cmd("bad-buttons", buttons=ReplyButtons(body="b", buttons=[Button(id=str(i), title=str(i)) for i in range(4)])),
        cmd("bad-title", buttons=ReplyButtons(body="b", buttons=[Button(id="1", title="Um título longo demais aqui")])),
        cmd(
            "bad-rows",
            list=ListMessage(
                body="b",
                button="Ver",
                sections=[ListSection(title="S", rows=[ListRow(id=str(i), title="t") for i in range(11)])],
            ),
        ),
        cmd(
            "bad-desc",
            list=ListMessage(
                body="b", button="Ver", sections=[ListSection(rows=[ListRow(id="1", title="t", description="d" * 73)])]
            ),
        ),
        cmd("bad-body", text=Text(body="x" * 4097)),
    ]
    for command in bad:
        await stack.send(command)
    for command in bad:
        [failed] = await stack.statuses_of(command.command_id)
        assert failed.status == S.DELIVERY_STATUS_FAILED
        assert failed.errors[0].code == 131009
        assert failed.errors[0].details
    assert [r for r in await stack.requests() if r["path"].endswith("/messages")] == []


async def fault(stack: Any, mode: str, count: int | None = None) -> None:
    body: dict[str, Any] = {"mode": mode}
    if count is not None:
        body["count"] = count
    (await stack.sim.post("/_sim/faults", json=body)).raise_for_status()


async def test_throttling_pair_rate_and_server_errors_are_retried(stack: Any) -> None:
    await stack.inject(**{"from": CUSTOMER, "text": "oi"})
    for mode, command_id in (("throttle", "c-throttle"), ("pair_rate", "c-pair"), ("server_error", "c-5xx")):
        await fault(stack, mode, count=2)
        await stack.send(cmd(command_id, text=Text(body=command_id)))
        accepted = (await stack.statuses_of(command_id))[0]
        assert accepted.status == S.DELIVERY_STATUS_ACCEPTED
    calls = [r for r in await stack.requests() if r["path"].endswith("/messages")]
    assert [r["status_code"] for r in calls] == [429, 429, 200, 429, 429, 200, 500, 500, 200]
    assert [r["response"].get("error", {}).get("code") for r in calls if r["status_code"] != 200] == [
        130429,
        130429,
        131056,
        131056,
        131000,
        131000,
    ]


async def test_permanent_errors_become_failed_statuses(stack: Any) -> None:
    await stack.inject(**{"from": CUSTOMER, "text": "oi"})
    await stack.send(cmd("c-missing-template", template=Template(name="nao_existe")))
    [failed] = await stack.statuses_of("c-missing-template")
    assert (failed.status, failed.errors[0].code) == (S.DELIVERY_STATUS_FAILED, 132001)
    # Undeliverable is reported asynchronously, like Meta: accepted, then a failed status webhook.
    await fault(stack, "undeliverable", count=1)
    await stack.send(cmd("c-undeliverable", text=Text(body="oi")))
    statuses = await stack.statuses_of("c-undeliverable", 2)
    assert [s.status for s in statuses] == [S.DELIVERY_STATUS_ACCEPTED, S.DELIVERY_STATUS_FAILED]
    assert statuses[1].errors[0].code == 131026
    assert len([r for r in await stack.requests() if r["path"].endswith("/messages")]) == 2


async def test_an_expired_token_raises_the_alert_metric_and_dead_letters(stack: Any, make_bus: Any) -> None:
    dead: list[Any] = []

    async def on_dead(event: Any, envelope: Any) -> None:
        dead.append(event)

    reader = make_bus("dlq-reader")
    reader.subscribe(topics.WHATSAPP_OUTBOUND + ".dlq", on_dead, group="dlq-reader", idempotent=False)
    await reader.start()
    await fault(stack, "expired_token")
    await stack.send(cmd("c-token", text=Text(body="oi")))
    [failed] = await stack.statuses_of("c-token")
    assert failed.errors[0].code == 190
    assert (await wait_until(lambda: dead, timeout=30))[0].command_id == "c-token"
    metrics = (await stack.connector.get("/metrics")).text
    assert "atende_whatsapp_token_valid 0.0" in metrics
    assert "atende_whatsapp_token_errors_total" in metrics


async def test_closed_window_falls_back_to_the_template_async_and_sync(stack: Any) -> None:
    await seed_templates(stack)
    fallback = Template(
        name="pesquisa_satisfacao",
        body=[TemplateParameter(kind=TEXT, text="Maria"), TemplateParameter(kind=TEXT, text="123")],
    )
    # Meta's usual way: accepted, then a `failed` 131047 status webhook.
    await stack.send(cmd("c-async", text=Text(body="Oi de novo"), fallback_template=fallback))
    statuses = await stack.statuses_of("c-async", 2)
    assert [(s.status, [e.code for e in s.errors]) for s in statuses] == [
        (S.DELIVERY_STATUS_ACCEPTED, []),
        (S.DELIVERY_STATUS_FAILED, [131047]),
    ]
    accepted = (await stack.statuses_of("c-async:reengagement"))[0]
    assert accepted.status == S.DELIVERY_STATUS_ACCEPTED
    # The synchronous variant: HTTP 400 on the send.
    (await stack.sim.patch("/_sim/config", json={"window_mode": "sync"})).raise_for_status()
    await stack.send(cmd("c-sync", text=Text(body="Oi de novo"), fallback_template=fallback))
    [failed] = await stack.statuses_of("c-sync")
    assert failed.errors[0].code == 131047
    await stack.statuses_of("c-sync:reengagement")
    templates = [r["body"]["template"]["name"] for r in await stack.requests("template")]
    assert templates == ["pesquisa_satisfacao", "pesquisa_satisfacao"]


class TestThroughput:
    @pytest.fixture
    def connector_overrides(self) -> dict[str, Any]:
        return {"whatsapp_send_rate_per_second": 20.0}

    @pytest.fixture
    def sim_overrides(self) -> dict[str, Any]:
        return {"whatsapp_sim_window_mode": "off"}

    async def test_sends_never_exceed_the_configured_rate(self, stack: Any) -> None:
        customers = [f"55119{n:08d}" for n in range(40)]
        for n, to in enumerate(customers):
            await stack.send(cmd(f"rate-{n}", to=to, text=Text(body="aviso")))
        recorded = await wait_until(lambda: _sends(stack, 40), timeout=60)
        times = sorted(datetime.fromisoformat(r["at"]).timestamp() for r in recorded)
        assert all(r["status_code"] == 200 for r in recorded)
        assert max_in_window(times, 1.0) <= 20 + 1
        # 40 sends at 20/s take at least (40 - 1) / 20 s however fast WhatsApp answers.
        assert times[-1] - times[0] >= 39 / 20 - 0.1
        metrics = (await stack.connector.get("/metrics")).text
        assert "atende_whatsapp_send_limiter_wait_seconds_count" in metrics


def max_in_window(times: list[float], window: float) -> int:
    """The most events inside any window of `window` seconds."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_templates_sync_creates_what_is_missing_and_reports_statuses(stack: Any, monkeypatch: Any) -> None:
    from typer.testing import CliRunner

    from atende_whatsapp_connector.cli import app

    env = {
        "WHATSAPP_API_BASE_URL": stack.settings.whatsapp_api_base_url,
        "WHATSAPP_ACCESS_TOKEN": stack.settings.whatsapp_access_token.get_secret_value(),
        "WHATSAPP_BUSINESS_ACCOUNT_ID": stack.settings.whatsapp_business_account_id,
    }
    runner = CliRunner()
    first = await asyncio.to_thread(runner.invoke, app, ["sync"], env=env)
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert len(lines) == 4
    assert all(" created " in line and line.endswith("APPROVED") for line in lines), first.output
    created = [r["body"] for r in await stack.requests() if r["method"] == "POST" and "message_templates" in r["path"]]
    assert {b["name"] for b in created} == {
        "boleto_segunda_via",
        "promessa_pagamento",
        "confirmacao_agendamento",
        "pesquisa_satisfacao",
    }
    assert created[0] == json.loads((default_templates_dir() / f"{created[0]['name']}.json").read_text())
    second = await asyncio.to_thread(runner.invoke, app, ["sync"], env=env)
    assert all(" exists " in line for line in second.output.splitlines()), second.output
    listed = await asyncio.to_thread(runner.invoke, app, ["list"], env=env)
    assert "boleto_segunda_via" in listed.output
    assert "UTILITY" in listed.output
