"""Where the WhatsApp token may go when media is downloaded (reference §4: the download URL needs the
bearer token, so a URL on any other host would hand the token to whoever runs that host).

An allowlist entry is either
- a host (``lookaside.fbsbx.com``) or a suffix pattern (``*.fbcdn.net``, subdomains only): the URL must
  be ``https`` on the default port;
- an origin with a scheme (``http://127.0.0.1:9001``): exactly that scheme, host and port (the
  WhatsApp simulator in development and tests, set through the same setting).
URLs with credentials in them (``https://user@host``) are never allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

# Meta's media hosts: the one the documentation names, and the CDN suffixes downloads are served from.
META_MEDIA_HOSTS: tuple[str, ...] = ("lookaside.fbsbx.com", "*.fbsbx.com", "*.fbcdn.net", "*.whatsapp.net")
_DEFAULT_PORTS = {"https": 443, "http": 80}


def _port(parts: SplitResult) -> int | None:
    try:
        return parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:  # a port that is not a number or out of range
        return None


@dataclass(frozen=True, slots=True)
class _Origin:
    scheme: str
    host: str
    port: int | None


@dataclass(frozen=True, slots=True)
class MediaHostAllowlist:
    """The hosts (and explicit origins) a media download may send the token to."""

    hosts: frozenset[str]
    suffixes: tuple[str, ...]
    origins: frozenset[_Origin]

    @classmethod
    def parse(cls, entries: list[str] | tuple[str, ...]) -> MediaHostAllowlist:
        """Build from setting entries; raises ValueError on an entry that is neither a host nor an origin."""
        hosts: set[str] = set()
        suffixes: list[str] = []
        origins: set[_Origin] = set()
        for raw in entries:
            entry = raw.strip().lower().rstrip("/")
            if not entry:
                continue
            if "://" in entry:
                parts = urlsplit(entry)
                if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username or parts.path:
                    msg = f"media host entry {raw!r} is not an origin like https://host:port"
                    raise ValueError(msg)
                origins.add(_Origin(parts.scheme, parts.hostname, _port(parts)))
            elif entry.startswith("*."):
                suffixes.append(entry[1:])  # ".fbcdn.net"
            elif "/" in entry or ":" in entry or "*" in entry or "@" in entry:
                msg = f"media host entry {raw!r} is not a host name or *.suffix"
                raise ValueError(msg)
            else:
                hosts.add(entry)
        return cls(frozenset(hosts), tuple(suffixes), frozenset(origins))

    def allows(self, url: str) -> bool:
        """True when the token may be sent to ``url``."""
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            return False
        host = (parts.hostname or "").lower()
        if not host or parts.username is not None or parts.password is not None or "@" in parts.netloc:
            return False
        port = _port(parts)
        if port is None:
            return False
        if _Origin(parts.scheme, host, port) in self.origins:
            return True
        if parts.scheme != "https" or port != _DEFAULT_PORTS["https"]:
            return False
        return host in self.hosts or any(host.endswith(suffix) for suffix in self.suffixes)
