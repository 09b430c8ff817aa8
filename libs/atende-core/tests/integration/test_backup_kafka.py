"""Kafka's part of a backup on the real broker: topics come back with their partitions and topic-level
configurations, and each group's offsets come back clamped to what the partition holds now."""

from __future__ import annotations

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from atende_core.backup import kafka_state
from atende_testing import wait_until

pytestmark = pytest.mark.integration


async def _committed(bootstrap: str, group: str, partition: TopicPartition) -> int | None:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        return await consumer.committed(partition)
    finally:
        await consumer.stop()


async def test_topics_and_offsets_come_back_clamped_to_the_partitions(
    kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    topic = f"{topic_prefix}orders"
    group = f"{topic_prefix}billing"
    partition = TopicPartition(topic, 1)
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap_servers)
    await admin.start()
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap_servers)
    await consumer.start()
    try:
        await admin.create_topics(
            [NewTopic(topic, num_partitions=2, replication_factor=1, topic_configs={"retention.ms": "3600000"})]
        )
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap_servers, acks="all")
        await producer.start()
        try:
            for n in range(5):
                await producer.send_and_wait(topic, f"order {n}".encode(), partition=1)
        finally:
            await producer.stop()
        committer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap_servers, group_id=group)
        await committer.start()
        try:
            committer.assign([partition])
            await committer.commit({partition: 3})
        finally:
            await committer.stop()

        state = await kafka_state.dump(admin, consumer, topic_prefix)
        assert state["topics"][topic] == {
            "partitions": 2,
            "replication_factor": 1,
            "configs": {"retention.ms": "3600000"},
        }
        assert state["groups"] == {group: {f"{topic}:1": 3}}
        assert state["end_offsets"][f"{topic}:1"] == 5

        # The topic survived: the group goes back to where the backup saw it.
        await kafka_state.restore_offsets(kafka_bootstrap_servers, state)
        assert await _committed(kafka_bootstrap_servers, group, partition) == 3

        # The topic was lost: it comes back as it was, empty, and the group starts at its beginning.
        await admin.delete_topics([topic])

        async def gone() -> bool:
            return topic not in await admin.list_topics()

        await wait_until(gone, timeout=60, interval=0.5)
        created = await kafka_state.restore_topics(admin, state)
        assert created == {"created": [topic], "configured": []}

        async def partitions() -> int:  # a new topic's partitions reach the metadata a moment later
            return len((await admin.describe_topics([topic]))[0]["partitions"])

        assert await wait_until(partitions, timeout=30, interval=0.2) == 2
        configs = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        entries = {e[0]: e[1] for r in configs for res in r.resources for e in res[4]}
        assert entries["retention.ms"] == "3600000"
        report = await kafka_state.restore_offsets(kafka_bootstrap_servers, state)
        assert report[group] == {"committed": 0, "clamped": 1}
        assert await _committed(kafka_bootstrap_servers, group, partition) == 0
    finally:
        await consumer.stop()
        await admin.close()
