"""Notifications of the centres' fairs, bazaars and forums: who hears of what, and what the messages say."""

from __future__ import annotations

from dataclasses import replace

from services.notifications.domain.mapping import notices_for, with_representatives
from services.notifications.domain.notice import Notice
from services.notifications.domain.rendering import render
from services.notifications.domain.webhook_rules import WEBHOOK_RULES, Subscriber, entitled, webhook_body
from shared.auth import Principal, Role
from shared.events import Envelope
from tests.unit.test_notifications_mapping import (
    EXAMPLES,
    PEKARNA,
    PENKA,
    PETYA,
    by_mail,
    notices_of,
    people,
    seen,
)


def _with(event_type: str, **changes: object) -> Envelope:
    envelope = EXAMPLES[event_type]
    return replace(envelope, payload={**envelope.payload, **changes})


def _bg(notice: Notice) -> str:
    return render(notice.message, "bg", notice.values).text


def test_a_stand_is_told_with_its_number_and_its_price_in_euro_or_that_it_is_free() -> None:
    representative, _colleague, copy = notices_of(EXAMPLES["events.ExhibitorSelected"])
    assert representative.link == "/my/events"
    assert representative.context["portal_link"] == "http://127.0.0.1:8100/my/events"
    message = render(representative.message, "bg", representative.values)
    assert message.subject == "Одобрен щанд A1: Лятно изложение на социалните предприятия"
    assert message.text.startswith("Здравейте, Петя Георгиева,\n")
    assert "Щанд: A1" in message.text and "Цена на щанда: 50,00\u00a0€ за цялото събитие" in message.text
    assert "Начало: 19.06.2027, 10:00 ч." in message.text  # Sofia summer time
    assert render(copy.message, "bg", copy.values).text.startswith("Здравейте,\n")  # the contact, plainly
    (free, *_) = notices_of(_with("events.ExhibitorSelected", price_cents=0))
    assert "Щандът е безплатен." in _bg(free) and "€" not in _bg(free)
    for notice in (representative, copy):  # nobody's message carries the representatives or the contact
        assert not {"exhibitor_representatives", "exhibitor_contact"} & set(notice.context)


def test_a_waiting_list_and_a_rejection_give_the_reason() -> None:
    (waiting, *_) = notices_of(EXAMPLES["events.ExhibitorWaitlisted"])
    assert "Причина: Няма свободни щандове." in _bg(waiting)
    (rejected, *_) = notices_of(EXAMPLES["events.ExhibitorRejected"])
    assert "не е одобрена" in _bg(rejected) and "Причина: Продуктите не са от социално предприятие." in _bg(rejected)


def test_a_withdrawal_says_plainly_who_withdrew_it_and_why() -> None:
    """The register deleted it: its contact address alone (it has no representatives any more), saying so;
    its entry expired: everyone, saying that; the organisers: everyone, with their reason; itself: nobody."""
    (deleted,) = notices_of(EXAMPLES["events.ExhibitorWithdrawn"])
    assert "оттеглена автоматично, защото предприятието е заличено от Регистъра" in _bg(deleted)
    assert "Щанд A2 вече не е запазен за вас." in _bg(deleted)
    english = render(deleted.message, "en", deleted.values).text
    assert "withdrawn automatically because the enterprise has been deleted from the Register" in english

    expired = notices_of(_with("events.ExhibitorWithdrawn", register_status="expired", reason="Изтекло вписване."))
    assert seen(expired) == [*people("exhibitor_withdrawn", PETYA, PENKA), by_mail("exhibitor_withdrawn", PEKARNA)]
    assert "вписването на предприятието в Регистъра на социалните предприятия вече не е в сила" in _bg(expired[0])

    by_organisers = notices_of(
        _with(
            "events.ExhibitorWithdrawn", withdrawn_by="organiser", register_status=None, reason="Щандът се ремонтира."
        )
    )
    assert len(by_organisers) == 3
    assert "Организаторите оттеглиха кандидатурата" in _bg(by_organisers[0])
    assert "Причина: Щандът се ремонтира." in _bg(by_organisers[0])
    older = dict(EXAMPLES["events.ExhibitorWithdrawn"].payload)
    del older["register_status"]  # an event written before it said why: the register's wording, all told
    older_notices = notices_of(replace(EXAMPLES["events.ExhibitorWithdrawn"], payload=older))
    assert len(older_notices) == 3 and "вече не е в сила" in _bg(older_notices[0])
    assert notices_of(_with("events.ExhibitorWithdrawn", withdrawn_by="enterprise", register_status=None)) == []


def test_an_exhibitor_nobody_represents_and_without_a_contact_gets_its_enterprises_inbox() -> None:
    notices = notices_for(with_representatives(EXAMPLES["events.ExhibitorSelected"], lambda enterprise_id: []))
    assert seen(notices) == [("exhibitor_selected", "enterprise:ent-1", None, False)]


