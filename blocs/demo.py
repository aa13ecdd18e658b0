"""Demo data from the seed documents (../shared/seeds): three blocs, their members, years, people.

Loaded by ``manage.py load_demo``; idempotent: a second run finds every row as it left it
and writes nothing. Names of people are those the seeds give; everyone else is fictional
and marked so in the README.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from blocs.models import (
    Authority,
    Bloc,
    BlocSupervision,
    BlocYear,
    Membership,
    MemberUnit,
    Province,
    SecretariatAppointment,
    User,
)

MERGER_DAY = dt.date(2025, 7, 1)  # NQ 202/2025/QH15: 63 → 34 provinces
DEMO_EMAIL_DOMAIN = "khoiportal.test"
YEARS = range(2017, 2023)


def upsert(model, lookup: dict, values: dict, *, prepare=None):
    """get-or-create by *lookup*; save only when a value differs, so a re-run writes nothing."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        if prepare is not None:
            prepare(obj)
        obj._change_reason = "Dữ liệu mẫu"
        obj.save()
        return obj, True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj._change_reason = "Dữ liệu mẫu"
        obj.save()
    return obj, False


# (old province, kind, the province it belongs to from 01/07/2025)
PROVINCES = [
    ("An Giang", "An Giang"),
    ("Bà Rịa - Vũng Tàu", "Thành phố Hồ Chí Minh"),
    ("Bạc Liêu", "Cà Mau"),
    ("Bến Tre", "Vĩnh Long"),
    ("Bình Dương", "Thành phố Hồ Chí Minh"),
    ("Bình Định", "Gia Lai"),
    ("Bình Phước", "Đồng Nai"),
    ("Cà Mau", "Cà Mau"),
    ("Thành phố Cần Thơ", "Thành phố Cần Thơ"),
    ("Thành phố Đà Nẵng", "Thành phố Đà Nẵng"),
    ("Đắk Lắk", "Đắk Lắk"),
    ("Đắk Nông", "Lâm Đồng"),
    ("Đồng Nai", "Đồng Nai"),
    ("Đồng Tháp", "Đồng Tháp"),
    ("Gia Lai", "Gia Lai"),
    ("Hậu Giang", "Thành phố Cần Thơ"),
    ("Thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh"),
    ("Khánh Hòa", "Khánh Hòa"),
    ("Kiên Giang", "An Giang"),
    ("Kon Tum", "Quảng Ngãi"),
    ("Lâm Đồng", "Lâm Đồng"),
    ("Long An", "Tây Ninh"),
    ("Phú Yên", "Đắk Lắk"),
    ("Quảng Nam", "Thành phố Đà Nẵng"),
    ("Quảng Ngãi", "Quảng Ngãi"),
    ("Sóc Trăng", "Thành phố Cần Thơ"),
    ("Tây Ninh", "Tây Ninh"),
    ("Tiền Giang", "Đồng Tháp"),
    ("Trà Vinh", "Vĩnh Long"),
    ("Vĩnh Long", "Vĩnh Long"),
]


@dataclass(frozen=True)
class UnitSeed:
    key: str  # ASCII, used in demo user names
    full_name: str
    short_name: str
    province: str
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    head_name: str = ""
    head_title: str = ""


