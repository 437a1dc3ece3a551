"""Bulgarian for the validation messages marshmallow and webargs give in English."""

from __future__ import annotations

import re

_EXACT = {
    "Missing data for required field.": "Липсват данни за задължително поле.",
    "Field may not be null.": "Полето не може да бъде празно (null).",
    "Unknown field.": "Непознато поле.",
    "Not a valid string.": "Не е валиден текст.",
    "Not a valid integer.": "Не е валидно цяло число.",
    "Not a valid number.": "Не е валидно число.",
    "Not a valid boolean.": "Не е валидна булева стойност (true/false).",
    "Not a valid list.": "Не е валиден списък.",
    "Not a valid mapping type.": "Не е валиден обект.",
    "Not a valid date.": "Не е валидна дата.",
    "Not a valid datetime.": "Не е валидни дата и час.",
    "Not a valid email address.": "Не е валиден имейл адрес.",
    "Not a valid URL.": "Не е валиден URL адрес.",
    "Not a valid UUID.": "Не е валиден идентификатор (UUID).",
    "Invalid input type.": "Невалиден тип на данните.",
    "Invalid value.": "Невалидна стойност.",
    "Shorter than minimum length 1.": "Полето не може да бъде празно.",
    "String does not match expected pattern.": "Стойността не отговаря на очаквания формат.",
    "Not a valid datetime or date.": "Не е валидна дата.",
}

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Longer than maximum length (\d+)\.$"), r"По-дълго от допустимите \1 знака."),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), r"По-кратко от минималните \1 знака."),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), r"Дължината трябва да е между \1 и \2."),
    (
        re.compile(r"^Must be greater than or equal to (.+) and less than or equal to (.+)\.$"),
        r"Трябва да е между \1 и \2.",
    ),
    (re.compile(r"^Must be greater than or equal to (.+)\.$"), r"Трябва да е поне \1."),
    (re.compile(r"^Must be less than or equal to (.+)\.$"), r"Трябва да е най-много \1."),
    (re.compile(r"^Must be greater than (.+)\.$"), r"Трябва да е по-голямо от \1."),
    (re.compile(r"^Must be one of: (.+)\.$"), r"Трябва да е едно от: \1."),
    (re.compile(r"^Not a valid datetime"), "Не е валидни дата и час."),
]


def to_bulgarian(message: str) -> str:
    if message in _EXACT:
        return _EXACT[message]
    for pattern, replacement in _PATTERNS:
        if pattern.search(message):
            return pattern.sub(replacement, message)
    return message


def bilingual(bg: str, en: str) -> str:
    """A validation message of our own: returns the English text and remembers its Bulgarian."""
    _EXACT.setdefault(en, bg)
    return en
