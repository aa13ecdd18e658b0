import datetime as dt

import pytest

from blocs import selectors, services
from blocs.models import Authority, BlocSupervision, Province
from tests.factories import BlocFactory, MembershipFactory, MemberUnitFactory

pytestmark = pytest.mark.django_db


def test_members_follow_the_year():
    bloc = BlocFactory()
    always = MembershipFactory(bloc=bloc, from_year=2017).unit
    left = MembershipFactory(bloc=bloc, from_year=2017, until_year=2019).unit
    joined = MembershipFactory(bloc=bloc, from_year=2021).unit
    assert set(selectors.bloc_members(bloc=bloc, year=2018)) == {always, left}
    assert set(selectors.bloc_members(bloc=bloc, year=2019)) == {always, left}
    assert set(selectors.bloc_members(bloc=bloc, year=2020)) == {always}
    assert set(selectors.bloc_members(bloc=bloc, year=2022)) == {always, joined}


def test_merging_two_blocs_moves_their_members():
    highlands, coast = BlocFactory(symbol="TNG"), BlocFactory(symbol="DHMT")
    merged = BlocFactory(symbol="KTĐTN")
    a = MembershipFactory(bloc=highlands, from_year=2017).unit
    b = MembershipFactory(bloc=coast, from_year=2017).unit
    services.bloc_merge(sources=[highlands, coast], target=merged, year=2019)
    assert set(selectors.bloc_members(bloc=merged, year=2019)) == {a, b}
    assert set(selectors.bloc_members(bloc=merged, year=2018)) == set()
    assert list(selectors.bloc_members(bloc=highlands, year=2018)) == [a]
    assert list(selectors.bloc_members(bloc=highlands, year=2019)) == []
    highlands.refresh_from_db()
    assert highlands.merged_into == merged
    assert highlands.last_year == 2018


def test_a_unit_cannot_join_a_bloc_twice_in_one_year():
    from django.core.exceptions import ValidationError

    membership = MembershipFactory(from_year=2019)
    with pytest.raises(ValidationError, match="đã là thành viên"):
        services.membership_add(bloc=membership.bloc, unit=membership.unit, from_year=2021)


def test_supervising_ministry_changes_on_1_march_2025():
    bloc = BlocFactory()
    mpi = Authority.objects.create(name="Bộ Kế hoạch và Đầu tư")
    mof = Authority.objects.create(name="Bộ Tài chính")
    BlocSupervision.objects.create(bloc=bloc, authority=mpi, valid_until=dt.date(2025, 2, 28))
    BlocSupervision.objects.create(bloc=bloc, authority=mof, valid_from=dt.date(2025, 3, 1))
    assert selectors.bloc_supervisor(bloc=bloc, on=dt.date(2025, 2, 28)) == mpi
    assert selectors.bloc_supervisor(bloc=bloc, on=dt.date(2025, 3, 1)) == mof


def test_province_follows_the_2025_merger():
    can_tho = Province.objects.create(name="Thành phố Cần Thơ", valid_from=dt.date(2025, 7, 1))
    soc_trang = Province.objects.create(
        name="Sóc Trăng", valid_until=dt.date(2025, 6, 30), merged_into=can_tho
    )
    unit = MemberUnitFactory(province=soc_trang)
    assert selectors.province_on(province=unit.province, on=dt.date(2025, 6, 30)) == soc_trang
    assert selectors.province_on(province=unit.province, on=dt.date(2025, 7, 1)) == can_tho


def test_leadership_must_be_members(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="không phải thành viên"):
        services.bloc_year_set_leadership(
            bloc_year=world.bloc_year,
            chair=world.outsider_unit,
            vice=world.vice,
            changed_by=world.ministry,
        )
    with pytest.raises(ValidationError, match="hai đơn vị khác nhau"):
        services.bloc_year_set_leadership(
            bloc_year=world.bloc_year, chair=world.vice, vice=world.vice, changed_by=world.ministry
        )
    bloc_year = services.bloc_year_set_leadership(
        bloc_year=world.bloc_year, chair=world.vice, vice=world.member, changed_by=world.ministry
    )
    assert (bloc_year.chair, bloc_year.vice) == (world.vice, world.member)
    last = bloc_year.history.first()
    assert last.history_user == world.ministry
    assert last.history_change_reason == "Khối trưởng, Khối phó"
