import pytest

from atende_core.documents import (
    cnpj_with_check_digits,
    cpf_with_check_digits,
    is_valid_cnpj,
    is_valid_cpf,
    mask_document,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("cpf", ["529.982.247-25", "52998224725", " 529 982 247 25 "])
def test_valid_cpf_in_any_punctuation(cpf: str) -> None:
    assert is_valid_cpf(cpf)


@pytest.mark.parametrize("cpf", ["529.982.247-26", "11111111111", "1234567890", "", "abc"])
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
