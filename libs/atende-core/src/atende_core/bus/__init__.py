"""The Kafka bus: see `atende_core.bus.bus` for the contract and `topics` for the catalog."""

from atende_core.bus import topics
from atende_core.bus.bus import Bus, Handler, Outgoing
from atende_core.bus.codec import Envelope, decode, encode, message_class
from atende_core.bus.errors import BusError, DecodeError, PermanentError

__all__ = [
    "Bus",
    "BusError",
    "DecodeError",
    "Envelope",
    "Handler",
    "Outgoing",
    "PermanentError",
    "decode",
    "encode",
    "message_class",
    "topics",
]
