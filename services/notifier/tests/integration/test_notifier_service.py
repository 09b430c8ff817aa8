import logging

import httpx
import pytest

from atende.notifications.v1.notifications_pb2 import NotificationRequested
from atende_core.bus import Bus, topics
from atende_notifier.app import create_app
from atende_notifier.settings import NotifierSettings
from atende_testing import INTERNAL_HEADERS, INTERNAL_TOKEN, running_server, wait_until

pytestmark = pytest.mark.integration


async def test_service_starts_consumes_and_reports_ready(
    kafka_bootstrap_servers: str, redis_url: str, topic_prefix: str, make_bus, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    settings = NotifierSettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        redis_url=redis_url,
        kafka_topic_prefix=topic_prefix,
        internal_api_token=INTERNAL_TOKEN,
    )
    publisher: Bus = make_bus("test")
    await publisher.start(publishes_to=[topics.NOTIFICATIONS])
    async with running_server(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/healthz")).status_code == 200
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"kafka": "ok", "redis": "ok"}
        await publisher.publish(topics.NOTIFICATIONS, NotificationRequested(subject="x"), key="n1")
        await wait_until(lambda: any(r.getMessage() == "notice received" for r in caplog.records), timeout=30)
        assert (await client.get("/metrics")).status_code == 401
        metrics = (await client.get("/metrics", headers=INTERNAL_HEADERS)).text
        assert 'atende_bus_messages_handled_total{group="notifier",topic="notifications"}' in metrics
