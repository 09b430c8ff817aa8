"""Prometheus metrics of the gateway: the webhook ingress, the operator API, the auth proxy."""

from prometheus_client import Counter, Histogram

WEBHOOK_REQUESTS = Counter(
    "atende_gateway_webhook_requests_total",
    "Webhook POSTs by outcome (accepted, unauthorized, too_large, unavailable, bad_request)",
    ["outcome"],
)
# Alert on a spike: a rotated App Secret makes every genuine delivery fail (reference §1.3).
SIGNATURE_REJECTED = Counter(
    "atende_gateway_webhook_signature_rejected_total",
    "Webhook POSTs refused for their X-Hub-Signature-256 (missing, malformed, invalid)",
    ["reason"],
)
HANDSHAKES = Counter("atende_gateway_webhook_handshakes_total", "Verification GETs by outcome", ["outcome"])
PUBLISH_SECONDS = Histogram(
    "atende_gateway_webhook_publish_seconds",
    "Time until Kafka confirmed a webhook (acks=all)",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)

# Children resolved once: the ingress is the hottest path, label lookups are not free.
ACCEPTED = WEBHOOK_REQUESTS.labels("accepted")
UNAUTHORIZED = WEBHOOK_REQUESTS.labels("unauthorized")
TOO_LARGE = WEBHOOK_REQUESTS.labels("too_large")
UNAVAILABLE = WEBHOOK_REQUESTS.labels("unavailable")
BAD_REQUEST = WEBHOOK_REQUESTS.labels("bad_request")

OPERATOR_RATE_LIMITED = Counter(
    "atende_gateway_operator_rate_limited_total",
    "Operator API requests refused with 429, by limit (user, ip)",
    ["scope"],
)
AUTH_PROXY_REQUESTS = Counter(
    "atende_gateway_auth_proxy_requests_total",
    "Requests proxied to the auth service, by outcome (answered, too_large, unavailable, timeout, refused)",
    ["outcome"],
)
CONSOLE_SENDS = Counter(
    "atende_gateway_console_sends_total",
    "Templates and attachments agents sent, or had refused, by kind (template, attachment, template_list) and "
    "outcome (sent, unavailable, unknown, parameters, window_closed, no_length, too_large, type, empty, "
    "malformed, refused)",
    ["kind", "outcome"],
)
