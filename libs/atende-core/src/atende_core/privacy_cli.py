"""`atende privacy`: LGPD export and erasure of everything Atende holds about one person (docs/privacy.md).

    atende privacy export --cpf 123.456.789-09      one JSON document, one section per service
    atende privacy erase  --cpf 123.456.789-09      which services confirmed (exit 2 when some did not yet)
    atende privacy status --request-id <id>         confirmations of an earlier erasure, read back from Kafka
    atende privacy retention [--apply]              each topic's retention.ms against the catalog

The document is never published: commands carry its blind index under PII_HASH_KEY. Each erasure is
appended to the erasure journal (PRIVACY_ERASURE_JOURNAL, required in production) before it is
published, so a backup restore re-applies it (`atende backup restore`, atende_core.erasure_journal).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import Field, SecretStr, field_validator

from atende.audit.v1.audit_pb2 import AuditEntryRecorded
from atende.privacy.v1.privacy_pb2 import ErasureConfirmed, ErasureRequested, ExportAnswered, ExportRequested
from atende_core.audit import AuditTrail
from atende_core.bus import Bus, DecodeError, decode, topics
from atende_core.crypto import blind_index
from atende_core.documents import is_valid_cnpj, is_valid_cpf
from atende_core.erasure_journal import ErasureJournal, JournalEntry
from atende_core.privacy import new_recipient_key, open_answer
from atende_core.settings import ServiceSettings
from atende_core.topics_cli import set_topic_configs

NAME = "privacy-cli"
SERVICES = (
    "conversation",
    "whatsapp-connector",
    "sgp-adapter",
    "gateway",
    "nlu-gemini",
    "auth",
    "campaign-scheduler",
    "notifier",
)

app = typer.Typer(help="LGPD: export or erase everything Atende holds about a person.", no_args_is_help=True)


class PrivacyBusSettings(ServiceSettings):
    """What a privacy client needs: Kafka (from ServiceSettings), whom to wait for, the erasure journal."""

    # Services that must answer every privacy command (comma separated).
    privacy_services: str = ",".join(SERVICES)
    privacy_timeout_s: float = Field(default=60.0, gt=0)
    # Outside Kafka, Redis and MongoDB (a volume of its own, beside the backups): docs/privacy.md.
    privacy_erasure_journal: Path | None = None

    @field_validator("privacy_erasure_journal", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # An empty variable must not become Path("."): no journal at all is refused in production.
        return None if isinstance(value, str) and not value.strip() else value

    def services(self) -> tuple[str, ...]:
        """PRIVACY_SERVICES as a tuple."""
        return tuple(s.strip() for s in self.privacy_services.split(",") if s.strip())

    def journal(self) -> ErasureJournal | None:
        """The erasure journal, when one is configured."""
        return ErasureJournal(self.privacy_erasure_journal) if self.privacy_erasure_journal else None


class PrivacyCliSettings(PrivacyBusSettings):
    """The CLI's settings: a privacy client that also turns documents into blind indexes."""

    pii_hash_key: SecretStr = SecretStr("changeme")


@dataclass
class Collected:
    """Answers to one request read from privacy.events, by service."""

    request_id: str
    expected: tuple[str, ...]
    answers: dict[str, Message] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        """Expected services that have not answered."""
        return [s for s in self.expected if s not in self.answers]


def document_index(document: str, settings: PrivacyCliSettings) -> str:
    """The blind index of a CPF/CNPJ (BadParameter when it is not a valid document)."""
    if not (is_valid_cpf(document) or is_valid_cnpj(document)):
        raise typer.BadParameter("not a valid CPF or CNPJ")
    return blind_index(document, settings.pii_hash_key.get_secret_value().encode())


def _now() -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.now(UTC))
    return stamp


