"""What one transition works with: the policy, the input, a copy of the state, and the effects so far."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .effects import (
    CancelTimer,
    Effect,
    Emit,
    Fact,
    ScheduleTimer,
    Send,
    SendButtons,
    SendDocument,
    SendList,
    SendText,
)
from .hours import BusinessHours
from .inputs import Input
from .messages import Catalog
from .model import ConversationState, Pending

COMMAND_TIMER = "command"  # a missing SGP answer to an agent's command (commands.py)


def no_document_index(document: str) -> str:
    """Without a key there is no blind index (unit tests that do not care)."""
    return ""


@dataclass(frozen=True, slots=True)
class Policy:
    """Tunables of the dialogue (from settings) and the ISP's words and hours."""

    catalog: Catalog = field(default_factory=Catalog)
    hours: BusinessHours = field(default_factory=lambda: BusinessHours.parse("mon-fri 08:00-18:00; sat 08:00-12:00"))
    nlu_min_confidence: float = 0.6
    negative_sentiment_min: float = 0.6  # sentiment intensity from which a customer is "upset"
    max_misunderstandings: int = 2
    nlu_timeout_seconds: float = 8.0
    sgp_timeout_seconds: float = 10.0
    sgp_attempts: int = 2
    idle_warn_seconds: float = 600.0
    idle_close_seconds: float = 300.0
    max_document_attempts: int = 3
    max_invoices: int = 3
    context_turns: int = 6
    # The keyed hash of a CPF/CNPJ (atende_core.crypto.blind_index with PII_HASH_KEY), computed while the
    # document is at hand, so that agents find the customer without anyone keeping it in clear.
    document_index: Callable[[str], str] = no_document_index


@dataclass(frozen=True, slots=True)
class Signal:
    """An input as the transition table sees it: a name like 'choice:menu:bill' or 'sgp:invoices'."""

    name: str
    arg: str = ""


@dataclass
class Ctx:
    """Mutable scratch space of one `machine.step` call (the caller's state is never touched)."""

    state: ConversationState
    input: Input
    now: datetime
    input_id: str
    policy: Policy
    signal: Signal = field(default_factory=lambda: Signal("none"))
    effects: list[Effect] = field(default_factory=list)
    intro: list[str] = field(default_factory=list)
    # The request an answer or a reply timeout settled (already removed from the state).
    settled: Pending | None = None
    # Set by actions that manage the idle timers themselves (the warning).
    keep_idle_timers: bool = False
    depth: int = 0
    redispatch: Callable[[Ctx], None] = field(default=lambda _ctx: None, repr=False)
    _ids: int = 0

    @property
    def catalog(self) -> Catalog:
        """The ISP's message catalog."""
        return self.policy.catalog

    def new_id(self, tag: str) -> str:
        """A deterministic id: the same conversation, input and call order give the same id after a replay."""
        self._ids += 1
        seed = f"{self.state.conversation_id}|{self.input_id}|{tag}|{self._ids}"
        return hashlib.sha256(seed.encode()).hexdigest()[:24]

    def say(self, message: Send) -> None:
        """Send a message to the customer."""
        self.effects.append(message)

    def say_first(self, text: str) -> None:
        """A paragraph that opens the next message of this transition."""
        self.intro.append(text)

    def emit(self, fact: Fact) -> None:
        """Publish a conversation fact."""
        self.effects.append(Emit(fact))

    def set_timer(self, kind: str, delay_seconds: float) -> None:
        """(Re)schedule the single timer of `kind`."""
        self.cancel_timer(kind)
        token = self.new_id(f"timer:{kind}")
        self.state.timers[kind] = token
        self.effects.append(ScheduleTimer(kind, token, delay_seconds))

    def cancel_timer(self, kind: str) -> None:
        """Drop the timer of `kind`, if one is live."""
        token = self.state.timers.pop(kind, None)
        if token is not None:
            self.effects.append(CancelTimer(kind, token))

    def cancel_all_timers(self) -> None:
        """Drop every live timer of the dialogue (handoff, closing); an agent's command in flight keeps its
        own, so that it always ends with an answer for the agent."""
        for kind in list(self.state.timers):
            if kind != COMMAND_TIMER or self.state.agent_task is None:
                self.cancel_timer(kind)

    def sends(self) -> list[Send]:
        """The messages this transition sends so far."""
        return [e for e in self.effects if isinstance(e, SendText | SendButtons | SendList | SendDocument)]
