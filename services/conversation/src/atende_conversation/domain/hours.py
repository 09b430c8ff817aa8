"""Business hours of the human team: are agents in now, and when do they come back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .formatting import WEEKDAYS_PT, WEEKDAYS_SHORT_PT, hour_br

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LOOKAHEAD_DAYS = 31


class InvalidSchedule(ValueError):
    """The business-hours text cannot be read."""


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """Opening hours per weekday (0 = Monday) in one time zone, minus holidays."""

    weekly: dict[int, tuple[time, time]]
    timezone: str = "America/Sao_Paulo"
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def parse(
        cls, spec: str, *, timezone: str = "America/Sao_Paulo", holidays: frozenset[date] = frozenset()
    ) -> BusinessHours:
        """Read 'mon-fri 08:00-18:00; sat 08:00-12:00' (days or day ranges, then open-close)."""
        weekly: dict[int, tuple[time, time]] = {}
        for chunk in filter(None, (c.strip() for c in spec.split(";"))):
            try:
                days_part, hours_part = chunk.split()
                opens, closes = (time.fromisoformat(h) for h in hours_part.split("-"))
            except ValueError as exc:
                raise InvalidSchedule(f"cannot read {chunk!r}") from exc
            if closes <= opens:
                raise InvalidSchedule(f"{chunk!r} closes before it opens")
            for day in _days(days_part):
                weekly[day] = (opens, closes)
        ZoneInfo(timezone)  # fail early on a wrong zone name
        return cls(weekly=weekly, timezone=timezone, holidays=holidays)

    def _local(self, now: datetime) -> datetime:
        return now.astimezone(ZoneInfo(self.timezone))

    def _hours_on(self, day: date) -> tuple[time, time] | None:
        if day in self.holidays:
            return None
        return self.weekly.get(day.weekday())

    def is_open(self, now: datetime) -> bool:
        """True when agents work at `now` (an aware datetime)."""
        local = self._local(now)
        hours = self._hours_on(local.date())
        return hours is not None and hours[0] <= local.time() < hours[1]

    def next_opening(self, now: datetime) -> datetime | None:
        """The next moment agents start working after `now` (local time), None if never."""
        local = self._local(now)
        for offset in range(_LOOKAHEAD_DAYS):
            day = local.date() + timedelta(days=offset)
            hours = self._hours_on(day)
            if hours is None:
                continue
            opening = datetime.combine(day, hours[0], tzinfo=local.tzinfo)
            if opening > local:
                return opening
        return None

    def when_back(self, now: datetime) -> str:
        """'hoje às 8h', 'amanhã às 8h' or 'segunda-feira (02/03) às 8h': when agents are next in."""
        opening = self.next_opening(now)
        if opening is None:
            return "assim que possível"
        today = self._local(now).date()
        hour = hour_br(opening.time())
        if opening.date() == today:
            return f"hoje às {hour}"
        if opening.date() == today + timedelta(days=1):
            return f"amanhã às {hour}"
        return f"{WEEKDAYS_PT[opening.weekday()]} ({opening:%d/%m}) às {hour}"

    def describe(self) -> str:
        """The schedule in words: 'seg a sex, das 8h às 18h; sáb, das 8h às 12h'."""
        parts: list[str] = []
        day = 0
        while day < len(_DAY_NAMES):
            hours = self.weekly.get(day)
            if hours is None:
                day += 1
                continue
            end = day
            while end + 1 < len(_DAY_NAMES) and self.weekly.get(end + 1) == hours:
                end += 1
            days = WEEKDAYS_SHORT_PT[day] if end == day else f"{WEEKDAYS_SHORT_PT[day]} a {WEEKDAYS_SHORT_PT[end]}"
            parts.append(f"{days}, das {hour_br(hours[0])} às {hour_br(hours[1])}")
            day = end + 1
        return "; ".join(parts) if parts else "em horário comercial"


def _days(spec: str) -> list[int]:
    days: list[int] = []
    for part in spec.lower().split(","):
        if "-" in part:
            first, last = part.split("-")
            start, stop = _day_index(first), _day_index(last)
            if stop < start:
                raise InvalidSchedule(f"day range {part!r} runs backwards")
            days.extend(range(start, stop + 1))
        else:
            days.append(_day_index(part))
    return days


def _day_index(name: str) -> int:
    try:
        return _DAY_NAMES.index(name.strip()[:3])
    except ValueError as exc:
        raise InvalidSchedule(f"unknown day {name!r}") from exc
