from __future__ import annotations

import pytest

from atende_nlu_gemini.domain.concepts import concept_tags
from atende_nlu_gemini.domain.text import fold, normalize

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tá LENTOOO 😡", "esta lento emoneg"),
        ("preciso da 2a via", "preciso da segunda via"),
        ("2ª via pfv 🙏", "segunda via por favor emopray"),
        ("vc é um robô?", "voce e um robo ?"),
        ("oii bom diaaa", "oi bom dia"),
        ("obrigadooo ❤️", "obrigado emopos"),
        ("errrrado", "errado"),
        ("wi-fi fraco", "wifi fraco"),
        ("tbm n recebi", "tambem nao recebi"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_numbers_become_placeholders() -> None:
    assert normalize("cpf 529.982.247-25, R$ 99,90 dia 10/12") == "cpf _cpf_ _money_ dia _date_"
    assert normalize("speedtest deu 5mb") == "speedtest deu _num_ mega"


def test_masked_documents_from_the_feedback_store_keep_their_meaning() -> None:
    assert normalize("<cpf> segunda via") == normalize("529.982.247-25 segunda via")


def test_fold_keeps_length() -> None:
    text = "Ação não é fácil, Sábado"
    assert len(fold(text)) == len(text)
    assert fold(text) == "acao nao e facil, sabado"


def test_concepts_mark_domain_meaning_and_its_absence() -> None:
    assert concept_tags(normalize("o cabo da fibra arrebentou")).startswith("c_outage")
    assert concept_tags(normalize("me conta uma piada")).startswith("c_none")


def test_an_alphanumeric_cnpj_is_a_cnpj_to_the_classifier() -> None:
    assert normalize("cnpj 12.ABC.345/01DE-35 segunda via") == normalize("cnpj 11.222.333/0001-81 segunda via")
    assert "_cnpj_" not in normalize("cnpj 12.ABC.345/01DE-36")
