"""The hash chain: every kind of tampering is caught and names the right entry."""

from __future__ import annotations

import dataclasses
import itertools
import json

import pytest

from atende_auth.audit.chain import (
    GENESIS_HASH,
    AuditFields,
    ChainedEntry,
    Checkpoint,
    canonical,
    chain,
    make_checkpoint,
)
from atende_auth.audit.verification import BreakKind, verify

pytestmark = pytest.mark.unit
KEY = b"k" * 32


def fields(n: int, **overrides: str) -> AuditFields:
    values = {
        "entry_id": f"e-{n}",
        "occurred_at": f"2026-12-04T03:{n % 60:02d}:00.000000Z",
        "recorded_at": f"2026-12-04T03:{n % 60:02d}:01.000000Z",
        "actor_kind": "operator",
        "actor_id": f"user-{n % 3}",
        "action": "handoff.claim",
        "target": f"conversation-{n}",
        "source": "gateway",
        "outcome": "ok",
        **overrides,
    }
    return AuditFields(**values, details={"n": str(n)})


def build(count: int, *, key: bytes = KEY) -> list[ChainedEntry]:
    entries: list[ChainedEntry] = []
    prev = GENESIS_HASH
    for n in range(1, count + 1):
        entry = chain(fields(n), sequence=n, prev_hash=prev, key=key)
        entries.append(entry)
        prev = entry.hash
    return entries


def renumber(entries: list[ChainedEntry]) -> list[ChainedEntry]:
    """What someone editing the database does to close a gap or make room: rewrite sequence numbers."""
    return [dataclasses.replace(e, sequence=i) for i, e in enumerate(entries, start=1)]


def test_an_intact_chain_verifies_with_its_checkpoint() -> None:
    entries = build(10)
    result = verify(entries, key=KEY, checkpoints=[make_checkpoint(entries[-1], key=KEY)])
    assert result.intact
    assert (result.entries, result.head_sequence, result.head_hash) == (10, 10, entries[-1].hash)
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))


def test_an_empty_chain_is_intact() -> None:
    assert verify([], key=KEY).intact


def test_the_canonical_encoding_is_sorted_key_json_of_the_fields_sequence_and_prev_hash() -> None:
    encoded = canonical(fields(1), sequence=1, prev_hash=GENESIS_HASH)
    document = json.loads(encoded)
    assert list(document) == sorted(document)
    assert document["sequence"] == 1
    assert document["prev_hash"] == GENESIS_HASH
    assert document["details"] == {"n": "1"}
    assert b" " not in encoded


def test_the_hash_is_keyed() -> None:
    assert chain(fields(1), sequence=1, prev_hash=GENESIS_HASH, key=KEY).hash != (
        chain(fields(1), sequence=1, prev_hash=GENESIS_HASH, key=b"x" * 32).hash
    )


@pytest.mark.parametrize(
    "change",
    [{"outcome": "refused"}, {"actor_id": "user-9"}, {"target": "conversation-x"}, {"occurred_at": "2020-01-01"}],
)
def test_a_modified_field_is_caught_at_that_entry(change: dict[str, str]) -> None:
    entries = build(8)
    entries[4] = dataclasses.replace(entries[4], fields=dataclasses.replace(entries[4].fields, **change))
    broken = verify(entries, key=KEY).broken
    assert broken is not None
    assert (broken.sequence, broken.kind, broken.entry_id) == (5, BreakKind.MODIFIED, "e-5")


def test_modified_details_are_caught() -> None:
    entries = build(4)
    entries[1] = dataclasses.replace(entries[1], fields=dataclasses.replace(entries[1].fields, details={"n": "99"}))
    broken = verify(entries, key=KEY).broken
    assert broken is not None
    assert (broken.sequence, broken.kind) == (2, BreakKind.MODIFIED)


def test_a_rewritten_chain_without_the_key_is_caught_at_its_first_rewritten_entry() -> None:
    """Someone with database access changes entry #4 and rehashes everything after it with a key of their own."""
    entries = build(8)
    prev = entries[2].hash
    for i in range(3, 8):
        changed = dataclasses.replace(entries[i].fields, outcome="refused") if i == 3 else entries[i].fields
        entries[i] = chain(changed, sequence=i + 1, prev_hash=prev, key=b"guessed-key")
        prev = entries[i].hash
    broken = verify(entries, key=KEY).broken
    assert broken is not None
    assert (broken.sequence, broken.kind) == (4, BreakKind.MODIFIED)


def test_two_swapped_entries_are_caught_as_reordered_at_the_first() -> None:
    entries = build(8)
    entries[2], entries[3] = entries[3], entries[2]
    broken = verify(renumber(entries), key=KEY).broken
    assert broken is not None
    assert (broken.sequence, broken.kind, broken.entry_id) == (3, BreakKind.REORDERED, "e-4")


def test_distant_swapped_entries_are_caught_as_reordered() -> None:
    entries = build(10)
    entries[1], entries[7] = entries[7], entries[1]
    broken = verify(renumber(entries), key=KEY).broken
    assert broken is not None
    assert (broken.sequence, broken.kind) == (2, BreakKind.REORDERED)


