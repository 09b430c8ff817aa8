"""The Cloud API (Graph API) over one pooled httpx client.

Errors:
    GraphApiError      the API answered with an error object (code, title, details, HTTP status)
        MediaHostRefused   a media URL (or a redirect) points outside the media host allowlist: the
                           token is not sent there
    httpx.HTTPError    the request did not complete (connect/read timeout, reset…): transient
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from atende.whatsapp.v1.whatsapp_pb2 import GraphError
from atende_core.errors import AtendeError
from atende_core.secrets import SecretValue, close_if_rotating
from atende_whatsapp_connector import metrics
from atende_whatsapp_connector.domain.media_hosts import META_MEDIA_HOSTS, MediaHostAllowlist
from atende_whatsapp_connector.ports import SendResult

log = logging.getLogger(__name__)

# Meta's documented ceiling for documents; nothing larger is downloaded.
MAX_MEDIA_BYTES = 100 * 1024 * 1024
# Redirects followed on a media download, each to an allowed host only.
MAX_MEDIA_REDIRECTS = 3


class GraphApiError(AtendeError):
    """An error answer of the Graph API (reference §3.3)."""

    def __init__(
        self, *, http_status: int, code: int, title: str, message: str = "", details: str = "", fbtrace_id: str = ""
    ) -> None:
        super().__init__(f"({code}) {title}")
        self.http_status = http_status
        self.code = code
        self.title = title
        self.message = message or title
        self.details = details
        self.fbtrace_id = fbtrace_id

    @classmethod
    def from_response(cls, response: httpx.Response) -> GraphApiError:
        """Read Meta's `{"error": {...}}` body (or make the best of a body that is not one)."""
        try:
            error = response.json().get("error") or {}
        except ValueError:
            error = {}
        message = str(error.get("message", ""))
        title = message.split(") ", 1)[1] if message.startswith("(#") and ") " in message else message
        data = error.get("error_data")
        return cls(
            http_status=response.status_code,
            code=int(error.get("code", 0) or 0),
            title=title or f"HTTP {response.status_code}",
            message=message,
            details=str(data.get("details", "")) if isinstance(data, dict) else "",
            fbtrace_id=str(error.get("fbtrace_id", "")),
        )

    def graph_error(self) -> GraphError:
        """The error as status events carry it."""
        return GraphError(code=self.code, title=self.title, message=self.message, details=self.details)


class MediaHostRefused(GraphApiError):
    """A media URL or redirect outside the allowlist: nothing is sent there with the token (502 upstream)."""

    def __init__(self, *, host: str, reason: str) -> None:
        super().__init__(http_status=502, code=0, title=f"media host not allowed: {host or '?'} ({reason})")
        self.host = host
        self.reason = reason


@dataclass(frozen=True)
class MediaInfo:
    """`GET /{media-id}`: a download URL valid for about five minutes, and what it points to."""

    id: str
    url: str
    mime_type: str
    sha256: str
    file_size: int


