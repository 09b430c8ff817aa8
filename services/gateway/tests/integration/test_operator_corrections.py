"""Agents correct the NLU through the operator API: IntentCorrected on real Kafka's `nlu.feedback`,
once for a retried Idempotency-Key, with an audit entry; viewers, unknown labels and conversations
outside the inbox are refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from atende.audit.v1.audit_pb2 import AuditEntryRecorded
from atende.conversation.v1 import conversation_pb2 as conv
from atende.nlu.v1 import nlu_pb2 as nlu
from atende_core.bus import Bus, Envelope, topics
from atende_core.identity import Role
from atende_core.ids import conversation_id, conversation_id_key
from atende_core.settings import ServiceSettings
from atende_testing import wait_until
from atende_testing.tokens import TokenIssuer

from .conftest import GatewayFactory

pytestmark = pytest.mark.integration

PNID = "106540352242922"
WA_ID = "5511900000077"
CID = conversation_id(phone_number_id=PNID, wa_id=WA_ID, key=conversation_id_key(ServiceSettings()))


async def test_a_correction_reaches_nlu_feedback_once_per_idempotency_key(
    gateway: GatewayFactory, make_bus: Callable[..., Bus], token_issuer: TokenIssuer
) -> None:
    feedback: list[tuple[nlu.IntentCorrected, Envelope]] = []
    audit: list[AuditEntryRecorded] = []

    async def on_feedback(event: nlu.IntentCorrected, envelope: Envelope) -> None:
        feedback.append((event, envelope))

    async def on_audit(event: AuditEntryRecorded, _: Envelope) -> None:
        if event.action == "nlu.correction":
            audit.append(event)

    world = make_bus("nlu-stand-in")
    world.subscribe(topics.NLU_FEEDBACK, on_feedback, group="probe-feedback", idempotent=False)
    world.subscribe(topics.AUDIT_EVENTS, on_audit, group="probe-audit", idempotent=False)
    await world.start(publishes_to=[topics.CONVERSATION_EVENTS, topics.CONVERSATION_INBOUND])
    agent = {"Authorization": f"Bearer {token_issuer.mint('ana', Role.AGENT)}"}
    viewer = {"Authorization": f"Bearer {token_issuer.mint('vera', Role.VIEWER)}"}
    url = f"/operator/handoffs/{CID}/corrections"
    body = {"text": "a net caiu de novo", "intent": "sem_conexao", "wrong_intent": "conexao_lenta"}
    async with gateway() as client:
        # Not (yet) in the inbox: 404, and nothing is published.
        assert (await client.post(url, json=body, headers=agent)).status_code == 404
        await world.publish(
            topics.CONVERSATION_EVENTS,
            conv.HandoffRequested(
                conversation_id=CID,
                reason="customer_asked",
                customer_name="Maria",
                last_message="quero falar com alguém",
                phone_number_id=PNID,
                wa_id=WA_ID,
            ),
            key=CID,
        )
        text = conv.TextContent(body="tá lento")
        inbound = conv.InboundMessage(conversation_id=CID, message_id="wamid.c1", text=text)
        await world.publish(topics.CONVERSATION_INBOUND, inbound, key=CID)

        async def lines() -> list[dict[str, object]] | None:
            answer = await client.get(f"/operator/handoffs/{CID}", headers=viewer)
            found = answer.json().get("lines", []) if answer.status_code == 200 else []
            return found if any(line["text"] == "tá lento" for line in found) else None

        entry_lines = await wait_until(lines, timeout=30) or []

        assert (await client.post(url, json=body, headers=viewer)).status_code == 403
        for wrong in (
            {**body, "intent": "pizza"},
            {**body, "wrong_intent": "pizza"},
            {"intent": "sem_conexao"},
            {"text": "x", "line": 0, "intent": "sem_conexao"},
            {**body, "extra": "field"},
            {"line": 999, "intent": "sem_conexao"},
        ):
            response = await client.post(url, json=wrong, headers=agent)
            assert response.status_code == 422, (wrong, response.text)

        retried = {**agent, "Idempotency-Key": "click-1"}
        first = await client.post(url, json=body, headers=retried)
        again = await client.post(url, json=body, headers=retried)
        assert first.status_code == again.status_code == 202
        assert first.json()["event_id"] == again.json()["event_id"]
        index = next(i for i, line in enumerate(entry_lines) if line["text"] == "tá lento")
        by_line = await client.post(
            url, json={"line": index, "intent": "conexao_lenta"}, headers={**agent, "Idempotency-Key": "click-2"}
        )
        assert by_line.status_code == 202

        # The bus delivers both publishes of the retried click with one event id: one correction.
        await wait_until(lambda: len({env.id for _, env in feedback}) >= 2 and len(audit) >= 3, timeout=30)
    corrections = {env.id: (event, env) for event, env in feedback}
    assert len(corrections) == 2
    event, envelope = corrections[first.json()["event_id"]]
    assert envelope.key == CID
    assert (event.conversation_id, event.text, event.corrected_intent, event.predicted_intent, event.agent_id) == (
        CID,
        body["text"],
        "sem_conexao",
        "conexao_lenta",
        "ana",
    )
    line_event, _ = corrections[by_line.json()["event_id"]]
    assert (line_event.text, line_event.corrected_intent, line_event.predicted_intent) == (
        "tá lento",
        "conexao_lenta",
        "",
    )
    assert {e.actor_id for e in audit} == {"ana"}
    assert all(e.target == CID for e in audit)
    assert len({e.entry_id for e in audit}) == 2  # the retried click is one audited action


async def test_any_customer_turn_on_the_board_can_be_corrected(
    gateway: GatewayFactory, make_bus: Callable[..., Bus], token_issuer: TokenIssuer
) -> None:
    feedback: list[nlu.IntentCorrected] = []

    async def on_feedback(event: nlu.IntentCorrected, _: Envelope) -> None:
        feedback.append(event)

    world = make_bus("nlu-stand-in")
    world.subscribe(topics.NLU_FEEDBACK, on_feedback, group="probe-board-feedback", idempotent=False)
    await world.start(publishes_to=[topics.CONVERSATION_EVENTS, topics.CONVERSATION_INBOUND, topics.NLU_RESULTS])
    agent = {"Authorization": f"Bearer {token_issuer.mint('ana', Role.AGENT)}"}
    viewer = {"Authorization": f"Bearer {token_issuer.mint('vera', Role.VIEWER)}"}
    cid = f"{CID}-bot"
    url = f"/operator/conversations/{cid}/corrections"
    async with gateway() as client:
        # A conversation still with the bot (no handoff): its customer's turn and the NLU's reading of it.
        await world.publish(topics.CONVERSATION_EVENTS, conv.ConversationStarted(conversation_id=cid), key=cid)
        words = conv.TextContent(body="meu cpf 529.982.247-25, quero o boleto")
        await world.publish(
            topics.CONVERSATION_INBOUND,
            conv.InboundMessage(conversation_id=cid, message_id="wamid.b1", text=words),
            key=cid,
        )
        reading = nlu.TextAnalyzed(conversation_id=cid, message_id="wamid.b1", intent="saudacao", confidence=0.4)
        await world.publish(topics.NLU_RESULTS, reading, key=cid)

        async def turn() -> dict[str, object] | None:
            answer = await client.get(f"/operator/conversations/{cid}", headers=viewer)
            turns = answer.json().get("turns", []) if answer.status_code == 200 else []
            return next((t for t in turns if t["id"] == "wamid.b1" and t["intent"]), None)

        assert await wait_until(turn, timeout=30)
        body = {"turn_id": "wamid.b1", "intent": "segunda_via"}
        assert (await client.post(url, json=body, headers=viewer)).status_code == 403
        assert (await client.post(url, json={**body, "turn_id": "wamid.nope"}, headers=agent)).status_code == 404
        assert (await client.post(url, json={**body, "intent": "pizza"}, headers=agent)).status_code == 422
        accepted = await client.post(url, json=body, headers={**agent, "Idempotency-Key": "k1"})
        assert accepted.status_code == 202, accepted.text

        corrected = await turn()
        assert corrected is not None
        assert (corrected["intent"], corrected["corrected_intent"], corrected["corrected_by"]) == (
            "saudacao",
            "segunda_via",
            "ana",
        )
        await wait_until(lambda: feedback, timeout=30)
    (event,) = feedback
    assert (event.conversation_id, event.predicted_intent, event.corrected_intent) == (cid, "saudacao", "segunda_via")
    assert "boleto" in event.text
    assert "529.982.247-25" not in event.text  # training gets the masked words
