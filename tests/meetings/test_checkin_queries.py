"""The check-in desk stays cheap (issue #8: every scan at the door is one request): a scan takes
a fixed number of queries however many delegates and units there are; the presence counts come
from one aggregate; the audit history of a check-in is what it was."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meetings import selectors, services
from meetings.models import Delegate

pytestmark = pytest.mark.django_db

# Session, user and authenticator device (middleware); the meeting (its year and bloc, only what
# the checks read); the secretariat's unit's membership (view the meeting). The check-in:
# SAVEPOINT (BEGIN outside a test), the delegate locked, its UPDATE, its history row, RELEASE
# (COMMIT). The panel: the delegates' counts, the units present and the member units, one
# statement. Before: 13 (the member units counted apart). Then the page cache: the meeting and
# the membership come from it after the first scan (the apps' freshness tokens read instead).
SCAN_QUERIES = 11 - 2 + 1


def _delegates(world, meeting, unit, *names) -> list[Delegate]:
    registration = services.registration_save(
        meeting=meeting,
        unit=unit,
        by=world.secretariat,
        delegates=[{"full_name": n} for n in names],
    )
    return list(registration.delegates.order_by("pk"))


def _scan(client, meeting, token: str):
    return client.post(
        reverse("meeting_check_in", kwargs={"pk": meeting.pk}),
        {"token": token},
        headers={"HX-Request": "true"},
    )


@pytest.mark.parametrize("units", [1, 3])
def test_a_scan_takes_a_fixed_number_of_queries(
    world, meeting, login, django_assert_max_num_queries, units
):
    people = []
    for unit in (world.chair, world.vice, world.member)[:units]:
        people += _delegates(world, meeting, unit, f"Đại biểu {unit.pk} A", f"Đại biểu {unit.pk} B")
    client = login(world.secretariat)
    for person in people[:-1]:
        _scan(client, meeting, person.qr_token)
    with django_assert_max_num_queries(SCAN_QUERIES):
        page = _scan(client, meeting, people[-1].qr_token).content.decode()
    assert page.lstrip().startswith('<div id="diem-danh-ket-qua"')
    assert f"{units}/3 đơn vị có mặt" in page
    assert f"{len(people)}/{len(people)} đại biểu đã điểm danh" in page
    with django_assert_max_num_queries(SCAN_QUERIES - 2):  # again: no UPDATE, no history
        page = _scan(client, meeting, people[0].qr_token).content.decode()
    assert "Đã điểm danh lúc" in page


def test_the_counts_give_the_units_present_in_the_same_query(
    world, meeting, django_assert_num_queries
):
    chair_people = _delegates(world, meeting, world.chair, "Y Giang Niê", "Đỗ Thanh Thư")
    (vice_person,) = _delegates(world, meeting, world.vice, "Võ Văn Phụng")
    (old,) = _delegates(world, meeting, world.member, "Phạm Văn Lãnh")
    new = services.delegate_substitute(delegate=old, by=world.officer, full_name="Trần Văn Thay")
    for person in (*chair_people, vice_person):
        services.check_in(meeting=meeting, token=person.qr_token, by=world.secretariat)
    with django_assert_num_queries(1):
        counts = selectors.presence_counts(meeting=meeting)
    assert counts == {"total": 4, "present": 3, "present_units": 2}
    assert counts["present_units"] == len(services.present_unit_ids(meeting))
    assert selectors.checked_in_counts(meeting=meeting) == {"total": 4, "present": 3}
    services.check_in(meeting=meeting, token=new.qr_token, by=world.secretariat)
    assert selectors.presence_counts(meeting=meeting)["present_units"] == 3


def test_the_desks_counts_are_the_orms(world, meeting, django_assert_num_queries):
    """desk_counts is plain SQL: the same four numbers as presence_counts and bloc_members,
    memberships ended before the year, begun after it and ending in it included."""
    from blocs.selectors import bloc_members
    from tests.factories import MembershipFactory, MemberUnitFactory

    year = world.bloc_year.year
    for n, (since, until) in enumerate(
        [(year - 5, year - 1), (year + 1, None), (year - 2, year), (year, None)]
    ):
        unit = MemberUnitFactory(full_name=f"Đơn vị thử {n}", short_name=f"Thử {n}")
        MembershipFactory(bloc=world.bloc, unit=unit, from_year=since, until_year=until)
    chair_people = _delegates(world, meeting, world.chair, "Y Giang Niê", "Đỗ Thanh Thư")
    (old,) = _delegates(world, meeting, world.member, "Phạm Văn Lãnh")
    services.delegate_substitute(delegate=old, by=world.officer, full_name="Trần Văn Thay")
    services.check_in(meeting=meeting, token=chair_people[0].qr_token, by=world.secretariat)
    with django_assert_num_queries(1):
        counts = selectors.desk_counts(meeting=meeting)
    members = bloc_members(bloc=world.bloc, year=year).count()
    assert counts == {**selectors.presence_counts(meeting=meeting), "members": members}
    assert counts == {"total": 3, "present": 1, "present_units": 1, "members": members}


def test_the_meeting_page_shows_the_units_present(world, meeting, login):
    (person,) = _delegates(world, meeting, world.member, "Phạm Văn Lãnh")
    client = login(world.secretariat)
    _scan(client, meeting, person.qr_token)
    response = client.get(reverse("meeting_detail", kwargs={"pk": meeting.pk}))
    assert response.context["summary"]["present_units"] == 1
    assert response.context["summary"]["present_delegates"] == 1


def test_a_check_in_keeps_its_full_history_row(world, meeting):
    (person,) = _delegates(world, meeting, world.member, "Phạm Văn Lãnh")
    services.check_in(meeting=meeting, token=person.qr_token, by=world.secretariat)
    person.refresh_from_db()
    record = person.history.latest()
    assert record.history_type == "~"
    assert record.history_user == world.secretariat
    assert record.history_change_reason == "Điểm danh có mặt"
    assert record.checked_in_at == person.checked_in_at
    assert record.checked_in_by_id == world.secretariat.pk
    assert record.full_name == "Phạm Văn Lãnh"
    assert record.qr_token == person.qr_token


def test_scans_keep_the_meeting_in_the_cache_and_a_change_to_it_does_not(world, meeting, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, second = _delegates(world, meeting, world.member, "Đại biểu A", "Đại biểu B")
    client = login(world.secretariat)
    _scan(client, meeting, first.qr_token)
    with CaptureQueriesContext(connection) as ctx:
        _scan(client, meeting, second.qr_token)
    assert not [q for q in ctx.captured_queries if '"meetings_meeting"' in q["sql"]]
    type(meeting).objects.filter(pk=meeting.pk).update(address="Hội trường B")
    with CaptureQueriesContext(connection) as ctx:
        _scan(client, meeting, second.qr_token)
    assert [q for q in ctx.captured_queries if 'FROM "meetings_meeting"' in q["sql"]]
