"""A copy of the chain's head checkpoint in Redis: a witness outside MongoDB against a truncated tail.

Someone who can write to MongoDB can cut the chain's tail and put the stored checkpoint back to an
older (genuine) head; the copy in Redis, another system with other credentials, still says how far the
chain reached. It only ever moves forward (a Lua script compares sequences). Redis down or flushed
means a missing or lagging copy, which verification tolerates: never wrong, only less evidence.
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from atende_auth.audit import metrics
from atende_auth.audit.chain import Checkpoint

log = logging.getLogger(__name__)
KEY = "audit:checkpoint"
_ADVANCE = """
local current = tonumber(redis.call('HGET', KEYS[1], 'sequence') or '-1')
if current < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'sequence', ARGV[1], 'hash', ARGV[2], 'mac', ARGV[3])
  return 1
end
return 0
"""


class RedisCheckpointMirror:
    """Keeps the furthest head checkpoint in one Redis hash (`<prefix>audit:checkpoint`)."""

    def __init__(self, redis: Redis, *, key_prefix: str = "") -> None:
        self._redis = redis
        self._key = key_prefix + KEY

    async def advance(self, checkpoint: Checkpoint) -> None:
        """Move the copy forward to `checkpoint` (a failure is counted and logged, never raised)."""
        try:
            await self._redis.eval(_ADVANCE, 1, self._key, str(checkpoint.sequence), checkpoint.hash, checkpoint.mac)
        except (RedisError, OSError) as exc:
            metrics.MIRROR_ERRORS.inc()
            log.warning("audit checkpoint not copied to redis", extra={"error.type": type(exc).__name__})

    async def read(self) -> Checkpoint | None:
        """The copy, or None when there is none or Redis does not answer."""
        try:
            raw = await self._redis.hgetall(self._key)
        except (RedisError, OSError) as exc:
            metrics.MIRROR_ERRORS.inc()
            log.warning("audit checkpoint copy unreadable", extra={"error.type": type(exc).__name__})
            return None
        values = {_text(k): _text(v) for k, v in raw.items()}
        sequence = values.get("sequence", "")
        if not sequence.isdigit():
            return None
        return Checkpoint(sequence=int(sequence), hash=values.get("hash", ""), mac=values.get("mac", ""))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
