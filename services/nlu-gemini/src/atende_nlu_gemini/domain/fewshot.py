"""Pick the agents' corrections most similar to a message, as few-shot examples for the LLM."""

from __future__ import annotations

from collections.abc import Sequence

from atende_nlu_gemini.domain.results import Example
from atende_nlu_gemini.domain.text import normalize


def _tokens(text: str) -> frozenset[str]:
    return frozenset(t for t in normalize(text).split() if len(t) > 2 or t.startswith("_"))


def select_examples(text: str, corrections: Sequence[Example], k: int) -> list[Example]:
    """Up to ``k`` corrections ranked by token overlap (Jaccard); recent ones win ties."""
    if k <= 0 or not corrections:
        return []
    query = _tokens(text)
    scored: list[tuple[float, int, Example]] = []
    for index, example in enumerate(corrections):
        tokens = _tokens(example.text)
        union = query | tokens
        score = len(query & tokens) / len(union) if union else 0.0
        if score > 0:
            scored.append((score, index, example))
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    chosen: list[Example] = []
    seen_intents: dict[str, int] = {}
    for _, _, example in scored:
        # At most two examples per intent, so one label cannot crowd out the others.
        if seen_intents.get(example.intent, 0) >= 2:
            continue
        seen_intents[example.intent] = seen_intents.get(example.intent, 0) + 1
        chosen.append(example)
        if len(chosen) == k:
            break
    return chosen
