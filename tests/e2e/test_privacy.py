"""LGPD through the whole platform: a customer identifies by CPF, gets a bill and asks for a person, an
agent corrects an intent; `atende privacy export` returns what every service holds, `atende privacy
erase` is confirmed by every service, the data is gone from each store, and a replayed erasure is
harmless. The auth, campaign-scheduler and notifier services run too: they hold nothing about
customers, and must still confirm.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from typer.testing import CliRunner

from atende.audit.v1.audit_pb2 import AuditEntryRecorded
from atende.nlu.v1.nlu_pb2 import IntentCorrected
from atende.privacy.v1.privacy_pb2 import ErasureConfirmed, ErasureRequested
from atende_auth.app import create_app as auth_app
from atende_auth.settings import AuthSettings
from atende_campaign_scheduler.app import create_app as campaign_app
from atende_campaign_scheduler.settings import CampaignSettings
from atende_core.bus import Bus, decode, topics
from atende_core.crypto import blind_index
from atende_core.privacy_cli import SERVICES, app
from atende_notifier.app import create_app as notifier_app
from atende_notifier.settings import NotifierSettings
from atende_testing import running_server, wait_until

pytestmark = pytest.mark.e2e

MARIA = "123.456.789-09"  # one active contract with an open bill (SGP simulator demo base)
PII_HASH_KEY = "e2e-key"  # the conversation service's key in the platform fixture


@pytest.fixture
async def whole_platform(platform: Any, e2e_settings: dict[str, Any]) -> AsyncIterator[Any]:
    """The e2e platform plus the services that hold nothing about customers."""
    async with (
        running_server(auth_app(AuthSettings(**e2e_settings))),
        running_server(campaign_app(CampaignSettings(**e2e_settings))),
        running_server(notifier_app(NotifierSettings(**e2e_settings))),
    ):
        yield platform


def _cli(e2e_settings: dict[str, Any], *args: str) -> tuple[int, dict[str, Any]]:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": e2e_settings["kafka_bootstrap_servers"],
        "KAFKA_TOPIC_PREFIX": e2e_settings["kafka_topic_prefix"],
        "PII_HASH_KEY": PII_HASH_KEY,
        "PRIVACY_TIMEOUT_S": "90",
        "LOG_LEVEL": "WARNING",
    }
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code in (0, 2), result.output
    return result.exit_code, json.loads(result.stdout)


async def cli(e2e_settings: dict[str, Any], *args: str) -> tuple[int, dict[str, Any]]:
    """Run `atende privacy …` (typer's runner, in a thread: the CLI runs its own event loop)."""
    return await asyncio.to_thread(_cli, e2e_settings, *args)


async def _redis_keys_with(redis: Any, prefix: str, needle: str) -> list[str]:
    keys = []
    async for key in redis.scan_iter(match=f"{prefix}*", count=1000):
        name = key.decode()
        if needle in name:
            keys.append(name)
            continue
        kind = await redis.type(name)
        if kind == b"hash":
            values = list((await redis.hgetall(name)).values())
        elif kind == b"zset":
            values = [member async for member, _ in redis.zscan_iter(name)]
        elif kind == b"list":
            values = await redis.lrange(name, 0, -1)
        else:
            values = []
        if any(needle.encode() in value for value in values):
            keys.append(name)
    return keys


async def test_export_then_erase_confirmed_by_every_service(
    whole_platform: Any, e2e_settings: dict[str, Any], redis: Any, mongo_db: Any, tmp_path: Path
) -> None:
    platform = whole_platform
    prefix = e2e_settings["kafka_topic_prefix"]
    maria = platform.customer("5511987654321", "Maria Souza")
    await maria.picks("menu:bill", "2ª via da fatura")
    await maria.reads("CPF")
    await maria.says(MARIA)
    await maria.reads("Posso ajudar em mais alguma coisa?")
    await maria.taps("menu:agent", "Falar com atendente")
    await maria.reads("Vou te transferir para um atendente")

    # --- export: what every service holds about her --------------------------------------------
    code, exported = await cli(e2e_settings, "export", "--cpf", MARIA)
    assert code == 0, exported["not_answered"]
    services = exported["services"]
    assert set(services) == set(SERVICES)
    conversations = services["conversation"]["conversations"]
    assert len(conversations) == 1
    conversation_id = conversations[0]["conversation_id"]
    transcript = " ".join(line.get("text", "") for line in conversations[0]["transcript"])
    assert "Encontrei seu cadastro" in transcript
    assert conversations[0]["state"]["customer"]["name"].upper().startswith("MARIA")
    assert services["whatsapp-connector"]["sent_messages"], services["whatsapp-connector"]
    assert {m["conversation_id"] for m in services["whatsapp-connector"]["sent_messages"]} == {conversation_id}
    customers = services["sgp-adapter"]["cache"]["customer"]
    assert any(c["value"]["name"].upper().startswith("MARIA") for c in customers)
    assert services["sgp-adapter"]["cache"]["invoices"]
    assert [h["conversation_id"] for h in services["gateway"]["handoffs"]] == [conversation_id]
    for nothing_held in ("auth", "campaign-scheduler", "notifier"):
        assert services[nothing_held] == {}

    # An agent's intent correction lands in the NLU's feedback file (the gateway publishes these).
    feedback_file = tmp_path / "feedback.jsonl"
    bus = Bus(bootstrap_servers=e2e_settings["kafka_bootstrap_servers"], service_name="test", topic_prefix=prefix)
    await bus.start(publishes_to=[topics.NLU_FEEDBACK, topics.PRIVACY_COMMANDS])
    try:
        correction = IntentCorrected(
            conversation_id=conversation_id, text="quero a fatura", corrected_intent="segunda_via", agent_id="ana"
        )
        await bus.publish(topics.NLU_FEEDBACK, correction, key=conversation_id)
        other = IntentCorrected(conversation_id="someone-else", text="sem internet", corrected_intent="sem_conexao")
        await bus.publish(topics.NLU_FEEDBACK, other, key="someone-else")
        await wait_until(
            lambda: feedback_file.exists() and len(feedback_file.read_text().splitlines()) == 2, timeout=30
        )

        # --- erase: every service confirms --------------------------------------------------------
        code, report = await cli(e2e_settings, "erase", "--cpf", MARIA, "--requested-by", "dpo")
        assert code == 0, report
        assert report["not_confirmed"] == []
        assert set(report["confirmed"]) == set(SERVICES)
        erased = {service: answer["erased"] for service, answer in report["confirmed"].items()}
        assert int(erased["conversation"]["mongo.turns"]) > 0
        assert int(erased["conversation"]["redis.state"]) == 1
        assert int(erased["whatsapp-connector"]["redis.sent"]) > 0
        assert int(erased["sgp-adapter"]["redis.customer"]) >= 1
        assert erased["gateway"] == {"redis.handoffs": "1", "redis.board": "1"}
        assert erased["nlu-gemini"] == {"file.feedback": "1"}
        assert erased["auth"] == erased["notifier"] == erased["campaign-scheduler"] == {}

        # --- gone from each store --------------------------------------------------------------------
        assert await _redis_keys_with(redis, prefix, conversation_id) == []
        key_of = blind_index(MARIA, PII_HASH_KEY.encode())
        for collection in await mongo_db.list_collection_names():
            if collection == "privacy_erasures":
                continue  # the erasure log: indexes and pseudonymous ids, kept to re-apply after a restore
            leftovers = await mongo_db[collection].count_documents({"document_index": key_of})
            assert leftovers == 0, collection
        # (A delivery status arriving after the erasure may leave a bare status record: command id and
        # status only, no conversation.)
        assert await mongo_db["conversation_turns"].count_documents({"conversation_key": {"$exists": True}}) == 0
        assert await mongo_db["conversation_sessions"].count_documents({}) == 0
        # Retention was put in place at start-up (an index per rule; FerretDB: purged by the service).
        for collection, field in (("conversation_turns", "at"), ("conversation_sessions", "started_at")):
            assert f"retention_{field}" in await mongo_db[collection].index_information(), collection
        lines = [json.loads(line) for line in feedback_file.read_text().splitlines()]
        assert [line["conversation_id"] for line in lines] == ["someone-else"]
        customer_keys = [k async for k in redis.scan_iter(match=f"{prefix}sgp_cliente:*")]
        owners = [k async for k in redis.scan_iter(match=f"{prefix}sgp_contrato_dono:*")]
        for key in customer_keys:
            assert b"MARIA" not in (await redis.get(key) or b"").upper(), key
        assert owners == []  # her contract was the only one looked up

        # The erasure is in the audit trail (auth stores audit.events): who asked, which request.
        def audited(event: Any) -> bool:
            return isinstance(event, AuditEntryRecorded) and event.target == report["request_id"]

        [entry] = await _read(e2e_settings, topics.AUDIT_EVENTS, audited, expected=1)
        assert (entry.action, entry.actor_id, entry.source) == ("privacy.erase", "dpo", "privacy-cli")
        logged = await mongo_db["privacy_erasures"].find_one({"_id": report["request_id"]})
        assert logged is not None
        assert logged["conversation_ids"] == [conversation_id]
        assert MARIA.replace(".", "").replace("-", "") not in json.dumps(logged, default=str)

        # --- export afterwards: nothing ----------------------------------------------------------
        code, after = await cli(e2e_settings, "export", "--cpf", MARIA)
        assert code == 0
        held = after["services"]
        assert held["conversation"] == {"conversations": [], "identifications": []}
        assert held["whatsapp-connector"] == {"sent_messages": []}
        assert held["gateway"] == {"handoffs": []}
        assert held["nlu-gemini"] == {"intent_corrections": []}
        assert held["sgp-adapter"]["cache"] == {}

        # --- a replayed erasure command is harmless: confirmed again, nothing left to erase ---------
        replay = ErasureRequested(request_id=report["request_id"], document_index=key_of, requested_by="dpo")
        await bus.publish(topics.PRIVACY_COMMANDS, replay, key=replay.request_id, event_id=replay.request_id)
        confirmations = await _confirmations(e2e_settings, replay.request_id, expected=2 * len(SERVICES))
        replayed = confirmations[len(SERVICES) :]
        assert {c.service for c in replayed} == set(SERVICES)
        for confirmation in replayed:
            assert all(value == "0" for value in confirmation.erased.values()), (
                confirmation.service,
                confirmation.erased,
            )
        # The replay resolved from the erasure log: the same conversation, not an empty list.
        assert logged == await mongo_db["privacy_erasures"].find_one({"_id": report["request_id"]})
        # The platform still works for other people.
        joao = platform.customer("5521998765432", "João Pereira")
        await joao.says("oi")
        await joao.reads("Como posso te ajudar")
    finally:
        await bus.stop()


async def _read(e2e_settings: dict[str, Any], topic: str, keep: Any, *, expected: int) -> list[Any]:
    """Events on `topic` (from the beginning) for which `keep` is true, once there are `expected`."""
    consumer = AIOKafkaConsumer(
        e2e_settings["kafka_topic_prefix"] + topic,
        bootstrap_servers=e2e_settings["kafka_bootstrap_servers"],
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[Any] = []
    try:

        async def enough() -> bool:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for record in records:
                    event, _ = decode(record.value, {k: v.decode() for k, v in record.headers})
                    if keep(event):
                        found.append(event)
            return len(found) >= expected

        await wait_until(enough, timeout=60)
    finally:
        await consumer.stop()
    return found


async def _confirmations(e2e_settings: dict[str, Any], request_id: str, *, expected: int) -> list[ErasureConfirmed]:
    def mine(event: Any) -> bool:
        return isinstance(event, ErasureConfirmed) and event.request_id == request_id

    found = await _read(e2e_settings, topics.PRIVACY_EVENTS, mine, expected=expected)
    return sorted(found, key=lambda c: c.confirmed_at.ToNanoseconds())