def test_the_organising_centre_hears_of_each_application_and_the_ministry_of_its_own_events() -> None:
    queued = next(n for n in notices_of(EXAMPLES["events.ExhibitorApplied"]) if n.message == "exhibitor_queued")
    assert (queued.recipient.key, queued.link) == ("centre:plovdiv", "/events/ev-1")
    assert "Пекарна Добро кандидатства за щанд" in _bg(queued) and "с 2 продукта от пазара" in _bg(queued)
    assert "Регионален център Пловдив" in _bg(queued)
    national = notices_of(_with("events.ExhibitorApplied", organiser="national", listings=["l-1"]))
    (ministry,) = [n for n in national if n.message == "exhibitor_queued"]
    assert ministry.recipient.key == "centre:national" and "с 1 продукт от пазара" in _bg(ministry)
    older = notices_of(_with("events.ExhibitorApplied", organiser=None))
    assert [n.message for n in older].count("exhibitor_queued") == 0


def test_a_visitor_hears_in_her_own_inbox_and_at_her_address_with_her_seat_place_or_promotion() -> None:
    (seat,) = notices_of(EXAMPLES["events.VisitorRegistered"])
    message = render(seat.message, "bg", seat.values)
    assert message.subject == "Записани сте: Лятно изложение на социалните предприятия"
    assert message.text.startswith("Здравейте, Мария Петрова,\n") and "Начало: 19.06.2027, 10:00 ч." in message.text
    (promoted,) = notices_of(_with("events.VisitorRegistered", promoted=True))
    assert render(promoted.message, "bg", promoted.values).subject.startswith("Освободи се място – записани сте")
    (waiting,) = notices_of(EXAMPLES["events.VisitorWaitlisted"])
    assert "в списъка на чакащите под № 1" in _bg(waiting)
    (older,) = notices_of(_with("events.VisitorRegistered", visitor_subject=None))  # a registration kept no subject
    assert (older.recipient.key, older.recipient.email) == ("email:maria@example.bg", "maria@example.bg")


def test_a_move_tells_the_old_and_new_sofia_times_and_the_venue_to_everyone_whatever_their_settings() -> None:
    notices = notices_of(EXAMPLES["events.EventRescheduled"])
    visitor = notices[0]
    assert (visitor.recipient.key, visitor.recipient.name, visitor.legal) == (
        "user:visitor-maria",
        "Мария Петрова",
        True,
    )
    assert visitor.link == "/events/ev-1"
    text = _bg(visitor)
    assert "Ново време: 19.06.2027, 10:00 – 19.06.2027, 18:00 ч. (българско време)" in text
    assert "Досегашно време: 12.06.2027, 10:00 – 12.06.2027, 18:00 ч." in text
    assert "Място: залата на Регионален център Пловдив" in text
    assert "Записването ви остава в сила" in text and "независимо от настройките" in text
    exhibitor = _bg(notices[1])
    assert "Кандидатурата ви за щанд остава в сила" in exhibitor
    for notice in notices:  # nobody's message carries the other people taking part
        assert not {"visitor_roster", "visitors", "exhibitors", "exhibitors_told"} & set(notice.context)


def test_a_cancellation_gives_the_reason_and_an_older_event_without_the_roster_reaches_the_addresses() -> None:
    notices = notices_of(EXAMPLES["events.EventCancelled"])
    assert "Причина: Залата се ремонтира." in _bg(notices[0]) and "Записването ви отпада" in _bg(notices[0])
    assert "Кандидатурата ви за щанд отпада" in _bg(notices[1])
    older = dict(EXAMPLES["events.EventCancelled"].payload)
    del older["visitor_roster"]
    notices = notices_of(replace(EXAMPLES["events.EventCancelled"], payload=older))
    assert seen(notices)[0] == ("event_cancelled", "email:m@example.bg", "m@example.bg", True)


def test_webhooks_carry_the_public_calendar_to_anyone_and_a_stand_to_its_own_enterprise_only() -> None:
    cancelled = EXAMPLES["events.EventCancelled"]
    body = webhook_body("events.EventCancelled", cancelled.to_dict())
    assert body["payload"]["event_id"] == "ev-2" and body["payload"]["status"] == "cancelled"
    assert not {"reason", "visitors", "visitor_roster", "exhibitors"} & set(body["payload"])
    assert entitled(Subscriber.of(Principal("integrator", frozenset({Role.INTEGRATOR}))), "events.EventCancelled", {})
    selected = EXAMPLES["events.ExhibitorSelected"].payload
    own = Subscriber.of(Principal("rep-1", frozenset({Role.REPRESENTATIVE}), enterprise_id="ent-1"))
    other = Subscriber.of(Principal("rep-9", frozenset({Role.REPRESENTATIVE}), enterprise_id="ent-9"))
    assert [entitled(s, "events.ExhibitorSelected", selected) for s in (own, other)] == [True, False]
    assert "events.VisitorRegistered" not in WEBHOOK_RULES  # a person's registration is no one's webhook
