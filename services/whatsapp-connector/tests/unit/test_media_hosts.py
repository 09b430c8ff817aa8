from __future__ import annotations

import pytest

from atende_whatsapp_connector.domain.media_hosts import META_MEDIA_HOSTS, MediaHostAllowlist
from atende_whatsapp_connector.settings import ConnectorSettings

pytestmark = pytest.mark.unit

META = MediaHostAllowlist.parse(META_MEDIA_HOSTS)


@pytest.mark.parametrize(
    "url",
    [
        "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1&ext=2&hash=3",
        "https://LOOKASIDE.FBSBX.COM/x",
        "https://scontent.xx.fbcdn.net/v/t61/file.pdf",
        "https://mmg.whatsapp.net/d/f/abc.enc",
        "https://lookaside.fbsbx.com:443/x",
    ],
)
def test_meta_media_hosts_over_https_are_allowed(url: str) -> None:
    assert META.allows(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://lookaside.fbsbx.com/x",  # the token never travels in clear
        "https://lookaside.fbsbx.com:8443/x",
        "https://fbcdn.net/x",  # *.suffix means subdomains
        "https://evilfbcdn.net/x",
        "https://lookaside.fbsbx.com.evil.example/x",
        "https://user@lookaside.fbsbx.com/x",
        "https://lookaside.fbsbx.com@evil.example/x",
        "https://127.0.0.1:9001/x",
        "http://127.0.0.1:9001/x",
        "/whatsapp_business/attachments/?mid=1",
        "ftp://lookaside.fbsbx.com/x",
        "https://lookaside.fbsbx.com:99999/x",
        "",
    ],
)
def test_anything_else_is_refused(url: str) -> None:
    assert not META.allows(url)


def test_an_explicit_origin_allows_exactly_that_scheme_host_and_port() -> None:
    allowlist = MediaHostAllowlist.parse([*META_MEDIA_HOSTS, "http://127.0.0.1:9001"])
    assert allowlist.allows("http://127.0.0.1:9001/whatsapp_business/attachments/?mid=1")
    assert not allowlist.allows("http://127.0.0.1:9002/x")
    assert not allowlist.allows("https://127.0.0.1:9001/x")
    assert not allowlist.allows("http://localhost:9001/x")


@pytest.mark.parametrize("entry", ["https://host/path", "ftp://host", "host/path", "host:9001", "*host.com", "u@host"])
def test_entries_that_are_neither_host_nor_origin_are_rejected(entry: str) -> None:
    with pytest.raises(ValueError, match="media host entry"):
        MediaHostAllowlist.parse([entry])


def test_the_setting_defaults_to_meta_hosts_and_reads_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ConnectorSettings().whatsapp_media_download_hosts == list(META_MEDIA_HOSTS)
    monkeypatch.setenv("WHATSAPP_MEDIA_DOWNLOAD_HOSTS", "lookaside.fbsbx.com, http://127.0.0.1:9001")
    settings = ConnectorSettings()
    assert settings.whatsapp_media_download_hosts == ["lookaside.fbsbx.com", "http://127.0.0.1:9001"]
    assert settings.media_host_allowlist.allows("http://127.0.0.1:9001/x")
    assert not settings.media_host_allowlist.allows("https://mmg.whatsapp.net/x")


def test_production_refuses_plain_http_media_origins() -> None:
    from atende_core.errors import ConfigurationError

    token = "EAAG" + "x" * 40
    with pytest.raises(ConfigurationError, match="WHATSAPP_MEDIA_DOWNLOAD_HOSTS"):
        ConnectorSettings(
            environment="production",
            whatsapp_access_token=token,
            whatsapp_media_download_hosts=["lookaside.fbsbx.com", "http://10.0.0.5:9001"],
        )
    allowed = ConnectorSettings(environment="production", whatsapp_access_token=token)
    assert allowed.whatsapp_media_download_hosts == list(META_MEDIA_HOSTS)
