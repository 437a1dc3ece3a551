"""The register's workflow through its use cases, with in-memory fakes of the database."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.registry.domain.application import ApplicationStatus
from services.registry.domain.eligibility import APlusCriterion, EnterpriseClass, Evidence
from services.registry.domain.entry import EntryStatus, Order
from services.registry.domain.errors import TransitionNotAllowed
from shared.errors import Conflict, Forbidden, NotFound
from tests.unit.registry_fakes import clerk, details, eligible_request, make_service, representative

ORDER = Order("РД-01-100", date(2026, 3, 10))


def submitted():
    service, repo, clock = make_service()
    enterprise = service.start_application(representative(), details(), eligible_request())
    app_id = enterprise.application.id
    service.submit(representative(), app_id)
    return service, repo, clock, app_id


def test_submission_starts_the_14_day_clock_and_enters_the_centres_queue() -> None:
    _service, repo, clock, app_id = submitted()
    enterprise = repo.get_by_application(app_id)
    assert enterprise.application.status is ApplicationStatus.SUBMITTED
    assert enterprise.application.centre == "plovdiv"
    assert enterprise.application.clock.due_at == clock.now() + timedelta(days=14)
    assert repo.event_types() == ["ApplicationSubmitted"]


def test_a_draft_raises_no_event_and_can_be_edited() -> None:
    service, repo, _ = make_service()
    enterprise = service.start_application(representative(), details(), eligible_request())
    service.amend_application(representative(), enterprise.application.id, replace(details(), name="Ново име"), None)
    assert repo.get(enterprise.id).details.name == "Ново име"
    assert repo.published == []


def test_information_request_pauses_the_clock_and_resubmission_resumes_it() -> None:
    service, repo, clock, app_id = submitted()
    clock.advance(days=5)
    service.request_information(clerk(), app_id, "Приложете протокол от общото събрание.")
    clock.advance(days=20)  # the applicant takes time: it does not count against the clerks
    service.amend_application(representative(), app_id, None, eligible_request())
    service.submit(representative(), app_id)
    app = repo.get_by_application(app_id).application
    assert app.clock.due_at == clock.now() + timedelta(days=9)
    assert app.information_requests[0].answered_at == clock.now()
    assert repo.event_types() == ["ApplicationSubmitted", "InformationRequested", "ApplicationSubmitted"]


def test_overdue_when_the_clock_runs_out() -> None:
    _, repo, clock, app_id = submitted()
    clock.advance(days=14, seconds=1)
    assert repo.get_by_application(app_id).application.clock.is_overdue(clock.now())


def test_approval_enters_the_enterprise_with_a_certificate_valid_three_years() -> None:
    service, repo, _, app_id = submitted()
    enterprise = service.approve(clerk(), app_id, ORDER)
    entry = enterprise.entry
    assert entry.status is EntryStatus.ACTIVE
    assert entry.registration_number == "СП-00001"
    assert entry.certificate.number == "УСП-2026-00001"
    assert entry.certificate.valid_from == date(2026, 3, 2)
    assert entry.certificate.valid_until == date(2029, 3, 1)
    assert repo.event_types()[-2:] == ["EnterpriseRegistered", "ApplicationApproved"]
    registered = repo.published[-2].envelope
    assert registered.aggregate_id == enterprise.id
    assert registered.payload["vulnerable_staff_total"] == 4
    assert registered.payload["centre"] == "plovdiv"


def test_a_plus_certificate_is_valid_two_years() -> None:
    service, _repo, _ = make_service()
    request = replace(eligible_request(EnterpriseClass.A_PLUS), a_plus_criterion=APlusCriterion.EMPLOYMENT_CONTINUITY)
    app_id = service.start_application(representative(), details(), request).application.id
    service.submit(representative(), app_id)
    entry = service.approve(clerk(), app_id, ORDER).entry
    assert entry.enterprise_class is EnterpriseClass.A_PLUS
    assert entry.certificate.valid_until == date(2028, 3, 1)


def test_approval_is_refused_when_the_requested_class_is_not_met() -> None:
    service, repo, _ = make_service()
    weak = replace(eligible_request(), evidence=Evidence(True, True, 0, 0, 10, {"refugees": 1}))
    app_id = service.start_application(representative(), details(), weak).application.id
    service.submit(representative(), app_id)
    with pytest.raises(TransitionNotAllowed, match="A3b"):
        service.approve(clerk(), app_id, ORDER)
    assert repo.get_by_application(app_id).application.status is ApplicationStatus.SUBMITTED


@pytest.mark.parametrize("action", ["approve", "reject", "request_information"])
def test_decisions_on_a_draft_are_not_allowed(action: str) -> None:
    service, _repo, _ = make_service()
    app_id = service.start_application(representative(), details(), eligible_request()).application.id
    args = {"approve": (ORDER,), "reject": (["непълни документи"],), "request_information": ("?",)}[action]
    with pytest.raises(TransitionNotAllowed) as raised:
        getattr(service, action)(clerk(), app_id, *args)
    assert raised.value.status == 409
    assert "чернова" in raised.value.message.bg


def test_a_rejected_application_cannot_be_approved_and_a_new_one_can_start() -> None:
    service, _repo, _, app_id = submitted()
    service.reject(clerk(), app_id, ["Липсва доказателство за социалната дейност."])
    with pytest.raises(TransitionNotAllowed):
        service.approve(clerk(), app_id, ORDER)
    again = service.start_application(representative(), details(), eligible_request())
    assert again.application.id != app_id
    assert [a.id for a in again.past_applications] == [app_id]


def test_clerks_act_only_in_their_centre_national_clerks_everywhere() -> None:
    service, _, _, app_id = submitted()
    with pytest.raises(Forbidden):
        service.request_information(clerk("varna"), app_id, "?")
    service.request_information(clerk("national"), app_id, "Моля, допълнете.")


def test_representatives_see_and_change_only_their_own_applications() -> None:
    service, _, _, app_id = submitted()
    stranger = representative("rep-2")
    with pytest.raises(NotFound):
        service.view_application(stranger, app_id)
    with pytest.raises(Forbidden):
        service.withdraw(stranger, app_id)


def test_an_eik_not_yet_entered_is_nobodys_and_one_entered_is_its_enterprises() -> None:
    service, repo, _, first = submitted()
    second = service.start_application(representative("rep-2"), details(), eligible_request()).application.id
    service.submit(representative("rep-2"), second)
    service.approve(clerk(), second, ORDER)
    with pytest.raises(Conflict) as raised:
        service.approve(clerk(), first, ORDER)
    assert "eik" in raised.value.fields
    assert repo.get_by_application(first).entry is None
    with pytest.raises(Conflict):
        service.start_application(representative("rep-3"), details(), eligible_request())


def test_an_untouched_draft_expires_without_telling_anyone() -> None:
    service, repo, clock = make_service()
    draft = service.start_application(representative(), details(), eligible_request())
    clock.advance(days=29)
    service.amend_application(representative(), draft.application.id, None, eligible_request())
    clock.advance(days=29)
    assert service.expire_drafts() == 0
    clock.advance(days=1, seconds=1)
    assert service.expire_drafts() == 1
    assert repo.get(draft.id).application.status is ApplicationStatus.WITHDRAWN
    assert repo.get(draft.id).history[-1].action == "draft_expired"
    assert repo.published == [] and service.expire_drafts() == 0


def registered():
    service, repo, clock, app_id = submitted()
    enterprise = service.approve(clerk(), app_id, ORDER)
    return service, repo, clock, enterprise.id


def test_expiry_notices_are_given_once_at_60_and_30_days_then_the_entry_expires() -> None:
    service, repo, clock, enterprise_id = registered()
    valid_until = repo.get(enterprise_id).entry.certificate.valid_until
    before = len(repo.published)
    clock.advance(days=(valid_until - clock.now().date()).days - 60)
    assert service.run_daily_checks() == 1
    assert service.run_daily_checks() == 0  # the same day again: no second notice
    clock.advance(days=30)
    service.run_daily_checks()
    clock.advance(days=31)
    service.run_daily_checks()
    new_events = repo.event_types()[before:]
    assert new_events.count("CertificateExpiring") == 2
    assert new_events[-1] == "CertificateExpired"
    assert [
        e.envelope.payload["notice_days"] for e in repo.published[before:] if "Expiring" in e.envelope.event_type
    ] == [60, 30]
    assert repo.get(enterprise_id).entry.status is EntryStatus.EXPIRED


def test_renewal_before_expiry_extends_validity_without_a_gap() -> None:
    service, repo, clock, enterprise_id = registered()
    old_until = repo.get(enterprise_id).entry.certificate.valid_until
    with pytest.raises(TransitionNotAllowed, match="renewal can be applied for from"):
        service.apply_for_renewal(representative(), enterprise_id, eligible_request())
    clock.advance(days=(old_until - clock.now().date()).days - 30)
    renewal_id = service.apply_for_renewal(representative(), enterprise_id, eligible_request()).application.id
    service.submit(representative(), renewal_id)
    entry = service.approve(clerk(), renewal_id, Order("РД-01-900", clock.now().date())).entry
    assert entry.registration_number == "СП-00001"
    assert entry.certificate.valid_from == old_until + timedelta(days=1)
    assert entry.expiry_notices == []
    assert "EnterpriseRenewed" in repo.event_types()


def test_class_change_and_deletion_are_public_history() -> None:
    service, repo, _clock, enterprise_id = make_a_plus()
    service.change_class(clerk(), enterprise_id, EnterpriseClass.A, "Критерият за 6 месеца вече не е изпълнен.")
    service.delete(clerk(), enterprise_id, Order("РД-01-222", date(2026, 6, 1)), "own_request", "")
    enterprise = repo.get(enterprise_id)
    assert enterprise.entry.status is EntryStatus.DELETED
    public = [h.action for h in enterprise.history if h.public]
    assert public == ["registered", "class_changed", "deleted"]
    assert repo.event_types()[-2:] == ["EnterpriseClassChanged", "EnterpriseDeleted"]
    with pytest.raises(TransitionNotAllowed):
        service.delete(clerk(), enterprise_id, Order("РД-01-223", date(2026, 6, 2)), "own_request", "")


def make_a_plus():
    service, repo, clock = make_service()
    request = replace(eligible_request(EnterpriseClass.A_PLUS), a_plus_criterion=APlusCriterion.EMPLOYMENT_CONTINUITY)
    app_id = service.start_application(representative(), details(), request).application.id
    service.submit(representative(), app_id)
    return service, repo, clock, service.approve(clerk(), app_id, ORDER).id


def test_raising_the_class_by_a_clerk_is_refused() -> None:
    service, _, _, enterprise_id = registered()
    with pytest.raises(TransitionNotAllowed):
        service.change_class(clerk(), enterprise_id, EnterpriseClass.A_PLUS, "")


def test_yearly_report_overdue_detection_and_submission() -> None:
    service, repo, clock, enterprise_id = registered()
    clock.advance(days=(date(2027, 6, 1) - clock.now().date()).days)
    service.run_daily_checks()
    assert repo.get(enterprise_id).entry.overdue_report_years == [2026]
    assert repo.event_types()[-1] == "AnnualReportOverdue"
    service.submit_annual_report(representative(), enterprise_id, 2026, eligible_request().evidence, "")
    assert repo.get(enterprise_id).entry.overdue_report_years == []
    with pytest.raises(TransitionNotAllowed):
        service.submit_annual_report(representative(), enterprise_id, 2026, eligible_request().evidence, "")


def test_history_records_who_did_what_and_why() -> None:
    service, repo, _clock, app_id = submitted()
    service.request_information(clerk(), app_id, "Нужен е устав.")
    history = repo.get_by_application(app_id).history
    last = history[-1]
    assert (last.action, last.actor.subject, last.actor.role, last.reason) == (
        "information_requested",
        "clerk-plovdiv",
        "clerk",
        "Нужен е устав.",
    )
    assert not last.public


def test_a_stale_version_is_refused() -> None:
    service, _repo, _ = make_service()
    app_id = service.start_application(representative(), details(), eligible_request()).application.id
    with pytest.raises(Conflict):
        service.amend_application(representative(), app_id, None, eligible_request(), expected_version=7)


def test_a_renewal_applied_for_in_time_restores_an_entry_that_lapsed_while_it_was_reviewed() -> None:
    service, repo, clock, enterprise_id = registered()
    valid_until = repo.get(enterprise_id).entry.certificate.valid_until
    clock.advance(days=(valid_until - clock.now().date()).days - 10)
    renewal_id = service.apply_for_renewal(representative(), enterprise_id, eligible_request()).application.id
    service.submit(representative(), renewal_id)
    clock.advance(days=11)
    service.run_daily_checks()
    assert repo.get(enterprise_id).entry.status is EntryStatus.EXPIRED
    entry = service.approve(clerk(), renewal_id, Order("РД-01-901", clock.now().date())).entry
    assert entry.status is EntryStatus.ACTIVE
    assert repo.published[-2].envelope.payload["status"] == "active"


def test_deleting_an_entry_withdraws_its_open_renewal_openly() -> None:
    service, repo, clock, enterprise_id = registered()
    valid_until = repo.get(enterprise_id).entry.certificate.valid_until
    clock.advance(days=(valid_until - clock.now().date()).days - 10)
    renewal_id = service.apply_for_renewal(representative(), enterprise_id, eligible_request()).application.id
    service.submit(representative(), renewal_id)
    service.delete(clerk(), enterprise_id, Order("РД-01-950", clock.now().date()), "false_data", "")
    enterprise = repo.get(enterprise_id)
    assert enterprise.application.status is ApplicationStatus.WITHDRAWN
    assert repo.event_types()[-2:] == ["ApplicationWithdrawn", "EnterpriseDeleted"]
    assert [h.action for h in enterprise.history][-2:] == ["application_withdrawn", "deleted"]


def test_the_registers_events_name_the_applicant_and_the_representatives_with_their_verified_addresses() -> None:
    """Messages reach the person: the events say who applied and who represents the enterprise, each
    with the address their sign-in verified (the form's contact e-mail is the enterprise's, not theirs)."""
    maria = replace(representative("rep-maria"), name="Мария Петрова", email="Maria@Example.bg", email_verified=True)
    ivan = replace(representative("rep-ivan"), name="Иван Колев", email="ivan@example.bg", email_verified=False)
    service, repo, _ = make_service()
    enterprise = service.start_application(maria, details(), eligible_request())
    ivan = replace(ivan, enterprise_id=enterprise.id)
    app_id = enterprise.application.id
    service.amend_application(ivan, app_id, replace(details(), name="Ново име"), None)
    service.submit(maria, app_id)
    service.approve(clerk(), app_id, ORDER)
    maria_named = {"subject": "rep-maria", "name": "Мария Петрова", "email": "Maria@Example.bg"}
    ivan_named = {"subject": "rep-ivan", "name": "Иван Колев", "email": None}  # his token vouched for no address
    submitted_event, registered, approved = (p.envelope.payload for p in repo.published)
    for payload in (submitted_event, approved):
        assert payload["applicant"] == maria_named
        assert payload["applicant_email"] == details().contacts.email  # the enterprise's contact, as before
    for payload in (submitted_event, registered, approved):
        assert payload["representatives"] == [maria_named, ivan_named]
