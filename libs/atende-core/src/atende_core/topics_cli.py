"""`atende topics`: the catalog's topics on the broker, laid out for a production cluster.

    atende topics ensure [--partitions 6] [--replication-factor 3] [--min-insync-replicas 2]

Creates every topic of the catalog (atende_core.bus.topics) and its dead-letter topic that is missing,
with the catalog's retention (docs/privacy.md) and `min.insync.replicas`; on topics that exist it sets
those two where they differ and keeps the topic's other overrides. Partition counts of existing topics
are left alone: adding partitions moves keys, and with them the order of a conversation's events.
The Helm chart runs it as a hook before every install and upgrade (docs/deployment/KUBERNETES.md);
services still create a missing topic at start-up with one replica, which suits development only.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Annotated

import typer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError

from atende_core.bus import topics
from atende_core.settings import ServiceSettings

app = typer.Typer(help="Kafka topics of the catalog: create and configure them.", no_args_is_help=True)


@app.callback()
def topics_group() -> None:
    """Kafka topics of the catalog: create and configure them."""


DYNAMIC_TOPIC_CONFIG = 1  # DescribeConfigs' config_source of a topic-level override


class TopicsError(Exception):
    """The broker refused a topic (e.g. more replicas than brokers): one line for the operator."""


@dataclass(frozen=True)
class Layout:
    partitions: int
    replication_factor: int
    min_insync_replicas: int


def wanted_configs(prefix: str, layout: Layout) -> dict[str, dict[str, str]]:
    """Every catalog topic and dead-letter topic, by physical name, with the configs this command owns."""
    wanted = {}
    for logical in topics.CATALOG:
        for name in (logical, topics.dlq(logical)):
            wanted[prefix + name] = {
                "retention.ms": str(topics.retention_ms(name)),
                "min.insync.replicas": str(layout.min_insync_replicas),
            }
    return wanted


async def topic_overrides(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, dict[str, str]]:
    """The topic-level overrides of each topic (not the broker's defaults)."""
    resources = [ConfigResource(ConfigResourceType.TOPIC, name, configs=None) for name in names]
    overrides: dict[str, dict[str, str]] = {name: {} for name in names}
    for response in await admin.describe_configs(resources) if resources else []:
        for resource in response.resources:
            name, entries = resource[3], resource[4]
            overrides[name] = {e[0]: e[1] for e in entries if e[3] == DYNAMIC_TOPIC_CONFIG and e[1] is not None}
    return overrides


async def set_topic_configs(admin: AIOKafkaAdminClient, changes: dict[str, dict[str, str]]) -> None:
    """Set some configs of some topics. AlterConfigs replaces a topic's whole override set, so the
    overrides not named in `changes` are read first and written back unchanged."""
    current = await topic_overrides(admin, sorted(changes))
    resources = [
        ConfigResource(ConfigResourceType.TOPIC, name, configs={**current[name], **configs})
        for name, configs in changes.items()
    ]
    if resources:
        await admin.alter_configs(resources)


async def ensure_topics(settings: ServiceSettings, layout: Layout) -> dict[str, str]:
    """Create or fix every catalog topic; each physical name's outcome: created, updated or unchanged."""
    wanted = wanted_configs(settings.kafka_topic_prefix, layout)
    security = settings.kafka_security()
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers, **security.client_kwargs())
    await admin.start()
    try:
        existing = set(await admin.list_topics()) & set(wanted)
        missing = sorted(set(wanted) - existing)
        created = set(missing)
        if missing:
            new = [NewTopic(n, layout.partitions, layout.replication_factor, topic_configs=wanted[n]) for n in missing]
            response = await admin.create_topics(new)
            for name, code, *message in response.topic_errors:
                if code == TopicAlreadyExistsError.errno:  # another run created it meanwhile
                    created.discard(name)
                    existing.add(name)
                elif code:
                    detail = (message[0] if message else "") or f"error code {code}"
                    raise TopicsError(f"the broker refused topic {name}: {detail}")
        current = await topic_overrides(admin, sorted(existing))
        drift = {
            name: wanted[name]
            for name in existing
            if any(current[name].get(key) != value for key, value in wanted[name].items())
        }
        await set_topic_configs(admin, drift)
        return {
            name: "created" if name in created else "updated" if name in drift else "unchanged"
            for name in sorted(wanted)
        }
    finally:
        await admin.close()


@app.command()
def ensure(
    partitions: Annotated[int, typer.Option(min=1, help="Partitions of a topic this creates.")] = 6,
    replication_factor: Annotated[int, typer.Option(min=1, help="Replicas of a topic this creates.")] = 3,
    min_insync_replicas: Annotated[int, typer.Option(min=1, help="Replicas that must acknowledge a write.")] = 2,
) -> None:
    """Create the catalog's missing topics and fix retention.ms and min.insync.replicas of the others."""
    if min_insync_replicas > replication_factor:
        raise typer.BadParameter("cannot exceed --replication-factor (no write could ever be acknowledged)")
    layout = Layout(partitions, replication_factor, min_insync_replicas)
    try:
        report = asyncio.run(ensure_topics(ServiceSettings(), layout))
    except TopicsError as error:
        typer.echo(f"atende topics: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(report, indent=2))
