"""OpenTelemetry tracing (OTLP when configured) and the Prometheus registry used by /metrics."""

from __future__ import annotations

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_configured: set[str] = set()


def configure_tracing(*, service_name: str, otlp_endpoint: str | None) -> None:
    """Install a tracer provider once per process; spans are exported only when an endpoint is set."""
    if "provider" in _configured:
        return
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
    trace.set_tracer_provider(provider)
    HTTPXClientInstrumentor().instrument()
    _configured.add("provider")


def instrument_app(app: FastAPI) -> None:
    """Trace every request of a FastAPI app (health and metrics routes excluded)."""
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")
