"""Demo training data (``training-demo-data``), through the real use cases, for ``make run``.

A small course catalogue covering the six maturity dimensions; at every regional centre an in-person
and an online session in the coming weeks; once the consumer has taken the demo enterprises from the
register, the first active one gets a staff list, is assessed twice (a first assessment and a follow-up, so
its progress shows) and three of its workers are enrolled in a recommended session; up to four other
active enterprises of its centre are assessed twice too, so the centre's average shows next to it. Running
it again adds nothing when the catalogue exists. At the end it prints tokens for a
trainer and a learner.
"""

from __future__ import annotations

import argparse
import contextlib
from datetime import datetime, timedelta

from services.training.config import SERVICE
from services.training.domain import questionnaire as questionnaires
from services.training.domain.course import Format, Level
from services.training.domain.dimensions import Dimension
from services.training.domain.questionnaire import QuestionType
from services.training.domain.session import Meeting
from services.training.entrypoints.wiring import Training, build
from shared.auth import Principal, Role, TokenCodec
from shared.bg.geography import geography
from shared.clock import SOFIA
from shared.config import Settings
from shared.errors import Conflict
from shared.mongo import connect
from shared.settle import settled

ADMIN = Principal(subject="demo-admin", roles=frozenset({Role.ADMIN}), name="Демо администратор")
COURSES = [
    ("Дигитална стратегия за социално предприятие", (Dimension.BUSINESS_STRATEGY,), Level.BEGINNER, 12, Format.HYBRID),
    ("Електронни фактури, онлайн банкиране и е-услуги", (Dimension.DIGITAL_READINESS,), Level.BEGINNER, 8,
     Format.IN_PERSON),
    ("Дигитални умения за всеки служител", (Dimension.HUMAN_CENTRIC, Dimension.DIGITAL_READINESS), Level.BEGINNER,
     16, Format.IN_PERSON),
    ("Данни, облак и защита на личните данни", (Dimension.DATA_MANAGEMENT,), Level.INTERMEDIATE, 10, Format.ONLINE),
    ("Автоматизация и изкуствен интелект в малкия бизнес", (Dimension.AUTOMATION_AI,), Level.INTERMEDIATE, 10,
     Format.ONLINE),
    ("Зелена дигитализация: енергия и техника", (Dimension.GREEN,), Level.BEGINNER, 6, Format.HYBRID),
]  # fmt: skip
STAFF = [
    {"name": "Иван Петров", "email": "ivan.petrov@demo.example.bg", "role": "Складов работник",
     "dimensions": ["digital_readiness"]},
    {"name": "Гергана Илиева", "email": "gergana.ilieva@demo.example.bg", "role": "Счетоводител",
     "dimensions": ["digital_readiness", "data_management"]},
    {"name": "Стефан Колев", "email": "stefan.kolev@demo.example.bg", "role": "Продавач-консултант",
     "dimensions": ["human_centric"]},
    {"name": "Надежда Русева", "email": None, "role": "Шивач", "dimensions": []},
]  # fmt: skip
PEERS = 4
"""Other enterprises of the demo enterprise's centre assessed too, so that the centre's average shows."""
WORKERS = [{"name": n, "email": e} for n, e in (("Иван Петров", "ivan.petrov@demo.example.bg"),
                                                 ("Гергана Илиева", "gergana.ilieva@demo.example.bg"),
                                                 ("Стефан Колев", "stefan.kolev@demo.example.bg"))]  # fmt: skip


def worker(email: str, name: str, enterprise_id: str | None) -> Principal:
    """A demo worker signed in as a learner; the demo addresses count as verified."""
    return Principal(f"demo-learner-{email}", frozenset({Role.LEARNER}), name=name, email=email,
                     email_verified=True, enterprise_id=enterprise_id)  # fmt: skip


def trainer(centre: str) -> Principal:
    return Principal(f"demo-trainer-{centre}", frozenset({Role.TRAINER}), name=f"Обучител ({centre})")


def _meeting(now: datetime, days: int, hour: int) -> Meeting:
    day = (now.astimezone(SOFIA) + timedelta(days=days)).date()
    starts = datetime(day.year, day.month, day.day, hour, 0, tzinfo=SOFIA)
    return Meeting(starts, starts + timedelta(hours=3))


def catalogue(training: Training) -> int:
    """The courses and each centre's sessions; nothing when a catalogue exists already."""
    if training.sessions.list_courses(include_withdrawn=True):
        return 0
    now = training.clock.now()
    courses = [
        training.sessions.create_course(
            ADMIN,
            {"title_bg": title, "description_bg": f"{title}. Практически курс за работещите в социални предприятия.",
             "dimensions": dimensions, "level": level, "hours": hours, "format": format_},
        )
        for title, dimensions, level, hours, format_ in COURSES
    ]  # fmt: skip
    in_person = [c for c in courses if c.format is not Format.ONLINE]
    online = [c for c in courses if c.format is not Format.IN_PERSON]
    scheduled = 0
    for n, centre in enumerate(sorted(geography().centres)):
        for course, meetings, room, link in (
            (in_person[n % len(in_person)], [_meeting(now, 14 + n, 10), _meeting(now, 21 + n, 10)], "Зала 1", None),
            (online[n % len(online)], [_meeting(now, 10 + n, 14)], None, f"https://meet.example.bg/{centre}"),
        ):
            hybrid = course.format is Format.HYBRID
            training.sessions.schedule(
                trainer(centre),
                course_id=course.id,
                centre=centre,
                meetings=meetings,
                capacity=12 if room else 25,
                room=room or ("Зала 2" if hybrid else None),
                online_link=link or (f"https://meet.example.bg/{centre}" if hybrid else None),
            )
            scheduled += 1
    return scheduled


