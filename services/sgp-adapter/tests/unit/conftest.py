"""A recording fake SGP built on httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from pydantic import SecretStr

from atende_sgp_adapter.adapters.sgp import SgpBillingSystem

Responder = Callable[[str, dict[str, Any]], httpx.Response]


@dataclass
class FakeSgp:
    """Routes requests by path to responders and records what was sent."""

    routes: dict[str, Responder | list[Responder]] = field(default_factory=dict)
    calls: list[tuple[str, str, dict[str, Any], str]] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        content_type = request.headers.get("content-type", "")
        if request.method == "GET":
            params: dict[str, Any] = dict(request.url.params)
        elif "json" in content_type:
            params = json.loads(request.content)
        else:
            params = dict(parse_qsl(request.content.decode()))
        self.calls.append((request.method, request.url.path, params, content_type))
        responder = self.routes.get(request.url.path)
        if responder is None:
            return httpx.Response(404, html="<h1>Not Found</h1>")
        if isinstance(responder, list):
            responder = responder.pop(0) if len(responder) > 1 else responder[0]
        return responder(request.url.path, params)

    def paths(self) -> list[str]:
        return [c[1] for c in self.calls]

    def reply(self, path: str, *bodies: Any, status: int = 200) -> None:
        """Answer ``path`` with these JSON bodies in turn (the last one repeats)."""
        self.routes[path] = [lambda _p, _q, b=body: httpx.Response(status, json=b) for body in bodies]

    def reply_raw(self, path: str, response: httpx.Response) -> None:
        """Answer ``path`` with a fixed response."""
        self.routes[path] = lambda _p, _q: response


@pytest.fixture
def fake() -> FakeSgp:
    return FakeSgp()


@pytest.fixture
def make_client(fake: FakeSgp) -> Callable[..., SgpBillingSystem]:
    def build(**overrides: Any) -> SgpBillingSystem:
        client = httpx.AsyncClient(base_url="http://sgp.test", transport=httpx.MockTransport(fake.handle))
        options: dict[str, Any] = {
            "client": client,
            "token": SecretStr("tok"),
            "app": "Atende",
            "read_retries": 1,
            "retry_max_wait_s": 0.001,
            "breaker_threshold": 3,
            "breaker_reset_s": 0.2,
        }
        options.update(overrides)
        return SgpBillingSystem(**options)

    return build
