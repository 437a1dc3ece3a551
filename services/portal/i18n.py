"""Bulgarian first, English on request: the page's language and the translation catalogues.

Source strings are English; each area of the portal keeps its Bulgarian catalogue in
``translations/<area>/bg/LC_MESSAGES/messages.po``. The catalogues are compiled to ``.mo`` when the
portal starts if they are missing or older than their ``.po`` (the container image compiles them when
it is built, so a read-only file system is never written to).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import request, session

LANGUAGES = ("bg", "en")
DEFAULT_LANGUAGE = "bg"
TRANSLATIONS = Path(__file__).parent / "translations"
Bilingual = dict[str, str]


def catalogue_directories() -> list[str]:
    return [str(path) for path in sorted(TRANSLATIONS.iterdir()) if path.is_dir()]


def compile_catalogues() -> list[Path]:
    """Compile every ``.po`` whose ``.mo`` is missing or stale; returns the files written."""
    written = []
    for po in sorted(TRANSLATIONS.glob("*/*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalogue = read_po(source)
        with mo.open("wb") as target:
            write_mo(target, catalogue)
        written.append(mo)
    return written


def select_language() -> str:
    """``?lang=en`` switches and is remembered; otherwise the remembered choice, otherwise Bulgarian."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        return chosen
    remembered = session.get("lang")
    return remembered if remembered in LANGUAGES else DEFAULT_LANGUAGE


def with_language(language: str) -> str:
    """This page's address in another language, its other query parameters kept."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [language]
    return request.path + "?" + urlencode(args, doseq=True)


def localised(text: Bilingual | str | None) -> str:
    """A service's ``{bg, en}`` message in the page's language (Bulgarian when English is missing)."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    from flask_babel import get_locale

    language = str(get_locale() or DEFAULT_LANGUAGE)
    return text.get(language) or text.get(DEFAULT_LANGUAGE) or ""
