"""Meta-style serialisation and signing of webhook bodies."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from atende_sim_whatsapp.domain.webhooks import (
    BusinessNumber,
    StatusUpdate,
    inbound_message,
    inbound_payload,
    serialize_meta,
    sign,
    status_payload,
)

pytestmark = pytest.mark.unit
BUSINESS = BusinessNumber(waba_id="1", phone_number_id="2", display_phone_number="551140041234")


def test_serialisation_escapes_non_ascii_in_lowercase_hex_and_is_compact() -> None:
    raw = serialize_meta({"a": "ção 😀", "b": [1, 2]})

    assert raw == b'{"a":"\\u00e7\\u00e3o \\ud83d\\ude00","b":[1,2]}'


def test_optional_slash_escaping() -> None:
    assert serialize_meta({"u": "https://x/y"}, escape_slashes=True) == b'{"u":"https:\\/\\/x\\/y"}'


def test_signature_is_hmac_sha256_hex_of_raw_bytes() -> None:
    raw = b'{"x":"\\u00e9"}'

    assert sign("secret", raw) == "sha256=" + hmac.new(b"secret", raw, hashlib.sha256).hexdigest()


def test_inbound_payload_shape() -> None:
    message = inbound_message(wamid="wamid.1", sender="5511", timestamp=17, msg_type="text", content={"body": "oi"})

    payload = inbound_payload(BUSINESS, wa_id="5511", profile_name="Ana", message=message)

    value = payload["entry"][0]["changes"][0]["value"]
    assert payload["object"] == "whatsapp_business_account"
    assert value["metadata"] == {"display_phone_number": "551140041234", "phone_number_id": "2"}
    assert value["messages"][0] == {
        "from": "5511",
        "id": "wamid.1",
        "timestamp": "17",
        "type": "text",
        "text": {"body": "oi"},
    }


def test_status_payload_has_string_timestamp_and_optional_fields() -> None:
    update = StatusUpdate(wamid="wamid.1", status="sent", timestamp=5, recipient_id="5511")

    status = status_payload(BUSINESS, update)["entry"][0]["changes"][0]["value"]["statuses"][0]

    assert status == {"id": "wamid.1", "status": "sent", "timestamp": "5", "recipient_id": "5511"}
    assert json.loads(serialize_meta(status_payload(BUSINESS, update)))["entry"][0]["id"] == "1"
