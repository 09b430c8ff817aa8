"""A seeded day of service for the console: real events on the bus, and the metrics they must give.

`seed_day(bus, redis, prefix=..., day=...)` publishes, as the conversation service, the WhatsApp
connector and the NLU would, six conversations of one local day (America/Sao_Paulo) plus one of the
evening before and counts the sgp-adapter's cache lookups through the code the adapter uses
(atende_core.hourly_counts). It returns what GET /operator/metrics?day=... must answer: the
integration tests assert it exactly, the browser tests show it.

    conversation  starts  handoff  1st reply  closes                 intents                 CSAT
    a             09:05   -        -          09:10 resolved          segunda_via             5
    b             09:30   -        -          09:32 resolved          segunda_via             4
    c             10:00   10:02    10:03      10:20 handed_off        sem_conexao             3
    d             14:00   14:01    14:04      14:30 closed_by_agent   sem_conexao x2          -
    e             15:00   15:00:30 -          (open)                  falar_atendente         -
    f             23:30   -        -          23:50 abandoned         (none)                  -
    (the day before: one conversation at 23:50 with a customer message and an intent: never counted)
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from redis.asyncio import Redis

from atende.conversation.v1 import conversation_pb2 as conv
from atende.nlu.v1 import nlu_pb2 as nlu
from atende.whatsapp.v1 import whatsapp_pb2 as wa
from atende_core.bus import Bus, topics
from atende_core.hourly_counts import SGP_CACHE, HourlyCounts

ZONE = ZoneInfo("America/Sao_Paulo")
PHONE_NUMBER_ID = "106540352242922"
# What the seeded day publishes (topics the seeding bus must be started with).
TOPICS = (topics.CONVERSATION_EVENTS, topics.CONVERSATION_INBOUND, topics.WHATSAPP_OUTBOUND, topics.NLU_RESULTS)


@dataclass
class SeededDay:
    """The seeded day and the figures the console must show for it (`generated_at` aside)."""

    day: date
    conversation_ids: list[str]
    expected: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Script:
    bus: Bus
    day: date
    hours: list[int] = field(default_factory=lambda: [0] * 24)

    def moment(self, hh: int, mm: int, ss: int = 0, *, days: int = 0) -> datetime:
        local = datetime(self.day.year, self.day.month, self.day.day, hh, mm, ss, tzinfo=ZONE) + timedelta(days=days)
        return local.astimezone(UTC)

    async def publish(self, topic: str, event: Message, cid: str, at: datetime) -> None:
        # ce_time: the moment it happened, for the events whose schema has no time of their own.
        await self.bus.publish(topic, event, key=cid, headers={"ce_time": at.isoformat()})

    async def event(self, cid: str, kind: Callable[..., Message], at: datetime, **fields: Any) -> None:
        stamp = Timestamp()
        stamp.FromDatetime(at)
        await self.publish(topics.CONVERSATION_EVENTS, kind(conversation_id=cid, occurred_at=stamp, **fields), cid, at)

    async def customer(self, cid: str, n: int, at: datetime, text: str, intent: str = "") -> None:
        stamp = Timestamp()
        stamp.FromDatetime(at)
        message_id = f"wamid.seed{uuid.uuid4().hex}"
        inbound = conv.InboundMessage(
            conversation_id=cid,
            message_id=message_id,
            phone_number_id=PHONE_NUMBER_ID,
            wa_id=_wa_id(n),
            sent_at=stamp,
            text=conv.TextContent(body=text),
        )
        await self.publish(topics.CONVERSATION_INBOUND, inbound, cid, at)
        if intent:
            result = nlu.TextAnalyzed(
                request_id=str(uuid.uuid4()),
                conversation_id=cid,
                intent=intent,
                confidence=0.9,
                sentiment="neutro",
                model="local",
                message_id=message_id,
            )
            await self.publish(topics.NLU_RESULTS, result, cid, at)
        if at.astimezone(ZONE).date() == self.day:
            self.hours[at.astimezone(ZONE).hour] += 1

    async def bot(self, cid: str, n: int, at: datetime, text: str) -> None:
        command = wa.SendMessage(
            command_id=str(uuid.uuid4()),
            conversation_id=cid,
            phone_number_id=PHONE_NUMBER_ID,
            to=_wa_id(n),
            text=wa.Text(body=text),
        )
        await self.publish(topics.WHATSAPP_OUTBOUND, command, cid, at)
        if at.astimezone(ZONE).date() == self.day:
            self.hours[at.astimezone(ZONE).hour] += 1


def _wa_id(n: int) -> str:
    return f"5511987{n:06d}"


async def seed_day(bus: Bus, redis: Redis, *, prefix: str, day: date, tag: str = "") -> SeededDay:
    """Publish the day's events (the bus must be started with `TOPICS`) and count its SGP lookups."""
    script = _Script(bus, day)
    tag = tag or uuid.uuid4().hex[:8]
    cids = [f"c1.seed{tag}{letter}" for letter in "abcdefz"]
    a, b, c, d, e, f, before = cids
    at = script.moment
    started = conv.ConversationStarted
    # The evening before: counted on its own day only.
    await script.event(before, started, at(23, 50, days=-1), phone_number_id=PHONE_NUMBER_ID, wa_id=_wa_id(7))
    await script.customer(before, 7, at(23, 50, 5, days=-1), "boa noite", "saudacao")
    for n, (cid, (hh, mm)) in enumerate(
        zip(cids[:6], [(9, 5), (9, 30), (10, 0), (14, 0), (15, 0), (23, 30)], strict=True)
    ):
        await script.event(cid, started, at(hh, mm), phone_number_id=PHONE_NUMBER_ID, wa_id=_wa_id(n))
    # a, b: the bot solves them.
    await script.customer(a, 0, at(9, 5, 10), "quero a segunda via", "segunda_via")
    await script.bot(a, 0, at(9, 5, 12), "Aqui está a sua fatura")
    await script.event(a, conv.ConversationClosed, at(9, 10), outcome="resolved", intents=["segunda_via"])
    await script.event(a, conv.CsatRecorded, at(9, 11), score=5)
    await script.customer(b, 1, at(9, 30, 5), "boleto por favor", "segunda_via")
    await script.bot(b, 1, at(9, 30, 7), "Aqui está a sua fatura")
    await script.event(b, conv.ConversationClosed, at(9, 32), outcome="resolved", intents=["segunda_via"])
    await script.event(b, conv.CsatRecorded, at(9, 33), score=4)
    # c, d: agents solve them (first replies after 60 and 180 s).
    await script.customer(c, 2, at(10, 0, 10), "estou sem internet", "sem_conexao")
    await script.event(c, conv.HandoffRequested, at(10, 2), reason="customer_asked", within_business_hours=True)
    await script.event(c, conv.AgentReplied, at(10, 3), agent_id="u-ana", text="Olá, vou verificar")
    await script.event(c, conv.AgentReplied, at(10, 5), agent_id="u-ana", text="Pronto")
    await script.event(c, conv.ConversationClosed, at(10, 20), outcome="handed_off", intents=["sem_conexao"])
    await script.event(c, conv.CsatRecorded, at(10, 21), score=3)
    await script.customer(d, 3, at(14, 0, 10), "a internet caiu", "sem_conexao")
    await script.customer(d, 3, at(14, 0, 40), "continua sem internet", "sem_conexao")
    await script.event(d, conv.HandoffRequested, at(14, 1), reason="low_confidence", within_business_hours=True)
    await script.event(d, conv.AgentReplied, at(14, 4), agent_id="u-bruno", text="Vou abrir um chamado")
    await script.event(d, conv.ConversationClosed, at(14, 30), outcome="closed_by_agent", reason="resolved")
    # e: waits for an agent; f: the customer goes silent late in the evening.
    await script.customer(e, 4, at(15, 0, 10), "quero falar com um atendente", "falar_atendente")
    await script.event(e, conv.HandoffRequested, at(15, 0, 30), reason="customer_asked", within_business_hours=True)
    await script.customer(f, 5, at(23, 30, 10), "oi")
    await script.event(f, conv.ConversationClosed, at(23, 50), outcome="abandoned")
    # The sgp-adapter's cache: 3 hits and 1 miss that day, 5 misses the day before.
    sgp = HourlyCounts(redis, prefix=prefix, name=SGP_CACHE)
    for hit in (True, True, False, True):
        sgp.count("hit" if hit else "miss", at=at(9, 6).timestamp())
    sgp.count("miss", at=at(23, 55, days=-1).timestamp(), amount=5)
    await sgp.flush()
    expected = {
        "day": day.isoformat(),
        "conversations": 6,
        "solved_by_bot": 2,
        "solved_by_agents": 2,
        "handoff_rate": 0.5,
        "median_first_response_s": 120.0,  # 60, 180
        "median_resolution_s": 1200.0,  # 120, 300, 1200, 1200, 1800
        "csat_average": 4.0,
        "csat_responses": 3,
        "top_intents": [
            {"intent": "sem_conexao", "count": 3},
            {"intent": "segunda_via", "count": 2},
            {"intent": "falar_atendente", "count": 1},
        ],
        "sgp_cache_hit_rate": 0.75,
        "messages_per_hour": script.hours,
    }
    return SeededDay(day=day, conversation_ids=cids[:6], expected=expected)
