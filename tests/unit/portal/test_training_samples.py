"""Answers of the training service as its OpenAPI describes them, shared by the training pages' tests.

(No tests here: the builders below give each test a session, an enrolment or an assessment to change.)
"""

from __future__ import annotations

from typing import Any

SESSION_ID = "5b1c0c1e-1111-4a4a-9b9b-000000000001"
OTHER_SESSION_ID = "5b1c0c1e-2222-4a4a-9b9b-000000000002"
COURSE_ID = "48c4ce58-9a24-492d-9468-aebbf324b57c"
ENTERPRISE_ID = "f5c6c941-6784-40ec-ac56-f0ed55a78d1e"
LEARNER_EMAIL = "ivan.petrov@example.bg"

DIMENSIONS = [
    ("business_strategy", "Дигитална бизнес стратегия", "Digital business strategy"),
    ("digital_readiness", "Дигитална готовност", "Digital readiness"),
    ("human_centric", "Дигитализация, ориентирана към човека", "Human-centric digitalisation"),
    ("data_management", "Управление и свързаност на данните", "Data management and connectedness"),
    ("automation_ai", "Автоматизация и изкуствен интелект", "Automation and artificial intelligence"),
    ("green", "Зелена дигитализация", "Green digitalisation"),
]


def named(code: str) -> dict[str, Any]:
    bg, en = next((bg, en) for c, bg, en in DIMENSIONS if c == code)
    return {"code": code, "name": {"bg": bg, "en": en}}


def course(**changes: Any) -> dict[str, Any]:
    return {
        "id": COURSE_ID,
        "title": {"bg": "Електронни фактури и е-услуги", "en": None},
        "description": {"bg": "Практически курс.", "en": None},
        "dimensions": [named("digital_readiness")],
        "level": "beginner",
        "level_bg": "начинаещи",
        "hours": 8,
        "format": "in_person",
        "format_bg": "присъствено",
        "active": True,
        "version": 1,
        **changes,
    }


def online_course() -> dict[str, Any]:
    return course(
        id="c-online",
        title={"bg": "Данни и облак", "en": "Data and the cloud"},
        dimensions=[named("data_management")],
        format="online",
    )


def _utc(sofia_winter_time: str) -> str:
    return f"{int(sofia_winter_time[:2]) - 2:02d}{sofia_winter_time[2:]}"


def meeting(day: str, start: str, end: str) -> dict[str, str]:
    """A meeting on a winter day (Sofia is UTC+2)."""
    utc = _utc
    return {
        "starts_at": f"{day}T{utc(start)}:00Z",
        "ends_at": f"{day}T{utc(end)}:00Z",
        "starts_at_local": f"{day}T{start}:00+02:00",
        "ends_at_local": f"{day}T{end}:00+02:00",
    }


def session(**changes: Any) -> dict[str, Any]:
    meetings = changes.pop(
        "meetings", [meeting("2030-12-07", "14:00", "17:00"), meeting("2030-12-08", "10:00", "12:00")]
    )
    return {
        "id": SESSION_ID,
        "course": {"id": COURSE_ID, "title": "Електронни фактури и е-услуги"},
        "trainer": {"id": "demo-trainer-plovdiv", "name": "Обучител (plovdiv)"},
        "centre": {"id": "plovdiv", "name": {"bg": "Регионален център Пловдив", "en": "Plovdiv regional centre"}},
        "room": "Зала 2",
        "online": False,
        "online_link": None,
        "meetings": meetings,
        "starts_at": meetings[0]["starts_at"],
        "ends_at": meetings[-1]["ends_at"],
        "starts_at_local": meetings[0]["starts_at_local"],
        "ends_at_local": meetings[-1]["ends_at_local"],
        "capacity": 1,
        "enrolment": {
            "opens_at": "2026-11-01T08:00:00Z",
            "closes_at": meetings[0]["starts_at"],
            "opens_at_local": "2026-11-01T10:00:00+02:00",
            "closes_at_local": meetings[0]["starts_at_local"],
            "open": True,
        },
        "funded": True,
        "open_to_all": False,
        "status": "scheduled",
        "status_bg": "насрочена",
        "cancellation_reason": None,
        "version": 1,
        **changes,
    }


def online_session() -> dict[str, Any]:
    """A session of :func:`online_course`, met online."""
    return session(id="s-online", room=None, online=True, course={"id": "c-online", "title": "Данни и облак"})


