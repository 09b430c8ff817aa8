import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

from atende_core.telemetry import ScrubbingSpanProcessor

pytestmark = pytest.mark.unit


def test_attributes_events_links_names_and_status_are_scrubbed() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(ScrubbingSpanProcessor(SimpleSpanProcessor(exporter)))
    tracer = provider.get_tracer("unit")
    with tracer.start_as_current_span("GET /webhooks/whatsapp") as span:
        span.set_attribute("url.query", "hub.mode=subscribe&hub.verify_token=vt-secret-1&hub.challenge=42")
        span.set_attribute("url.full", "https://sgp.example/api/ura/titulos/?token=sgp-secret-2&app=Atende")
        span.set_attribute("server.address", "redis://:redis-secret-3@cache")
        span.set_attribute("messaging.kafka.message.key", "106540352242922:5511987654321")
        span.set_attribute("atende.phones", ["5511987654321", "5598985120338"])
        span.set_attribute("http.response.status_code", 200)
        span.add_event("retry", {"reason": "customer 52998224725 timed out"})
        span.record_exception(ValueError("bad number +55 11 98765-4321"))
        span.set_status(Status(StatusCode.ERROR, "token=sgp-secret-2 refused"))
    provider.shutdown()
    (finished,) = exporter.get_finished_spans()
    text = finished.to_json()
    for secret in ("vt-secret-1", "sgp-secret-2", "redis-secret-3", "5511987654321", "5598985120338"):
        assert secret not in text
    assert "52998224725" not in text
    assert "98765-4321" not in text
    assert finished.attributes is not None
    assert finished.attributes["http.response.status_code"] == 200
    assert finished.attributes["atende.phones"] == ("*********4321", "*********0338")
    assert finished.attributes["url.full"] == "https://sgp.example/api/ura/titulos/?token=***&app=Atende"
    assert finished.status.description == "token=*** refused"
    assert finished.name == "GET /webhooks/whatsapp"
