"""Cross-cutting code every Atende service stands on.

Exception tree (each module raises only its own branch; services translate them once at the edge)::

    AtendeError
    ├── ConfigurationError          settings that cannot run (placeholder secret in production, ...)
    ├── InfrastructureUnavailable   Kafka / Redis / MongoDB not reachable at start
    └── bus.BusError
        ├── bus.DecodeError         undecodable value or unknown ce_type: dead-lettered without retries
        └── bus.PermanentError      raised by a handler to skip retries and dead-letter at once
"""

from atende_core.errors import AtendeError, ConfigurationError, InfrastructureUnavailable

__all__ = ["AtendeError", "ConfigurationError", "InfrastructureUnavailable"]
