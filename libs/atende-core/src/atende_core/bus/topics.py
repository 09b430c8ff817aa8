"""The topic catalog: every topic, and the event types it may carry (ARCHITECTURE.md, docs/events.md)."""

from __future__ import annotations

WHATSAPP_WEBHOOKS = "whatsapp.webhooks"
WHATSAPP_OUTBOUND = "whatsapp.outbound"
WHATSAPP_STATUS = "whatsapp.status"
CONVERSATION_INBOUND = "conversation.inbound"
CONVERSATION_EVENTS = "conversation.events"
CONVERSATION_COMMANDS = "conversation.commands"
NLU_REQUESTS = "nlu.requests"
NLU_RESULTS = "nlu.results"
NLU_FEEDBACK = "nlu.feedback"
SGP_REQUESTS = "sgp.requests"
SGP_RESULTS = "sgp.results"
CAMPAIGN_EVENTS = "campaign.events"
SECURITY_EVENTS = "security.events"
NOTIFICATIONS = "notifications"
AUDIT_EVENTS = "audit.events"
PRIVACY_COMMANDS = "privacy.commands"
PRIVACY_EVENTS = "privacy.events"

DLQ_SUFFIX = ".dlq"

CATALOG: dict[str, tuple[str, ...]] = {
    WHATSAPP_WEBHOOKS: ("atende.whatsapp.v1.WebhookReceived",),
    WHATSAPP_OUTBOUND: ("atende.whatsapp.v1.SendMessage",),
    WHATSAPP_STATUS: ("atende.whatsapp.v1.MessageStatusChanged",),
    CONVERSATION_INBOUND: ("atende.conversation.v1.InboundMessage",),
    CONVERSATION_EVENTS: tuple(
        f"atende.conversation.v1.{name}"
        for name in (
            "ConversationStarted",
            "CustomerIdentified",
            "HandoffRequested",
            "HandoffAccepted",
            "AgentReplied",
            "HandoffReleased",
            "ConversationClosed",
            "CsatRecorded",
            "AgentActionCompleted",
        )
    ),
    CONVERSATION_COMMANDS: ("atende.conversation.v1.AgentActionRequested",),
    NLU_REQUESTS: ("atende.nlu.v1.AnalyzeText",),
    NLU_RESULTS: ("atende.nlu.v1.TextAnalyzed",),
    NLU_FEEDBACK: ("atende.nlu.v1.IntentCorrected",),
    SGP_REQUESTS: ("atende.sgp.v1.SgpRequest",),
    SGP_RESULTS: ("atende.sgp.v1.SgpResult",),
    CAMPAIGN_EVENTS: tuple(
        f"atende.campaign.v1.{name}"
        for name in ("CampaignScheduled", "CampaignStarted", "CampaignProgressed", "CampaignCompleted")
    ),
    SECURITY_EVENTS: ("atende.security.v1.SecurityEventRecorded",),
    NOTIFICATIONS: ("atende.notifications.v1.NotificationRequested",),
    AUDIT_EVENTS: ("atende.audit.v1.AuditEntryRecorded",),
    PRIVACY_COMMANDS: ("atende.privacy.v1.ErasureRequested", "atende.privacy.v1.ExportRequested"),
    PRIVACY_EVENTS: ("atende.privacy.v1.ErasureConfirmed", "atende.privacy.v1.ExportAnswered"),
}

_HOUR_MS = 3600 * 1000
_DAY_MS = 24 * _HOUR_MS
# retention.ms of each topic, set when the bus creates it (docs/privacy.md explains each figure).
# Records carrying personal data live only as long as a replay or a consumer that is down needs them.
RETENTION_MS: dict[str, int] = {
    **dict.fromkeys(CATALOG, 7 * _DAY_MS),
    WHATSAPP_WEBHOOKS: 3 * _DAY_MS,  # raw payloads (names, numbers, texts): only for a connector replay
    CONVERSATION_INBOUND: 3 * _DAY_MS,
    NLU_REQUESTS: 1 * _DAY_MS,  # customer texts; an NLU answer older than seconds is useless
    NLU_RESULTS: 1 * _DAY_MS,
    SGP_REQUESTS: 1 * _DAY_MS,  # documents typed by customers (lookups)
    SGP_RESULTS: 1 * _DAY_MS,  # names, addresses, bills
    AUDIT_EVENTS: 30 * _DAY_MS,  # auth stores them for good; the topic covers an auth outage
    # An erasure must reach a service that is down for weeks; commands hold blind indexes only.
    PRIVACY_COMMANDS: 30 * _DAY_MS,
    # Confirmations and sealed export answers (readable only by the requester's one-time key).
    PRIVACY_EVENTS: 7 * _DAY_MS,
}
DLQ_RETENTION_MS = 14 * _DAY_MS  # long enough for an on-call engineer to look, then gone


def retention_ms(topic: str) -> int | None:
    """The retention of a logical topic (its DLQ included); None for topics outside the catalog."""
    if topic.endswith(DLQ_SUFFIX):
        return DLQ_RETENTION_MS if topic.removesuffix(DLQ_SUFFIX) in CATALOG else None
    return RETENTION_MS.get(topic)


def dlq(topic: str) -> str:
    """The dead-letter topic of `topic`."""
    return topic + DLQ_SUFFIX
