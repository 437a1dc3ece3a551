"""Documents of an application for support: sending them, listing them, reading them.

Every document is checked and scanned before it is stored (``shared.uploads``: PDF, PNG or JPEG by its
first bytes, 10 MB at most, no active content, ClamAV when configured): a refused one is a 4xx naming the
field ``file``, and none is stored while a configured scanner does not answer (503).

Who may see them is who may see the application: its enterprise's representatives, the staff of its centre
(national clerks and admins too) and the evaluators assigned to it — never one who declared a conflict of
interest on it; to anyone else the application does not exist (404). Only the enterprise's representative
sends documents, and only with a draft or with the answer to an open request for information.
"""

from __future__ import annotations

from collections.abc import Callable

from services.grants.domain.document import MAX_PER_APPLICATION, Document
from services.grants.service_layer.grants import GrantsService
from shared.auth import Principal
from shared.scanning import Scanner
from shared.uploads import DocumentStore, accept, safe_filename, stored


class DocumentService:
    def __init__(
        self, grants: GrantsService, store: DocumentStore[Document], new_id: Callable[[], str], *, scanner: Scanner
    ) -> None:
        self._grants = grants
        self._store = store
        self._new_id = new_id
        self._scanner = scanner

    def add(self, principal: Principal, application_id: str, filename: str, data: bytes, code: str) -> Document:
        application = self._grants.own(principal, application_id)
        answer_to = application.document_for(self._grants.call_of(application), code)
        kind = accept(self._store, self._scanner, application_id, data, most=MAX_PER_APPLICATION)
        document = Document(
            id=self._new_id(),
            application_id=application.id,
            enterprise_id=application.enterprise_id,
            code=code,
            filename=safe_filename(filename, kind),
            content_type=kind.content_type,
            size=len(data),
            uploaded_at=self._grants.clock.now(),
            uploaded_by=principal.subject,
            answer_to=answer_to,
        )
        return self._store.add(document, data)

    def list(self, principal: Principal, application_id: str) -> list[Document]:
        self._grants.get(principal, application_id)
        return self._store.of_application(application_id)

    def read(self, principal: Principal, application_id: str, document_id: str) -> tuple[Document, bytes]:
        self._grants.get(principal, application_id)
        return stored(self._store, application_id, document_id)
