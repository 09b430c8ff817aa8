"""Gemini through google-genai with structured output, timeout, bounded retries and a breaker.

One ``classify`` call:
- asks ``models.generate_content`` (async) for JSON matching ``RESPONSE_JSON_SCHEMA``, with
  few-shot pairs (agents' corrections) and the recent turns of the conversation;
- retries throttling (429), 5xx and timeouts with jittered backoff, but never past the total
  budget (``budget_s``); other 4xx are not retried;
- goes through a purgatory circuit breaker: after ``breaker_threshold`` consecutive failures
  the circuit opens and calls fail fast for ``breaker_reset_s`` (malformed answers do not count:
  the service is up, the answer is just unusable);
- validates the answer with pydantic; anything outside the schema raises ``LlmMalformedError``.
Every failure is an ``LlmError`` so the use case can fall back to the local model.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

import httpx
from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from atende_nlu_gemini.domain.errors import (
    LlmCircuitOpenError,
    LlmClientError,
    LlmError,
    LlmMalformedError,
    LlmServerError,
    LlmThrottledError,
    LlmTimeoutError,
)
from atende_nlu_gemini.domain.labels import EntityKind, Intent, Sentiment
from atende_nlu_gemini.domain.prompting import (
    RESPONSE_JSON_SCHEMA,
    SYSTEM_INSTRUCTION,
    answer_json,
    user_prompt,
)
from atende_nlu_gemini.domain.results import Example, LlmAnswer, Turn
from atende_nlu_gemini.metrics import NluMetrics

logger = logging.getLogger(__name__)

try:  # google-genai uses httpx2 when it is installed
    import httpx2

    _TIMEOUT_ERRORS: tuple[type[BaseException], ...] = (
        httpx.TimeoutException,
        httpx2.TimeoutException,
    )
    _TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
        httpx.TransportError,
        httpx2.TransportError,
    )
except ImportError:  # pragma: no cover - depends on the environment
    _TIMEOUT_ERRORS = (httpx.TimeoutException,)
    _TRANSPORT_ERRORS = (httpx.TransportError,)

CIRCUIT = "gemini"


class GeminiAnswer(BaseModel):
    """The JSON the model must return; anything else is rejected."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    intent: Intent
    confidence: float = Field(ge=0.0, le=1.0)
    sentiment: Sentiment
    secondary_intent: Intent | None = None
    secondary_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    entities: dict[EntityKind, list[str]] = Field(default_factory=dict)


def _contents(text: str, context: Sequence[Turn], examples: Sequence[Example]) -> list[types.Content]:
    contents: list[types.Content] = []
    for example in examples:
        contents.append(types.Content(role="user", parts=[types.Part.from_text(text=user_prompt(example.text))]))
        contents.append(types.Content(role="model", parts=[types.Part.from_text(text=answer_json(example))]))
    contents.append(types.Content(role="user", parts=[types.Part.from_text(text=user_prompt(text, context))]))
    return contents


def parse_answer(raw: str | None) -> GeminiAnswer:
    """Validate the model's text against the schema (raises ``LlmMalformedError``)."""
    if not raw:
        msg = "empty answer"
        raise LlmMalformedError(msg)
    try:
        return GeminiAnswer.model_validate(json.loads(raw))
    except (json.JSONDecodeError, ValidationError, TypeError) as exc:
        msg = "answer outside the schema"
        raise LlmMalformedError(msg) from exc


