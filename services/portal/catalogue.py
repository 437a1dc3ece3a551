"""Which texts of the portal need a Bulgarian translation, and which have one.

Used by the tests (every text shown has a Bulgarian translation) and by ``python -m
services.portal.catalogue``, which lists what is missing while pages are written.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

PORTAL = Path(__file__).parent
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.do"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def source_texts() -> dict[str, list[str]]:
    """Every text passed to gettext in the portal's code and templates, with where it is used."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PORTAL), METHODS, options_map=OPTIONS, keywords=KEYWORDS
    ):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                found.setdefault(text, []).append(f"{filename}:{lineno}")
    return found


def translated() -> dict[str, str]:
    """The Bulgarian translations of all areas' catalogues, fuzzy ones left out."""
    texts: dict[str, str] = {}
    for po in sorted(PORTAL.glob("translations/*/bg/LC_MESSAGES/messages.po")):
        with po.open("rb") as source:
            for message in read_po(source):
                if not message.id or message.fuzzy:
                    continue
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for text, translation in zip(ids, strings, strict=False):
                    if translation:
                        texts[text] = translation
    return texts


def missing() -> dict[str, list[str]]:
    done = translated()
    return {text: where for text, where in source_texts().items() if text not in done}


def main() -> None:
    for text, where in sorted(missing().items(), key=lambda item: item[1][0]):
        print(f"{where[0]}: {text!r}")


if __name__ == "__main__":
    main()
