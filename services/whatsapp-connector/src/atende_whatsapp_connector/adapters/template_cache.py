"""The business account's templates an agent can send, read from the Graph API and cached in Redis.

Key: `<prefix>wa:templates:<waba>` → JSON list (domain.templates.console_template), TTL
WHATSAPP_TEMPLATE_CACHE_S. Approvals happen in Meta's manager, so a few minutes late is fine; Redis
down only makes every listing a Graph call.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from atende_whatsapp_connector.adapters.graph import GraphClient
from atende_whatsapp_connector.domain.templates import console_template

log = logging.getLogger(__name__)


class ApprovedTemplates:
    """Lists the sendable approved templates of one business account."""

    def __init__(
        self, graph: GraphClient, redis: Redis, *, business_account_id: str, prefix: str, ttl_s: float
    ) -> None:
        self._graph = graph
        self._redis = redis
        self._waba = business_account_id
        self._key = f"{prefix}wa:templates:{business_account_id}"
        self._ttl_ms = max(int(ttl_s * 1000), 1)

    async def list(self) -> list[dict[str, Any]]:
        """The cached list, else the Graph API's (raises GraphApiError or httpx.HTTPError)."""
        try:
            cached = await self._redis.get(self._key)
        except (RedisError, OSError):
            log.warning("template cache unavailable; asking the Graph API")
            cached = None
        if cached is not None:
            items: list[dict[str, Any]] = json.loads(cached)
            return items
        listed = await self._graph.list_templates(self._waba)
        items = [t for t in (console_template(item) for item in listed) if t is not None]
        items.sort(key=lambda t: (t["name"], t["language"]))
        try:
            await self._redis.set(self._key, json.dumps(items, ensure_ascii=False), px=self._ttl_ms)
        except (RedisError, OSError):
            log.warning("could not cache the template list")
        return items
