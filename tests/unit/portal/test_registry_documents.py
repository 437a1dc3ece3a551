"""Documents in the portal: the application form, the documents form and the answer form send files to the
registry; the applicant and the centre's clerk see them listed and download them through the portal."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient

from services.portal.clients import Download
from tests.unit.portal.fakes import refusal
from tests.unit.portal.test_registry_applications import APP_ID, application, representative
from tests.unit.portal.test_registry_clerk import clerk, reviewing

PDF = b"%PDF-1.7\n%%EOF\n"
DOCS = f"/api/v1/applications/{APP_ID}/documents"
LISTED = {
    "items": [
        {"id": "doc-1", "application_id": APP_ID, "filename": "протокол.pdf", "content_type": "application/pdf",
         "size": 2048, "uploaded_at": "2026-11-09T10:00:00Z", "answer_to": None},
        {"id": "doc-2", "application_id": APP_ID, "filename": "устав.png", "content_type": "image/png",
         "size": 100, "uploaded_at": "2026-11-18T10:00:00Z", "answer_to": 0},
    ]
}  # fmt: skip


def test_the_applicant_and_the_clerk_see_the_documents_with_download_links(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", f"/api/v1/applications/{APP_ID}", application(status="draft"))
    services.registry.answer("GET", DOCS, LISTED)
    representative(portal)
    page = portal.get(f"/my/applications/{APP_ID}").get_data(as_text=True)
    assert f'href="/my/applications/{APP_ID}/documents/doc-1" download>протокол.pdf</a>' in page
    assert "2 КБ" in page and "със заявлението" in page and "с отговора на искане 1" in page
    assert f'action="/my/applications/{APP_ID}/documents" enctype="multipart/form-data"' in page
    assert 'type="file" id="f-documents" name="documents" multiple' in page

    reviewing(services, status="submitted")
    clerk(portal)
    review = portal.get(f"/clerk/applications/{APP_ID}").get_data(as_text=True)
    assert f'href="/clerk/applications/{APP_ID}/documents/doc-2" download>устав.png</a>' in review


def test_a_download_is_passed_on_as_an_attachment_never_shown_in_the_page(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", f"{DOCS}/doc-1", Download(PDF, "application/pdf", "протокол.pdf"))
    representative(portal)
    got = portal.get(f"/my/applications/{APP_ID}/documents/doc-1")
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%D0%BF%D1%80%D0%BE%D1%82%D0%BE%D0%BA%D0%BE%D0%BB.pdf" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    services.registry.answer("GET", f"{DOCS}/doc-9", refusal(404, message="Няма такъв документ."))
    assert portal.get(f"/my/applications/{APP_ID}/documents/doc-9").status_code == 404
    clerk(portal)
    assert portal.get(f"/clerk/applications/{APP_ID}/documents/doc-1").data == PDF


def test_the_documents_form_sends_each_file_and_says_what_was_refused(portal: FlaskClient, services: Any) -> None:
    def answer(call: Any) -> Any:
        name = call.files["file"][0]
        if name == "програма.pdf":
            raise refusal(422, {"file": "Файлът не е PDF, PNG или JPEG."}, "Приемат се само PDF, PNG и JPEG.")
        return {"id": "doc-3", "filename": name}

    services.registry.answer("POST", DOCS, answer)
    representative(portal)
    files = [(io.BytesIO(PDF), "протокол.pdf"), (io.BytesIO(b"MZ..."), "програма.pdf")]
    done = portal.post(f"/my/applications/{APP_ID}/documents", data={"documents": files},
                       content_type="multipart/form-data")  # fmt: skip
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/my/applications/{APP_ID}#documents")
    sent = services.registry.sent("POST", DOCS)
    assert [call.files["file"][:2] for call in sent] == [("протокол.pdf", PDF), ("програма.pdf", b"MZ...")]
    services.registry.answer("GET", f"/api/v1/applications/{APP_ID}", application(status="draft"))
    page = portal.get(f"/my/applications/{APP_ID}").get_data(as_text=True)
    assert "Изпратени документи: протокол.pdf." in page
    assert "програма.pdf: Приемат се само PDF, PNG и JPEG." in page


def test_an_answer_carries_its_documents_and_waits_if_one_is_refused(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", f"/api/v1/applications/{APP_ID}", application())
    services.registry.answer("POST", f"/api/v1/applications/{APP_ID}/answer", application())
    services.registry.answer(
        "POST", DOCS, refusal(413, {"file": "Най-много 10 MB."}, "Документът е по-голям от 10 MB.")
    )
    representative(portal)
    big = io.BytesIO(b"%PDF-" + b"0" * (1024 * 1024))  # more than a plain form may carry: this one may
    refused = portal.post(f"/my/applications/{APP_ID}/answer",
                          data={"answer": "Прилагам устава.", "documents": [(big, "устав.pdf")]},
                          content_type="multipart/form-data")  # fmt: skip
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "устав.pdf: Документът е по-голям от 10 MB." in page
    assert "Прилагам устава." in page
    assert services.registry.sent("POST", f"/api/v1/applications/{APP_ID}/answer") == []

    services.registry.answer("POST", DOCS, {"id": "doc-4", "filename": "устав.pdf"})
    done = portal.post(f"/my/applications/{APP_ID}/answer",
                       data={"answer": "Прилагам устава.", "documents": [(io.BytesIO(PDF), "устав.pdf")]},
                       content_type="multipart/form-data")  # fmt: skip
    assert done.status_code == 302
    assert services.registry.sent("POST", f"/api/v1/applications/{APP_ID}/answer")[0].json == {
        "answer": "Прилагам устава."
    }
