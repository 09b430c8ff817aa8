"""The erasure journal: every LGPD erasure `atende privacy erase` publishes, appended to a file that lives
outside Kafka, Redis and MongoDB (PRIVACY_ERASURE_JOURNAL), so a backup restore can re-apply the
erasures made after the backup was taken (docs/deployment/DISASTER_RECOVERY.md).

The conversation service's own erasure log (Mongo `privacy_erasures`) is restored with the backup, so it
lacks exactly the erasures that matter after a restore; `privacy.commands` keeps them 30 days, and only
while the Kafka cluster survives. One JSON line per erasure, fsynced before the command is published:
the request id, when, the document's blind index (never the document) and who asked.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class JournalEntry:
    """One erasure as the CLI published it."""

    request_id: str
    requested_at: float  # unix seconds
    document_index: str
    requested_by: str


class ErasureJournal:
    """Append-only JSON lines; a torn last line (a crash mid-write) is skipped when read."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, entry: JournalEntry) -> None:
        """Write one entry and fsync it: the erasure is on disk before it is on the bus."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(asdict(entry), sort_keys=True) + "\n").encode()
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, line)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def entries(self, *, since: float = 0.0) -> Iterator[JournalEntry]:
        """Entries requested at or after `since` (unix seconds), oldest first, each request once."""
        if not self.path.exists():
            return
        seen: set[str] = set()
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    raw = json.loads(line)
                    entry = JournalEntry(
                        request_id=str(raw["request_id"]),
                        requested_at=float(raw["requested_at"]),
                        document_index=str(raw["document_index"]),
                        requested_by=str(raw.get("requested_by", "")),
                    )
                except (ValueError, KeyError, TypeError):
                    continue
                if entry.requested_at >= since and entry.request_id not in seen:
                    seen.add(entry.request_id)
                    yield entry
