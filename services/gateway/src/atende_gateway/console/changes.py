"""Live changes for the console: what every open inbox needs to hear about, across gateway replicas.

A change is published once on the deployment's Redis channel `{prefix}console:changes` as
`{"kind": ..., "data": {...}}`; each gateway replica holds one subscription and fans it out to the
stream clients connected to it, so a change seen by any replica reaches an agent on any other.
A client that cannot keep up, or a subscription that dropped, gets a `resync` instead of a silent gap:
the UI then reloads what it shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

CHANNEL = "console:changes"
RESYNC = "resync"
_RETRY_S = 1.0


@dataclass(frozen=True, slots=True)
class Change:
    kind: str
    data: dict[str, Any]


async def publish_change(redis: Redis, prefix: str, kind: str, data: dict[str, Any]) -> None:
    """Tell every open console about a change (best effort: a lost one is covered by the UI's reloads)."""
    try:
        await redis.publish(prefix + CHANNEL, json.dumps({"kind": kind, "data": data}, ensure_ascii=False))
    except RedisError as exc:
        log.warning("console change not published", extra={"error.type": type(exc).__name__, "change.kind": kind})


class ChangeHub:
    """One Redis subscription per process, fanned out to a bounded queue per connected client."""

    def __init__(self, redis: Redis, prefix: str, *, queue_size: int = 256, max_clients: int = 500) -> None:
        self._redis = redis
        self._channel = prefix + CHANNEL
        self._queue_size = queue_size
        self.max_clients = max_clients
        self._clients: set[asyncio.Queue[Change]] = set()
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    @property
    def clients(self) -> int:
        return len(self._clients)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._pump(), name="console-changes")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), timeout=5)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @contextlib.contextmanager
    def listen(self) -> Iterator[asyncio.Queue[Change]]:
        """A queue of the changes from now on, for as long as the block runs."""
        queue: asyncio.Queue[Change] = asyncio.Queue(maxsize=self._queue_size)
        self._clients.add(queue)
        try:
            yield queue
        finally:
            self._clients.discard(queue)

    def _deliver(self, change: Change) -> None:
        for queue in self._clients:
            try:
                queue.put_nowait(change)
            except asyncio.QueueFull:
                # Too slow to follow: drop what it has not read and tell it to reload instead.
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(Change(RESYNC, {}))

    async def _pump(self) -> None:
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                if self._subscribed.is_set():  # a reconnection: changes may have been missed meanwhile
                    self._deliver(Change(RESYNC, {}))
                self._subscribed.set()
                async for message in pubsub.listen():
                    change = _decode(message.get("data"))
                    if change is not None:
                        self._deliver(change)
            except RedisError as exc:
                log.warning("console changes subscription lost", extra={"error.type": type(exc).__name__})
                await asyncio.sleep(_RETRY_S)
            finally:
                with contextlib.suppress(RedisError):
                    await pubsub.aclose()


def _decode(raw: Any) -> Change | None:
    try:
        body = json.loads(raw)
        kind, data = body["kind"], body["data"]
    except (TypeError, ValueError, KeyError):
        log.warning("console change unreadable", extra={"event.action": "change-dropped"})
        return None
    if not isinstance(kind, str) or not isinstance(data, dict):
        return None
    return Change(kind, data)
