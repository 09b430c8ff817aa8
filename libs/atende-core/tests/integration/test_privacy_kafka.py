"""Privacy commands on a real Kafka broker: the two-step resolution, confirmations collected by the CLI's
client, a service that is down confirming when it comes back, sealed export answers, topic retention."""

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from atende_core import privacy
from atende_core.bus import Bus, topics
from atende_core.crypto import blind_index
from atende_core.privacy import Subject
from atende_core.privacy_cli import PrivacyClient, PrivacyCliSettings, topic_retention
from atende_core.settings import ServiceSettings
from atende_testing import wait_until

pytestmark = pytest.mark.integration

CPF = "123.456.789-09"
KEY = "integration-pii-key"


class Resolver:
    """The conversation service's part: links the document to one conversation."""

    def __init__(self) -> None:
        self.resolved: list[tuple[str, bool]] = []

    async def resolve(self, subject: Subject, *, erasure: bool) -> Subject:
        self.resolved.append((subject.request_id, erasure))
        return subject.merged(conversation_ids=["conv-1"], phone_indexes=["ab" * 16], contract_ids=["c-9"])


class Store:
    """A service's personal data: records by conversation id."""

    def __init__(self, conversations: set[str]) -> None:
        self.conversations = set(conversations)
        self.subjects: list[Subject] = []

    async def erase(self, subject: Subject) -> Mapping[str, int]:
        self.subjects.append(subject)
        gone = self.conversations & set(subject.conversation_ids)
        self.conversations -= gone
        return {"records": len(gone)}

    async def export(self, subject: Subject) -> dict[str, Any]:
        return {"conversations": sorted(self.conversations & set(subject.conversation_ids)), "name": "Maria Souza"}


def _settings(kafka_bootstrap_servers: str, topic_prefix: str, services: str) -> PrivacyCliSettings:
    return PrivacyCliSettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        pii_hash_key=KEY,
        privacy_services=services,
        privacy_timeout_s=30,
    )


async def test_erasure_is_resolved_applied_and_confirmed_and_a_late_service_confirms_later(
    make_bus: Callable[..., Bus], kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    resolver, conversation_store, connector_store = Resolver(), Store({"conv-1"}), Store({"conv-1", "conv-2"})
    conversation, connector = make_bus("conversation"), make_bus("whatsapp-connector")
    privacy.subscribe(conversation, service="conversation", store=conversation_store, resolver=resolver)
    conversation.produces(topics.PRIVACY_COMMANDS)
    privacy.subscribe(connector, service="whatsapp-connector", store=connector_store)
    await conversation.start()
    await connector.start()
    late = make_bus("notifier")
    privacy.subscribe(late, service="notifier")  # subscribed, but not started yet: "down"

    settings = _settings(kafka_bootstrap_servers, topic_prefix, "conversation,whatsapp-connector,notifier")
    async with PrivacyClient(settings) as client:
        collected = await client.erase(CPF, timeout_s=10)
    assert collected.missing == ["notifier"]
    assert collected.answers["conversation"].erased == {"records": "1"}
    assert collected.answers["whatsapp-connector"].erased == {"records": "1"}
    assert connector_store.conversations == {"conv-2"}
    # Every service saw the resolved subject; the command carried the blind index, not the CPF.
    applied = connector_store.subjects[0]
    assert applied.document_index == blind_index(CPF, KEY.encode())
    assert applied.conversation_ids == ("conv-1",)
    assert applied.contract_ids == ("c-9",)
    assert resolver.resolved == [(collected.request_id, True)]

    # The command stays on the topic: the service that was down applies it when it starts.
    await late.start()
    async with PrivacyClient(settings) as client:

        async def confirmed() -> bool:
            status = await client.status(collected.request_id, timeout_s=5)
            return not status.missing

        await wait_until(confirmed, timeout=60, interval=0.5)


async def test_export_answers_are_sealed_to_the_requester(
    make_bus: Callable[..., Bus], kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    conversation, gateway = make_bus("conversation"), make_bus("gateway")
    privacy.subscribe(conversation, service="conversation", store=Store({"conv-1"}), resolver=Resolver())
    conversation.produces(topics.PRIVACY_COMMANDS)
    privacy.subscribe(gateway, service="gateway", store=Store({"conv-1"}))
    await conversation.start()
    await gateway.start()
    async with PrivacyClient(_settings(kafka_bootstrap_servers, topic_prefix, "conversation,gateway")) as client:
        collected, documents = await client.export(CPF, timeout_s=30)
    assert collected.missing == []
    assert documents == {
        "conversation": {"conversations": ["conv-1"], "name": "Maria Souza"},
        "gateway": {"conversations": ["conv-1"], "name": "Maria Souza"},
    }
    # On the wire, nothing readable.
    for answer in collected.answers.values():
        assert b"Maria" not in answer.SerializeToString()


async def test_topics_are_created_with_their_retention_and_drift_is_fixed(
    make_bus: Callable[..., Bus], kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    bus = make_bus("test")
    await bus.start(publishes_to=[topics.PRIVACY_COMMANDS, topics.SGP_REQUESTS])
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap_servers)
    await admin.start()
    try:

        async def retention(name: str) -> str | None:
            [response] = await admin.describe_configs(
                [ConfigResource(ConfigResourceType.TOPIC, topic_prefix + name, configs={"retention.ms": None})]
            )
            entries = response.resources[0][4]
            return next((e[1] for e in entries if e[0] == "retention.ms"), None)

        # A just-created topic's configuration may take a moment to be readable.
        assert await wait_until(lambda: retention(topics.PRIVACY_COMMANDS)) == str(30 * 24 * 3600 * 1000)
        assert await retention(topics.SGP_REQUESTS) == str(24 * 3600 * 1000)
        assert await retention(topics.dlq(topics.SGP_REQUESTS)) == str(14 * 24 * 3600 * 1000)

        drifted = ConfigResource(
            ConfigResourceType.TOPIC, topic_prefix + topics.SGP_REQUESTS, configs={"retention.ms": "5"}
        )
        await admin.alter_configs([drifted])

        async def drift_seen() -> bool:
            return await retention(topics.SGP_REQUESTS) == "5"

        await wait_until(drift_seen)
        settings = ServiceSettings(kafka_bootstrap_servers=kafka_bootstrap_servers, kafka_topic_prefix=topic_prefix)
        report = await topic_retention(settings, apply=False)
        assert report[topic_prefix + topics.SGP_REQUESTS]["actual"] == "5"
        report = await topic_retention(settings, apply=True)
        assert report[topic_prefix + topics.SGP_REQUESTS]["fixed"] == "True"
        assert report[topic_prefix + topics.PRIVACY_COMMANDS]["fixed"] == "False"

        async def fixed() -> bool:
            return await retention(topics.SGP_REQUESTS) == str(24 * 3600 * 1000)

        await wait_until(fixed)
    finally:
        await admin.close()
