"""Document helpers on top of ``atende_core.documents`` (SGP masks documents in responses)."""

from __future__ import annotations

from atende_core.documents import format_document

__all__ = ["format_document"]
