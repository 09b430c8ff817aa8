"""The gateway's OpenAPI document: the operator API as FastAPI describes it, the webhook (served by the
raw ingress, so described here by hand-written routes that never run) and the bearer scheme; and
Swagger UI over it at /console/api-docs.

Swagger UI's assets come from the pinned `fastapi-offline` package (no CDN); the page loads them and
our own init script from 'self' only, so the HTML CSP of atende_core.http_security holds. The page and
its scripts are public (they hold nothing); the document itself stays behind the token guard of
`/openapi.json`: the init script sends the access token of the console's session with that request and
with every "Try it out" call, and asks to log in first when there is none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import fastapi_offline
from fastapi import FastAPI, HTTPException, Query, status
from fastapi.responses import FileResponse

from atende_gateway.settings import THREE_MEGABYTES

_WEBHOOK_EXAMPLE = {
    "object": "whatsapp_business_account",
    "entry": [
        {
            "id": "102290129340398",
            "changes": [
                {
                    "field": "messages",
                    "value": {
                        "messaging_product": "whatsapp",
                        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                        "messages": [
                            {
                                "from": "5511987654321",
                                "id": "wamid.HBgM",
                                "timestamp": "1764820000",
                                "type": "text",
                                "text": {"body": "oi"},
                            }
                        ],
                    },
                }
            ],
        }
    ],
}


def document_webhook(api: FastAPI) -> None:
    """Describe `/webhooks/whatsapp` (the ingress answers these paths before FastAPI sees them)."""

    @api.get(
        "/webhooks/whatsapp",
        tags=["webhook"],
        summary="Meta's verification handshake",
        responses={
            200: {"content": {"text/plain": {"example": "1158201444"}}, "description": "hub.challenge echoed"},
            403: {"description": "wrong hub.mode or hub.verify_token"},
        },
    )
    async def webhook_handshake(
        mode: Annotated[str, Query(alias="hub.mode", examples=["subscribe"])],
        verify_token: Annotated[str, Query(alias="hub.verify_token")],
        challenge: Annotated[str, Query(alias="hub.challenge", examples=["1158201444"])],
    ) -> None:
        """Answer `hub.challenge` when `hub.verify_token` matches WHATSAPP_VERIFY_TOKEN."""
        raise HTTPException(status.HTTP_404_NOT_FOUND)

    @api.post(
        "/webhooks/whatsapp",
        tags=["webhook"],
        summary="A signed webhook delivery from Meta",
        openapi_extra={
            "parameters": [
                {
                    "name": "X-Hub-Signature-256",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"},
                    "description": "HMAC-SHA256 of the raw body with WHATSAPP_APP_SECRET",
                }
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}, "example": _WEBHOOK_EXAMPLE}},
                "description": f"Meta's webhook JSON, at most {THREE_MEGABYTES} bytes",
            },
        },
        responses={
            200: {"description": "stored durably (Kafka acks=all)"},
            401: {"description": "missing, malformed or wrong signature"},
            413: {"description": "body above 3 MB"},
            503: {"description": "Kafka did not confirm in time: Meta retries"},
        },
    )
    async def webhook_delivery() -> None:
        """Verify the signature over the raw bytes, publish to `whatsapp.webhooks`, then 200."""
        raise HTTPException(status.HTTP_404_NOT_FOUND)


def openapi_document(api: FastAPI) -> dict[str, Any]:
    """The OpenAPI document with the bearer scheme declared on every operator route."""
    document = api.openapi()
    document["info"]["description"] = (
        "Public API of the Atende gateway. Operator routes need `Authorization: Bearer <access token>` "
        "from `POST /auth/login` (proxied to the auth service, documented there)."
    )
    components = document.setdefault("components", {})
    components.setdefault("securitySchemes", {})["bearer"] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    for path, operations in document.get("paths", {}).items():
        if path.startswith("/operator/"):
            for operation in operations.values():
                operation["security"] = [{"bearer": []}]
                # The guard reads the header itself; the security scheme is how clients should see it.
                operation["parameters"] = [
                    p for p in operation.get("parameters", []) if p.get("name", "").lower() != "authorization"
                ]
    return document


API_DOCS_PATH = "/console/api-docs"
_PAGE = Path(__file__).with_name("api_docs")
_VENDOR = Path(fastapi_offline.__file__).with_name("static")
_ASSETS = {
    "vendor/swagger-ui-bundle.js": _VENDOR / "swagger-ui-bundle.js",
    "vendor/swagger-ui.css": _VENDOR / "swagger-ui.css",
    "static/api-docs.js": _PAGE / "api-docs.js",
    "static/api-docs.css": _PAGE / "api-docs.css",
}


def serve_api_docs(api: FastAPI) -> None:
    """Swagger UI at /console/api-docs (before the console's own static files, which would shadow it)."""

    @api.get(API_DOCS_PATH, include_in_schema=False)
    async def api_docs() -> FileResponse:
        return FileResponse(_PAGE / "index.html", media_type="text/html; charset=utf-8")

    for name, path in _ASSETS.items():
        api.add_api_route(f"{API_DOCS_PATH}/{name}", _asset(path), methods=["GET"], include_in_schema=False)


def _asset(path: Path) -> Any:
    async def asset() -> FileResponse:
        return FileResponse(path)

    return asset
