import hashlib
import hmac

import pytest

from atende_core.ids import conversation_id
from atende_gateway.domain.webhook import (
    SignatureProblem,
    handshake_challenge,
    partition_key,
    phone_number_id_hint,
    sign,
    signature_problem,
)

pytestmark = pytest.mark.unit

SECRET = b"app-secret"
# What Meta sends for "Olá, ação!": non-ASCII escaped as \uXXXX, and that exact text is what it signs.
ESCAPED = (
    b'{"entry":[{"changes":[{"value":{"metadata":{"phone_number_id":"106540352242922"},'
    b'"messages":[{"text":{"body":"Ol\\u00e1, a\\u00e7\\u00e3o!"}}]}}]}]}'
)


def header_for(body: bytes, secret: bytes = SECRET) -> bytes:
    return sign(body, secret=secret).encode()


def test_a_signature_over_the_raw_bytes_is_accepted() -> None:
    assert signature_problem(ESCAPED, header_for(ESCAPED), secret=SECRET) is None


def test_the_signature_is_lowercase_hex_hmac_sha256_with_the_prefix() -> None:
    expected = "sha256=" + hmac.new(SECRET, ESCAPED, hashlib.sha256).hexdigest()
    assert sign(ESCAPED, secret=SECRET) == expected


def test_uppercase_hex_is_the_same_digest() -> None:
    header = b"sha256=" + header_for(ESCAPED)[7:].upper()
    assert signature_problem(ESCAPED, header, secret=SECRET) is None


def test_re_serialised_json_does_not_verify() -> None:
    """The classic bug: hashing json.dumps(json.loads(body)) instead of the raw bytes."""
    import json

    reserialised = json.dumps(json.loads(ESCAPED), ensure_ascii=False).encode()
    assert signature_problem(reserialised, header_for(ESCAPED), secret=SECRET) is SignatureProblem.INVALID


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        (None, SignatureProblem.MISSING),
        (b"", SignatureProblem.MISSING),
        (b"sha1=" + b"a" * 40, SignatureProblem.MALFORMED),
        (b"sha256=" + b"z" * 64, SignatureProblem.MALFORMED),
        (b"sha256=abc", SignatureProblem.MALFORMED),
        (b"a" * 71, SignatureProblem.MALFORMED),
        (b"sha256=" + "é".encode() * 32, SignatureProblem.MALFORMED),
    ],
)
def test_missing_and_malformed_headers_are_named(header: bytes | None, problem: SignatureProblem) -> None:
    assert signature_problem(ESCAPED, header, secret=SECRET) is problem


def test_a_tampered_body_or_another_secret_is_invalid() -> None:
    header = header_for(ESCAPED)
    assert (
        signature_problem(ESCAPED.replace(b"a\\u00e7", b"b\\u00e7"), header, secret=SECRET) is SignatureProblem.INVALID
    )
    assert signature_problem(ESCAPED, header_for(ESCAPED, b"other"), secret=SECRET) is SignatureProblem.INVALID


def test_handshake_echoes_the_challenge_only_for_the_right_token() -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444"}
    assert handshake_challenge(params, verify_token=b"tok") == "1158201444"
    assert handshake_challenge({**params, "hub.verify_token": "bad"}, verify_token=b"tok") is None
    assert handshake_challenge({**params, "hub.mode": "unsubscribe"}, verify_token=b"tok") is None
    assert handshake_challenge({**params, "hub.challenge": ""}, verify_token=b"tok") is None
    assert handshake_challenge({**params, "hub.challenge": "9" * 300}, verify_token=b"tok") is None


def test_an_empty_configured_token_never_matches() -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    assert handshake_challenge(params, verify_token=b"") is None


def test_the_phone_number_id_hint_is_found_without_parsing() -> None:
    assert phone_number_id_hint(ESCAPED) == "106540352242922"
    assert phone_number_id_hint(b'{"metadata": { "phone_number_id" : "42" }}') == "42"
    assert phone_number_id_hint(b'{"object":"page"}') == ""
    assert phone_number_id_hint(b"\xff\xfe not json") == ""


def test_the_partition_key_is_the_conversation_of_the_first_customer() -> None:
    message = b'{"metadata":{"phone_number_id":"1"},"contacts":[{"wa_id":"5511"}],"messages":[{"from":"5511"}]}'
    status = b'{"metadata":{"phone_number_id":"1"},"statuses":[{"id":"wamid.x","recipient_id":"5522"}]}'
    key = b"test-id-key"
    # The same pseudonymous id the connector gives the conversation, never the customer's number.
    assert partition_key(message, "1", id_key=key) == conversation_id(phone_number_id="1", wa_id="5511", key=key)
    assert partition_key(status, "1", id_key=key) == conversation_id(phone_number_id="1", wa_id="5522", key=key)
    assert "5511" not in partition_key(message, "1", id_key=key)
    assert partition_key(b'{"metadata":{"phone_number_id":"1"}}', "1", id_key=key) == "1"
    assert partition_key(b"{}", "", id_key=key) == ""
