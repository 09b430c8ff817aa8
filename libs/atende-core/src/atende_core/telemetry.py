"""OpenTelemetry tracing (OTLP when configured) and the Prometheus registry used by /metrics.

Spans leave the process only through ``ScrubbingSpanProcessor``: the httpx instrumentation records
full URLs (SGP's ``token=`` query parameter on GETs, credentials in ``user:pass@``), the FastAPI one
query strings (``hub.verify_token``), and exceptions recorded on spans carry their messages. Every
string attribute, event attribute, link attribute, the span name and the status text go through
``atende_core.masking`` before the exporter sees them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Link, Status
from opentelemetry.util.types import Attributes

from atende_core.masking import mask_text, mask_value

_configured: set[str] = set()


def _scrub_value(key: str, value: Any) -> Any:
    if isinstance(value, str):
        return mask_value(key, value)
    if isinstance(value, Sequence) and not isinstance(value, bytes) and any(isinstance(v, str) for v in value):
        return tuple(mask_value(key, v) if isinstance(v, str) else v for v in value)
    return value


def scrub_attributes(attributes: Attributes) -> dict[str, Any]:
    """Span attributes with secrets, documents, phone numbers and e-mails masked (by key and by content)."""
    return {key: _scrub_value(key, value) for key, value in (attributes or {}).items()}


def scrub_span(span: ReadableSpan) -> ReadableSpan:
    """A copy of an ended span fit for export (the original is immutable once ended)."""
    status = span.status
    if status.description:
        status = Status(status.status_code, mask_text(status.description))
    return ReadableSpan(
        name=mask_text(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=scrub_attributes(span.attributes),
        events=[Event(e.name, scrub_attributes(e.attributes), e.timestamp) for e in span.events],
        links=[Link(link.context, scrub_attributes(link.attributes)) for link in span.links],
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class ScrubbingSpanProcessor(SpanProcessor):
    """Hands every ended span to ``inner`` (the exporting processor) with its PII and secrets masked."""

    def __init__(self, inner: SpanProcessor) -> None:
        self._inner = inner

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        """Nothing is exported at start; the inner processor sees the live span."""
        self._inner.on_start(span, parent_context=parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        """Export the scrubbed copy."""
        self._inner.on_end(scrub_span(span))

    def shutdown(self) -> None:
        """Shut the inner processor down."""
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush the inner processor."""
        return self._inner.force_flush(timeout_millis)


def configure_tracing(*, service_name: str, otlp_endpoint: str | None) -> None:
    """Install a tracer provider once per process; spans are exported only when an endpoint is set."""
    if "provider" in _configured:
        return
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            ScrubbingSpanProcessor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
        )
    trace.set_tracer_provider(provider)
    HTTPXClientInstrumentor().instrument()
    _configured.add("provider")


def instrument_app(app: FastAPI) -> None:
    """Trace every request of a FastAPI app (health and metrics routes excluded)."""
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")
