"""The use case every handler calls: load the conversation, step the machine, save, then act.

    load snapshot ──► unfinished outbox? run it first (a crash left it) ──► step(state, input)
         ▲                                                                      │
         └──── version conflict: someone saved first, redo ◄── save state+outbox (compare-and-set)
                                                                                │
                                      clear outbox ◄── publish events, set timers, write transcript

Ids of everything an input causes derive from (conversation id, input id, effect index), so running
an outbox twice publishes the same ids: the connector sends each command id once, bus consumers skip
event ids they handled, and transcript writes are upserts.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Histogram

from atende_conversation.adapters import events as ev
from atende_conversation.domain import effects as fx
from atende_conversation.domain.context import Policy
from atende_conversation.domain.inputs import (
    AgentAction,
    AgentActionKind,
    AgentCommand,
    CustomerMessage,
    Input,
    TimerFired,
)
from atende_conversation.domain.machine import Outcome, step
from atende_conversation.domain.model import ConversationState
from atende_conversation.outbox import AddTimer, Item, Publish, RemoveTimer, UpdateSession, WriteTurn
from atende_conversation.ports import Publisher, Snapshot, StateStore, TimerStore, TranscriptStore, VersionConflict
from atende_core.bus import topics
from atende_core.masking import mask_phone, mask_text

log = logging.getLogger(__name__)

TRANSITIONS = Counter("atende_conversation_transitions_total", "Inputs handled, by transition", ["transition"])
HANDOFFS = Counter("atende_conversation_handoffs_total", "Handoffs requested, by reason", ["reason", "business_hours"])
CLOSED = Counter("atende_conversation_closed_total", "Sessions closed, by outcome", ["outcome"])
CSAT = Counter("atende_conversation_csat_total", "Satisfaction ratings, by score", ["score"])
CONFLICTS = Counter("atende_conversation_state_conflicts_total", "Saves that lost a compare-and-set race")
OUTBOX_REPLAYS = Counter("atende_conversation_outbox_replays_total", "Unfinished outboxes run again")
DUPLICATES = Counter("atende_conversation_duplicate_inputs_total", "Inputs already handled (same id)")
HANDLE_SECONDS = Histogram(
    "atende_conversation_handle_seconds",
    "Time to handle one input (load, step, save, publish)",
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)

_MAX_ATTEMPTS = 1000  # conflicts and waits for another handler's outbox (10 ms each)
_OUTBOX_POLL_SECONDS = 0.01


@dataclass(frozen=True, slots=True)
class TimerMember:
    """A timer as stored: which conversation, which kind, which token."""

    conversation_id: str
    kind: str
    token: str

    def encode(self) -> str:
        """`<token>|<kind>|<conversation id>` (the id may contain anything, so it goes last)."""
        return f"{self.token}|{self.kind}|{self.conversation_id}"

    @classmethod
    def decode(cls, member: str) -> TimerMember:
        """The member written by `encode`."""
        token, kind, conversation_id = member.split("|", 2)
        return cls(conversation_id, kind, token)


class Keyer:
    """The keyed hash that stands for a conversation id in MongoDB (ids are pseudonymous already; this
    second key keeps transcripts unlinkable to Redis and Kafka records without it)."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def __call__(self, conversation_id: str) -> str:
        """The conversation key."""
        return hmac.new(self._secret, conversation_id.encode(), hashlib.sha256).hexdigest()[:32]


