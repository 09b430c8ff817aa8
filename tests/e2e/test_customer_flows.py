"""Scripted conversations, from a signed webhook to the recorded Graph API calls, through every service.

Customers come from the SGP simulator's demo base (`GET /_sim/demo`, also listed in the README).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from atende_core.documents import cpf_with_check_digits
from atende_core.identity import Role
from atende_core.ids import conversation_id as conversation_id_of
from atende_core.ids import conversation_id_key
from atende_core.settings import ServiceSettings
from atende_testing import INTERNAL_HEADERS, wait_until
from atende_testing.operators import wait_for_handoff

pytestmark = pytest.mark.e2e
ID_KEY = conversation_id_key(ServiceSettings())

MARIA = "123.456.789-09"  # one active contract with an open bill
JOAO = "111.444.777-35"  # three contracts
ANA = "987.654.321-00"  # suspended, overdue, eligible for a promise
CARLOS = "222.333.444-05"  # promise already used this month
FERNANDA = "555.666.777-20"  # in the outage POP
PAULO = "333.444.555-08"  # everything paid


async def test_greeting_bill_copy_and_survey(platform: Any) -> None:
    maria = platform.customer("5511987654321", "Maria Souza")
    await maria.says("oi, bom dia")
    menu = (await maria.reads("Como posso te ajudar"))[-1]
    assert menu.type == "list"
    assert "Olá, Maria! 👋 Sou o assistente virtual da Fibra Teste." in menu.text
    assert "menu:bill" in menu.ids

    await maria.picks("menu:bill", "2ª via da fatura")
    await maria.reads("CPF")
    await maria.says(MARIA)
    await maria.reads("Encontrei seu cadastro (***.456.789-**)")
    sent = await maria.reads("Posso ajudar em mais alguma coisa?")
    documents = [m for m in sent if m.type == "document"]
    assert documents, [m.text for m in sent]
    assert documents[0].link.startswith(platform.sgp_sim)
    assert "Fatura com vencimento em" in documents[0].text
    assert "R$ " in documents[0].text
    summaries = [m.text for m in sent if m.type == "text" and "Valor:" in m.text]
    assert summaries

    await maria.taps("end", "Não, obrigado")
    survey = (await maria.reads("como você avalia"))[-1]
    assert survey.ids == ("csat:5", "csat:4", "csat:3", "csat:2", "csat:1")
    await maria.says("5")
    await maria.reads("Obrigado pela avaliação")

    # Every customer message was marked as read, and no message went out twice.
    everything = await maria.all_messages()
    read_ids = {m.text for m in everything if m.type == "read"}
    assert set(maria.wamids) <= read_ids
    replies = [m.body for m in everything if m.type != "read"]
    assert len(replies) == len({repr(r) for r in replies})


async def test_several_contracts_are_listed(platform: Any) -> None:
    joao = platform.customer("5521998765432", "João Pereira")
    await joao.taps("menu:bill", "2ª via")
    await joao.reads("CPF")
    await joao.says(JOAO)
    listing = (await joao.reads("contratos no seu nome"))[-1]
    assert listing.type == "list"
    contracts = [i for i in listing.ids if i.startswith("contract:")]
    assert len(contracts) == 3
    await joao.picks(contracts[1])
    await joao.reads("Posso ajudar em mais alguma coisa?")


async def test_payment_promise_granted_with_its_end_date(platform: Any) -> None:
    ana = platform.customer("5531997654321", "Ana Lima")
    await ana.taps("menu:promise", "Desbloqueio")
    await ana.reads("CPF")
    await ana.says(ANA)
    confirm = (await ana.reads("Quer que eu libere agora?"))[-1]
    assert confirm.ids == ("promise:yes", "promise:no")
    await ana.says("sim")
    granted = (await ana.reads("liberada em confiança até"))[-1]
    assert "Protocolo" in granted.text


async def test_payment_promise_refused_is_explained(platform: Any) -> None:
    carlos = platform.customer("5585996543210", "Carlos Araújo")
    await carlos.taps("menu:promise")
    await carlos.reads("CPF")
    await carlos.says(CARLOS)
    await carlos.reads("Quer que eu libere agora?")
    await carlos.taps("promise:yes", "Sim, liberar")
    refusal = (await carlos.reads("já foi usado neste período"))[-1]
    assert "menu:bill" in refusal.ids


async def test_no_connection_in_an_outage_region(platform: Any) -> None:
    fernanda = platform.customer("5511955554444", "Fernanda Costa")
    await fernanda.taps("menu:no_connection", "Estou sem internet")
    await fernanda.reads("CPF")
    await fernanda.says(FERNANDA)
    await fernanda.reads("Identificamos uma instabilidade na sua região")


async def test_no_connection_guided_checks_then_ticket(platform: Any) -> None:
    paulo = platform.customer("5511944443333", "Paulo Rocha")
    await paulo.taps("menu:no_connection")
    await paulo.reads("CPF")
    await paulo.says(PAULO)
    first = (await paulo.reads("Desligue o roteador"))[-1]
    assert first.ids == ("check:ok", "check:fail")
    await paulo.says("não voltou")
    await paulo.reads("luz *LOS*")
    await paulo.taps("check:fail", "Não voltou")
    await paulo.reads("Abri um chamado")


async def test_slow_connection_checks_then_ticket(platform: Any) -> None:
    paulo = platform.customer("5511933332222", "Paulo Rocha")
    await paulo.taps("menu:slow", "Internet lenta")
    await paulo.reads("CPF")
    await paulo.says(PAULO)
    await paulo.reads("Reinicie o roteador")
    await paulo.taps("check:fail")
    await paulo.reads("perto do roteador")
    await paulo.taps("check:fail")
    await paulo.reads("Abri um chamado")


async def test_visit_confirmation_from_a_campaign_quick_reply(platform: Any) -> None:
    maria = platform.customer("5511922221111", "Maria Souza")
    await maria.quick_reply("visit:confirm:OS-77", "Confirmar")
    await maria.reads("CPF")
    await maria.says(MARIA)
    question = (await maria.reads("visita técnica"))[-1]
    assert "visit:confirm" in question.ids
    await maria.taps("visit:confirm", "Confirmar visita")
    await maria.reads("Visita confirmada!")


async def test_invalid_cpf_three_times_hands_over(platform: Any) -> None:
    customer = platform.customer("5511911110000", "Cliente")
    await customer.taps("menu:bill")
    await customer.reads("CPF")
    await customer.says("123.456.789-00")
    await customer.reads("mais 2 tentativas")
    await customer.says("111.111.111-11")
    await customer.reads("mais 1 tentativa")
    await customer.says("98765")
    await customer.reads("Não consegui confirmar seu cadastro.")


async def test_customer_not_found_then_handoff(platform: Any) -> None:
    customer = platform.customer("5511900009999", "Cliente")
    unknown = cpf_with_check_digits("000000019")
    await customer.taps("menu:bill")
    await customer.reads("CPF")
    for remaining in ("mais 2 tentativas", "mais 1 tentativa"):
        await customer.says(unknown)
        await customer.reads(remaining)
    await customer.says(unknown)
    await customer.reads("Não encontrei seu cadastro.")


async def test_sgp_down_offers_retry_and_recovers(platform: Any) -> None:
    maria = platform.customer("5511988887777", "Maria Souza")
    await platform.sgp_faults(mode="down")
    await maria.taps("menu:bill")
    await maria.reads("CPF")
    await maria.says(MARIA)
    offer = (await maria.reads("indisponível"))[-1]
    assert offer.ids == ("retry", "menu:agent", "menu:main")
    await platform.sgp_faults(mode="ok")
    await maria.taps("retry", "Tentar de novo")
    await maria.reads("Encontrei seu cadastro")


async def test_nlu_unsure_twice_hands_over(platform: Any) -> None:
    customer = platform.customer("5511977776666", "Cliente")
    await customer.says("xyzzy plugh")
    await customer.reads("não entendi")
    await customer.says("qwerty asdf zxcv")
    await customer.reads("Vou te transferir para um atendente")


async def _transcript_lines(platform: Any, conversation_id: str) -> int:
    response = await platform.http.get(
        f"{platform.conversation}/conversations/{conversation_id}/transcript", headers=INTERNAL_HEADERS
    )
    return len(response.json()["lines"])


XSS_NAME = 'Beatriz <img src=x onerror="alert(1)"><script>alert(2)</script>'


async def test_agent_takes_over_and_hands_back(platform: Any) -> None:
    # A WhatsApp profile name is the customer's to choose: markup in it is text, never markup.
    customer = platform.customer("5511966665555", XSS_NAME)
    conversation_id = conversation_id_of(phone_number_id="106540352242922", wa_id=customer.phone, key=ID_KEY)
    await customer.taps("menu:agent", "Falar com atendente")
    await customer.reads("Vou te transferir para um atendente")
    headers = {"Authorization": f"Bearer {platform.tokens.mint('ana', Role.AGENT)}"}
    async with httpx.AsyncClient(base_url=platform.gateway, headers=headers) as operator:
        await wait_for_handoff(operator, conversation_id)
        entry = await operator.get(f"/operator/handoffs/{conversation_id}")
        assert entry.json()["customer_name"] == XSS_NAME
        assert entry.headers["content-type"].startswith("application/json")
        assert entry.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'none'" in entry.headers["content-security-policy"]
        assert (await operator.post(f"/operator/handoffs/{conversation_id}/claim")).status_code == 200
        reply = await operator.post(f"/operator/handoffs/{conversation_id}/reply", json={"text": "Oi, sou a Ana!"})
        assert reply.status_code == 202
        await customer.reads("Oi, sou a Ana!")
        lines_before = await _transcript_lines(platform, conversation_id)
        await customer.says("oi Ana, preciso de ajuda")
        await customer.taps("menu:bill")

        # Messages and the agent's release travel on different topics: release only once the
        # conversation service has recorded both messages, as an agent reading them would.
        async def both_recorded() -> bool:
            return await _transcript_lines(platform, conversation_id) >= lines_before + 2

        await wait_until(both_recorded, timeout=60)
        assert (await operator.post(f"/operator/handoffs/{conversation_id}/release")).status_code == 200
        back = (await customer.reads("finalizado"))[-1]
        assert back.ids == ("menu:main", "end")
    # While the agent had the conversation, the bot said nothing but what the agent wrote.
    texts = [m.text for m in await customer.replies()]
    assert texts.index("Oi, sou a Ana!") == len(texts) - 2


async def test_bill_copy_with_nothing_open_says_so(platform: Any) -> None:
    paulo = platform.customer("5511900001234", "Paulo Rocha")
    await paulo.says("quero a segunda via do boleto")
    await paulo.reads("CPF")
    await paulo.says(PAULO)
    sent = await paulo.reads("não há faturas em aberto")
    assert not [m for m in sent if m.type == "document"]


async def test_an_upset_customer_goes_to_a_person_and_a_plain_complaint_does_not(platform: Any) -> None:
    upset = platform.customer("5511900005678", "Cliente")
    await upset.says("PÉSSIMO SERVIÇO, 3 DIAS SEM INTERNET, VOU NO PROCON")
    handed = (await upset.reads("Vou te transferir para um atendente"))[-1]
    assert "Sinto muito pelo transtorno" in handed.text

    calm = platform.customer("5511900005679", "Cliente")
    await calm.says("estou sem internet")
    await calm.reads("CPF")


async def test_a_company_with_an_alphanumeric_cnpj_gets_its_bill(platform: Any) -> None:
    padaria = platform.customer("5511955554444", "Padaria Alfa")
    await padaria.taps("menu:bill", "2ª via")
    await padaria.reads("CPF")
    await padaria.says("o cnpj é 12.abc.345/01de-35")
    await padaria.reads("Encontrei seu cadastro (**.ABC.345/01DE-**)")
    sent = await padaria.reads("Posso ajudar em mais alguma coisa?")
    assert [m for m in sent if m.type == "document"], [m.text for m in sent]