def test_an_entry_moved_to_the_end_is_caught_as_reordered() -> None:
    entries = build(6)
    moved = dataclasses.replace(entries[1], sequence=7)
    broken = verify([*entries[:1], *entries[2:], moved], key=KEY).broken
    assert broken is not None
    assert (broken.sequence, broken.kind, broken.entry_id) == (2, BreakKind.REORDERED, "e-2")


def test_a_deleted_entry_leaves_a_gap_named_by_its_sequence() -> None:
    entries = build(8)
    del entries[4]
    broken = verify(entries, key=KEY).broken
    assert broken is not None
    assert (broken.sequence, broken.kind) == (5, BreakKind.DELETED)
    assert "#5..#5" in broken.reason


def test_a_deleted_first_entry_is_caught() -> None:
    broken = verify(build(3)[1:], key=KEY).broken
    assert broken is not None
    assert (broken.sequence, broken.kind) == (1, BreakKind.DELETED)


def test_a_deletion_hidden_by_renumbering_is_caught() -> None:
    entries = build(8)
    del entries[2:4]
    broken = verify(renumber(entries), key=KEY).broken
    assert broken is not None
    assert (broken.sequence, broken.kind, broken.entry_id) == (3, BreakKind.DELETED, "e-5")
    assert "#3..#4" in broken.reason


def test_an_inserted_forged_entry_is_caught_at_its_place() -> None:
    entries = build(8)
    forged = chain(fields(99), sequence=4, prev_hash=entries[2].hash, key=b"guessed-key")
    broken = verify(renumber([*entries[:3], forged, *entries[3:]]), key=KEY).broken
    assert broken is not None
    assert (broken.sequence, broken.kind, broken.entry_id) == (4, BreakKind.INSERTED, "e-99")


def test_an_inserted_copy_of_a_genuine_entry_is_caught() -> None:
    entries = build(6)
    broken = verify(renumber([*entries[:3], entries[1], *entries[3:]]), key=KEY).broken
    assert broken is not None
    assert (broken.sequence, broken.kind) == (4, BreakKind.INSERTED)


def test_an_entry_chained_to_another_predecessor_is_caught() -> None:
    """Entry #4 is genuine but #3 was replaced by an entry hashed with the real key (e.g. from a fork)."""
    entries = build(6)
    entries[2] = chain(fields(77), sequence=3, prev_hash=entries[1].hash, key=KEY)
    broken = verify(entries, key=KEY).broken
    assert broken is not None
    assert (broken.sequence, broken.kind) == (4, BreakKind.INSERTED)


def test_a_repeated_sequence_number_is_caught() -> None:
    entries = build(4)
    broken = verify([*entries[:3], entries[2], entries[3]], key=KEY).broken
    assert broken is not None
    assert (broken.sequence, broken.kind) == (3, BreakKind.INSERTED)


def test_a_truncated_tail_is_caught_by_the_checkpoint_only() -> None:
    entries = build(10)
    checkpoint = make_checkpoint(entries[-1], key=KEY)
    assert verify(entries[:7], key=KEY).intact  # the chain alone cannot tell
    broken = verify(entries[:7], key=KEY, checkpoints=[checkpoint]).broken
    assert broken is not None
    assert (broken.sequence, broken.kind) == (8, BreakKind.TRUNCATED)
    assert "#8..#10" in broken.reason


def test_a_lagging_checkpoint_is_fine() -> None:
    entries = build(10)
    assert verify(entries, key=KEY, checkpoints=[make_checkpoint(entries[5], key=KEY)]).intact


def test_a_forged_checkpoint_is_caught() -> None:
    entries = build(5)
    forged = Checkpoint(sequence=3, hash=entries[2].hash, mac="0" * 64)
    broken = verify(entries, key=KEY, checkpoints=[forged]).broken
    assert broken is not None
    assert broken.kind is BreakKind.CHECKPOINT


def test_a_chain_that_differs_from_its_checkpoint_is_caught() -> None:
    """The whole chain was replaced by another one made with the key (say, restored from elsewhere)."""
    checkpoint = make_checkpoint(build(5)[-1], key=KEY)
    other = []
    prev = GENESIS_HASH
    for n in range(1, 6):
        entry = chain(fields(n, outcome="failed"), sequence=n, prev_hash=prev, key=KEY)
        other.append(entry)
        prev = entry.hash
    broken = verify(other, key=KEY, checkpoints=[checkpoint]).broken
    assert broken is not None
    assert (broken.sequence, broken.kind) == (5, BreakKind.MODIFIED)


def test_a_chain_emptied_entirely_is_caught_by_the_checkpoint() -> None:
    checkpoint = make_checkpoint(build(5)[-1], key=KEY)
    broken = verify([], key=KEY, checkpoints=[checkpoint]).broken
    assert broken is not None
    assert (broken.sequence, broken.kind) == (1, BreakKind.TRUNCATED)
