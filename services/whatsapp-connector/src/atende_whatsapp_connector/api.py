"""Internal HTTP API: media bytes for consumers that need them (they never hold the WhatsApp token)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response

from atende_whatsapp_connector.adapters.graph import GraphApiError
from atende_whatsapp_connector.adapters.media import MediaClient

_CLIENT_ERROR = 400
_SERVER_ERROR = 500


def media_router(media: MediaClient) -> APIRouter:
    """`GET /media/{media_id}`: download an inbound media object (ids live 7 days, URLs 5 minutes)."""
    router = APIRouter(tags=["media"])

    @router.get("/media/{media_id}")
    async def get_media(media_id: str, phone_number_id: str | None = None) -> Response:
        try:
            file = await media.fetch(media_id, phone_number_id=phone_number_id)
        except GraphApiError as exc:
            status = 404 if _CLIENT_ERROR <= exc.http_status < _SERVER_ERROR else 502
            raise HTTPException(status, f"whatsapp media unavailable: ({exc.code}) {exc.title}") from exc
        return Response(
            file.data, media_type=file.mime_type or "application/octet-stream", headers={"X-Media-Sha256": file.sha256}
        )

    return router
