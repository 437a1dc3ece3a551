"""People's notification preferences on MongoDB (or FerretDB): one document per owner key.

``_id`` is the key the preferences are for (``email:<lower-cased address>``, ``user:<subject>``), the
same spelling as the recipients' keys of the notices, so a delivery finds them with one lookup by ``_id``.
A category the mapping no longer has, or a language without templates, is ignored when read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.database import Database

from services.notifications.domain.preferences import CATEGORIES, Preferences
from services.notifications.domain.rendering import DEFAULT_LANGUAGE, LANGUAGES

PREFERENCES = "preferences"


def _preferences(document: dict[str, Any]) -> Preferences:
    language = document.get("language")
    return Preferences(
        language=language if language in LANGUAGES else DEFAULT_LANGUAGE,
        email=bool(document.get("email", True)),
        inbox=bool(document.get("inbox", True)),
        opted_out=frozenset(c for c in document.get("opted_out", []) if c in CATEGORIES),
    )


class MongoPreferences:
    def __init__(self, db: Database) -> None:
        self._collection = db[PREFERENCES]

    def find(self, key: str) -> Preferences | None:
        """The preferences stored for this key; ``None`` when the person never set any."""
        document = self._collection.find_one({"_id": key})
        return None if document is None else _preferences(document)

    def find_many(self, keys: list[str]) -> dict[str, Preferences | None]:
        """``find`` for each key, with one query."""
        found = {document["_id"]: _preferences(document) for document in self._collection.find({"_id": {"$in": keys}})}
        return {key: found.get(key) for key in keys}

    def get(self, key: str) -> Preferences:
        """The stored preferences, or the defaults."""
        return self.find(key) or Preferences()

    def save(self, keys: list[str], preferences: Preferences, now: datetime) -> None:
        """The same preferences under each of ``keys`` (a person's own keys)."""
        state = {
            "language": preferences.language,
            "email": preferences.email,
            "inbox": preferences.inbox,
            "opted_out": sorted(preferences.opted_out),
            "updated_at": now,
        }
        for key in keys:
            self._collection.replace_one({"_id": key}, {"_id": key, **state}, upsert=True)
