"""Agents' presence and the round-robin assignment of new handoffs, shared by every gateway replica.

Keys (prefix = the deployment's topic prefix):
    presence:<user id>     hash: status (available | away), since, last_seen, role, username; lives 7 days
    presence:agents        sorted set: user id → last heartbeat (who the supervisors' list shows)
    presence:available     sorted set: user id → when the heartbeat lapses (available ones only)
    presence:turn          counter: the rotation's position
An agent is present while heartbeats (PUT /operator/presence, every ~30 s from the browser) keep coming;
CONSOLE_PRESENCE_TTL_S after the last one it is offline, whatever it said. The assignment is one Lua
script: drop lapsed agents, take the next one in a stable order (user ids sorted), claim the inbox
entry unless someone has it: two replicas never give one handoff twice, nor skip an agent's turn.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

AVAILABLE, AWAY, OFFLINE = "available", "away", "offline"
_KEEP_S = 7 * 24 * 3600

# KEYS[1] available, KEYS[2] turn, KEYS[3] inbox entry; ARGV now, ttl.
# → the agent it went to; '' nobody available; '-' not in the inbox or someone has it.
_ASSIGN = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('EXISTS', KEYS[3]) == 0 then return '-' end
local owner = redis.call('HGET', KEYS[3], 'agent_id')
if redis.call('HGET', KEYS[3], 'status') == 'claimed' and owner and owner ~= '' then return '-' end
local agents = redis.call('ZRANGE', KEYS[1], 0, -1)
if #agents == 0 then return '' end
table.sort(agents)
local turn = redis.call('INCR', KEYS[2])
local agent = agents[((turn - 1) % #agents) + 1]
redis.call('HSET', KEYS[3], 'status', 'claimed', 'agent_id', agent, 'claimed_at', ARGV[1])
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[2]))
return agent
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass(frozen=True, slots=True)
class Presence:
    """What the supervisors' list shows of one agent."""

    user_id: str
    username: str
    role: str
    status: str
    since: float
    last_seen: float


class PresenceBoard:
    """Heartbeats in, who is available out."""

    def __init__(self, redis: Redis, *, prefix: str, ttl_s: float) -> None:
        self._redis = redis
        self._prefix = prefix
        self.ttl_s = ttl_s
        self._assign = redis.register_script(_ASSIGN)

    def key(self, *parts: str) -> str:
        return f"{self._prefix}presence:" + ":".join(parts)

    async def heartbeat(self, user_id: str, *, status: str, role: str, username: str) -> tuple[Presence, bool]:
        """Record a heartbeat; the presence and whether the status changed (lapsed counts as changed)."""
        now = time.time()
        entry = self.key(user_id)
        stored, _ = await self._read(user_id, now)
        changed = stored is None or stored.status != status
        since = now if changed or stored is None else stored.since
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(entry, mapping={"status": status, "since": repr(since), "last_seen": repr(now), "role": role,
                                      "username": username})  # fmt: skip
            pipe.expire(entry, _KEEP_S)
            pipe.zadd(self.key("agents"), {user_id: now})
            if status == AVAILABLE:
                pipe.zadd(self.key("available"), {user_id: now + self.ttl_s})
            else:
                pipe.zrem(self.key("available"), user_id)
            await pipe.execute()
        return Presence(user_id, username, role, status, since, now), changed

    async def _read(self, user_id: str, now: float) -> tuple[Presence | None, dict[str, str]]:
        raw = {_text(k): _text(v) for k, v in (await self._redis.hgetall(self.key(user_id))).items()}
        if not raw:
            return None, raw
        last_seen = float(raw.get("last_seen") or 0)
        lapsed = now - last_seen > self.ttl_s
        status = OFFLINE if lapsed else raw.get("status", AWAY)
        since = last_seen + self.ttl_s if lapsed else float(raw.get("since") or last_seen)
        presence = Presence(user_id, raw.get("username", ""), raw.get("role", ""), status, since, last_seen)
        return presence, raw

    async def agents(self) -> list[Presence]:
        """Everyone who sent a heartbeat in the last 7 days, by user id."""
        now = time.time()
        await self._redis.zremrangebyscore(self.key("agents"), "-inf", now - _KEEP_S)
        members = sorted(_text(m) for m in await self._redis.zrange(self.key("agents"), 0, -1))
        found = [(await self._read(member, now))[0] for member in members]
        return [presence for presence in found if presence is not None]

    async def assign(self, inbox_entry: str, *, entry_ttl_s: int) -> str | None:
        """Give a queued handoff to the next available agent; None when nobody is available or it is taken."""
        agent = _text(
            await self._assign(
                keys=[self.key("available"), self.key("turn"), inbox_entry], args=[repr(time.time()), entry_ttl_s]
            )
        )
        return agent if agent not in ("", "-") else None
