"""Composition root of nlu-gemini: local model + optional Gemini → NluService → Kafka handlers."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from atende_core import privacy
from atende_core.bus import Bus, topics
from atende_core.pii import Keyring
from atende_core.service import Runtime, build_bus, create_service_app
from atende_core.stores import redis_client
from atende_nlu_gemini.adapters.feedback_privacy import FeedbackPrivacy
from atende_nlu_gemini.adapters.feedback_store import JsonlFeedbackStore
from atende_nlu_gemini.adapters.gemini import GeminiNlu
from atende_nlu_gemini.adapters.model_store import load_or_build
from atende_nlu_gemini.domain.classifier import LocalNlu
from atende_nlu_gemini.handlers import subscribe
from atende_nlu_gemini.metrics import NluMetrics, default_metrics
from atende_nlu_gemini.ports import FeedbackStore, LlmClassifier
from atende_nlu_gemini.settings import NluSettings
from atende_nlu_gemini.use_cases import NluService

logger = logging.getLogger(__name__)
NAME = "nlu-gemini"


def create_app(
    settings: NluSettings,
    *,
    local: LocalNlu | None = None,
    llm: LlmClassifier | None = None,
    feedback: FeedbackStore | None = None,
    metrics: NluMetrics | None = None,
    bus: Bus | None = None,
) -> FastAPI:
    """Wire the service; every dependency has a production default and can be replaced by tests."""
    runtime = Runtime()
    metrics = metrics or default_metrics()
    pii = Keyring.from_settings(settings)
    if local is None:
        local = load_or_build(
            model_path=settings.nlu_model_path,
            train_path=settings.nlu_train_path,
            feedback_path=settings.nlu_feedback_path,
            seed=settings.nlu_seed,
            pii=pii,
        ).local_nlu()
    if llm is None and settings.gemini_enabled and settings.gemini_api_key is not None:
        gemini = GeminiNlu(
            api_key=settings.gemini_api_key.get_secret_value(),
            model=settings.gemini_model,
            base_url=settings.gemini_base_url,
            metrics=metrics,
            timeout_s=settings.gemini_timeout_s,
            budget_s=settings.gemini_budget_s,
            max_attempts=settings.gemini_max_attempts,
            breaker_threshold=settings.gemini_breaker_threshold,
            breaker_reset_s=settings.gemini_breaker_reset_s,
        )
        runtime.on_shutdown.append(gemini.aclose)
        llm = gemini
    elif llm is None:
        logger.warning("GEMINI_API_KEY not set: only the local model answers")
    feedback = feedback or JsonlFeedbackStore(settings.nlu_feedback_path, pii=pii)
    service = NluService(
        local=local,
        llm=llm,
        feedback=feedback,
        metrics=metrics,
        policy=settings.nlu_policy,
        threshold=settings.nlu_confidence_threshold,
        fewshot_examples=settings.nlu_fewshot_examples,
        context_turns=settings.nlu_context_turns,
    )
    if bus is None:
        # Redis only gives handle-once on redelivery; when it is down the NLU still answers.
        redis = redis_client(settings.redis_url)
        runtime.on_shutdown.append(redis.aclose)
        bus = build_bus(settings, name=NAME, redis=redis)
    subscribe(bus, service, concurrency=settings.bus_concurrency)
    # A store other than the JSON-lines file (tests) holds nothing to erase: the NLU still confirms.
    store = FeedbackPrivacy(feedback) if isinstance(feedback, JsonlFeedbackStore) else None
    privacy.subscribe(bus, service=NAME, store=store)
    runtime.bus = bus
    runtime.checks["kafka"] = bus.ping
    runtime.publishes_to = (topics.NLU_RESULTS,)
    app: FastAPI = create_service_app(name=NAME, runtime=runtime, internal_token=settings.internal_api_token)
    app.state.nlu = service
    return app
