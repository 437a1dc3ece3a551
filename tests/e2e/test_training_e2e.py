"""End to end: the registry and the training service as separate real processes, meeting only on Kafka.

An enterprise is approved in the registry and becomes known to the training service; it is assessed
and gets recommendations; its representative invites three workers, who accept, into a recommended two-seat
session that fills up; one cancels and the first waiting is promoted; the trainer records attendance after
the meeting and completes the session; the certificate is verified publicly with its number and check code,
and the events are on Kafka.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from kafka import KafkaConsumer

from shared.auth import Role
from tests.e2e.registry_flow import register
from tests.e2e.services import BIN, post, running_service, service_env
from tests.integration.registry_api import token
from tests.integration.training_api import answers, learner_token
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

ADMIN = token("admin-e2e", Role.ADMIN)
TRAINER = token("trainer-e2e", Role.TRAINER, name="Петя Стоянова")
WORKERS = [{"name": f"Работник {i}", "email": f"worker{i}@pekarna.example.bg"} for i in (1, 2, 3)]


@pytest.fixture(scope="module")
def training(infra: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logs = tmp_path_factory.mktemp("training-processes")
    env = service_env(infra, "training", logs)
    extra = {"relay": [str(BIN / "training-relay")], "consumer": [str(BIN / "training-consumer")]}
    with running_service("training", logs, env, extra, alive=["relay-alive", "consumer-alive"]) as url:
        yield f"{url}/api/v1"


def at(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def test_from_the_register_to_a_verified_certificate(registry_api: str, training: str, infra: Any) -> None:
    enterprise_id = register(registry_api, "121873457", "Социална пекарна „Житен клас“")
    representative = token("rep-1", Role.REPRESENTATIVE, enterprise_id=enterprise_id, name="Елена Георгиева")
    wait_until(
        lambda: requests.get(f"{training}/enterprises/{enterprise_id}/recommendations", headers=representative,
                             timeout=10).status_code == 200,
        "the training service to learn of the new enterprise from Kafka",
    )  # fmt: skip

    course = post(f"{training}/courses", ADMIN, {
        "title_bg": "Електронни фактури и онлайн банкиране", "description_bg": "Практически курс за счетоводители.",
        "dimensions": ["digital_readiness"], "level": "beginner", "hours": 8, "format": "in_person",
    })  # fmt: skip
    start = datetime.now(UTC) + timedelta(seconds=20)  # time for the enrolments below, which close when it starts
    end = start + timedelta(seconds=3)
    session = post(f"{training}/sessions", TRAINER, {
        "course_id": course["id"], "centre": "plovdiv", "room": "Зала 2", "capacity": 2,
        "meetings": [{"starts_at": at(start), "ends_at": at(end)}],
    })  # fmt: skip

    assessment = post(f"{training}/enterprises/{enterprise_id}/assessments", representative,
                      {"version": "dma-2026-1", "answers": answers(0.7, weak=("digital_readiness",))})  # fmt: skip
    assert assessment["label"] == "T0"
    recommended = requests.get(f"{training}/enterprises/{enterprise_id}/recommendations", headers=representative,
                               timeout=10).json()  # fmt: skip
    offered = {s["id"] for c in recommended["courses"] if c["id"] == course["id"] for s in c["sessions"]}
    assert session["id"] in offered

    enrolled = post(f"{training}/sessions/{session['id']}/enrolments", representative, {"workers": WORKERS})["items"]
    assert [item["enrolment"]["state"] for item in enrolled] == ["invited"] * 3
    accepted = [  # each worker, signed in with the invited (verified) address, accepts
        post(f"{training}/enrolments/{item['enrolment']['id']}/accept", learner_token(worker["email"]), {})
        for item, worker in zip(enrolled, WORKERS, strict=True)
    ]
    states = [enrolment["state"] for enrolment in accepted]
    assert states == ["confirmed", "confirmed", "waitlisted"]
    post(f"{training}/enrolments/{enrolled[0]['enrolment']['id']}/cancel", representative, {"reason": "болничен"})
    promoted = requests.get(f"{training}/enrolments/{enrolled[2]['enrolment']['id']}", headers=representative,
                            timeout=10).json()  # fmt: skip
    assert promoted["state"] == "confirmed"

    present = [WORKERS[1]["email"], WORKERS[2]["email"]]

    def completed() -> dict[str, Any] | None:
        response = requests.post(f"{training}/sessions/{session['id']}/complete", headers=TRAINER, timeout=10)
        return response.json() if response.status_code == 200 else None

    wait_until(lambda: datetime.now(UTC) > end + timedelta(seconds=1), "the meeting to end", timeout=60)
    post(f"{training}/sessions/{session['id']}/attendance", TRAINER, {"meeting": 1, "present": present})
    result = wait_until(completed, "the session to be completed", timeout=30)
    numbers = {item["learner"]: item["certificate_number"] for item in result["completed"]}
    assert set(numbers) == set(present)

    number = numbers[WORKERS[2]["email"]]
    assert requests.get(f"{training}/certificates/{number}", timeout=10).status_code == 404  # the number alone
    mine = requests.get(f"{training}/enrolments/{enrolled[2]['enrolment']['id']}",
                        headers=learner_token(WORKERS[2]["email"]), timeout=10).json()  # fmt: skip
    code = mine["certificate"]["check_code"]
    verified = requests.get(f"{training}/certificates/{number}", params={"code": code}, timeout=10)
    assert verified.status_code == 200 and verified.json()["learner_name"] == WORKERS[2]["name"]

    consumer = KafkaConsumer("training.enrolment.v1", bootstrap_servers=infra.kafka_bootstrap, group_id=None,
                             auto_offset_reset="earliest", enable_auto_commit=False)  # fmt: skip
    seen: set[str] = set()

    def events_arrived() -> bool:
        for records in consumer.poll(timeout_ms=500).values():
            for record in records:
                event = json.loads(record.value)
                if event["payload"]["session_id"] == session["id"]:
                    seen.add(event["event_type"])
        return {"training.WorkerInvited", "training.PromotedFromWaitlist", "training.CertificateIssued"} <= seen

    try:
        wait_until(events_arrived, "the promotion and the certificates on Kafka")
    finally:
        consumer.close()
