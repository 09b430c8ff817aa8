"""The backup tool's settings: the stores (ServiceSettings), the privacy client's (the erasure journal and
whom to wait for), where archives go, the key that seals them and how many are kept."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from pydantic import Field, SecretStr

from atende_core.errors import ConfigurationError
from atende_core.privacy_cli import PrivacyBusSettings

KEY_BYTES = 32


class BackupSettings(PrivacyBusSettings):
    """BACKUP_DIR, BACKUP_KEY (base64 of 32 random bytes: `openssl rand -base64 32`), retention."""

    backup_dir: Path = Path("backups")
    backup_key: SecretStr | None = None
    backup_keep_daily: int = Field(default=7, ge=1)
    backup_keep_weekly: int = Field(default=4, ge=0)
    # Erasures journalled up to this long before a backup started are re-applied too (clock skew
    # between the hosts that ran `atende privacy erase` and the backup; re-applying is harmless).
    backup_erasure_margin_s: float = Field(default=300.0, ge=0)

    def key(self) -> bytes:
        """The sealing key; never the PII master key (the personal data in a dump stays sealed by it)."""
        if self.backup_key is None:
            raise ConfigurationError("BACKUP_KEY is not set (base64 of 32 random bytes: `openssl rand -base64 32`)")
        text = self.backup_key.get_secret_value().strip()
        try:
            key = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ConfigurationError("BACKUP_KEY is not base64") from None
        if len(key) != KEY_BYTES:
            raise ConfigurationError(f"BACKUP_KEY must decode to {KEY_BYTES} bytes, not {len(key)}")
        pii_keys = {self.pii_master_key.get_secret_value().strip()}
        if self.pii_previous_keys is not None:
            pii_keys.add(self.pii_previous_keys.get_secret_value())
        if text in pii_keys or any(text in k for k in pii_keys):
            raise ConfigurationError("BACKUP_KEY must not be a PII key: the PII keys are never in a backup")
        return key
