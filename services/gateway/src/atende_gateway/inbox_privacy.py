"""The gateway's side of LGPD erasure and export (docs/privacy.md): the handoff inbox read model
(`handoff:<conversation id>` with the customer's name and last message, its recent lines, its place
in the queue), found by the conversation ids of a resolved privacy command."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from atende_core.privacy import Subject
from atende_gateway.inbox import HandoffInbox


class InboxPrivacy:
    """Erases and exports a subject's inbox entries."""

    def __init__(self, inbox: HandoffInbox) -> None:
        self._inbox = inbox

    async def erase(self, subject: Subject) -> Mapping[str, int]:
        """Take the subject's conversations out of the inbox (entry, lines, queue position)."""
        erased = 0
        for cid in subject.conversation_ids:
            if await self._inbox.get(cid) is not None:
                erased += 1
            await self._inbox.removed(cid)  # also drops a queue member whose entry already expired
        return {"redis.handoffs": erased}

    async def export(self, subject: Subject) -> dict[str, Any]:
        """The subject's inbox entries with their recent lines."""
        entries = [await self._inbox.get(cid) for cid in subject.conversation_ids]
        return {"handoffs": [entry.as_dict() for entry in entries if entry is not None]}
