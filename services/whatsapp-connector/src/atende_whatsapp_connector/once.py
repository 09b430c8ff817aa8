"""Handle-once claims by WhatsApp id or command id, shared by the use cases."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from atende_core.bus.idempotency import Claim
from atende_whatsapp_connector import metrics
from atende_whatsapp_connector.ports import Deduplicator

# A claim left by a consumer that died mid-way expires after the claim TTL (60 s): wait that long
# rather than dead-letter a message that simply has to be handled again.
CLAIM_WAIT_SECONDS = 65.0
_POLL_SECONDS = 0.5


class ClaimBusy(Exception):
    """Another consumer kept the same id claimed for too long; the bus retries, then dead-letters."""


async def claim_once(
    dedup: Deduplicator,
    key: str,
    *,
    kind: str,
    wait_seconds: float = CLAIM_WAIT_SECONDS,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Claim | None:
    """The claim to go on with (ACQUIRED, or UNAVAILABLE when Redis is away), or None when `key` was
    already handled; waits while someone else holds it."""
    deadline = time.monotonic() + wait_seconds
    while True:
        claim = await dedup.claim(key)
        if claim is Claim.DONE:
            metrics.DUPLICATES.labels(kind).inc()
            return None
        if claim is not Claim.IN_PROGRESS:
            return claim
        if time.monotonic() >= deadline:
            raise ClaimBusy(key)
        await sleep(_POLL_SECONDS)
