"""Coercion helpers for SGP's loosely typed JSON (padded strings, mixed dates, numbers as text)."""

from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# Fields SGP returns that must never leave the adapter (reference §6.12).
SECRET_FIELDS = frozenset(
    {
        "servico_senha",
        "contratoCentralSenha",
        "contratoCentralLogin",
        "servico_wifi_password",
        "servico_wifi_password_5",
        "servico_wifi_ssid",
        "servico_wifi_ssid_5",
        "senha",
        "password",
        "token",
        "app",
    }
)
_NULLS = {"", "none", "null", "nil", "undefined"}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)


def strip_secrets(value: Any) -> Any:
    """Copy of ``value`` without secret keys at any depth (for logs and debugging)."""
    if isinstance(value, dict):
        return {k: strip_secrets(v) for k, v in value.items() if k not in SECRET_FIELDS}
    if isinstance(value, list):
        return [strip_secrets(v) for v in value]
    return value


def clean_str(value: Any) -> str | None:
    """Trimmed text, or None for missing, empty and Python-ism null strings ("None")."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return None if text.lower() in _NULLS else text


_MAX_AMOUNT = Decimal(10) ** 12


def parse_int(value: Any) -> int | None:
    """Integer from an int, float or numeric string; None otherwise."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    text = clean_str(value)
    if text is None:
        return None
    try:
        return int(Decimal(text.replace(",", ".")))
    except (InvalidOperation, ValueError, OverflowError):  # not a number, NaN, Infinity
        return None


def parse_decimal(value: Any) -> Decimal | None:
    """Money from a float, int or string ("102.35", "102,35", "1.234,56")."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        text = str(value)
    else:
        cleaned = clean_str(value)
        if cleaned is None:
            return None
        text = cleaned.replace("R$", "").strip()
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(text)
        # NaN, Infinity and amounts beyond any bill are not money (quantize would raise on the latter).
        return amount.quantize(Decimal("0.01")) if amount.is_finite() and abs(amount) < _MAX_AMOUNT else None
    except InvalidOperation:
        return None


def parse_bool(value: Any) -> bool:
    """SGP booleans: true/false, "True"/"False", 1/0, "1"/"0", "sim"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    text = clean_str(value)
    return text is not None and text.lower() in {"1", "true", "t", "sim", "s", "yes"}


def parse_datetime(value: Any) -> datetime | None:
    """Datetime from ISO or Brazilian formats; a bare date becomes midnight."""
    text = clean_str(value)
    if text is None:
        return None
    for fmt in _DATETIME_FORMATS:
        try:
            return datetime.strptime(text[:19] if "T" in text else text, fmt)
        except ValueError:
            continue
    parsed = parse_date(text)
    return datetime(parsed.year, parsed.month, parsed.day) if parsed else None


def parse_date(value: Any) -> date | None:
    """Date from ``YYYY-MM-DD``, ``DD/MM/YYYY`` or either with a time part."""
    text = clean_str(value)
    if text is None:
        return None
    head = text.split(" ")[0].split("T")[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    return None


def fold(text: str | None) -> str:
    """Lower-case, accent-free text for matching SGP messages."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().strip()
