import json
import logging
from collections.abc import Iterator

import pytest

from atende_core.logging import configure_logging
from atende_core.masking import mask_text, mask_value, redact_text

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


# --- the shapes PII and secrets take in real log lines -----------------------------------------------


@pytest.mark.parametrize("wa_id", ["5511987654321", "+5511987654321", "551132654321", "+14155552671"])
def test_e164_numbers_in_the_wa_id_form_are_masked(wa_id: str) -> None:
    masked = mask_text(f"inbound from {wa_id} accepted")
    assert wa_id.lstrip("+") not in masked
    assert masked.endswith(f"{wa_id[-4:]} accepted")


def test_old_form_conversation_ids_keep_the_business_number_and_mask_the_customer() -> None:
    masked = mask_text("state saved for 106540352242922:5511987654321 (turn 3)")
    assert masked == "state saved for 106540352242922:*********4321 (turn 3)"
    assert mask_value("conversation_id", "106540352242922:5511987654321") == "106540352242922:*********4321"
    assert mask_text("/conversations/106540352242922%3A5511987654321/claim") == (
        "/conversations/106540352242922%3A*********4321/claim"
    )


@pytest.mark.parametrize(
    "opaque", ["c1_Yk3vQ2hPZ0w9XbqR7sT4uA", "cv_9f3ab07e4d2c1a8bd0e6f5a4c3b2e1f0", "3f9a0b7e4d2c1a8b"]
)
def test_opaque_conversation_ids_are_left_alone(opaque: str) -> None:
    assert mask_text(f"state saved for {opaque}") == f"state saved for {opaque}"


@pytest.mark.parametrize(
    "cpf", ["529 982 247 25", "529.982.247-25", "529-982-247-25", "529.982.247/25", "52998224725", "529 982 247-25"]
)
def test_cpfs_with_any_separator_are_masked(cpf: str) -> None:
    masked = mask_text(f"o cpf é {cpf}, ok")
    assert masked == "o cpf é ***.***.***-**, ok"


@pytest.mark.parametrize("cnpj", ["12.ABC.345/01DE-35", "12abc34501de35", "12 ABC 345 01DE 35"])
def test_alphanumeric_cnpjs_are_masked(cnpj: str) -> None:
    assert mask_text(f"empresa {cnpj} identificada") == "empresa **.***.***/****-** identificada"


def test_words_shaped_like_an_alphanumeric_cnpj_but_with_wrong_check_digits_stay() -> None:
    assert mask_text("release PROMOCAOJUL26 ok") == "release PROMOCAOJUL26 ok"
    assert mask_text("code 12ABC34501DE36") == "code 12ABC34501DE36"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("connecting to rediss://atende:s3cr3t-pw@redis.internal:6380/0", "s3cr3t-pw"),
        ("connecting to redis://:onlypass@10.0.0.5:6379", "onlypass"),
        ("GET https://EAAGtoken123@graph.example/v25.0/me", "EAAGtoken123"),
        ("GET https://sgp.example/api/ura/titulos/?token=abc-123-def&app=Atende", "abc-123-def"),
        ("GET http://127.0.0.1:41641/api/ura/manutencao/list/?token=it-token&app=Atende", "it-token"),
        ("redis at cache:6379/0?password=pw-77", "pw-77"),
        ("GET https://graph.example/v25.0/123?access_token=EAAGxyz&fields=id", "EAAGxyz"),
        ("GET https://media.example/file?oe=1&sig=deadbeef42", "deadbeef42"),
        ("mongodb://root:hunter2@mongo:27017/atende", "hunter2"),
        ("GET /webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=vt-0042&hub.challenge=1", "vt-0042"),
        ("SGP_TOKEN=sgp-secret-9 WHATSAPP_ACCESS_TOKEN: EAAGabc", "sgp-secret-9"),
        ("Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
    ],
)
def test_credentials_inside_urls_are_masked(text: str, secret: str) -> None:
    masked = mask_text(text)
    assert secret not in masked
    assert "***" in masked


def test_token_counts_are_not_secrets() -> None:
    assert mask_text("prompt_tokens=120 max_output_tokens: 512") == "prompt_tokens=120 max_output_tokens: 512"


def test_url_user_info_keeps_scheme_and_host() -> None:
    assert mask_text("rediss://user:pass@cache:6380/0") == "rediss://***@cache:6380/0"


def test_emails_keep_only_their_domain() -> None:
    assert mask_text("enviado para joao.silva+boleto@gmail.com hoje") == "enviado para ***@gmail.com hoje"
    assert mask_value("email", "maria@provedor.com.br") == "***@provedor.com.br"


def test_fields_named_like_a_transition_are_not_emptied() -> None:
    assert mask_value("from", "await_document") == "await_document"
    assert mask_value("to", "5511987654321") == "*********4321"


def test_redaction_for_third_parties_uses_placeholders() -> None:
    text = (
        "meu cpf é 529 982 247 25, cnpj 12.ABC.345/01DE-35 e 11.222.333/0001-81, "
        "zap +55 11 98765-4321 ou 5511987654321, email joao@gmail.com"
    )
    assert redact_text(text) == ("meu cpf é [CPF], cnpj [CNPJ] e [CNPJ], zap [TELEFONE] ou [TELEFONE], email [EMAIL]")


def test_redaction_leaves_money_dates_and_contracts() -> None:
    text = "paguei R$ 129,90 no dia 10/03, contrato 48213"
    assert redact_text(text) == text


@pytest.mark.usefixtures("_restore_root_logger")
def test_exception_messages_and_tracebacks_are_masked(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(service_name="unit", level="INFO")
    log = logging.getLogger("unit")

    def lookup(document: str, url: str) -> None:
        msg = f"customer {document} not found at {url}"
        raise LookupError(msg)

    try:
        lookup("529.982.247-25", "rediss://u:topsecret@cache:6380")
    except LookupError:
        log.exception("lookup failed for 5511987654321")
    log.warning("stack here", stack_info=True, extra={"note": "joao@gmail.com"})
    out = capsys.readouterr().out
    first, second = (json.loads(line) for line in out.strip().splitlines()[-2:])
    assert first["error"]["type"] == "LookupError"
    assert "customer ***.***.***-** not found" in first["error"]["message"]
    assert "topsecret" not in out
    assert "529.982.247-25" not in out
    assert "5511987654321" not in out
    assert "joao@gmail.com" not in out
    assert "lookup" in first["error"]["stack_trace"]
    assert second["note"] == "***@gmail.com"
    assert "stack here" in second["message"]
