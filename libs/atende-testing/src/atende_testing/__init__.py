"""Test helpers shared by every package: servers on free ports, bounded waiting, hostile JSON."""

from atende_testing.mutation import mutations
from atende_testing.servers import free_port, running_server
from atende_testing.waiting import wait_until

__all__ = ["free_port", "mutations", "running_server", "wait_until"]
