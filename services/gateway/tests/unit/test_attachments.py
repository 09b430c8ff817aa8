"""An attachment's type comes from its bytes; its name is made safe to show the customer."""

from __future__ import annotations

import pytest

from atende_gateway.domain.attachments import JPEG, PDF, PNG, safe_filename, sniff

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", PDF),
        (b"\x89PNG\r\n\x1a\n\x00", PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", JPEG),
        (b"MZ\x90\x00", None),  # a Windows program
        (b"GIF89a", None),
        (b"<svg xmlns=", None),  # scripts inside images are not sent
        (b"%PD", None),
        (b"", None),
    ],
)
def test_the_type_is_read_from_the_first_bytes(head: bytes, expected: object) -> None:
    assert sniff(head) == expected


@pytest.mark.parametrize(
    ("given", "kind", "expected"),
    [
        ("fatura dezembro.pdf", PDF, "fatura dezembro.pdf"),
        ("C:\\Users\\ana\\Desktop\\boleto.PDF", PDF, "boleto.pdf"),
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("foto.exe", JPEG, "foto.jpg"),  # the extension follows the bytes, not the client
        ("relatório\u202etxt.exe", PDF, "relatóriotxt.pdf"),  # a bidi override is a format character: dropped
        ("<script>.png", PNG, "script.png"),
        ("", PDF, "anexo.pdf"),
        (None, PNG, "anexo.png"),
        ("...", PDF, "anexo.pdf"),
        ("a" * 500 + ".pdf", PDF, "a" * 116 + ".pdf"),
    ],
)
def test_the_name_is_safe(given: str | None, kind: object, expected: str) -> None:
    assert safe_filename(given, kind) == expected  # type: ignore[arg-type]
