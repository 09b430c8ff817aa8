"""A secret that follows its provider without a restart: re-read on an interval and on SIGHUP.

Clients read `get_secret_value()` per request (like a SecretStr), so the next request after a
rotation carries the new value. A failed re-read keeps the current value (logged and counted): a
provider outage must not take the token away from a running service.
"""

from __future__ import annotations

import logging
import signal
import threading
import weakref
from types import FrameType
from typing import Any

from prometheus_client import Counter

from atende_core.errors import SecretsError
from atende_core.secrets.base import SecretsProvider

log = logging.getLogger(__name__)

REFRESHES = Counter(
    "atende_secrets_refreshes",
    "Re-reads of rotating secrets by outcome (rotated, unchanged, failed).",
    ["secret", "outcome"],
)

_holders: weakref.WeakSet[RotatingSecret] = weakref.WeakSet()
_sighup_lock = threading.Lock()
_sighup_installed = False


class RotatingSecret:
    """The current value of one provider reference, refreshed by a daemon thread."""

    def __init__(
        self,
        *,
        provider: SecretsProvider,
        ref: str,
        name: str,
        interval_s: float,
        initial: str | None = None,
    ) -> None:
        self.name = name
        self._provider = provider
        self._ref = ref
        self._interval_s = interval_s
        self._value = provider.get(ref) if initial is None else initial
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.rotations = 0

    def get_secret_value(self) -> str:
        """The value as of the last successful read."""
        return self._value

    def __repr__(self) -> str:
        return f"RotatingSecret({self.name}, provider={self._provider.name}, value='**********')"

    def refresh(self) -> bool:
        """Read the provider now; True when the value changed."""
        try:
            value = self._provider.get(self._ref)
        except SecretsError as exc:
            REFRESHES.labels(self.name, "failed").inc()
            log.warning(
                "secret refresh failed; keeping the current value",
                extra={"event.action": "secret-refresh", "secret.name": self.name, "error.type": type(exc).__name__},
            )
            return False
        if not value or value == self._value:
            REFRESHES.labels(self.name, "unchanged").inc()
            return False
        self._value = value
        self.rotations += 1
        REFRESHES.labels(self.name, "rotated").inc()
        log.info("secret rotated", extra={"event.action": "secret-rotated", "secret.name": self.name})
        return True

    def request_refresh(self) -> None:
        """Wake the refresher now (what SIGHUP does); returns at once."""
        self._wake.set()

    def start(self) -> RotatingSecret:
        """Start the refresher thread (idempotent) and make SIGHUP reach this secret."""
        _holders.add(self)
        install_sighup_handler()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"secret-refresh-{self.name}", daemon=True)
            self._thread.start()
        return self

    def close(self, *, wait: bool = False) -> None:
        """Stop the refresher thread; without `wait` at once (a read in flight ends on its own, unused),
        so an async client's close never blocks its event loop."""
        self._stopped.set()
        self._wake.set()
        _holders.discard(self)
        if wait and self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stopped.is_set():
            self._wake.wait(self._interval_s)
            self._wake.clear()
            if self._stopped.is_set():
                return
            try:
                self.refresh()
            except Exception:  # an SDK bug must not end rotation for the process's lifetime
                log.exception("secret refresh crashed", extra={"secret.name": self.name})


def refresh_all() -> None:
    """Ask every started RotatingSecret to re-read its provider now."""
    for holder in list(_holders):
        holder.request_refresh()


def install_sighup_handler() -> bool:
    """Make SIGHUP refresh every rotating secret (once per process; only from the main thread)."""
    global _sighup_installed  # one signal handler per process: global by nature
    with _sighup_lock:
        if _sighup_installed:
            return True
        if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGHUP"):
            return False
        previous = signal.getsignal(signal.SIGHUP)

        def on_sighup(signum: int, frame: FrameType | None) -> None:
            refresh_all()
            if callable(previous):
                previous(signum, frame)

        signal.signal(signal.SIGHUP, on_sighup)
        _sighup_installed = True
        return True


def close_if_rotating(value: Any) -> None:
    """Stop the refresher behind `value` when it is a RotatingSecret (clients call it on close)."""
    if isinstance(value, RotatingSecret):
        value.close()
