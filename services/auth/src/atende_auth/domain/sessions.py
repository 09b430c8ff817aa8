"""Login sessions: one refresh-token family each (the `sid` of its access tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Session:
    """A session as stored; its refresh tokens are kept only as digests."""

    id: str
    user_id: str
    created_at: datetime
    last_refresh_at: datetime
    expires_at: datetime
    ip: str
    user_agent: str
    amr: tuple[str, ...]
    revoked_at: datetime | None = None
