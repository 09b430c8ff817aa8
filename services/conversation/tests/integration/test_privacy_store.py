"""The conversation service's LGPD side on real Redis and the MongoDB-wire server: a CPF lookup links the
conversation, an erasure resolves it (and logs the resolution), erases state, timers, transcripts and
links, and a replay resolves to the same conversations from the erasure log."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis

from atende_conversation.adapters.mongo_store import MongoTranscriptStore
from atende_conversation.adapters.privacy_store import ERASURES, ConversationPrivacy
from atende_conversation.adapters.redis_store import RedisStateStore, RedisTimerStore
from atende_conversation.domain.model import ConversationState
from atende_conversation.engine import Keyer
from atende_core.crypto import blind_index
from atende_core.pii import development_keyring
from atende_core.privacy import Subject

pytestmark = pytest.mark.integration

CPF = "123.456.789-09"
KEY = b"integration-test-key"
MARIA, OTHER = "pn:5511987654321", "pn:5521999990000"


@pytest.fixture
async def stores(
    redis: Redis, mongo_db: AsyncDatabase[dict[str, Any]], topic_prefix: str
) -> AsyncIterator[dict[str, Any]]:
    states = RedisStateStore(redis, pii=development_keyring(), prefix=topic_prefix)
    transcripts = MongoTranscriptStore(mongo_db, pii=development_keyring())
    timers = RedisTimerStore(redis, prefix=topic_prefix)
    keyer = Keyer(KEY.decode())
    privacy = ConversationPrivacy(
        db=mongo_db,
        redis=redis,
        states=states,
        state_key=states.key,
        timers_key=timers.key,
        conversation_key=keyer,
        index_key=KEY,
        open_line=transcripts.open_turn,
    )
    await privacy.ensure_indexes()
    return {
        "states": states,
        "timers": timers,
        "keyer": keyer,
        "privacy": privacy,
        "transcripts": transcripts,
    }


async def _conversation(stores: dict[str, Any], cid: str) -> None:
    await stores["states"].save(ConversationState(cid, reply_to=cid.split(":")[1]), [], expected_version=0)
    await stores["timers"].add(f"tok|idle|{cid}", 10.0)
    key = stores["keyer"](cid)
    await stores["transcripts"].write_turn(
        {"_id": f"{cid}-1", "conversation_key": key, "text": "meu cpf", "at": "2026-01-01T00:00:00+00:00"}
    )
    await stores["transcripts"].update_session(
        f"{cid}-s", {"started_at": "2026-01-01T00:00:00+00:00"}, {"conversation_key": key}
    )


async def test_link_resolve_erase_and_replay(
    stores: dict[str, Any], redis: Redis, mongo_db: AsyncDatabase[dict[str, Any]]
) -> None:
    privacy: ConversationPrivacy = stores["privacy"]
    await _conversation(stores, MARIA)
    await _conversation(stores, OTHER)
    # The result may overtake the request: both orders build one link.
    await privacy.link_result(request_id="q1", conversation_id=MARIA, customer_id="301", contract_ids=["90000"])
    await privacy.link_lookup(request_id="q1", conversation_id=MARIA, document=CPF)
    await privacy.link_lookup(request_id="q2", conversation_id=OTHER, document="987.654.321-00")

    index = blind_index(CPF, KEY)
    subject = await privacy.resolve(Subject("r1", index), erasure=True)
    assert subject.conversation_ids == (MARIA,)
    assert subject.contract_ids == ("90000",)
    assert subject.phone_indexes == (blind_index("5511987654321", KEY),)

    exported = await privacy.export(subject)
    [conversation] = exported["conversations"]
    assert conversation["conversation_id"] == MARIA
    assert [line["text"] for line in conversation["transcript"]] == ["meu cpf"]
    assert exported["identifications"][0]["customer_id"] == "301"

    erased = await privacy.erase(subject)
    assert erased == {"redis.state": 1, "redis.timers": 1, "mongo.turns": 1, "mongo.sessions": 1, "mongo.links": 1}
    assert await stores["states"].load(MARIA) is None
    assert await stores["states"].load(OTHER) is not None  # someone else's conversation is untouched
    assert [m.decode() for m in await redis.zrange(stores["timers"].key, 0, -1)] == [f"tok|idle|{OTHER}"]
    assert await mongo_db["conversation_turns"].count_documents({}) == 1

    # A replay finds no links any more, yet resolves to the same conversation (the erasure log)...
    again = await privacy.resolve(Subject("r1", index), erasure=True)
    assert again == subject
    assert await mongo_db[ERASURES].count_documents({}) == 1
    assert await privacy.erase(again) == dict.fromkeys(erased, 0)
    # ...while a new request (or an export) finds nothing at all.
    fresh = await privacy.resolve(Subject("r2", index), erasure=False)
    assert fresh.conversation_ids == ()
    assert (await privacy.export(fresh))["conversations"] == []
