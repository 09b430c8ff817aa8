import json
import logging
from collections.abc import Iterator

import pytest

from atende_core.logging import configure_logging
from atende_core.masking import mask_text, mask_value

pytestmark = pytest.mark.unit


def test_free_text_is_masked() -> None:
    text = "cpf 529.982.247-25 fone +55 11 98765-4321 Authorization: Bearer abc.def token=xyz"
    masked = mask_text(text)
    assert "529.982.247-25" not in masked
    assert "98765-4321" not in masked
    assert "abc.def" not in masked
    assert "xyz" not in masked
    assert masked.endswith("token=***")


def test_structured_fields_are_masked_by_name() -> None:
    assert mask_value("access_token", "EAAG123") == "***"
    assert mask_value("wa_id", "5511987654321") == "*********4321"
    assert mask_value("payload", {"cpf": "52998224725", "note": "ok"}) == {"cpf": "***", "note": "ok"}


@pytest.fixture
def _restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("_restore_root_logger")
def test_log_lines_are_ecs_json_without_pii(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(service_name="unit", level="INFO")
    logging.getLogger("unit").info("customer %s wrote", "52998224725", extra={"phone": "5511987654321"})
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["service"]["name"] == "unit"
    assert line["log.level"] == "info"
    assert "52998224725" not in json.dumps(line)
    assert line["phone"] == "*********4321"
