"""Field-level checks shared by message, interactive and template validation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import errors

CAPTION_TYPES = ("image", "video", "document")
CAPTION_MAX = 1024


def require_str(obj: dict[str, Any], key: str, where: str, *, allow_empty: bool = False) -> str:
    """Return ``obj[key]`` as a string: 131008 when absent, 100 when not a string, 131009 when blank."""
    if key not in obj or obj[key] is None:
        raise errors.missing_parameter(f"The parameter {where}['{key}'] is required.")
    value = obj[key]
    if not isinstance(value, str):
        raise errors.invalid_parameter(f"Param {where}['{key}'] must be a string.")
    if not allow_empty and not value.strip():
        raise errors.invalid_value(f"Param {where}['{key}'] must not be empty.")
    return value


def check_length(value: str, limit: int, label: str) -> None:
    """Raise 131009 when ``value`` is longer than ``limit`` characters."""
    if len(value) > limit:
        raise errors.invalid_value(f"{label} is too long. Max length: {limit}, actual length: {len(value)}.")


def validate_media(kind: str, obj: dict[str, Any], media_exists: Callable[[str], bool]) -> None:
    """Validate an image/document/audio/video/sticker object (by id or link)."""
    allowed = {"id", "link"}
    if kind in CAPTION_TYPES:
        allowed.add("caption")
    if kind == "document":
        allowed.add("filename")
    unknown = sorted(set(obj) - allowed)
    if unknown:
        raise errors.invalid_parameter(f"Param {kind}['{unknown[0]}'] is not a valid parameter.")
    has_id, has_link = obj.get("id") is not None, obj.get("link") is not None
    if has_id and has_link:
        raise errors.invalid_parameter(f"Param {kind} must have either 'id' or 'link', not both.")
    if not has_id and not has_link:
        raise errors.missing_parameter(f"The parameter {kind}['id'] or {kind}['link'] is required.")
    if has_id:
        media_id = require_str(obj, "id", kind)
        if not media_exists(media_id):
            raise errors.invalid_value(f"Invalid media id {media_id} for {kind}.")
    else:
        link = require_str(obj, "link", kind)
        if not link.startswith(("http://", "https://")):
            raise errors.invalid_value(f"Param {kind}['link'] must be a valid http(s) URL.")
    if "caption" in obj:
        check_length(require_str(obj, "caption", kind, allow_empty=True), CAPTION_MAX, f"{kind} caption")
    if "filename" in obj:
        require_str(obj, "filename", kind)
