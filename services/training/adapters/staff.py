"""Enterprises' staff lists on MongoDB (or FerretDB): one document per enterprise (``_id`` its id), holding
its workers (at most ``MAX_STAFF``) and an optimistic ``version``, so the cap and a unique e-mail hold
under concurrent changes without a transaction. Removing a worker deletes their entry from the document.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import dacite
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.training.domain.staff import StaffList, Worker
from shared.documents import DACITE_CONFIG, plain
from shared.errors import StaleVersion

STAFF = "staff"


class MongoStaff:
    def __init__(self, db: Database) -> None:
        self._collection = db[STAFF]

    def get(self, enterprise_id: str) -> StaffList:
        """The enterprise's list (empty, version 0, when it has none yet)."""
        document = self._collection.find_one({"_id": enterprise_id})
        if document is None:
            return StaffList(enterprise_id)
        workers = [dacite.from_dict(Worker, w, config=DACITE_CONFIG) for w in document.get("workers", [])]
        return StaffList(enterprise_id, workers, document["version"])

    def save(self, staff: StaffList) -> None:
        """Write the list if nobody changed it since it was read; StaleVersion otherwise."""
        document: dict[str, Any] = {
            "_id": staff.enterprise_id,
            "workers": [plain(asdict(w)) for w in staff.workers],
            "version": staff.version + 1,
        }
        if staff.version == 0:
            try:
                self._collection.insert_one(document)
            except DuplicateKeyError:
                raise StaleVersion() from None
        elif (
            self._collection.replace_one({"_id": staff.enterprise_id, "version": staff.version}, document).matched_count
            == 0
        ):
            raise StaleVersion()
        staff.version += 1

    def delete(self, enterprise_id: str) -> None:
        """The whole list (when the enterprise leaves the register)."""
        self._collection.delete_one({"_id": enterprise_id})
