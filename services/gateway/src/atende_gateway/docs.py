"""The gateway's OpenAPI document: the operator API as FastAPI describes it, the webhook (served by the
raw ingress, so described here by hand-written routes that never run) and the bearer scheme."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, status

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
