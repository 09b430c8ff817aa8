"""Retention of MongoDB collections: a TTL index where the server has them, a periodic purge where not.

FerretDB (our local and test MongoDB-wire server) refuses `expireAfterSeconds` ("not implemented
yet", code 238), so a service there deletes expired records itself every `purge_interval_s`; on
MongoDB the TTL monitor does it and the purge finds nothing. Both use the same rule: a record goes once
its `field` (a date) is older than `ttl_s`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

from atende_core.tasks import cancelled

log = logging.getLogger(__name__)
_NOT_IMPLEMENTED = 238
_INDEX_OPTIONS_CONFLICT = 85


@dataclass(frozen=True, slots=True)
class Retention:
    """Records of `collection` expire `ttl_s` after the date in `field`."""

    collection: str
    field: str
    ttl_s: float

    @property
    def index_name(self) -> str:
        """The TTL index's name."""
        return f"retention_{self.field}"


class MongoRetention:
    """Enforces a list of retention rules on one database."""

    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        rules: list[Retention],
        *,
        purge_interval_s: float = 3600.0,
    ) -> None:
        self._db = db
        self._rules = rules
        self._interval = purge_interval_s
        self.purged_by_service: list[Retention] = []
        self._task: asyncio.Task[None] | None = None

    async def ensure(self) -> dict[str, str]:
        """Create each TTL index where missing; how each rule is enforced ("ttl-index" or "purge")."""
        how: dict[str, str] = {}
        self.purged_by_service = []
        for rule in self._rules:
            try:
                await self._db[rule.collection].create_index(
                    [(rule.field, ASCENDING)], name=rule.index_name, expireAfterSeconds=int(rule.ttl_s)
                )
            except OperationFailure as exc:
                if exc.code == _INDEX_OPTIONS_CONFLICT:
                    # The TTL changed in settings: MongoDB changes it in place (collMod).
                    await self._db.command(
                        "collMod",
                        rule.collection,
                        index={"name": rule.index_name, "expireAfterSeconds": int(rule.ttl_s)},
                    )
                elif exc.code == _NOT_IMPLEMENTED:
                    self.purged_by_service.append(rule)
                    await self._db[rule.collection].create_index([(rule.field, ASCENDING)], name=rule.index_name)
                    how[f"{rule.collection}.{rule.field}"] = "purge"
                    continue
                else:
                    raise
            how[f"{rule.collection}.{rule.field}"] = "ttl-index"
        if self.purged_by_service:
            log.info("no TTL indexes on this server; expired records are purged by the service")
        return how

    @property
    def purging(self) -> bool:
        """True while the background purge runs."""
        return self._task is not None and not self._task.done()

    async def purge_once(self, *, now: datetime | None = None) -> dict[str, int]:
        """Delete the expired records of every rule (all of them, TTL index or not); deleted, by rule."""
        now = now or datetime.now(UTC)
        deleted: dict[str, int] = {}
        for rule in self._rules:
            cutoff = now - timedelta(seconds=rule.ttl_s)
            result = await self._db[rule.collection].delete_many({rule.field: {"$lt": cutoff}})
            deleted[f"{rule.collection}.{rule.field}"] = result.deleted_count
        return deleted

    async def start(self) -> None:
        """Ensure the indexes, then purge in the background where the server has no TTL indexes."""
        await self.ensure()
        if self.purged_by_service and self._task is None:
            self._task = asyncio.create_task(self._run(), name="mongo-retention-purge")

    async def stop(self) -> None:
        """Stop the background purge."""
        await cancelled(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            try:
                deleted = await self.purge_once()
                if any(deleted.values()):
                    log.info("expired records purged", extra={"event.action": "retention-purge", **deleted})
            except Exception as exc:  # noqa: BLE001 - the next round retries; a purge must not kill the service
                log.warning("retention purge failed", extra={"error.type": type(exc).__name__})
            await asyncio.sleep(self._interval)