class GraphClient:
    """Calls of the Cloud API that Atende makes, authenticated with the system-user token."""

    def __init__(
        self,
        *,
        base_url: str,
        access_token: SecretValue,
        app_secret: SecretStr | None = None,
        timeout_seconds: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        media_hosts: MediaHostAllowlist | None = None,
    ) -> None:
        self._media_hosts = media_hosts or MediaHostAllowlist.parse(META_MEDIA_HOSTS)
        # Read before every request: a RotatingSecret's new token is on the very next call, no restart.
        self._token = access_token
        self._app_secret = app_secret.get_secret_value() if app_secret is not None else ""
        self._proof_of: tuple[str, dict[str, str]] = ("", {})
        self._bearer = access_token.get_secret_value()
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {self._bearer}"},
            timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 3.0)),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            transport=transport,
        )

    def _follow_token(self) -> None:
        """Put the current token in the client's default Authorization header when it changed."""
        token = self._token.get_secret_value()
        if token != self._bearer:
            self._bearer = token
            self._http.headers["Authorization"] = f"Bearer {token}"

    def _proof(self) -> dict[str, str]:
        """`appsecret_proof` of the current token ("require app secret" hardening), cached per token."""
        if not self._app_secret:
            return {}
        token = self._token.get_secret_value()
        if self._proof_of[0] != token:
            proof = hmac.new(self._app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
            self._proof_of = (token, {"appsecret_proof": proof})
        return self._proof_of[1]

    async def aclose(self) -> None:
        """Close the connection pool (and the token's refresher)."""
        await self._http.aclose()
        close_if_rotating(self._token)

    async def _call(self, method: str, path: str, *, params: dict[str, str] | None = None, **kwargs: Any) -> Any:
        # Graph calls only: media download URLs are signed and get no extra parameters.
        self._follow_token()
        query = {**self._proof(), **(params or {})} or None
        response = await self._http.request(method, path.lstrip("/"), params=query, **kwargs)
        if response.status_code >= 400:
            raise GraphApiError.from_response(response)
        return response.json()

    async def send_message(self, phone_number_id: str, payload: dict[str, Any]) -> SendResult:
        """`POST /{pnid}/messages`; the wamid of the accepted message (empty for mark-as-read)."""
        answer = await self._call("POST", f"{phone_number_id}/messages", json=payload)
        messages = answer.get("messages") or [{}]
        return SendResult(
            message_id=str(messages[0].get("id", "")), message_status=str(messages[0].get("message_status", ""))
        )

    async def get_media(self, media_id: str, *, phone_number_id: str | None = None) -> MediaInfo:
        """`GET /{media-id}`: a fresh download URL (never store it: it expires in minutes)."""
        params = {"phone_number_id": phone_number_id} if phone_number_id else None
        answer = await self._call("GET", media_id, params=params)
        return MediaInfo(
            id=str(answer.get("id", media_id)),
            url=str(answer["url"]),
            mime_type=str(answer.get("mime_type", "")),
            sha256=str(answer.get("sha256", "")),
            file_size=int(answer.get("file_size", 0) or 0),
        )

    def _refuse(self, url: str, reason: str) -> MediaHostRefused:
        host = urlsplit(url).hostname or ""
        metrics.MEDIA_HOST_REFUSED.labels(reason=reason).inc()
        log.warning(
            "media download refused: host not allowed",
            extra={"event.action": "media-download-refused", "url.domain": host, "reason": reason},
        )
        return MediaHostRefused(host=host, reason=reason)

    async def download(self, url: str, *, max_bytes: int = MAX_MEDIA_BYTES) -> tuple[bytes, str]:
        """The bytes and MIME type behind a media URL (the bearer token is required there too).

        The token goes only to URLs the media host allowlist accepts; a redirect is followed (a few
        times at most) only when its target is allowed too, else nothing more is requested.
        """
        reason = "host"
        for _ in range(MAX_MEDIA_REDIRECTS + 1):
            if not self._media_hosts.allows(url):
                raise self._refuse(url, reason)
            redirect = await self._download_once(url, max_bytes=max_bytes)
            if isinstance(redirect, tuple):
                return redirect
            url, reason = redirect, "redirect"
        raise self._refuse(url, "too_many_redirects")

    async def _download_once(self, url: str, *, max_bytes: int) -> tuple[bytes, str] | str:
        """The bytes and MIME type, or the absolute URL a redirect points to (never followed here)."""
        self._follow_token()
        async with self._http.stream("GET", url, follow_redirects=False) as response:
            if response.is_redirect:
                return str(response.url.join(response.headers.get("location", "")))
            if response.status_code >= 400:
                await response.aread()
                raise GraphApiError.from_response(response)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise GraphApiError(http_status=413, code=131052, title="Media larger than the limit")
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("content-type", "")

    async def upload_media(self, phone_number_id: str, data: bytes, *, mime_type: str, filename: str) -> str:
        """`POST /{pnid}/media`: upload a file once and get an id reusable for 30 days."""
        answer = await self._call(
            "POST",
            f"{phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename, data, mime_type)},
        )
        return str(answer["id"])

    async def create_template(self, business_account_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """`POST /{waba}/message_templates`: `{id, status, category}` of the new template."""
        answer: dict[str, Any] = await self._call("POST", f"{business_account_id}/message_templates", json=body)
        return answer

    async def list_templates(self, business_account_id: str) -> list[dict[str, Any]]:
        """`GET /{waba}/message_templates`, every page."""
        templates: list[dict[str, Any]] = []
        params: dict[str, str] = {"limit": "100"}
        while True:
            answer = await self._call("GET", f"{business_account_id}/message_templates", params=params)
            templates.extend(answer.get("data", []))
            after = (answer.get("paging") or {}).get("cursors", {}).get("after")
            if not (answer.get("paging") or {}).get("next") or not after:
                return templates
            params = {"limit": "100", "after": str(after)}
