"""How strongly a customer expresses themselves, separate from *what* they feel.

The sentiment classifier says a plain outage report ("to sem internet desde cedo") is negative, and it
is right; but the bot can solve that, and handing it to a person would only make the customer wait.
The conversation hands over on *strong* negativity: insults, threats to go to Procon or Anatel,
shouting, "nobody solves this". Those cues are few and well known, so a small weighted lexicon beats
a model trained on a handful of angry examples.
"""

from __future__ import annotations

import re

from atende_nlu_gemini.domain.text import fold

_CUES: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(pattern), weight)
    for pattern, weight in (
        # Escalation outside the company.
        (
            r"\b(procon|anatel|reclame ?aqui|consumidor\.gov|advogad\w*|processar|process\w* voces|justica|juizado)\b",
            0.6,
        ),
        # Insults and swearing.
        (
            r"\b(lixo|porcaria|merda|bosta|porra|caralho|palhacada|vergonha|ridicul\w*|safad\w*|ladr(ao|oes)|"
            r"roubo|roubando|enganacao|incompetent\w*|descaso|absurdo|pessim\w*|horrivel|nojo)\b",
            0.45,
        ),
        # Exhaustion with the company.
        (
            r"\b(ninguem (resolve|responde|faz nada)|toda (hora|semana|vez)|de novo|outra vez|ja (liguei|reclamei)|"
            r"\d+ dias|cansad\w*|revoltad\w*|irritad\w*|nervos\w*|indignad\w*|estressad\w*|nao aguento)\b",
            0.25,
        ),
        # Threatening to leave.
        (r"\b(vou cancelar|cancelar (essa|esta|isso)|vou trocar de (operadora|provedor))\b", 0.25),
    )
)
_SHOUT_MIN_LETTERS = 8


def sentiment_intensity(text: str) -> float:
    """0..1: 0 for a calm message, >= 0.6 for an upset customer."""
    folded = fold(text)
    # Two different cues of a kind say more than one; more than two adds nothing.
    score = sum(weight * min(len({m.group(0) for m in pattern.finditer(folded)}), 2) for pattern, weight in _CUES)
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= _SHOUT_MIN_LETTERS and sum(c.isupper() for c in letters) / len(letters) > 0.7:
        score += 0.3
    if "!!" in text or "?!" in text:
        score += 0.15
    return round(min(score, 1.0), 3)
