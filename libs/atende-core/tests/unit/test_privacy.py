"""The privacy handler's decisions (with a recording bus), the sealing of export answers, the checks on
hostile commands, and topic retention figures."""

from collections.abc import Mapping
from typing import Any

import pytest
import typer
from cryptography.exceptions import InvalidTag
from google.protobuf.message import Message

from atende.privacy.v1.privacy_pb2 import ErasureConfirmed, ErasureRequested, ExportAnswered, ExportRequested
from atende_core.bus import Envelope, topics
from atende_core.privacy import PrivacyHandler, Subject, new_recipient_key, open_answer, seal
from atende_core.privacy_cli import PrivacyCliSettings, document_index

pytestmark = pytest.mark.unit

INDEX = "0f" * 16


class RecordingBus:
    """Records what the handler publishes."""

    def __init__(self) -> None:
        self.published: list[tuple[str, Message, str, str | None]] = []

    async def publish(self, topic: str, event: Message, *, key: str, event_id: str | None = None) -> str:
        self.published.append((topic, event, key, event_id))
        return event_id or "generated"


class Store:
    def __init__(self) -> None:
        self.erased: list[Subject] = []

    async def erase(self, subject: Subject) -> Mapping[str, int]:
        self.erased.append(subject)
        return {"redis": len(subject.conversation_ids)}

    async def export(self, subject: Subject) -> dict[str, Any]:
        return {"conversations": list(subject.conversation_ids), "name": "Maria Souza"}


class Resolver:
    async def resolve(self, subject: Subject, *, erasure: bool) -> Subject:
        return subject.merged(conversation_ids=["c1", "c2"], contract_ids=["k1"])


def _envelope() -> Envelope:
    return Envelope(id="e1", type="t", source="s", time=None)  # type: ignore[arg-type]


def _handler(**kwargs: Any) -> tuple[PrivacyHandler, RecordingBus]:
    bus = RecordingBus()
    return PrivacyHandler(bus=bus, **kwargs), bus  # type: ignore[arg-type]


async def test_the_resolver_publishes_the_resolved_command_then_confirms() -> None:
    store = Store()
    handler, bus = _handler(service="conversation", store=store, resolver=Resolver())
    await handler.on_command(ErasureRequested(request_id="r1", document_index=INDEX), _envelope())
    (t1, resolved, key, _), (t2, confirmed, _, confirmation_id) = bus.published
    assert (t1, t2, key) == (topics.PRIVACY_COMMANDS, topics.PRIVACY_EVENTS, "r1")
    assert isinstance(resolved, ErasureRequested)
    assert resolved.resolved
    assert list(resolved.conversation_ids) == ["c1", "c2"]
    assert isinstance(confirmed, ErasureConfirmed)
    assert (confirmed.service, dict(confirmed.erased)) == ("conversation", {"redis": "2"})
    # Its own resolved command, when it comes back, is not applied twice.
    await handler.on_command(resolved, _envelope())
    assert len(bus.published) == 2
    # A replay confirms again under the same event id.
    await handler.on_command(ErasureRequested(request_id="r1", document_index=INDEX), _envelope())
    assert bus.published[-1][3] == confirmation_id


async def test_other_services_wait_for_the_resolved_command() -> None:
    store = Store()
    handler, bus = _handler(service="gateway", store=store)
    await handler.on_command(ErasureRequested(request_id="r1", document_index=INDEX), _envelope())
    assert bus.published == []
    assert store.erased == []
    resolved = ErasureRequested(request_id="r1", document_index=INDEX, resolved=True, conversation_ids=["c1"])
    await handler.on_command(resolved, _envelope())
    assert store.erased[0].conversation_ids == ("c1",)
    assert bus.published[0][1].service == "gateway"  # type: ignore[attr-defined]


async def test_a_service_without_personal_data_confirms_with_nothing_erased() -> None:
    handler, bus = _handler(service="auth")
    await handler.on_command(ErasureRequested(request_id="r1", document_index=INDEX, resolved=True), _envelope())
    [(_, confirmed, _, _)] = bus.published
    assert isinstance(confirmed, ErasureConfirmed)
    assert (confirmed.service, dict(confirmed.erased)) == ("auth", {})


