"""Message templates: registry, creation rules, send-time checks (132000/132001/…) and rendering."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import errors
from .fields import check_length, require_str, validate_media
from .ids import new_numeric_id

CATEGORIES = ("MARKETING", "UTILITY", "AUTHENTICATION")
STATUSES = ("PENDING", "APPROVED", "REJECTED", "PAUSED", "DISABLED")
MEDIA_FORMATS = ("IMAGE", "VIDEO", "DOCUMENT")
HEADER_FORMATS = ("TEXT", "LOCATION", *MEDIA_FORMATS)
BODY_MAX = 1024
HEADER_TEXT_MAX = 60
FOOTER_MAX = 60
BUTTONS_MAX = 10
NAME_RE = re.compile(r"^[a-z0-9_]{1,512}$")
PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
# Meta refuses body parameters with these (a common bug when a multi-line text goes into a template).
BAD_PARAM_TEXT_RE = re.compile(r"[\n\t]| {5,}")


def placeholders(text: str) -> list[str]:
    """Return the distinct placeholder names of ``text`` in order of first use."""
    seen: list[str] = []
    for name in PLACEHOLDER_RE.findall(text):
        if name not in seen:
            seen.append(name)
    return seen


@dataclass
class Template:
    """A registered message template, stored the way ``GET message_templates`` returns it."""

    id: str
    name: str
    language: str
    category: str
    components: list[dict[str, Any]]
    parameter_format: str = "POSITIONAL"
    status: str = "PENDING"
    created_at: float = 0.0

    def component(self, kind: str) -> dict[str, Any] | None:
        """Return the component of ``kind`` (HEADER, BODY, FOOTER, BUTTONS), if any."""
        for comp in self.components:
            if str(comp.get("type", "")).upper() == kind:
                return comp
        return None

    def buttons(self) -> list[dict[str, Any]]:
        """Return the template's buttons (may be empty)."""
        comp = self.component("BUTTONS")
        buttons = comp.get("buttons", []) if comp else []
        return list(buttons) if isinstance(buttons, list) else []

    def as_graph(self) -> dict[str, Any]:
        """Return the Graph API representation."""
        return {
            "name": self.name,
            "parameter_format": self.parameter_format,
            "components": self.components,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "id": self.id,
        }


def _check_placeholders(text: str, where: str, parameter_format: str) -> None:
    names = placeholders(text)
    if parameter_format == "POSITIONAL":
        if any(not n.isdigit() for n in names):
            raise errors.invalid_parameter(f"{where}: positional templates use {{{{1}}}}, {{{{2}}}}… placeholders.")
        if sorted(int(n) for n in names) != list(range(1, len(names) + 1)):
            raise errors.invalid_parameter(f"{where}: placeholders must be sequential starting at {{{{1}}}}.")
    elif any(n.isdigit() or not n.islower() for n in names):
        raise errors.invalid_parameter(f"{where}: named placeholders must be lowercase names like {{{{first_name}}}}.")


