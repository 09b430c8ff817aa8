"""Secrets from a directory with one file per secret: a Kubernetes Secret mounted as a volume.

The kubelet swaps the files atomically (a `..data` symlink) when the Secret changes, so reading the
file again is how a rotation reaches a running pod. One trailing newline is stripped.
"""

from __future__ import annotations

from pathlib import Path

from atende_core.errors import SecretNotFound, SecretsUnavailable
from atende_core.secrets.base import pick_key, split_ref


class FileProvider:
    """Reads `<directory>/<name>`; names cannot leave the directory."""

    name = "file"

    def __init__(self, directory: Path) -> None:
        self._dir = directory

    def path(self, name: str) -> Path:
        """Where the secret `name` lives (refused when it would leave the directory)."""
        if not name or name.startswith(".") or "/" in name or "\\" in name or "\x00" in name:
            raise SecretNotFound(f"secret file name {name!r} is not a plain file name")
        return self._dir / name

    def exists(self, name: str) -> bool:
        """Whether the directory holds a file for `name`."""
        return self.path(name).is_file()

    def get(self, ref: str) -> str:
        """The file's text without its trailing newline (or one JSON key of it)."""
        name, key = split_ref(ref)
        path = self.path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SecretNotFound(f"no secret file {name!r} in {self._dir}") from None
        except OSError as exc:
            raise SecretsUnavailable(f"cannot read secret file {name!r} in {self._dir}: {exc.strerror}") from None
        return pick_key(ref, text.removesuffix("\n").removesuffix("\r"), key)
