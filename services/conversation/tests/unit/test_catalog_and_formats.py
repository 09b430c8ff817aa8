"""The message catalog respects WhatsApp's limits; Brazilian formats; business hours; text readers."""

from __future__ import annotations

import inspect
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from atende_conversation.domain import effects as fx
from atende_conversation.domain.formatting import date_br, first_name, hour_br, money, parse_date, truncate
from atende_conversation.domain.hours import BusinessHours, InvalidSchedule
from atende_conversation.domain.inputs import OpenInvoice, OutageInfo
from atende_conversation.domain.messages import Catalog
from atende_conversation.domain.model import ContractInfo
from atende_conversation.domain.text import asks_for_agent, asks_for_menu, document_digits, small_number, yes_or_no

pytestmark = pytest.mark.unit

SP = ZoneInfo("America/Sao_Paulo")


def _every_message(catalog: Catalog) -> list[object]:
    """Call every public catalog method with plausible arguments."""
    long_contract = ContractInfo(
        "123456789012345678901234567890", "active", "Plano Ultra Fibra 1 Giga " * 3, "Rua " * 30
    )
    samples: dict[str, tuple[object, ...]] = {
        "greeting": ("MARIA APARECIDA DOS SANTOS",),
        "document_invalid": (2,),
        "customer_not_found": ("***.982.247-**", 1),
        "identified": ("Maria", "***.982.247-**"),
        "choose_contract": ([long_contract] * 12, 1, 12),
        "invoice_document": (OpenInvoice("i", "2026-03-10", 10, "http://x", "PIX"),),
        "invoice_summary": (OpenInvoice("i", "2026-03-10", 10, "http://x", "PIX", "123", overdue=True),),
        "pix_code": (OpenInvoice("i", "2026-03-10", 10, "http://x", "PIX"),),
        "more_invoices": (5, 3),
        "promise_granted": ("2026-03-07", "123"),
        "outage": (OutageInfo("Manutenção na rede", "2026-03-05T18:00:00-03:00"),),
        "connection_seen": (None,),
        "guided_check": (),
        "ticket_opened": ("200429142914",),
        "visit_confirmed": ("P1",),
        "needs_human": ("planos",),
        "handoff_now": ("Sinto muito.",),
        "handoff_later": (),
        "handoff_prefix": ("negative_sentiment",),
        "menu": ("intro",),
        "anything_else": ("intro",),
    }
    built: list[object] = []
    for name, method in inspect.getmembers(catalog, inspect.ismethod):
        if name.startswith("_"):
            continue
        if name == "guided_check":
            built.extend(method(slow=slow, index=i) for slow in (True, False) for i in range(2))
        elif name == "handoff_later":
            built.append(method(schedule="seg a sex, das 8h às 18h", when="amanhã às 8h", prefix="Olá."))
        else:
            built.append(method(*samples.get(name, ())))
    return built


def test_every_catalog_message_fits_whatsapp_limits() -> None:
    # Building the effects validates titles (≤ 20 / ≤ 24), descriptions (≤ 72), counts (≤ 3 / ≤ 10), bodies.
    messages = _every_message(Catalog(isp_name="Provedor Com Um Nome Bem Comprido Telecom"))
    interactive = [m for m in messages if isinstance(m, fx.SendButtons | fx.SendList)]
    assert len(interactive) > 15
    ids = {b.id for m in interactive if isinstance(m, fx.SendButtons) for b in m.buttons}
    assert ids >= {"menu:agent", "menu:main", "end", "promise:yes", "check:ok", "visit:confirm", "retry"}


def test_limits_are_enforced() -> None:
    with pytest.raises(fx.LimitExceeded):
        fx.Button("x", "Um título longo demais!")
    with pytest.raises(fx.LimitExceeded):
        fx.Row("x", "Um título de linha longo demais")
    with pytest.raises(fx.LimitExceeded):
        fx.Row("x", "ok", "d" * 73)
    with pytest.raises(fx.LimitExceeded):
        fx.SendButtons("b", tuple(fx.Button(str(n), "t") for n in range(4)))
    with pytest.raises(fx.LimitExceeded):
        fx.SendList("b", "Ver", tuple(fx.Row(str(n), "t") for n in range(11)))
    with pytest.raises(fx.LimitExceeded):
        fx.SendButtons("x" * 1025, (fx.Button("a", "b"),))


