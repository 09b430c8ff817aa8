"""Retention on the real MongoDB-wire server: a TTL index where the server has them, the service's own
purge where it has not (FerretDB answers "not implemented"); either way expired records go and fresh
ones stay."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from atende_core.retention import MongoRetention, Retention
from atende_testing import wait_until

pytestmark = pytest.mark.integration


async def test_expired_records_go_by_ttl_index_or_by_purge(mongo_db: AsyncDatabase[dict[str, Any]]) -> None:
    rules = [Retention("turns", "at", 3600), Retention("links", "linked_at", 60)]
    retention = MongoRetention(mongo_db, rules, purge_interval_s=3600)
    how = await retention.ensure()
    assert set(how) == {"turns.at", "links.linked_at"}
    indexes = await mongo_db["turns"].index_information()
    assert "retention_at" in indexes
    if how["turns.at"] == "ttl-index":
        assert indexes["retention_at"]["expireAfterSeconds"] == 3600
    else:
        assert how == {"turns.at": "purge", "links.linked_at": "purge"}
        assert retention.purged_by_service == rules
    assert await retention.ensure() == how  # idempotent at every start-up

    now = datetime.now(UTC)
    await mongo_db["turns"].insert_many(
        [{"_id": "old", "at": now - timedelta(hours=2)}, {"_id": "new", "at": now - timedelta(minutes=5)}]
    )
    await mongo_db["links"].insert_many([{"_id": "old", "linked_at": now - timedelta(minutes=2)}, {"_id": "x"}])
    deleted = await retention.purge_once(now=now)
    assert deleted == {"turns.at": 1, "links.linked_at": 1}
    assert [d["_id"] async for d in mongo_db["turns"].find({})] == ["new"]
    assert [d["_id"] async for d in mongo_db["links"].find({})] == ["x"]  # no date: never expires by rule


async def test_the_background_purge_runs_where_the_server_has_no_ttl(mongo_db: AsyncDatabase[dict[str, Any]]) -> None:
    retention = MongoRetention(mongo_db, [Retention("turns", "at", 60)], purge_interval_s=0.1)
    old = datetime.now(UTC) - timedelta(hours=1)
    await mongo_db["turns"].insert_one({"_id": "old", "at": old})
    await retention.start()
    try:
        if not retention.purged_by_service:
            assert not retention.purging  # MongoDB's TTL monitor does it; the service stays out of the way
            return

        async def purged() -> bool:
            return await mongo_db["turns"].count_documents({}) == 0

        assert retention.purging
        await wait_until(purged, timeout=10)
    finally:
        await retention.stop()
