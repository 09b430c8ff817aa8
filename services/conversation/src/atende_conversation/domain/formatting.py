"""Brazilian formats for what customers read: R$ 1.234,56, dd/mm/aaaa, 8h30."""

from __future__ import annotations

from datetime import date, datetime, time

WEEKDAYS_PT = ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo")
WEEKDAYS_SHORT_PT = ("seg", "ter", "qua", "qui", "sex", "sáb", "dom")


def money(cents: int) -> str:
    """Format cents as Brazilian reais: 123456 → 'R$ 1.234,56' (negative amounts keep their sign)."""
    sign = "-" if cents < 0 else ""
    reais, rest = divmod(abs(cents), 100)
    grouped = f"{reais:,}".replace(",", ".")
    return f"{sign}R$ {grouped},{rest:02d}"


def parse_date(value: str) -> date | None:
    """Read an ISO date or timestamp (or dd/mm/aaaa, which some SGP builds return); None when unreadable."""
    value = value.strip()
    if not value:
        return None
    try:
        if "/" in value:
            day, month, year = value.split(" ")[0].split("/")
            return date(int(year), int(month), int(day))
        if len(value) > 10:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        return date.fromisoformat(value)
    except ValueError:
        return None


def date_br(value: str | date) -> str:
    """Format a date as dd/mm/aaaa; text that is not a date is returned as it came."""
    parsed = value if isinstance(value, date) else parse_date(value)
    if parsed is None:
        return str(value)
    return parsed.strftime("%d/%m/%Y")


def hour_br(value: time) -> str:
    """Format a time the way people say it: 08:00 → '8h', 08:30 → '8h30'."""
    return f"{value.hour}h" if value.minute == 0 else f"{value.hour}h{value.minute:02d}"


def first_name(name: str) -> str:
    """The first word of a name, capitalized ('MARIA DA SILVA' → 'Maria')."""
    parts = name.strip().split()
    return parts[0].capitalize() if parts else ""


def truncate(text: str, limit: int) -> str:
    """Cut text to `limit` characters, ending with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
