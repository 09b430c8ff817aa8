"""Webhook delivery like Meta's: signed POSTs to the gateway, retried with backoff until a 200."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import httpx

from .config import RuntimeConfig
from .domain.webhooks import serialize_meta, sign

logger = logging.getLogger(__name__)
USER_AGENT = "facebookexternalua"


@dataclass
class Attempt:
    """One POST of a delivery."""

    at: float
    status_code: int | None
    error: str | None = None


@dataclass
class Delivery:
    """A webhook body and every attempt to deliver it."""

    seq: int
    kind: str
    url: str
    payload: dict[str, Any]
    raw: str
    signature: str
    attempts: list[Attempt] = field(default_factory=list)
    delivered: bool = False
    gave_up: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON form served by ``GET /_sim/webhooks``."""
        return {
            "seq": self.seq,
            "kind": self.kind,
            "url": self.url,
            "payload": self.payload,
            "raw": self.raw,
            "signature": self.signature,
            "attempts": [a.__dict__ for a in self.attempts],
            "delivered": self.delivered,
            "gave_up": self.gave_up,
        }


class WebhookDeliverer:
    """Sign, POST and retry webhooks; keeps a bounded log of deliveries."""

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        config: Callable[[], RuntimeConfig],
        app_secret: str,
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        rng: random.Random | None = None,
    ) -> None:
        self._client = client
        self._config = config
        self._secret = app_secret
        self._spawn = spawn
        self._rng = rng or random.Random()
        self.log: deque[Delivery] = deque(maxlen=2000)
        self._seq = 0

    def prepare(self, payload: dict[str, Any], kind: str) -> Delivery:
        """Serialise and sign a payload the Meta way."""
        cfg = self._config()
        raw = serialize_meta(payload, escape_slashes=cfg.webhook_escape_slashes)
        self._seq += 1
        delivery = Delivery(
            seq=self._seq,
            kind=kind,
            url=cfg.webhook_url,
            payload=payload,
            raw=raw.decode("ascii"),
            signature=sign(self._secret, raw),
        )
        self.log.append(delivery)
        return delivery

    async def post(self, url: str, raw: bytes, headers: dict[str, str]) -> tuple[int | None, str | None, str]:
        """POST once; return (status code or None, transport error or None, response text)."""
        timeout = self._config().webhook_timeout_s
        try:
            response = await self._client.post(url, content=raw, headers=headers, timeout=timeout)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}", ""
        return response.status_code, None, response.text[:2000]

    async def _attempt(self, delivery: Delivery) -> int | None:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Hub-Signature-256": delivery.signature,
        }
        status, error, _ = await self.post(delivery.url, delivery.raw.encode("ascii"), headers)
        delivery.attempts.append(Attempt(at=time.time(), status_code=status, error=error))
        if status == 200:
            delivery.delivered = True
        else:
            logger.info(
                "webhook delivery attempt failed",
                extra={"delivery_seq": delivery.seq, "status_code": status, "error": error},
            )
        return status

    async def _retry_loop(self, delivery: Delivery) -> None:
        cfg = self._config()
        while not delivery.delivered:
            if len(delivery.attempts) >= cfg.webhook_max_attempts:
                delivery.gave_up = True
                logger.warning("webhook delivery gave up", extra={"delivery_seq": delivery.seq})
                return
            # Meta retries "with decreasing frequency": exponential backoff with a little jitter.
            base = cfg.webhook_backoff_s * (2 ** (len(delivery.attempts) - 1))
            await asyncio.sleep(base * (1 + 0.1 * self._rng.random()))
            await self._attempt(delivery)

    async def _maybe_duplicate(self, delivery: Delivery) -> None:
        if delivery.delivered and self._rng.random() < self._config().webhook_duplicate_probability:
            await self._attempt(delivery)

    async def deliver(self, payload: dict[str, Any], kind: str) -> Delivery:
        """Deliver now: await the first attempt, keep retrying in the background if it failed."""
        delivery = self.prepare(payload, kind)
        await self._attempt(delivery)
        if delivery.delivered:
            await self._maybe_duplicate(delivery)
        else:
            self._spawn(self._retry_loop(delivery))
        return delivery

    async def deliver_with_retries(self, payload: dict[str, Any], kind: str) -> Delivery:
        """Deliver and await every retry (used by background status flows)."""
        delivery = self.prepare(payload, kind)
        await self._attempt(delivery)
        await self._retry_loop(delivery)
        await self._maybe_duplicate(delivery)
        return delivery

    def query(self, *, kind: str | None = None, since_seq: int = 0) -> list[Delivery]:
        """Return logged deliveries, oldest first."""
        return [d for d in self.log if d.seq > since_seq and (kind is None or d.kind == kind)]
