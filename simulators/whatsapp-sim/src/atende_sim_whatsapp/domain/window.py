"""The 24-hour customer-service window, tracked from each customer's last inbound message."""

from __future__ import annotations

WINDOW_SECONDS = 24 * 60 * 60


class WindowTracker:
    """Remember when each customer (by wa_id digits) last wrote to the business."""

    def __init__(self) -> None:
        self._last_inbound: dict[str, float] = {}

    def record_inbound(self, wa_id: str, at: float) -> None:
        """Open (or reset) the window at ``at`` unless a later message already did."""
        self._last_inbound[wa_id] = max(at, self._last_inbound.get(wa_id, 0.0))

    def set_last_inbound(self, wa_id: str, at: float | None) -> None:
        """Force the last inbound time (``None`` closes the window), for tests."""
        if at is None:
            self._last_inbound.pop(wa_id, None)
        else:
            self._last_inbound[wa_id] = at

    def last_inbound(self, wa_id: str) -> float | None:
        """Return the last inbound time, if any."""
        return self._last_inbound.get(wa_id)

    def is_open(self, wa_id: str, now: float) -> bool:
        """Return whether a free-form message may be sent to ``wa_id`` at ``now``."""
        last = self._last_inbound.get(wa_id)
        return last is not None and now - last < WINDOW_SECONDS

    def clear(self) -> None:
        """Forget every customer."""
        self._last_inbound.clear()
