"""Kafka: the deployment's topics (partitions, replication, topic-level configurations) and every
consumer group's committed offsets, not the records (Kafka keeps those itself, replicated; a backup
that copied them would be stale by the next second).

Restore re-creates missing topics as they were (replication capped at the brokers there are),
re-applies their configurations, and commits each group's offsets clamped to what the partition
holds now: on a surviving cluster the consumers go on where the backup saw them (re-reading what
came after: handlers are idempotent); on a new, empty cluster they start at the beginning of the
new records. A group's services must be stopped: Kafka refuses a commit for a group with members.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import CommitFailedError, IllegalGenerationError, RebalanceInProgressError, UnknownMemberIdError

log = logging.getLogger(__name__)
TOPIC_CONFIG_SOURCE = 1  # DescribeConfigs: DYNAMIC_TOPIC_CONFIG, set on the topic itself


def _ours(topic: str, prefix: str) -> bool:
    return topic.startswith(prefix) and not topic.startswith("__")


async def dump(admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer, prefix: str) -> dict[str, Any]:
    """Topics and consumer-group offsets of the topics under `prefix`, with each partition's end offset."""
    names = sorted(t for t in await admin.list_topics() if _ours(t, prefix))
    topics: dict[str, Any] = {}
    if names:
        for described in await admin.describe_topics(names):
            partitions = described["partitions"]
            topics[described["topic"]] = {
                "partitions": len(partitions),
                "replication_factor": max((len(p["replicas"]) for p in partitions), default=1),
                "configs": {},
            }
        resources = [ConfigResource(ConfigResourceType.TOPIC, n) for n in names]
        for response in await admin.describe_configs(resources):
            for resource in response.resources:
                topic, entries = resource[3], resource[4]
                topics[topic]["configs"] = {e[0]: e[1] for e in entries if e[3] == TOPIC_CONFIG_SOURCE}
    groups: dict[str, dict[str, int]] = {}
    for group_id, _ in await admin.list_consumer_groups():
        offsets = await admin.list_consumer_group_offsets(group_id)
        mine = {f"{tp.topic}:{tp.partition}": meta.offset for tp, meta in offsets.items() if tp.topic in topics}
        if mine:
            groups[group_id] = mine
    partitions = [TopicPartition(t, p) for t, spec in topics.items() for p in range(spec["partitions"])]
    ends = await consumer.end_offsets(partitions) if partitions else {}
    return {
        "topics": topics,
        "groups": groups,
        "end_offsets": {f"{tp.topic}:{tp.partition}": offset for tp, offset in ends.items()},
    }


def _partition(name: str) -> TopicPartition:
    topic, _, partition = name.rpartition(":")
    return TopicPartition(topic, int(partition))


async def restore_topics(admin: AIOKafkaAdminClient, state: dict[str, Any]) -> dict[str, list[str]]:
    """Create the topics that are missing and set every saved topic configuration."""
    existing = set(await admin.list_topics())
    brokers = len((await admin.describe_cluster())["brokers"])
    missing = [
        NewTopic(
            name,
            num_partitions=spec["partitions"],
            replication_factor=min(spec["replication_factor"], brokers),
            topic_configs=spec["configs"],
        )
        for name, spec in state["topics"].items()
        if name not in existing
    ]
    if missing:
        await admin.create_topics(missing)
    present = [n for n, spec in state["topics"].items() if n in existing and spec["configs"]]
    if present:
        await admin.alter_configs(
            [ConfigResource(ConfigResourceType.TOPIC, n, configs=state["topics"][n]["configs"]) for n in present]
        )
    return {"created": sorted(t.name for t in missing), "configured": sorted(present)}


async def restore_offsets(
    bootstrap_servers: str, state: dict[str, Any], *, members_wait_s: float = 120.0, **security: Any
) -> dict[str, Any]:
    """Commit each group's saved offsets, clamped to the partitions' current range. A group that still
    has members (consumers killed a moment ago keep them until their session times out) is retried
    for `members_wait_s`; then CommitFailedError says to stop its services."""
    report: dict[str, Any] = {}
    for group_id, saved in state["groups"].items():
        wanted = {_partition(name): offset for name, offset in saved.items()}
        deadline = time.monotonic() + members_wait_s
        while True:
            try:
                offsets = await _commit(bootstrap_servers, group_id, wanted, security)
                break
            except (CommitFailedError, UnknownMemberIdError, RebalanceInProgressError, IllegalGenerationError):
                if time.monotonic() > deadline:
                    raise
                log.info("group %s still has members; waiting for their sessions to end", group_id)
                await asyncio.sleep(2.0)
        report[group_id] = {
            "committed": sum(offsets.values()),
            "clamped": sum(1 for tp in wanted if offsets[tp] != wanted[tp]),
        }
    return report


async def _commit(
    bootstrap_servers: str, group_id: str, wanted: dict[TopicPartition, int], security: dict[str, Any]
) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, group_id=group_id, enable_auto_commit=False, **security
    )
    await consumer.start()
    try:
        consumer.assign(list(wanted))
        starts = await consumer.beginning_offsets(list(wanted))
        ends = await consumer.end_offsets(list(wanted))
        offsets = {tp: min(max(offset, starts[tp]), ends[tp]) for tp, offset in wanted.items()}
        await consumer.commit(offsets)
    finally:
        await consumer.stop()
    return offsets
