"""The hand-built PDF is structurally valid."""

from __future__ import annotations

import re

import pytest

from atende_sim_sgp.pdf import render_text_pdf

pytestmark = pytest.mark.unit


def test_pdf_xref_offsets_point_at_objects() -> None:
    pdf = render_text_pdf(["Vencimento: 10/12/2026", "Valor: R$ 99,90 (à vista)"], title="Boleto")
    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))  # type: ignore[union-attr]
    assert pdf[startxref:].startswith(b"xref")
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n", pdf)]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(f"{number} 0 obj".encode())
