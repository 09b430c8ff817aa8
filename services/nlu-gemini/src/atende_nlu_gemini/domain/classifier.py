"""Local pt-BR classifiers (intent and sentiment) built on scikit-learn.

Intent: TF-IDF over domain concept tags, word 1-2grams and char_wb 2-5grams of the normalised
text, a linear SVM, and
Platt scaling (``CalibratedClassifierCV``, sigmoid) so that ``confidence`` behaves like a
probability and the conversation can ask to clarify when it is low.

Sentiment: the same kind of features plus a small pt-BR lexicon, with logistic regression.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from atende_nlu_gemini.domain.concepts import concept_tags_many
from atende_nlu_gemini.domain.entities import extract_entities
from atende_nlu_gemini.domain.intensity import sentiment_intensity
from atende_nlu_gemini.domain.labels import Intent, ModelName, Sentiment
from atende_nlu_gemini.domain.results import NluResult
from atende_nlu_gemini.domain.text import normalize, normalize_many

TOKEN_PATTERN = r"[a-z_]+|[?!]"


class ProbabilisticModel(Protocol):
    """What the local NLU needs from a fitted classifier (see ``fastpath.CompiledClassifier``)."""

    classes_: Any

    def predict_proba_one(self, text: str, *, normalized: str | None = None) -> Any:
        """Class probabilities for one message."""
        ...


def _features(char_range: tuple[int, int], *, concept_weight: float = 0.5) -> FeatureUnion:
    concepts = Pipeline(
        [
            ("tags", FunctionTransformer(concept_tags_many)),
            ("tfidf", TfidfVectorizer(lowercase=False, token_pattern=r"\S+", sublinear_tf=True)),
        ]
    )
    return FeatureUnion(
        [
            ("concepts", concepts),
            (
                "word",
                TfidfVectorizer(
                    lowercase=False,
                    token_pattern=TOKEN_PATTERN,
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                ),
            ),
            (
                "char",
                TfidfVectorizer(lowercase=False, analyzer="char_wb", ngram_range=char_range, sublinear_tf=True),
            ),
        ],
        transformer_weights={"concepts": concept_weight, "word": 1.0, "char": 1.0},
    )


def build_intent_pipeline(seed: int = 13) -> Pipeline:
    """An unfitted intent pipeline: normalise → TF-IDF (word + char) → calibrated linear SVM."""
    svm = LinearSVC(C=1.0, class_weight="balanced", random_state=seed)
    calibrated = CalibratedClassifierCV(
        svm, method="sigmoid", cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    )
    return Pipeline(
        [
            ("normalize", FunctionTransformer(normalize_many)),
            ("features", _features((2, 5))),
            ("clf", calibrated),
        ]
    )


# Stems, matched against the normalised text; the model learns how much each count matters.
NEGATIVE_LEXICON: tuple[str, ...] = (
    "absurd",
    "pessim",
    "horrivel",
    "lixo",
    "merda",
    "porra",
    "bosta",
    "palhacada",
    "raiva",
    "cansad",
    "cansei",
    "descaso",
    "vergonha",
    "ridicul",
    "inutil",
    "burro",
    "respeito",
    "porcaria",
    "aguento",
    "socorro",
    "caralho",
    "pqp",
    "ninguem resolve",
    "nunca",
    "chega",
    "emoneg",
    "emosad",
    "ruim",
    "droga",
    "odeio",
    "enganad",
    "ladr",
    "processar",
    "procon",
    "reclama",
    "demora",
    "nao funciona",
    "sem internet",
    "caiu",
    "lent",
    "trav",
    "indignad",
)
POSITIVE_LEXICON: tuple[str, ...] = (
    "obrigad",
    "valeu",
    "otim",
    "excelente",
    "perfeit",
    "adorei",
    "amei",
    "parabens",
    "top",
    "show",
    "maravilh",
    "gratidao",
    "abencoe",
    "emopos",
    "tamo junto",
    "agradec",
    "grat",
    "resolvid",
    "funcionou",
    "deu certo",
    "gostando",
    "nota",
    "salvou",
    "ajudou",
    "legal",
)
_NEG_RE = re.compile("|".join(re.escape(w) for w in NEGATIVE_LEXICON))
_POS_RE = re.compile("|".join(re.escape(w) for w in POSITIVE_LEXICON))


class LexiconFeatures(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Counts of negative/positive lexicon hits, shouting and exclamation marks."""

    def fit(self, x: Sequence[str], y: Any = None) -> LexiconFeatures:
        """Stateless: nothing to learn."""
        return self

    def transform(self, x: Sequence[str]) -> Any:
        """One row of 4 features per normalised text."""
        rows = [
            (
                len(_NEG_RE.findall(t)),
                len(_POS_RE.findall(t)),
                t.count("!"),
                t.count("?"),
            )
            for t in x
        ]
        return np.log1p(np.asarray(rows, dtype=np.float64))


def build_sentiment_pipeline(seed: int = 13) -> Pipeline:
    """An unfitted sentiment pipeline: normalise → TF-IDF + lexicon → logistic regression."""
    features = _features((2, 4))
    features.transformer_list.append(("lexicon", LexiconFeatures()))
    return Pipeline(
        [
            ("normalize", FunctionTransformer(normalize_many)),
            ("features", features),
            (
                "clf",
                LogisticRegression(C=5.0, class_weight="balanced", max_iter=2000, random_state=seed),
            ),
        ]
    )


@dataclass(frozen=True, slots=True)
class Ranking:
    """Labels sorted by probability, best first."""

    labels: tuple[str, ...]
    probabilities: tuple[float, ...]


def _rank(model: ProbabilisticModel, text: str, normalized: str) -> Ranking:
    probs = np.asarray(model.predict_proba_one(text, normalized=normalized))
    order = np.argsort(-probs)
    classes = model.classes_
    return Ranking(tuple(str(classes[i]) for i in order), tuple(float(probs[i]) for i in order))


class LocalNlu:
    """The always-available local model: intent + sentiment classifiers and entity extraction."""

    def __init__(
        self,
        intent_model: ProbabilisticModel,
        sentiment_model: ProbabilisticModel,
        *,
        secondary_min_confidence: float = 0.1,
    ) -> None:
        self._intent = intent_model
        self._sentiment = sentiment_model
        self._secondary_min = secondary_min_confidence

    def analyze(self, text: str) -> NluResult:
        """Classify one message."""
        normalized = normalize(text)
        if not normalized:
            # Nothing the vectorisers could use (empty, only punctuation or unknown symbols).
            intents = Ranking((Intent.FORA_ESCOPO.value,), (1.0,))
        else:
            intents = _rank(self._intent, text, normalized)
        sentiments = _rank(self._sentiment, text, normalized)
        secondary: Intent | None = None
        secondary_conf = 0.0
        if len(intents.labels) > 1 and intents.probabilities[1] >= self._secondary_min:
            secondary = Intent(intents.labels[1])
            secondary_conf = intents.probabilities[1]
        return NluResult(
            intent=Intent(intents.labels[0]),
            confidence=intents.probabilities[0],
            secondary_intent=secondary,
            secondary_confidence=secondary_conf,
            sentiment=Sentiment(sentiments.labels[0]),
            sentiment_confidence=sentiments.probabilities[0],
            sentiment_intensity=sentiment_intensity(text),
            entities=extract_entities(text),
            model=ModelName.LOCAL,
            scores=dict(zip(intents.labels[:3], intents.probabilities[:3], strict=False)),
        )
