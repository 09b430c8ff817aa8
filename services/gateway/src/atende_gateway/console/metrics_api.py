"""The console's metrics route: GET /operator/metrics?day=YYYY-MM-DD (every role).

One day of the ISP's calendar (BUSINESS_TIMEZONE; today by default) from the counters in
console/day_metrics.py, answered from a copy shared by the replicas for CONSOLE_METRICS_CACHE_S.
"""

# No `from __future__ import annotations` here: FastAPI must see the route annotations as objects.
from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from atende_gateway.console.day_metrics import DayMetrics
from atende_gateway.operator_models import problems

if TYPE_CHECKING:  # the console package imports this module to list its registrar
    from atende_gateway.console import ConsoleContext

FIRST_DAY = date(2000, 1, 1)  # nothing is counted before; a day near date.max has no next day to end it
HOURS_EXAMPLE = [3, 1, 0, 0, 0, 2, 9, 40, 122, 160, 171, 150, 98, 120, 150, 149, 140, 133, 90, 61, 40, 30, 18, 7]
EXAMPLE = {
    "day": "2026-12-04",
    "conversations": 412,
    "solved_by_bot": 301,
    "solved_by_agents": 77,
    "handoff_rate": 0.2112,
    "median_first_response_s": 94.0,
    "median_resolution_s": 410.5,
    "csat_average": 4.41,
    "csat_responses": 133,
    "top_intents": [{"intent": "segunda_via", "count": 198}, {"intent": "sem_conexao", "count": 121}],
    "sgp_cache_hit_rate": 0.9312,
    "messages_per_hour": HOURS_EXAMPLE,
    "generated_at": 1764867000.2,
}


class IntentCount(BaseModel):
    """How many customer turns the NLU read as this intent."""

    intent: str
    count: int


class DayFigures(BaseModel):
    """One day of the service, in the ISP's timezone."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    day: str = Field(description="YYYY-MM-DD in the ISP's timezone")
    conversations: int = Field(description="conversations started that day")
    solved_by_bot: int = Field(description="closed that day, resolved without an agent")
    solved_by_agents: int = Field(description="closed that day after a handoff or by an agent")
    handoff_rate: float = Field(description="share of the day's conversations that asked for a human")
    median_first_response_s: float | None = Field(description="handoff requested → first agent reply")
    median_resolution_s: float | None = Field(description="start → close, of the conversations closed that day")
    csat_average: float | None = Field(description="1-5")
    csat_responses: int
    top_intents: list[IntentCount] = Field(description="customer turns by intent, most frequent first")
    sgp_cache_hit_rate: float | None = Field(description="SGP lookups answered from the sgp-adapter's cache")
    messages_per_hour: list[int] = Field(
        min_length=24, max_length=24, description="messages (customers', the bot's, agents') per local hour 0-23"
    )
    generated_at: float = Field(description="when these figures were computed (they may be cached)")


def register(context: "ConsoleContext") -> None:
    """Count the day's events and add the metrics route."""
    settings = context.settings
    metrics = DayMetrics(
        context.redis,
        prefix=settings.kafka_topic_prefix,
        zone=ZoneInfo(settings.business_timezone),
        cache_s=settings.console_metrics_cache_s,
    )
    metrics.subscribe(context.bus)
    Reader = context.reader  # noqa: N806 - a type alias, named like one

    @context.router.get("/metrics", responses=problems(422))
    async def day_metrics(
        principal: Reader,
        day: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-12-04"])] = None,
    ) -> DayFigures:
        """The day's conversations, handoffs, response times, ratings, intents and load (every role)."""
        try:
            wanted = date.fromisoformat(day) if day else metrics.today()
        except ValueError:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "day is not a calendar date") from None
        if not FIRST_DAY <= wanted <= date.max - timedelta(days=1):
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "day is out of range")
        return DayFigures.model_validate(await metrics.read(wanted))
