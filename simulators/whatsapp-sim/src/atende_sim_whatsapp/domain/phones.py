"""Phone number handling: Meta accepts ``+55…`` or bare digits and reports digits as ``wa_id``."""

from __future__ import annotations

import re

_ALLOWED = re.compile(r"^\+?[0-9][0-9 ()\-]{6,24}$")


def digits(phone: str) -> str:
    """Return only the digits of a phone number."""
    return "".join(ch for ch in phone if ch.isdigit())


def is_valid_recipient(phone: str) -> bool:
    """Return whether ``phone`` looks like an E.164 number (8 to 15 digits)."""
    return bool(_ALLOWED.match(phone.strip())) and 8 <= len(digits(phone)) <= 15


def mask(phone: str) -> str:
    """Return the phone number with all but the last four digits hidden (for logs)."""
    d = digits(phone)
    return "*" * max(len(d) - 4, 0) + d[-4:]
