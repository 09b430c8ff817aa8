"""Redelivered webhooks and a conversation service killed mid-flow: no lost message, no duplicate reply."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

MARIA = "123.456.789-09"


def _duplicates(messages: list[Any]) -> list[str]:
    """Replies sent more than once (the same body to the same customer)."""
    counts = Counter(repr(m.body) for m in messages)
    return [body for body, n in counts.items() if n > 1]


async def test_the_same_webhook_twice_gets_one_reply(platform: Any) -> None:
    customer = platform.customer("5511912345678", "Maria Souza")
    wamid = await customer.taps("menu:main", "Menu principal")
    await customer.reads("Como posso te ajudar")
    delivery = next(d for d in await platform.webhooks("inbound") if wamid in d["raw"])
    # Meta delivers the very same signed body again (it does when our 200 is late).
    again = await platform.http.post(
        f"{platform.whatsapp_sim}/_sim/raw-webhook", json={"body_text": delivery["raw"], "signature": "valid"}
    )
    assert again.json()["status_code"] == 200
    # A later message proves the pipeline moved past the duplicate.
    await customer.taps("menu:agent", "Falar com atendente")
    await customer.reads("Vou te transferir")
    replies = await customer.replies()
    assert sum("Como posso te ajudar" in m.text for m in replies) == 1
    assert not _duplicates(replies)


@pytest.mark.own_conversation
async def test_killing_the_conversation_service_mid_flow_loses_nothing_and_repeats_nothing(
    platform: Any, conversation_process: Callable[..., Any]
) -> None:
    service = conversation_process(platform.conversation_settings)
    await service.start()
    maria = platform.customer("5511923456789", "Maria Souza")

    await maria.taps("menu:bill", "2ª via da fatura")
    await maria.reads("CPF")

    # Killed (SIGKILL) right after the CPF webhook is durable: it may or may not have handled it.
    await maria.says(MARIA)
    await service.kill()
    restarted = conversation_process(platform.conversation_settings)
    await restarted.start()
    await maria.reads("Encontrei seu cadastro", timeout=90)
    await maria.reads("Posso ajudar em mais alguma coisa?", timeout=90)

    # Killed again while the customer finishes; the survey still comes once.
    await maria.taps("end", "Não, obrigado")
    await restarted.kill()
    third = conversation_process(platform.conversation_settings)
    await third.start()
    await maria.reads("como você avalia", timeout=90)
    await maria.says("4")
    await maria.reads("Obrigado pela avaliação", timeout=90)

    replies = await maria.replies()
    assert not _duplicates(replies), _duplicates(replies)
    texts = [m.text for m in replies]
    assert sum("me envie o *CPF*" in t for t in texts) == 1
    assert sum("Encontrei seu cadastro" in t for t in texts) == 1
    assert sum("como você avalia" in t for t in texts) == 1
