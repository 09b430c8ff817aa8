"""The service over real Kafka: an sgp.requests event gets its sgp.results answer from the simulator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from atende.audit.v1.audit_pb2 import AuditEntryRecorded
from atende.conversation.v1 import conversation_pb2 as conv
from atende.sgp.v1 import sgp_pb2 as pb
from atende_core.audit import BOT, SYSTEM, AuditTrail
from atende_core.bus import Bus, Envelope, topics
from atende_sgp_adapter.adapters.keys import CacheKeys
from atende_sgp_adapter.adapters.sgp import SgpBillingSystem
from atende_sgp_adapter.app import create_app
from atende_sgp_adapter.audit import ACTOR as AUDIT_ACTOR
from atende_sgp_adapter.audit import entry_id
from atende_sgp_adapter.settings import Settings
from atende_sim_sgp.base import DEMO_CUSTOMERS
from atende_testing import running_server, wait_until

PNID = "106540352242922"
pytestmark = pytest.mark.integration


async def test_lookup_and_promise_round_trip_over_kafka(
    make_bus: Callable[..., Bus], make_settings: Callable[..., Settings], redis: Redis, sim: Any
) -> None:
    results: list[pb.SgpResult] = []
    audits: list[AuditEntryRecorded] = []

    async def collect(event: pb.SgpResult, envelope: Envelope) -> None:
        results.append(event)

    async def collect_audit(event: AuditEntryRecorded, envelope: Envelope) -> None:
        audits.append(event)

    conversation = make_bus("conversation")
    conversation.subscribe(topics.SGP_RESULTS, collect, group="conversation")
    conversation.subscribe(topics.AUDIT_EVENTS, collect_audit, group="audit-probe", idempotent=False)
    await conversation.start(publishes_to=[topics.SGP_REQUESTS])
    app = create_app(make_settings(), redis=redis, bus=make_bus("sgp-adapter"))
    async with running_server(app) as url:
        for request in (
            pb.SgpRequest(
                request_id="r1", conversation_id="pn:1", lookup_customer=pb.LookupCustomer(document="98765432100")
            ),
            pb.SgpRequest(
                request_id="r2",
                conversation_id="pn:1",
                register_payment_promise=pb.RegisterPaymentPromise(contract_id="90004"),
            ),
            pb.SgpRequest(
                request_id="r2",
                conversation_id="pn:1",  # a replay of the same command
                register_payment_promise=pb.RegisterPaymentPromise(contract_id="90004"),
            ),
        ):
            await conversation.publish(topics.SGP_REQUESTS, request, key=request.conversation_id)
        await wait_until(lambda: len(results) >= 3, timeout=60)
        assert url.startswith("http://")
        # A marker on the adapter's audit partition (same key): once it is read, so is every entry before it.
        marker = await AuditTrail(conversation, source="test").record(
            actor_kind=SYSTEM, actor_id=AUDIT_ACTOR, action="test.marker", target="-"
        )
        await wait_until(lambda: audits and audits[-1].entry_id == marker, timeout=60)
    by_kind = [r.WhichOneof("outcome") for r in results]
    assert by_kind == ["customer_found", "payment_promise", "payment_promise"]
    assert results[1].payment_promise == results[2].payment_promise
    assert results[1].payment_promise.outcome == pb.PaymentPromiseResult.OUTCOME_GRANTED
    assert sim.count("liberacaopromessa") == 1
    # The promise and its replay give one audit entry (one entry id; auth stores an id once); the lookup none.
    entries = audits[:-1]
    assert len(entries) == 2
    assert {e.entry_id for e in entries} == {entry_id(pb.SgpRequest(request_id="r2", register_payment_promise={}))}
    entry = entries[0]
    assert entry.actor_kind == BOT
    assert (entry.actor_id, entry.action, entry.target, entry.outcome) == (
        AUDIT_ACTOR,
        "sgp.payment_promise",
        "90004",
        "ok",
    )
    assert entry.details["sgp_outcome"] == "granted"
    assert entry.details["request_id"] == "r2"
    assert "98765432100" not in str(entries)


async def test_campaign_audience_round_trip_over_kafka(
    make_bus: Callable[..., Bus], make_settings: Callable[..., Settings], redis: Redis, sgp: SgpBillingSystem
) -> None:
    results: list[pb.SgpResult] = []

    async def collect(event: pb.SgpResult, envelope: Envelope) -> None:
        results.append(event)

    latest = max(i.due_date for i in await sgp.list_open_invoices("90000"))
    due_in_days = (latest - date.today()).days
    empty_day = next(d for d in range(1, 40) if (date.today() + timedelta(days=d)).day not in (5, 10, 15, 20, 25))
    campaigns = make_bus("campaign-scheduler")
    campaigns.subscribe(topics.SGP_RESULTS, collect, group="campaign-scheduler")
    await campaigns.start(publishes_to=[topics.SGP_REQUESTS])
    app = create_app(make_settings(), redis=redis, bus=make_bus("sgp-adapter"))
    async with running_server(app):
        for request_id, days in (("a1", due_in_days), ("a2", empty_day)):
            request = pb.SgpRequest(
                request_id=request_id,
                conversation_id="campaign:7",
                list_due_invoices=pb.ListDueInvoices(due_in_days=days, limit=5),
            )
            await campaigns.publish(topics.SGP_REQUESTS, request, key=request.conversation_id)
        await wait_until(lambda: len(results) >= 2, timeout=60)
    by_id = {r.request_id: r for r in results}
    audience, nobody = by_id["a1"].due_invoices, by_id["a2"]
    assert len(audience.items) == 5
    assert audience.total > 1000
    assert {i.invoice.due_date for i in audience.items} == {latest.isoformat()}
    assert all(i.phone.startswith("55") and i.customer_name and i.invoice.pdf_url for i in audience.items)
    assert nobody.WhichOneof("outcome") == "due_invoices"
    assert nobody.due_invoices.total == 0


async def test_a_conversation_start_warms_the_customer_found_by_its_whatsapp_number(
    make_bus: Callable[..., Bus], make_settings: Callable[..., Settings], redis: Redis, sim: Any
) -> None:
    settings = make_settings()
    keys = CacheKeys(settings.cache_hash_key.get_secret_value().encode(), settings.cache_key_prefix)
    demo = "".join(ch for ch in DEMO_CUSTOMERS[0].cpf if ch.isdigit())
    conversations = make_bus("conversation")
    await conversations.start(publishes_to=[topics.CONVERSATION_EVENTS])
    app = create_app(settings, redis=redis, bus=make_bus("sgp-adapter"))
    async with running_server(app):
        # Conversation ids are pseudonymous: the number travels in the event.
        for number in ("5598988881000", "5511900000000"):
            started = conv.ConversationStarted(conversation_id=f"c_{number[-4:]}", phone_number_id=PNID, wa_id=number)
            await conversations.publish(topics.CONVERSATION_EVENTS, started, key=started.conversation_id)
        # Other facts on the topic are not the adapter's business.
        closed = conv.ConversationClosed(conversation_id="c_1000", outcome="resolved")
        await conversations.publish(topics.CONVERSATION_EVENTS, closed, key=closed.conversation_id)
        assert await wait_until(lambda: redis.exists(keys.customer(demo)), timeout=30)
        # Cached, encrypted: neither the document nor the name is readable in Redis.
        stored = await redis.get(keys.customer(demo))
        assert demo.encode() not in stored
        assert b"demo da silva" not in stored.lower()
        await wait_until(lambda: sim.count("clientes") >= 2, timeout=30)
    # The registered number led to its customer (one lookup); the unknown one stopped at the phone search.
    assert sim.count("consultacliente") == 1
