"""``memberships_in_sql`` is ``memberships_in`` written out for the hand-made statements of the
busiest requests (the ballot page, the check-in desk): the two select the same memberships for
every year, whatever the membership's start and end (issue #8)."""

from __future__ import annotations

import pytest
from django.db import connection

from blocs.models import Membership
from blocs.selectors import memberships_in, memberships_in_sql
from tests.factories import BlocFactory, MembershipFactory, MemberUnitFactory

pytestmark = pytest.mark.django_db

SPANS = [
    (2018, None),  # open-ended
    (2018, 2019),  # ended before the years asked about end
    (2020, 2020),  # one year
    (2020, 2022),
    (2021, None),  # begun inside
    (2023, None),  # begun after
    (2019, 2021),
]


def _by_sql(year: int) -> set[int]:
    condition, params = memberships_in_sql(year)
    table = connection.ops.quote_name(Membership._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {table}.id FROM {table} WHERE {condition}", params)
        return {row[0] for row in cursor.fetchall()}


def test_the_written_out_rule_selects_what_the_orms_selects():
    bloc = BlocFactory()
    for n, (since, until) in enumerate(SPANS):
        unit = MemberUnitFactory(full_name=f"Đơn vị thử {n}", short_name=f"Thử {n}")
        MembershipFactory(bloc=bloc, unit=unit, from_year=since, until_year=until)
    for year in range(2016, 2026):
        by_orm = set(Membership.objects.filter(memberships_in(year)).values_list("pk", flat=True))
        assert _by_sql(year) == by_orm, year
    assert _by_sql(2020)
    assert _by_sql(2020) != _by_sql(2023)  # the years do differ
