"""Who represents each enterprise, kept from the registry's events (``registry.enterprise.v1``).

Marketplace and training events name an enterprise (a seller, a worker's employer), not its people: the
consumer looks its representatives up here so a seller's messages reach each of them, in their own inbox
and at their own verified address. Only what a message needs is kept: the sign-in subject, the name and
the verified e-mail (or none). An entry follows the enterprise's latest event (its ``aggregate_version``
decides, so a replayed old event never brings back someone who stopped representing it); a deleted
enterprise keeps no one.

It also keeps the enterprise's contact address as its register entry gives it (``contact``: ``email`` and the
entry's ``name``), for the copy an exhibitor's messages send there, as the marketplace's events carry the
seller's. A deletion keeps it: the enterprise's withdrawal from a fair, which follows, is told there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo.database import Database

from shared.consumer import apply_once
from shared.consumer.idempotency import Effect, apply_many
from shared.events import Envelope

REPRESENTATIVES = "representatives"
PEOPLE = "people"
CONTACT = "contact"
DELETED = "deleted"


def _person(one: Mapping[str, Any]) -> dict[str, Any]:
    email = one.get("email") or None
    if email is not None and not isinstance(email, str):  # kept, it would fail every later notice of the enterprise
        raise TypeError(f"a representative's e-mail is not text: {email!r}")
    return {"subject": str(one["subject"]), "name": str(one.get("name") or ""), "email": email}


class MongoRepresentatives:
    def __init__(self, db: Database, collection: str = REPRESENTATIVES) -> None:
        """``collection`` differs from ``representatives`` only while a rebuild fills a fresh collection."""
        self._collection = db[collection]

    def apply_registry_event(self, envelope: Envelope, payload: Mapping[str, Any]) -> bool:
        """Take the enterprise's representatives from one of its events, once, never from an older one.

        An event without ``representatives`` (written before events named them) changes nobody; a
        deletion forgets everyone. False for a duplicate or an older event. A ``KeyError`` for a payload
        without ``enterprise_id`` or a person without ``subject``: poison.
        """
        effect = _effect(envelope, payload)
        return apply_once(
            self._collection, effect.doc_id, effect.event_id, effect.update, aggregate_version=effect.aggregate_version
        )

    def apply_registry_events(self, events: Sequence[tuple[Envelope, Mapping[str, Any]]]) -> list[bool]:
        """``apply_registry_event`` for each, in order, with bulk updates; whether each was applied.

        Every payload is read before anything is written: one without ``enterprise_id`` raises ``KeyError``
        (poison) and nothing is kept."""
        return apply_many(self._collection, [_effect(envelope, payload) for envelope, payload in events])

    def of(self, enterprise_id: str) -> list[dict[str, Any]]:
        """The enterprise's representatives (``subject``, ``name``, ``email`` or None); none when unknown."""
        document = self._collection.find_one({"_id": enterprise_id}, {PEOPLE: 1})
        return [] if document is None else list(document.get(PEOPLE) or [])

    def contact(self, enterprise_id: str) -> dict[str, Any] | None:
        """The enterprise's contact address and name (``email``, ``name``) as the register last gave them."""
        document = self._collection.find_one({"_id": enterprise_id}, {CONTACT: 1})
        return None if document is None else document.get(CONTACT)


def _effect(envelope: Envelope, payload: Mapping[str, Any]) -> Effect:
    """What one of the enterprise's events changes; ``KeyError`` when it names no enterprise or person."""
    enterprise_id = str(payload["enterprise_id"])
    changes: dict[str, Any] = {"as_of": envelope.occurred_at}
    if payload.get("status") == DELETED:
        changes[PEOPLE] = []
    elif isinstance(payload.get("representatives"), list):
        changes[PEOPLE] = [_person(one) for one in payload["representatives"]]
    if isinstance(payload.get("contact_email"), str) and payload["contact_email"].strip():
        changes[CONTACT] = {"email": payload["contact_email"].strip(), "name": str(payload.get("name") or "")}
    return Effect(enterprise_id, envelope.event_id, {"$set": changes}, envelope.aggregate_version)