TAY_NGUYEN = [  # seed 004, in the seed's order
    UnitSeed(
        "binhdinh", "Ban Quản lý Khu kinh tế tỉnh Bình Định", "BQL KKT Bình Định", "Bình Định"
    ),
    UnitSeed(
        "danang",
        "Ban Quản lý Khu công nghệ cao và các khu công nghiệp Đà Nẵng",
        "BQL KCNC và các KCN Đà Nẵng",
        "Thành phố Đà Nẵng",
        head_name="Trần Văn Biên",
        head_title="Phó Trưởng ban",
    ),
    UnitSeed(
        "daklak",
        "Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk",
        "BQL các KCN Đắk Lắk",
        "Đắk Lắk",
        head_name="Phạm Văn Tịch",
        head_title="Trưởng ban",
    ),
    UnitSeed(
        "daknong",
        "Ban Quản lý các khu công nghiệp tỉnh Đắk Nông",
        "BQL các KCN Đắk Nông",
        "Đắk Nông",
    ),
    UnitSeed("gialai", "Ban Quản lý Khu kinh tế tỉnh Gia Lai", "BQL KKT Gia Lai", "Gia Lai"),
    UnitSeed(
        "vanphong",
        "Ban Quản lý Khu kinh tế Vân Phong tỉnh Khánh Hòa",
        "BQL KKT Vân Phong Khánh Hòa",
        "Khánh Hòa",
    ),
    UnitSeed("kontum", "Ban Quản lý Khu kinh tế tỉnh Kon Tum", "BQL KKT Kon Tum", "Kon Tum"),
    UnitSeed(
        "lamdong",
        "Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng",
        "BQL các KCN Lâm Đồng",
        "Lâm Đồng",
        head_name="Võ Văn Phụng",
        head_title="Trưởng ban",
    ),
    UnitSeed("phuyen", "Ban Quản lý Khu kinh tế tỉnh Phú Yên", "BQL KKT Phú Yên", "Phú Yên"),
    UnitSeed(
        "chulai",
        "Ban Quản lý Khu kinh tế mở Chu Lai tỉnh Quảng Nam",
        "BQL KKT mở Chu Lai Quảng Nam",
        "Quảng Nam",
    ),
    UnitSeed(
        "dungquat",
        "Ban Quản lý Khu kinh tế Dung Quất và các khu công nghiệp tỉnh Quảng Ngãi",
        "BQL KKT Dung Quất và các KCN Quảng Ngãi",
        "Quảng Ngãi",
    ),
]
TAY_NGUYEN_HIGHLANDS = {"daklak", "daknong", "gialai", "kontum", "lamdong"}

TAY_NAM_BO = [
    UnitSeed(
        "soctrang",
        "Ban Quản lý các khu công nghiệp tỉnh Sóc Trăng",
        "BQL các KCN Sóc Trăng",
        "Sóc Trăng",
        address="Km2126+500, Quốc lộ 1A, đường N2, KCN An Nghiệp, tỉnh Sóc Trăng",
        phone="02993 500 896",
        website="http://www.kcn.soctrang.gov.vn",
        head_name="Nguyễn Văn Kiệt",
        head_title="Phó Trưởng ban",
    ),
    UnitSeed("angiang", "Ban Quản lý Khu kinh tế tỉnh An Giang", "BQL KKT An Giang", "An Giang"),
    UnitSeed(
        "baclieu",
        "Ban Quản lý các khu công nghiệp tỉnh Bạc Liêu",
        "BQL các KCN Bạc Liêu",
        "Bạc Liêu",
    ),
    UnitSeed(
        "bentre", "Ban Quản lý các khu công nghiệp tỉnh Bến Tre", "BQL các KCN Bến Tre", "Bến Tre"
    ),
    UnitSeed("camau", "Ban Quản lý Khu kinh tế tỉnh Cà Mau", "BQL KKT Cà Mau", "Cà Mau"),
    UnitSeed(
        "cantho",
        "Ban Quản lý các khu chế xuất và công nghiệp Cần Thơ",
        "BQL các KCX và CN Cần Thơ",
        "Thành phố Cần Thơ",
    ),
    UnitSeed(
        "dongthap", "Ban Quản lý Khu kinh tế tỉnh Đồng Tháp", "BQL KKT Đồng Tháp", "Đồng Tháp"
    ),
    UnitSeed(
        "haugiang",
        "Ban Quản lý các khu công nghiệp tỉnh Hậu Giang",
        "BQL các KCN Hậu Giang",
        "Hậu Giang",
    ),
    UnitSeed(
        "kiengiang", "Ban Quản lý Khu kinh tế tỉnh Kiên Giang", "BQL KKT Kiên Giang", "Kiên Giang"
    ),
    UnitSeed("longan", "Ban Quản lý Khu kinh tế tỉnh Long An", "BQL KKT Long An", "Long An"),
    UnitSeed(
        "tiengiang",
        "Ban Quản lý các khu công nghiệp tỉnh Tiền Giang",
        "BQL các KCN Tiền Giang",
        "Tiền Giang",
    ),
    UnitSeed("travinh", "Ban Quản lý Khu kinh tế tỉnh Trà Vinh", "BQL KKT Trà Vinh", "Trà Vinh"),
    UnitSeed(
        "vinhlong",
        "Ban Quản lý các khu công nghiệp tỉnh Vĩnh Long",
        "BQL các KCN Vĩnh Long",
        "Vĩnh Long",
    ),
]

