"""Prometheus metrics of the audit log (`atende_auth_audit_…`, registered once on the default registry)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

STORED = Counter(
    "atende_auth_audit_entries_stored", "Audit entries appended to the chain, by source service", ["source"]
)
DUPLICATES = Counter(
    "atende_auth_audit_duplicates_ignored",
    "Audit events whose entry id was already stored (a redelivery), by source service",
    ["source"],
)
REJECTIONS = Counter("atende_auth_audit_rejections", "Audit events refused (dead-lettered), by reason", ["reason"])
MASKED = Counter(
    "atende_auth_audit_masked_fields",
    "Personal data masked in incoming audit events, by place (details_key, details_value, target, actor_id)",
    ["place"],
)
APPEND_CONFLICTS = Counter(
    "atende_auth_audit_append_conflicts", "Appends that lost a sequence number to another writer and retried"
)
MIRROR_ERRORS = Counter(
    "atende_auth_audit_checkpoint_mirror_errors", "Redis calls for the checkpoint copy that failed (copy lags)"
)
APPEND_SECONDS = Histogram(
    "atende_auth_audit_append_seconds",
    "Time to append one entry (duplicate check, head read, insert, checkpoint)",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
