"""`atende topics ensure` on a real Kafka broker (one broker here, so one replica): every catalog topic
and dead-letter topic created with its retention and min.insync.replicas, drift fixed without losing
other overrides, a layout the cluster cannot hold refused in one line."""

import json
import uuid

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from typer.testing import CliRunner

from atende_core.bus import topics
from atende_core.settings import ServiceSettings
from atende_core.topics_cli import Layout, TopicsError, app, ensure_topics, set_topic_configs, topic_overrides
from atende_testing import wait_until

pytestmark = pytest.mark.integration

ONE_BROKER = Layout(partitions=2, replication_factor=1, min_insync_replicas=1)


def settings(bootstrap: str, prefix: str) -> ServiceSettings:
    return ServiceSettings(kafka_bootstrap_servers=bootstrap, kafka_topic_prefix=prefix)


async def test_creates_every_catalog_topic_then_fixes_only_the_drifted_configs(kafka_bootstrap_servers: str) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}."
    report = await ensure_topics(settings(kafka_bootstrap_servers, prefix), ONE_BROKER)
    names = {prefix + n for logical in topics.CATALOG for n in (logical, topics.dlq(logical))}
    assert report == dict.fromkeys(sorted(names), "created")

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap_servers)
    await admin.start()
    try:
        requests = prefix + topics.SGP_REQUESTS
        (described,) = await admin.describe_topics([requests])
        assert len(described["partitions"]) == 2
        overrides = (await topic_overrides(admin, [requests]))[requests]
        assert overrides == {"retention.ms": str(24 * 3600 * 1000), "min.insync.replicas": "1"}

        # Someone shortened the retention and added an override of their own.
        await set_topic_configs(admin, {requests: {"retention.ms": "5", "max.message.bytes": "2000000"}})

        async def drift_seen() -> bool:
            return (await topic_overrides(admin, [requests]))[requests].get("retention.ms") == "5"

        await wait_until(drift_seen)
        report = await ensure_topics(settings(kafka_bootstrap_servers, prefix), ONE_BROKER)
        assert report[requests] == "updated"
        assert {n for n, outcome in report.items() if outcome != "unchanged"} == {requests}

        async def fixed() -> bool:
            return (await topic_overrides(admin, [requests]))[requests].get("retention.ms") == str(24 * 3600 * 1000)

        await wait_until(fixed)
        assert (await topic_overrides(admin, [requests]))[requests]["max.message.bytes"] == "2000000"  # kept
    finally:
        await admin.close()


async def test_more_replicas_than_brokers_is_refused_in_one_line(kafka_bootstrap_servers: str) -> None:
    three = Layout(partitions=1, replication_factor=3, min_insync_replicas=2)
    with pytest.raises(TopicsError, match="replication factor"):
        await ensure_topics(settings(kafka_bootstrap_servers, f"t{uuid.uuid4().hex[:10]}."), three)


def test_the_command_prints_each_topics_outcome(kafka_bootstrap_servers: str) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}."
    env = {"ENVIRONMENT": "test", "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap_servers, "KAFKA_TOPIC_PREFIX": prefix}
    args = ["ensure", "--partitions=1", "--replication-factor=1", "--min-insync-replicas=1"]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[prefix + topics.NLU_REQUESTS] == "created"
    refused = CliRunner().invoke(app, ["ensure", "--replication-factor=1", "--min-insync-replicas=2"], env=env)
    assert refused.exit_code == 2
    assert "cannot exceed --replication-factor" in refused.output
