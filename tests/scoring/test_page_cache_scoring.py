"""The score sheet and the summary table through the page cache: the second view reads it, and
a change to the sheet or to who may see it shows on the very next request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blocs.models import Membership, User
from scoring import services
from scoring.models import Entry

pytestmark = pytest.mark.django_db


def _get(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, len(captured)


def test_the_sheet_comes_from_the_cache_until_it_changes(world, scored, login):
    sheet = scored.sheets["member"]
    client = login(world.officer)
    url = reverse("sheet_detail", kwargs={"pk": sheet.pk})
    first, cold = _get(client, url)
    second, warm = _get(client, url)
    assert first.status_code == second.status_code == 200
    assert warm < cold

    entry = Entry.objects.filter(sheet=sheet).order_by("criterion__position").first()
    services.sheet_save(
        sheet=sheet,
        version=sheet.version,
        values={entry.pk: ("3", "Theo kế hoạch số 12")},
        by=world.officer,
    )
    third, _n = _get(client, url)
    assert "Theo kế hoạch số 12" in third.content.decode()


def test_a_person_moved_to_another_unit_loses_the_sheet_at_once(world, scored, login):
    sheet = scored.sheets["member"]
    client = login(world.officer)
    url = reverse("sheet_detail", kwargs={"pk": sheet.pk})
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # cached: the sheet and the right to see it
    User.objects.filter(pk=world.officer.pk).update(unit=world.outsider_unit)
    assert client.get(url).status_code == 404


def test_a_refusal_is_never_cached(world, scored, login):
    sheet = scored.sheets["member"]
    client = login(world.outsider)
    url = reverse("sheet_detail", kwargs={"pk": sheet.pk})
    assert client.get(url).status_code == 404
    User.objects.filter(pk=world.outsider.pk).update(unit=world.member)
    assert client.get(url).status_code == 200


def test_the_summary_follows_the_bloc_membership(world, scored, login):
    url = reverse("summary", kwargs={"bloc_pk": world.bloc.pk, "year": world.bloc_year.year})
    client = login(world.secretariat)
    first, cold = _get(client, url)
    second, warm = _get(client, url)
    assert first.status_code == second.status_code == 200
    assert warm < cold
    Membership.objects.filter(bloc=world.bloc, unit=world.chair).delete()
    assert client.get(url).status_code == 404
