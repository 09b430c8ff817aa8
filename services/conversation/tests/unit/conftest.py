"""A scripted driver for the pure state machine: feed inputs, read effects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest

from atende_conversation.domain.context import Policy
from atende_conversation.domain.effects import (
    Effect,
    Emit,
    Fact,
    RequestNlu,
    RequestSgp,
    Send,
    SendButtons,
    SendDocument,
    SendList,
    SendText,
    text_of,
)
from atende_conversation.domain.inputs import (
    AgentAction,
    AgentActionKind,
    AgentCommand,
    CustomerMessage,
    Entity,
    MessageKind,
    NluAnswer,
    SgpAnswer,
    SgpOutcome,
    TimerFired,
)
from atende_conversation.domain.machine import Outcome, step
from atende_conversation.domain.messages import Catalog
from atende_conversation.domain.model import ConversationState, Step
from atende_core.ids import conversation_id

SP = ZoneInfo("America/Sao_Paulo")
WEDNESDAY_10H = datetime(2026, 3, 4, 10, 0, tzinfo=SP)
FRIDAY_20H = datetime(2026, 3, 6, 20, 0, tzinfo=SP)
SATURDAY_14H = datetime(2026, 3, 7, 14, 0, tzinfo=SP)
CONVERSATION = conversation_id(phone_number_id="106540352242922", wa_id="5511987654321", key=b"unit-test-key")
T = TypeVar("T")


class Dialogue:
    """One conversation driven step by step, like the service would, without I/O."""

    def __init__(self, policy: Policy, now: datetime) -> None:
        self.policy = policy
        self.now = now
        self.state = ConversationState(CONVERSATION)
        self.outcomes: list[Outcome] = []
        self._n = 0

    # --- feeding ----------------------------------------------------------------------------------

    def feed(self, event: object, *, input_id: str | None = None) -> Outcome:
        """Apply one input and keep the new state."""
        self._n += 1
        outcome = step(
            self.state,
            event,  # type: ignore[arg-type]
            now=self.now,
            input_id=input_id or f"in-{self._n}",
            policy=self.policy,
        )
        self.state = outcome.state
        self.outcomes.append(outcome)
        return outcome

    def message(self, **fields: object) -> CustomerMessage:
        """A customer message with the usual envelope fields."""
        self._n += 1
        defaults: dict[str, object] = {
            "message_id": f"wamid.{self._n}",
            "kind": MessageKind.TEXT,
            "profile_name": "Maria da Silva",
            "phone_number_id": "106540352242922",
            "reply_to": "5511987654321",
        }
        defaults.update(fields)
        return CustomerMessage(**defaults)  # type: ignore[arg-type]

    def text(self, body: str, **fields: object) -> Outcome:
        """The customer types `body`."""
        message = self.message(text=body, **fields)
        return self.feed(message, input_id=message.message_id)

    def tap(self, choice_id: str) -> Outcome:
        """The customer taps a button or list row."""
        message = self.message(kind=MessageKind.CHOICE, choice_id=choice_id, text=choice_id)
        return self.feed(message, input_id=message.message_id)

    def nlu(
        self,
        intent: str,
        confidence: float = 0.95,
        *,
        sentiment: str = "neutro",
        intensity: float = 0.0,
        entities: tuple[Entity, ...] = (),
    ) -> Outcome:
        """The NLU answers the pending request."""
        request = self.pending_request(RequestNlu)
        answer = NluAnswer(request.request_id, intent, confidence, sentiment, 0.9, entities, intensity)
        return self.feed(answer, input_id=f"nlu:{request.request_id}")

    def sgp(self, outcome: SgpOutcome) -> Outcome:
        """SGP answers the pending request."""
        request = self.pending_request(RequestSgp)
        return self.feed(SgpAnswer(request.request_id, outcome), input_id=f"sgp:{request.request_id}")

    def fire(self, kind: str) -> Outcome:
        """The live timer of `kind` fires."""
        token = self.state.timers[kind]
        return self.feed(TimerFired(kind, token), input_id=f"timer:{kind}:{token}")

    def agent(self, kind: AgentActionKind, agent_id: str = "agent-7", text: str = "") -> Outcome:
        """An agent acts through the operator API."""
        return self.feed(AgentAction(kind, agent_id, text))

    def command(self, action: str, command_id: str = "cmd-1", agent_id: str = "agent-7", **fields: str) -> Outcome:
        """An agent's console command (AgentActionRequested), fed as the service does: once per command id."""
        command = AgentCommand(command_id, agent_id, action, **fields)
        return self.feed(command, input_id=f"command:{command_id}")

    def sgp_for_command(self, outcome: SgpOutcome) -> Outcome:
        """SGP answers the request of the agent's command in flight."""
        task = self.state.agent_task
        assert task is not None, "no command waits for SGP"
        return self.feed(SgpAnswer(task.request_id, outcome), input_id=f"sgp:{task.request_id}")

    def later(self, **delta: float) -> None:
        """Let time pass."""
        self.now += timedelta(**delta)

    # --- reading ----------------------------------------------------------------------------------

    def pending_request(self, kind: type[T]) -> T:
        """The last request of `kind` the machine made and still waits for."""
        pending = self.state.pending
        assert pending is not None, "nothing pending"
        for outcome in reversed(self.outcomes):
            for effect in outcome.effects:
                # Agents' commands ask SGP too: the awaited request is the one with the pending id.
                if isinstance(effect, kind) and getattr(effect, "request_id", None) == pending.request_id:
                    return effect
        raise AssertionError(f"no {kind.__name__} was made")

    @property
    def last(self) -> Outcome:
        """The last outcome."""
        return self.outcomes[-1]

    @property
    def step(self) -> Step:
        """Where the conversation is."""
        return self.state.step

    def sends(self) -> list[Send]:
        """Messages of the last input."""
        return [e for e in self.last.effects if isinstance(e, SendText | SendButtons | SendList | SendDocument)]

    def said(self) -> str:
        """Everything the bot said for the last input, as one string."""
        return "\n".join(text_of(s) for s in self.sends())

    def facts(self) -> list[Fact]:
        """Facts emitted for the last input."""
        return [e.fact for e in self.last.effects if isinstance(e, Emit)]

    def effects_of(self, kind: type[T]) -> list[T]:
        """Effects of `kind` for the last input."""
        return [e for e in self.last.effects if isinstance(e, kind)]

    def all_effects(self) -> Iterator[Effect]:
        """Every effect so far."""
        for outcome in self.outcomes:
            yield from outcome.effects

    def button_ids(self) -> list[str]:
        """Ids of the buttons/rows on the last interactive message."""
        for send in reversed(self.sends()):
            if isinstance(send, SendButtons):
                return [b.id for b in send.buttons]
            if isinstance(send, SendList):
                return [r.id for r in send.rows]
        return []


@pytest.fixture
def policy() -> Policy:
    """The default policy with a named ISP."""
    return Policy(catalog=Catalog(isp_name="Fibra Teste"))


@pytest.fixture
def dialogue(policy: Policy) -> Dialogue:
    """A conversation during business hours."""
    return Dialogue(policy, WEDNESDAY_10H)


@pytest.fixture
def make_dialogue(policy: Policy) -> Callable[[str], Dialogue]:
    """A conversation at a named moment: 'wednesday_10h' (open), 'friday_20h' or 'saturday_14h' (closed)."""
    moments = {"wednesday_10h": WEDNESDAY_10H, "friday_20h": FRIDAY_20H, "saturday_14h": SATURDAY_14H}

    def make(moment: str) -> Dialogue:
        return Dialogue(policy, moments[moment])

    return make
