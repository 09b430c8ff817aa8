"""Bearer-token protection of the operator API (until operators authenticate through the auth service)."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Header, HTTPException, status
from pydantic import SecretStr


def require_bearer(token: SecretStr) -> Callable[..., Awaitable[None]]:
    """A FastAPI dependency accepting only `Authorization: Bearer <token>` (constant-time compare)."""
    expected = token.get_secret_value().encode()

    async def dependency(authorization: Annotated[str | None, Header()] = None) -> None:
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not expected or not hmac.compare_digest(given.strip().encode(), expected):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "invalid operator token", headers={"WWW-Authenticate": "Bearer"}
            )

    return dependency
