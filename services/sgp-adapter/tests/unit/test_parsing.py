"""Coercion of SGP's loosely typed values."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from atende_sgp_adapter.adapters.sgp_parsing import (
    clean_str,
    fold,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
    strip_secrets,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-08-05", date(2026, 8, 5)),
        ("05/08/2026", date(2026, 8, 5)),
        ("20/03/2024 11:43:25", date(2024, 3, 20)),
        ("", None),
        ("None", None),
        (None, None),
        ("garbage", None),
    ],
)
def test_dates_in_every_format(raw: object, expected: date | None) -> None:
    assert parse_date(raw) == expected


def test_datetimes() -> None:
    assert parse_datetime("20/03/2024 11:43:25") == datetime(2024, 3, 20, 11, 43, 25)
    assert parse_datetime("2026-11-25 08:00:00") == datetime(2026, 11, 25, 8, 0)
    assert parse_datetime("2026-11-25T08:00:00-03:00") == datetime(2026, 11, 25, 8, 0)
    assert parse_datetime("2026-11-25") == datetime(2026, 11, 25)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (89.9, Decimal("89.90")),
        ("102.35", Decimal("102.35")),
        ("1.234,56", Decimal("1234.56")),
        (152, Decimal("152.00")),
        ("R$ 10,00", Decimal("10.00")),
        ("None", None),
        (True, None),
    ],
)
def test_money(raw: object, expected: Decimal | None) -> None:
    assert parse_decimal(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        ("True", True),
        ("true", True),
        ("1", True),
        (1, True),
        ("False", False),
        ("0", False),
        (None, False),
        ("", False),
    ],
)
def test_booleans(raw: object, expected: bool) -> None:
    assert parse_bool(raw) is expected


def test_ints_and_strings() -> None:
    assert parse_int("3") == 3
    assert parse_int(" 17402 ") == 17402
    assert parse_int("x") is None
    assert clean_str(" Ativo ") == "Ativo"
    assert clean_str("None") is None
    assert fold("Contrato NÃO encontrado") == "contrato nao encontrado"


def test_strip_secrets_at_any_depth() -> None:
    raw = {"contratos": [{"contratoId": 1, "contratoCentralSenha": "x", "servico_senha": "y", "token": "t"}]}
    assert strip_secrets(raw) == {"contratos": [{"contratoId": 1}]}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "NaN", "Infinity", "-inf"])
def test_non_finite_numbers_are_no_numbers(value: object) -> None:
    assert parse_int(value) is None
    assert parse_decimal(value) is None


def test_amounts_beyond_any_bill_are_no_money() -> None:
    assert parse_decimal("1e999") is None
    assert parse_decimal(2**70) is None
    assert parse_decimal("1.234,56") == Decimal("1234.56")
