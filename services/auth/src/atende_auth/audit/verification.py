"""Walking the audit chain (pure): the first modified, reordered, inserted, deleted or truncated entry.

Entries are fed in ascending sequence order (`ChainVerifier.feed`), so a chain of any length is checked
in constant memory; after the first anomaly the verifier keeps a bounded look-ahead to tell what
happened there:

- a gap in the sequence numbers is a deletion (or a move, when the missing entry turns up later);
- a hash that does not match the content is a modification, unless it matches the content at another
  sequence number: then the entry was moved (reordered), or entries before it were deleted or inserted
  and the rest renumbered;
- a forged entry followed by the entry that belonged at its place is an insertion;
- a valid entry whose `prev_hash` is not its predecessor's hash means the predecessor is not the entry
  it was chained to (inserted or replaced);
- an intact chain shorter than a checkpoint says is a truncated tail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from atende_auth.audit.chain import GENESIS_HASH, ChainedEntry, Checkpoint, checkpoint_is_authentic, hash_matches

LOOKAHEAD = 1000  # entries read past the first anomaly to classify it
SEARCH_WINDOW = 256  # how far from its place a moved entry's original sequence number is searched


class BreakKind(StrEnum):
    """What went wrong at the first broken entry."""

    MODIFIED = "modified"
    REORDERED = "reordered"
    INSERTED = "inserted"
    DELETED = "deleted"
    TRUNCATED = "truncated"
    CHECKPOINT = "checkpoint"


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first broken place in the chain."""

    sequence: int
    kind: BreakKind
    reason: str
    entry_id: str = ""


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of one walk over the chain."""

    entries: int
    head_sequence: int
    head_hash: str
    checkpoints: tuple[Checkpoint, ...]
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        """True when nothing was modified, reordered, inserted, deleted or truncated."""
        return self.broken is None


class ChainVerifier:
    """Feed it every stored entry in sequence order, then ask `finish` for the verdict."""

    def __init__(
        self,
        *,
        key: bytes,
        checkpoints: Sequence[Checkpoint] = (),
        lookahead: int = LOOKAHEAD,
        search_window: int = SEARCH_WINDOW,
    ) -> None:
        self._key = key
        self._checkpoints = tuple(checkpoints)
        self._watched = {c.sequence for c in self._checkpoints}
        self._hash_at: dict[int, str] = {}
        self._lookahead = lookahead
        self._window = search_window
        self._entries = 0
        self._head_sequence = 0
        self._head_hash = GENESIS_HASH
        self._suspect: ChainedEntry | None = None
        self._after: list[ChainedEntry] = []

    @property
    def wants_more(self) -> bool:
        """False once the first anomaly and its look-ahead are in: the caller may stop reading."""
        return self._suspect is None or len(self._after) < self._lookahead

    def feed(self, entry: ChainedEntry) -> None:
        """Check the next entry (ascending sequence order)."""
        if self._suspect is not None:
            if len(self._after) < self._lookahead:
                self._after.append(entry)
            return
        self._entries += 1
        expected = self._head_sequence + 1
        if entry.sequence != expected or entry.prev_hash != self._head_hash or not hash_matches(entry, key=self._key):
            self._suspect = entry
            return
        self._head_sequence, self._head_hash = entry.sequence, entry.hash
        if entry.sequence in self._watched:
            self._hash_at[entry.sequence] = entry.hash

    def finish(self) -> Verification:
        """The verdict: the first break, or an intact chain consistent with every checkpoint."""
        broken = self._classify(self._suspect) if self._suspect is not None else self._check_checkpoints()
        return Verification(
            entries=self._entries,
            head_sequence=self._head_sequence,
            head_hash=self._head_hash,
            checkpoints=self._checkpoints,
            broken=broken,
        )

    def _check_checkpoints(self) -> ChainBreak | None:
        for checkpoint in sorted(self._checkpoints, key=lambda c: c.sequence):
            if not checkpoint_is_authentic(checkpoint, key=self._key):
                return ChainBreak(
                    checkpoint.sequence, BreakKind.CHECKPOINT, "the checkpoint's MAC does not match its content"
                )
            if checkpoint.sequence > self._head_sequence:
                return ChainBreak(
                    self._head_sequence + 1,
                    BreakKind.TRUNCATED,
                    f"the chain ends at #{self._head_sequence} but a checkpoint says it reached "
                    f"#{checkpoint.sequence}: entries #{self._head_sequence + 1}..#{checkpoint.sequence} are missing",
                )
            if checkpoint.sequence > 0 and self._hash_at.get(checkpoint.sequence) != checkpoint.hash:
                return ChainBreak(
                    checkpoint.sequence,
                    BreakKind.MODIFIED,
                    "the entry's hash differs from the checkpoint's: the chain was rewritten up to here",
                )
        return None

    def _original_sequence(self, entry: ChainedEntry) -> int | None:
        """The sequence number the entry was hashed at, when it is not its current one (else None)."""
        if hash_matches(entry, key=self._key):
            return entry.sequence
        if entry.prev_hash == GENESIS_HASH:
            return 1 if entry.sequence != 1 and hash_matches(entry, key=self._key, sequence=1) else None
        low = max(1, entry.sequence - self._window)
        for candidate in range(low, entry.sequence + self._window + 1):
            if candidate != entry.sequence and hash_matches(entry, key=self._key, sequence=candidate):
                return candidate
        return None

    def _found_later(self, sequence: int) -> ChainedEntry | None:
        """The suspect or look-ahead entry that was hashed at `sequence` (it was moved from there)."""
        candidates = [self._suspect] if self._suspect is not None else []
        for later in [*candidates, *self._after]:
            if later.sequence != sequence and self._original_sequence(later) == sequence:
                return later
        return None

    def _classify(self, entry: ChainedEntry) -> ChainBreak:
        expected = self._head_sequence + 1
        if entry.sequence > expected:
            moved = self._found_later(expected)
            if moved is not None:
                return ChainBreak(
                    expected,
                    BreakKind.REORDERED,
                    f"entry #{expected} was moved to #{moved.sequence}",
                    moved.fields.entry_id,
                )
            return ChainBreak(
                expected,
                BreakKind.DELETED,
                f"entries #{expected}..#{entry.sequence - 1} are missing (the next stored entry is #{entry.sequence})",
            )
        if entry.sequence < expected:
            return ChainBreak(
                entry.sequence,
                BreakKind.INSERTED,
                f"sequence number #{entry.sequence} appears twice",
                entry.fields.entry_id,
            )
        original = self._original_sequence(entry)
        if original == expected:
            return ChainBreak(
                expected,
                BreakKind.INSERTED,
                f"entry #{expected} is not chained to the stored entry #{expected - 1} (prev_hash mismatch): "
                "an entry before it was inserted or replaced",
                entry.fields.entry_id,
            )
        if original is None:
            return self._forged_or_modified(entry, expected)
        if original > expected:
            if self._found_later(expected) is not None:
                return ChainBreak(
                    expected,
                    BreakKind.REORDERED,
                    f"the entry at #{expected} was recorded as #{original}: entries were reordered",
                    entry.fields.entry_id,
                )
            return ChainBreak(
                expected,
                BreakKind.DELETED,
                f"the entry at #{expected} was recorded as #{original}: entries #{expected}..#{original - 1} "
                "were deleted and the rest renumbered",
                entry.fields.entry_id,
            )
        return ChainBreak(
            expected,
            BreakKind.INSERTED,
            f"the entry at #{expected} was recorded as #{original}: entries were inserted before it",
            entry.fields.entry_id,
        )

    def _forged_or_modified(self, entry: ChainedEntry, expected: int) -> ChainBreak:
        following = self._after[0] if self._after else None
        if (
            following is not None
            and following.sequence == expected + 1
            and following.prev_hash == self._head_hash
            and self._original_sequence(following) == expected
        ):
            return ChainBreak(
                expected,
                BreakKind.INSERTED,
                f"entry #{expected} was inserted: the entry after it was recorded as #{expected}",
                entry.fields.entry_id,
            )
        return ChainBreak(
            expected,
            BreakKind.MODIFIED,
            f"entry #{expected}'s hash does not match its content: it was modified (or forged)",
            entry.fields.entry_id,
        )


def verify(entries: Sequence[ChainedEntry], *, key: bytes, checkpoints: Sequence[Checkpoint] = ()) -> Verification:
    """Verify a chain held in memory (tests, small chains); the store streams into `ChainVerifier`."""
    verifier = ChainVerifier(key=key, checkpoints=checkpoints)
    for entry in entries:
        if not verifier.wants_more:
            break
        verifier.feed(entry)
    return verifier.finish()