class ConversationEngine:
    """Handles inputs for conversations, safely under concurrency, crashes and redeliveries."""

    def __init__(
        self,
        *,
        states: StateStore,
        timers: TimerStore,
        transcripts: TranscriptStore,
        publisher: Publisher,
        policy: Policy,
        keyer: Keyer,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        outbox_grace_seconds: float = 3.0,
    ) -> None:
        self._states = states
        self._timers = timers
        self._transcripts = transcripts
        self._publisher = publisher
        self.policy = policy
        self._key = keyer
        self._clock = clock
        self._grace = outbox_grace_seconds

    async def handle(self, conversation_id: str, event: Input, *, input_id: str) -> Outcome | None:
        """Apply one input; None when it concerns no known conversation (e.g. an expired one)."""
        started = time.perf_counter()
        for _ in range(_MAX_ATTEMPTS):
            snapshot = await self._states.load(conversation_id)
            if snapshot is None:
                if not isinstance(event, CustomerMessage):
                    return None
                snapshot = Snapshot(ConversationState(conversation_id))
            if snapshot.outbox:
                if time.time() - snapshot.outbox_saved_at < self._grace:
                    # Another handler is running it right now; its effects must go out before ours.
                    await asyncio.sleep(_OUTBOX_POLL_SECONDS)
                    continue
                OUTBOX_REPLAYS.inc()
                log.info("running an unfinished outbox", extra={"conversation.items": len(snapshot.outbox)})
                await self._run(snapshot.outbox)
                await self._states.clear_outbox(conversation_id, version=snapshot.version)
            now = self._clock()
            outcome = step(snapshot.state, event, now=now, input_id=input_id, policy=self.policy)
            if outcome.duplicate:
                DUPLICATES.inc()
                return outcome
            items = self._items(snapshot.state, outcome, event, input_id=input_id, now=now)
            try:
                version = await self._states.save(
                    outcome.state, items, expected_version=snapshot.version, saved_at=time.time()
                )
            except VersionConflict:
                CONFLICTS.inc()
                continue
            await self._run(items)
            await self._states.clear_outbox(conversation_id, version=version)
            self._observe(outcome, started)
            return outcome
        msg = f"conversation kept changing under {_MAX_ATTEMPTS} attempts"
        raise RuntimeError(msg)

    async def command(self, conversation_id: str, command: AgentCommand) -> Outcome | None:
        """An agent's command, once per command id; one for an unknown (or expired) conversation is
        answered as invalid, so the agent is never left waiting."""
        input_id = f"command:{command.command_id}"
        outcome = await self.handle(conversation_id, command, input_id=input_id)
        if outcome is None:
            fact = fx.ActionCompleted(
                command.command_id, command.agent_id, command.action, "invalid", "Conversa desconhecida ou expirada."
            )
            event_id = ev.derived_id(conversation_id, input_id, 0)
            message = ev.fact_event(fact, conversation_id=conversation_id, at=self._clock())
            await self._publisher.publish_all(
                [_publish(topics.CONVERSATION_EVENTS, message, conversation_id, event_id)]
            )
        return outcome

    async def fire_timer(self, member: str) -> Outcome | None:
        """Deliver a due timer to its conversation."""
        timer = TimerMember.decode(member)
        return await self.handle(
            timer.conversation_id, TimerFired(timer.kind, timer.token), input_id=f"timer:{timer.kind}:{timer.token}"
        )

    async def record_delivery(self, command_id: str, status: str, at: datetime) -> None:
        """Note a delivery status on the transcript line of a bot message."""
        await self._transcripts.record_delivery(command_id, status, at)

    def conversation_key(self, conversation_id: str) -> str:
        """The keyed hash used for this conversation in MongoDB."""
        return self._key(conversation_id)

    # --- effects → outbox ---------------------------------------------------------------------------

    def _items(
        self, previous: ConversationState, outcome: Outcome, event: Input, *, input_id: str, now: datetime
    ) -> list[Item]:
        state = outcome.state
        cid = state.conversation_id
        session = state.session_id or previous.session_id
        base = {"conversation_key": self._key(cid), "session_id": session}
        publishes: list[Item] = []
        others: list[Item] = []
        at = now.isoformat()
        customer_turn = _customer_turn(event, base, at, derived=ev.derived_id(cid, input_id, -1), keyer=self._key)
        if customer_turn is not None:
            others.append(WriteTurn(customer_turn))
        for index, effect in enumerate(outcome.effects):
            event_id = ev.derived_id(cid, input_id, index)
            match effect:
                case fx.SendText() | fx.SendButtons() | fx.SendList() | fx.SendDocument() | fx.MarkRead():
                    command = ev.send_message(
                        effect,
                        command_id=event_id,
                        conversation_id=cid,
                        phone_number_id=state.phone_number_id,
                        to=state.reply_to,
                    )
                    publishes.append(_publish(topics.WHATSAPP_OUTBOUND, command, cid, event_id))
                    if not isinstance(effect, fx.MarkRead):
                        others.append(WriteTurn(_bot_turn(effect, base, at, event_id)))
                case fx.RequestNlu():
                    publishes.append(
                        _publish(topics.NLU_REQUESTS, ev.analyze_text(effect, conversation_id=cid), cid, event_id)
                    )
                case fx.RequestSgp():
                    publishes.append(
                        _publish(topics.SGP_REQUESTS, ev.sgp_request(effect, conversation_id=cid), cid, event_id)
                    )
                case fx.Emit(fact=fact):
                    message = ev.fact_event(
                        fact, conversation_id=cid, at=now, phone_number_id=state.phone_number_id, wa_id=state.reply_to
                    )
                    publishes.append(_publish(topics.CONVERSATION_EVENTS, message, cid, event_id))
                    update = self._session_update(session, fact, base, state.reply_to, at) if session else None
                    if update is not None:
                        others.append(update)
                case fx.ScheduleTimer(kind=kind, token=token, delay_seconds=delay):
                    due = now.timestamp() + delay
                    others.append(AddTimer(TimerMember(cid, kind, token).encode(), due))
                case fx.CancelTimer(kind=kind, token=token):
                    others.append(RemoveTimer(TimerMember(cid, kind, token).encode()))
        return publishes + _merge_sessions(others)

    def _session_update(
        self, session: str, fact: fx.Fact, base: dict[str, str], phone: str, at: str
    ) -> UpdateSession | None:
        on_insert: dict[str, Any] = {"conversation_key": base["conversation_key"], "phone_masked": mask_phone(phone)}
        fields: dict[str, Any]
        match fact:
            case fx.ConversationStarted():
                fields = {"started_at": at}
            case fx.CustomerIdentified():
                fields = {
                    "customer_id": fact.customer_id,
                    "contract_id": fact.contract_id,
                    "document_masked": fact.document_masked,
                    "identified_at": at,
                }
            case fx.HandoffRequested():
                fields = {
                    "handoff_reason": fact.reason,
                    "handoff_within_business_hours": fact.within_business_hours,
                    "handoff_at": at,
                }
            case fx.ConversationClosed():
                fields = {"outcome": fact.outcome, "intents": list(fact.intents), "closed_at": at}
                if fact.agent_id:
                    fields |= {"close_reason": fact.reason, "closed_by": fact.agent_id}
            case fx.CsatRecorded():
                fields = {"csat": fact.score, "csat_at": at}
            case fx.ActionCompleted():
                return None  # the board shows agents' actions; the session record keeps how it ended
        return UpdateSession(session, fields, on_insert)

    async def _run(self, items: list[Item]) -> None:
        """Publish in order (a conversation's messages keep their order), then the rest concurrently;
        updates of one session record run one after the other (a MongoDB-wire server such as FerretDB
        may apply concurrent updates of one document as read-modify-write and lose one)."""
        rest: list[Any] = []
        sessions: list[UpdateSession] = []
        await self._publisher.publish_all([item for item in items if isinstance(item, Publish)])
        for item in items:
            match item:
                case Publish():
                    continue  # already published above, in order
                case AddTimer():
                    rest.append(self._timers.add(item.member, item.due))
                case RemoveTimer():
                    rest.append(self._timers.remove(item.member))
                case WriteTurn():
                    rest.append(self._transcripts.write_turn(dict(item.doc)))
                case UpdateSession():
                    sessions.append(item)
        if sessions:
            rest.append(self._update_sessions(sessions))
        if rest:
            await asyncio.gather(*rest)

    async def _update_sessions(self, updates: list[UpdateSession]) -> None:
        for update in updates:
            await self._transcripts.update_session(update.session_id, update.set, update.set_on_insert)

    def _observe(self, outcome: Outcome, started: float) -> None:
        HANDLE_SECONDS.observe(time.perf_counter() - started)
        TRANSITIONS.labels(outcome.transition).inc()
        for effect in outcome.effects:
            if isinstance(effect, fx.Emit):
                match effect.fact:
                    case fx.HandoffRequested():
                        HANDOFFS.labels(effect.fact.reason, str(effect.fact.within_business_hours).lower()).inc()
                    case fx.ConversationClosed():
                        CLOSED.labels(effect.fact.outcome).inc()
                    case fx.CsatRecorded():
                        CSAT.labels(str(effect.fact.score)).inc()
                    case _:
                        pass