def enrolment(state: str = "confirmed", position: int | None = None, **changes: Any) -> dict[str, Any]:
    return {
        "id": f"{SESSION_ID}:{LEARNER_EMAIL}",
        "session": {
            "id": SESSION_ID,
            "course_title": "Електронни фактури и е-услуги",
            "centre": {"id": "plovdiv", "name": {"bg": "Регионален център Пловдив", "en": "Plovdiv regional centre"}},
            "starts_at": "2030-12-07T12:00:00Z",
        },
        "learner": {"email": LEARNER_EMAIL, "name": "Иван Петров"},
        "enterprise_id": ENTERPRISE_ID,
        "state": state,
        "state_bg": {"confirmed": "потвърдено място", "waitlisted": "в списъка на чакащите"}.get(state, state),
        "waitlist_position": position,
        "enrolled_at": "2026-11-23T18:35:46Z",
        "confirmed_at": None,
        "waitlisted_at": None,
        "cancelled_at": None,
        "cancelled_by": None,
        "reason": None,
        "attendance": {"present": [], "absent": []},
        "certificate": None,
        "version": 1,
        **changes,
    }


def assessment(label: str, scores: list[float], *, baseline: dict[str, Any] | None = None) -> dict[str, Any]:
    band = {"code": "average", "name": {"bg": "Средно ниво", "en": "Average"}}
    by_code = dict(zip([c for c, _bg, _en in DIMENSIONS], scores, strict=True))
    return {
        "id": f"a-{label}",
        "label": label,
        "sequence": int(label[1:]),
        "enterprise": {"id": ENTERPRISE_ID, "name": "Кооперация „Котленски килим“", "centre": "plovdiv"},
        "questionnaire_version": "dma-2026-1",
        "taken_at": "2026-11-23T18:35:46Z",
        "taken_by": {"id": "rep-1", "name": "Петя Стоянова", "role": "representative"},
        "overall": round(sum(scores) / 6, 1),
        "band": band,
        "scores": by_code,
        "dimensions": [
            {
                **named(code),
                "score": score,
                "band": band,
                "change_since_t0": round(score - baseline["scores"][code], 1) if baseline else None,
            }
            for code, score in by_code.items()
        ],
        "progress": (
            {
                "since": {"assessment_id": baseline["id"], "label": baseline["label"], "overall": baseline["overall"]},
                "overall": round(sum(scores) / 6 - baseline["overall"], 1),
                "improved": True,
                "dimensions": {},
            }
            if baseline
            else None
        ),
    }


def questionnaire() -> dict[str, Any]:
    yes_partly_no = [
        {"value": "yes", "text": {"bg": "Да", "en": "Yes"}},
        {"value": "partly", "text": {"bg": "Частично", "en": "Partly"}},
        {"value": "no", "text": {"bg": "Не", "en": "No"}},
    ]
    scale = [{"value": n, "text": {"bg": f"Ниво {n}", "en": f"Level {n}"}} for n in range(6)]
    return {
        "version": "dma-2026-1",
        "current": True,
        "title": {"bg": "Оценка на дигиталната зрялост", "en": "Digital maturity assessment"},
        "scoring": "",
        "bands": [],
        "dimensions": [
            {
                **named("business_strategy"),
                "questions": [
                    {
                        "id": "bs_plan",
                        "type": "yes_partly_no",
                        "text": {"bg": "Имате ли план за дигитализация?", "en": "Do you have a plan?"},
                        "weight": 2,
                        "choices": yes_partly_no,
                    },
                    {
                        "id": "bs_channels",
                        "type": "checklist",
                        "text": {"bg": "Кои канали използвате?", "en": "Which channels do you use?"},
                        "weight": 2,
                        "options": [
                            {"id": "website", "text": {"bg": "Уебсайт", "en": "Website"}},
                            {"id": "social_media", "text": {"bg": "Социални мрежи", "en": "Social media"}},
                        ],
                    },
                ],
            },
            {
                **named("digital_readiness"),
                "questions": [
                    {
                        "id": "dr_einvoicing",
                        "type": "scale_0_5",
                        "text": {"bg": "Доколко използвате е-фактури?", "en": "How far do you use e-invoices?"},
                        "weight": 2,
                        "choices": scale,
                    }
                ],
            },
        ],
    }
