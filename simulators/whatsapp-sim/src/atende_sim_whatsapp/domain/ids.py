"""Identifiers shaped like Meta's: wamids, media ids, template ids."""

from __future__ import annotations

import base64
import secrets


def new_wamid(phone_digits: str) -> str:
    """Return a ``wamid.…`` id whose base64 body embeds the phone number like Meta's does."""
    phone = phone_digits.encode()
    raw = (
        b"\x1c\x18"
        + bytes([len(phone)])
        + phone
        + b"\x15\x02\x00\x11\x18\x12"
        + secrets.token_hex(9).upper().encode()
        + b"\x00"
    )
    return "wamid." + base64.b64encode(raw).decode()


def new_numeric_id() -> str:
    """Return a 16-digit numeric Graph object id (media, templates)."""
    return str(1_000_000_000_000_000 + secrets.randbelow(8_999_999_999_999_999))
