"""What the audit consumer accepts: malformed events refused (counted), personal data masked (counted)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import REGISTRY
from pymongo.errors import ServerSelectionTimeoutError

from atende.audit.v1.audit_pb2 import AuditEntryRecorded
from atende.sgp.v1.sgp_pb2 import SgpRequest
from atende_auth.audit.chain import GENESIS_HASH, AuditFields, chain
from atende_auth.audit.consumer import AuditRecorder, fields_from_event
from atende_auth.audit.intake import MASK, Rejected, admit, mask_free_text, mask_identifier
from atende_auth.audit.store import Appended
from atende_core.bus import PermanentError

pytestmark = pytest.mark.unit
NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
CPF = "529.982.247-25"


def event(**overrides: object) -> AuditEntryRecorded:
    values: dict[str, object] = {
        "entry_id": "e-1",
        "actor_kind": AuditEntryRecorded.ACTOR_KIND_OPERATOR,
        "actor_id": "user-1",
        "action": "handoff.reply",
        "target": "conv-abc",
        "source": "gateway",
        "outcome": "ok",
        "source_ip": "10.0.0.7",
    }
    values.update(overrides)
    return AuditEntryRecorded(**values)  # type: ignore[arg-type]


def admitted(**overrides: object) -> AuditFields:
    return admit(fields_from_event(event(**overrides), recorded_at=NOW)).fields


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_clean_event_is_admitted_unchanged() -> None:
    intake = admit(fields_from_event(event(details={"reason": "customer asked"}), recorded_at=NOW))
    assert intake.masked == ()
    assert intake.fields.actor_kind == "operator"
    assert intake.fields.details == {"reason": "customer asked"}
    # No time on the event: it gets the time it was recorded, in the chain's one text form.
    assert intake.fields.occurred_at == intake.fields.recorded_at == "2026-12-04T03:00:00.000000Z"


@pytest.mark.parametrize(
    "value",
    [CPF, "52998224725", "529 982 247 25", "+55 11 98765-4321", "5511987654321", "maria@example.com", "token=abc123"],
)
def test_personal_data_in_detail_values_is_masked(value: str) -> None:
    details = admitted(details={"note": f"customer said {value}"}).details
    assert value not in details["note"]
    assert details["note"].startswith("customer said ")


@pytest.mark.parametrize("key", ["cpf", "phone", "name", "Nome", "customer_name", "contact_phone", "email"])
def test_detail_keys_that_name_personal_data_are_masked_whatever_the_value(key: str) -> None:
    assert admitted(details={key: "Maria da Silva"}).details[key] == MASK


def test_a_phone_number_in_the_target_is_masked() -> None:
    fields = admitted(target="106540352242922:5511987654321")
    assert "5511987654321" not in fields.target
    assert fields.target.endswith("4321")


def test_ordinary_ids_are_not_mistaken_for_personal_data() -> None:
    fields = admitted(target="7c9e6679-7425-40de-944b-e07fc1f90ae7", details={"contract_id": "90004", "days": "3"})
    assert fields.target == "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    assert fields.details == {"contract_id": "90004", "days": "3"}


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"entry_id": ""}, "invalid_entry_id"),
        ({"entry_id": "a b"}, "invalid_entry_id"),
        ({"actor_kind": AuditEntryRecorded.ACTOR_KIND_UNSPECIFIED}, "unknown_actor_kind"),
        ({"actor_id": ""}, "invalid_actor_id"),
        ({"action": "claim"}, "invalid_action"),
        ({"action": "Handoff.Claim; drop"}, "invalid_action"),
        ({"outcome": "maybe"}, "invalid_outcome"),
        ({"source": ""}, "invalid_source"),
        ({"target": "x" * 300}, "oversized_target"),
        ({"details": {str(i): "v" for i in range(40)}}, "oversized_details"),
        ({"details": {"k": "v" * 600}}, "oversized_details"),
        ({"source_ip": "not-an-ip"}, "invalid_source_ip"),
        ({"details": {"a.b": "v"}}, "invalid_detail_key"),
        ({"details": {"$where": "v"}}, "invalid_detail_key"),
    ],
)
def test_malformed_events_are_refused_with_a_reason(overrides: dict[str, object], reason: str) -> None:
    with pytest.raises(Rejected) as refused:
        admit(fields_from_event(event(**overrides), recorded_at=NOW))
    assert refused.value.reason == reason


class RecordingStore:
    """A fake store that records what it was asked to append."""

    def __init__(self) -> None:
        self.appended: list[AuditFields] = []

    async def append(self, fields: AuditFields) -> Appended:
        self.appended.append(fields)
        entry = chain(fields, sequence=len(self.appended), prev_hash=GENESIS_HASH, key=b"k")
        return Appended(stored=True, entry=entry)


async def test_the_recorder_counts_and_dead_letters_a_refused_event() -> None:
    store = RecordingStore()
    before = sample("atende_auth_audit_rejections_total", reason="invalid_outcome")
    with pytest.raises(PermanentError):
        await AuditRecorder(store, clock=lambda: NOW).record(event(outcome="maybe"))
    assert store.appended == []
    assert sample("atende_auth_audit_rejections_total", reason="invalid_outcome") == before + 1


async def test_the_recorder_refuses_a_timestamp_out_of_range() -> None:
    hostile = event()
    hostile.occurred_at.seconds = 10**15
    before = sample("atende_auth_audit_rejections_total", reason="invalid_occurred_at")
    with pytest.raises(PermanentError):
        await AuditRecorder(RecordingStore()).record(hostile)
    assert sample("atende_auth_audit_rejections_total", reason="invalid_occurred_at") == before + 1


async def test_the_recorder_refuses_another_event_type() -> None:
    before = sample("atende_auth_audit_rejections_total", reason="unexpected_type")
    with pytest.raises(PermanentError):
        await AuditRecorder(RecordingStore()).record(SgpRequest(request_id="r"))
    assert sample("atende_auth_audit_rejections_total", reason="unexpected_type") == before + 1


async def test_the_recorder_stores_masked_fields_and_counts_them() -> None:
    store = RecordingStore()
    before = sample("atende_auth_audit_masked_fields_total", place="details_key")
    await AuditRecorder(store, clock=lambda: NOW).record(event(details={"cpf": CPF, "kind": "no_connection"}))
    assert store.appended[0].details == {"cpf": MASK, "kind": "no_connection"}
    assert sample("atende_auth_audit_masked_fields_total", place="details_key") == before + 1


class FlakyStore(RecordingStore):
    """Fails like a MongoDB that is away, a given number of times, then stores."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def append(self, fields: AuditFields) -> Appended:
        if self.failures:
            self.failures -= 1
            raise ServerSelectionTimeoutError("no server")
        return await super().append(fields)


