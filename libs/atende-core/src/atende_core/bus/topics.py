"""The topic catalog: every topic, and the event types it may carry (ARCHITECTURE.md, docs/events.md)."""

from __future__ import annotations

WHATSAPP_WEBHOOKS = "whatsapp.webhooks"
WHATSAPP_OUTBOUND = "whatsapp.outbound"
WHATSAPP_STATUS = "whatsapp.status"
CONVERSATION_INBOUND = "conversation.inbound"
CONVERSATION_EVENTS = "conversation.events"
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
        )
    ),
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
    PRIVACY_COMMANDS: ("atende.privacy.v1.ErasureRequested",),
    PRIVACY_EVENTS: ("atende.privacy.v1.ErasureConfirmed",),
}


def dlq(topic: str) -> str:
    """The dead-letter topic of `topic`."""
    return topic + DLQ_SUFFIX