DONG_NAM_BO = [
    UnitSeed(
        "dongnai",
        "Ban Quản lý các khu công nghiệp Đồng Nai",
        "BQL các KCN Đồng Nai",
        "Đồng Nai",
        address="Số 26, đường 2A, KCN Biên Hòa II, Tp. Biên Hòa, tỉnh Đồng Nai",
        phone="(0251) 3892378",
        email="bqlkcn@dongnai.gov.vn",
        website="http://diza.dongnai.gov.vn",
    ),
    UnitSeed(
        "binhduong",
        "Ban Quản lý các khu công nghiệp Bình Dương",
        "BQL các KCN Bình Dương",
        "Bình Dương",
    ),
    UnitSeed(
        "vungtau",
        "Ban Quản lý các khu công nghiệp Bà Rịa - Vũng Tàu",
        "BQL các KCN Bà Rịa - Vũng Tàu",
        "Bà Rịa - Vũng Tàu",
    ),
    UnitSeed(
        "binhphuoc", "Ban Quản lý Khu kinh tế tỉnh Bình Phước", "BQL KKT Bình Phước", "Bình Phước"
    ),
    UnitSeed(
        "tayninh", "Ban Quản lý các Khu kinh tế tỉnh Tây Ninh", "BQL các KKT Tây Ninh", "Tây Ninh"
    ),
    UnitSeed(
        "hepza",
        "Ban Quản lý các khu chế xuất và công nghiệp Thành phố Hồ Chí Minh",
        "HEPZA – BQL các KCX và CN TP. Hồ Chí Minh",
        "Thành phố Hồ Chí Minh",
    ),
    UnitSeed(
        "shtp",
        "Ban Quản lý Khu công nghệ cao Thành phố Hồ Chí Minh",
        "BQL Khu công nghệ cao TP. Hồ Chí Minh",
        "Thành phố Hồ Chí Minh",
    ),
]

# (symbol, name, kind, first_year, last_year, description)
BLOCS = [
    (
        "KTĐMTNB",
        "Khối thi đua các Ban Quản lý KCN, KCX, KKT miền Tây Nam Bộ",
        Bloc.Kind.KHOI,
        None,
        None,
        "Các Ban Quản lý khu công nghiệp, khu chế xuất, khu kinh tế các tỉnh miền Tây Nam Bộ. "
        "Quy chế hoạt động ban hành theo Quyết định số 01/QĐ-KTĐMTNB ngày 21/4/2020.",
    ),
    (
        "KTĐTN",
        "Khối thi đua Ban Quản lý KCN, KKT, KCNC các tỉnh Tây Nguyên và Duyên hải miền Trung",
        Bloc.Kind.KHOI,
        2019,
        None,
        "Hợp nhất năm 2019 từ hai khối Tây Nguyên và Duyên hải miền Trung theo Thông tư số "
        "07/2018/TT-BKHĐT ngày 27/12/2018 của Bộ Kế hoạch và Đầu tư; 11 đơn vị thành viên.",
    ),
    (
        "CTĐĐNB",
        "Cụm thi đua Ban Quản lý các KCN, KCX, KKT các tỉnh miền Đông Nam Bộ",
        Bloc.Kind.CUM,
        None,
        None,
        "Các Ban Quản lý khu công nghiệp, khu chế xuất, khu kinh tế các tỉnh miền Đông Nam Bộ.",
    ),
    # The two blocs merged into KTĐTN in 2019; their symbols are the demo's own.
    (
        "KTĐTNG",
        "Khối thi đua Ban Quản lý KCN, KKT các tỉnh Tây Nguyên",
        Bloc.Kind.KHOI,
        None,
        2018,
        "Khối cũ, đã hợp nhất vào Khối thi đua Tây Nguyên và Duyên hải miền Trung năm 2019 "
        "(ký hiệu dùng cho dữ liệu mẫu).",
    ),
    (
        "KTĐDHMT",
        "Khối thi đua Ban Quản lý KCN, KKT, KCNC các tỉnh Duyên hải miền Trung",
        Bloc.Kind.KHOI,
        None,
        2018,
        "Khối cũ, đã hợp nhất vào Khối thi đua Tây Nguyên và Duyên hải miền Trung năm 2019 "
        "(ký hiệu dùng cho dữ liệu mẫu).",
    ),
]

# (symbol, year): (chair key, vice key). From the seeds; see README for what is inferred.
LEADERSHIP = {
    ("KTĐMTNB", 2020): ("soctrang", None),
    ("KTĐMTNB", 2021): ("soctrang", None),
    ("KTĐTN", 2019): ("daklak", None),
    ("KTĐTN", 2021): ("danang", "lamdong"),
    ("KTĐTN", 2022): ("lamdong", "vanphong"),
    ("CTĐĐNB", 2017): ("tayninh", None),
}