class PrivacyClient:
    """Publishes privacy commands and collects the services' answers from privacy.events."""

    def __init__(self, settings: PrivacyBusSettings) -> None:
        self._settings = settings
        self._bus = Bus(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            service_name=NAME,
            topic_prefix=settings.kafka_topic_prefix,
        )

    async def __aenter__(self) -> PrivacyClient:
        await self._bus.start(publishes_to=[topics.PRIVACY_COMMANDS, topics.PRIVACY_EVENTS, topics.AUDIT_EVENTS])
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._bus.stop()

    async def erase(self, document: str, *, requested_by: str = "cli", timeout_s: float | None = None) -> Collected:
        """Publish an erasure for `document` and wait for every expected service's confirmation."""
        request_id = str(uuid.uuid4())
        command = ErasureRequested(
            request_id=request_id,
            requested_at=_now(),
            document_index=document_index(document, self._cli_settings()),
            requested_by=requested_by,
        )
        journal = self._settings.journal()
        if journal is not None:
            journal.append(
                JournalEntry(
                    request_id=request_id,
                    requested_at=command.requested_at.ToDatetime(tzinfo=UTC).timestamp(),
                    document_index=command.document_index,
                    requested_by=requested_by,
                )
            )
        await self._audit(requested_by, "privacy.erase", request_id)
        return await self._ask(command, request_id, ErasureConfirmed, timeout_s)

    async def replay(self, entry: JournalEntry) -> None:
        """Publish a journalled erasure again under its own request id (after a restore the services may
        still be down: they apply it when they start; `status` reads the confirmations back)."""
        requested_at = Timestamp()
        requested_at.FromDatetime(datetime.fromtimestamp(entry.requested_at, UTC))
        command = ErasureRequested(
            request_id=entry.request_id,
            requested_at=requested_at,
            document_index=entry.document_index,
            requested_by=entry.requested_by,
        )
        await self._audit("backup-restore", "privacy.erase.replay", entry.request_id)
        await self._bus.publish(topics.PRIVACY_COMMANDS, command, key=entry.request_id, event_id=entry.request_id)

    def _cli_settings(self) -> PrivacyCliSettings:
        if not isinstance(self._settings, PrivacyCliSettings):
            raise TypeError("a document needs PrivacyCliSettings (PII_HASH_KEY) to become a blind index")
        return self._settings

    async def export(
        self, document: str, *, requested_by: str = "cli", timeout_s: float | None = None
    ) -> tuple[Collected, dict[str, Any]]:
        """Ask every service for what it holds about `document`; the answers and the opened documents."""
        request_id = str(uuid.uuid4())
        private, public = new_recipient_key()
        command = ExportRequested(
            request_id=request_id,
            requested_at=_now(),
            document_index=document_index(document, self._cli_settings()),
            requested_by=requested_by,
            recipient_public_key=public,
        )
        await self._audit(requested_by, "privacy.export", request_id)
        collected = await self._ask(command, request_id, ExportAnswered, timeout_s)
        return collected, _opened(collected, private)

    async def status(self, request_id: str, *, timeout_s: float = 10.0) -> Collected:
        """Confirmations of an earlier erasure still on privacy.events (read from the beginning)."""
        collected = Collected(request_id, self._settings.services())
        consumer = await self._consumer()
        try:
            await consumer.seek_to_beginning()
            await self._collect(
                consumer, collected, ErasureConfirmed, deadline=time.monotonic() + timeout_s, drain=True
            )
        finally:
            await consumer.stop()
        return collected

    async def _audit(self, actor: str, action: str, request_id: str) -> None:
        await AuditTrail(self._bus, source=NAME).record(
            actor_kind=AuditEntryRecorded.ActorKind.ACTOR_KIND_OPERATOR,
            actor_id=actor,
            action=action,
            target=request_id,
            entry_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{action}:{request_id}")),
        )

    async def _ask(
        self, command: Message, request_id: str, answer_type: type[Message], timeout_s: float | None
    ) -> Collected:
        collected = Collected(request_id, self._settings.services())
        consumer = await self._consumer()
        try:
            await consumer.seek_to_end()
            # Positions resolved now, before the command exists: no answer can be missed.
            for partition in consumer.assignment():
                await consumer.position(partition)
            await self._bus.publish(topics.PRIVACY_COMMANDS, command, key=request_id, event_id=request_id)
            deadline = time.monotonic() + (timeout_s or self._settings.privacy_timeout_s)
            await self._collect(consumer, collected, answer_type, deadline=deadline, drain=False)
        finally:
            await consumer.stop()
        return collected

    async def _consumer(self) -> AIOKafkaConsumer:
        """A consumer of every partition of privacy.events (no group: it commits nothing)."""
        topic = self._bus.topic(topics.PRIVACY_EVENTS)
        admin = AIOKafkaAdminClient(bootstrap_servers=self._settings.kafka_bootstrap_servers)
        await admin.start()
        try:
            described = await admin.describe_topics([topic])
        finally:
            await admin.close()
        partitions = sorted(p["partition"] for t in described if t["topic"] == topic for p in t["partitions"])
        consumer = AIOKafkaConsumer(bootstrap_servers=self._settings.kafka_bootstrap_servers, enable_auto_commit=False)
        await consumer.start()
        consumer.assign([TopicPartition(topic, p) for p in partitions or [0]])
        return consumer

    @staticmethod
    async def _collect(
        consumer: AIOKafkaConsumer,
        collected: Collected,
        answer_type: type[Message],
        *,
        deadline: float,
        drain: bool,
    ) -> None:
        """Read answers to `collected.request_id` until all expected services answered or the deadline."""
        while collected.missing and (remaining := deadline - time.monotonic()) > 0:
            batches = await consumer.getmany(timeout_ms=int(min(remaining, 0.5) * 1000))
            if drain and not batches:
                return
            for records in batches.values():
                for record in records:
                    headers = {k: v.decode(errors="replace") for k, v in (record.headers or ())}
                    try:
                        event, _ = decode(record.value, headers)
                    except DecodeError:
                        continue
                    if isinstance(event, answer_type) and getattr(event, "request_id", "") == collected.request_id:
                        collected.answers[getattr(event, "service", "")] = event


def _opened(collected: Collected, private: X25519PrivateKey) -> dict[str, Any]:
    documents: dict[str, Any] = {}
    for service, answer in collected.answers.items():
        if not isinstance(answer, ExportAnswered):
            continue
        try:
            documents[service] = open_answer(answer, private)
        except (InvalidTag, ValueError):
            documents[service] = {"error": "answer could not be opened"}
    return documents


