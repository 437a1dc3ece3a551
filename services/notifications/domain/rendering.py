"""A message in a language, filled in: subject, plain text and HTML.

Templates live in ``templates/``: ``<message>.<lang>.txt.j2`` and ``<message>.<lang>.html.j2`` (the HTML
extends ``_layout.<lang>.html.j2`` and is autoescaped), subjects in ``templates/subjects.json``
(``{message: {lang: template}}``). A variable the context lacks is an error, never an empty string.
Bulgarian is the default; an unknown language falls back to it.

A count with its unit reads as in the portal (``shared.bg.units``): ``{{ quantity|counted(unit, "bg") }}``
gives "3 буркана", "21 парчета", "1 буркан"; in an English template ``counted(unit, "en")``, "3 jars".
The layout greets the recipient by ``greeting_name`` when there is one (:attr:`Notice.values`), plainly
otherwise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    UndefinedError,
    select_autoescape,
)

from shared.bg.units import quantity

TEMPLATES_DIR = Path(__file__).with_name("templates")
LANGUAGES = ("bg", "en")
DEFAULT_LANGUAGE = "bg"


class UnknownMessage(LookupError):
    """No templates for this message key."""


class UnrenderableValues(ValueError):
    """The values lack what the message shows, or hold something it cannot show (a count that is no number):
    for an event, poison (a ``ValueError``, so the consumer dead-letters it rather than stop on it)."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    summary: str = ""
    """The message itself, as the inbox shows it: the text's ``body`` without greeting, signature and footer."""


def language_of(preferred: str | None) -> str:
    """ "en-GB" → "en"; anything without templates → Bulgarian."""
    code = (preferred or "").strip().lower()[:2]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["counted"] = quantity  # {{ quantity|counted(unit, "bg") }}
    return env


@cache
def subjects() -> dict[str, dict[str, str]]:
    """``{message: {language: subject template}}``."""
    return json.loads((TEMPLATES_DIR / "subjects.json").read_text(encoding="utf-8"))


@cache
def _subject_template(message: str, language: str) -> Template:
    return environment().from_string(subjects()[message][language])


def render(message: str, language: str | None, context: Mapping[str, Any]) -> Rendered:
    """Raise ``UnknownMessage`` for a message without templates, ``UnrenderableValues`` for a missing or unshowable
    value."""
    lang = language_of(language)
    env = environment()
    try:
        subject = _subject_template(message, lang)
        text = env.get_template(f"{message}.{lang}.txt.j2")
        html = env.get_template(f"{message}.{lang}.html.j2")
    except (KeyError, TemplateNotFound) as exc:
        raise UnknownMessage(f"no {lang} templates for message {message!r}") from exc
    values = dict(context)
    try:
        return Rendered(
            subject=" ".join(subject.render(values).split()),  # one line: a header never spans lines
            text=text.render(values).strip() + "\n",
            html=html.render(values),
            summary=body_of(text, values),
        )
    except (UndefinedError, TypeError, AttributeError, ArithmeticError) as exc:
        raise UnrenderableValues(f"message {message!r} cannot show its values: {exc!r}") from exc


def body_of(template: Template, values: Mapping[str, Any]) -> str:
    """The ``body`` block alone (blank lines between paragraphs kept to one); the whole text without one."""
    block = template.blocks.get("body")
    if block is None:
        return template.render(values).strip()
    rendered = "".join(block(template.new_context(dict(values))))
    return re.sub(r"\n\s*\n+", "\n\n", rendered).strip()