# Real people named in the seeds: (unit key, role, username, full name, job title)
NAMED_PEOPLE = [
    (
        "soctrang",
        "leader",
        "soctrang.lanhdao",
        "Nguyễn Văn Kiệt",
        "Phó Trưởng Ban Quản lý các KCN Sóc Trăng",
    ),
    ("soctrang", "officer", "thuky.ktdmtnb", "Đỗ Thanh Chiến", "Chánh Văn phòng"),
    ("daklak", "leader", "daklak.lanhdao", "Phạm Văn Tịch", "Trưởng ban"),
    ("danang", "leader", "danang.lanhdao", "Trần Văn Biên", "Phó Trưởng ban"),
    ("lamdong", "leader", "lamdong.lanhdao", "Võ Văn Phụng", "Trưởng ban"),
]
# Dedicated secretariat accounts: (username, bloc symbol, unit key)
SECRETARIAT = [
    ("thuky.ktdmtnb", "KTĐMTNB", "soctrang"),
    ("thuky.ktdtn", "KTĐTN", "lamdong"),
    ("thuky.ctddnb", "CTĐĐNB", "tayninh"),
]
MINISTRY_USER = (
    "vp.thiduabo",
    "Bùi Thế Thu Hằng",
    "Phó Trưởng Văn phòng Thi đua, khen thưởng và Truyền thông",
)

_FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
]
_MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Hữu", "Ngọc", "Quốc", "Thu", "Đức", "Hoài"]
_GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hòa",
    "Hùng",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Yến",
]


def fictional_name(index: int) -> str:
    return f"{_FAMILY[index % len(_FAMILY)]} {_MIDDLE[(index // 3) % len(_MIDDLE)]} {_GIVEN[(index * 7) % len(_GIVEN)]}"


def _all_units() -> list[UnitSeed]:
    return TAY_NGUYEN + TAY_NAM_BO + DONG_NAM_BO


def _load_places() -> dict[str, Province]:
    new: dict[str, Province] = {}
    for _old, target in PROVINCES:
        if target not in new:
            new[target], _ = upsert(
                Province, {"name": target, "valid_from": MERGER_DAY}, {"valid_until": None}
            )
    old: dict[str, Province] = {}
    for name, target in PROVINCES:
        old[name], _ = upsert(
            Province,
            {"name": name, "valid_from": None},
            {"valid_until": MERGER_DAY - dt.timedelta(days=1), "merged_into": new[target]},
        )
    return old


def _load_units(provinces: dict[str, Province]) -> dict[str, MemberUnit]:
    units = {}
    for seed in _all_units():
        units[seed.key], _ = upsert(
            MemberUnit,
            {"full_name": seed.full_name},
            {
                "short_name": seed.short_name,
                "province": provinces[seed.province],
                "address": seed.address,
                "phone": seed.phone,
                "email": seed.email,
                "website": seed.website,
                "head_name": seed.head_name,
                "head_title": seed.head_title,
            },
        )
    return units


def _load_blocs(units: dict[str, MemberUnit]) -> dict[str, Bloc]:
    blocs: dict[str, Bloc] = {}
    for symbol, name, kind, first, last, description in BLOCS:
        blocs[symbol], _ = upsert(
            Bloc,
            {"symbol": symbol},
            {
                "name": name,
                "kind": kind,
                "first_year": first,
                "last_year": last,
                "description": description,
            },
        )
    for symbol in ("KTĐTNG", "KTĐDHMT"):
        upsert(Bloc, {"symbol": symbol}, {"merged_into": blocs["KTĐTN"]})
    mpi, _ = upsert(Authority, {"name": "Bộ Kế hoạch và Đầu tư"}, {"short_name": "BKHĐT"})
    mof, _ = upsert(Authority, {"name": "Bộ Tài chính"}, {"short_name": "BTC"})
    for bloc in blocs.values():
        upsert(
            BlocSupervision,
            {"bloc": bloc, "authority": mpi},
            {"valid_from": None, "valid_until": dt.date(2025, 2, 28)},
        )
        upsert(
            BlocSupervision,
            {"bloc": bloc, "authority": mof},
            {"valid_from": dt.date(2025, 3, 1), "valid_until": None},
        )
    memberships = [("KTĐMTNB", seed.key, 2017, None) for seed in TAY_NAM_BO]
    memberships += [("CTĐĐNB", seed.key, 2017, None) for seed in DONG_NAM_BO]
    for seed in TAY_NGUYEN:
        old = "KTĐTNG" if seed.key in TAY_NGUYEN_HIGHLANDS else "KTĐDHMT"
        memberships += [(old, seed.key, 2017, 2018), ("KTĐTN", seed.key, 2019, None)]
    for symbol, key, first, last in memberships:
        note = "Hợp nhất theo TT 07/2018/TT-BKHĐT" if symbol == "KTĐTN" else ""
        upsert(
            Membership,
            {"bloc": blocs[symbol], "unit": units[key], "from_year": first},
            {"until_year": last, "note": note},
        )
    for symbol, bloc in blocs.items():
        first = bloc.first_year or YEARS.start
        last = bloc.last_year or YEARS.stop - 1
        for year in range(first, last + 1):
            chair, vice = LEADERSHIP.get((symbol, year), (None, None))
            status = (
                BlocYear.Status.ACTIVE
                if year == YEARS.stop - 1 and not bloc.last_year
                else BlocYear.Status.CLOSED
            )
            upsert(
                BlocYear,
                {"bloc": bloc, "year": year},
                {
                    "chair": units.get(chair),
                    "vice": units.get(vice),
                    "status": status,
                },
            )
    return blocs