@pytest.mark.parametrize(
    "command",
    [
        ErasureRequested(request_id="r1", document_index="", resolved=True),
        ErasureRequested(request_id="", document_index=INDEX, resolved=True),
        ErasureRequested(request_id="r1", document_index="12345678909", resolved=True),  # a CPF, not an index
        ErasureRequested(request_id="r1", document_index=INDEX, resolved=True, phone_indexes=["5511987654321"]),
        ErasureRequested(request_id="r1", document_index=INDEX, resolved=True, conversation_ids=["x"] * 1001),
        ExportRequested(request_id="r1", document_index=INDEX, resolved=True, recipient_public_key=b"short"),
    ],
)
async def test_hostile_commands_are_rejected_and_counted_never_applied(command: Message) -> None:
    store = Store()
    handler, bus = _handler(service="gateway", store=store)
    await handler.on_command(command, _envelope())
    assert (handler.rejected, bus.published, store.erased) == (1, [], [])


async def test_an_export_answer_is_readable_only_with_the_requesters_key() -> None:
    private, public = new_recipient_key()
    handler, bus = _handler(service="gateway", store=Store())
    request = ExportRequested(
        request_id="r1", document_index=INDEX, resolved=True, conversation_ids=["c1"], recipient_public_key=public
    )
    await handler.on_command(request, _envelope())
    [(topic, answer, _, _)] = bus.published
    assert topic == topics.PRIVACY_EVENTS
    assert isinstance(answer, ExportAnswered)
    assert b"Maria" not in answer.SerializeToString()
    assert open_answer(answer, private) == {"conversations": ["c1"], "name": "Maria Souza"}
    other, _ = new_recipient_key()
    with pytest.raises(InvalidTag):
        open_answer(answer, other)
    # Bound to its request and service: relabelled, it does not open.
    relabelled = ExportAnswered()
    relabelled.CopyFrom(answer)
    relabelled.service = "conversation"
    with pytest.raises(InvalidTag):
        open_answer(relabelled, private)


def test_sealing_serialises_dates_and_round_trips() -> None:
    from datetime import UTC, datetime

    private, public = new_recipient_key()
    sender, nonce, sealed = seal({"at": datetime(2026, 1, 2, tzinfo=UTC)}, public, context=b"r\x00s")
    answer = ExportAnswered(request_id="r", service="s", sender_public_key=sender, nonce=nonce, sealed_document=sealed)
    assert open_answer(answer, private) == {"at": "2026-01-02T00:00:00+00:00"}


def test_the_cli_refuses_an_invalid_document_and_never_publishes_it() -> None:
    settings = PrivacyCliSettings(pii_hash_key="k")
    with pytest.raises(typer.BadParameter):
        document_index("123.456.789-00", settings)
    index = document_index("123.456.789-09", settings)
    assert index == document_index("12345678909", settings)
    assert "12345678909" not in index
    assert len(index) == 32


def test_every_topic_and_dlq_has_a_retention() -> None:
    for topic in topics.CATALOG:
        assert topics.retention_ms(topic), topic
        assert topics.retention_ms(topics.dlq(topic)) == topics.DLQ_RETENTION_MS
    assert topics.retention_ms(topics.PRIVACY_COMMANDS) == 30 * 24 * 3600 * 1000
    assert topics.retention_ms("not.a.topic") is None


@pytest.mark.parametrize("command", ["erase", "export"])
def test_a_mistyped_cpf_is_refused_before_anything_is_published(command: str) -> None:
    from typer.testing import CliRunner

    from atende_core.privacy_cli import app

    # An unreachable broker: the refusal must come first, not a connection error.
    env = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "PII_HASH_KEY": "k"}
    result = CliRunner().invoke(app, [command, "--cpf", "123.456.789-00"], env=env)
    assert result.exit_code == 2
    assert "not a valid CPF or CNPJ" in result.output
