"""Graph API errors as Meta returns them.

Tree:
    GraphError (one error response: HTTP status + Meta error object)

Each constructor below mirrors one code of the reference's §5.3 table; the message follows Meta's
``"(#code) title"`` pattern and the specifics travel in ``error_data.details``.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from typing import Any

_TRACE_ALPHABET = string.ascii_letters + string.digits + "-_"
ERROR_HREF = "https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes"


def fbtrace_id() -> str:
    """Return a random trace id shaped like Meta's ``fbtrace_id``."""
    return "A" + "".join(secrets.choice(_TRACE_ALPHABET) for _ in range(22))


@dataclass
class GraphError(Exception):
    """One Graph API error: what the HTTP response carries."""

    http_status: int
    code: int
    title: str
    details: str | None = None
    error_subcode: int | None = None
    error_type: str = "OAuthException"
    message: str | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.title)

    @property
    def full_message(self) -> str:
        """Return the ``message`` field: Meta prefixes the code except for token errors."""
        return self.message if self.message is not None else f"(#{self.code}) {self.title}"

    def body(self) -> dict[str, Any]:
        """Return the JSON body Meta sends for this error."""
        err: dict[str, Any] = {"message": self.full_message, "type": self.error_type, "code": self.code}
        if self.details is not None:
            err["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        if self.error_subcode is not None:
            err["error_subcode"] = self.error_subcode
        err["fbtrace_id"] = fbtrace_id()
        return {"error": err}

    def status_error(self) -> dict[str, Any]:
        """Return the ``errors[]`` item of a ``failed`` status webhook for this error."""
        item: dict[str, Any] = {"code": self.code, "title": self.title, "message": self.title}
        if self.details is not None:
            item["error_data"] = {"details": self.details}
        item["href"] = ERROR_HREF
        return item


def invalid_parameter(details: str) -> GraphError:
    """Return 100: an unknown, malformed or wrongly typed parameter."""
    return GraphError(400, 100, "Invalid parameter", details)


def missing_parameter(details: str) -> GraphError:
    """Return 131008: a required parameter is missing."""
    return GraphError(400, 131008, "Required parameter is missing", details)


def invalid_value(details: str) -> GraphError:
    """Return 131009: a parameter value breaks a limit (length, count, uniqueness)."""
    return GraphError(400, 131009, "Parameter value is not valid", details)


def messaging_product_required() -> GraphError:
    """Return the error Meta gives when ``messaging_product`` is missing or wrong."""
    return GraphError(400, 100, "The parameter messaging_product is required.", None)


def unknown_object(object_id: str, method: str) -> GraphError:
    """Return 100/33: the path names an object that does not exist (wrong id)."""
    return GraphError(
        400,
        100,
        "Unsupported request",
        None,
        error_subcode=33,
        message=(
            f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation. Please read the Graph "
            "API documentation at https://developers.facebook.com/docs/graph-api"
        ),
    )


def token_missing() -> GraphError:
    """Return 104: no access token at all."""
    return GraphError(
        401,
        104,
        "Access token required",
        None,
        message="An access token is required to request this resource.",
    )


def token_invalid() -> GraphError:
    """Return 190: the Bearer token is not the configured one."""
    return GraphError(
        401,
        190,
        "Invalid OAuth access token",
        None,
        message="Invalid OAuth access token - Cannot parse access token",
    )


def token_expired(expired_at: str) -> GraphError:
    """Return 190/463: the token expired (failure injection)."""
    return GraphError(
        401,
        190,
        "Access token has expired",
        None,
        error_subcode=463,
        message=f"Error validating access token: Session has expired on {expired_at}.",
    )


def throughput_reached(limit_mps: float) -> GraphError:
    """Return 130429: the phone number's messages-per-second throughput was exceeded."""
    return GraphError(
        429,
        130429,
        "Rate limit hit",
        f"Cloud API message throughput has been reached ({limit_mps:g} messages per second).",
        error_subcode=2494055,
    )


def pair_rate_hit() -> GraphError:
    """Return 131056: too many messages to the same recipient in a short time."""
    return GraphError(
        429,
        131056,
        "(Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone number "
        "to the same phone number in a short period of time.",
    )


def reengagement() -> GraphError:
    """Return 131047: free-form message outside the 24-hour customer-service window."""
    return GraphError(
        400,
        131047,
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
    )


def undeliverable() -> GraphError:
    """Return 131026: the recipient cannot receive the message."""
    return GraphError(
        400,
        131026,
        "Message undeliverable",
        "Message Undeliverable.",
    )


def server_error() -> GraphError:
    """Return 131000: a transient server problem (retry with backoff)."""
    return GraphError(500, 131000, "Something went wrong", "Something went wrong. Please try again later.")


def media_upload_error(details: str) -> GraphError:
    """Return 131053: media could not be uploaded or fetched."""
    return GraphError(400, 131053, "Media upload error", details)


def template_param_mismatch(details: str) -> GraphError:
    """Return 132000: template parameter count differs from the definition."""
    return GraphError(400, 132000, "Number of parameters does not match the expected number of params", details)


def template_missing(name: str, language: str) -> GraphError:
    """Return 132001: no approved template with that name in that language."""
    return GraphError(
        404,
        132001,
        "Template name does not exist in the translation",
        f"template name ({name}) does not exist in {language}",
    )


def template_format_mismatch(details: str) -> GraphError:
    """Return 132012: a template parameter has the wrong format/type."""
    return GraphError(400, 132012, "Parameter format does not match format in the created template", details)


def template_paused(name: str) -> GraphError:
    """Return 132015: template paused because of low quality."""
    return GraphError(400, 132015, "Template is Paused", f"Template {name} is paused due to low quality.")


def template_disabled(name: str) -> GraphError:
    """Return 132016: template permanently disabled."""
    return GraphError(400, 132016, "Template is Disabled", f"Template {name} has been disabled.")
