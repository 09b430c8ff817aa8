"""Media of inbound messages: resolve the id to a short-lived URL, download with the token
(reference §4: URLs expire after five minutes, ids after seven days)."""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass

from atende_whatsapp_connector.adapters.graph import MAX_MEDIA_BYTES, GraphApiError, GraphClient

log = logging.getLogger(__name__)
_NOT_FOUND = 404


@dataclass(frozen=True)
class MediaFile:
    """The bytes of one media object and what Meta says about them."""

    media_id: str
    data: bytes
    mime_type: str
    sha256: str

    @property
    def verified(self) -> bool:
        """True when the bytes hash to the sha256 Meta announced (hex or base64)."""
        digest = hashlib.sha256(self.data).digest()
        return self.sha256 in (digest.hex(), base64.b64encode(digest).decode())


class MediaClient:
    """Fetches and uploads media through the Graph API."""

    def __init__(self, graph: GraphClient) -> None:
        self._graph = graph

    async def fetch(
        self, media_id: str, *, phone_number_id: str | None = None, max_bytes: int = MAX_MEDIA_BYTES
    ) -> MediaFile:
        """Download a media object by id; a URL that expired meanwhile is fetched afresh once."""
        info = await self._graph.get_media(media_id, phone_number_id=phone_number_id)
        try:
            data, content_type = await self._graph.download(info.url, max_bytes=max_bytes)
        except GraphApiError as exc:
            if exc.http_status != _NOT_FOUND:
                raise
            info = await self._graph.get_media(media_id, phone_number_id=phone_number_id)
            data, content_type = await self._graph.download(info.url, max_bytes=max_bytes)
        media = MediaFile(media_id=media_id, data=data, mime_type=info.mime_type or content_type, sha256=info.sha256)
        if media.sha256 and not media.verified:
            log.warning("media bytes do not match the announced sha256", extra={"media.id": media_id})
        return media

    async def upload(self, phone_number_id: str, data: bytes, *, mime_type: str, filename: str) -> str:
        """Upload a file (e.g. the bill PDF) and return its media id."""
        return await self._graph.upload_media(phone_number_id, data, mime_type=mime_type, filename=filename)
