"""The engine on real Redis and MongoDB-wire: a crash mid-outbox, concurrent inputs, durable timers."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Sequence
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis

from atende_conversation.adapters.mongo_store import MongoTranscriptStore
from atende_conversation.adapters.redis_store import RedisStateStore, RedisTimerStore
from atende_conversation.domain.context import Policy
from atende_conversation.domain.inputs import CustomerMessage, MessageKind
from atende_conversation.domain.model import Step
from atende_conversation.engine import ConversationEngine, Keyer
from atende_conversation.outbox import Publish
from atende_conversation.timers import TimerPoller
from atende_core.bus import message_class, topics
from atende_core.ids import conversation_id
from atende_core.pii import Keyring, development_keyring

pytestmark = pytest.mark.integration
PII = development_keyring()

CID = conversation_id(phone_number_id="106540352242922", wa_id="5511900001111", key=b"k")


class Crash(Exception):
    """The process 'dies' here."""


class RecordingPublisher:
    """Keeps what was published; optionally dies after `crash_after` publishes."""

    def __init__(self, crash_after: int | None = None) -> None:
        self.published: list[tuple[str, str, Any]] = []
        self._crash_after = crash_after

    async def publish_all(self, items: Sequence[Publish]) -> None:
        for item in items:
            if self._crash_after is not None and len(self.published) >= self._crash_after:
                raise Crash
            event = message_class(item.type_name)()
            event.ParseFromString(item.payload)
            self.published.append((item.topic, item.event_id, event))


def _engine(
    redis: Redis,
    mongo_db: AsyncDatabase[dict[str, Any]],
    prefix: str,
    publisher: RecordingPublisher,
    policy: Policy | None = None,
) -> ConversationEngine:
    return ConversationEngine(
        states=RedisStateStore(redis, pii=PII, prefix=prefix),
        timers=RedisTimerStore(redis, prefix=prefix),
        transcripts=MongoTranscriptStore(mongo_db, pii=PII),
        publisher=publisher,
        policy=policy or Policy(),
        keyer=Keyer("k"),
        outbox_grace_seconds=0.2,
    )


def _tap(message_id: str, choice: str) -> CustomerMessage:
    return CustomerMessage(
        message_id, MessageKind.CHOICE, text=choice, choice_id=choice, phone_number_id="1", reply_to="5511900001111"
    )


async def test_a_crash_mid_outbox_is_finished_by_the_redelivery_without_new_ids(
    redis: Redis, mongo_db: AsyncDatabase[dict[str, Any]], topic_prefix: str
) -> None:
    dying = RecordingPublisher(crash_after=1)
    with pytest.raises(Crash):
        await _engine(redis, mongo_db, topic_prefix, dying).handle(
            CID, _tap("wamid.1", "menu:bill"), input_id="wamid.1"
        )
    assert len(dying.published) == 1  # the mark-read went out, the reply did not

    restarted = RecordingPublisher()
    outcome = await _engine(redis, mongo_db, topic_prefix, restarted).handle(
        CID, _tap("wamid.1", "menu:bill"), input_id="wamid.1"
    )
    assert outcome is not None
    assert outcome.duplicate
    first_ids = [event_id for _, event_id, _ in dying.published]
    replay_ids = [event_id for _, event_id, _ in restarted.published]
    assert replay_ids[0] == first_ids[0]  # the same command id: the connector sends it once
    outbound = [e for t, _, e in restarted.published if t == topics.WHATSAPP_OUTBOUND]
    assert [c.WhichOneof("content") for c in outbound] == ["mark_read", "buttons"]
    assert "CPF" in outbound[1].buttons.body

    # Nothing is left to replay, and the conversation is where the first run put it.
    snapshot = await RedisStateStore(redis, pii=PII, prefix=topic_prefix).load(CID)
    assert snapshot is not None
    assert snapshot.outbox == []
    assert snapshot.state.step is Step.AWAIT_DOCUMENT


async def test_concurrent_inputs_for_one_conversation_lose_no_update(
    redis: Redis, mongo_db: AsyncDatabase[dict[str, Any]], topic_prefix: str
) -> None:
    publisher = RecordingPublisher()
    engine = _engine(redis, mongo_db, topic_prefix, publisher)
    await engine.handle(CID, _tap("wamid.0", "menu:main"), input_id="wamid.0")
    taps = [_tap(f"wamid.{n}", "menu:main") for n in range(1, 13)]
    await asyncio.gather(*(engine.handle(CID, tap, input_id=tap.message_id) for tap in taps))
    snapshot = await RedisStateStore(redis, pii=PII, prefix=topic_prefix).load(CID)
    assert snapshot is not None
    assert snapshot.version == 13  # every input saved exactly once
    menus = [
        e for t, _, e in publisher.published if t == topics.WHATSAPP_OUTBOUND and e.WhichOneof("content") == "list"
    ]
    assert len({c.command_id for c in menus}) == 13
    assert len(menus) == 13  # handlers waited for each other's outbox instead of replaying it


async def test_timers_survive_a_restart_and_fire_once(
    redis: Redis, mongo_db: AsyncDatabase[dict[str, Any]], topic_prefix: str
) -> None:
    publisher = RecordingPublisher()
    policy = Policy(idle_warn_seconds=0.3)
    engine = _engine(redis, mongo_db, topic_prefix, publisher, policy)
    await engine.handle(CID, _tap("wamid.1", "menu:main"), input_id="wamid.1")
    timers = RedisTimerStore(redis, prefix=topic_prefix)
    assert await redis.zcard(timers.key) == 1  # the idle timer, durable in Redis

    # "Restart": a new engine and poller; two pollers race for the same due timer.
    await asyncio.sleep(0.35)
    restarted = _engine(redis, mongo_db, topic_prefix, publisher, policy)
    pollers = [TimerPoller(timers, restarted, lease_seconds=5), TimerPoller(timers, restarted, lease_seconds=5)]
    fired = await asyncio.gather(*(p.poll_once() for p in pollers))
    assert sum(fired) == 1
    texts = [e.text.body for t, _, e in publisher.published if t == topics.WHATSAPP_OUTBOUND and e.HasField("text")]
    assert texts == ["Ainda está por aí? Se precisar, é só responder. 🙂"]
    # The warning set the close timer; the idle one is gone.
    members = await redis.zrange(timers.key, 0, -1, withscores=True)
    assert len(members) == 1
    assert b"|close|" in members[0][0]
    assert members[0][1] > time.time()


async def test_state_and_lines_at_rest_are_ciphertexts_and_a_retired_key_starts_afresh(
    redis: Redis, mongo_db: AsyncDatabase[dict[str, Any]], topic_prefix: str
) -> None:
    engine = _engine(redis, mongo_db, topic_prefix, RecordingPublisher())
    await engine.handle(CID, _tap("wamid.1", "menu:bill"), input_id="wamid.1")
    stored = await redis.hgetall(f"{topic_prefix}conversation:{CID}")
    assert stored[b"s"].startswith(b"pii1:")
    assert b"5511900001111" not in b"".join(stored.values())
    turns = [doc async for doc in mongo_db["conversation_turns"].find({})]
    assert turns
    assert all(doc["text"].startswith("pii1:") for doc in turns)
    assert all("wamid.1" not in repr(doc) for doc in turns)  # wamids embed the customer's number

    # A line written before encryption keeps its text; one that does not open shows none, never a 500.
    await mongo_db["conversation_turns"].insert_many(
        [
            {"_id": "legacy", "conversation_key": engine.conversation_key(CID), "text": "oi", "at": turns[0]["at"]},
            {
                "_id": "moved",
                "conversation_key": engine.conversation_key(CID),
                "text": turns[0]["text"],
                "at": turns[0]["at"],
            },
        ]
    )
    texts = {
        line["_id"]: line["text"]
        for line in await MongoTranscriptStore(mongo_db, pii=PII).transcript(engine.conversation_key(CID))
    }
    assert (texts["legacy"], texts["moved"]) == ("oi", "")

    # Under a keyring that no longer holds the key, the conversation starts afresh instead of failing.
    other = Keyring(key_id="new", master_key=os.urandom(32))
    snapshot = await RedisStateStore(redis, pii=other, prefix=topic_prefix).load(CID)
    assert snapshot is not None
    assert snapshot.state.step is Step.START
    assert snapshot.version == 1
