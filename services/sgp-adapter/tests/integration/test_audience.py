"""Campaign audiences against the SGP simulator over a socket, with the cache on real Redis."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from atende_sgp_adapter.adapters.cache import CachedBillingSystem
from atende_sgp_adapter.adapters.sgp import SgpBillingSystem
from atende_sgp_adapter.domain import DueInvoicePage

pytestmark = pytest.mark.integration
Make = Callable[..., CachedBillingSystem]
MARIA, ANA, BEATRIZ = "90000", "90004", "90009"


def lookups(family: str, result: str) -> float:
    return REGISTRY.get_sample_value("atende_sgp_cache_lookups_total", {"family": family, "result": result}) or 0.0


async def due_in_days(sgp: SgpBillingSystem, contract_id: str) -> int:
    """The window (days from today) holding the contract's latest open bill."""
    latest = max(i.due_date for i in await sgp.list_open_invoices(contract_id))
    return (latest - date.today()).days


def audience_calls(sim: Any) -> tuple[int, int]:
    """(titulos calls with a due window, clientes calls) the simulator received."""
    windowed = [r for r in sim.requests("/api/ura/titulos") if "data_vencimento_inicio" in r.get("params", {})]
    return len(windowed), sim.count("/api/ura/clientes")


@pytest.fixture
async def sgp(make_sgp: Callable[..., SgpBillingSystem]) -> SgpBillingSystem:
    """An adapter whose reads never time out here: these tests count SGP calls, and a retry after a
    timeout on a loaded machine would be counted as one more call."""
    return make_sgp(sgp_read_timeout_s=30.0)


async def test_pages_cover_the_window_once(sgp: SgpBillingSystem, sim: Any) -> None:
    days = await due_in_days(sgp, MARIA)
    day = date.today() + timedelta(days=days)
    pages: list[DueInvoicePage] = []
    offset = 0
    while not pages or offset < pages[-1].total:
        pages.append(await sgp.list_due_invoices(days, 700, offset))
        offset += 700
    total = pages[0].total
    assert total > 1000  # a fifth of the base is due on each of the five due days
    assert len(pages) == -(-total // 700)
    assert {p.total for p in pages} == {total}
    ids = [i.invoice.invoice_id for p in pages for i in p.items]
    assert len(ids) == len(set(ids)) == total  # disjoint pages, nothing lost
    items = [i for p in pages for i in p.items]
    assert {i.invoice.due_date for i in items} == {day}
    assert all(i.customer_name for i in items)
    assert all(i.phone and i.phone.startswith("55989") and len(i.phone) == 13 for i in items)
    (maria,) = [i for i in items if i.invoice.contract_id == MARIA]
    assert maria.customer_name == "MARIA DEMO DA SILVA"
    assert maria.phone == "5598988881000"
    assert maria.invoice.boleto_url
    assert maria.invoice.digitable_line
    assert maria.invoice.pix_copy_paste
    dumped = "".join(p.model_dump_json() for p in pages).lower()
    assert "senha" not in dumped
    assert "pw" not in dumped
    titulos, clientes = audience_calls(sim)
    # SGP pages titulos by 250: a page needs ceil(items / 250) calls, plus one when bills it cannot
    # use (no mobile, empty codes) make it read past a chunk boundary.
    assert sum(-(-len(p.items) // 250) for p in pages) <= titulos <= sum(-(-len(p.items) // 250) + 1 for p in pages)
    assert clientes >= -(-total // 100)  # every payer of the window was looked up


async def test_empty_window_calls_titulos_once(sgp: SgpBillingSystem, sim: Any) -> None:
    # The base only bills on days 5, 10, 15, 20 and 25.
    days = next(d for d in range(1, 40) if (date.today() + timedelta(days=d)).day not in (5, 10, 15, 20, 25))
    page = await sgp.list_due_invoices(days, 250, 0)
    assert (page.total, page.items) == (0, ())
    assert audience_calls(sim) == (1, 0)


async def test_write_through_makes_the_next_invoice_lookup_a_hit(
    make_cached: Make, sgp: SgpBillingSystem, redis: Redis, sim: Any
) -> None:
    cache = make_cached(redis)
    expected = list(await sgp.list_open_invoices(MARIA))
    days = await due_in_days(sgp, MARIA)
    pages = [await cache.list_due_invoices(days, 1000, offset) for offset in (0, 1000)]
    assert any(i.invoice.contract_id == MARIA for p in pages for i in p.items)
    before = sim.count("/api/ura/titulos")
    hits = lookups("invoices", "hit")
    assert list(await cache.list_open_invoices(MARIA)) == expected
    assert lookups("invoices", "hit") == hits + 1
    assert sim.count("/api/ura/titulos") == before  # answered from Redis
    assert await cache.get_pix(MARIA, expected[0].invoice_id) == expected[0].pix_copy_paste
    assert sim.count("/api/ura/pagamento/pix") == 0
    ttl = await redis.pttl(cache._keys.invoices(MARIA))
    assert 290_000 < ttl <= 300_000  # the family's own TTL
    # No customer entry: an audience lacks the POP, open totals and promise count it holds.
    assert not await redis.keys(f"{cache._keys.prefix}sgp_cliente*")


async def test_unproven_lists_are_not_written(make_cached: Make, sgp: SgpBillingSystem, redis: Redis) -> None:
    cache = make_cached(redis)
    for contract in (ANA, BEATRIZ):  # two overdue bills besides this one; empty codes in titulos
        days = await due_in_days(sgp, contract)
        offset, total = 0, 1
        while offset < total:
            page = await cache.list_due_invoices(days, 1000, offset)
            total, offset = page.total, offset + 1000
            mine = [i for i in page.items if i.invoice.contract_id == contract]
            assert all(i.contract_open_invoices is None for i in mine)
        assert await redis.get(cache._keys.invoices(contract)) is None
    misses = lookups("invoices", "miss")
    assert len(await cache.list_open_invoices(ANA)) == 3
    assert lookups("invoices", "miss") == misses + 1


async def test_audience_survives_redis_going_away(make_cached: Make, sgp: SgpBillingSystem, private_redis: Any) -> None:
    redis = Redis.from_url(private_redis.url, socket_timeout=0.3)
    cache = make_cached(redis)
    days = await due_in_days(sgp, MARIA)
    private_redis.stop()
    page = await cache.list_due_invoices(days, 100, 0)
    assert len(page.items) == 100
    assert page.total > 1000
    await redis.aclose()
