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

import logging
from collections.abc import Callable
from typing import Protocol

from services.registry.domain.application import ApplicationStatus
from services.registry.domain.attachment import (
    MAX_BYTES,
    MAX_PER_APPLICATION,
    Attachment,
    kind_of,
    safe_filename,
)
from services.registry.domain.audit import ReadView
from services.registry.service_layer.use_cases import RegistryService
from shared.auth import Principal
from shared.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, Text, Unavailable
from shared.scanning import Scanner, ScannerUnavailable

log = logging.getLogger(__name__)

FIELD = "file"
NO_SUCH_DOCUMENT = Text("Няма такъв документ.", "No such document.")
NOT_SCANNED = Text(
    "Документите не могат да бъдат проверени за зловреден софтуер в момента. Опитайте отново след малко.",
    "Documents cannot be checked for malware just now. Please try again in a little while.",
)


def too_large() -> PayloadTooLarge:
    megabytes = MAX_BYTES // (1024 * 1024)
    return PayloadTooLarge(
        Text(f"Документът е по-голям от {megabytes} MB.", f"The document is larger than {megabytes} MB."),
        {FIELD: Text(f"Най-много {megabytes} MB.", f"At most {megabytes} MB.")},
    )


class AttachmentStore(Protocol):
    def count(self, application_id: str) -> int: ...
    def add(self, attachment: Attachment, data: bytes) -> Attachment: ...
    def of_application(self, application_id: str) -> list[Attachment]: ...
    def get(self, application_id: str, attachment_id: str) -> Attachment | None: ...
    def content(self, attachment_id: str) -> bytes | None: ...


class AttachmentService:
    def __init__(
        self, registry: RegistryService, store: AttachmentStore, new_id: Callable[[], str], *, scanner: Scanner
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
        if not data:
            raise InvalidInput(
                Text("Изберете файл.", "Choose a file."), {FIELD: Text("Файлът е празен.", "The file is empty.")}
            )
        if len(data) > MAX_BYTES:
            raise too_large()
        kind = kind_of(data[:16])
        if kind is None:
            raise InvalidInput(
                Text("Приемат се само PDF, PNG и JPEG.", "Only PDF, PNG and JPEG are accepted."),
                {FIELD: Text("Файлът не е PDF, PNG или JPEG.", "The file is not a PDF, PNG or JPEG.")},
            )
        self._scan(data, kind.content_type)
        if self._store.count(application_id) >= MAX_PER_APPLICATION:
            raise Conflict(
                Text(
                    f"Към заявлението вече има {MAX_PER_APPLICATION} документа, колкото най-много може.",
                    f"The application already has {MAX_PER_APPLICATION} documents, the most it may hold.",
                ),
                {FIELD: Text("Твърде много документи.", "Too many documents.")},
            )
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

    def _scan(self, data: bytes, content_type: str) -> None:
        try:
            verdict = self._scanner.scan(data, content_type)
        except ScannerUnavailable as exc:
            log.error("a document was not stored: %s", exc)
            raise Unavailable(NOT_SCANNED) from exc
        if not verdict.clean:
            reason = verdict.reason or Text("не премина проверката", "it did not pass the check")
            refused = Text(f"Документът не е приет: {reason.bg}.", f"The document was refused: {reason.en}.")
            raise InvalidInput(refused, {FIELD: refused})

    def list(self, principal: Principal, application_id: str) -> list[Attachment]:
        self._registry.view_application(principal, application_id)
        return self._store.of_application(application_id)

    def read(self, principal: Principal, application_id: str, attachment_id: str) -> tuple[Attachment, bytes]:
        enterprise = self._registry.view_application(principal, application_id)
        attachment = self._store.get(application_id, attachment_id)
        data = self._store.content(attachment_id) if attachment else None
        if attachment is None or data is None:
            raise NotFound(NO_SUCH_DOCUMENT)
        self._registry.record_reads(principal, ReadView.APPLICATION, [(enterprise, application_id)])
        return attachment, data
