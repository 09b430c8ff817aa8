"""What an agent's attachment really is: its type from its first bytes (the client's filename and
Content-Type are not trusted), and a filename safe to show the customer."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# WhatsApp's own limit for images (reference §4); documents go up to the configured cap.
IMAGE_MAX_BYTES = 5 * 1024 * 1024
FILENAME_MAX = 120
_UNSAFE = re.compile(r"[^\w .()\[\]-]+")


@dataclass(frozen=True)
class AttachmentType:
    """A type the console sends: its MIME type, the WhatsApp message kind and the file extension."""

    mime_type: str
    kind: str  # "document" or "image": the SendMessage content field
    extension: str


PDF = AttachmentType("application/pdf", "document", ".pdf")
PNG = AttachmentType("image/png", "image", ".png")
JPEG = AttachmentType("image/jpeg", "image", ".jpg")
_SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))


def sniff(head: bytes) -> AttachmentType | None:
    """The type whose signature `head` (the file's first bytes) starts with, or None."""
    return next((kind for signature, kind in _SIGNATURES if head.startswith(signature)), None)


def safe_filename(name: str | None, kind: AttachmentType) -> str:
    """The client's file name without path, control or odd characters, shortened, with the extension
    of the type the bytes really are ("anexo.pdf" when nothing is left)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C")
    stem = _UNSAFE.sub("_", base.rsplit(".", 1)[0] if "." in base else base).strip(" ._")
    return (stem[: FILENAME_MAX - len(kind.extension)] or "anexo") + kind.extension