def _user(
    username: str, *, full_name: str, job_title: str = "", unit=None, role: str = "", **extra
) -> User:
    user, _ = upsert(
        User,
        {"username": username},
        {
            "full_name": full_name,
            "job_title": job_title,
            "unit": unit,
            "unit_role": role,
            "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
            **extra,
        },
        prepare=lambda new: new.set_password(settings.DEMO_PASSWORD),
    )
    return user


def _load_people(units: dict[str, MemberUnit], blocs: dict[str, Bloc]) -> list[tuple[str, str]]:
    accounts: list[tuple[str, str]] = []
    ministry_group, _ = Group.objects.get_or_create(name="Văn phòng thi đua của Bộ")
    perms = Permission.objects.filter(content_type__app_label="blocs")
    if ministry_group.permissions.count() != perms.count():
        ministry_group.permissions.set(perms)
    username, name, title = MINISTRY_USER
    ministry = _user(
        username, full_name=name, job_title=title, is_ministry_office=True, is_staff=True
    )
    if not ministry.groups.filter(pk=ministry_group.pk).exists():
        ministry.groups.add(ministry_group)
    accounts.append((username, "Văn phòng thi đua của Bộ (quản trị mọi khối)"))

    named = {
        (key, role): (username, name, title) for key, role, username, name, title in NAMED_PEOPLE
    }
    secretariat = {unit_key: (username, symbol) for username, symbol, unit_key in SECRETARIAT}
    for index, seed in enumerate(_all_units()):
        unit = units[seed.key]
        for offset, role in enumerate(("officer", "leader")):
            default_username = f"{seed.key}.{'canbo' if role == 'officer' else 'lanhdao'}"
            username, name, title = named.get(
                (seed.key, role),
                (
                    default_username,
                    fictional_name(2 * index + offset),
                    "Chuyên viên Văn phòng" if role == "officer" else "Trưởng ban",
                ),
            )
            _user(username, full_name=name, job_title=title, unit=unit, role=role)
        if seed.key in secretariat:
            username, symbol = secretariat[seed.key]
            person = (
                User.objects.get(username=username)
                if User.objects.filter(username=username).exists()
                else _user(
                    username,
                    full_name=fictional_name(97 + index),
                    job_title="Chuyên viên thi đua",
                    unit=unit,
                    role="officer",
                )
            )
            latest = BlocYear.objects.get(bloc=blocs[symbol], year=YEARS.stop - 1)
            upsert(SecretariatAppointment, {"bloc_year": latest, "user": person}, {})
            accounts.append((username, f"Thường trực {symbol} ({unit.short_name})"))
    accounts.append(
        (
            "<đơn vị>.canbo / <đơn vị>.lanhdao",
            "cán bộ thi đua / lãnh đạo của từng đơn vị, ví dụ daklak.canbo, soctrang.lanhdao",
        )
    )
    return accounts


@transaction.atomic
def load() -> list[tuple[str, str]]:
    """Load (or re-check) the blocs demo; returns the accounts to print."""
    provinces = _load_places()
    units = _load_units(provinces)
    blocs = _load_blocs(units)
    return _load_people(units, blocs)