def test_the_isp_name_is_configurable() -> None:
    catalog = Catalog(isp_name="NetSul")
    assert "NetSul" in catalog.greeting("")
    assert "NetSul" in catalog.csat_thanks().body
    assert catalog.greeting("") == "Olá! 👋 Sou o assistente virtual da NetSul."


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "R$ 0,00"),
        (5, "R$ 0,05"),
        (9990, "R$ 99,90"),
        (123456, "R$ 1.234,56"),
        (123456789, "R$ 1.234.567,89"),
        (-1500, "-R$ 15,00"),
    ],
)
def test_money_is_brazilian(cents: int, text: str) -> None:
    assert money(cents) == text


def test_dates_are_brazilian() -> None:
    assert date_br("2026-03-10") == "10/03/2026"
    assert date_br("2026-03-10T18:00:00-03:00") == "10/03/2026"
    assert date_br("10/03/2026") == "10/03/2026"
    assert date_br(date(2026, 1, 2)) == "02/01/2026"
    assert date_br("em breve") == "em breve"
    assert parse_date("") is None
    assert hour_br(time(8)) == "8h"
    assert hour_br(time(8, 30)) == "8h30"
    assert first_name("  MARIA da silva") == "Maria"
    assert truncate("a  b   c", 5) == "a b c"
    assert truncate("abcdef", 4) == "abc…"


def test_business_hours() -> None:
    hours = BusinessHours.parse("mon-fri 08:00-18:00; sat 08:00-12:00", holidays=frozenset({date(2026, 3, 9)}))
    assert hours.is_open(datetime(2026, 3, 4, 10, tzinfo=SP))
    assert not hours.is_open(datetime(2026, 3, 4, 18, tzinfo=SP))
    assert not hours.is_open(datetime(2026, 3, 9, 10, tzinfo=SP))  # a holiday
    assert hours.when_back(datetime(2026, 3, 4, 6, tzinfo=SP)) == "hoje às 8h"
    assert hours.when_back(datetime(2026, 3, 4, 19, tzinfo=SP)) == "amanhã às 8h"
    # Saturday afternoon → Monday is a holiday → Tuesday.
    assert hours.when_back(datetime(2026, 3, 7, 13, tzinfo=SP)) == "terça-feira (10/03) às 8h"
    # UTC input is read in the ISP's zone (13:00 UTC = 10:00 in São Paulo).
    assert hours.is_open(datetime(2026, 3, 4, 13, tzinfo=ZoneInfo("UTC")))
    assert hours.describe() == "seg a sex, das 8h às 18h; sáb, das 8h às 12h"
    assert BusinessHours.parse("mon,wed 09:30-17:00").describe() == "seg, das 9h30 às 17h; qua, das 9h30 às 17h"
    assert BusinessHours.parse("").when_back(datetime(2026, 3, 4, tzinfo=SP)) == "assim que possível"


@pytest.mark.parametrize("spec", ["mon 18:00-08:00", "funday 08:00-12:00", "mon-fri", "fri-mon 08:00-10:00"])
def test_unreadable_business_hours_are_refused(spec: str) -> None:
    with pytest.raises(InvalidSchedule):
        BusinessHours.parse(spec)


def test_text_readers() -> None:
    assert asks_for_agent("Quero falar com um ATENDENTE")
    assert asks_for_agent("tem algum humano ai?")
    assert asks_for_agent("posso falar com alguém?")
    assert not asks_for_agent("o atendimento foi bom")
    assert asks_for_menu("Menu")
    assert asks_for_menu("voltar")
    assert not asks_for_menu("voltar a internet")
    assert yes_or_no("Sim, pode liberar") is True
    assert yes_or_no("voltou!") is True
    assert yes_or_no("não voltou") is False
    assert yes_or_no("Ñ") is False
    assert yes_or_no("talvez amanhã") is None
    assert small_number(" 5 ") == 5
    assert small_number("2.") == 2
    assert small_number("#3") == 3
    assert small_number("5 estrelas") is None
    assert document_digits("CPF: 529.982.247-25") == "52998224725"