class GeminiNlu:
    """``LlmClassifier`` backed by the Gemini API (or the simulator via ``base_url``)."""

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        metrics: NluMetrics,
        base_url: str | None = None,
        timeout_s: float = 2.5,
        budget_s: float = 6.0,
        max_attempts: int = 3,
        breaker_threshold: int = 5,
        breaker_reset_s: float = 30.0,
        thinking_budget: int | None = 0,
        backoff_initial_s: float = 0.2,
    ) -> None:
        # The SDK's own retries are off (no retry_options): tenacity below owns them, so the
        # budget and the breaker see every attempt.
        self._client = genai.Client(
            api_key=api_key,
            http_options=types.HttpOptions(base_url=base_url, timeout=int(timeout_s * 1000)),
        )
        self._model = model
        self._metrics = metrics
        self._timeout_s = timeout_s
        self._budget_s = budget_s
        self._max_attempts = max_attempts
        self._backoff_initial_s = backoff_initial_s
        self._breakers = AsyncCircuitBreakerFactory(
            default_threshold=breaker_threshold,
            default_ttl=breaker_reset_s,
            exclude=[LlmMalformedError, LlmClientError],
        )
        self._config = types.GenerateContentConfig(
            system_instruction=SYSTEM_INSTRUCTION,
            response_mime_type="application/json",
            response_json_schema=RESPONSE_JSON_SCHEMA,
            temperature=0.0,
            candidate_count=1,
            max_output_tokens=512,
            thinking_config=(
                types.ThinkingConfig(thinking_budget=thinking_budget) if thinking_budget is not None else None
            ),
        )

    async def aclose(self) -> None:
        """Release the HTTP connections."""
        await self._client.aio.aclose()

    async def classify(self, text: str, *, context: Sequence[Turn], examples: Sequence[Example]) -> LlmAnswer:
        """Ask Gemini; raises an ``LlmError`` subclass when no valid answer came in the budget."""
        contents = _contents(text, context, examples)
        last_error: LlmError | None = None
        try:
            async with asyncio.timeout(self._budget_s):
                retrying = AsyncRetrying(
                    stop=stop_after_attempt(self._max_attempts),
                    wait=wait_exponential_jitter(
                        initial=self._backoff_initial_s, max=2.0, jitter=self._backoff_initial_s
                    ),
                    retry=retry_if_exception_type((LlmThrottledError, LlmServerError, LlmTimeoutError)),
                    reraise=True,
                )
                async for attempt in retrying:
                    with attempt:
                        try:
                            answer = await self._guarded_call(contents)
                        except LlmError as exc:
                            last_error = exc
                            raise
        except TimeoutError as exc:
            self._metrics.gemini_errors.labels(kind="budget_exhausted").inc()
            # Out of time while backing off after a failure: report that failure.
            if last_error is not None:
                raise last_error from exc
            msg = "gemini budget exhausted"
            raise LlmTimeoutError(msg) from exc
        return answer

    async def _guarded_call(self, contents: list[types.Content]) -> LlmAnswer:
        try:
            breaker = await self._breakers.get_breaker(CIRCUIT)
            async with breaker:
                return await self._call_once(contents)
        except OpenedState as exc:
            self._metrics.gemini_errors.labels(kind=LlmCircuitOpenError.kind).inc()
            msg = "gemini circuit open"
            raise LlmCircuitOpenError(msg) from exc

    async def _call_once(self, contents: list[types.Content]) -> LlmAnswer:
        start = time.perf_counter()
        outcome = "ok"
        try:
            response = await asyncio.wait_for(
                self._client.aio.models.generate_content(model=self._model, contents=contents, config=self._config),
                timeout=self._timeout_s,
            )
            answer = parse_answer(response.text)
        except LlmError as exc:
            outcome = exc.kind
            raise
        except Exception as exc:
            error = _translate(exc)
            outcome = error.kind
            raise error from exc
        finally:
            self._metrics.gemini_latency.labels(outcome=outcome).observe(time.perf_counter() - start)
            if outcome != "ok":
                self._metrics.gemini_errors.labels(kind=outcome).inc()
                logger.warning("gemini call failed", extra={"kind": outcome})
        usage = response.usage_metadata
        prompt_tokens = (usage.prompt_token_count or 0) if usage else 0
        output_tokens = (usage.candidates_token_count or 0) if usage else 0
        self._metrics.gemini_tokens.labels(type="prompt").inc(prompt_tokens)
        self._metrics.gemini_tokens.labels(type="output").inc(output_tokens)
        self._metrics.gemini_tokens.labels(type="total").inc((usage.total_token_count or 0) if usage else 0)
        return LlmAnswer(
            intent=answer.intent,
            confidence=answer.confidence,
            sentiment=answer.sentiment,
            secondary_intent=answer.secondary_intent,
            secondary_confidence=answer.secondary_confidence,
            entities={k.value: tuple(v) for k, v in answer.entities.items()},
            prompt_tokens=prompt_tokens,
            output_tokens=output_tokens,
        )


def _translate(exc: Exception) -> LlmError:
    """Map SDK/transport exceptions onto the small LlmError tree."""
    error: LlmError
    if isinstance(exc, (TimeoutError, *_TIMEOUT_ERRORS)):
        error = LlmTimeoutError("gemini call timed out")
    elif isinstance(exc, genai_errors.APIError):
        code = getattr(exc, "code", 0) or 0
        detail = f"gemini {code} {exc.status}"
        if code == 429:
            error = LlmThrottledError(detail)
        elif code >= 500:
            error = LlmServerError(detail)
        else:
            error = LlmClientError(detail)
    elif isinstance(exc, _TRANSPORT_ERRORS):
        error = LlmServerError(f"transport error: {type(exc).__name__}")
    elif isinstance(exc, ValueError | KeyError | AttributeError):
        # The SDK raises these when the body is not the JSON it expects.
        error = LlmMalformedError(f"unexpected response: {type(exc).__name__}")
    else:
        error = LlmServerError(f"unexpected error: {type(exc).__name__}")
    return error


def answer_to_json(answer: GeminiAnswer) -> dict[str, Any]:
    """Plain JSON of a validated answer (for logs and debugging)."""
    return answer.model_dump(mode="json")
