"""The key ring: which key signs now, what the JWKS publishes, rotation by kid."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Any

from atende_auth import metrics
from atende_auth.domain import keys as keys_domain
from atende_auth.domain.clock import Clock
from atende_auth.domain.keys import SigningKey
from atende_auth.ports import StoredKeys

log = logging.getLogger(__name__)
# Keys are re-read from the store this often, so a rotation by another replica or by the CLI is seen.
CACHE_S = 5.0


class KeyRing:
    """Signing keys from the store, cached briefly; rotates on an interval or on demand."""

    def __init__(
        self,
        store: StoredKeys,
        *,
        clock: Clock,
        token_ttl_s: int,
        rotation_interval_s: int,
        activation_delay_s: int,
    ) -> None:
        self._store = store
        self._clock = clock
        self._token_ttl_s = token_ttl_s
        self._rotation_interval_s = rotation_interval_s
        self._activation_delay_s = activation_delay_s
        self._cached: list[SigningKey] = []
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    async def _keys(self) -> list[SigningKey]:
        if time.monotonic() - self._loaded_at >= CACHE_S:
            self._cached = await self._store.all()
            self._loaded_at = time.monotonic()
        return self._cached

    async def signing_key(self) -> SigningKey:
        """The key to sign with now; creates the first key, and a successor when rotation is due."""
        async with self._lock:
            keys = await self._keys()
            now = self._clock.now()
            if keys_domain.rotation_due(keys, now=now, interval_s=self._rotation_interval_s):
                await self._rotate_locked()
                keys = await self._keys()
                now = self._clock.now()  # the new key activates at the instant it was made
            key = keys_domain.signing_key(keys, now=now)
        if key is None:  # only a pending first key, which rotate() never makes; defensive
            raise RuntimeError("no active signing key")
        return key

    async def rotate(self, *, activation_delay_s: int | None = None) -> SigningKey:
        """Create a new key, published now and signing after the activation delay (at once when it is
        the first key); keys whose tokens have all expired are removed."""
        async with self._lock:
            return await self._rotate_locked(activation_delay_s)

    async def _rotate_locked(self, activation_delay_s: int | None = None) -> SigningKey:
        existing = await self._store.all()
        now = self._clock.now()
        delay_s = self._activation_delay_s if activation_delay_s is None else activation_delay_s
        activates_at = now + timedelta(seconds=delay_s) if existing else now
        key = keys_domain.new_key(now=now, activates_at=activates_at)
        await self._store.add(key)
        kept = {k.kid for k in keys_domain.published([*existing, key], now=now, token_ttl_s=self._token_ttl_s)}
        await self._store.remove([k.kid for k in existing if k.kid not in kept])
        self._loaded_at = float("-inf")
        metrics.KEY_ROTATIONS.inc()
        log.info("signing key created", extra={"event.action": "key-rotated", "kid": key.kid})
        return key

    async def published(self) -> list[SigningKey]:
        """The keys verifiers may need now."""
        keys = await self._keys()
        return keys_domain.published(keys, now=self._clock.now(), token_ttl_s=self._token_ttl_s)

    async def jwks(self) -> dict[str, Any]:
        """The JWKS document."""
        return {"keys": [k.public_jwk() for k in await self.published()]}

    async def by_kid(self) -> dict[str, SigningKey]:
        """Published keys by kid (to verify this service's own enrolment tokens)."""
        return {k.kid: k for k in await self.published()}
