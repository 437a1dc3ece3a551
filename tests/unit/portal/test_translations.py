"""Every text the portal shows has its Bulgarian translation, and the catalogues agree with each other."""

from __future__ import annotations

from babel.messages.pofile import read_po

from services.portal.catalogue import PORTAL, missing, source_texts, translated


def test_every_text_shown_has_a_bulgarian_translation() -> None:
    untranslated = missing()
    assert not untranslated, "texts without a Bulgarian translation:\n" + "\n".join(
        f"  {where[0]}: {text!r}" for text, where in sorted(untranslated.items())
    )


def test_no_text_is_translated_twice_differently() -> None:
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for po in sorted(PORTAL.glob("translations/*/bg/LC_MESSAGES/messages.po")):
        with po.open("rb") as source:
            for message in read_po(source):
                if not message.id or isinstance(message.id, tuple):
                    continue
                area = po.parts[-4]
                if message.id in seen and seen[message.id][1] != message.string:
                    clashes.append(f"{message.id!r}: {seen[message.id][0]} and {area}")
                seen.setdefault(message.id, (area, message.string))
    assert not clashes, "\n".join(clashes)


def test_the_catalogues_hold_no_texts_the_portal_no_longer_shows() -> None:
    unused = set(translated()) - set(source_texts())
    assert not unused, f"translations of texts no longer used: {sorted(unused)}"


def test_placeholders_survive_translation() -> None:
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]")
    wrong = [
        text
        for text, bulgarian in translated().items()
        if sorted(placeholder.findall(text)) != sorted(placeholder.findall(bulgarian))
    ]
    assert not wrong, f"placeholders differ in: {wrong}"
