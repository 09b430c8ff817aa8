"""What the audit log accepts (pure): a malformed entry is refused, personal data in it is masked.

The audit log must be complete, so an entry that carries a CPF, a phone number, an e-mail address or a
customer's name is stored with those values masked (and counted), not dropped. An entry that cannot be
an audit fact (no id, unknown actor kind or outcome, oversized) is refused with a reason.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from atende_auth.audit.chain import ACTOR_KINDS, OUTCOMES, AuditFields
from atende_core.masking import mask_text

MASK = "***"
MAX_ID = 128
MAX_TARGET = 256
MAX_DETAILS = 32
MAX_DETAIL_KEY = 64
MAX_DETAIL_VALUE = 512
_ACTION = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$")
_PRINTABLE_ID = re.compile(r"^[\w.:@/+=-]+$")
_DETAIL_KEY = re.compile(r"^[A-Za-z0-9_-]+$")  # MongoDB refuses "." and "$" in keys
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Beyond the shared log masking: bare 10-14 digit runs (a wa_id, a phone with country code, a CNPJ)
# and CPFs written with spaces. Audit details have no business holding such numbers.
_DIGIT_RUN = re.compile(r"(?<!\d)\d{10,14}(?!\d)")
# Our own opaque identifiers (auth user ids: uuid hex; request and entry ids: uuids; pseudonymous
# conversation ids: c_ + base64url). Random hex or base64 holds digit runs that look like a phone or a
# CPF about one time in twelve; such an id carries no personal data and must stay searchable.
_OPAQUE_ID = re.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|c_[A-Za-z0-9_-]{16,})$")
_SPACED_CPF = re.compile(r"(?<!\d)\d{3}[\s.]\d{3}[\s.]\d{3}[\s-]\d{2}(?!\d)")
# Detail keys whose value is personal data whatever it looks like (names cannot be told by content).
_PII_KEYS = frozenset(
    {
        "cpf",
        "cnpj",
        "document",
        "documento",
        "cpfcnpj",
        "cpf_cnpj",
        "phone",
        "telefone",
        "celular",
        "mobile",
        "msisdn",
        "wa_id",
        "name",
        "nome",
        "email",
        "e-mail",
        "address",
        "endereco",
    }
)
_PII_PREFIXES = ("customer_", "contact_", "cliente_")


class Rejected(Exception):
    """The event cannot be an audit entry; `reason` is a short metric label."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Intake:
    """An accepted entry and where personal data was masked in it."""

    fields: AuditFields
    masked: tuple[str, ...]


def is_pii_key(key: str) -> bool:
    """True when a detail's name says its value is personal data."""
    lowered = key.strip().lower()
    return lowered in _PII_KEYS or lowered.startswith(_PII_PREFIXES)


def mask_free_text(value: str) -> str:
    """Mask documents, phone numbers, secrets and e-mail addresses found in a value."""
    text = _EMAIL.sub(MASK, mask_text(value))
    text = _SPACED_CPF.sub("***.***.***-**", text)
    return _DIGIT_RUN.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], text)


def mask_identifier(value: str) -> str:
    """An actor or target as stored: our opaque ids as they are, anything else masked like free text."""
    return value if _OPAQUE_ID.match(value) else mask_free_text(value)


def _validate(fields: AuditFields) -> None:
    if not fields.entry_id or len(fields.entry_id) > MAX_ID or not _PRINTABLE_ID.match(fields.entry_id):
        raise Rejected("invalid_entry_id")
    if fields.actor_kind not in ACTOR_KINDS:
        raise Rejected("unknown_actor_kind")
    if not fields.actor_id or len(fields.actor_id) > MAX_ID:
        raise Rejected("invalid_actor_id")
    if len(fields.action) > MAX_ID or not _ACTION.match(fields.action):
        raise Rejected("invalid_action")
    if fields.outcome not in OUTCOMES:
        raise Rejected("invalid_outcome")
    if not fields.source or len(fields.source) > MAX_ID:
        raise Rejected("invalid_source")
    if len(fields.target) > MAX_TARGET:
        raise Rejected("oversized_target")
    if not all(_DETAIL_KEY.match(k) for k in fields.details):
        raise Rejected("invalid_detail_key")
    if len(fields.details) > MAX_DETAILS or any(
        len(k) > MAX_DETAIL_KEY or len(v) > MAX_DETAIL_VALUE for k, v in fields.details.items()
    ):
        raise Rejected("oversized_details")
    if fields.source_ip:
        try:
            ipaddress.ip_address(fields.source_ip)
        except ValueError:
            raise Rejected("invalid_source_ip") from None


def _mask_details(details: Mapping[str, str], masked: list[str]) -> dict[str, str]:
    clean: dict[str, str] = {}
    for key, value in details.items():
        if is_pii_key(key) and value:
            clean[key] = MASK
            masked.append("details_key")
            continue
        text = mask_free_text(value)
        if text != value:
            masked.append("details_value")
        clean[key] = text
    return clean


def admit(fields: AuditFields) -> Intake:
    """Validate an incoming entry and mask the personal data in it (raises `Rejected`)."""
    _validate(fields)
    masked: list[str] = []
    details = _mask_details(fields.details, masked)
    target = mask_identifier(fields.target)
    if target != fields.target:
        masked.append("target")
    actor_id = mask_identifier(fields.actor_id)
    if actor_id != fields.actor_id:
        masked.append("actor_id")
    clean = replace(fields, details=details, target=target, actor_id=actor_id)
    return Intake(fields=clean, masked=tuple(masked))
