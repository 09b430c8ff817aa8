"""What tests do as an agent through the gateway's operator API."""

from __future__ import annotations

import httpx

from atende_testing.waiting import wait_until


async def wait_for_handoff(operator: httpx.AsyncClient, conversation_id: str, *, timeout: float = 60.0) -> bool:
    """Wait until the conversation is in the agents' inbox (the handoff reached the gateway)."""

    async def queued() -> bool:
        items = (await operator.get("/operator/handoffs")).json()["items"]
        return any(item["conversation_id"] == conversation_id for item in items)

    return await wait_until(queued, timeout=timeout)
