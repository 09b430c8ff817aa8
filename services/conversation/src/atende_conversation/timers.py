"""The background task that fires due timers (reply timeouts, inactivity) from the Redis sorted set.

Several replicas may poll: a claim pushes each due member a lease ahead, so one replica fires it; the
member is removed after the conversation handled it, and fires again after the lease if that failed.
"""

from __future__ import annotations

import asyncio
import logging
import time

from prometheus_client import Counter

from atende_conversation.engine import ConversationEngine
from atende_conversation.ports import TimerStore
from atende_core.tasks import cancelled

log = logging.getLogger(__name__)

FIRED = Counter("atende_conversation_timers_fired_total", "Timers delivered to their conversation")
FAILED = Counter("atende_conversation_timer_failures_total", "Timers whose handling failed (retried after the lease)")


class TimerPoller:
    """Polls due timers and hands them to the engine."""

    def __init__(
        self,
        timers: TimerStore,
        engine: ConversationEngine,
        *,
        interval_seconds: float = 0.25,
        lease_seconds: float = 30.0,
        batch: int = 100,
    ) -> None:
        self._timers = timers
        self._engine = engine
        self._interval = interval_seconds
        self._lease = lease_seconds
        self._batch = batch
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start polling in the background."""
        self._task = asyncio.create_task(self._loop(), name="conversation-timers")

    async def stop(self) -> None:
        """Stop polling (a timer being handled is cancelled and fires again after its lease)."""
        await cancelled(self._task)
        self._task = None

    async def poll_once(self) -> int:
        """Fire what is due now; how many fired."""
        members = await self._timers.claim_due(time.time(), limit=self._batch, lease_seconds=self._lease)
        for member in members:
            try:
                await self._engine.fire_timer(member)
            except Exception:
                FAILED.inc()
                log.exception("timer handling failed", extra={"timer.member_kind": member.split("|")[1:2]})
                continue
            await self._timers.remove(member)
            FIRED.inc()
        return len(members)

    async def _loop(self) -> None:
        while True:
            try:
                fired = await self.poll_once()
            except Exception:
                log.warning("timer poll failed", exc_info=True)
                fired = 0
            if fired < self._batch:
                await asyncio.sleep(self._interval)
