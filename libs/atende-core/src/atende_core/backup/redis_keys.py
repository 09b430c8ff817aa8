"""Redis over the wire: every key of the database as DUMP's serialized value with its absolute expiry,
restored with RESTORE ... ABSTTL, so a key expires when it would have (one that expired meanwhile is
skipped). Works with a managed Redis whose RDB file is out of reach; RESTORE needs a server of the
same or a newer Redis version than the one dumped.

Keys are read with SCAN: each key is exact, the set is not one instant (a key written during the dump
may or may not be in it). docs/deployment/DISASTER_RECOVERY.md says why that is enough for Atende's
hot state, and how AOF (appendfsync everysec) covers the minutes between backups.

File format: per key, length-prefixed key, expiry in unix milliseconds (0: none), length-prefixed value.
"""

from __future__ import annotations

import struct
import time
from pathlib import Path
from typing import BinaryIO

from redis.asyncio import Redis

from atende_core.errors import ArchiveError

_KEY = struct.Struct(">I")
_RECORD = struct.Struct(">qI")
SCAN_COUNT = 1000


def client(url: str) -> Redis:
    """A client for long scans (the services' one fails fast on purpose)."""
    return Redis.from_url(url, socket_timeout=30.0, socket_connect_timeout=5.0)


async def dump(redis: Redis, target: Path) -> dict[str, int]:
    """Write every key to `target`; how many were written."""
    written = 0
    with target.open("wb") as out:
        cursor = 0
        while True:
            cursor, keys = await redis.scan(cursor=cursor, count=SCAN_COUNT)
            if keys:
                async with redis.pipeline(transaction=False) as pipe:
                    for key in keys:
                        pipe.dump(key)
                        pipe.pttl(key)  # PEXPIRETIME would be exact, but needs Redis 7
                    answers = await pipe.execute()
                now_ms = int(time.time() * 1000)
                for name, value, ttl_ms in zip(keys, answers[::2], answers[1::2], strict=True):
                    key = name if isinstance(name, bytes) else name.encode()
                    if value is None:
                        continue  # gone between SCAN and DUMP
                    expires_at = now_ms + int(ttl_ms) if int(ttl_ms) > 0 else 0
                    out.write(_KEY.pack(len(key)) + key + _RECORD.pack(expires_at, len(value)) + value)
                    written += 1
            if cursor == 0:
                break
    return {"keys": written}


def _records(stream: BinaryIO) -> list[tuple[bytes, int, bytes]]:
    records = []
    while prefix := stream.read(_KEY.size):
        key = stream.read(_KEY.unpack(prefix)[0])
        head = stream.read(_RECORD.size)
        if len(head) != _RECORD.size:
            raise ArchiveError("the Redis dump is cut short")
        expires_at, size = _RECORD.unpack(head)
        records.append((key, expires_at, stream.read(size)))
    return records


async def is_empty(redis: Redis) -> bool:
    """Whether the database holds no key."""
    return int(await redis.dbsize()) == 0


async def restore(redis: Redis, source: Path) -> dict[str, int]:
    """RESTORE every dumped key that has not expired since (replacing a key of the same name)."""
    restored = expired = 0
    with source.open("rb") as stream:
        records = _records(stream)
    now_ms = int(time.time() * 1000)
    for start in range(0, len(records), SCAN_COUNT):
        async with redis.pipeline(transaction=False) as pipe:
            for key, expires_at, value in records[start : start + SCAN_COUNT]:
                if expires_at and expires_at <= now_ms:
                    expired += 1
                    continue
                pipe.restore(key, expires_at, value, replace=True, absttl=bool(expires_at))
                restored += 1
            await pipe.execute()
    return {"keys": restored, "expired_since": expired}
