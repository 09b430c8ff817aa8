"""Test helpers shared by every package: servers on free ports, bounded waiting, hostile JSON."""

from atende_testing.mutation import mutations
from atende_testing.servers import INTERNAL_HEADERS, INTERNAL_TOKEN, free_port, running_internal, running_server
from atende_testing.waiting import wait_until

__all__ = [
    "INTERNAL_HEADERS",
    "INTERNAL_TOKEN",
    "free_port",
    "mutations",
    "running_internal",
    "running_server",
    "wait_until",
]
