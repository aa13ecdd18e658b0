import datetime as dt
import unicodedata

import pytest

from blocs.models import MemberUnit
from khoi_portal.lib import vietnamese as vi
from tests.factories import MemberUnitFactory

# Seed 004's eleven provinces with An Giang, Cà Mau and Đà Nẵng (already among them): the
# order a Vietnamese reader expects. A byte or "C"-locale sort puts Đ after Q, and "und"
# collation mixes ă/â with a.
EXPECTED = [
    "An Giang",
    "Bình Định",
    "Cà Mau",
    "Đà Nẵng",
    "Đắk Lắk",
    "Đắk Nông",
    "Gia Lai",
    "Khánh Hòa",
    "Kon Tum",
    "Lâm Đồng",
    "Phú Yên",
    "Quảng Nam",
    "Quảng Ngãi",
]


def test_sort_key_orders_the_seed_provinces():
    shuffled = sorted(EXPECTED, key=lambda s: s.encode())
    assert shuffled != EXPECTED  # a naive sort gets it wrong, so the test can fail
    assert vi.sorted_vi(shuffled) == EXPECTED


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("a", "ă"),
        ("ă", "â"),
        ("d", "đ"),
        ("o", "ô"),
        ("ô", "ơ"),
        ("u", "ư"),
        ("a", "à"),
        ("à", "ả"),
        ("ả", "ã"),
        ("ã", "á"),
        ("á", "ạ"),  # tones: ngang huyền hỏi ngã sắc nặng
        ("Ca", "Cả"),
        ("Cả", "Cà Mau"),  # letters decide before tones
        ("hoà", "hòa"),
        ("hòa", "Hòa"),  # then tone position, then case
        ("Ban Quản lý các", "Ban Quản lý Khu"),
    ],
)
def test_sort_key_pairs(before, after):
    assert vi.sort_key(before) < vi.sort_key(after)


def test_sort_key_ignores_normalisation_form():
    assert vi.sort_key(unicodedata.normalize("NFD", "Đắk Lắk")) == vi.sort_key("Đắk Lắk")


@pytest.mark.django_db
def test_database_sorts_member_units_in_vietnamese_order():
    """On PostgreSQL through ICU vi-x-icu, on SQLite through the registered Python collation."""
    for name in reversed(EXPECTED):
        MemberUnitFactory(full_name=f"Ban Quản lý tỉnh {name}")
    names = list(MemberUnit.objects.order_by("full_name").values_list("full_name", flat=True))
    assert names == [f"Ban Quản lý tỉnh {name}" for name in EXPECTED]


@pytest.mark.django_db
def test_names_are_stored_in_nfc_whatever_arrives():
    nfd = unicodedata.normalize("NFD", "Ban Quản lý Khu kinh tế tỉnh Đắk Nông")
    unit = MemberUnitFactory(full_name=nfd)
    unit.refresh_from_db()
    assert unit.full_name == unicodedata.normalize("NFC", nfd)
    assert MemberUnit.objects.filter(full_name="Ban Quản lý Khu kinh tế tỉnh Đắk Nông").exists()


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2021, 1, 11), "ngày 11 tháng 01 năm 2021"),
        (dt.date(2021, 2, 5), "ngày 05 tháng 02 năm 2021"),
        (dt.date(2019, 6, 29), "ngày 29 tháng 6 năm 2019"),
        (dt.date(2023, 3, 1), "ngày 01 tháng 3 năm 2023"),
        (dt.date(2021, 11, 10), "ngày 10 tháng 11 năm 2021"),
        (dt.date(2020, 12, 9), "ngày 09 tháng 12 năm 2020"),
    ],
)
def test_decree_30_dates(day, expected):
    assert vi.date_long(day) == expected


def test_place_date_and_weekday():
    assert (
        vi.place_date("Sóc Trăng", dt.date(2021, 1, 11)) == "Sóc Trăng, ngày 11 tháng 01 năm 2021"
    )
    assert vi.weekday(dt.date(2021, 1, 15)) == "thứ Sáu"
    assert vi.weekday(dt.date(2021, 1, 17)) == "Chủ nhật"


@pytest.mark.parametrize(
    ("number", "expected"),
    [(1, "01/TM-KTĐMTNB"), (9, "09/TM-KTĐMTNB"), (10, "10/TM-KTĐMTNB"), (123, "123/TM-KTĐMTNB")],
)
def test_document_numbers(number, expected):
    assert vi.document_number(number, "TM", "KTĐMTNB") == expected


def test_cong_van_numbers_have_no_type_code():
    assert vi.document_number(12, "", "BQL-VP") == "12/BQL-VP"
