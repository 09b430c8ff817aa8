"""Real HTTP test servers that follow the secrets managers' documented APIs (run with running_server).

- `VaultKvServer`: HashiCorp Vault's KV version 2 engine (`/v1/<mount>/data/<path>`, `X-Vault-Token`,
  versions, check-and-set), as in Vault's HTTP API documentation. Vault itself is not installable here.
- `KeyVaultServer`: Azure Key Vault's secrets REST API (`GET /secrets/{name}[/{version}]?api-version=`)
  with the bearer challenge the SDK expects (401 + `WWW-Authenticate` first). Serve it over TLS: the
  SDK refuses http.
- `StaticTokenCredential`: an azure-core token credential that returns one fixed token.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response


@dataclass
class _Version:
    data: dict[str, Any]
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat().replace("+00:00", "Z"))


class VaultKvServer:
    """KV v2 under one mount, one accepted token; `write` rotates (a new version), as `vault kv put` does."""

    def __init__(self, *, token: str, mount: str = "secret") -> None:
        self.token = token
        self.mount = mount
        self.versions: dict[str, list[_Version]] = {}
        self.reads = 0

    def write(self, path: str, data: dict[str, Any]) -> int:
        """Store a new version at `path`; its number."""
        self.versions.setdefault(path.strip("/"), []).append(_Version(dict(data)))
        return len(self.versions[path.strip("/")])

    def _metadata(self, number: int, version: _Version) -> dict[str, Any]:
        return {
            "created_time": version.created,
            "custom_metadata": None,
            "deletion_time": "",
            "destroyed": False,
            "version": number,
        }

    def _envelope(self, data: Any) -> dict[str, Any]:
        return {
            "request_id": str(uuid.uuid4()),
            "lease_id": "",
            "renewable": False,
            "lease_duration": 0,
            "data": data,
            "wrap_info": None,
            "warnings": None,
            "auth": None,
        }

    def app(self) -> FastAPI:
        """The ASGI app."""
        app = FastAPI()

        def denied(request: Request) -> JSONResponse | None:
            if request.headers.get("x-vault-token") != self.token:
                return JSONResponse({"errors": ["permission denied"]}, status_code=403)
            return None

        @app.get("/v1/sys/health")
        async def health() -> dict[str, Any]:
            return {"initialized": True, "sealed": False, "standby": False}

        @app.get("/v1/{mount}/data/{path:path}")
        async def read(mount: str, path: str, request: Request) -> Response:
            if (refused := denied(request)) is not None:
                return refused
            if mount != self.mount:
                return JSONResponse({"errors": [f"no handler for route '{mount}/data/{path}'"]}, status_code=404)
            self.reads += 1
            versions = self.versions.get(path.strip("/"))
            if not versions:
                return JSONResponse({"errors": []}, status_code=404)
            wanted = int(request.query_params.get("version") or 0) or len(versions)
            if not 1 <= wanted <= len(versions):
                return JSONResponse({"errors": []}, status_code=404)
            version = versions[wanted - 1]
            return JSONResponse(self._envelope({"data": version.data, "metadata": self._metadata(wanted, version)}))

        @app.api_route("/v1/{mount}/data/{path:path}", methods=["POST", "PUT"])
        async def write(mount: str, path: str, request: Request) -> Response:
            if (refused := denied(request)) is not None:
                return refused
            body = await request.json()
            if mount != self.mount or not isinstance(body, dict) or not isinstance(body.get("data"), dict):
                return JSONResponse({"errors": ["invalid request"]}, status_code=400)
            cas = (body.get("options") or {}).get("cas")
            current = len(self.versions.get(path.strip("/"), []))
            if cas is not None and int(cas) != current:
                return JSONResponse(
                    {"errors": ["check-and-set parameter did not match the current version"]}, status_code=400
                )
            number = self.write(path, body["data"])
            return JSONResponse(self._envelope(self._metadata(number, self.versions[path.strip("/")][-1])))

        return app


class KeyVaultServer:
    """Secrets of one vault; `set` adds a version (as `az keyvault secret set` does)."""

    def __init__(self, *, token: str, tenant_id: str = "00000000-0000-0000-0000-000000000000") -> None:
        self.token = token
        self.tenant_id = tenant_id
        self.base_url = ""  # set by the test once the server has its address (ids are absolute URLs)
        self.versions: dict[str, list[tuple[str, str]]] = {}
        self.reads = 0

    def set(self, name: str, value: str) -> str:
        """Store a new version; its id."""
        version = uuid.uuid4().hex
        self.versions.setdefault(name, []).append((version, value))
        return version

    def app(self) -> FastAPI:
        """The ASGI app."""
        app = FastAPI()
        challenge = (
            f'Bearer authorization="https://login.microsoftonline.com/{self.tenant_id}", '
            'resource="https://vault.azure.net"'
        )

        @app.get("/secrets/{name}")
        @app.get("/secrets/{name}/{version}")
        async def get_secret(name: str, request: Request, version: str = "") -> Response:
            if not request.query_params.get("api-version"):
                return JSONResponse(
                    {"error": {"code": "MissingApiVersionParameter", "message": "api-version is required"}}, 400
                )
            if request.headers.get("authorization") != f"Bearer {self.token}":
                return JSONResponse(
                    {"error": {"code": "Unauthorized", "message": "AKV10000: Request is missing a Bearer token."}},
                    status_code=401,
                    headers={"WWW-Authenticate": challenge},
                )
            self.reads += 1
            versions = self.versions.get(name, [])
            latest = versions[-1] if versions else None
            chosen = next((v for v in versions if v[0] == version), None) if version else latest
            if chosen is None:
                return JSONResponse(
                    {"error": {"code": "SecretNotFound", "message": f"A secret with (name/id) {name} was not found"}},
                    status_code=404,
                )
            now = int(time.time())
            return JSONResponse(
                {
                    "value": chosen[1],
                    "id": f"{self.base_url}/secrets/{name}/{chosen[0]}",
                    "attributes": {"enabled": True, "created": now, "updated": now, "recoveryLevel": "Recoverable"},
                    "tags": {},
                }
            )

        return app


class StaticTokenCredential:
    """An azure-core TokenCredential returning one fixed token (what the test server accepts)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """A token valid for an hour."""
        from azure.core.credentials import AccessToken

        self.scopes.extend(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)
