"""The gateway's side of LGPD erasure and export (docs/privacy.md): the handoff inbox read model
(`handoff:<conversation id>` with the customer's name and last message, its recent lines, its place
in the queue) and the console's read models (each an `Eraser` registered by its module), found by the
conversation ids of a resolved privacy command."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from atende_core.privacy import Subject
from atende_gateway.inbox import HandoffInbox

# Forgets one conversation of a console read model; True when it held something.
Eraser = Callable[[str], Awaitable[bool]]


class InboxPrivacy:
    """Erases and exports a subject's inbox entries; erases them from the console's read models too."""

    def __init__(self, inbox: HandoffInbox, erasers: Mapping[str, Eraser] | None = None) -> None:
        self._inbox = inbox
        self._erasers = erasers if erasers is not None else {}

    async def erase(self, subject: Subject) -> Mapping[str, int]:
        """Take the subject's conversations out of the inbox (entry, lines, queue position)."""
        erased = 0
        for cid in subject.conversation_ids:
            if await self._inbox.get(cid) is not None:
                erased += 1
            await self._inbox.removed(cid)  # also drops a queue member whose entry already expired
        counts = {"redis.handoffs": erased}
        for store, eraser in self._erasers.items():
            counts[store] = sum([await eraser(cid) for cid in subject.conversation_ids])
        return counts

    async def export(self, subject: Subject) -> dict[str, Any]:
        """The subject's inbox entries with their recent lines."""
        entries = [await self._inbox.get(cid) for cid in subject.conversation_ids]
        return {"handoffs": [entry.as_dict() for entry in entries if entry is not None]}
