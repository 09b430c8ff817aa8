"""The encrypted archive: a tar.gz of the dump, sealed in chunks with AES-256-GCM (the STREAM
construction, as age does it), so any change, reordering or truncation fails to open.

    header  = MAGIC | key id (8) | salt (32) | chunk size (4)
    file key = HKDF-SHA256(BACKUP_KEY, salt, "atende-backup-v1")
    chunk i = length (4) | AES-256-GCM(file key, nonce = i (11 bytes) | last (1), chunk, aad = header)

The key id (a keyed hash of BACKUP_KEY) tells "another key" apart from "altered". BACKUP_KEY is never
PII_MASTER_KEY: the personal data inside stays encrypted under the PII key, which is not in the archive.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from atende_core.errors import ArchiveError

MAGIC = b"ATENDE-BACKUP/1\n"
CHUNK_BYTES = 1 << 20
_LENGTH = struct.Struct(">I")
_HEADER_BYTES = len(MAGIC) + 8 + 32 + 4


def key_id(key: bytes) -> bytes:
    """8 bytes that name the key without revealing it."""
    return hmac.new(key, b"atende-backup-key-id", hashlib.sha256).digest()[:8]


def _file_key(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"atende-backup-v1").derive(key)
    return AESGCM(derived)


def _nonce(index: int, *, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _chunks(stream: BinaryIO, size: int) -> Iterator[tuple[bytes, bool]]:
    """Chunks of `size` bytes, each with whether it is the last (an empty file is one empty last chunk)."""
    current = stream.read(size)
    while True:
        following = stream.read(size) if len(current) == size else b""
        yield current, not following
        if not following:
            return
        current = following


def seal(source: Path, target: Path, key: bytes) -> None:
    """Encrypt `source` into `target` (written beside it, then renamed: never a half archive)."""
    salt = os.urandom(32)
    header = MAGIC + key_id(key) + salt + _LENGTH.pack(CHUNK_BYTES)
    aead = _file_key(key, salt)
    partial = target.with_name(target.name + ".partial")
    with source.open("rb") as plain, partial.open("wb") as sealed:
        sealed.write(header)
        for index, (chunk, last) in enumerate(_chunks(plain, CHUNK_BYTES)):
            ciphertext = aead.encrypt(_nonce(index, last=last), chunk, header)
            sealed.write(_LENGTH.pack(len(ciphertext)) + ciphertext)
        sealed.flush()
        os.fsync(sealed.fileno())
    partial.replace(target)


def open_sealed(source: Path, target: Path, key: bytes) -> None:
    """Decrypt `source` into `target`; ArchiveError when the key is not its key or it was changed."""
    with source.open("rb") as sealed, target.open("wb") as plain:
        header = sealed.read(_HEADER_BYTES)
        if len(header) != _HEADER_BYTES or not header.startswith(MAGIC):
            raise ArchiveError(f"{source.name} is not an Atende backup archive")
        stored_id = header[len(MAGIC) : len(MAGIC) + 8]
        if not hmac.compare_digest(stored_id, key_id(key)):
            raise ArchiveError(f"{source.name} was sealed with another BACKUP_KEY (key id {stored_id.hex()})")
        salt = header[len(MAGIC) + 8 : len(MAGIC) + 40]
        aead = _file_key(key, salt)
        index = 0
        while True:
            prefix = sealed.read(_LENGTH.size)
            if len(prefix) != _LENGTH.size:
                raise ArchiveError(f"{source.name} is cut short")
            ciphertext = sealed.read(_LENGTH.unpack(prefix)[0])
            # The last chunk was sealed as the last: a file cut at a chunk boundary does not open.
            last = not sealed.peek(1)
            try:
                plain.write(aead.decrypt(_nonce(index, last=last), ciphertext, header))
            except InvalidTag:
                raise ArchiveError(f"{source.name} was altered or cut short (chunk {index})") from None
            if last:
                return
            index += 1
