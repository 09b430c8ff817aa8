"""The root of Atende's exception tree (drawn in the package docstring)."""


class AtendeError(Exception):
    """Base class of every error raised by Atende code."""


class ConfigurationError(AtendeError):
    """Settings that must not run, such as a placeholder secret outside development."""


class InfrastructureUnavailable(AtendeError):
    """A dependency (Kafka, Redis, MongoDB) did not answer; the message says how to start it."""
