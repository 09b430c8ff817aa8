import pytest

from atende_nlu_gemini.domain.intensity import sentiment_intensity

pytestmark = pytest.mark.unit

UPSET = 0.6


@pytest.mark.parametrize(
    "text",
    [
        "to sem internet desde cedo",
        "minha internet caiu",
        "a internet ta lenta hoje",
        "paguei e continua bloqueado",
        "quero cancelar",
    ],
)
def test_plain_complaints_are_not_upset(text: str) -> None:
    assert sentiment_intensity(text) < UPSET


@pytest.mark.parametrize(
    "text",
    [
        "VOCES SAO UM LIXO, 3 DIAS SEM INTERNET, VOU NO PROCON",
        "que absurdo, ninguem resolve nada, vou cancelar essa porcaria",
        "vou reclamar na anatel, ja liguei 5 vezes",
        "ESTOU SEM INTERNET DE NOVO!!",
        "isso é uma vergonha, descaso total",
    ],
)
def test_anger_and_escalation_are_upset(text: str) -> None:
    assert sentiment_intensity(text) >= UPSET


def test_intensity_is_bounded() -> None:
    assert sentiment_intensity("LIXO PORCARIA PROCON ANATEL NINGUEM RESOLVE!!!") == 1.0
    assert sentiment_intensity("") == 0.0
