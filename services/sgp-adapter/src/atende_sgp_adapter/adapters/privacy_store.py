"""The sgp-adapter's side of LGPD erasure and export (docs/privacy.md).

SGP is the ISP's system of record: we never erase there. What we hold is the cache: the customer
(`sgp_cliente:<document index>`, reached also through `sgp_contrato_dono:<contract>`), per contract
the customer view, open invoices, PIX codes and connection status, the contract in the recently-active
set (which would warm it again at start-up), and phone → documents (`sgp_fone:<phone index>`).
Entries are found by the resolved command's contract ids, and by its document and phone indexes
(those match the cache's keys when CACHE_HASH_KEY is the deployment's PII_HASH_KEY).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from redis.asyncio import Redis

from atende_core.pii import Keyring, PiiDecryptError, is_ciphertext
from atende_core.privacy import Subject
from atende_sgp_adapter.adapters.keys import CacheKeys

_SCAN_COUNT = 500


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _json(raw: Any) -> Any:
    try:
        return json.loads(_text(raw))
    except ValueError:
        return _text(raw)


class SgpCachePrivacy:
    """Finds, erases and exports the cache entries about a subject."""

    def __init__(self, redis: Redis, keys: CacheKeys, *, pii: Keyring | None = None) -> None:
        self._redis = redis
        self._keys = keys
        self._pii = pii  # cache values are encrypted, each bound to its key (CachedBillingSystem)

    def _value(self, name: str, raw: Any) -> Any:
        if self._pii is not None and isinstance(raw, bytes) and is_ciphertext(raw):
            try:
                raw = self._pii.decrypt_bytes(raw, purpose="sgp-cache:" + name.removeprefix(self._keys.prefix))
            except PiiDecryptError:
                return None
        return _json(raw)

    async def _keys_of(self, subject: Subject) -> dict[str, list[str]]:
        """Cache keys about the subject, by family (only keys that exist)."""
        prefix = self._keys.prefix
        families: dict[str, list[str]] = {"customer": [f"{prefix}sgp_cliente:{subject.document_index}"]}
        families["phone"] = [f"{prefix}sgp_fone:{index}" for index in subject.phone_indexes]
        for contract in subject.contract_ids:
            owner = await self._redis.get(self._keys.contract_owner(contract))
            if owner is not None:
                families["customer"].append(_text(owner))
            families.setdefault("contract", []).extend(
                [
                    self._keys.contract_owner(contract),
                    self._keys.customer_by_contract(contract),
                    self._keys.connection(contract),
                ]
            )
            families.setdefault("invoices", []).append(self._keys.invoices(contract))
            pix = [
                _text(k)
                async for k in self._redis.scan_iter(match=f"{self._keys.pix(contract, '')}*", count=_SCAN_COUNT)
            ]
            families.setdefault("pix", []).extend(pix)
        present: dict[str, list[str]] = {}
        for family, names in families.items():
            unique = list(dict.fromkeys(names))
            if unique:
                exists = [name for name, found in zip(unique, await self._exists(unique), strict=True) if found]
                if exists:
                    present[family] = exists
        return present

    async def _exists(self, names: list[str]) -> list[bool]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.exists(name)
            return [bool(n) for n in await pipe.execute()]

    async def erase(self, subject: Subject) -> Mapping[str, int]:
        """Delete the cached entries and drop the contracts from the recently-active set."""
        present = await self._keys_of(subject)
        erased = {f"redis.{family}": int(await self._redis.delete(*names)) for family, names in present.items()}
        if subject.contract_ids:
            erased["redis.recent_contracts"] = int(
                await self._redis.zrem(self._keys.recent_contracts(), *subject.contract_ids)
            )
        return erased

    async def export(self, subject: Subject) -> dict[str, Any]:
        """What the cache holds (in clear: it is the person's own data, from the ISP's system)."""
        present = await self._keys_of(subject)
        cache: dict[str, Any] = {}
        for family, names in present.items():
            values = await self._redis.mget(names)
            cache[family] = [
                {"key": name.removeprefix(self._keys.prefix), "value": self._value(name, value)}
                for name, value in zip(names, values, strict=True)
                if value is not None
            ]
        return {"system_of_record": "SGP (the ISP's billing system); this is only our cache", "cache": cache}
