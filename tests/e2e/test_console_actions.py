"""An agent serves a customer from the console through the whole platform: claims the conversation, reads
the customer panel (SGP through the bus), sends the bill of the panel's contract (a PDF document on the
Graph API), registers a payment promise (it reaches the SGP simulator) and closes with a reason."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from atende_core.identity import Role
from atende_core.ids import conversation_id as conversation_id_of
from atende_core.ids import conversation_id_key
from atende_core.settings import ServiceSettings
from atende_testing import wait_until
from atende_testing.operators import wait_for_handoff

pytestmark = pytest.mark.e2e
ID_KEY = conversation_id_key(ServiceSettings())
ANA = "987.654.321-00"  # suspended, overdue, eligible for a promise


async def test_an_agent_sends_the_bill_registers_a_promise_and_closes(platform: Any) -> None:
    ana = platform.customer("5531997654321", "Ana Lima")
    cid = conversation_id_of(phone_number_id="106540352242922", wa_id=ana.phone, key=ID_KEY)
    await ana.taps("menu:promise", "Desbloqueio")
    await ana.reads("CPF")
    await ana.says(ANA)
    await ana.reads("Quer que eu libere agora?")
    await ana.taps("promise:no", "Agora não")
    await ana.reads("Posso ajudar em mais alguma coisa?")
    await ana.taps("menu:agent", "Falar com atendente")
    await ana.reads("Vou te transferir para um atendente")

    headers = {"Authorization": f"Bearer {platform.tokens.mint('ana.agente', Role.AGENT)}"}
    async with httpx.AsyncClient(base_url=platform.gateway, headers=headers, timeout=30) as operator:
        await wait_for_handoff(operator, cid)
        assert (await operator.post(f"/operator/handoffs/{cid}/claim")).status_code == 200

        # CustomerIdentified carries the document's blind index: the agent finds the customer by CPF.
        found = (await operator.get("/operator/conversations", params={"q": ANA})).json()["items"]
        assert [item["conversation_id"] for item in found] == [cid]
        panel = (await operator.get(f"/operator/conversations/{cid}/panel")).json()
        assert panel["document_masked"] == "***.654.321-**"
        assert ANA not in repr(panel)
        (contract,) = panel["contracts"]
        assert contract["open_bills"], panel
        assert contract["promise_eligible"] is True, panel
        contract_id = contract["contract_id"]

        async def act(body: dict[str, str], key: str) -> str:
            answer = await operator.post(
                f"/operator/conversations/{cid}/actions", json=body, headers={"Idempotency-Key": key}
            )
            assert answer.status_code == 202, answer.text
            return str(answer.json()["command_id"])

        async def completed(command_id: str) -> dict[str, Any]:
            async def probe() -> dict[str, Any] | None:
                turns = (await operator.get(f"/operator/conversations/{cid}")).json()["turns"]
                return next((t for t in turns if t["command_id"] == command_id and t["role"] == "system"), None)

            return await wait_until(probe, timeout=60) or {}

        bill = await act({"action": "send_bill", "contract_id": contract_id}, "bill-1")
        sent = await ana.reads("Valor:")
        documents = [m for m in sent if m.type == "document"]
        assert documents, [m.text for m in sent]
        assert documents[0].link.startswith(platform.sgp_sim)
        assert documents[0].body["document"]["filename"].endswith(".pdf")
        assert "concluído" in (await completed(bill))["text"]
        # A retried click is the same command: the bill goes out once.
        assert await act({"action": "send_bill", "contract_id": contract_id}, "bill-1") == bill

        promise = await act({"action": "register_promise", "contract_id": contract_id}, "promise-1")
        granted = (await ana.reads("liberada em confiança até"))[-1]
        assert "Protocolo" in granted.text
        assert "Liberado em confiança até" in (await completed(promise))["text"]
        state = (await operator.get(f"{platform.sgp_sim}/_sim/contracts/{contract_id}")).json()
        assert state["promise_dates"]
        assert state["unlocked_until"]
        # The bot delivered the results and stayed out of the agent's way.
        assert not [m for m in await ana.replies() if "mais alguma coisa" in m.text and m.seq > granted.seq]

        close = await act({"action": "close", "reason": "solved"}, "close-1")
        await ana.reads("como você avalia")
        await completed(close)
        await ana.says("5")
        await ana.reads("Obrigado pela avaliação")

        async def closed() -> dict[str, Any] | None:
            detail = (await operator.get(f"/operator/conversations/{cid}")).json()
            ended = any(t["role"] == "system" and t["text"] == "Encerrada: resolvida" for t in detail["turns"])
            return detail if detail["state"] == "closed" and ended else None

        detail = await wait_until(closed, timeout=60) or {}
        assert detail["close_reason"] == "solved"
        assert detail["csat"] == 5
        documents = [m.link for m in await ana.replies() if m.type == "document"]
        assert len(documents) == len(set(documents)) == min(len(contract["open_bills"]), 3)
