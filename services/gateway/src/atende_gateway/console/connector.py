"""The WhatsApp connector's internal API, as the console uses it: the approved templates an agent can
send, and uploads of attachments (the connector holds the WhatsApp token, the gateway never does).

Errors:
    ConnectorUnavailable    the connector (or the Graph API behind it) did not answer: 503
    ConnectorRefused        the Graph API refused the file: 422
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from pydantic import SecretStr

from atende_core.errors import AtendeError

log = logging.getLogger(__name__)
_UNPROCESSABLE = 422


class ConnectorUnavailable(AtendeError):
    """The connector did not answer, or answered that WhatsApp did not."""


class ConnectorRefused(AtendeError):
    """WhatsApp refused the upload (its reason in the message)."""


class ConnectorClient:
    """`GET /templates` and `POST /media` of the connector, with the internal token."""

    def __init__(
        self,
        *,
        base_url: str,
        token: SecretStr | None,
        timeout_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token.get_secret_value()}"} if token is not None else {}
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s, transport=transport
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            log.warning("whatsapp connector unreachable", extra={"error.type": type(exc).__name__})
            raise ConnectorUnavailable(f"whatsapp connector unreachable: {type(exc).__name__}") from exc
        if response.status_code == _UNPROCESSABLE:
            raise ConnectorRefused(str(response.json().get("detail", "refused")))
        if response.is_error:
            log.warning("whatsapp connector failed", extra={"http.response.status_code": response.status_code})
            raise ConnectorUnavailable(f"whatsapp connector answered {response.status_code}")
        return response.json()

    async def templates(self) -> list[dict[str, Any]]:
        """The approved templates an agent can fill: {name, language, category, body, parameters}."""
        answer = await self._send("GET", "/templates")
        return list(answer["items"])

    async def upload(self, data: bytes, *, mime_type: str, filename: str, phone_number_id: str) -> str:
        """Upload a file to WhatsApp; its media id."""
        answer = await self._send(
            "POST",
            "/media",
            content=data,
            params={"filename": filename, "phone_number_id": phone_number_id},
            headers={"Content-Type": mime_type},
        )
        return str(answer["media_id"])
