"""Prometheus metrics of the WhatsApp connector."""

from prometheus_client import Counter, Gauge, Histogram

INBOUND = Counter("atende_whatsapp_inbound_messages_total", "Inbound messages published, by type", ["type"])
INBOUND_STALE = Counter("atende_whatsapp_inbound_stale_total", "Inbound messages flagged stale (replayed backlog)")
DUPLICATES = Counter("atende_whatsapp_duplicates_total", "Webhook items skipped as already handled", ["kind"])
STATUSES = Counter("atende_whatsapp_statuses_total", "Status webhooks by status and outcome", ["status", "outcome"])
FOREIGN = Counter("atende_whatsapp_foreign_number_changes_total", "Webhook changes for numbers we do not own")
MALFORMED = Counter(
    "atende_whatsapp_malformed_webhooks_total", "Webhook bodies or items that could not be read", ["scope"]
)
SENDS = Counter("atende_whatsapp_sends_total", "Outbound commands by content and outcome", ["content", "outcome"])
GRAPH_ERRORS = Counter("atende_whatsapp_graph_errors_total", "Graph API error answers by code", ["code"])
# Alert on this: with an expired token nothing is sent until it is rotated (reference §5.3, code 190).
TOKEN_ERRORS = Counter("atende_whatsapp_token_errors_total", "Graph API answers saying the access token is invalid")
TOKEN_VALID = Gauge("atende_whatsapp_token_valid", "1 after a successful Graph call, 0 after a token error")
MEDIA_HOST_REFUSED = Counter(
    "atende_whatsapp_media_downloads_refused_total",
    "Media downloads refused because the URL or a redirect left the media host allowlist",
    ["reason"],
)
FALLBACKS = Counter("atende_whatsapp_reengagement_fallbacks_total", "Template fallbacks sent after error 131047")
LIMITER_WAIT = Histogram(
    "atende_whatsapp_send_limiter_wait_seconds",
    "Time a send waited for the per-number throughput budget",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LIMITER_UNAVAILABLE = Counter(
    "atende_whatsapp_send_limiter_unavailable_total", "Sends that skipped the shared limiter because Redis was away"
)
