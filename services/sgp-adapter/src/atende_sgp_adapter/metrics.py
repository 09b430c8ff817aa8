"""Prometheus metrics of the sgp-adapter (registered once, on the default registry)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

SGP_REQUESTS = Counter(
    "atende_sgp_requests",
    "Calls to SGP by endpoint and outcome (ok, timeout, connect_error, server_error, ...)",
    ["endpoint", "outcome"],
)
SGP_UNREADABLE = Counter(
    "atende_sgp_unreadable_answers", "SGP answers of the wrong shape, by operation (told as unavailable)", ["operation"]
)
SGP_LATENCY = Histogram(
    "atende_sgp_request_seconds", "SGP call latency by endpoint", ["endpoint"], buckets=_LATENCY_BUCKETS
)
SGP_BREAKER_OPEN = Gauge("atende_sgp_breaker_open", "1 while the SGP circuit breaker is open")
SGP_BREAKER_REJECTIONS = Counter(
    "atende_sgp_breaker_rejections", "Calls refused because the SGP circuit breaker was open"
)
CACHE_LOOKUPS = Counter(
    "atende_sgp_cache_lookups",
    "Cache lookups by key family and result (hit, miss, negative_hit, bypass)",
    ["family", "result"],
)
CACHE_LATENCY = Histogram(
    "atende_sgp_cache_lookup_seconds",
    "End-to-end latency of cached operations by family and source (cache or sgp)",
    ["family", "source"],
    buckets=_LATENCY_BUCKETS,
)
CACHE_REDIS_ERRORS = Counter(
    "atende_sgp_cache_redis_errors", "Redis operations that failed (the cache was bypassed)", ["op"]
)
CACHE_INVALIDATIONS = Counter(
    "atende_sgp_cache_invalidations", "Customer key invalidations after state-changing calls", ["reason"]
)
CACHE_WRITE_THROUGH = Counter(
    "atende_sgp_cache_write_through",
    "Keys written from a campaign audience read (not lookups), by family",
    ["family"],
)
CACHE_WARMED = Counter("atende_sgp_cache_warmed", "Customers loaded into the cache by warming")
PROMISE_REPLAYS = Counter("atende_sgp_promise_replays", "Payment-promise requests answered from the idempotency ledger")