def _check_components(components: Any, parameter_format: str) -> list[dict[str, Any]]:
    if not isinstance(components, list) or not components:
        raise errors.missing_parameter("The parameter components is required.")
    kinds: list[str] = []
    for i, comp in enumerate(components):
        if not isinstance(comp, dict):
            raise errors.invalid_parameter(f"Param components[{i}] must be a JSON object.")
        kind = str(comp.get("type", "")).upper()
        if kind not in ("HEADER", "BODY", "FOOTER", "BUTTONS"):
            raise errors.invalid_parameter(f"Param components[{i}]['type'] must be HEADER, BODY, FOOTER or BUTTONS.")
        if kind in kinds:
            raise errors.invalid_parameter(f"Only one {kind} component is allowed.")
        kinds.append(kind)
        where = f"components[{i}]"
        if kind == "BODY":
            text = require_str(comp, "text", where)
            check_length(text, BODY_MAX, "Template body")
            _check_placeholders(text, "BODY", parameter_format)
        elif kind == "FOOTER":
            check_length(require_str(comp, "text", where), FOOTER_MAX, "Template footer")
        elif kind == "HEADER":
            fmt = str(comp.get("format", "")).upper()
            if fmt not in HEADER_FORMATS:
                raise errors.invalid_parameter(f"Param {where}['format'] must be one of {', '.join(HEADER_FORMATS)}.")
            if fmt == "TEXT":
                text = require_str(comp, "text", where)
                check_length(text, HEADER_TEXT_MAX, "Template header")
                if len(placeholders(text)) > 1:
                    raise errors.invalid_parameter("HEADER: a text header may have at most one placeholder.")
                _check_placeholders(text, "HEADER", parameter_format)
        else:
            buttons = comp.get("buttons")
            if not isinstance(buttons, list) or not 1 <= len(buttons) <= BUTTONS_MAX:
                raise errors.invalid_value(f"Templates may have between 1 and {BUTTONS_MAX} buttons.")
            for b, button in enumerate(buttons):
                btype = str(button.get("type", "")).upper() if isinstance(button, dict) else ""
                if btype not in ("QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE"):
                    raise errors.invalid_parameter(f"Param {where}['buttons'][{b}]['type'] is not valid.")
                check_length(require_str(button, "text", f"{where}['buttons'][{b}]"), 25, "Button text")
    if "BODY" not in kinds:
        raise errors.missing_parameter("A template needs a BODY component.")
    return components