def demo_answers(gain: float = 0.0) -> dict[str, object]:
    """Middling answers, weakest in digital readiness (so the recommendations have something to offer);
    ``gain`` raises every level (a follow-up after some training)."""
    given: dict[str, object] = {}
    for dimension, questions in questionnaires.current().dimensions.items():
        level = min(1.0, (0.2 if dimension is Dimension.DIGITAL_READINESS else 0.6) + gain)
        for question in questions:
            if question.type is QuestionType.CHECKLIST:
                given[question.id] = question.option_ids[: round(level * len(question.options))]
            elif question.type is QuestionType.SCALE_0_5:
                given[question.id] = round(level * 5)
            else:
                given[question.id] = "partly" if level >= 0.5 else "no"
    return given


def assess_and_enrol(training: Training, wait_seconds: float) -> str | None:
    """The first active demo enterprise: assessed (T0) and three workers enrolled in a recommended session."""
    # Chosen once the register's enterprises have all arrived: earlier, one whose expiry is still on its way
    # reads as active, and the support programme's demo could not use its assessment.
    active = settled(lambda: [e for e in training.enterprises.all() if e.active], wait_seconds)
    enterprise = active[0] if active else None
    if enterprise is None or training.assessments.history(ADMIN, enterprise.enterprise_id)[1]:
        return enterprise.enterprise_id if enterprise else None
    version = questionnaires.current().version
    training.assessments.submit(ADMIN, enterprise.enterprise_id, version, demo_answers())
    training.assessments.submit(ADMIN, enterprise.enterprise_id, version, demo_answers(gain=0.1))  # the follow-up
    peers = [e for e in active if e.centre == enterprise.centre]
    for n, peer in enumerate(p for p in peers if p.enterprise_id != enterprise.enterprise_id):
        if n >= PEERS:
            break
        training.assessments.submit(ADMIN, peer.enterprise_id, version, demo_answers(gain=-0.1 + 0.05 * n))
        training.assessments.submit(ADMIN, peer.enterprise_id, version, demo_answers(gain=0.05 * n))
    representative = Principal("demo-rep-training", frozenset({Role.REPRESENTATIVE}), name="Демо представител",
                               enterprise_id=enterprise.enterprise_id)  # fmt: skip
    for member in STAFF:
        training.staff.add(representative, enterprise.enterprise_id, member)
    recommended = training.assessments.recommendations(ADMIN, enterprise.enterprise_id)
    sessions = [s for course in recommended.recommendations.courses for s in course.sessions]
    if sessions:
        invited = training.enrolments.enrol_workers(representative, sessions[0].id, WORKERS)
        for result in invited:  # each worker, signed in with the invited (verified) address, accepts
            if result.placed is not None:
                with contextlib.suppress(Conflict):
                    training.enrolments.accept(worker(result.email, result.name, enterprise.enterprise_id),
                                               result.placed.enrolment.id)  # fmt: skip
    return enterprise.enterprise_id


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Load demo courses, sessions, an assessment and enrolments.")
    parser.add_argument("--token-hours", type=float, default=12.0, help="validity of the printed tokens")
    args = parser.parse_args(argv)
    settings = Settings.from_env(SERVICE)
    client = connect(settings.mongodb_uri, app_name=f"{SERVICE}-demo-data")
    try:
        training = build(client[settings.mongodb_database])
        scheduled = catalogue(training)
        enterprise_id = assess_and_enrol(training, 180)
        codec, ttl = TokenCodec.from_settings(settings), timedelta(hours=args.token_hours)
        learner = Principal("demo-learner", frozenset({Role.LEARNER}), name=WORKERS[0]["name"],
                            email=WORKERS[0]["email"], email_verified=True, enterprise_id=enterprise_id)  # fmt: skip
        print("\n".join([
            f"Training demo data: sessions scheduled {scheduled}; enterprise assessed {enterprise_id or 'none yet'}.",
            "# trainer demo-trainer-plovdiv (Plovdiv)",
            f"TRAINER_TOKEN={codec.encode(trainer('plovdiv'), ttl)}",
            f"# learner {learner.email}",
            f"LEARNER_TOKEN={codec.encode(learner, ttl)}",
        ]))  # fmt: skip
    finally:
        client.close()


if __name__ == "__main__":
    main()
