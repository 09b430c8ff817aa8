"""LGPD erasure and export over Kafka, the service side (docs/privacy.md)::

    atende privacy erase ──ErasureRequested(document_index, resolved=false)──► privacy.commands
    conversation: looks the document up in its links, logs the erasure, publishes
                  ErasureRequested(resolved=true, conversation ids, phone indexes, contract ids)
    every service: applies the resolved command to its own stores ──ErasureConfirmed──► privacy.events

Export goes the same way (ExportRequested → ExportAnswered); each answer is sealed to the requester's
one-time X25519 key, so the personal data on privacy.events is readable only by the CLI that asked.

A service plugs in with `subscribe(bus, service=NAME, store=...)`; `store` implements `PersonalData`
(None for a service that holds nothing about customers: it still confirms, with nothing erased).
Handling is idempotent by construction (erasing what is gone erases nothing), so a replayed command
is harmless and confirms again.
"""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from atende.privacy.v1.privacy_pb2 import ErasureConfirmed, ErasureRequested, ExportAnswered, ExportRequested
from atende_core.bus import Bus, Envelope, topics

log = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("6f1d2c0a-4b7e-4a39-9a51-3c8e2d7b9f10")
_INDEX = re.compile(r"^[0-9a-f]{16,64}$")
_MAX_IDS = 1000  # more ids than any one person can have: a hostile or broken command
_HKDF_INFO = b"atende-privacy-export-v1"
_X25519_KEY_BYTES = 32


class InvalidCommand(ValueError):
    """A privacy command that cannot be applied (no valid document index, malformed key or ids)."""


@dataclass(frozen=True, slots=True)
class Subject:
    """Whom a command concerns: blind indexes and pseudonymous ids only, never a document in clear."""

    request_id: str
    document_index: str
    phone_indexes: tuple[str, ...] = ()
    conversation_ids: tuple[str, ...] = ()
    contract_ids: tuple[str, ...] = ()

    @classmethod
    def of(cls, command: ErasureRequested | ExportRequested) -> Subject:
        """The subject of a command, checked (InvalidCommand when it is not usable)."""
        if not command.request_id or not _INDEX.match(command.document_index):
            raise InvalidCommand("a privacy command needs a request id and a hex document index")
        ids = (command.phone_indexes, command.conversation_ids, command.contract_ids)
        if any(len(values) > _MAX_IDS for values in ids):
            raise InvalidCommand("too many ids in a privacy command")
        if not all(_INDEX.match(p) for p in command.phone_indexes):
            raise InvalidCommand("phone indexes must be hex blind indexes")
        return cls(
            request_id=command.request_id,
            document_index=command.document_index,
            phone_indexes=_unique(command.phone_indexes),
            conversation_ids=_unique(command.conversation_ids),
            contract_ids=_unique(command.contract_ids),
        )

    def merged(self, *, phone_indexes: Any = (), conversation_ids: Any = (), contract_ids: Any = ()) -> Subject:
        """This subject with more ids (order kept, duplicates dropped)."""
        return Subject(
            request_id=self.request_id,
            document_index=self.document_index,
            phone_indexes=_unique([*self.phone_indexes, *phone_indexes]),
            conversation_ids=_unique([*self.conversation_ids, *conversation_ids]),
            contract_ids=_unique([*self.contract_ids, *contract_ids]),
        )


def _unique(values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for v in values if v))


class PersonalData(Protocol):
    """What a service holds about people, found by a `Subject`."""

    async def erase(self, subject: Subject) -> Mapping[str, int]:
        """Delete (or anonymise) every record about the subject; records affected, by store."""

    async def export(self, subject: Subject) -> dict[str, Any]:
        """Every record about the subject, as JSON-able values."""


class Resolver(Protocol):
    """The one service that links a document to conversations (the conversation service)."""

    async def resolve(self, subject: Subject, *, erasure: bool) -> Subject:
        """The subject with every conversation id, phone index and contract id linked to its document;
        for an erasure, the resolution is also written to the erasure log (and read back on a replay)."""


