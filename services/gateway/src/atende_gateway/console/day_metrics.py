"""The console's day metrics: per-day Redis counters and sketches fed by the bus, read in two round trips.

Keys (prefix = the deployment's topic prefix; <day> = the ISP's local date, BUSINESS_TIMEZONE):
    metrics:c:<digest>               hash: the open session of one conversation (session, started_at,
                                     handoff_at, replied): what a later event of it needs
    metrics:<day>:started            set: sessions started that day (`conversations`)
    metrics:<day>:handoffs           set: sessions started that day that asked for a human (`handoff_rate`)
    metrics:<day>:bot, :agents       sets: sessions closed that day, solved by the bot ("resolved") or
                                     with an agent ("handed_off", "closed_by_agent")
    metrics:<day>:first_response     sorted set: session → seconds from its first handoff request to the
                                     first agent reply (on the reply's day)
    metrics:<day>:resolution         sorted set: session → seconds from its start to its close (close's day)
    metrics:<day>:csat               hash: sum, count
    metrics:<day>:intents            hash: intent → customer turns the NLU read so that day
    stats:messages:<UTC day>         atende_core.hourly_counts: customer (inbound), sent (bot and agents)
    stats:sgp_cache:<UTC day>        atende_core.hourly_counts: the sgp-adapter's hits and misses
    dashboard:metrics:<day>          the last answer, JSON, for CONSOLE_METRICS_CACHE_S
Sessions are digests of the conversation id and its start, never the id. Sets and sorted sets absorb a
redelivered event; the counters rely on the bus's handle-once guard. A median is two ranks of a sorted
set: no read walks a day's events. Everything lives 40 days.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from google.protobuf.message import Message
from redis.asyncio import Redis

from atende.conversation.v1 import conversation_pb2 as conv
from atende.nlu.v1 import nlu_pb2 as nlu
from atende.whatsapp.v1 import whatsapp_pb2 as wa
from atende_core.bus import Bus, Envelope, topics
from atende_core.hourly_counts import SGP_CACHE, TTL_S, HourlyCounts

SOLVED_BY_BOT = frozenset({"resolved"})
SOLVED_WITH_AGENTS = frozenset({"handed_off", "closed_by_agent"})
TOP_INTENTS = 10
_SENT = frozenset({"text", "image", "document", "audio", "video", "template", "buttons", "list"})


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _digest(*parts: str) -> str:
    return hashlib.blake2b("|".join(parts).encode(), digest_size=12).hexdigest()


def _at(event: Message, envelope: Envelope, name: str = "occurred_at") -> float:
    return getattr(event, name).ToMicroseconds() / 1e6 if event.HasField(name) else envelope.time.timestamp()


class DayMetrics:
    """Writes the day counters from events and reads one day for GET /operator/metrics."""

    def __init__(self, redis: Redis, *, prefix: str, zone: ZoneInfo, cache_s: float = 60) -> None:
        self._redis = redis
        self._prefix = prefix
        self._zone = zone
        self._cache_s = cache_s
        self.messages = HourlyCounts(redis, prefix=prefix, name="messages")
        self.sgp_cache = HourlyCounts(redis, prefix=prefix, name=SGP_CACHE)

    def day_of(self, at: float) -> date:
        """The ISP's calendar day of a moment."""
        return datetime.fromtimestamp(at, UTC).astimezone(self._zone).date()

    def today(self) -> date:
        return self.day_of(time.time())

    def _key(self, day: date, part: str) -> str:
        return f"{self._prefix}metrics:{day.isoformat()}:{part}"

    def _session_key(self, cid: str) -> str:
        return f"{self._prefix}metrics:c:{_digest(cid)}"

    # --- writes -------------------------------------------------------------------------------------

    async def _add(self, day: date, part: str, member: str, score: float | None = None) -> None:
        key = self._key(day, part)
        async with self._redis.pipeline(transaction=False) as pipe:
            if score is None:
                pipe.sadd(key, member)
            else:
                pipe.zadd(key, {member: score})
            pipe.expire(key, TTL_S)
            await pipe.execute()

    async def _session(self, cid: str, at: float) -> dict[str, str]:
        """The open session of a conversation (one started before these counters is opened now, with no
        start time: its resolution is unknown)."""
        stored = await self._redis.hgetall(self._session_key(cid))
        if stored:
            return {_text(k): _text(v) for k, v in stored.items()}
        return await self._open(cid, at, started=False)

    async def _open(self, cid: str, at: float, *, started: bool = True) -> dict[str, str]:
        session = {"session": _digest(cid, repr(at)), "started_at": repr(at) if started else "",
                   "day": self.day_of(at).isoformat()}  # fmt: skip
        key = self._session_key(cid)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, mapping=session)
            pipe.expire(key, TTL_S)
            await pipe.execute()
        return session

    async def on_conversation_event(self, event: Message, envelope: Envelope) -> None:
        """Starts, handoffs, first replies, closes and ratings (one consumer per conversation key: the
        session's read-then-write is never concurrent)."""
        cid = getattr(event, "conversation_id", "")
        if not cid:
            return
        at = _at(event, envelope)
        match event:
            case conv.ConversationStarted():
                session = await self._open(cid, at)
                await self._add(self.day_of(at), "started", session["session"])
            case conv.HandoffRequested():
                session = await self._session(cid, at)
                if not session.get("handoff_at"):
                    await self._redis.hset(self._session_key(cid), "handoff_at", repr(at))
                    await self._add(date.fromisoformat(session["day"]), "handoffs", session["session"])
            case conv.AgentReplied():
                session = await self._session(cid, at)
                if session.get("handoff_at") and not session.get("replied"):
                    await self._redis.hset(self._session_key(cid), "replied", repr(at))
                    waited = max(at - float(session["handoff_at"]), 0.0)
                    await self._add(self.day_of(at), "first_response", session["session"], waited)
            case conv.ConversationClosed():
                session = await self._session(cid, at)
                day = self.day_of(at)
                if session["started_at"]:
                    started_at = float(session["started_at"])
                    await self._add(day, "resolution", session["session"], max(at - started_at, 0.0))
                if event.outcome in SOLVED_BY_BOT:
                    await self._add(day, "bot", session["session"])
                elif event.outcome in SOLVED_WITH_AGENTS:
                    await self._add(day, "agents", session["session"])
            case conv.CsatRecorded() if 1 <= event.score <= 5:
                key = self._key(self.day_of(at), "csat")
                async with self._redis.pipeline(transaction=False) as pipe:
                    pipe.hincrby(key, "sum", event.score)
                    pipe.hincrby(key, "count", 1)
                    pipe.expire(key, TTL_S)
                    await pipe.execute()
            case _:
                return

    async def on_inbound(self, event: conv.InboundMessage, envelope: Envelope) -> None:
        """A customer message, in its hour."""
        if event.conversation_id and event.WhichOneof("content") not in (None, "reaction") and not event.stale:
            await self.messages.add("customer", at=_at(event, envelope, "sent_at"))

    async def on_outbound(self, event: wa.SendMessage, envelope: Envelope) -> None:
        """A message of the bot or an agent (not read marks or reactions), in its hour."""
        if event.conversation_id and event.WhichOneof("content") in _SENT:
            await self.messages.add("sent", at=envelope.time.timestamp())

    async def on_nlu(self, event: nlu.TextAnalyzed, envelope: Envelope) -> None:
        """The intent of a customer turn."""
        if event.conversation_id and event.intent:
            key = self._key(self.day_of(envelope.time.timestamp()), "intents")
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.hincrby(key, event.intent, 1)
                pipe.expire(key, TTL_S)
                await pipe.execute()

    def subscribe(self, bus: Bus) -> None:
        """Feed the counters from the bus (call before the bus starts)."""
        bus.subscribe(topics.CONVERSATION_EVENTS, self.on_conversation_event, group="gateway-metrics-events")
        bus.subscribe(topics.CONVERSATION_INBOUND, self.on_inbound, group="gateway-metrics-inbound")
        bus.subscribe(topics.WHATSAPP_OUTBOUND, self.on_outbound, group="gateway-metrics-outbound")
        bus.subscribe(topics.NLU_RESULTS, self.on_nlu, group="gateway-metrics-nlu")

    # --- reads --------------------------------------------------------------------------------------

    async def read(self, day: date) -> dict[str, Any]:
        """The day's figures: from the shared copy while it is fresh, else computed and kept."""
        cached_key = f"{self._prefix}dashboard:metrics:{day.isoformat()}"
        if self._cache_s > 0 and (cached := await self._redis.get(cached_key)):
            return dict(json.loads(cached))
        figures = await self.compute(day)
        if self._cache_s > 0:
            await self._redis.set(cached_key, json.dumps(figures), px=max(int(self._cache_s * 1000), 1))
        return figures

    async def compute(self, day: date) -> dict[str, Any]:
        """The day's figures from its counters."""
        key = self._key
        async with self._redis.pipeline(transaction=False) as pipe:
            for part in ("started", "handoffs", "bot", "agents"):
                pipe.scard(key(day, part))
            pipe.zcard(key(day, "first_response"))
            pipe.zcard(key(day, "resolution"))
            pipe.hgetall(key(day, "csat"))
            pipe.hgetall(key(day, "intents"))
            started, handoffs, bot, agents, responses, resolutions, csat, intents = await pipe.execute()
        first_response, resolution = await self._medians(
            (key(day, "first_response"), responses), (key(day, "resolution"), resolutions)
        )
        messages = await self.messages.local_day(day, self._zone)
        sgp = await self.sgp_cache.local_day(day, self._zone)
        hits, misses = sum(sgp.get("hit", [])), sum(sgp.get("miss", []))
        csat = {_text(k): int(v) for k, v in csat.items()}
        ranked = sorted(((_text(k), int(v)) for k, v in intents.items()), key=lambda item: (-item[1], item[0]))
        per_hour = [
            a + b for a, b in zip(messages.get("customer", [0] * 24), messages.get("sent", [0] * 24), strict=True)
        ]
        return {
            "day": day.isoformat(),
            "conversations": started,
            "solved_by_bot": bot,
            "solved_by_agents": agents,
            "handoff_rate": round(handoffs / started, 4) if started else 0.0,
            "median_first_response_s": first_response,
            "median_resolution_s": resolution,
            "csat_average": round(csat["sum"] / csat["count"], 2) if csat.get("count") else None,
            "csat_responses": csat.get("count", 0),
            "top_intents": [{"intent": intent, "count": count} for intent, count in ranked[:TOP_INTENTS]],
            "sgp_cache_hit_rate": round(hits / (hits + misses), 4) if hits + misses else None,
            "messages_per_hour": per_hour,
            "generated_at": time.time(),
        }

    async def _medians(self, *sets: tuple[str, int]) -> list[float | None]:
        """The median score of each sorted set (the mean of the two middle ones for an even count)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for name, size in sets:
                if size:
                    pipe.zrange(name, (size - 1) // 2, size // 2, withscores=True)
            rows = iter(await pipe.execute())
        medians: list[float | None] = []
        for _, size in sets:
            middle = next(rows) if size else []
            medians.append(round(sum(score for _, score in middle) / len(middle), 1) if middle else None)
        return medians
