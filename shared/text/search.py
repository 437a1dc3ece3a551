"""Search terms that find Cyrillic from Latin and the reverse, ignoring case and accents.

FerretDB has no ``$text``, so every searchable document stores ``search_terms``: the prefixes
of its words after folding to lower-case Latin by the official Bulgarian transliteration
(Закон за транслитерацията, 2009). A query matches when each of its folded words is one of
those prefixes (``{"search_terms": {"$all": [...]}}``, served by an ordinary index).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht", "ъ": "a",
    "ь": "y", "ю": "yu", "я": "ya",
    # letters of other Cyrillic alphabets that turn up in names
    "ё": "yo", "ы": "y", "э": "e", "і": "i", "ї": "yi", "є": "ye", "ѝ": "i",
}  # fmt: skip

_WORD_FINAL_IA = re.compile(r"ия\b")
_NON_WORD = re.compile(r"[^0-9a-z]+")

MIN_PREFIX = 2
MAX_TERM = 24


def transliterate(text: str) -> str:
    """Cyrillic to Latin by the official rules (word-final ``ия`` is ``ia``); other text unchanged."""
    lowered = _WORD_FINAL_IA.sub("ia", text.lower())
    return "".join(_CYRILLIC_TO_LATIN.get(ch, ch) for ch in lowered)


def fold(text: str) -> str:
    """Lower-case Latin without accents: the form both documents and queries are compared in."""
    latin = transliterate(unicodedata.normalize("NFC", text))
    decomposed = unicodedata.normalize("NFKD", latin)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return [w for w in _NON_WORD.split(fold(text)) if w]


def index_terms(texts: Iterable[str | None]) -> list[str]:
    """Every prefix (from two letters) of every word of the texts, for the ``search_terms`` field."""
    terms: set[str] = set()
    for text in texts:
        for whole in words(text or ""):
            word = whole[:MAX_TERM]
            if len(word) < MIN_PREFIX:
                terms.add(word)
            terms.update(word[:end] for end in range(MIN_PREFIX, len(word) + 1))
    return sorted(terms)


def query_terms(query: str) -> list[str]:
    """The words of a query, folded, each cut to the longest indexed prefix length."""
    return sorted({w[:MAX_TERM] for w in words(query)})
