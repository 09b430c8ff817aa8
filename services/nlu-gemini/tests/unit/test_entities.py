from __future__ import annotations

import pytest

from atende_nlu_gemini.domain.entities import cnpj_is_valid, cpf_is_valid, extract_entities
from atende_nlu_gemini.domain.labels import EntityKind

pytestmark = pytest.mark.unit


def kinds(text: str) -> list[tuple[str, str, bool]]:
    return [(e.kind.value, e.text, e.valid) for e in extract_entities(text)]


@pytest.mark.parametrize("cpf", ["529.982.247-25", "52998224725", "111.444.777-35", "390 533 447 05"])
def test_valid_cpf_is_found_with_digits_as_value(cpf: str) -> None:
    (entity,) = extract_entities(f"meu cpf é {cpf}")
    assert entity.kind is EntityKind.CPF
    assert entity.valid
    assert entity.value == "".join(c for c in cpf if c.isdigit())
    assert entity.text == cpf


@pytest.mark.parametrize("cpf", ["529.982.247-26", "111.111.111-11", "12345678900"])
def test_invalid_cpf_is_reported_as_invalid(cpf: str) -> None:
    assert kinds(f"cpf {cpf}") == [("cpf", cpf, False)]
    assert not cpf_is_valid(cpf)


def test_cpf_with_missing_digit_after_keyword_is_reported_invalid() -> None:
    assert kinds("segue meu cpf: 529.982.247-2") == [("cpf", "529.982.247-2", False)]


def test_mobile_number_is_not_taken_for_an_invalid_cpf() -> None:
    assert kinds("me liga no 11988887777") == []


def test_cnpj_validation() -> None:
    assert cnpj_is_valid("11.222.333/0001-81")
    assert not cnpj_is_valid("11.222.333/0001-80")
    assert kinds("cnpj 11.222.333/0001-81 e 11.222.333/0001-80") == [
        ("cnpj", "11.222.333/0001-81", True),
        ("cnpj", "11.222.333/0001-80", False),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pago sexta", "sexta"),
        ("recebo dia 15 e pago", "dia 15"),
        ("vence 15/12?", "15/12"),
        ("pode ser segunda-feira de manha", "segunda-feira"),
        ("pago amanhã cedo", "amanhã"),
        ("fatura de 10/12/2024", "10/12/2024"),
    ],
)
def test_dates_are_kept_as_written(text: str, expected: str) -> None:
    dates = [e for e in extract_entities(text) if e.kind is EntityKind.DATE]
    assert [d.text for d in dates] == [expected]


def test_segunda_via_is_not_a_date() -> None:
    assert [e for e in extract_entities("quero a segunda via") if e.kind is EntityKind.DATE] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("R$ 99,90", "99.90"),
        ("R$1.299,90", "1299.90"),
        ("99 reais", "99.00"),
        ("paguei 89,90", "89.90"),
    ],
)
def test_money_is_normalised(text: str, value: str) -> None:
    money = [e for e in extract_entities(text) if e.kind is EntityKind.MONEY]
    assert [m.value for m in money] == [value]


def test_contract_number() -> None:
    assert kinds("segunda via do contrato nº 88213") == [("contract", "88213", True)]


def test_spans_point_into_the_original_text() -> None:
    text = "Ação: cpf 529.982.247-25, R$ 10,00 até sábado"
    for entity in extract_entities(text):
        assert text[entity.start : entity.end] == entity.text


@pytest.mark.parametrize("written", ["12.ABC.345/01DE-35", "12.abc.345/01de-35", "12ABC34501DE35", "12abc34501de35"])
def test_alphanumeric_cnpjs_are_extracted_in_their_normal_form(written: str) -> None:
    (entity,) = extract_entities(f"o cnpj da empresa é {written}, obrigado")
    assert (entity.kind.value, entity.text, entity.value, entity.valid) == ("cnpj", written, "12ABC34501DE35", True)


def test_a_word_shaped_like_an_alphanumeric_cnpj_is_not_an_entity() -> None:
    assert kinds("codigo PROMOCAOJUL26 e 12ABC34501DE36") == []