def erasure_report(collected: Collected) -> dict[str, Any]:
    """The JSON the `erase` and `status` commands print."""
    confirmed = {
        service: {"confirmed_at": answer.confirmed_at.ToDatetime(tzinfo=UTC).isoformat(), "erased": dict(answer.erased)}
        for service, answer in collected.answers.items()
        if isinstance(answer, ErasureConfirmed)
    }
    return {"request_id": collected.request_id, "confirmed": confirmed, "not_confirmed": collected.missing}


def export_report(collected: Collected, documents: dict[str, Any]) -> dict[str, Any]:
    """The JSON the `export` command prints: one section per service that answered."""
    return {
        "request_id": collected.request_id,
        "exported_at": datetime.now(UTC).isoformat(),
        "services": documents,
        "not_answered": collected.missing,
    }


def _run(work: Callable[[PrivacyClient], Any], *, document: str | None = None, journalled: bool = False) -> Any:
    settings = PrivacyCliSettings()
    if document is not None:
        document_index(document, settings)  # refuse a mistyped document before connecting to anything
    if journalled and settings.is_production and settings.journal() is None:
        # Without the journal a backup restore would bring the person back.
        raise typer.BadParameter("set PRIVACY_ERASURE_JOURNAL (docs/privacy.md) before erasing in production")

    async def go() -> Any:
        async with PrivacyClient(settings) as client:
            return await work(client)

    return asyncio.run(go())


def _emit(report: dict[str, Any], missing: Iterable[str]) -> None:
    typer.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    if list(missing):
        raise typer.Exit(2)


Cpf = Annotated[str, typer.Option("--cpf", help="The person's CPF (or CNPJ), with or without punctuation.")]
Timeout = Annotated[float | None, typer.Option("--timeout", help="Seconds to wait for the services.")]
By = Annotated[str, typer.Option("--requested-by", help="Who asked (operator user id), for the audit log.")]


@app.command()
def export(cpf: Cpf, timeout: Timeout = None, requested_by: By = "cli") -> None:
    """Print everything each service holds about the person, as one JSON document."""

    async def work(client: PrivacyClient) -> tuple[Collected, dict[str, Any]]:
        return await client.export(cpf, requested_by=requested_by, timeout_s=timeout)

    collected, documents = _run(work, document=cpf)
    _emit(export_report(collected, documents), collected.missing)


@app.command()
def erase(cpf: Cpf, timeout: Timeout = None, requested_by: By = "cli") -> None:
    """Erase the person's data in every service; report which services confirmed."""

    async def work(client: PrivacyClient) -> Collected:
        return await client.erase(cpf, requested_by=requested_by, timeout_s=timeout)

    collected = _run(work, document=cpf, journalled=True)
    _emit(erasure_report(collected), collected.missing)


@app.command()
def status(request_id: Annotated[str, typer.Option("--request-id")], timeout: Timeout = None) -> None:
    """Which services have confirmed an earlier erasure (while its confirmations are on privacy.events)."""

    async def work(client: PrivacyClient) -> Collected:
        return await client.status(request_id, timeout_s=timeout or 10.0)

    collected = _run(work)
    _emit(erasure_report(collected), collected.missing)


async def topic_retention(settings: ServiceSettings, *, apply: bool) -> dict[str, dict[str, str | None]]:
    """retention.ms of every catalog topic and DLQ on the broker, against the catalog; `apply` fixes drift."""
    prefix = settings.kafka_topic_prefix
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = {
            prefix + name: topics.retention_ms(name)
            for logical in topics.CATALOG
            for name in (logical, topics.dlq(logical))
            if prefix + name in existing
        }
        resources = [ConfigResource(ConfigResourceType.TOPIC, name, configs=None) for name in sorted(wanted)]
        actual: dict[str, str | None] = dict.fromkeys(wanted)
        for response in await admin.describe_configs(resources) if resources else []:
            for resource in response.resources:
                name, entries = resource[3], resource[4]
                actual[name] = next((e[1] for e in entries if e[0] == "retention.ms"), None)
        drift = {n: str(ms) for n, ms in wanted.items() if ms is not None and actual.get(n) != str(ms)}
        if apply and drift:
            # Keeps the topics' other overrides (min.insync.replicas from `atende topics ensure`).
            await set_topic_configs(admin, {n: {"retention.ms": ms} for n, ms in drift.items()})
        return {
            n: {"wanted": str(ms), "actual": actual.get(n), "fixed": str(apply and n in drift)}
            for n, ms in wanted.items()
        }
    finally:
        await admin.close()


@app.command()
def retention(
    apply: Annotated[bool, typer.Option("--apply", help="Set retention.ms where it drifted.")] = False,
) -> None:
    """Each topic's retention.ms on the broker against the catalog (docs/privacy.md)."""
    report = asyncio.run(topic_retention(ServiceSettings(), apply=apply))
    typer.echo(json.dumps(report, indent=2))
