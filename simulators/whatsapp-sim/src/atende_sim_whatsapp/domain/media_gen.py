"""Small but valid media files generated in memory (for inbound customer media)."""

from __future__ import annotations

import base64
import struct
import zlib

# A 1x1 lossless WebP (what a sticker looks like on the wire); generated once with Pillow.
_WEBP_1X1 = base64.b64decode("UklGRhwAAABXRUJQVlA4TA8AAAAvAAAAAAcQ/Y/+ByKi/wEA")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int = 96, height: int = 64, seed: int = 0) -> bytes:
    """Return an 8-bit RGB PNG with a colourful gradient (``seed`` varies the colours)."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type "none" for each scanline
        for x in range(width):
            rows += bytes(((x * 255 // width + seed) % 256, (y * 255 // height) % 256, (seed * 7 + 128) % 256))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(bytes(rows)))
        + _png_chunk(b"IEND", b"")
    )


def pdf(text: str) -> bytes:
    """Return a one-page PDF showing ``text`` (ASCII only; other characters become '?')."""
    safe = text.encode("ascii", "replace").decode().replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 18 Tf 72 720 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def webp() -> bytes:
    """Return a tiny static WebP sticker."""
    return _WEBP_1X1


def ogg_stub() -> bytes:
    """Return a few bytes with an Ogg page header (consumers store audio, they do not decode it)."""
    return b"OggS\x00\x02" + b"\x00" * 20 + b"OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00"