class TemplateRegistry:
    """All templates of one WhatsApp Business Account."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], Template] = {}

    def create(self, body: dict[str, Any], *, now: float) -> Template:
        """Validate a ``POST message_templates`` body and store the template as PENDING."""
        name = require_str(body, "name", "body")
        if not NAME_RE.match(name):
            raise errors.invalid_parameter("Param name must contain only lowercase letters, digits and underscores.")
        language = require_str(body, "language", "body")
        category = require_str(body, "category", "body").upper()
        if category not in CATEGORIES:
            raise errors.invalid_parameter(f"Param category must be one of {', '.join(CATEGORIES)}.")
        parameter_format = str(body.get("parameter_format", "POSITIONAL")).upper()
        if parameter_format not in ("POSITIONAL", "NAMED"):
            raise errors.invalid_parameter("Param parameter_format must be POSITIONAL or NAMED.")
        components = _check_components(body.get("components"), parameter_format)
        if (name, language) in self._items:
            raise errors.GraphError(
                400,
                100,
                "Invalid parameter",
                f"Content in this language already exists: {name} ({language}).",
                error_subcode=2388024,
            )
        template = Template(
            id=new_numeric_id(),
            name=name,
            language=language,
            category=category,
            components=components,
            parameter_format=parameter_format,
            created_at=now,
        )
        self._items[(name, language)] = template
        return template

    def add(self, template: Template) -> None:
        """Store a template as is (seeding)."""
        self._items[(template.name, template.language)] = template

    def get(self, name: str, language: str) -> Template | None:
        """Return the template with that name and language."""
        return self._items.get((name, language))

    def by_id(self, template_id: str) -> Template | None:
        """Return the template with that id."""
        return next((t for t in self._items.values() if t.id == template_id), None)

    def all(self) -> list[Template]:
        """Return every template, oldest first."""
        return sorted(self._items.values(), key=lambda t: (t.created_at, t.name, t.language))

    def delete(self, name: str, template_id: str | None = None) -> int:
        """Delete every language of ``name`` (or only the one with ``template_id``); return how many."""
        keys = [k for k, t in self._items.items() if t.name == name and template_id in (None, t.id)]
        for key in keys:
            del self._items[key]
        return len(keys)

    def clear(self) -> None:
        """Forget every template."""
        self._items.clear()


@dataclass
class RenderedTemplate:
    """A template send with its parameters filled in (for the chat page and statuses)."""

    name: str
    language: str
    category: str
    header: dict[str, Any] | None
    body: str
    footer: str | None
    buttons: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "name": self.name,
            "language": self.language,
            "category": self.category,
            "header": self.header,
            "body": self.body,
            "footer": self.footer,
            "buttons": self.buttons,
        }


def _mismatch(part: str, got: int, expected: int) -> errors.GraphError:
    return errors.template_param_mismatch(
        f"{part}: number of localizable_params ({got}) does not match the expected number of params ({expected})"
    )


def _text_values(part: str, params: list[Any], template: Template, names: list[str]) -> dict[str, str]:
    """Return placeholder → value for text-like parameters, checking names and formats."""
    values: dict[str, str] = {}
    for i, param in enumerate(params):
        where = f"{part}['parameters'][{i}]"
        if not isinstance(param, dict):
            raise errors.invalid_parameter(f"Param {where} must be a JSON object.")
        ptype = param.get("type")
        if ptype == "text":
            text = require_str(param, "text", where)
        elif ptype == "currency":
            currency = param.get("currency")
            if not isinstance(currency, dict):
                raise errors.missing_parameter(f"The parameter {where}['currency'] is required.")
            text = str(currency.get("fallback_value", ""))
        elif ptype == "date_time":
            date_time = param.get("date_time")
            if not isinstance(date_time, dict):
                raise errors.missing_parameter(f"The parameter {where}['date_time'] is required.")
            text = str(date_time.get("fallback_value", ""))
        else:
            raise errors.template_format_mismatch(f"{part}: parameter {i} has type {ptype!r}; expected text.")
        if part == "body" and BAD_PARAM_TEXT_RE.search(text):
            raise errors.invalid_parameter(
                "Param text cannot have new-line/tab characters or more than 4 consecutive spaces"
            )
        if template.parameter_format == "NAMED":
            pname = param.get("parameter_name")
            if not isinstance(pname, str) or not pname:
                raise errors.invalid_parameter("Parameter name is missing or empty")
            if pname not in names:
                raise errors.invalid_parameter(f"Parameter name {pname!r} does not exist in the template")
            values[pname] = text
        else:
            values[names[i] if i < len(names) else str(i + 1)] = text
    return values


def _fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _components_by_type(components: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None, list[Any]]:
    if components is None:
        return None, None, []
    if not isinstance(components, list):
        raise errors.invalid_parameter("Param template['components'] must be an array.")
    header = body = None
    buttons: list[Any] = []
    for i, comp in enumerate(components):
        kind = comp.get("type") if isinstance(comp, dict) else None
        if kind == "header":
            header = comp
        elif kind == "body":
            body = comp
        elif kind == "button":
            buttons.append(comp)
        else:
            raise errors.invalid_parameter(f"Param template['components'][{i}]['type'] must be header, body or button.")
    return header, body, buttons


def _params(comp: dict[str, Any] | None, part: str) -> list[Any]:
    if comp is None:
        return []
    params = comp.get("parameters", [])
    if not isinstance(params, list):
        raise errors.invalid_parameter(f"Param {part}['parameters'] must be an array.")
    return params


def _render_header(template: Template, comp: dict[str, Any] | None, media_exists: Any) -> dict[str, Any] | None:
    definition = template.component("HEADER")
    params = _params(comp, "header")
    if definition is None:
        if params:
            raise _mismatch("header", len(params), 0)
        return None
    fmt = str(definition.get("format", "TEXT")).upper()
    if fmt == "TEXT":
        text = str(definition.get("text", ""))
        names = placeholders(text)
        if len(params) != len(names):
            raise _mismatch("header", len(params), len(names))
        return {"type": "text", "text": _fill(text, _text_values("header", params, template, names))}
    if fmt == "LOCATION":
        loc = params[0].get("location") if params and isinstance(params[0], dict) else None
        if not isinstance(loc, dict):
            raise errors.template_format_mismatch("header: Format mismatch, expected LOCATION, received UNKNOWN")
        return {"type": "location", "location": loc}
    received = str(params[0].get("type", "UNKNOWN")).upper() if params and isinstance(params[0], dict) else "UNKNOWN"
    if received != fmt:
        raise errors.template_format_mismatch(f"header: Format mismatch, expected {fmt}, received {received}")
    if len(params) != 1:
        raise _mismatch("header", len(params), 1)
    kind = fmt.lower()
    media = params[0].get(kind)
    if not isinstance(media, dict):
        raise errors.missing_parameter(f"The parameter header['parameters'][0]['{kind}'] is required.")
    validate_media(kind, media, media_exists)
    return {"type": kind, kind: media}


def _render_buttons(template: Template, comps: list[Any]) -> list[dict[str, Any]]:
    definitions = template.buttons()
    given: dict[int, dict[str, Any]] = {}
    for comp in comps:
        try:
            index = int(comp.get("index"))
        except (TypeError, ValueError) as exc:
            raise errors.invalid_parameter("Param button['index'] must be a number (sent as a string).") from exc
        if not 0 <= index < len(definitions):
            raise errors.invalid_value(f"Button at index {index} does not exist in template {template.name}.")
        sub_type = str(comp.get("sub_type", ""))
        expected = str(definitions[index].get("type", "")).lower()
        if sub_type != expected:
            raise errors.template_format_mismatch(
                f"button at index {index}: sub_type {sub_type!r} does not match the template button type {expected!r}"
            )
        given[index] = comp
    rendered: list[dict[str, Any]] = []
    for index, definition in enumerate(definitions):
        btype = str(definition.get("type", "")).upper()
        params = _params(given.get(index), "button")
        item: dict[str, Any] = {"type": btype.lower(), "text": definition.get("text", ""), "index": index}
        if btype == "URL":
            url = str(definition.get("url", ""))
            names = placeholders(url)
            if len(params) != len(names):
                raise _mismatch(f"button at index {index}", len(params), len(names))
            suffix = [str(p.get("text", "")) for p in params if isinstance(p, dict)]
            item["url"] = _fill(url, dict(zip(names, suffix, strict=False)))
        elif btype == "QUICK_REPLY":
            payload = params[0].get("payload") if params and isinstance(params[0], dict) else None
            if len(params) > 1:
                raise _mismatch(f"button at index {index}", len(params), 1)
            item["payload"] = payload if isinstance(payload, str) else item["text"]
        elif btype == "PHONE_NUMBER":
            item["phone_number"] = definition.get("phone_number")
        rendered.append(item)
    return rendered


def check_send(template_obj: dict[str, Any], registry: TemplateRegistry, media_exists: Any) -> RenderedTemplate:
    """Check a ``template`` send object against the registry; return it rendered or raise GraphError."""
    name = require_str(template_obj, "name", "template")
    language_obj = template_obj.get("language")
    if not isinstance(language_obj, dict):
        raise errors.missing_parameter("The parameter template['language'] is required.")
    code = require_str(language_obj, "code", "template['language']")
    template = registry.get(name, code)
    if template is None or template.status in ("PENDING", "REJECTED"):
        raise errors.template_missing(name, code)
    if template.status == "PAUSED":
        raise errors.template_paused(name)
    if template.status == "DISABLED":
        raise errors.template_disabled(name)
    header_comp, body_comp, button_comps = _components_by_type(template_obj.get("components"))
    header = _render_header(template, header_comp, media_exists)
    body_def = template.component("BODY") or {}
    body_text = str(body_def.get("text", ""))
    names = placeholders(body_text)
    params = _params(body_comp, "body")
    if len(params) != len(names):
        raise _mismatch("body", len(params), len(names))
    body = _fill(body_text, _text_values("body", params, template, names))
    footer_def = template.component("FOOTER")
    return RenderedTemplate(
        name=name,
        language=code,
        category=template.category,
        header=header,
        body=body,
        footer=str(footer_def.get("text")) if footer_def else None,
        buttons=_render_buttons(template, button_comps),
    )
