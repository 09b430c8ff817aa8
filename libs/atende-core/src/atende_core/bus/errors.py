"""Bus errors: how a handler or the codec tells the bus what to do with a message.

    BusError
    ├── DecodeError      the value cannot be decoded or its type is unknown: dead-lettered, no retries
    └── PermanentError   a handler says retrying cannot help: dead-lettered, no retries
Any other exception from a handler is retried with backoff, then dead-lettered.
"""

from atende_core.errors import AtendeError


class BusError(AtendeError):
    """Base class of bus errors."""


class DecodeError(BusError):
    """The message cannot be turned into a known event."""


class PermanentError(BusError):
    """The handler failed in a way retries cannot fix."""
