"""Use case: a `whatsapp.outbound` SendMessage command → one Graph API call (each command id at most
once), within the number's shared throughput, with the retries and fallbacks of reference §5.3;
the outcome becomes a `whatsapp.status` event (ACCEPTED with the wamid, or FAILED with the error).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from atende.whatsapp.v1.whatsapp_pb2 import GraphError, MessageStatusChanged, SendMessage, Template
from atende_core.bus import Envelope, PermanentError, topics
from atende_core.bus.idempotency import Claim
from atende_core.ids import conversation_id
from atende_whatsapp_connector import metrics
from atende_whatsapp_connector.adapters.graph import GraphApiError
from atende_whatsapp_connector.domain.errors import ErrorClass, classify, retry_delay
from atende_whatsapp_connector.domain.outbound import InvalidCommand, build_payload, recipient, with_template
from atende_whatsapp_connector.domain.status import ACCEPTED, FAILED
from atende_whatsapp_connector.once import CLAIM_WAIT_SECONDS, claim_once
from atende_whatsapp_connector.ports import (
    Deduplicator,
    GraphApi,
    Publisher,
    SendLimiter,
    SendResult,
    SentIndex,
    SentMessage,
)
from atende_whatsapp_connector.webhooks import REENGAGEMENT_SUFFIX, stable_event_id

log = logging.getLogger(__name__)
_RETRYABLE = frozenset({ErrorClass.THROTTLED, ErrorClass.PAIR_RATE, ErrorClass.TRANSIENT})


def _error_class(exc: BaseException) -> ErrorClass | None:
    if isinstance(exc, GraphApiError):
        return classify(exc.code, http_status=exc.http_status)
    if isinstance(exc, httpx.TransportError):
        return ErrorClass.TRANSIENT
    return None


class MessageSender:
    """Sends SendMessage commands through the Graph API."""

    def __init__(
        self,
        *,
        graph: GraphApi,
        limiter: SendLimiter,
        dedup: Deduplicator,
        index: SentIndex,
        publisher: Publisher,
        default_phone_number_id: str,
        id_key: bytes,
        default_fallback: Template | None = None,
        max_attempts: int = 5,
        retry_initial_seconds: float = 0.5,
        retry_max_seconds: float = 20.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        claim_wait_seconds: float = CLAIM_WAIT_SECONDS,
    ) -> None:
        self._graph = graph
        self._limiter = limiter
        self._dedup = dedup
        self._index = index
        self._publisher = publisher
        self._id_key = id_key
        self._default_pnid = default_phone_number_id
        self._default_fallback = default_fallback
        self._max_attempts = max_attempts
        self._initial = retry_initial_seconds
        self._max_delay = retry_max_seconds
        self._sleep = sleep
        self._clock = clock
        self._claim_wait = claim_wait_seconds

    async def handle(self, command: SendMessage, envelope: Envelope) -> None:
        """Send one command unless its command id was already sent."""
        key = f"command:{command.command_id or envelope.id}"
        claim = await claim_once(self._dedup, key, kind="command", wait_seconds=self._claim_wait)
        if claim is None:
            return
        try:
            await self._send(command)
        except Exception:
            if claim is Claim.ACQUIRED:
                await self._dedup.release(key)
            raise
        if claim is Claim.ACQUIRED:
            await self._dedup.complete(key)

    async def _send(self, command: SendMessage) -> None:
        content = command.WhichOneof("content") or "none"
        try:
            payload = build_payload(command)
        except InvalidCommand as exc:
            metrics.SENDS.labels(content, "invalid").inc()
            log.warning(
                "send command refused before calling WhatsApp",
                extra={"command.id": command.command_id, "error.code": exc.code, "error.message": exc.details},
            )
            await self._failed(command, exc.graph_error())
            return
        try:
            result = await self._send_with_retries(command.phone_number_id or self._default_pnid, payload)
        except GraphApiError as exc:
            await self._graph_failure(command, content, exc)
            return
        metrics.TOKEN_VALID.set(1)
        metrics.SENDS.labels(content, "accepted").inc()
        if result.message_id:
            await self._accepted(command, result, content)

    async def _send_with_retries(self, phone_number_id: str, payload: dict[str, Any]) -> SendResult:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._max_attempts),
            retry=retry_if_exception(lambda exc: _error_class(exc) in _RETRYABLE),
            wait=self._wait,
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                await self._limiter.acquire(phone_number_id)
                return await self._graph.send_message(phone_number_id, payload)
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        error = (_error_class(exc) if exc else None) or ErrorClass.TRANSIENT
        delay = retry_delay(error, attempt=state.attempt_number, initial=self._initial, maximum=self._max_delay)
        # Jitter, so replicas throttled together do not retry together.
        return delay * (0.5 + random.random() / 2)

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, GraphApiError):
            metrics.GRAPH_ERRORS.labels(str(exc.code)).inc()
        log.warning(
            "whatsapp send retried",
            extra={
                "attempt": state.attempt_number,
                "error.type": type(exc).__name__,
                "error.code": getattr(exc, "code", None),
            },
        )

    async def _graph_failure(self, command: SendMessage, content: str, exc: GraphApiError) -> None:
        error_class = classify(exc.code, http_status=exc.http_status)
        metrics.GRAPH_ERRORS.labels(str(exc.code)).inc()
        metrics.SENDS.labels(content, error_class.value).inc()
        await self._failed(command, exc.graph_error())
        extra = {"command.id": command.command_id, "error.code": exc.code, "error.title": exc.title}
        if error_class is ErrorClass.TOKEN:
            metrics.TOKEN_ERRORS.inc()
            metrics.TOKEN_VALID.set(0)
            log.error("whatsapp access token rejected: rotate WHATSAPP_ACCESS_TOKEN", extra=extra)
            # Dead-lettered, so the command can be replayed once the token is rotated.
            raise PermanentError("whatsapp access token rejected") from exc
        if error_class is ErrorClass.REENGAGEMENT:
            await self._fall_back(command)
            return
        log.warning("whatsapp refused the message", extra=extra)

    def _fallback_for(self, command: SendMessage) -> Template | None:
        if command.WhichOneof("content") == "template" or command.command_id.endswith(REENGAGEMENT_SUFFIX):
            return None
        if command.HasField("fallback_template") and command.fallback_template.name:
            return command.fallback_template
        return self._default_fallback

    async def _fall_back(self, command: SendMessage) -> None:
        template = self._fallback_for(command)
        if template is None:
            log.warning("re-engagement failure without a fallback template", extra={"command.id": command.command_id})
            return
        fallback = with_template(command, template, command_id=command.command_id + REENGAGEMENT_SUFFIX)
        await self._publisher.publish(
            topics.WHATSAPP_OUTBOUND,
            fallback,
            key=self._conversation(command),
            event_id=stable_event_id("command", fallback.command_id),
        )
        metrics.FALLBACKS.inc()
        log.info("template fallback queued after re-engagement failure", extra={"command.id": command.command_id})

    def _conversation(self, command: SendMessage) -> str:
        if command.conversation_id:
            return command.conversation_id
        pnid = command.phone_number_id or self._default_pnid
        return conversation_id(phone_number_id=pnid, wa_id=command.to, key=self._id_key)

    def _status(self, command: SendMessage, status: int, message_id: str = "") -> MessageStatusChanged:
        try:
            to = recipient(command.to).lstrip("+") if command.to else ""
        except InvalidCommand:
            to = command.to
        event = MessageStatusChanged(
            conversation_id=self._conversation(command),
            message_id=message_id,
            command_id=command.command_id,
            status=status,  # type: ignore[arg-type]
            recipient_id=to,
            biz_opaque_callback_data=command.biz_opaque_callback_data,
        )
        event.occurred_at.FromNanoseconds(int(self._clock() * 1e9))
        return event

    async def _accepted(self, command: SendMessage, result: SendResult, content: str) -> None:
        fallback = self._fallback_for(command)
        await self._index.remember(
            result.message_id,
            SentMessage(
                conversation_id=self._conversation(command),
                command_id=command.command_id,
                to=command.to,
                fallback_template=fallback.SerializeToString() if fallback is not None else b"",
            ),
        )
        event = self._status(command, ACCEPTED, result.message_id)
        await self._publisher.publish(
            topics.WHATSAPP_STATUS,
            event,
            key=event.conversation_id,
            event_id=stable_event_id("accepted", command.command_id),
        )
        log.info("whatsapp message accepted", extra={"command.id": command.command_id, "message.type": content})

    async def _failed(self, command: SendMessage, error: GraphError) -> None:
        event = self._status(command, FAILED)
        event.errors.append(error)
        await self._publisher.publish(
            topics.WHATSAPP_STATUS,
            event,
            key=event.conversation_id,
            event_id=stable_event_id("failed", command.command_id),
        )
