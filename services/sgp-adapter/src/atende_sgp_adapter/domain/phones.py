"""Brazilian phone numbers as WhatsApp addresses (country code + DDD + subscriber number)."""

from __future__ import annotations

from collections.abc import Iterable

from atende_sgp_adapter.domain.documents import digits_only

_COUNTRY = "55"


def whatsapp_number(raw: str) -> str | None:
    """``(98) 98512-0338`` → ``5598985120338``; None unless it is a Brazilian mobile number.

    Only mobiles (11 national digits, subscriber number starting with 9) are kept: a landline cannot
    receive a template, and guessing the 9th digit of an old 8-digit mobile would message a stranger.
    """
    digits = digits_only(raw).lstrip("0")  # "0 98 ..." trunk prefix
    if len(digits) == 13 and digits.startswith(_COUNTRY):
        digits = digits[2:]
    if len(digits) != 11 or digits[0] == "0" or digits[2] != "9":
        return None
    return _COUNTRY + digits


def pick_whatsapp_number(phones: Iterable[str]) -> str | None:
    """The first of a customer's registered phones that can receive WhatsApp, if any."""
    return next((number for raw in phones if (number := whatsapp_number(raw)) is not None), None)