def _merge_sessions(items: list[Item]) -> list[Item]:
    """One update per session record and input (CSAT and closing come together)."""
    merged: dict[str, UpdateSession] = {}
    out: list[Item] = []
    for item in items:
        if not isinstance(item, UpdateSession):
            out.append(item)
            continue
        previous = merged.get(item.session_id)
        if previous is None:
            merged[item.session_id] = item
            out.append(item)
            continue
        combined = UpdateSession(
            item.session_id, {**previous.set, **item.set}, {**previous.set_on_insert, **item.set_on_insert}
        )
        out[out.index(previous)] = combined
        merged[item.session_id] = combined
    return out


def _publish(topic: str, message: Any, key: str, event_id: str) -> Publish:
    return Publish(topic, message.DESCRIPTOR.full_name, message.SerializeToString(deterministic=True), key, event_id)


def _customer_turn(
    event: Input, base: dict[str, str], at: str, *, derived: str, keyer: Callable[[str], str]
) -> dict[str, Any] | None:
    if isinstance(event, CustomerMessage):
        # Keyed hashes of the wamid, which Meta derives from the customer's number.
        message_key = keyer(event.message_id) if event.message_id else ""
        return {
            "_id": f"in:{message_key}" if message_key else derived,
            **base,
            "role": "customer",
            "kind": event.kind.value,
            "text": mask_text(event.text),
            "choice_id": event.choice_id,
            "message_key": message_key,
            "stale": event.stale,
            "at": at,
        }
    if isinstance(event, AgentAction) and event.kind is AgentActionKind.REPLIED:
        return {
            "_id": derived,
            **base,
            "role": "agent",
            "kind": "text",
            "text": mask_text(event.text),
            "agent_id": event.agent_id,
            "at": at,
        }
    return None


def _bot_turn(effect: fx.Send, base: dict[str, str], at: str, command_id: str) -> dict[str, Any]:
    kind = {
        fx.SendText: "text",
        fx.SendButtons: "buttons",
        fx.SendList: "list",
        fx.SendDocument: "document",
    }[type(effect)]
    return {"_id": command_id, **base, "role": "bot", "kind": kind, "text": fx.text_of(effect), "at": at}
