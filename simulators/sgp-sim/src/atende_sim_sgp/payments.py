"""Payment codes that look like the real ones: boleto barcode/linha digitável and PIX BR Code."""

from __future__ import annotations

from datetime import date

_FEBRABAN_BASE = date(1997, 10, 7)


def _mod10(numbers: str) -> str:
    total = 0
    factor = 2
    for ch in reversed(numbers):
        product = int(ch) * factor
        total += product // 10 + product % 10
        factor = 1 if factor == 2 else 2
    rest = total % 10
    return "0" if rest == 0 else str(10 - rest)


def _mod11_barcode(numbers: str) -> str:
    total = 0
    weight = 2
    for ch in reversed(numbers):
        total += int(ch) * weight
        weight = 2 if weight == 9 else weight + 1
    rest = 11 - total % 11
    return "1" if rest in (0, 10, 11) else str(rest)


def due_factor(due: date) -> str:
    """FEBRABAN due-date factor; it wrapped from 9999 back to 1000 on 2025-02-22."""
    days = (due - _FEBRABAN_BASE).days
    if days > 9999:
        days = (days - 10000) % 9000 + 1000
    return f"{days:04d}"


def boleto_codes(*, bank: str, due: date, amount_cents: int, free_field: str) -> tuple[str, str]:
    """Return ``(barcode44, linha_digitavel47)`` for a bank boleto (free field: 25 digits)."""
    assert len(bank) == 3
    assert len(free_field) == 25
    partial = f"{bank}9{due_factor(due)}{amount_cents:010d}{free_field}"
    dv = _mod11_barcode(partial)
    barcode = partial[:4] + dv + partial[4:]
    field1 = barcode[0:4] + barcode[19:24]
    field2 = barcode[24:34]
    field3 = barcode[34:44]
    line = field1 + _mod10(field1) + field2 + _mod10(field2) + field3 + _mod10(field3) + dv + barcode[5:19]
    return barcode, line


def format_linha_digitavel(line: str) -> str:
    """Group a 47-digit line the way banks print it (``00000.00000 00000.000000 ...``)."""
    return f"{line[0:5]}.{line[5:10]} {line[10:15]}.{line[15:21]} {line[21:26]}.{line[26:32]} {line[32]} {line[33:]}"


def _crc16_ccitt(data: bytes) -> str:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def _emv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def pix_copia_e_cola(*, key: str, merchant: str, city: str, amount_cents: int, txid: str) -> str:
    """Build a static PIX BR Code (EMV QRCPS) with a valid CRC16."""
    account = _emv("00", "br.gov.bcb.pix") + _emv("01", key)
    payload = (
        _emv("00", "01")
        + _emv("26", account)
        + _emv("52", "0000")
        + _emv("53", "986")
        + _emv("54", f"{amount_cents / 100:.2f}")
        + _emv("58", "BR")
        + _emv("59", merchant[:25])
        + _emv("60", city[:15])
        + _emv("62", _emv("05", txid[:25]))
        + "6304"
    )
    return payload + _crc16_ccitt(payload.encode())
