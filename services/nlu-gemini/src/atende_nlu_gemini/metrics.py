"""Prometheus metrics of the NLU (one instance per registry, so tests can use their own)."""

from __future__ import annotations

from functools import cache

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram

_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0)
_LOCAL_BUCKETS = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05)


class NluMetrics:
    """Counters and histograms for model choice, fallbacks, Gemini latency/errors/tokens."""

    def __init__(self, registry: CollectorRegistry = REGISTRY) -> None:
        self.results = Counter(
            "nlu_results_total",
            "NLU results by the model that answered",
            ["model"],
            registry=registry,
        )
        self.fallbacks = Counter(
            "nlu_fallbacks_total",
            "LLM answers replaced by the local model, by reason",
            ["reason"],
            registry=registry,
        )
        self.gemini_latency = Histogram(
            "nlu_gemini_request_seconds",
            "Gemini generateContent latency per attempt",
            ["outcome"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.gemini_errors = Counter(
            "nlu_gemini_errors_total",
            "Gemini call failures by kind",
            ["kind"],
            registry=registry,
        )
        self.gemini_tokens = Counter(
            "nlu_gemini_tokens_total",
            "Gemini tokens used (usage_metadata)",
            ["type"],
            registry=registry,
        )
        self.local_latency = Histogram(
            "nlu_local_predict_seconds",
            "Local model latency per message",
            buckets=_LOCAL_BUCKETS,
            registry=registry,
        )
        self.agreement = Counter(
            "nlu_model_agreement_total",
            "Policy 'both': whether local and Gemini agreed",
            ["agree"],
            registry=registry,
        )


@cache
def default_metrics() -> NluMetrics:
    """The process-wide metrics on the default registry (created once: a registry refuses duplicates)."""
    return NluMetrics(REGISTRY)
