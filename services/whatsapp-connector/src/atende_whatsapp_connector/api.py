"""Internal HTTP API (INTERNAL_API_TOKEN): media for services that never hold the WhatsApp token, and
the templates an agent can send.

    GET  /media/{media_id}   download an inbound media object (ids live 7 days, URLs 5 minutes)
    POST /media              upload a file (body = the bytes, Content-Type = its MIME type) → {"media_id"}
    GET  /templates          approved templates the console can send → {"items": [...]}
"""

from __future__ import annotations

import httpx
from fastapi import APIRouter, HTTPException, Query, Request, Response, status

from atende_whatsapp_connector.adapters.graph import GraphApiError
from atende_whatsapp_connector.adapters.media import MediaClient
from atende_whatsapp_connector.adapters.template_cache import ApprovedTemplates

_CLIENT_ERROR = 400
_SERVER_ERROR = 500
# What the console uploads, with Meta's limits (reference §4: images 5 MB, documents 100 MB).
UPLOAD_LIMITS = {"application/pdf": 100 * 2**20, "image/jpeg": 5 * 2**20, "image/png": 5 * 2**20}


def _unavailable(exc: Exception) -> HTTPException:
    if isinstance(exc, GraphApiError):
        code = status.HTTP_422_UNPROCESSABLE_CONTENT if _CLIENT_ERROR <= exc.http_status < _SERVER_ERROR else 502
        return HTTPException(code, f"graph api refused: ({exc.code}) {exc.title}")
    return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"graph api unreachable: {type(exc).__name__}")


def media_router(media: MediaClient, *, default_phone_number_id: str) -> APIRouter:
    """Download inbound media by id; upload outbound media."""
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

    @router.post("/media", status_code=status.HTTP_201_CREATED)
    async def upload_media(
        request: Request,
        filename: str = Query("file", min_length=1, max_length=240),
        phone_number_id: str | None = Query(None, pattern=r"^\d{1,32}$"),
    ) -> dict[str, str]:
        mime = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        limit = UPLOAD_LIMITS.get(mime)
        if limit is None:
            raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, f"upload one of {sorted(UPLOAD_LIMITS)}")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"{mime} is limited to {limit} bytes")
            chunks.append(chunk)
        if not size:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "empty file")
        try:
            media_id = await media.upload(
                phone_number_id or default_phone_number_id, b"".join(chunks), mime_type=mime, filename=filename
            )
        except (GraphApiError, httpx.HTTPError) as exc:
            raise _unavailable(exc) from exc
        return {"media_id": media_id}

    return router


def templates_router(templates: ApprovedTemplates) -> APIRouter:
    """The approved templates an agent can send (cached)."""
    router = APIRouter(tags=["templates"])

    @router.get("/templates")
    async def list_templates() -> dict[str, object]:
        try:
            return {"items": await templates.list()}
        except (GraphApiError, httpx.HTTPError) as exc:
            raise _unavailable(exc) from exc

    return router
