"""Prometheus metrics of the bus (one set per process, labelled by topic and consumer group)."""

from prometheus_client import Counter, Gauge, Histogram

HANDLED = Counter("atende_bus_messages_handled_total", "Messages handled successfully", ["topic", "group"])
DUPLICATES = Counter("atende_bus_messages_duplicate_total", "Redeliveries skipped by idempotency", ["topic", "group"])
FAILED = Counter("atende_bus_handler_failures_total", "Handler attempts that raised", ["topic", "group", "error"])
DEAD_LETTERED = Counter("atende_bus_messages_dead_lettered_total", "Messages sent to the DLQ", ["topic", "group"])
PUBLISHED = Counter("atende_bus_messages_published_total", "Messages published", ["topic"])
PUBLISH_FAILED = Counter("atende_bus_publish_failures_total", "Publishes Kafka did not acknowledge", ["topic"])
HANDLING_SECONDS = Histogram(
    "atende_bus_handling_seconds",
    "Time to handle one message, retries included",
    ["topic", "group"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CONSUMER_LAG = Gauge("atende_bus_consumer_lag", "Messages behind the partition end", ["topic", "partition", "group"])
IDEMPOTENCY_UNAVAILABLE = Counter(
    "atende_bus_idempotency_unavailable_total", "Messages handled without the Redis dedup check", ["group"]
)
