"""Documents with an application and with each answer to the centre: sending them, listing them, reading them.

Every document is scanned before it is stored (``shared.scanning``: active content in PDFs, and ClamAV when
configured): one found infected or active is refused (422 naming the field ``file``), and none is stored
while a configured scanner does not answer (503).

Who may see them is who may see the application (its representatives and the applicant, the clerks of its
centre and national clerks, administrators): access goes through ``RegistryService.view_application``,
so a caller who may not see the application is told there is no such application. Only a representative
sends documents, and only while the application is a draft or the centre waits for an answer.
"""

from __future__ import annotations

from collections.abc import Callable

from services.registry.domain.application import ApplicationStatus
from services.registry.domain.attachment import MAX_PER_APPLICATION, Attachment
from services.registry.domain.audit import ReadView
from services.registry.service_layer.use_cases import RegistryService
from shared.auth import Principal
from shared.errors import Conflict, NotFound, Text
from shared.scanning import Scanner
from shared.uploads import FIELD, DocumentStore, accept, safe_filename, stored, too_large

__all__ = ["FIELD", "AttachmentService", "too_large"]


class AttachmentService:
    def __init__(
        self,
        registry: RegistryService,
        store: DocumentStore[Attachment],
        new_id: Callable[[], str],
        *,
        scanner: Scanner,
    ) -> None:
        self._registry = registry
        self._store = store
        self._new_id = new_id
        self._scanner = scanner

    def add(self, principal: Principal, application_id: str, filename: str, data: bytes) -> Attachment:
        enterprise = self._registry.view_application(principal, application_id)
        if not self._registry.may_represent(principal, enterprise):
            raise NotFound(Text("Няма такова заявление.", "No such application."))
        app = enterprise.application
        if (
            app is None
            or app.id != application_id
            or app.status
            not in (
                ApplicationStatus.DRAFT,
                ApplicationStatus.INFORMATION_REQUESTED,
            )
        ):
            raise Conflict(
                Text(
                    "Документи се прилагат към чернова или към отговор на искане за информация.",
                    "Documents go with a draft or with an answer to a request for information.",
                )
            )
        kind = accept(self._store, self._scanner, application_id, data, most=MAX_PER_APPLICATION)
        answer_to = len(app.information_requests) - 1 if app.status is ApplicationStatus.INFORMATION_REQUESTED else None
        attachment = Attachment(
            id=self._new_id(),
            application_id=application_id,
            enterprise_id=enterprise.id,
            filename=safe_filename(filename, kind),
            content_type=kind.content_type,
            size=len(data),
            uploaded_at=self._registry.clock.now(),
            uploaded_by=principal.subject,
            answer_to=answer_to,
        )
        return self._store.add(attachment, data)

    def list(self, principal: Principal, application_id: str) -> list[Attachment]:
        self._registry.view_application(principal, application_id)
        return self._store.of_application(application_id)

    def read(self, principal: Principal, application_id: str, attachment_id: str) -> tuple[Attachment, bytes]:
        enterprise = self._registry.view_application(principal, application_id)
        attachment, data = stored(self._store, application_id, attachment_id)
        self._registry.record_reads(principal, ReadView.APPLICATION, [(enterprise, application_id)])
        return attachment, data
