"""Where the portal may send people back to: only a plain path on this site.

Every redirect whose target comes from the request (``next`` after sign-in, a form's way back) goes
through :func:`safe_target`. Browsers are lenient in ways that turn a harmless-looking path into another
site: ``//evil.example`` and ``/\\evil.example`` are host names, and they drop tabs and new lines inside
a URL, so ``/<tab>/evil.example`` becomes ``//evil.example``. Percent-encoded forms of the same
characters are decoded on the way. Nothing is stripped or repaired: a doubtful target is refused whole.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

MAX_TARGET_LENGTH = 2000
DECODING_ROUNDS = 3
"""Targets are decoded this many times over (``%2509`` → ``%09`` → tab); one still encoded after that is refused."""


def safe_target(target: str | None, default: str) -> str:
    """``target`` when it is a plain path on this site, otherwise ``default``."""
    return target if target is not None and is_safe_target(target) else default


def is_safe_target(target: str) -> bool:
    """A path that starts with one ``/`` followed by anything but ``/`` or ``\\`` (or nothing), has no
    scheme or host, and has no backslash, control, format or white-space character — as written and
    percent-decoded, again and again (only a decoded query may hold a plain space)."""
    if not target or len(target) > MAX_TARGET_LENGTH:
        return False
    forms = [target]
    for _ in range(DECODING_ROUNDS):
        forms.append(unquote(forms[-1], errors="strict") if _decodes(forms[-1]) else "\x00")
    if "%" in forms[-1] and forms[-1] != unquote(forms[-1]):
        return False
    return _plain_path(target, decoded=False) and all(_plain_path(form, decoded=True) for form in forms[1:])


def _decodes(text: str) -> bool:
    try:
        unquote(text, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def _plain_path(path: str, *, decoded: bool) -> bool:
    if not path.startswith("/") or path[1:2] in ("/", "\\") or "\\" in path:
        return False
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return False
    # A decoded query may hold a space a search was made with (``?q=%D0%BC%D0%B5%D0%B4%20x``); the raw
    # target and every decoded path may not, nor anything invisible anywhere.
    spaceless = path if not decoded else path.partition("?")[0]
    return not any(_invisible(char) for char in path) and not any(char.isspace() for char in spaceless)


def _invisible(char: str) -> bool:
    """Control, format (e.g. the RTL override), surrogate, private-use, unassigned, line or paragraph separators."""
    return unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
