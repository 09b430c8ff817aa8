"""Envelope encryption of personal data and the pseudonymous conversation id."""

from __future__ import annotations

import base64
import json
import os

import pytest

from atende_core.errors import ConfigurationError
from atende_core.ids import conversation_id, conversation_id_from_bytes, conversation_id_key
from atende_core.pii import Keyring, PiiDecryptError, is_ciphertext
from atende_core.settings import Environment, ServiceSettings

pytestmark = pytest.mark.unit


def _key() -> bytes:
    return os.urandom(32)


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_text_round_trip_hides_the_value_and_binds_the_purpose() -> None:
    ring = Keyring(key_id="k1", master_key=_key())
    token = ring.encrypt_str("123.456.789-09", purpose="customer.document")
    assert token.startswith("pii1:")
    assert "123" not in token
    assert "456" not in token
    assert ring.decrypt_str(token, purpose="customer.document") == "123.456.789-09"
    assert ring.decrypt_str(token.encode(), purpose="customer.document") == "123.456.789-09"
    with pytest.raises(PiiDecryptError):
        ring.decrypt_str(token, purpose="customer.name")  # moved to another field: refused
    # Same value twice: different ciphertexts (random nonces), both open.
    assert ring.encrypt_str("x", purpose="p") != ring.encrypt_str("x", purpose="p")


def test_bytes_round_trip_and_tampering_is_detected() -> None:
    ring = Keyring(key_id="k1", master_key=_key())
    blob = ring.encrypt_bytes(b"\x00binary\xff", purpose="p")
    assert ring.decrypt_bytes(blob, purpose="p") == b"\x00binary\xff"
    flipped = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(PiiDecryptError):
        ring.decrypt_bytes(flipped, purpose="p")
    with pytest.raises(PiiDecryptError):
        ring.decrypt_bytes(blob[:20], purpose="p")
    for junk in ("5511987654321", "pii1:***", "pii1:", ""):
        with pytest.raises(PiiDecryptError):
            ring.decrypt_str(junk, purpose="p")


def test_rotation_reads_old_values_and_writes_under_the_new_key() -> None:
    old_key, new_key = _key(), _key()
    old = Keyring(key_id="2026-01", master_key=old_key)
    written = old.encrypt_str("Maria Souza", purpose="name")
    rotated = Keyring(key_id="2026-07", master_key=new_key, previous={"2026-01": old_key})
    assert rotated.decrypt_str(written, purpose="name") == "Maria Souza"
    rewritten = rotated.encrypt_str("Maria Souza", purpose="name")
    with pytest.raises(PiiDecryptError):
        old.decrypt_str(rewritten, purpose="name")  # the old keyring does not know the new key id
    dropped = Keyring(key_id="2026-07", master_key=new_key)
    with pytest.raises(PiiDecryptError):
        dropped.decrypt_str(written, purpose="name")  # retired key: the value is gone


def test_a_wrong_key_with_the_same_id_does_not_open() -> None:
    token = Keyring(key_id="k", master_key=_key()).encrypt_str("x", purpose="p")
    with pytest.raises(PiiDecryptError):
        Keyring(key_id="k", master_key=_key()).decrypt_str(token, purpose="p")


def test_data_keys_rotate_by_period_and_old_ones_still_open() -> None:
    ring = Keyring(key_id="k", master_key=_key(), dek_rotation_s=0.0)
    first = ring.encrypt_str("a", purpose="p")
    second = ring.encrypt_str("b", purpose="p")
    header = len("pii1:") + 80  # kid + wrapped DEK, in base64 characters (approximately)
    assert first[:header] != second[:header]
    assert [ring.decrypt_str(first, purpose="p"), ring.decrypt_str(second, purpose="p")] == ["a", "b"]


def test_json_documents_encrypt_only_the_listed_fields() -> None:
    ring = Keyring(key_id="k", master_key=_key())
    doc = {"_id": "t1", "text": "meu cpf 123.456.789-09", "role": "customer", "extra": {"a": [1]}, "none": None}
    sealed = ring.encrypt_fields(doc, ["text", "extra", "none", "missing"], purpose="turn")
    assert sealed["_id"] == "t1"
    assert sealed["role"] == "customer"
    assert sealed["none"] is None
    assert is_ciphertext(sealed["text"])
    assert is_ciphertext(sealed["extra"])
    assert "123.456" not in json.dumps(sealed)
    assert ring.decrypt_fields(sealed, ["text", "extra", "none", "missing"], purpose="turn") == doc
    swapped = {**sealed, "text": sealed["extra"]}
    with pytest.raises(PiiDecryptError):
        ring.decrypt_fields(swapped, ["text"], purpose="turn")


def test_settings_build_the_keyring_and_production_refuses_the_development_key() -> None:
    dev = Keyring.from_settings(ServiceSettings(environment=Environment.TEST))
    assert dev.decrypt_str(dev.encrypt_str("x", purpose="p"), purpose="p") == "x"
    with pytest.raises(ConfigurationError, match="PII_MASTER_KEY"):
        Keyring.from_settings(ServiceSettings(environment=Environment.PRODUCTION))
    old, new = _key(), _key()
    token = Keyring(key_id="old", master_key=old).encrypt_str("v", purpose="p")
    settings = ServiceSettings(
        environment=Environment.PRODUCTION,
        pii_master_key=_b64(new),
        pii_master_key_id="new",
        pii_previous_keys=json.dumps({"old": _b64(old)}),
    )
    assert Keyring.from_settings(settings).decrypt_str(token, purpose="p") == "v"
    for bad in ({"pii_master_key": "not base64!"}, {"pii_master_key": _b64(b"short")}, {"pii_previous_keys": "[1]"}):
        with pytest.raises(ConfigurationError):
            Keyring.from_settings(ServiceSettings(environment=Environment.TEST, **bad))
    with pytest.raises(ConfigurationError):
        Keyring(key_id="a:b", master_key=_key())


def test_conversation_ids_are_deterministic_opaque_and_keyed() -> None:
    cid = conversation_id(phone_number_id="106540352242922", wa_id="5511987654321", key=b"k")
    assert cid == conversation_id(phone_number_id="106540352242922", wa_id="+5511987654321", key=b"k")
    assert cid == conversation_id_from_bytes(phone_number_id=b"106540352242922", wa_id=b"5511987654321", key=b"k")
    assert cid.startswith("c_")
    assert len(cid) == 24
    assert "5511987654321" not in cid
    assert "987654321" not in cid
    assert ":" not in cid
    assert cid != conversation_id(phone_number_id="106540352242922", wa_id="5511987654321", key=b"other")
    assert cid != conversation_id(phone_number_id="1", wa_id="5511987654321", key=b"k")
    assert all(c.isalnum() or c in "_-" for c in cid)


def test_production_refuses_the_development_conversation_id_key() -> None:
    assert conversation_id_key(ServiceSettings(environment=Environment.TEST))
    with pytest.raises(ConfigurationError, match="CONVERSATION_ID_KEY"):
        conversation_id_key(ServiceSettings(environment=Environment.PRODUCTION))
    real = ServiceSettings(environment=Environment.PRODUCTION, conversation_id_key="x" * 40)
    assert conversation_id_key(real) == b"x" * 40
