"""Secrets resolved into settings: `<FIELD>_SECRET_REF` names the provider's reference for a field.

With `SECRETS_PROVIDER=file`, a secret field with no reference is also read from the file named
after its variable (`WHATSAPP_ACCESS_TOKEN`) when that file exists: a Kubernetes Secret mounted
with keys named like the variables needs no references at all.

`<FIELD>_FILE` names a file that holds the value (Docker secrets, mounted at /run/secrets/<name>);
it ranks after a reference and before the file provider and the plain variable. Fields that have a
`*_file` setting of their own (SECRETS_VAULT_TOKEN_FILE, read again at each fetch) keep it.
"""

from __future__ import annotations

import os
import types
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from atende_core.errors import ConfigurationError, SecretsError
from atende_core.secrets.config import SecretsConfig
from atende_core.secrets.files import FileProvider
from atende_core.secrets.providers import provider_from_config

REF_SUFFIX = "_SECRET_REF"
FILE_SUFFIX = "_FILE"


def is_secret_field(field: FieldInfo) -> bool:
    """Whether the field holds a SecretStr (possibly optional)."""
    annotation = field.annotation
    if annotation is SecretStr:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return SecretStr in get_args(annotation)
    return False


class SecretRefSource(PydanticBaseSettingsSource):
    """Ranks after the constructor's arguments and before plain environment variables."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: `__call__` resolves every field at once."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        """The resolved secret fields, and `secret_refs` recording where each came from."""
        given = self.current_state
        names = [n for n, f in self.settings_cls.model_fields.items() if is_secret_field(f) and n not in given]
        refs = {n: ref.strip() for n in names if (ref := os.environ.get(n.upper() + REF_SUFFIX, "").strip())}
        from_files = self._read_files([n for n in names if n not in refs])
        names = [n for n in names if n not in from_files]
        overrides = {k: v for k, v in given.items() if k in SecretsConfig.model_fields}
        config = SecretsConfig(**overrides)
        if not refs and config.secrets_provider != "file":
            return from_files
        try:
            provider = provider_from_config(config)
        except SecretsError as exc:
            raise ConfigurationError(f"secrets provider {config.secrets_provider.value}: {exc}") from None
        if isinstance(provider, FileProvider):
            for name in names:
                if name not in refs and provider.exists(name.upper()):
                    refs[name] = name.upper()
        values: dict[str, Any] = dict(from_files)
        for name, ref in refs.items():
            try:
                values[name] = provider.get(ref)
            except SecretsError as exc:
                raise ConfigurationError(f"{name.upper()} could not be read: {exc}") from None
        if refs:
            values["secret_refs"] = refs
        return values

    def _read_files(self, names: list[str]) -> dict[str, str]:
        """Fields whose `<FIELD>_FILE` variable names a file, read once (one trailing newline stripped)."""
        values: dict[str, str] = {}
        for name in names:
            if name + FILE_SUFFIX.lower() in self.settings_cls.model_fields:
                continue
            path = os.environ.get(name.upper() + FILE_SUFFIX, "").strip()
            if not path:
                continue
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigurationError(
                    f"{name.upper()}{FILE_SUFFIX} names a file that cannot be read ({path}: {exc.strerror})"
                ) from None
            values[name] = text.removesuffix("\n").removesuffix("\r")
        return values
