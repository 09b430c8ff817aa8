import pytest

from atende_core.documents import (
    cnpj_with_check_digits,
    cpf_with_check_digits,
    digits_only,
    document_key,
    document_type,
    format_cnpj,
    format_document,
    is_valid_cnpj,
    is_valid_cpf,
    is_valid_document,
    mask_document,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("cpf", ["529.982.247-25", "52998224725", " 529 982 247 25 "])
def test_valid_cpf_in_any_punctuation(cpf: str) -> None:
    assert is_valid_cpf(cpf)


@pytest.mark.parametrize("cpf", ["529.982.247-26", "11111111111", "1234567890", "", "abc", "5299822472A"])
def test_invalid_cpf(cpf: str) -> None:
    assert not is_valid_cpf(cpf)


def test_cnpj_check_digits() -> None:
    assert is_valid_cnpj("11.222.333/0001-81")
    assert not is_valid_cnpj("11.222.333/0001-82")
    assert is_valid_cnpj(cnpj_with_check_digits("112223330001"))


def test_generated_cpf_is_valid() -> None:
    assert cpf_with_check_digits("529982247") == "52998224725"


def test_masks_keep_only_middle_digits() -> None:
    assert mask_document("52998224725") == "***.982.247-**"
    assert mask_document("11222333000181") == "**.222.333/0001-**"
    assert mask_document("12.abc.345/01de-35") == "**.ABC.345/01DE-**"


# --- alphanumeric CNPJ (Receita Federal, from July 2026) ------------------------------------------


def _independent_check_digits(body12: str) -> str:
    """A second implementation, written from the specification: value = ASCII code - 48, weights 2..9
    cycling from the right, DV = 0 when the remainder is below 2, else 11 - remainder."""

    def dv(chars: str) -> int:
        total = 0
        for position, char in enumerate(reversed(chars)):
            total += (ord(char) - ord("0")) * (2 + position % 8)
        remainder = total % 11
        return 0 if remainder < 2 else 11 - remainder

    first = dv(body12)
    return f"{first}{dv(body12 + str(first))}"


def test_the_published_example_of_the_specification_is_valid() -> None:
    # The example of SERPRO's "Cálculo dos dígitos verificadores de CNPJ alfanumérico" manual.
    assert is_valid_cnpj("12.ABC.345/01DE-35")
    assert is_valid_cnpj("12ABC34501DE35")
    assert _independent_check_digits("12ABC34501DE") == "35"


@pytest.mark.parametrize("body", ["12ABC34501DE", "A1B2C3D4E5F6", "ZZZZZZZZ0001", "00000000000A", "9X8Y7W6V5U4T"])
def test_alphanumeric_cnpjs_with_independently_computed_check_digits_are_valid(body: str) -> None:
    cnpj = body + _independent_check_digits(body)
    assert cnpj_with_check_digits(body) == cnpj
    assert is_valid_cnpj(cnpj)
    assert document_type(cnpj) == "cnpj"
    assert is_valid_document(format_cnpj(cnpj))


def test_numeric_cnpjs_keep_their_check_digits_under_the_new_rule() -> None:
    assert _independent_check_digits("112223330001") == "81"


@pytest.mark.parametrize(
    "typed", ["12.abc.345/01de-35", " 12 ABC 345 01DE 35 ", "12abc34501de35", "12-ABC.345/01DE.35"]
)
def test_lower_case_and_any_punctuation_are_normalised(typed: str) -> None:
    assert document_key(typed) == "12ABC34501DE35"
    assert is_valid_cnpj(typed)
    assert format_document(typed) == "12.ABC.345/01DE-35"


@pytest.mark.parametrize(
    "cnpj",
    [
        "12.ABC.345/01DE-36",  # wrong second check digit
        "12.ABC.345/01DE-45",  # wrong first check digit
        "12.ABD.345/01DE-35",  # one character changed
        "12.ABC.345/01DE-3A",  # check digits are always numeric
        "12.ÁBC.345/01DE-35",  # only A-Z
        "AAAAAAAAAAAAAA",
        "12ABC34501DE3",
        "",
    ],
)
def test_invalid_alphanumeric_cnpjs(cnpj: str) -> None:
    assert not is_valid_cnpj(cnpj)
    assert not is_valid_document(cnpj)


def test_digits_only_is_for_phones_and_would_lose_the_letters() -> None:
    assert digits_only("12.ABC.345/01DE-35") == "1234501" + "35"
    assert document_key("529.982.247-25") == digits_only("529.982.247-25")


def test_the_blind_index_input_is_the_document_key() -> None:
    from atende_core.crypto import blind_index

    key = b"k" * 32
    assert blind_index("12.abc.345/01de-35", key) == blind_index("12ABC34501DE35", key)
    assert blind_index("12ABC34501DE35", key) != blind_index("1234501" + "35", key)  # letters count
    assert blind_index("529.982.247-25", key) == blind_index("52998224725", key)
    assert blind_index("+55 (11) 98765-4321", key) == blind_index("5511987654321", key)
