"""Spans exported from real requests to the SGP simulator carry neither the SGP token nor phone numbers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import SecretStr

from atende_core.telemetry import ScrubbingSpanProcessor
from atende_sgp_adapter.adapters.sgp import SgpBillingSystem

pytestmark = pytest.mark.integration

TOKEN = "it-token"  # the simulator's token (conftest)
PHONES = ("5598985120338", "98985120338", "98512-0338", "5511987654321")


class Exporters:
    def __init__(self) -> None:
        self.provider = TracerProvider()
        self.scrubbed = InMemorySpanExporter()
        self.raw = InMemorySpanExporter()
        self.provider.add_span_processor(ScrubbingSpanProcessor(SimpleSpanProcessor(self.scrubbed)))
        self.provider.add_span_processor(SimpleSpanProcessor(self.raw))  # what an unscrubbed exporter would get


@pytest.fixture
def exporters() -> Iterator[Exporters]:
    found = Exporters()
    yield found
    found.provider.shutdown()


async def test_spans_of_sgp_calls_are_scrubbed(sim_url: str, exporters: Exporters) -> None:
    client = httpx.AsyncClient(base_url=sim_url, timeout=10)
    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=exporters.provider)
    sgp = SgpBillingSystem(client=client, token=SecretStr(TOKEN), app="Atende")
    tracer = exporters.provider.get_tracer("test")
    try:
        with tracer.start_as_current_span("sgp.requests process") as span:
            span.set_attribute("messaging.kafka.message.key", "106540352242922:5511987654321")
            span.set_attribute("customer.phone", "5598985120338")
            await sgp.list_outages()  # a GET: the token travels in the query string
            await sgp.documents_by_phone("5598985120338")
            # A phone number and the token in a URL's query string, as a GET lookup would send them.
            await client.get("/api/ura/clientes/", params={"telefone": "98985120338", "token": TOKEN})
            await client.get(f"http://user:{TOKEN}@{sim_url.removeprefix('http://')}/api/ura/manutencao/list/")
            span.record_exception(RuntimeError("no customer for 98512-0338 (token=it-token)"))
            span.add_event("lookup", {"url": f"{sim_url}/api/ura/titulos/?token={TOKEN}&cpfcnpj=52998224725"})
    finally:
        await sgp.aclose()

    raw = [s.to_json() for s in exporters.raw.get_finished_spans()]
    scrubbed = exporters.scrubbed.get_finished_spans()
    assert len(scrubbed) == len(raw) >= 5
    # The requests really carried the secrets (so the test can fail) ...
    assert any(f"token={TOKEN}" in s for s in raw)
    assert any("98985120338" in s for s in raw)
    # ... and none reaches the exporter behind the scrubbing processor.
    for span in scrubbed:
        text = span.to_json()
        assert TOKEN not in text, text
        assert "52998224725" not in text, text
        for phone in PHONES:
            assert phone not in text, text
    urls = [s.attributes.get("url.full") or s.attributes.get("http.url") for s in scrubbed if s.attributes]
    assert any(url and "token=***" in url for url in urls)
    (parent,) = (s for s in scrubbed if s.name == "sgp.requests process")
    assert parent.attributes is not None
    assert parent.attributes["messaging.kafka.message.key"] == "106540352242922:*********4321"
    assert parent.attributes["customer.phone"] == "*********0338"
