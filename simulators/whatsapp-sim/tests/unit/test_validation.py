"""Send validation rules and their Meta error codes, without HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from atende_sim_whatsapp.domain.errors import GraphError
from atende_sim_whatsapp.domain.validation import validate_read, validate_send

pytestmark = pytest.mark.unit


def no_media(_: str) -> bool:
    return False


def body(kind: str, content: Any) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": "+55 (11) 98765-4321", "type": kind, kind: content}


def code_of(payload: dict[str, Any]) -> int:
    with pytest.raises(GraphError) as info:
        validate_send(payload, no_media)
    return info.value.code


def test_text_is_parsed_with_wa_id_digits() -> None:
    request = validate_send(body("text", {"body": "oi"}), no_media)

    assert request.wa_id == "5511987654321"
    assert request.to == "+55 (11) 98765-4321"
    assert request.type == "text"


def test_type_defaults_to_text() -> None:
    payload = body("text", {"body": "oi"})
    del payload["type"]

    assert validate_send(payload, no_media).type == "text"


def test_limits() -> None:
    assert code_of(body("text", {"body": "x" * 4097})) == 131009
    assert code_of(body("text", {"body": 5})) == 100
    assert code_of(body("text", {"body": "  "})) == 131009
    assert code_of({**body("text", {"body": "a"}), "biz_opaque_callback_data": "x" * 513}) == 131009
    assert code_of({**body("text", {"body": "a"}), "image": {"link": "https://x"}}) == 100


def test_exactly_ten_rows_is_fine() -> None:
    rows = [{"id": f"r{i}", "title": f"t{i}"} for i in range(10)]
    interactive = {
        "type": "list",
        "body": {"text": "b"},
        "action": {"button": "b", "sections": [{"title": "s", "rows": rows}]},
    }

    assert validate_send(body("interactive", interactive), no_media).type == "interactive"


def test_duplicate_row_ids() -> None:
    rows = [{"id": "same", "title": "a"}, {"id": "same", "title": "b"}]
    interactive = {
        "type": "list",
        "body": {"text": "b"},
        "action": {"button": "b", "sections": [{"rows": rows}]},
    }

    assert code_of(body("interactive", interactive)) == 131009


def test_read_requests() -> None:
    assert validate_read({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.1"}).typing is False
    typing = validate_read(
        {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": "w",
            "typing_indicator": {"type": "text"},
        }
    )
    assert typing.typing is True
    with pytest.raises(GraphError):
        validate_read({"messaging_product": "whatsapp", "status": "delivered", "message_id": "w"})
    with pytest.raises(GraphError):
        validate_read(
            {
                "messaging_product": "whatsapp",
                "status": "read",
                "message_id": "w",
                "typing_indicator": {"type": "x"},
            }
        )


def test_error_body_shape() -> None:
    with pytest.raises(GraphError) as info:
        validate_send(body("text", {}), no_media)

    error = info.value.body()["error"]
    assert error["message"] == "(#131008) Required parameter is missing"
    assert error["error_data"] == {
        "messaging_product": "whatsapp",
        "details": "The parameter text['body'] is required.",
    }
    assert info.value.status_error()["title"] == "Required parameter is missing"
