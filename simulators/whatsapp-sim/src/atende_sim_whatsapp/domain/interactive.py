"""Validation of interactive reply-button and list messages (limits from the reference §3.1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import errors
from .fields import check_length, require_str, validate_media

BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
BUTTON_BODY_MAX = 1024
LIST_BODY_MAX = 4096
HEADER_TEXT_MAX = 60
FOOTER_MAX = 60
LIST_BUTTON_MAX = 20
SECTIONS_MAX = 10
ROWS_MAX = 10
SECTION_TITLE_MAX = 24
ROW_TITLE_MAX = 24
ROW_ID_MAX = 200
ROW_DESCRIPTION_MAX = 72
SUPPORTED_TYPES = ("button", "list")


def _obj(parent: dict[str, Any], key: str, where: str, *, required: bool) -> dict[str, Any] | None:
    value = parent.get(key)
    if value is None:
        if required:
            raise errors.missing_parameter(f"The parameter {where}['{key}'] is required.")
        return None
    if not isinstance(value, dict):
        raise errors.invalid_parameter(f"Param {where}['{key}'] must be a JSON object.")
    return value


def _req(parent: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = _obj(parent, key, where, required=True)
    if value is None:  # pragma: no cover  (_obj raised already; this narrows the type)
        raise errors.missing_parameter(f"The parameter {where}['{key}'] is required.")
    return value


def _header(interactive: dict[str, Any], kind: str, media_exists: Callable[[str], bool]) -> None:
    header = _obj(interactive, "header", "interactive", required=False)
    if header is None:
        return
    allowed = ("text",) if kind == "list" else ("text", "image", "video", "document")
    header_type = str(header.get("type"))
    if header_type not in allowed:
        raise errors.invalid_value(
            f"Header type {header.get('type')!r} is not valid for interactive {kind}. Allowed: {', '.join(allowed)}."
        )
    if header_type == "text":
        check_length(require_str(header, "text", "interactive['header']"), HEADER_TEXT_MAX, "Header text")
    else:
        media = _req(header, header_type, "interactive['header']")
        validate_media(header_type, media, media_exists)


def _body_footer(interactive: dict[str, Any], body_max: int) -> None:
    body = _req(interactive, "body", "interactive")
    check_length(require_str(body, "text", "interactive['body']"), body_max, "Body text")
    footer = _obj(interactive, "footer", "interactive", required=False)
    if footer is not None:
        check_length(require_str(footer, "text", "interactive['footer']"), FOOTER_MAX, "Footer text")


def _buttons(action: dict[str, Any]) -> None:
    buttons = action.get("buttons")
    if buttons is None:
        raise errors.missing_parameter("The parameter interactive['action']['buttons'] is required.")
    if not isinstance(buttons, list):
        raise errors.invalid_parameter("Param interactive['action']['buttons'] must be an array.")
    if not 1 <= len(buttons) <= BUTTONS_MAX:
        raise errors.invalid_value(
            f"Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: {BUTTONS_MAX}, "
            f"actual: {len(buttons)}."
        )
    ids: set[str] = set()
    titles: set[str] = set()
    for i, button in enumerate(buttons):
        where = f"interactive['action']['buttons'][{i}]"
        if not isinstance(button, dict):
            raise errors.invalid_parameter(f"Param {where} must be a JSON object.")
        if button.get("type") != "reply":
            raise errors.invalid_parameter(f"Param {where}['type'] must be 'reply'.")
        reply = _req(button, "reply", where)
        button_id = require_str(reply, "id", f"{where}['reply']")
        title = require_str(reply, "title", f"{where}['reply']")
        if len(title) > BUTTON_TITLE_MAX:
            raise errors.invalid_value(
                f"Button title length invalid. Min length: 1, Max length: {BUTTON_TITLE_MAX}, "
                f"actual: {len(title)} ({title!r})."
            )
        check_length(button_id, BUTTON_ID_MAX, "Button id")
        if button_id in ids:
            raise errors.invalid_value(f"Duplicate button id {button_id!r}. Button ids must be unique.")
        if title in titles:
            raise errors.invalid_value(f"Duplicate button title {title!r}. Button titles must be unique.")
        ids.add(button_id)
        titles.add(title)


def _sections(action: dict[str, Any]) -> None:
    button = require_str(action, "button", "interactive['action']")
    if len(button) > LIST_BUTTON_MAX:
        raise errors.invalid_value(
            f"Button label length invalid. Min length: 1, Max length: {LIST_BUTTON_MAX}, actual: {len(button)}."
        )
    sections = action.get("sections")
    if sections is None:
        raise errors.missing_parameter("The parameter interactive['action']['sections'] is required.")
    if not isinstance(sections, list):
        raise errors.invalid_parameter("Param interactive['action']['sections'] must be an array.")
    if not 1 <= len(sections) <= SECTIONS_MAX:
        raise errors.invalid_value(
            f"Invalid sections count. Min allowed sections: 1, Max allowed sections: {SECTIONS_MAX}, "
            f"actual: {len(sections)}."
        )
    total_rows = 0
    row_ids: set[str] = set()
    for s, section in enumerate(sections):
        where = f"interactive['action']['sections'][{s}]"
        if not isinstance(section, dict):
            raise errors.invalid_parameter(f"Param {where} must be a JSON object.")
        if "title" in section or len(sections) > 1:
            # Meta requires a section title as soon as there is more than one section.
            check_length(require_str(section, "title", where), SECTION_TITLE_MAX, "Section title")
        rows = section.get("rows")
        if not isinstance(rows, list) or not rows:
            raise errors.missing_parameter(f"The parameter {where}['rows'] is required and must not be empty.")
        total_rows += len(rows)
        for r, row in enumerate(rows):
            row_where = f"{where}['rows'][{r}]"
            if not isinstance(row, dict):
                raise errors.invalid_parameter(f"Param {row_where} must be a JSON object.")
            row_id = require_str(row, "id", row_where)
            check_length(row_id, ROW_ID_MAX, "Row id")
            check_length(require_str(row, "title", row_where), ROW_TITLE_MAX, "Row title")
            if "description" in row:
                check_length(require_str(row, "description", row_where), ROW_DESCRIPTION_MAX, "Row description")
            if row_id in row_ids:
                raise errors.invalid_value(f"Duplicate row id {row_id!r}. Row ids must be unique.")
            row_ids.add(row_id)
    if total_rows > ROWS_MAX:
        raise errors.invalid_value(f"Total row count exceed max allowed count: {ROWS_MAX}, actual: {total_rows}.")


def validate_interactive(interactive: dict[str, Any], media_exists: Callable[[str], bool]) -> None:
    """Validate an ``interactive`` object of type ``button`` or ``list``."""
    kind = interactive.get("type")
    if kind is None:
        raise errors.missing_parameter("The parameter interactive['type'] is required.")
    if kind not in SUPPORTED_TYPES:
        raise errors.invalid_parameter(
            f"Param interactive['type'] {kind!r} is not supported by the simulator (supported: button, list)."
        )
    _header(interactive, kind, media_exists)
    _body_footer(interactive, BUTTON_BODY_MAX if kind == "button" else LIST_BODY_MAX)
    action = _req(interactive, "action", "interactive")
    if kind == "button":
        _buttons(action)
    else:
        _sections(action)