@dataclass(slots=True)
class PrivacyHandler:
    """Applies privacy commands for one service and confirms them."""

    bus: Bus
    service: str
    store: PersonalData | None = None
    resolver: Resolver | None = None
    rejected: int = field(default=0)

    async def on_command(self, event: Message, envelope: Envelope) -> None:
        """One command from privacy.commands; an unusable command is logged and counted, never retried."""
        try:
            match event:
                case ErasureRequested():
                    await self._erase(event)
                case ExportRequested():
                    await self._export(event)
                case _:
                    pass
        except InvalidCommand as exc:
            self.rejected += 1
            log.warning(
                "privacy command rejected",
                extra={"event.id": envelope.id, "error.type": type(exc).__name__, "error.message": str(exc)},
            )

    async def _erase(self, command: ErasureRequested) -> None:
        subject = Subject.of(command)
        if self.resolver is not None:
            if command.resolved:
                return  # our own enriched command: we applied it when we published it
            subject = await self.resolver.resolve(subject, erasure=True)
            # Published before our own stores are cleaned: the links it needs are erased with them.
            await self.bus.publish(
                topics.PRIVACY_COMMANDS,
                resolved_erasure(command, subject),
                key=command.request_id,
                event_id=_event_id(command.request_id, "erasure-resolved"),
            )
        elif not command.resolved:
            return  # wait for the conversation service's resolved command
        erased = dict(await self.store.erase(subject)) if self.store is not None else {}
        confirmation = ErasureConfirmed(
            request_id=command.request_id,
            service=self.service,
            confirmed_at=_now(),
            erased={name: str(count) for name, count in erased.items()},
        )
        await self.bus.publish(
            topics.PRIVACY_EVENTS,
            confirmation,
            key=command.request_id,
            event_id=_event_id(command.request_id, f"erased:{self.service}"),
        )
        log.info(
            "erasure applied",
            extra={
                "event.action": "privacy-erase",
                "privacy.request_id": command.request_id,
                "privacy.records": sum(erased.values()),
            },
        )

    async def _export(self, command: ExportRequested) -> None:
        subject = Subject.of(command)
        if len(command.recipient_public_key) != _X25519_KEY_BYTES:
            raise InvalidCommand("an export request needs a 32-byte X25519 recipient key")
        if self.resolver is not None:
            if command.resolved:
                return
            subject = await self.resolver.resolve(subject, erasure=False)
            await self.bus.publish(
                topics.PRIVACY_COMMANDS,
                resolved_export(command, subject),
                key=command.request_id,
                event_id=_event_id(command.request_id, "export-resolved"),
            )
        elif not command.resolved:
            return
        document = await self.store.export(subject) if self.store is not None else {}
        sender_key, nonce, sealed = seal(
            document, command.recipient_public_key, context=_context(command.request_id, self.service)
        )
        answer = ExportAnswered(
            request_id=command.request_id,
            service=self.service,
            answered_at=_now(),
            sender_public_key=sender_key,
            nonce=nonce,
            sealed_document=sealed,
        )
        # A fresh id each time: an export replayed later is a new answer (sealed with a new key).
        await self.bus.publish(topics.PRIVACY_EVENTS, answer, key=command.request_id)
        log.info("export answered", extra={"event.action": "privacy-export", "privacy.request_id": command.request_id})


def subscribe(
    bus: Bus, *, service: str, store: PersonalData | None = None, resolver: Resolver | None = None
) -> PrivacyHandler:
    """Apply privacy commands to `store` for `service` (call before the bus starts).

    Consumer group `<service>-privacy`, commit after handling, the bus's retries then the DLQ; no
    handle-once guard: applying a command twice is harmless and confirms again (the CLI may re-ask).
    """
    handler = PrivacyHandler(bus=bus, service=service, store=store, resolver=resolver)
    bus.subscribe(topics.PRIVACY_COMMANDS, handler.on_command, group=f"{service}-privacy", idempotent=False)
    bus.produces(topics.PRIVACY_EVENTS)
    return handler


def resolved_erasure(command: ErasureRequested, subject: Subject) -> ErasureRequested:
    """The command enriched with what the resolver linked to the document."""
    resolved = ErasureRequested()
    resolved.CopyFrom(command)
    _fill(resolved, subject)
    return resolved


def resolved_export(command: ExportRequested, subject: Subject) -> ExportRequested:
    """The export request enriched with what the resolver linked to the document."""
    resolved = ExportRequested()
    resolved.CopyFrom(command)
    _fill(resolved, subject)
    return resolved


def _fill(command: ErasureRequested | ExportRequested, subject: Subject) -> None:
    command.resolved = True
    del command.phone_indexes[:]
    command.phone_indexes.extend(subject.phone_indexes)
    del command.conversation_ids[:]
    command.conversation_ids.extend(subject.conversation_ids)
    del command.contract_ids[:]
    command.contract_ids.extend(subject.contract_ids)


def _event_id(request_id: str, what: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{request_id}:{what}"))


def _context(request_id: str, service: str) -> bytes:
    """Authenticated data of a sealed answer: an answer cannot be passed off for another request or service."""
    return f"{request_id}\x00{service}".encode()


def _now() -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.now(UTC))
    return stamp


# --- sealing of export answers -------------------------------------------------------------------


def new_recipient_key() -> tuple[X25519PrivateKey, bytes]:
    """A one-time key pair for one export: the private key, and the raw public key to put in the request."""
    private = X25519PrivateKey.generate()
    return private, private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _derive(shared: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(shared)


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return str(value)


def seal(document: Mapping[str, Any], recipient_public_key: bytes, *, context: bytes) -> tuple[bytes, bytes, bytes]:
    """(sender public key, nonce, ciphertext) of `document` as JSON, readable only with the recipient's key."""
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public_key))
    nonce = os.urandom(12)
    plaintext = json.dumps(document, ensure_ascii=False, default=_json_default).encode()
    sealed = AESGCM(_derive(shared)).encrypt(nonce, plaintext, context)
    return ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw), nonce, sealed


def open_answer(answer: ExportAnswered, recipient: X25519PrivateKey) -> dict[str, Any]:
    """The JSON document of a sealed export answer (cryptography's InvalidTag when it was tampered with)."""
    shared = recipient.exchange(X25519PublicKey.from_public_bytes(answer.sender_public_key))
    plaintext = AESGCM(_derive(shared)).decrypt(
        answer.nonce, answer.sealed_document, _context(answer.request_id, answer.service)
    )
    document = json.loads(plaintext)
    return document if isinstance(document, dict) else {"value": document}
