"""Text normalisation for WhatsApp-style pt-BR: accents, casing, repeated letters, slang, emojis.

The classifier never sees raw text: everything goes through :func:`normalize`, so "Tá LENTOOO 😡"
and "ta lento" end up close to each other. Numbers are replaced by placeholders because the
customer's CPF or the amount says little about the intent, while *that there is* a CPF, an amount
or a date does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from atende_core.documents import CNPJ_IN_TEXT, is_valid_cnpj

# One output char per input char, so spans found on the folded text are valid on the original.
_FOLD_TABLE: dict[int, str] = {}
for _code in range(0x80, 0x250):
    _decomposed = unicodedata.normalize("NFKD", chr(_code))
    if _decomposed and _decomposed[0].isascii() and _decomposed[0] != chr(_code):
        _FOLD_TABLE[_code] = _decomposed[0]


def fold(text: str) -> str:
    """Lowercase and strip accents, keeping the length (and thus spans) unchanged."""
    return text.lower().translate(_FOLD_TABLE)


# Emojis that carry meaning for intent or sentiment get a token; the rest become "emo".
_EMOJI_TOKENS: dict[str, str] = {
    "😡": "emoneg",
    "🤬": "emoneg",
    "😠": "emoneg",
    "😤": "emoneg",
    "👎": "emoneg",
    "😭": "emosad",
    "😢": "emosad",
    "😞": "emosad",
    "😔": "emosad",
    "🙏": "emopray",
    "👍": "emook",
    "👌": "emook",
    "✅": "emook",
    "✔": "emook",
    "😊": "emopos",
    "🙂": "emopos",
    "😀": "emopos",
    "😃": "emopos",
    "😁": "emopos",
    "🥰": "emopos",
    "😍": "emopos",
    "❤": "emopos",
    "💙": "emopos",
    "👏": "emopos",
    "😂": "emolaugh",
    "🤣": "emolaugh",
    "😅": "emolaugh",
    "👋": "emowave",
    "🙋": "emowave",
    "🐢": "emoslow",
    "🐌": "emoslow",
}
_EMOJI_IGNORED = {"\ufe0f", "\u200d"} | {chr(c) for c in range(0x1F3FB, 0x1F400)}


def _is_emoji(char: str) -> bool:
    code = ord(char)
    return code >= 0x1F000 or 0x2600 <= code <= 0x27BF or 0x2B00 <= code <= 0x2BFF


def _replace_emojis(text: str) -> str:
    if text.isascii():
        return text
    out: list[str] = []
    for char in text:
        if char in _EMOJI_IGNORED:
            continue
        token = _EMOJI_TOKENS.get(char)
        if token is None and _is_emoji(char):
            token = "emo"
        out.append(f" {token} " if token else char)
    return "".join(out)


# Placeholders, most specific first (a CNPJ contains a CPF-shaped run of digits).
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!\d)\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}(?!\d)"), " _cnpj_ "),
    (re.compile(r"(?<!\d)\d{3}[.\s]?\d{3}[.\s]?\d{3}[-.\s]?\d{2}(?!\d)"), " _cpf_ "),
    (re.compile(r"<cpf>"), " _cpf_ "),
    (re.compile(r"<cnpj>"), " _cnpj_ "),
    (re.compile(r"r\$\s*\d[\d.]*(?:,\d{1,2})?"), " _money_ "),
    (
        re.compile(r"(?<![\d,])\d+(?:,\d{2})?\s*(?:reais|real|conto|contos|pila|pilas)\b"),
        " _money_ reais ",
    ),
    (re.compile(r"(?<![\d/])\d{1,4},\d{2}(?![\d])"), " _money_ "),
    (re.compile(r"(?<![\d/])\d{1,2}/\d{1,2}(?:/\d{2,4})?(?![\d/])"), " _date_ "),
)


def _alphanumeric_cnpj(match: re.Match[str]) -> str:
    """An alphanumeric CNPJ (valid check digits) is a CNPJ to the classifier; anything else stays."""
    return " _cnpj_ " if is_valid_cnpj(match.group(0)) else match.group(0)


_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b2\s*(?:a|o|°|ª|º)?\s*-?\s*via\b"), " segunda via "),
    (re.compile(r"\bsegunda-via\b"), " segunda via "),
    (re.compile(r"\bwi\s*-?\s*fi\b"), " wifi "),
    (re.compile(r"\bp/"), " para "),
    (re.compile(r"\bc/"), " com "),
    (re.compile(r"\bn[°º]"), " numero "),
    (re.compile(r"(\d)([a-z])"), r"\1 \2"),
    (re.compile(r"([a-z])(\d)"), r"\1 \2"),
    (re.compile(r"\d+"), " _num_ "),
)

# Common WhatsApp abbreviations and spellings, after accents are gone.
ABBREVIATIONS: dict[str, str] = {
    "vc": "voce",
    "vcs": "voces",
    "ce": "voce",
    "pq": "porque",
    "pk": "porque",
    "porq": "porque",
    "tb": "tambem",
    "tbm": "tambem",
    "tmb": "tambem",
    "q": "que",
    "qe": "que",
    "ta": "esta",
    "tah": "esta",
    "to": "estou",
    "tou": "estou",
    "tao": "estao",
    "blz": "beleza",
    "td": "tudo",
    "tds": "todos",
    "pf": "por favor",
    "pfv": "por favor",
    "pfvr": "por favor",
    "pfvor": "por favor",
    "porfavor": "por favor",
    "plz": "por favor",
    "pls": "por favor",
    "obg": "obrigado",
    "obgd": "obrigado",
    "obgda": "obrigado",
    "obgdo": "obrigado",
    "obrigada": "obrigado",
    "brigado": "obrigado",
    "brigada": "obrigado",
    "brigadu": "obrigado",
    "obrigadao": "obrigado",
    "brigadao": "obrigado",
    "vlw": "valeu",
    "hj": "hoje",
    "qnd": "quando",
    "qdo": "quando",
    "qndo": "quando",
    "qto": "quanto",
    "qnto": "quanto",
    "qts": "quantos",
    "msg": "mensagem",
    "n": "nao",
    "naum": "nao",
    "nn": "nao",
    "mt": "muito",
    "mto": "muito",
    "mta": "muita",
    "mtos": "muitos",
    "dps": "depois",
    "dpois": "depois",
    "tmj": "tamo junto",
    "net": "internet",
    "intenet": "internet",
    "internete": "internet",
    "pra": "para",
    "pro": "para o",
    "pros": "para os",
    "agr": "agora",
    "vdd": "verdade",
    "kd": "cade",
    "oq": "o que",
    "oque": "o que",
    "cmg": "comigo",
    "ngm": "ninguem",
    "mds": "meu deus",
    "hr": "hora",
    "hrs": "horas",
    "ap": "apartamento",
    "apto": "apartamento",
    "apt": "apartamento",
    "end": "endereco",
    "wpp": "whatsapp",
    "zap": "whatsapp",
    "zapzap": "whatsapp",
    "whats": "whatsapp",
    "wats": "whatsapp",
    "mb": "mega",
    "mbps": "mega",
    "megas": "mega",
    "gb": "giga",
    "gigas": "giga",
    "pgto": "pagamento",
    "pagto": "pagamento",
    "c": "com",
    "eh": "e",
    "ctz": "certeza",
    "dnv": "de novo",
    "sla": "sei la",
    "aki": "aqui",
    "axo": "acho",
    "nd": "nada",
    "cel": "celular",
    "tel": "telefone",
    "fone": "telefone",
    "kero": "quero",
    "qro": "quero",
    "qr": "quero",
    "flw": "falou",
    "xau": "tchau",
    "tchauzinho": "tchau",
    "oii": "oi",
    "oie": "oi",
    "eae": "e ai",
    "eai": "e ai",
    "iae": "e ai",
    "ae": "ai",
    "prescisso": "preciso",
    "presiso": "preciso",
    "precisso": "preciso",
    "cancela": "cancelar",
}

_TOKEN_RE = re.compile(r"[a-z_]+|[?!]")
_RUN3 = re.compile(r"([a-z])\1{2,}")
_KEEP_DOUBLE_END = frozenset({"voo", "zoo", "enjoo", "creem", "leem", "veem", "deem", "ss"})


def _squeeze(token: str) -> str:
    """Collapse stretched letters: 'lentooo' -> 'lento', 'boletoo' -> 'boleto'."""
    token = _RUN3.sub(lambda m: m.group(1) * (2 if m.group(1) in "rs" else 1), token)
    if len(token) >= 3 and token[-1] == token[-2] and token[-1] in "aeiou" and token not in _KEEP_DOUBLE_END:
        token = token[:-1]
    return token


def normalize(text: str) -> str:
    """Return the canonical form of a customer message used by the classifiers."""
    folded = fold(_replace_emojis(text))
    if any(c.isdigit() for c in folded):
        folded = CNPJ_IN_TEXT.sub(_alphanumeric_cnpj, folded)
    for pattern, repl in _MASKS:
        folded = pattern.sub(repl, folded)
    for pattern, repl in _PHRASES:
        folded = pattern.sub(repl, folded)
    out: list[str] = []
    previous = ""
    for raw in _TOKEN_RE.findall(folded):
        token = raw if raw.startswith("_") else _squeeze(raw)
        if token in "?!" and token == previous:
            continue
        out.append(ABBREVIATIONS.get(token, token))
        previous = token
    return " ".join(out)


def normalize_many(texts: Iterable[str]) -> list[str]:
    """Vectorised :func:`normalize`, for use as the first step of a scikit-learn pipeline."""
    return [normalize(t) for t in texts]
