"""Registered phones → WhatsApp addresses (Brazilian mobiles only)."""

from __future__ import annotations

import pytest

from atende_sgp_adapter.domain import pick_whatsapp_number, whatsapp_number

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(98) 98512-0338", "5598985120338"),
        ("98985120338", "5598985120338"),
        ("+55 (98) 98512-0338", "5598985120338"),
        ("0 98 98512-0338", "5598985120338"),
        ("5598985120338", "5598985120338"),
        ("(98) 3221-4455", None),  # landline
        ("(98) 8512-0338", None),  # old 8-digit mobile: never guess the 9th digit
        ("98512-0338", None),  # no area code
        ("", None),
        ("x@y.com", None),
    ],
)
def test_whatsapp_number(raw: str, expected: str | None) -> None:
    assert whatsapp_number(raw) == expected


def test_first_mobile_wins() -> None:
    assert pick_whatsapp_number(["(98) 3221-4455", "(98) 99111-2222", "(98) 98888-0000"]) == "5598991112222"
    assert pick_whatsapp_number(["(98) 3221-4455"]) is None
    assert pick_whatsapp_number([]) is None
