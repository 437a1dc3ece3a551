"""Runs the register through every kind of event with in-memory fakes, for the contract tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from services.registry.domain.eligibility import APlusCriterion, EnterpriseClass
from services.registry.domain.entry import Order
from shared.events import Envelope
from tests.unit.registry_fakes import clerk, details, eligible_request, make_service, representative


def every_registry_event() -> list[Envelope]:
    service, repo, clock = make_service()
    rep, plovdiv = representative(), clerk()
    request = replace(eligible_request(EnterpriseClass.A_PLUS), a_plus_criterion=APlusCriterion.EMPLOYMENT_CONTINUITY)
    app_id = service.start_application(rep, details(), request).application.id
    service.submit(rep, app_id)
    service.request_information(plovdiv, app_id, "Моля, приложете протокола от общото събрание.")
    service.submit(rep, app_id)
    enterprise = service.approve(plovdiv, app_id, Order("РД-01-117", date(2026, 3, 10)))
    service.update_details(rep, enterprise.id, replace(details(), description="Шием работно облекло."), None)
    valid_until = repo.get(enterprise.id).entry.certificate.valid_until
    clock.advance(days=(valid_until - clock.now().date()).days - 60)
    service.run_daily_checks()
    renewal = service.apply_for_renewal(rep, enterprise.id, eligible_request(EnterpriseClass.A)).application.id
    service.submit(rep, renewal)
    service.approve(plovdiv, renewal, Order("РД-01-900", clock.now().date()))
    service.submit_annual_report(rep, enterprise.id, clock.now().year - 1, eligible_request().evidence, "")
    other = service.start_application(representative("rep-2"), details("131071587", "BG-16", "Други"), request)
    service.submit(representative("rep-2"), other.application.id)
    service.reject(plovdiv, other.application.id, ["Не е доказана социалната дейност."])
    third = service.start_application(representative("rep-3"), details("020469788"), eligible_request())
    service.submit(representative("rep-3"), third.application.id)
    service.withdraw(representative("rep-3"), third.application.id)
    service.delete(plovdiv, enterprise.id, Order("РД-01-1200", clock.now().date()), "own_request", "")
    lapsed = service.start_application(representative("rep-4"), details("1213961230342", "BG-03"), eligible_request())
    service.submit(representative("rep-4"), lapsed.application.id)
    lapsed_id = service.approve(clerk("varna"), lapsed.application.id, Order("РД-01-1300", clock.now().date())).id
    clock.advance(days=(date(clock.now().year + 1, 6, 1) - clock.now().date()).days)
    service.run_daily_checks()  # the yearly report for the year of entry is overdue
    clock.advance(days=(repo.get(lapsed_id).entry.certificate.valid_until - clock.now().date()).days + 1)
    service.run_daily_checks()
    return [entry.envelope for entry in repo.published]
