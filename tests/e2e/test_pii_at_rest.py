"""No CPF, phone number or customer name in clear at rest, after real customer flows.

Customers from the SGP simulator's demo base go through identification by CPF, a bill copy, a
payment promise and a handoff (an agent claims, replies and releases), and an agent corrects the
NLU. Then every key and value of the Redis database the platform used (strings, hashes, lists,
sets, sorted sets, streams), every document of every MongoDB collection of the test's database and
the NLU feedback file are searched for each customer's CPF (formatted and bare digits), WhatsApp
number (13-digit `wa_id`, national and formatted forms), SGP-registered phone and name (WhatsApp
profile name and SGP record name, any case, UTF-8 or JSON-escaped), WhatsApp message ids
included: Meta's wamids carry the customer's number in base64, so each one found is decoded too.

The platform gets a Redis database of its own (an empty one among 1-15 of the shared server), so
the scan covers every key it wrote, whatever its prefix, and nothing another test wrote. Kafka
records are not scanned: docs/architecture.md (deviations) explains why Kafka is protected by TLS
and broker-disk encryption with pseudonymous record keys rather than by field encryption.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import bson
import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis

from atende.nlu.v1 import nlu_pb2 as nlu
from atende_core.bus import Bus, topics
from atende_core.identity import Role
from atende_core.stores import redis_client
from atende_testing import INTERNAL_HEADERS, wait_until

pytestmark = pytest.mark.e2e

_WAMID = re.compile(rb"wamid\.([A-Za-z0-9+/_-]+=*)")


class Person:
    """A seeded SGP customer as one WhatsApp user: everything that must not be found in clear."""

    def __init__(self, *, cpf: str, wa_id: str, profile: str, sgp_name: str, sgp_phone: str) -> None:
        self.cpf, self.wa_id, self.profile, self.sgp_name, self.sgp_phone = cpf, wa_id, profile, sgp_name, sgp_phone

    def needles(self) -> dict[str, list[bytes]]:
        """What to look for, by kind (each in every form it could be stored in)."""
        digits = "".join(c for c in self.cpf if c.isdigit())
        national = self.wa_id[2:]
        sgp_digits = "".join(c for c in self.sgp_phone if c.isdigit())
        phones = [self.wa_id, national, f"({national[:2]}) {national[2:7]}-{national[7:]}"]
        phones += [sgp_digits, "55" + sgp_digits, self.sgp_phone]
        return {
            "cpf": _forms([self.cpf, digits]),
            "phone": _forms(phones),
            "name": _forms([self.profile, self.sgp_name]),
        }


def _forms(values: Iterable[str]) -> list[bytes]:
    """UTF-8 and JSON-escaped (ensure_ascii) forms, each lower-cased (the haystack is lower-cased too)."""
    out: set[bytes] = set()
    for value in values:
        for variant in (value, value.upper(), value.lower(), value.title()):
            out.add(variant.encode().lower())
            out.add(json.dumps(variant)[1:-1].encode().lower())
    return sorted(out)


# Demo customers (SGP simulator README): CPF, SGP name, the phone SGP has on file (offset in the demo base).
MARIA = Person(
    cpf="123.456.789-09",
    wa_id="5511987654321",
    profile="Maria Souza",
    sgp_name="Maria Demo da Silva",
    sgp_phone="(98) 98888-1000",
)
JOAO = Person(
    cpf="111.444.777-35",
    wa_id="5521998765432",
    profile="João Pereira",
    sgp_name="João Demo Pereira",
    sgp_phone="(98) 98888-1001",
)
ANA = Person(
    cpf="987.654.321-00",
    wa_id="5531997654321",
    profile="Ana Lima",
    sgp_name="Ana Demo Souza",
    sgp_phone="(98) 98888-1002",
)
PEOPLE = (MARIA, JOAO, ANA)


@pytest.fixture
async def redis_url(redis_url: str) -> AsyncIterator[str]:
    """An empty database of the shared Redis for this test alone (the scan reads all of it)."""
    parts = urlsplit(redis_url)
    for db in range(15, 0, -1):
        candidate = urlunsplit(parts._replace(path=f"/{db}"))
        client = redis_client(candidate)
        try:
            if await client.dbsize() == 0:
                await client.set("pii-scan:claimed", "1")  # keeps a parallel run off this database
                break
        finally:
            await client.aclose()
    else:
        pytest.fail("no empty Redis database among 1-15 for the PII scan")
    yield candidate
    client = redis_client(candidate)
    try:
        async for key in client.scan_iter(count=500):
            await client.delete(key)
    finally:
        await client.aclose()


async def _redis_items(client: Redis) -> list[tuple[str, bytes]]:
    """(key, bytes) for every key and every value in the database, read according to its type."""
    items: list[tuple[str, bytes]] = []
    async for raw_key in client.scan_iter(count=500):
        key = raw_key.decode("utf-8", "replace")
        kind = (await client.type(raw_key)).decode()
        parts: list[bytes] = [raw_key]
        if kind == "string":
            parts.append(await client.get(raw_key) or b"")
        elif kind == "hash":
            for field, value in (await client.hgetall(raw_key)).items():
                parts += [field, value]
        elif kind == "list":
            parts += await client.lrange(raw_key, 0, -1)
        elif kind == "set":
            parts += list(await client.smembers(raw_key))
        elif kind == "zset":
            parts += [member for member, _ in await client.zrange(raw_key, 0, -1, withscores=True)]
        elif kind == "stream":
            for _, fields in await client.xrange(raw_key):
                for field, value in fields.items():
                    parts += [field, value]
        else:
            parts.append(kind.encode())
        items.append((f"redis {kind} {key}", b"\x00".join(parts)))
    return items


async def _mongo_items(db: AsyncDatabase[dict[str, Any]]) -> list[tuple[str, bytes]]:
    """(collection/_id, BSON bytes) for every document of every collection (strings are UTF-8 in BSON)."""
    items: list[tuple[str, bytes]] = []
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            items.append((f"mongo {name}/{doc.get('_id')}", bson.encode(doc)))
    return items


def _findings(items: Iterable[tuple[str, bytes]]) -> list[str]:
    """`<where>: <kind> of <profile name>` for each needle found (never the value itself)."""
    found: list[str] = []
    for where, blob in items:
        haystack = (blob + b"\x00" + b"\x00".join(_decoded_wamids(blob))).lower()
        for person in PEOPLE:
            for kind, needles in person.needles().items():
                if any(needle in haystack for needle in needles):
                    found.append(f"{where}: {kind} of {person.profile}")
    return found


async def _scan(redis_url: str, db: AsyncDatabase[dict[str, Any]], *, required: Iterable[str]) -> list[str]:
    """Findings in every Redis key and value and every MongoDB document; fails when a key family in
    `required` (or a transcript collection) is missing, so the scan cannot pass by seeing nothing."""
    redis = redis_client(redis_url)
    try:
        redis_items = await _redis_items(redis)
    finally:
        await redis.aclose()
    mongo_items = await _mongo_items(db)
    keys = " ".join(where for where, _ in redis_items)
    for family in required:
        assert family in keys, f"no {family}* key to scan"
    collections = {where.split()[1].split("/")[0] for where, _ in mongo_items}
    assert {"conversation_turns", "conversation_sessions"} <= collections
    return _findings([*redis_items, *mongo_items])


def _decoded_wamids(blob: bytes) -> list[bytes]:
    """The base64 bodies of the wamids in `blob`, decoded."""
    decoded: list[bytes] = []
    for match in _WAMID.finditer(blob):
        body = match.group(1).replace(b"-", b"+").replace(b"_", b"/")
        try:
            decoded.append(base64.b64decode(body + b"=" * (-len(body) % 4)))
        except (binascii.Error, ValueError):
            continue
    return decoded


async def _handoff_of(operator: httpx.AsyncClient, profile: str) -> str:
    """The (opaque) conversation id of a customer's entry in the agents' inbox, found by name."""

    async def probe() -> str | None:
        items = (await operator.get("/operator/handoffs")).json()["items"]
        return next((i["conversation_id"] for i in items if i["customer_name"] == profile), None)

    return str(await wait_until(probe, timeout=60))


async def _transcript_roles(platform: Any, conversation_id: str) -> list[str]:
    answer = await platform.http.get(
        f"{platform.conversation}/conversations/{conversation_id}/transcript", headers=INTERNAL_HEADERS
    )
    return [line["role"] for line in answer.json()["lines"]]


async def test_no_cpf_phone_or_name_in_clear_after_the_customer_flows(
    platform: Any, redis_url: str, mongo_db: AsyncDatabase[dict[str, Any]], make_bus: Any, tmp_path: Path
) -> None:
    # Identification by CPF and a bill copy, then the survey.
    maria = platform.customer(MARIA.wa_id, MARIA.profile)
    await maria.says("oi, quero a segunda via")
    await maria.reads("CPF")
    await maria.says(f"meu cpf é {MARIA.cpf}")
    await maria.reads("Posso ajudar em mais alguma coisa?")
    await maria.taps("end", "Não, obrigado")
    await maria.reads("como você avalia")
    await maria.says("5")
    await maria.reads("Obrigado pela avaliação")

    # A payment promise.
    ana = platform.customer(ANA.wa_id, ANA.profile)
    await ana.taps("menu:promise", "Desbloqueio")
    await ana.reads("CPF")
    await ana.says(ANA.cpf)
    await ana.reads("Quer que eu libere agora?")
    await ana.says("sim")
    await ana.reads("liberada em confiança até")

    # Identified (three contracts), then a handoff: the agent claims, replies by name, releases.
    joao = platform.customer(JOAO.wa_id, JOAO.profile)
    await joao.taps("menu:bill", "2ª via")
    await joao.reads("CPF")
    await joao.says(JOAO.cpf)
    listing = (await joao.reads("contratos no seu nome"))[-1]
    await joao.picks(next(i for i in listing.ids if i.startswith("contract:")))
    await joao.reads("Posso ajudar em mais alguma coisa?")
    await joao.taps("menu:agent", "Falar com atendente")
    await joao.reads("Vou te transferir para um atendente")
    operator_headers = {"Authorization": f"Bearer {platform.tokens.mint('ana', Role.AGENT)}"}
    async with httpx.AsyncClient(base_url=platform.gateway, headers=operator_headers) as operator:
        cid = await _handoff_of(operator, JOAO.profile)
        assert (await operator.post(f"/operator/handoffs/{cid}/claim")).status_code == 200
        reply = {"text": f"Oi {JOAO.profile}, vi o CPF {JOAO.cpf} e o número {JOAO.wa_id}."}
        assert (await operator.post(f"/operator/handoffs/{cid}/reply", json=reply)).status_code == 202
        await joao.reads("Oi ")
        await joao.says(f"meu outro número é {JOAO.sgp_phone}, sou {JOAO.sgp_name}")

        async def agent_and_customer_lines_recorded() -> bool:
            roles = await _transcript_roles(platform, cid)
            return "agent" in roles and roles[-1] == "customer"

        await wait_until(agent_and_customer_lines_recorded, timeout=60)
        # Scanned while the agent has the conversation: the inbox entry and its lines exist now.
        during = await _scan(redis_url, mongo_db, required=("handoff:", "handoffs", "conversation:"))
        assert (await operator.post(f"/operator/handoffs/{cid}/release")).status_code == 200
        await joao.reads("finalizado")

    # An agent's NLU correction of a customer line naming the customer (the feedback file).
    bus: Bus = make_bus("pii-scan-agent")
    await bus.start(publishes_to=[topics.NLU_FEEDBACK])
    correction = nlu.IntentCorrected(
        conversation_id=cid,
        text=f"sou {ANA.profile}, {ANA.wa_id}, cpf {ANA.cpf}",
        predicted_intent="fora_escopo",
        corrected_intent="falar_atendente",
        agent_id="ana",
        message_id="wamid.correction",
    )
    await bus.publish(topics.NLU_FEEDBACK, correction, key=cid)
    feedback = tmp_path / "feedback.jsonl"
    await wait_until(lambda: feedback.exists() and feedback.stat().st_size > 0, timeout=60)

    after = await _scan(redis_url, mongo_db, required=("conversation:", "wa:sent:", "sgp_cliente:", "sgp_faturas:"))
    after += _findings([(f"file {feedback.name}", feedback.read_bytes())])
    findings = sorted(set(during + after))
    assert not findings, "personal data in clear at rest:\n" + "\n".join(findings)
