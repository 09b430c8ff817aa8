"""The delivery-status state machine (reference §1.4): statuses arrive in any order, so a message only
moves forward — accepted < sent < delivered < read < played — and `failed` is always recorded and
final. `read` (and `played`) imply `delivered`, which Meta skips when both happen at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from atende.whatsapp.v1.whatsapp_pb2 import DeliveryStatus

UNKNOWN = DeliveryStatus.DELIVERY_STATUS_UNSPECIFIED
ACCEPTED = DeliveryStatus.DELIVERY_STATUS_ACCEPTED
SENT = DeliveryStatus.DELIVERY_STATUS_SENT
DELIVERED = DeliveryStatus.DELIVERY_STATUS_DELIVERED
READ = DeliveryStatus.DELIVERY_STATUS_READ
PLAYED = DeliveryStatus.DELIVERY_STATUS_PLAYED
FAILED = DeliveryStatus.DELIVERY_STATUS_FAILED

_RANK: dict[int, int] = {UNKNOWN: -1, ACCEPTED: 0, SENT: 1, DELIVERED: 2, READ: 3, PLAYED: 4}


@dataclass(frozen=True)
class Transition:
    """What to do with an incoming status given the recorded one."""

    record: bool
    # Statuses to emit first because the new one implies them (delivered before a bare read).
    implied: tuple[DeliveryStatus, ...] = ()


def transition(current: DeliveryStatus, new: DeliveryStatus) -> Transition:
    """Decide whether `new` moves a message whose recorded status is `current`."""
    if new == FAILED:
        return Transition(record=True)
    if current == FAILED or _RANK.get(new, -1) <= _RANK.get(current, -1):
        return Transition(record=False)
    implied = (DELIVERED,) if _RANK[new] > _RANK[DELIVERED] and _RANK.get(current, -1) < _RANK[DELIVERED] else ()
    return Transition(record=True, implied=implied)
