"""An agent's day in the web console, in headless chromium against the real platform: login with
TOTP, a handoff appearing live in the inbox, claim, reply, notes, NLU corrections, release; a viewer
who can only watch; the phone layout; axe-core finds no serious or critical accessibility problem.

Tests marked `needs(...)` use routes other branches add (customer panel and actions, templates,
canned answers, metrics): they are skipped until the gateway's OpenAPI document lists them.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from atende_core.ids import conversation_id as conversation_id_of
from atende_core.ids import conversation_id_key
from atende_core.settings import ServiceSettings
from atende_testing import wait_until
from tests.browser.conftest import (
    ACCESS_TTL_S,
    PHONE,
    SLA_WARNING_S,
    STREAM_MAX_S,
    Console,
    screenshot,
    serious_accessibility_violations,
)
from tests.e2e.conftest import PHONE_NUMBER_ID, Customer

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]
ID_KEY = conversation_id_key(ServiceSettings())
XSS_NAME = 'Bea <img src=x onerror="alert(1)">'


def cid(customer: Customer) -> str:
    return conversation_id_of(phone_number_id=PHONE_NUMBER_ID, wa_id=customer.phone, key=ID_KEY)


async def wants_an_agent(customer: Customer) -> None:
    await customer.taps("menu:agent", "Falar com atendente")
    await customer.reads("Vou te transferir para um atendente")


def row(page: Page, customer: Customer) -> Any:
    return page.locator(f'li.conversation[data-id="{cid(customer)}"]')


async def open_queued(page: Page, customer: Customer) -> None:
    """Wait in the 'Aguardando' tab until the customer shows up, then open the conversation."""
    await page.get_by_role("tab", name="Aguardando").click()
    await row(page, customer).get_by_role("link").click()
    await page.get_by_role("heading", name=customer.name).wait_for()


async def test_a_handoff_appears_live_and_the_agent_claims_replies_and_hands_back(console: Console) -> None:
    page = await console.login("ana")
    await page.get_by_role("tab", name="Aguardando").click()
    await expect(page.get_by_text("ao vivo")).to_be_visible()
    customer = console.platform.customer("5511966660001", "Maria Souza")
    await wants_an_agent(customer)
    # No reload: the stream announced the handoff and the inbox refetched.
    entry = row(page, customer)
    await expect(entry).to_contain_text("Maria Souza")
    await expect(entry).to_contain_text("aguardando")
    await expect(entry.locator(".wait")).to_have_class("wait sla-ok")
    # A browser notification (and a beep) announced it.
    await page.wait_for_function("() => window.__notifications.includes('Novo atendimento aguardando')")
    await screenshot(page, "inbox")
    assert await serious_accessibility_violations(page) == []

    await entry.get_by_role("link").click()
    await page.get_by_role("button", name="Assumir").click()
    await expect(page.locator("#conversation-state")).to_have_text("com você")
    await page.get_by_label("Resposta ao cliente").fill("Oi Maria, aqui é a Ana. Como posso ajudar?")
    await page.get_by_role("button", name="Enviar", exact=True).click()
    # The Graph API call reached the WhatsApp simulator, and the transcript shows the tick.
    await customer.reads("aqui é a Ana")
    agent_turn = page.locator(".turn-agent").last
    await expect(agent_turn).to_contain_text("aqui é a Ana")
    await expect(agent_turn.locator(".tick")).to_be_visible()

    # The customer writes while the agent has the conversation: it shows up live, the bot stays quiet.
    await customer.says("minha internet caiu desde ontem")
    await expect(page.locator(".turn-customer").last).to_contain_text("minha internet caiu")
    await screenshot(page, "conversation")
    assert await serious_accessibility_violations(page) == []
    texts = [m.text for m in await customer.replies()]
    assert texts[-1].startswith("Oi Maria, aqui é a Ana")

    await page.get_by_role("button", name="Devolver ao bot").click()
    back = (await customer.reads("finalizado"))[-1]
    assert back.ids == ("menu:main", "end")
    await expect(page.locator("#conversation-state")).not_to_have_text("com você")
    # The customer's earlier conversations and tickets are one click away.
    await page.get_by_role("button", name="Histórico do cliente").click()
    history = page.get_by_role("region", name="Histórico do cliente")
    await expect(history).to_contain_text("Atendimentos anteriores")
    await expect(history).to_contain_text("Chamados")
    await page.context.close()


async def test_notes_stay_internal_and_corrections_reach_the_nlu(console: Console) -> None:
    page = await console.login("bia")
    customer = console.platform.customer("5511966660002", XSS_NAME)
    await wants_an_agent(customer)
    await open_queued(page, customer)
    # The profile name is text, never markup.
    await expect(page.locator("#conversation-title")).to_have_text(XSS_NAME)
    await page.get_by_role("button", name="Assumir").click()
    await customer.says("a fibra rompeu aqui na rua")
    turn = page.locator(".turn-customer", has_text="a fibra rompeu")
    await expect(turn).to_be_visible()
    before = len(await customer.all_messages())

    await page.get_by_label("Nota interna (o cliente não vê)").fill("Cliente já ligou ontem sobre a fibra.")
    await page.get_by_role("button", name="Salvar nota").click()
    await expect(page.locator(".turn-note")).to_contain_text("Cliente já ligou ontem")

    await turn.get_by_text("corrigir intenção").click()
    await turn.get_by_label("Intenção correta").select_option("sem_conexao")
    await turn.get_by_role("button", name="Salvar").click()
    await expect(turn).to_contain_text("corrigida")

    def stored() -> list[dict[str, Any]] | None:
        if not console.feedback.exists():
            return None
        rows = [json.loads(line) for line in console.feedback.read_text(encoding="utf-8").splitlines() if line]
        return [r for r in rows if r["conversation_id"] == cid(customer)] or None

    (correction,) = await wait_until(stored, timeout=60)
    assert correction["intent"] == "sem_conexao"
    # The note never went to WhatsApp.
    after = await customer.all_messages()
    assert len(after) == before
    assert not [m for m in after if "ligou ontem" in m.text]
    await page.context.close()


async def test_a_viewer_watches_but_cannot_reply(console: Console) -> None:
    customer = console.platform.customer("5511966660003", "Carlos Lima")
    await wants_an_agent(customer)
    page = await console.login("vera")
    # Search by the phone's last digits (what the masked number shows).
    await page.get_by_role("tab", name="Aguardando").click()
    await page.get_by_label("Buscar").fill("0003")
    await page.get_by_role("button", name="Buscar").click()
    await expect(page.locator("li.conversation")).to_have_count(1)
    await expect(row(page, customer)).to_contain_text("Carlos Lima")
    await row(page, customer).get_by_role("link").click()
    await page.get_by_role("heading", name=customer.name).wait_for()
    await expect(page.get_by_text("Você está como observador")).to_be_visible()
    for control in ("Assumir", "Enviar", "Salvar nota", "Devolver ao bot"):
        await expect(page.get_by_role("button", name=control, exact=True)).to_have_count(0)
    await expect(page.get_by_text("corrigir intenção")).to_have_count(0)
    # The API refuses too, whatever a page could be made to send.
    headers = {"Authorization": f"Bearer {await console.token('vera')}"}
    async with httpx.AsyncClient(base_url=console.platform.gateway, headers=headers) as viewer:
        assert (await viewer.post(f"/operator/handoffs/{cid(customer)}/claim")).status_code == 403
        reply = await viewer.post(f"/operator/handoffs/{cid(customer)}/reply", json={"text": "oi"})
        assert reply.status_code == 403
    # Logging out ends the session at auth and forgets the tokens in the tab.
    token = await page.evaluate("JSON.parse(sessionStorage.getItem('atende.console.session')).access_token")
    await page.get_by_role("button", name="Sair").click()
    await expect(page.get_by_role("button", name="Entrar")).to_be_visible()
    assert await page.evaluate("sessionStorage.getItem('atende.console.session')") is None
    async with httpx.AsyncClient(base_url=console.platform.gateway) as client:
        refused = await client.get("/operator/conversations", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    await page.context.close()


async def test_the_inbox_stays_live_across_reauth_and_token_refresh(console: Console) -> None:
    page = await console.login("vera")
    streams: list[str] = []
    page.on("request", lambda request: streams.append(request.url) if "/operator/stream" in request.url else None)
    await page.get_by_role("tab", name="Aguardando").click()
    session = "JSON.parse(sessionStorage.getItem('atende.console.session'))"
    first = await page.evaluate(f"{session}.access_token")
    # The session is refreshed before the access token expires (ACCESS_TTL_S)...
    await page.wait_for_function(f"() => {session}.access_token !== {first!r}", timeout=ACCESS_TTL_S * 1000)
    # ...and the gateway ended the stream after STREAM_MAX_S with `reauth`: the console reconnected at once.
    assert ACCESS_TTL_S > STREAM_MAX_S
    assert len(streams) >= 1
    await expect(page.get_by_text("ao vivo")).to_be_visible()
    customer = console.platform.customer("5511966660009", "Davi Nunes")
    await wants_an_agent(customer)
    await expect(row(page, customer)).to_contain_text("Davi Nunes")
    await page.context.close()


async def test_the_inbox_on_a_phone(console: Console) -> None:
    waiting = console.platform.customer("5511966660010", "Otávio Reis")
    await wants_an_agent(waiting)
    customer = console.platform.customer("5511966660004", "Paula Reis")
    await wants_an_agent(customer)
    page = await console.login("ana", viewport=PHONE)
    await page.get_by_role("tab", name="Aguardando").click()
    await expect(row(page, customer)).to_be_visible()
    # Otávio has waited longer than SLA_WARNING_S soon: his wait turns amber.
    slow = row(page, waiting).locator(".wait")

    async def warned() -> bool:
        await page.get_by_role("button", name="Buscar").click()
        return await slow.get_attribute("class") == "wait sla-warning"

    await wait_until(warned, timeout=SLA_WARNING_S + 20, interval=2)
    await expect(slow).to_contain_text("atenção")
    await screenshot(page, "inbox-phone")
    assert await serious_accessibility_violations(page) == []
    # One pane at a time: the conversation replaces the list, and a link goes back.
    await row(page, customer).get_by_role("link").click()
    await expect(page.get_by_role("heading", name="Paula Reis")).to_be_visible()
    await expect(page.locator(".pane.inbox")).to_be_hidden()
    await page.get_by_role("link", name="← Conversas").click()
    await expect(page.locator(".pane.inbox")).to_be_visible()
    await page.context.close()


async def test_a_supervisor_reassigns_and_manages_users(console: Console) -> None:
    customer = console.platform.customer("5511966660005", "Rui Alves")
    await wants_an_agent(customer)
    ana = {"Authorization": f"Bearer {await console.token('ana')}"}
    async with httpx.AsyncClient(base_url=console.platform.gateway, headers=ana) as agent:

        async def claimed() -> bool:
            return (await agent.post(f"/operator/handoffs/{cid(customer)}/claim")).status_code == 200

        await wait_until(claimed, timeout=60)
    page = await console.login("sara")
    await page.get_by_role("tab", name="De outros agentes").click()
    await row(page, customer).get_by_role("link").click()
    await page.get_by_label("Reatribuir para").select_option(console.operators["bia"].user_id)
    await page.get_by_role("button", name="Reatribuir").click()
    await expect(page.locator("#conversation-state")).to_have_text("com Bia")
    async with httpx.AsyncClient(base_url=console.platform.gateway, headers=ana) as agent:
        handoff = (await agent.get(f"/operator/handoffs/{cid(customer)}")).json()
    assert handoff["agent_id"] == console.operators["bia"].user_id

    await page.get_by_role("link", name="Equipe").click()
    users = page.get_by_role("region", name="Usuários e perfis")
    await expect(users).to_contain_text("vera")
    await expect(page.get_by_label("Perfil de vera")).to_have_value("viewer")
    assert await serious_accessibility_violations(page) == []
    # A new agent, from the form; a supervisor may grant agent and viewer only.
    await expect(page.get_by_label("Perfil", exact=True).locator("option")).to_have_count(2)
    await page.get_by_label("Usuário", exact=True).fill("caio")
    await page.get_by_label("Nome", exact=True).fill("Caio Prates")
    await page.get_by_label("Senha inicial").fill("caio-password-123")
    await page.get_by_role("button", name="Criar").click()
    await expect(page.get_by_label("Perfil de caio")).to_have_value("agent")
    await page.get_by_label("Perfil de caio").select_option("viewer")
    await expect(page.get_by_text("Perfil alterado.")).to_be_visible()
    await page.context.close()


async def test_a_first_login_enrols_totp_in_the_console(console: Console) -> None:
    lia = console.operators["lia"]
    context = await console.browser.new_context(locale="pt-BR")
    page = await context.new_page()
    await page.goto(f"{console.platform.gateway}/console/")
    await page.get_by_label("Usuário").fill(lia.username)
    await page.get_by_label("Senha").fill(lia.password)
    await page.get_by_role("button", name="Entrar").click()
    await expect(page.get_by_role("heading", name="Ative a verificação em duas etapas")).to_be_visible()
    await expect(page.get_by_role("img", name="QR code para o aplicativo autenticador")).to_be_visible()
    assert await serious_accessibility_violations(page) == []
    # Her authenticator app reads the key; its first code confirms.
    lia.secret = (await page.locator("form code").inner_text()).strip()
    await page.get_by_label("Código de verificação").fill(await lia.code())
    await page.get_by_role("button", name="Confirmar").click()
    await expect(page.get_by_role("heading", name="Códigos de recuperação")).to_be_visible()
    await expect(page.locator(".codes li")).not_to_have_count(0)
    await page.get_by_role("button", name="Continuar").click()
    await expect(page.get_by_role("heading", name="Atendimentos")).to_be_visible()
    await context.close()


async def test_the_metrics_page_shows_a_seeded_day(console: Console) -> None:
    from datetime import date

    from atende_core.bus import Bus
    from atende_core.stores import redis_client
    from atende_testing.console_day import TOPICS, seed_day

    connections = console.connections
    redis = redis_client(connections["redis_url"])
    bus = Bus(
        bootstrap_servers=connections["kafka_bootstrap_servers"],
        service_name="seed",
        topic_prefix=connections["kafka_topic_prefix"],
        redis=redis,
    )
    await bus.start(publishes_to=sorted(TOPICS))
    try:
        seeded = await seed_day(bus, redis, prefix=connections["kafka_topic_prefix"], day=date(2026, 3, 10))
    finally:
        await bus.stop()
        await redis.aclose()
    expected = seeded.expected
    page = await console.login("sara")
    await page.get_by_role("link", name="Métricas").click()
    await page.get_by_label("Dia", exact=True).fill("2026-03-10")

    async def shows_the_day() -> bool:
        # Ask again until the counters have caught up with the seeded events.
        await page.get_by_role("button", name="Ver").click()
        shown = page.locator('[data-metric="conversations"] dd')
        try:
            await shown.wait_for(timeout=10_000)
        except PlaywrightTimeoutError:
            return False
        return await shown.inner_text() == str(expected["conversations"])

    await wait_until(shows_the_day, timeout=60, interval=2)
    bars = page.locator(".chart .bar")
    await expect(bars).to_have_count(24)
    for hour, count in enumerate(expected["messages_per_hour"]):
        assert await bars.nth(hour).get_attribute("data-count") == str(count)
    await screenshot(page, "metrics")
    assert await serious_accessibility_violations(page) == []
    await page.context.close()


MARIA = "123.456.789-09"  # the SGP simulator's customer with one active contract and an open bill


async def test_the_agent_sends_the_bill_from_the_customer_panel(console: Console) -> None:
    customer = console.platform.customer("5511966660006", "Maria Souza")
    await customer.taps("menu:bill")
    await customer.reads("CPF")
    await customer.says(MARIA)
    await customer.reads("Posso ajudar em mais alguma coisa?")
    await wants_an_agent(customer)
    documents = len([m for m in await customer.replies() if m.type == "document"])
    page = await console.login("ana")
    await open_queued(page, customer)
    await page.get_by_role("button", name="Assumir").click()
    await expect(page.locator("#conversation-state")).to_have_text("com você")
    contract = page.locator(".contract").first
    await expect(contract).to_contain_text("Faturas em aberto")
    send_bill = contract.get_by_role("button", name="Enviar boleto")
    await expect(send_bill).to_be_visible()
    await screenshot(page, "conversation")
    await send_bill.click()

    async def another_bill() -> bool:
        return len([m for m in await customer.replies() if m.type == "document"]) > documents

    await wait_until(another_bill, timeout=60)
    await expect(page.locator(".turn-system").last).to_be_visible()
    await page.context.close()


async def test_a_template_when_the_window_is_closed(console: Console) -> None:
    from atende_core.stores import redis_client

    customer = console.platform.customer("5511966660007", "Jorge Dias")
    await wants_an_agent(customer)
    page = await console.login("ana")
    await open_queued(page, customer)
    await page.get_by_role("button", name="Assumir").click()
    await expect(page.get_by_label("Resposta ao cliente")).to_be_visible()
    # The customer wrote 25 hours ago, as far as the board knows: WhatsApp's 24-hour window is closed.
    redis = redis_client(console.connections["redis_url"])
    key = f"{console.connections['kafka_topic_prefix']}board:c:{cid(customer)}"
    await redis.hset(key, "last_customer_at", repr(time.time() - 25 * 3600))
    await redis.aclose()
    await page.reload()
    await page.get_by_label("Modelo", exact=True).select_option("hello_world|en_US")
    await page.get_by_role("button", name="Enviar modelo").click()

    async def template_sent() -> bool:
        return any(m.type == "template" for m in await customer.replies())

    await wait_until(template_sent, timeout=60)
    await page.context.close()


async def test_a_canned_answer_is_filled_with_the_customers_name(console: Console) -> None:
    customer = console.platform.customer("5511966660008", "Helena Prado")
    await wants_an_agent(customer)
    page = await console.login("bia")
    await open_queued(page, customer)
    await page.get_by_role("button", name="Assumir").click()
    await page.get_by_label("Respostas prontas").select_option(label="Saudação")
    await expect(page.get_by_label("Resposta ao cliente")).to_have_value(re.compile(r"^Olá, Helena!"))
    await page.get_by_role("button", name="Enviar", exact=True).click()
    await customer.reads("Olá, Helena!")
    await page.context.close()


async def test_presence_shows_on_the_supervisors_team_page(console: Console) -> None:
    agent = await console.login("bia")
    await agent.get_by_label("Status").select_option("away")
    supervisor = await console.login("sara")
    await supervisor.get_by_role("link", name="Equipe").click()
    agents = supervisor.get_by_role("region", name="Agentes")
    await expect(agents.get_by_role("row", name=re.compile("bia", re.IGNORECASE))).to_contain_text("Ausente")
    await agent.get_by_label("Status").select_option("available")
    await supervisor.reload()
    await expect(agents.get_by_role("row", name=re.compile("bia", re.IGNORECASE))).to_contain_text("Disponível")
    await agent.context.close()
    await supervisor.context.close()


async def test_the_agent_attaches_a_pdf_and_closes_the_conversation(console: Console) -> None:
    customer = console.platform.customer("5511966660011", "Sofia Melo")
    await wants_an_agent(customer)
    page = await console.login("bia")
    await open_queued(page, customer)
    await page.get_by_role("button", name="Assumir").click()
    await expect(page.locator("#conversation-state")).to_have_text("com você")
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n%%EOF\n"
    await page.get_by_label("Anexar PDF ou imagem").set_input_files(
        {"name": "contrato.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    await page.get_by_label("Resposta ao cliente").fill("Segue o seu contrato.")
    await page.get_by_role("button", name="Enviar", exact=True).click()
    sent = await customer.reads("Segue o seu contrato.")
    assert sent[-1].type == "document"
    # Closing as a duplicate ends it at once (no satisfaction survey).
    await page.get_by_label("Motivo do encerramento").select_option("duplicate")
    await page.get_by_role("button", name="Encerrar").click()
    await expect(page.locator("#conversation-state")).to_have_text("encerrada", timeout=30_000)
    await page.context.close()
