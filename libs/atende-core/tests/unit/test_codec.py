import pytest

from atende.nlu.v1.nlu_pb2 import AnalyzeText
from atende_core.bus import DecodeError, decode, encode

pytestmark = pytest.mark.unit


def test_round_trip_carries_cloudevents_headers() -> None:
    value, headers = encode(AnalyzeText(request_id="r1", text="oi"), source="atende/test")
    assert headers["ce_type"] == "atende.nlu.v1.AnalyzeText"
    assert headers["ce_specversion"] == "1.0"
    assert headers["content-type"] == "application/x-protobuf"
    event, envelope = decode(value, headers)
    assert isinstance(event, AnalyzeText)
    assert event.text == "oi"
    assert envelope.id == headers["ce_id"]
    assert envelope.source == "atende/test"


@pytest.mark.parametrize(
    ("value", "headers"),
    [
        (b"\x00\xff garbage", {"ce_type": "atende.nlu.v1.AnalyzeText"}),
        (b"", {"ce_type": "atende.nlu.v1.NoSuchThing"}),
        (b"", {}),
        (None, {"ce_type": "atende.nlu.v1.AnalyzeText"}),
    ],
)
def test_poison_values_raise_decode_error(value: bytes | None, headers: dict[str, str]) -> None:
    with pytest.raises(DecodeError):
        decode(value, headers)
