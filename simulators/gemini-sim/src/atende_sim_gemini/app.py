"""The simulator's HTTP API: Gemini's generateContent plus `/_sim/*` admin endpoints."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from atende_sim_gemini.heuristics import classify
from atende_sim_gemini.modes import Mode
from atende_sim_gemini.settings import SimSettings

logger = logging.getLogger(__name__)

MESSAGE_MARKER = "Mensagem do cliente:"

_ERRORS: dict[Mode, tuple[int, str, str]] = {
    Mode.THROTTLED: (429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
    Mode.SERVER_ERROR: (500, "INTERNAL", "An internal error has occurred."),
    Mode.UNAVAILABLE: (503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
}


class ModeChange(BaseModel):
    """Body of `POST /_sim/mode`."""

    mode: Mode
    delay_s: float | None = Field(default=None, ge=0)
    # Apply the mode to the next `count` requests only, then go back to normal.
    count: int | None = Field(default=None, ge=1)


@dataclass
class SimState:
    """Mutable simulator state (one per app)."""

    mode: Mode
    delay_s: float
    remaining: int | None = None
    requests: deque[dict[str, Any]] = field(default_factory=deque)

    def next_mode(self) -> Mode:
        """The mode for this request, consuming one unit of a counted mode."""
        mode = self.mode
        if self.remaining is not None:
            self.remaining -= 1
            if self.remaining <= 0:
                self.mode, self.remaining = Mode.NORMAL, None
        return mode


def _error(code: int, status: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=code, content={"error": {"code": code, "message": message, "status": status}})


def _user_text(body: dict[str, Any]) -> str:
    """The customer message: the last user turn, after the marker our prompts use."""
    for content in reversed(body.get("contents") or []):
        if content.get("role", "user") == "user":
            text = "\n".join(p.get("text", "") for p in content.get("parts", []) if "text" in p)
            if MESSAGE_MARKER in text:
                text = text.rsplit(MESSAGE_MARKER, 1)[1]
            return text.strip()
    return ""


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _answer_text(mode: Mode, message: str, structured: bool) -> str:
    if mode is Mode.MALFORMED:
        return "Claro! A intenção dessa mensagem parece ser segunda_via."
    if mode is Mode.OUT_OF_SCHEMA:
        return json.dumps({"intent": "pagar_conta", "confidence": 1.7, "sentiment": "bravo"})
    intent, confidence, sentiment = classify(message)
    answer = {
        "intent": intent,
        "confidence": confidence,
        "secondary_intent": None,
        "secondary_confidence": 0.0,
        "sentiment": sentiment,
        "entities": {},
    }
    return json.dumps(answer, ensure_ascii=False) if structured else f"intent: {intent}"


def create_app(settings: SimSettings | None = None) -> FastAPI:
    """Build the simulator app."""
    settings = settings or SimSettings()
    state = SimState(mode=settings.mode, delay_s=settings.delay_s)
    state.requests = deque(maxlen=settings.max_recorded)
    app = FastAPI(title="Atende Gemini simulator")
    app.state.sim = state

    @app.post("/{version}/models/{model}:generateContent")
    async def generate_content(version: str, model: str, request: Request) -> JSONResponse:
        api_key = request.headers.get("x-goog-api-key") or request.query_params.get("key")
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        mode = state.next_mode()
        message = _user_text(body)
        generation_config = body.get("generationConfig") or {}
        state.requests.append(
            {
                "at": datetime.now(UTC).isoformat(),
                "version": version,
                "model": model,
                "has_api_key": bool(api_key),
                "mode": mode.value,
                "message": message,
                "contents": body.get("contents", []),
                "system_instruction": body.get("systemInstruction"),
                "generation_config": generation_config,
            }
        )
        if settings.require_api_key and not api_key:
            return _error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers.")
        if mode in _ERRORS:
            return _error(*_ERRORS[mode])
        if mode is Mode.SLOW:
            await asyncio.sleep(state.delay_s)
        structured = generation_config.get("responseMimeType") == "application/json"
        text = _answer_text(mode, message, structured)
        prompt_tokens = _tokens(json.dumps(body.get("contents", []), ensure_ascii=False))
        output_tokens = _tokens(text)
        return JSONResponse(
            {
                "candidates": [
                    {
                        "content": {"role": "model", "parts": [{"text": text}]},
                        "finishReason": "STOP",
                        "index": 0,
                    }
                ],
                "usageMetadata": {
                    "promptTokenCount": prompt_tokens,
                    "candidatesTokenCount": output_tokens,
                    "totalTokenCount": prompt_tokens + output_tokens,
                },
                "modelVersion": f"{model}-sim",
            }
        )

    @app.post("/_sim/mode")
    async def set_mode(change: ModeChange) -> dict[str, Any]:
        state.mode = change.mode
        state.remaining = change.count
        if change.delay_s is not None:
            state.delay_s = change.delay_s
        logger.info("gemini sim mode changed", extra={"mode": change.mode.value})
        return {"mode": state.mode.value, "delay_s": state.delay_s, "remaining": state.remaining}

    @app.get("/_sim/mode")
    async def get_mode() -> dict[str, Any]:
        return {"mode": state.mode.value, "delay_s": state.delay_s, "remaining": state.remaining}

    @app.get("/_sim/requests")
    async def list_requests() -> list[dict[str, Any]]:
        return list(state.requests)

    @app.delete("/_sim/requests")
    async def clear_requests() -> dict[str, int]:
        count = len(state.requests)
        state.requests.clear()
        return {"cleared": count}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
