"""The root of Atende's exception tree (drawn in the package docstring)."""


class AtendeError(Exception):
    """Base class of every error raised by Atende code."""


class ConfigurationError(AtendeError):
    """Settings that must not run, such as a placeholder secret outside development."""


class InfrastructureUnavailable(AtendeError):
    """A dependency (Kafka, Redis, MongoDB) did not answer; the message says how to start it."""


class SecretsError(AtendeError):
    """A secrets provider could not give a secret (the message names the reference, never the value)."""


class SecretNotFound(SecretsError):
    """The provider answered, and it holds no secret under that reference (or no such key in it)."""


class SecretsUnavailable(SecretsError):
    """The provider did not answer or refused us (network, TLS, credentials): maybe transient."""


class BackupError(AtendeError):
    """A backup or a restore that could not be done (atende_core.backup)."""


class ArchiveError(BackupError):
    """An archive that does not open: made with another key, altered, or cut short."""


class RestoreRefused(BackupError):
    """The stores to restore into are not empty (a restore replaces them only when forced)."""
