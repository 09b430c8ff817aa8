"""MongoDB: every collection of the deployment's database as a BSON file (documents back to back, as
mongodump writes them) plus its indexes, read in one snapshot where the server offers one.

A replica set (MongoDB 5.0+) gives snapshot reads: every collection as of one instant. A server
without them (a standalone, FerretDB) is read collection by collection; the manifest says which.
Restore replaces the collections it restores and re-creates their indexes; an index option the
server does not implement (FerretDB's TTL) is left to the services, which create their own at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from bson import CodecOptions, decode_file_iter, json_util
from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConfigurationError, InvalidOperation, OperationFailure

log = logging.getLogger(__name__)
RAW = CodecOptions(document_class=RawBSONDocument)
BATCH = 1000
INDEX_OPTIONS = ("unique", "sparse", "expireAfterSeconds", "partialFilterExpression")


def client(uri: str) -> AsyncMongoClient[dict[str, Any]]:
    """A client without the services' per-operation time limit: a dump reads whole collections."""
    return AsyncMongoClient(uri, serverSelectionTimeoutMS=10_000, connectTimeoutMS=5000)


async def collections(db: AsyncDatabase[dict[str, Any]]) -> list[str]:
    """The database's own collections (not the server's system ones)."""
    return sorted(n for n in await db.list_collection_names() if not n.startswith("system."))


@asynccontextmanager
async def _snapshot(
    mongo: AsyncMongoClient[dict[str, Any]], db: AsyncDatabase[dict[str, Any]], probe: str | None
) -> AsyncIterator[AsyncClientSession | None]:
    session: AsyncClientSession | None = None
    hello = await mongo.admin.command("hello")
    # Snapshot reads exist on replica sets and sharded clusters of MongoDB 5.0+ (wire version 13);
    # a server that merely accepts the read concern (FerretDB) does not keep one instant.
    if not (hello.get("setName") or hello.get("msg") == "isdbgrid") or hello.get("maxWireVersion", 0) < 13:
        yield None
        return
    try:
        session = mongo.start_session(snapshot=True)
        if probe is not None:
            await db[probe].find_one({}, session=session)
    except (ConfigurationError, InvalidOperation, OperationFailure) as exc:
        log.info("no snapshot reads on this server: collection by collection", extra={"error.message": str(exc)})
        if session is not None:
            await session.end_session()
        session = None
    try:
        yield session
    finally:
        if session is not None:
            await session.end_session()


async def dump(mongo: AsyncMongoClient[dict[str, Any]], database: str, target: Path) -> dict[str, Any]:
    """Write `<collection>.bson` and `<collection>.indexes.json` under `target`; what was written."""
    target.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a one-shot command: nothing else on this loop
    db = mongo.get_database(database, codec_options=RAW)
    names = await collections(db)
    counts: dict[str, int] = {}
    async with _snapshot(mongo, db, names[0] if names else None) as session:
        for name in names:
            count = 0
            with (target / f"{name}.bson").open("wb") as out:
                async for document in db[name].find({}, session=session, batch_size=BATCH):
                    out.write(cast(RawBSONDocument, document).raw)
                    count += 1
            counts[name] = count
            indexes = await db[name].index_information()
            (target / f"{name}.indexes.json").write_text(json_util.dumps(indexes))
        consistency = "snapshot" if session is not None else "per-collection"
    return {"database": database, "consistency": consistency, "collections": counts}


async def is_empty(mongo: AsyncMongoClient[dict[str, Any]], database: str) -> bool:
    """Whether the database holds no document at all."""
    db = mongo.get_database(database)
    for name in await collections(db):
        if await db[name].estimated_document_count():
            return False
    return True


async def restore(mongo: AsyncMongoClient[dict[str, Any]], database: str, source: Path) -> dict[str, int]:
    """Replace each dumped collection with its documents and indexes; documents restored by collection."""
    db = mongo.get_database(database, codec_options=RAW)
    restored: dict[str, int] = {}
    for path in sorted(source.glob("*.bson")):  # noqa: ASYNC240 - a one-shot command: nothing else on this loop
        name = path.stem
        await db.drop_collection(name)
        await db.create_collection(name)
        count = 0
        with path.open("rb") as documents:
            batch: list[RawBSONDocument] = []
            for document in decode_file_iter(documents, codec_options=RAW):
                batch.append(document)
                if len(batch) == BATCH:
                    await db[name].insert_many(batch, ordered=False)
                    count += len(batch)
                    batch = []
            if batch:
                await db[name].insert_many(batch, ordered=False)
                count += len(batch)
        restored[name] = count
        await _restore_indexes(db, name, json_util.loads((source / f"{name}.indexes.json").read_text()))
    return restored


async def _restore_indexes(db: AsyncDatabase[Any], collection: str, indexes: dict[str, Any]) -> None:
    for index_name, spec in indexes.items():
        if index_name == "_id_":
            continue
        options = {k: spec[k] for k in INDEX_OPTIONS if k in spec}
        try:
            await db[collection].create_index([tuple(k) for k in spec["key"]], name=index_name, **options)
        except OperationFailure as exc:
            # FerretDB has no TTL indexes: the service creates its plain index and purges itself.
            log.warning(
                "index not restored; the owning service re-creates it at start-up",
                extra={"event.action": "backup.restore.index", "error.message": str(exc), "index": index_name},
            )
