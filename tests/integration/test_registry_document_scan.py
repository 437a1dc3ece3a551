"""Documents are scanned before the registry stores them, against real FerretDB: a PDF with JavaScript or a
launch action is refused (422 naming the field ``file``, in Bulgarian and English), with ClamAV configured an
infected file is refused as well, and a configured ClamAV that does not answer stops the upload (503).
Nothing refused is stored: not listed, no GridFS file or chunk."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.registry.config import RegistryConfig
from services.registry.entrypoints.app import create_app
from tests.documents import EICAR, open_action, pdf, unix_clamd
from tests.integration.registry_api import REP, application

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def draft(client: FlaskClient) -> str:
    created = client.post("/api/v1/applications", json=application(), headers=REP)
    assert created.status_code == 201, created.json
    return str(created.json["id"])


def upload(client: FlaskClient, app_id: str, data: bytes, name: str) -> Any:
    return client.post(
        f"/api/v1/applications/{app_id}/documents",
        data={"file": (io.BytesIO(data), name)},
        headers=REP,
        content_type="multipart/form-data",
    )


def stored(client: FlaskClient, db: Database, app_id: str) -> tuple[list[str], int, int]:
    listed = client.get(f"/api/v1/applications/{app_id}/documents", headers=REP).json["items"]
    return (
        [item["filename"] for item in listed],
        db["attachments.files"].count_documents({}),
        db["attachments.chunks"].count_documents({}),
    )


def test_a_pdf_that_runs_javascript_or_launches_a_program_is_refused_and_not_stored(
    registry: FlaskClient, registry_db: Database
) -> None:
    app_id = draft(registry)
    scripted = upload(registry, app_id, pdf(open_action("/JavaScript", JS="app.launchURL('x')")), "протокол.pdf")
    assert scripted.status_code == 422, scripted.json
    (said,) = scripted.json["fields"]["file"]
    assert said["bg"] == "Документът не е приет: съдържа JavaScript."
    assert said["en"] == "The document was refused: it contains JavaScript."
    launching = upload(registry, app_id, pdf(open_action("/Launch", F="cmd.exe")), "устав.pdf")
    assert launching.status_code == 422 and "стартира програма" in launching.json["fields"]["file"][0]["bg"]
    assert stored(registry, registry_db, app_id) == ([], 0, 0)

    plain = upload(registry, app_id, pdf(open_action("/URI", URI="https://www.example.bg")), "протокол.pdf")
    assert plain.status_code == 201, plain.json
    assert stored(registry, registry_db, app_id)[:2] == (["протокол.pdf"], 1)


def test_with_clamav_configured_an_infected_file_is_refused_and_clean_ones_pass(
    registry_db_name: str, registry_db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with unix_clamd(tmp_path) as (address, clamd):
        monkeypatch.setenv("CLAMD_ADDRESS", address)
        client = create_app(RegistryConfig.from_env()).test_client()
        app_id = draft(client)
        infected = upload(client, app_id, PNG + EICAR, "снимка.png")
        assert infected.status_code == 422, infected.json
        assert "Eicar-Test-Signature" in infected.json["fields"]["file"][0]["bg"]
        assert stored(client, registry_db, app_id) == ([], 0, 0)
        clean = upload(client, app_id, pdf(), "протокол.pdf")
        assert clean.status_code == 201, clean.json
    assert clamd.streams == [PNG + EICAR, pdf()]  # ClamAV saw each file whole


def test_a_configured_clamav_that_does_not_answer_stops_the_upload(
    registry_db_name: str, registry_db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CLAMD_ADDRESS", f"unix://{tmp_path / 'clamd-is-down.ctl'}")
    client = create_app(RegistryConfig.from_env()).test_client()
    app_id = draft(client)
    refused = upload(client, app_id, pdf(), "протокол.pdf")
    assert refused.status_code == 503, refused.json
    assert "опитайте отново" in refused.json["message"]["bg"].lower()
    assert stored(client, registry_db, app_id) == ([], 0, 0)