async def test_the_recorder_waits_for_mongodb_instead_of_dead_lettering() -> None:
    store = FlakyStore(failures=2)
    appended = await AuditRecorder(store, retry_s=30).record(event())
    assert appended.stored
    assert [f.entry_id for f in store.appended] == ["e-1"]


async def test_the_recorder_gives_up_after_its_retry_window() -> None:
    with pytest.raises(ServerSelectionTimeoutError):
        await AuditRecorder(FlakyStore(failures=1000), retry_s=0).record(event())


@pytest.mark.parametrize(
    "identifier",
    [
        "33ddc0de7e9247f0895524187651a864",  # an auth user id whose hex holds an 11-digit run
        "5f0e2c1a-0895-5241-8765-1a8643ddc0de",
        "c_A1b2C3d4E5f6G7h80895524187",
    ],
)
def test_our_opaque_ids_are_kept_as_targets_and_actors_even_when_they_hold_digit_runs(identifier: str) -> None:
    assert mask_identifier(identifier) == identifier


@pytest.mark.parametrize("identifier", ["5511987654321", "106540352242922:5511987654321", "123.456.789-09"])
def test_an_identifier_that_is_not_one_of_ours_is_masked_like_free_text(identifier: str) -> None:
    assert mask_identifier(identifier) == mask_free_text(identifier) != identifier
