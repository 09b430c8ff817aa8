"""MessageSender with fakes: once per command, limits before sending, each Graph error class."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from atende.whatsapp.v1.whatsapp_pb2 import DeliveryStatus, MarkRead, SendMessage, Template, Text
from atende_core.bus import Envelope, PermanentError, topics
from atende_core.ids import conversation_id
from atende_whatsapp_connector.adapters.graph import GraphApiError
from atende_whatsapp_connector.ports import SendResult
from atende_whatsapp_connector.sender import MessageSender

pytestmark = pytest.mark.unit

PNID = "106540352242922"
KEY = b"test-id-key"
CONVERSATION = conversation_id(phone_number_id=PNID, wa_id="5511987654321", key=KEY)
ENVELOPE = Envelope(id="e1", type="atende.whatsapp.v1.SendMessage", source="test", time=datetime.now(UTC))
S = DeliveryStatus


def error(code: int, status: int = 400, title: str = "x") -> GraphApiError:
    return GraphApiError(http_status=status, code=code, title=title, details="details")


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def sender(graph: Any, limiter: Any, dedup: Any, index: Any, publisher: Any, sleeps: list[float]) -> MessageSender:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return MessageSender(
        graph=graph,
        limiter=limiter,
        dedup=dedup,
        index=index,
        publisher=publisher,
        default_phone_number_id=PNID,
        id_key=KEY,
        max_attempts=4,
        retry_initial_seconds=0.5,
        retry_max_seconds=20,
        sleep=sleep,
        clock=lambda: 1700000000.0,
    )


def text(command_id: str = "cmd-1", **extra: Any) -> SendMessage:
    return SendMessage(
        command_id=command_id,
        conversation_id=CONVERSATION,
        to="5511987654321",
        text=Text(body="Olá!"),
        **extra,
    )


async def test_accepted_send_publishes_the_wamid_and_indexes_it(
    sender: MessageSender, graph: Any, publisher: Any, index: Any, limiter: Any
) -> None:
    graph.outcomes = [SendResult(message_id="wamid.OK")]
    await sender.handle(text(), ENVELOPE)
    assert graph.calls == [
        (
            PNID,
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "+5511987654321",
                "type": "text",
                "text": {"body": "Olá!", "preview_url": False},
            },
        )
    ]
    assert limiter.acquired == [PNID]
    [status] = publisher.on(topics.WHATSAPP_STATUS)
    assert (status.status, status.message_id, status.command_id) == (S.DELIVERY_STATUS_ACCEPTED, "wamid.OK", "cmd-1")
    assert (status.conversation_id, status.recipient_id) == (CONVERSATION, "5511987654321")
    assert publisher.events[0].key == CONVERSATION
    assert (await index.lookup("wamid.OK")).command_id == "cmd-1"


async def test_each_command_is_sent_at_most_once(sender: MessageSender, graph: Any) -> None:
    for _ in range(3):
        await sender.handle(text(), ENVELOPE)
    assert len(graph.calls) == 1


async def test_invalid_commands_fail_without_calling_whatsapp(
    sender: MessageSender, graph: Any, publisher: Any
) -> None:
    await sender.handle(SendMessage(command_id="c", to="5511987654321", text=Text(body="x" * 5000)), ENVELOPE)
    assert graph.calls == []
    [status] = publisher.on(topics.WHATSAPP_STATUS)
    assert status.status == S.DELIVERY_STATUS_FAILED
    assert status.message_id == ""
    assert status.errors[0].code == 131009
    assert "limit is 4096" in status.errors[0].details


@pytest.mark.parametrize(
    ("failure", "expected_sleeps"),
    [
        (error(130429, 429), [0.5, 1.0]),  # throughput: exponential (with jitter)
        (error(131056, 429), [1.0, 4.0]),  # pair rate: 4^n seconds
        (error(131000, 500), [0.5, 1.0]),  # transient
        (error(2, 503), [0.5, 1.0]),
        (error(999999, 502), [0.5, 1.0]),  # unknown code on a 5xx
        (httpx.ReadTimeout("slow"), [0.5, 1.0]),
    ],
)
async def test_retryable_errors_are_retried_with_backoff_and_the_limiter_each_time(
    sender: MessageSender,
    graph: Any,
    limiter: Any,
    publisher: Any,
    sleeps: list[float],
    failure: Exception,
    expected_sleeps: list[float],
) -> None:
    graph.outcomes = [failure, failure, SendResult(message_id="wamid.LATE")]
    await sender.handle(text(), ENVELOPE)
    assert len(graph.calls) == 3
    assert len(limiter.acquired) == 3
    # Jitter keeps each wait between half and all of the nominal delay.
    assert all(nominal / 2 <= slept <= nominal for slept, nominal in zip(sleeps, expected_sleeps, strict=True))
    assert publisher.on(topics.WHATSAPP_STATUS)[0].message_id == "wamid.LATE"


async def test_retries_are_capped_then_reported_failed(sender: MessageSender, graph: Any, publisher: Any) -> None:
    graph.outcomes = [error(130429, 429)] * 4
    await sender.handle(text(), ENVELOPE)
    assert len(graph.calls) == 4
    [status] = publisher.on(topics.WHATSAPP_STATUS)
    assert (status.status, status.errors[0].code) == (S.DELIVERY_STATUS_FAILED, 130429)


async def test_network_failures_that_persist_go_back_to_the_bus(sender: MessageSender, graph: Any, dedup: Any) -> None:
    graph.outcomes = [httpx.ConnectError("refused")] * 4
    with pytest.raises(httpx.ConnectError):
        await sender.handle(text(), ENVELOPE)
    assert "command:cmd-1" not in dedup.state  # released: the bus retries, then dead-letters


@pytest.mark.parametrize("code", [131026, 132000, 132001, 131009, 100, 131050, 368])
async def test_permanent_errors_become_failed_statuses_without_retry(
    sender: MessageSender, graph: Any, publisher: Any, code: int
) -> None:
    graph.outcomes = [error(code)]
    await sender.handle(text(), ENVELOPE)
    assert len(graph.calls) == 1
    [status] = publisher.on(topics.WHATSAPP_STATUS)
    assert (status.status, status.errors[0].code, status.errors[0].details) == (
        S.DELIVERY_STATUS_FAILED,
        code,
        "details",
    )


async def test_reengagement_sends_the_commands_fallback_template(
    sender: MessageSender, graph: Any, publisher: Any
) -> None:
    graph.outcomes = [error(131047)]
    await sender.handle(text(fallback_template=Template(name="retomada_atendimento", language="pt_BR")), ENVELOPE)
    [failed] = publisher.on(topics.WHATSAPP_STATUS)
    assert failed.errors[0].code == 131047
    [fallback] = publisher.on(topics.WHATSAPP_OUTBOUND)
    assert fallback.command_id == "cmd-1:reengagement"
    assert fallback.template.name == "retomada_atendimento"
    # The fallback itself never falls back again.
    graph.outcomes = [error(131047)]
    await sender.handle(fallback, ENVELOPE)
    assert len(publisher.on(topics.WHATSAPP_OUTBOUND)) == 1


async def test_reengagement_uses_the_configured_default_template(
    graph: Any, limiter: Any, dedup: Any, index: Any, publisher: Any
) -> None:
    sender = MessageSender(
        graph=graph,
        limiter=limiter,
        dedup=dedup,
        index=index,
        publisher=publisher,
        default_phone_number_id=PNID,
        id_key=KEY,
        default_fallback=Template(name="padrao", language="pt_BR"),
    )
    graph.outcomes = [error(131047)]
    await sender.handle(text(), ENVELOPE)
    assert publisher.on(topics.WHATSAPP_OUTBOUND)[0].template.name == "padrao"


async def test_an_expired_token_alerts_reports_and_dead_letters(
    sender: MessageSender, graph: Any, publisher: Any, dedup: Any, caplog: pytest.LogCaptureFixture
) -> None:
    before = REGISTRY.get_sample_value("atende_whatsapp_token_errors_total") or 0
    graph.outcomes = [error(190, 401, "Access token has expired")]
    with pytest.raises(PermanentError):
        await sender.handle(text(), ENVELOPE)
    assert REGISTRY.get_sample_value("atende_whatsapp_token_errors_total") == before + 1
    assert REGISTRY.get_sample_value("atende_whatsapp_token_valid") == 0
    assert any(r.levelname == "ERROR" and "access token" in r.getMessage() for r in caplog.records)
    assert publisher.on(topics.WHATSAPP_STATUS)[0].errors[0].code == 190
    assert "command:cmd-1" not in dedup.state  # replayable from the DLQ after the token is rotated
    await sender.handle(text(), ENVELOPE)
    assert REGISTRY.get_sample_value("atende_whatsapp_token_valid") == 1


async def test_mark_read_sends_and_publishes_nothing_on_success(
    sender: MessageSender, graph: Any, publisher: Any
) -> None:
    graph.outcomes = [SendResult()]
    await sender.handle(
        SendMessage(command_id="r1", mark_read=MarkRead(message_id="wamid.IN", typing_indicator=True)), ENVELOPE
    )
    assert graph.calls[0][1] == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.IN",
        "typing_indicator": {"type": "text"},
    }
    assert publisher.events == []
