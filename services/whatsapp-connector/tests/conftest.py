"""Hand-written fakes of the connector's ports (unit tests) as fixtures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from google.protobuf.message import Message

from atende.whatsapp.v1.whatsapp_pb2 import DeliveryStatus
from atende_core.bus.idempotency import Claim
from atende_whatsapp_connector.ports import SendResult, SentMessage


@dataclass
class FakeDedup:
    state: dict[str, str] = field(default_factory=dict)

    async def claim(self, key: str) -> Claim:
        if key not in self.state:
            self.state[key] = "claimed"
            return Claim.ACQUIRED
        return Claim.DONE if self.state[key] == "done" else Claim.IN_PROGRESS

    async def complete(self, key: str) -> None:
        self.state[key] = "done"

    async def release(self, key: str) -> None:
        self.state.pop(key, None)


@dataclass
class Published:
    topic: str
    event: Any
    key: str
    event_id: str | None


@dataclass
class FakePublisher:
    events: list[Published] = field(default_factory=list)
    fail_next: int = 0

    async def publish(self, topic: str, event: Message, *, key: str, event_id: str | None = None) -> str:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("kafka down")
        self.events.append(Published(topic, event, key, event_id))
        return event_id or "id"

    def on(self, topic: str) -> list[Any]:
        return [p.event for p in self.events if p.topic == topic]


@dataclass
class FakeStatusStore:
    statuses: dict[str, DeliveryStatus] = field(default_factory=dict)

    async def current(self, message_id: str) -> DeliveryStatus:
        return self.statuses.get(message_id, DeliveryStatus.DELIVERY_STATUS_UNSPECIFIED)

    async def record(self, message_id: str, status: DeliveryStatus) -> None:
        self.statuses[message_id] = status


@dataclass
class FakeIndex:
    sent: dict[str, SentMessage] = field(default_factory=dict)

    async def remember(self, message_id: str, sent: SentMessage) -> None:
        self.sent[message_id] = sent

    async def lookup(self, message_id: str) -> SentMessage | None:
        return self.sent.get(message_id)


@dataclass
class FakeLimiter:
    acquired: list[str] = field(default_factory=list)

    async def acquire(self, phone_number_id: str) -> None:
        self.acquired.append(phone_number_id)


@dataclass
class FakeGraph:
    """Answers queued outcomes (SendResult or an exception) in order, then accepts."""

    outcomes: list[SendResult | Exception] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def send_message(self, phone_number_id: str, payload: dict[str, Any]) -> SendResult:
        self.calls.append((phone_number_id, payload))
        outcome = self.outcomes.pop(0) if self.outcomes else SendResult(message_id=f"wamid.{len(self.calls)}")
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


@pytest.fixture
def dedup() -> FakeDedup:
    return FakeDedup()


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def status_store() -> FakeStatusStore:
    return FakeStatusStore()


@pytest.fixture
def index() -> FakeIndex:
    return FakeIndex()


@pytest.fixture
def limiter() -> FakeLimiter:
    return FakeLimiter()


@pytest.fixture
def graph() -> FakeGraph:
    return FakeGraph()
