"""`manage.py load_demo`: the seeds' three blocs, idempotent, usable at once."""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from blocs.models import Bloc, BlocYear, MemberUnit

pytestmark = pytest.mark.django_db

TAY_NGUYEN_IN_ORDER = [
    "Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk",
    "Ban Quản lý các khu công nghiệp tỉnh Đắk Nông",
    "Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng",
    "Ban Quản lý Khu công nghệ cao và các khu công nghiệp Đà Nẵng",
    "Ban Quản lý Khu kinh tế Dung Quất và các khu công nghiệp tỉnh Quảng Ngãi",
    "Ban Quản lý Khu kinh tế mở Chu Lai tỉnh Quảng Nam",
    "Ban Quản lý Khu kinh tế tỉnh Bình Định",
    "Ban Quản lý Khu kinh tế tỉnh Gia Lai",
    "Ban Quản lý Khu kinh tế tỉnh Kon Tum",
    "Ban Quản lý Khu kinh tế tỉnh Phú Yên",
    "Ban Quản lý Khu kinh tế Vân Phong tỉnh Khánh Hòa",
]


@pytest.fixture
def demo():
    """The blocs part of the demo only: the full command (every app's demo, sealed covenants
    included) is exercised by the two command tests below, which keeps this module fast."""
    from blocs import demo as blocs_demo

    blocs_demo.load()


def _counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_load_demo_prints_the_accounts(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "thuky.ktdtn" in out.getvalue()
    assert "vp.thiduabo" in out.getvalue()
    assert "KhoiPortal@2021" in out.getvalue()


def test_load_demo_twice_changes_nothing_and_hides_the_password_without_debug():
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "KhoiPortal@2021" not in out.getvalue()
    assert "DEBUG đang tắt" in out.getvalue()
    before = _counts()
    call_command("load_demo", stdout=StringIO())
    assert _counts() == before


def test_three_seed_blocs_with_their_symbols(demo):
    assert set(Bloc.objects.filter(merged_into__isnull=True).values_list("symbol", flat=True)) == {
        "KTĐMTNB",
        "KTĐTN",
        "CTĐĐNB",
    }
    assert Bloc.objects.get(symbol="CTĐĐNB").kind == Bloc.Kind.CUM
    assert set(BlocYear.objects.values_list("year", flat=True)) == set(range(2017, 2023))


def test_leadership_from_the_seeds(demo):
    def pair(symbol, year):
        by = BlocYear.objects.get(bloc__symbol=symbol, year=year)
        return (by.chair.short_name if by.chair else None, by.vice.short_name if by.vice else None)

    assert pair("KTĐTN", 2019)[0] == "BQL các KCN Đắk Lắk"
    assert pair("KTĐTN", 2021) == ("BQL KCNC và các KCN Đà Nẵng", "BQL các KCN Lâm Đồng")
    assert pair("KTĐTN", 2022) == ("BQL các KCN Lâm Đồng", "BQL KKT Vân Phong Khánh Hòa")
    assert pair("KTĐMTNB", 2020)[0] == pair("KTĐMTNB", 2021)[0] == "BQL các KCN Sóc Trăng"


def test_tay_nguyen_secretariat_sees_the_eleven_members_in_order(demo, client):
    assert client.login(username="thuky.ktdtn", password="KhoiPortal@2021")
    bloc = Bloc.objects.get(symbol="KTĐTN")
    html = client.get(reverse("bloc_detail", kwargs={"pk": bloc.pk})).content.decode()
    listed = re.findall(r'<td><a href="/don-vi/\d+/">([^<]+)</a></td>', html)
    assert listed == TAY_NGUYEN_IN_ORDER
    history = re.findall(
        r'<tr><td><a href="\?nam=(\d+)">\d+</a></td><td>([^<]*)</td><td>([^<]*)</td>', html
    )
    assert (
        "2022",
        "Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng",
        "Ban Quản lý Khu kinh tế Vân Phong tỉnh Khánh Hòa",
    ) in history
    assert (
        "2021",
        "Ban Quản lý Khu công nghệ cao và các khu công nghiệp Đà Nẵng",
        "Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng",
    ) in history


def test_the_two_old_tay_nguyen_blocs_merged_in_2019(demo):
    from blocs.selectors import bloc_members

    merged = Bloc.objects.get(symbol="KTĐTN")
    old = list(Bloc.objects.filter(merged_into=merged))
    assert len(old) == 2
    assert sum(bloc_members(bloc=b, year=2018).count() for b in old) == 11
    assert bloc_members(bloc=merged, year=2018).count() == 0
    assert bloc_members(bloc=merged, year=2019).count() == 11


def test_every_unit_has_an_officer_and_a_leader(demo):
    for unit in MemberUnit.objects.all():
        roles = set(unit.people.values_list("unit_role", flat=True))
        assert roles == {"officer", "leader"}, unit
