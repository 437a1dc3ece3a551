"""An enterprise's staff list (its bound, its checks, deleting for good) and the progress arithmetic next to the
centre's average (never an average of fewer than three enterprises)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.training.domain.dimensions import Dimension
from services.training.domain.progress import MIN_ENTERPRISES, Scores, Track, average, progress_report
from services.training.domain.staff import MAX_STAFF, StaffFull, StaffList, worker_details
from shared.errors import InvalidInput, NotFound

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
CODES = [d.value for d in Dimension]


def test_a_workers_details_are_checked_all_at_once_and_tidied() -> None:
    with pytest.raises(InvalidInput) as refused:
        worker_details({"name": "  ", "email": "ana@", "role": "х" * 121, "dimensions": ["green", "cooking"]})
    assert set(refused.value.fields) == {"name", "email", "role", "dimensions"}
    details = worker_details(
        {
            "name": " Ана Колева ",
            "email": " Ana@Pekarna.Example.BG ",
            "dimensions": ["green", "data_management", "green"],
        }
    )
    assert (details.name, details.email, details.role, details.active) == (
        "Ана Колева",
        "ana@pekarna.example.bg",
        "",
        True,
    )
    assert details.dimensions == (Dimension.DATA_MANAGEMENT, Dimension.GREEN)
    assert worker_details({"name": "Борис", "email": ""}).email is None  # the work e-mail is optional


def test_the_list_holds_500_one_address_once_and_removing_deletes() -> None:
    staff = StaffList("ent-1")
    for i in range(MAX_STAFF):
        staff.add(f"w-{i}", worker_details({"name": f"Служител {i}"}), NOW)
    with pytest.raises(StaffFull):
        staff.add("w-extra", worker_details({"name": "Още един"}), NOW)
    removed = staff.remove("w-3")
    assert removed.name == "Служител 3" and all(w.id != "w-3" for w in staff.workers)
    with pytest.raises(NotFound):
        staff.remove("w-3")
    staff.add("ana", worker_details({"name": "Ана", "email": "ana@example.bg"}), NOW)
    with pytest.raises(InvalidInput) as taken:
        staff.add("ana-2", worker_details({"name": "Ана 2", "email": "ANA@example.bg"}), NOW)
    assert set(taken.value.fields) == {"email"}
    left = staff.edit("ana", worker_details({"name": "Ана", "email": "ana@example.bg", "active": False}), NOW)
    assert left.active is False  # her own address is not "taken" by herself


def track(enterprise_id: str, first: float, latest: float, assessments: int = 2) -> Track:
    return Track(
        enterprise_id,
        Scores(first, dict.fromkeys(CODES, first)),
        Scores(latest, dict.fromkeys(CODES, latest)),
        assessments,
    )


def test_progress_is_the_change_since_the_first_to_one_decimal() -> None:
    own = track("me", 30.1, 44.5)
    assert own.change == Scores(14.4, dict.fromkeys(CODES, 14.4))  # not 14.399999999999999
    assert track("me", 30.1, 30.1, assessments=1).change is None


def test_the_centres_average_leaves_the_enterprise_out_and_needs_three_others() -> None:
    tracks = [track("me", 10.0, 50.0), track("a", 20.0, 40.0), track("b", 30.0, 35.0, assessments=1)]
    report = progress_report("me", tracks)
    assert report.own is not None and report.own.change is not None and report.own.change.overall == 40.0
    assert (report.centre_latest.enterprises, report.centre_latest.scores) == (2, None)
    assert (report.centre_change.enterprises, report.centre_change.scores) == (1, None)

    tracks += [track("c", 10.0, 20.0), track("d", 40.0, 44.4)]
    report = progress_report("me", tracks)
    assert report.centre_latest.enterprises == 4
    assert report.centre_latest.scores is not None
    assert report.centre_latest.scores.overall == 34.9  # (40 + 35 + 20 + 44.4) / 4 = 34.85, half up
    assert report.centre_change.enterprises == 3  # b was assessed once
    assert report.centre_change.scores is not None
    assert report.centre_change.scores.overall == 11.5  # (20 + 10 + 4.4) / 3 = 11.466…


def test_no_average_of_fewer_than_three() -> None:
    assert MIN_ENTERPRISES == 3
    assert average([Scores(50.0, {}), Scores(60.0, {})]).scores is None
    assert average([Scores(50.0, {}), Scores(60.0, {}), Scores(70.0, {})]).scores == Scores(60.0, {})
    assert progress_report("me", []).own is None
