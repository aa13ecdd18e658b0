"""A national-scale dataset on PostgreSQL, for load tests (issue #8, bench/national.py).

    manage.py generate_national --years 2021-2025

34 provinces (after the 2025 merger), 60 blocs (20 sectors × 3 regions), 1,500 provincial
agencies as member units with an officer and a leader each, and for every bloc and year: a
chair and vice in rotation, a 60-item scale, a scoring round with a sheet per member, a
covenant with signatures, ballot rounds, a year-end conference with delegates, and issued
documents. Past years are finished (sheets confirmed and verified, results published,
covenants closed, ballots cast, delegates checked in); the last year is under way (sheets in
draft, covenant being signed, ballot rounds open, the conference ahead).

It refuses SQLite and a database that already holds blocs. Rows are written with bulk_create
(no audit history rows: the audit trail reads live rows for those, like the portal's own
bulk-created entries). Every user's password is the argument of --password (default: an
unusable one, so nobody can sign in with it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
import time
import uuid
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from blocs.models import (
    Authority,
    Bloc,
    BlocSupervision,
    BlocYear,
    Membership,
    MemberUnit,
    Province,
    User,
)

MERGER_DAY = dt.date(2025, 7, 1)  # NQ 202/2025/QH15: 34 provinces from 01/07/2025
MOF_FROM = dt.date(2025, 3, 1)  # NQ 176/2025/QH15: the MPI merged into the Ministry of Finance

# The 34 provinces and cities from 01/07/2025, by region.
REGIONS = [
    (
        "miền Bắc",
        "MB",
        [
            "Thành phố Hà Nội",
            "Thành phố Hải Phòng",
            "Tuyên Quang",
            "Cao Bằng",
            "Lai Châu",
            "Lào Cai",
            "Thái Nguyên",
            "Điện Biên",
            "Lạng Sơn",
            "Sơn La",
            "Phú Thọ",
            "Bắc Ninh",
            "Quảng Ninh",
            "Hưng Yên",
            "Ninh Bình",
        ],
    ),
    (
        "miền Trung và Tây Nguyên",
        "MT",
        [
            "Thành phố Huế",
            "Thành phố Đà Nẵng",
            "Thanh Hóa",
            "Nghệ An",
            "Hà Tĩnh",
            "Quảng Trị",
            "Quảng Ngãi",
            "Gia Lai",
            "Khánh Hòa",
            "Lâm Đồng",
            "Đắk Lắk",
        ],
    ),
    (
        "miền Nam",
        "MN",
        [
            "Thành phố Hồ Chí Minh",
            "Thành phố Cần Thơ",
            "Đồng Nai",
            "Tây Ninh",
            "Vĩnh Long",
            "Đồng Tháp",
            "Cà Mau",
            "An Giang",
        ],
    ),
]

# (sector of the bloc, its symbol, [(agency, short name)]): 20 sectors, 45 provincial agencies.
SECTORS = [
    (
        "Tài chính – Đầu tư",
        "TCĐT",
        [
            ("Sở Tài chính", "Sở TC"),
            ("Quỹ Đầu tư phát triển", "Quỹ ĐTPT"),
            ("Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch", "TT XTĐT"),
        ],
    ),
    ("Nội vụ – Tư pháp", "NVTP", [("Sở Nội vụ", "Sở NV"), ("Sở Tư pháp", "Sở TP")]),
    (
        "Công Thương – Hợp tác xã",
        "CTHTX",
        [("Sở Công Thương", "Sở CT"), ("Liên minh Hợp tác xã", "LM HTX")],
    ),
    (
        "Xây dựng – Giao thông",
        "XDGT",
        [
            ("Sở Xây dựng", "Sở XD"),
            (
                "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp",
                "BQLDA DD",
            ),
            ("Ban Quản lý dự án đầu tư xây dựng các công trình giao thông", "BQLDA GT"),
        ],
    ),
    (
        "Nông nghiệp và Môi trường",
        "NNMT",
        [
            ("Sở Nông nghiệp và Môi trường", "Sở NNMT"),
            ("Ban Quản lý dự án đầu tư xây dựng các công trình nông nghiệp", "BQLDA NN"),
            ("Chi cục Kiểm lâm", "CC KL"),
        ],
    ),
    (
        "Thủy lợi – Đất đai",
        "TLĐĐ",
        [
            ("Chi cục Thủy lợi", "CC TL"),
            ("Trung tâm Khuyến nông", "TT KN"),
            ("Văn phòng Đăng ký đất đai", "VPĐK ĐĐ"),
            ("Trung tâm Quan trắc tài nguyên và môi trường", "TT QT"),
        ],
    ),
    (
        "Khoa học, Công nghệ và Chuyển đổi số",
        "KHCN",
        [
            ("Sở Khoa học và Công nghệ", "Sở KHCN"),
            ("Trung tâm Công nghệ thông tin và Truyền thông", "TT CNTT"),
        ],
    ),
    (
        "Giáo dục – Đào tạo",
        "GDĐT",
        [
            ("Sở Giáo dục và Đào tạo", "Sở GDĐT"),
            ("Trường Cao đẳng Kỹ thuật – Công nghệ", "CĐ KTCN"),
        ],
    ),
    (
        "Y tế",
        "YT",
        [
            ("Sở Y tế", "Sở YT"),
            ("Bệnh viện Đa khoa", "BVĐK"),
            ("Trung tâm Kiểm soát bệnh tật", "CDC"),
            ("Trường Cao đẳng Y tế", "CĐ YT"),
        ],
    ),
    (
        "Văn hóa, Thể thao và Du lịch",
        "VHTT",
        [
            ("Sở Văn hóa, Thể thao và Du lịch", "Sở VHTTDL"),
            ("Bảo tàng", "Bảo tàng"),
            ("Thư viện", "Thư viện"),
        ],
    ),
    (
        "Ngoại vụ – Dân tộc",
        "NVDT",
        [("Sở Ngoại vụ", "Sở NgV"), ("Sở Dân tộc và Tôn giáo", "Sở DTTG")],
    ),
    (
        "Thanh tra – Hành chính công",
        "TTHC",
        [("Thanh tra", "Thanh tra"), ("Trung tâm Phục vụ hành chính công", "TT PVHCC")],
    ),
    (
        "Văn phòng",
        "VP",
        [
            ("Văn phòng Ủy ban nhân dân", "VP UBND"),
            ("Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân", "VP ĐĐBQH"),
        ],
    ),
    (
        "Khu công nghiệp, khu kinh tế",
        "KCN",
        [("Ban Quản lý các khu công nghiệp", "BQL KCN"), ("Ban Quản lý Khu kinh tế", "BQL KKT")],
    ),
    (
        "Báo chí – Lý luận chính trị",
        "BCLL",
        [("Đài Phát thanh và Truyền hình", "Đài PTTH"), ("Trường Chính trị", "Trường CT")],
    ),
    (
        "Mặt trận – Cựu chiến binh",
        "MTCCB",
        [
            ("Ủy ban Mặt trận Tổ quốc Việt Nam", "UBMTTQ"),
            ("Hội Cựu chiến binh", "Hội CCB"),
        ],
    ),
    ("Hội Nông dân", "HND", [("Hội Nông dân", "Hội ND")]),
    ("Đoàn Thanh niên", "ĐTN", [("Đoàn Thanh niên Cộng sản Hồ Chí Minh", "Tỉnh đoàn")]),
    ("Hội Liên hiệp Phụ nữ", "HLHPN", [("Hội Liên hiệp Phụ nữ", "Hội LHPN")]),
    (
        "Công đoàn – Việc làm",
        "CĐVL",
        [("Liên đoàn Lao động", "LĐLĐ"), ("Trung tâm Dịch vụ việc làm", "TT DVVL")],
    ),
]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
FAMILY += ["Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lâm", "Mai", "Tạ", "Hà"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Xuân", "Thu", "Hoài"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng"]
GIVEN += ["Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Ngân", "Phong", "Phúc", "Quân"]
GIVEN += ["Sơn", "Tâm", "Thảo", "Thắng", "Thủy", "Trang", "Trung", "Tuấn", "Vân", "Việt", "Yến"]

# Five groups of normal items (54 items) and one group of bonus and deduction items (6).
GROUPS = [
    ("I", "Thực hiện nhiệm vụ chính trị, chuyên môn được giao", 11, Decimal("4")),
    ("II", "Cải cách hành chính, chuyển đổi số", 11, Decimal("1.5")),
    ("III", "Xây dựng tổ chức bộ máy, Đảng, đoàn thể", 11, Decimal("1")),
    ("IV", "Công tác thi đua, khen thưởng", 11, Decimal("1")),
    ("V", "Tham gia hoạt động của Khối thi đua", 10, Decimal("1")),
]
TOPICS = [
    "Hoàn thành các chỉ tiêu kế hoạch năm được giao",
    "Ban hành kịp thời chương trình, kế hoạch công tác năm",
    "Thực hiện chế độ thông tin, báo cáo đúng hạn",
    "Giải quyết thủ tục hành chính đúng hạn, không để quá hạn",
    "Ứng dụng công nghệ thông tin, chữ ký số trong quản lý văn bản",
    "Tỷ lệ thủ tục hành chính trực tuyến toàn trình",
    "Thực hành tiết kiệm, phòng, chống tham nhũng, lãng phí",
    "Sắp xếp, kiện toàn tổ chức bộ máy tinh gọn, hiệu lực, hiệu quả",
    "Tổ chức Đảng, đoàn thể hoàn thành tốt nhiệm vụ",
    "Phát động, tổ chức phong trào thi đua thường xuyên, theo đợt",
    "Phát hiện, bồi dưỡng, nhân rộng điển hình tiên tiến",
    "Khen thưởng kịp thời, đúng đối tượng, đúng quy trình",
    "Tuyên truyền về thi đua, khen thưởng trên trang thông tin điện tử",
    "Tham dự đầy đủ các hội nghị của Khối",
    "Ký kết và thực hiện giao ước thi đua",
    "Đóng góp quỹ và tham gia hoạt động văn hóa, thể thao của Khối",
    "Giải quyết khiếu nại, tố cáo đúng quy định",
    "Bảo đảm an ninh, trật tự, an toàn cơ quan",
]
BONUS_DEDUCTION = [
    ("bonus", "Được tặng Cờ thi đua của Bộ năm trước", Decimal("10")),
    ("bonus", "Được tặng Cờ thi đua của Chính phủ", Decimal("15")),
    ("bonus", "Có sáng kiến được công nhận cấp tỉnh trở lên", Decimal("5")),
    ("deduction", "Nộp báo cáo muộn hoặc không nộp (mỗi lần trừ 1 điểm)", Decimal("3")),
    ("deduction", "Vắng mặt hội nghị của Khối không có lý do", Decimal("3")),
    ("deduction", "Cán bộ, công chức bị kỷ luật trong năm", Decimal("5")),
]
COVENANT_ITEMS = [
    "Thực hiện tốt các chủ trương của Đảng, chính sách, pháp luật của Nhà nước.",
    "Hoàn thành toàn diện các chỉ tiêu, nhiệm vụ chuyên môn được giao trong năm.",
    "Đẩy mạnh cải cách hành chính, chuyển đổi số trong hoạt động của đơn vị.",
    "Tổ chức tốt các phong trào thi đua, phát hiện và nhân rộng điển hình tiên tiến.",
    "Tham gia đầy đủ các hoạt động của Khối; báo cáo đúng hạn về Khối trưởng.",
    "Thực hành tiết kiệm, chống lãng phí; xây dựng cơ quan văn hóa, an toàn.",
]

BATCH = 5000


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def locality(province: str) -> tuple[str, str]:
    """("tỉnh Lào Cai", "Lào Cai") or ("thành phố Hà Nội", "Hà Nội")."""
    if province.startswith("Thành phố "):
        short = province.removeprefix("Thành phố ")
        return f"thành phố {short}", short
    return f"tỉnh {province}", province


def quarter(value: Decimal) -> Decimal:
    return (value * 4).to_integral_value() / 4


class Generator:
    """Builds the data; the benchmarks also call its parts (a 50-member bloc, a scale)."""

    def __init__(self, *, seed: int = 2025, password: str | None = None, log=print):
        self.rng = random.Random(seed)
        self.password_hash = make_password(password)  # None → an unusable password
        self.log = log
        self.now = timezone.now()

    # --- places, units, people -------------------------------------------------------------

    def provinces(self) -> dict[str, Province]:
        found = {}
        for _region, _code, names in REGIONS:
            for name in names:
                found[name], _ = Province.objects.get_or_create(
                    name=name, valid_from=MERGER_DAY, defaults={"valid_until": None}
                )
        return found

    def authorities(self) -> tuple[Authority, Authority]:
        mpi, _ = Authority.objects.get_or_create(
            name="Bộ Kế hoạch và Đầu tư", defaults={"short_name": "BKHĐT"}
        )
        mof, _ = Authority.objects.get_or_create(
            name="Bộ Tài chính", defaults={"short_name": "BTC"}
        )
        return mpi, mof

    def units(self, plan: list[tuple[str, str, str]]) -> list[MemberUnit]:
        """plan: [(agency, short agency, province name)] → units, in that order."""
        provinces = self.provinces()
        rows = []
        for agency, short, province in plan:
            where, short_place = locality(province)
            rows.append(
                MemberUnit(
                    full_name=f"{agency} {where}",
                    short_name=f"{short} {short_place}",
                    province=provinces[province],
                    address=f"Trung tâm hành chính {where}",
                    phone=f"02{self.rng.randint(10, 99)} {self.rng.randint(3000000, 3999999)}",
                    email=f"vanthu.{uuid.uuid4().hex[:12]}@donvi.gov.vn",
                    head_name=person_name(self.rng),
                    head_title="Giám đốc" if agency.startswith("Sở") else "Thủ trưởng đơn vị",
                )
            )
        return MemberUnit.objects.bulk_create(rows, batch_size=BATCH)

    def people(self, units: list[MemberUnit]) -> tuple[dict[int, User], dict[int, User]]:
        """An officer and a leader for every unit: ({unit id: officer}, {unit id: leader})."""
        rows = []
        for unit in units:
            for role, title in (("officer", "Chuyên viên"), ("leader", unit.head_title)):
                rows.append(
                    User(
                        username=f"u{unit.pk}.{role}",
                        password=self.password_hash,
                        full_name=person_name(self.rng) if role == "officer" else unit.head_name,
                        job_title=title,
                        email=f"{role}{unit.pk}@donvi.gov.vn",
                        unit=unit,
                        unit_role=role,
                    )
                )
        created = User.objects.bulk_create(rows, batch_size=BATCH)
        officers = {u.unit_id: u for u in created if u.unit_role == "officer"}
        leaders = {u.unit_id: u for u in created if u.unit_role == "leader"}
        return officers, leaders

    def bloc(self, *, name: str, symbol: str, members: list[MemberUnit], first_year: int) -> Bloc:
        mpi, mof = self.authorities()
        bloc = Bloc.objects.create(name=name, symbol=symbol, first_year=first_year)
        BlocSupervision.objects.bulk_create(
            [
                BlocSupervision(bloc=bloc, authority=mpi, valid_until=MOF_FROM - dt.timedelta(1)),
                BlocSupervision(bloc=bloc, authority=mof, valid_from=MOF_FROM),
            ]
        )
        Membership.objects.bulk_create(
            [Membership(bloc=bloc, unit=u, from_year=first_year) for u in members]
        )
        return bloc

    # --- one bloc year ----------------------------------------------------------------------

    def year(
        self,
        *,
        bloc: Bloc,
        members: list[MemberUnit],
        year: int,
        current: bool,
        officers: dict[int, User],
        leaders: dict[int, User],
        index: int,
    ) -> BlocYear:
        """One bloc year with everything in it; *current* leaves it under way."""
        chair, vice = members[index % len(members)], members[(index + 1) % len(members)]
        bloc_year = BlocYear.objects.create(
            bloc=bloc,
            year=year,
            chair=chair,
            vice=vice,
            status=BlocYear.Status.ACTIVE if current else BlocYear.Status.CLOSED,
        )
        secretariat = officers[chair.pk]
        scoring_round = self.scoring(
            bloc_year=bloc_year, members=members, by=secretariat, current=current
        )
        self.covenant(bloc_year=bloc_year, members=members, leaders=leaders, current=current)
        self.meeting(
            bloc_year=bloc_year, members=members, by=secretariat, leaders=leaders, current=current
        )
        self.awards(bloc_year=bloc_year, members=members, by=secretariat, current=current)
        self.documents(bloc_year=bloc_year, by=secretariat, scoring_round=scoring_round)
        return bloc_year

    def scale(self, *, bloc_year: BlocYear, by: User | None, locked: bool = True):
        """The 60-item scale: five groups of normal items (100 points) and a group of three
        bonus and three deduction items."""
        from scoring.models import Criterion, Scale

        scale = Scale.objects.create(
            bloc_year=bloc_year,
            title=f"Quy định thang điểm chuẩn thi đua năm {bloc_year.year}",
            status=Scale.Status.LOCKED if locked else Scale.Status.DRAFT,
            created_by=by,
            locked_at=self.now if locked else None,
        )
        groups, items, number = [], [], 0
        rows = [(code, title, count, each) for code, title, count, each in GROUPS]
        for position, (code, title, count, each) in enumerate(rows, start=1):
            group = Criterion(
                scale=scale,
                kind="group",
                code=code,
                title=title,
                max_points=each * count,
                position=position,
            )
            groups.append(group)
        groups.append(
            Criterion(
                scale=scale, kind="group", code="VI", title="Điểm thưởng, điểm trừ", position=99
            )
        )
        Criterion.objects.bulk_create(groups)
        position = 100
        for group, (_code, _title, count, each) in zip(groups, rows, strict=False):
            for n in range(count):
                number += 1
                position += 1
                topic = TOPICS[(number * 7) % len(TOPICS)]
                items.append(
                    Criterion(
                        scale=scale,
                        parent=group,
                        kind="normal",
                        code=str(number),
                        title=f"{topic} (nội dung {n + 1} của nhóm {group.code})",
                        max_points=each,
                        evidence_required=n % 4 == 0,
                        position=position,
                    )
                )
        for kind, title, maximum in BONUS_DEDUCTION:
            number += 1
            position += 1
            items.append(
                Criterion(
                    scale=scale,
                    parent=groups[-1],
                    kind=kind,
                    code=str(number),
                    title=title,
                    max_points=maximum,
                    position=position,
                )
            )
        Criterion.objects.bulk_create(items)
        return scale, items

    def scoring(self, *, bloc_year: BlocYear, members: list[MemberUnit], by: User, current: bool):
        """A round with a sheet per member. Past years: confirmed, verified and published.
        The current year: open, sheets in draft with about half the items self-scored."""
        from scoring.models import Entry, Round, Sheet

        scale, items = self.scale(bloc_year=bloc_year, by=by)
        deadline = (
            self.now + dt.timedelta(days=30)
            if current
            else timezone.make_aware(dt.datetime(bloc_year.year, 11, 30, 17, 0))
        )
        scoring_round = Round.objects.create(
            bloc_year=bloc_year,
            scale=scale,
            status=Round.Status.OPEN if current else Round.Status.PUBLISHED,
            deadline=deadline,
            opened_at=deadline - dt.timedelta(days=45),
        )
        sheets = Sheet.objects.bulk_create(
            [
                Sheet(
                    round=scoring_round,
                    unit=u,
                    status=Sheet.Status.DRAFT if current else Sheet.Status.CONFIRMED,
                    submitted_at=None if current else deadline - dt.timedelta(days=3),
                    confirmed_at=None if current else deadline - dt.timedelta(days=2),
                )
                for u in members
            ]
        )
        rng = self.rng
        entries = []
        for sheet in sheets:
            strength = Decimal(rng.randint(70, 97)) / 100
            for item in items:
                if current and rng.random() < 0.5:
                    entries.append(Entry(sheet=sheet, criterion=item, max_points=item.max_points))
                    continue
                if item.kind == "normal":
                    spread = Decimal(rng.randint(-8, 8)) / 100
                    own = quarter(item.max_points * min(Decimal(1), strength + spread))
                elif item.kind == "bonus":
                    own = item.max_points if rng.random() < 0.08 else Decimal(0)
                else:
                    own = Decimal(1) if rng.random() < 0.1 else Decimal(0)
                verified = None
                if not current:
                    verified = own
                    if item.kind == "normal" and rng.random() < 0.1:
                        verified = max(Decimal(0), own - Decimal("0.5"))
                entries.append(
                    Entry(
                        sheet=sheet,
                        criterion=item,
                        max_points=item.max_points,
                        self_score=own,
                        explanation="Theo báo cáo tổng kết năm của đơn vị",
                        verified_score=verified,
                        verified_by=None if current else by,
                        verified_at=None if current else deadline,
                    )
                )
        Entry.objects.bulk_create(entries, batch_size=BATCH)
        return scoring_round

    def covenant(self, *, bloc_year, members, leaders, current: bool) -> None:
        from covenants.models import Covenant, CovenantItem, Signature

        covenant = Covenant.objects.create(
            bloc_year=bloc_year,
            title=f"Giao ước thi đua năm {bloc_year.year}",
            preamble="Các đơn vị thành viên Khối cùng giao ước thi đua thực hiện các nội dung sau:",
            status=Covenant.Status.SIGNING if current else Covenant.Status.CLOSED,
            text_sha256=hashlib.sha256(f"{bloc_year.pk}".encode()).hexdigest(),
            finalized_at=self.now,
            closed_at=None if current else self.now,
            signed_on=dt.date(bloc_year.year, 1, 15),
        )
        CovenantItem.objects.bulk_create(
            [
                CovenantItem(covenant=covenant, position=n, text=t)
                for n, t in enumerate(COVENANT_ITEMS)
            ]
        )
        signers = members[: len(members) // 2] if current else members
        Signature.objects.bulk_create(
            [
                Signature(
                    covenant=covenant,
                    unit=u,
                    signer=leaders[u.pk],
                    signer_name=leaders[u.pk].full_name,
                    signer_title=leaders[u.pk].job_title,
                    method=Signature.Method.ONLINE,
                    signed_at=self.now,
                    text_sha256=covenant.text_sha256,
                )
                for u in signers
            ]
        )

    def meeting(self, *, bloc_year, members, by, leaders, current: bool) -> None:
        from meetings.models import Delegate, Meeting, Registration

        starts = (
            self.now + dt.timedelta(days=7)
            if current
            else timezone.make_aware(dt.datetime(bloc_year.year + 1, 1, 15, 8, 0))
        )
        meeting = Meeting.objects.create(
            bloc_year=bloc_year,
            title=f"Hội nghị tổng kết công tác thi đua, khen thưởng năm {bloc_year.year}",
            starts_at=starts,
            host_unit=bloc_year.chair,
            address=f"Hội trường {bloc_year.chair.full_name}",
            registration_deadline=starts - dt.timedelta(days=3),
            status=Meeting.Status.INVITED if current else Meeting.Status.HELD,
            created_by=by,
        )
        registrations = Registration.objects.bulk_create(
            [Registration(meeting=meeting, unit=u, updated_by=by) for u in members]
        )
        delegates = []
        for registration in registrations:
            leader = leaders[registration.unit_id]
            for name, title in (
                (leader.full_name, leader.job_title),
                (person_name(self.rng), "Chuyên viên"),
            ):
                delegates.append(
                    Delegate(
                        registration=registration,
                        full_name=name,
                        title=title,
                        qr_token=secrets.token_urlsafe(24),
                        checked_in_at=None if current else starts - dt.timedelta(minutes=20),
                        checked_in_by=None if current else by,
                    )
                )
        Delegate.objects.bulk_create(delegates, batch_size=BATCH)

    def awards(self, *, bloc_year, members, by, current: bool) -> None:
        from awards.models import (
            AwardType,
            Ballot,
            BallotChoice,
            BallotRound,
            Candidate,
            VoterToken,
        )

        types = list(
            AwardType.objects.filter(code__in=["co-thi-dua-bo", "bang-khen-tap-the"]).order_by(
                "position"
            )
        )
        for award_type in types:
            ballot_round = BallotRound.objects.create(
                bloc_year=bloc_year,
                award_type=award_type,
                title=f"Bỏ phiếu suy tôn {award_type.name} năm {bloc_year.year}",
                status=BallotRound.Status.OPEN if current else BallotRound.Status.CLOSED,
                max_choices=1 if award_type.code == "co-thi-dua-bo" else 2,
                seats=1 if award_type.code == "co-thi-dua-bo" else 2,
                member_units=len(members),
                present_units=len(members),
                opened_at=self.now,
                closed_at=None if current else self.now,
                held_on=dt.date(bloc_year.year + 1, 1, 15),
                created_by=by,
            )
            candidates = Candidate.objects.bulk_create(
                [
                    Candidate(round=ballot_round, unit=u, label=u.full_name, position=n)
                    for n, u in enumerate(self.rng.sample(members, min(4, len(members))))
                ]
            )
            if current:
                continue
            VoterToken.objects.bulk_create(
                [
                    VoterToken(round=ballot_round, unit=u, proof=secrets.token_hex(32), used=True)
                    for u in members
                ]
            )
            ballots = Ballot.objects.bulk_create(
                [
                    Ballot(
                        round=ballot_round,
                        token_hash=secrets.token_hex(32),
                        receipt=secrets.token_hex(32),
                    )
                    for _u in members
                ]
            )
            BallotChoice.objects.bulk_create(
                [BallotChoice(ballot=b, candidate=self.rng.choice(candidates[:2])) for b in ballots]
            )

    def documents(self, *, bloc_year, by, scoring_round) -> None:
        """The year's invitation, summary report and minutes, issued in the bloc's register."""
        from documents.models import Document, DocumentType, NumberSeries
        from documents.services import header_defaults
        from scoring.selectors import summary_table
        from scoring.summary import KIND, table_snapshot

        bloc = bloc_year.bloc
        types = {t.code: t for t in DocumentType.objects.filter(code__in=["GM", "BC", "BB"])}
        issued_on = dt.date(bloc_year.year, 12, 20)
        header = header_defaults(bloc=bloc, on=issued_on)
        place = locality(bloc_year.chair.province.name)[1]
        rows = [
            (
                "GM",
                "generic",
                f"Mời dự Hội nghị tổng kết công tác thi đua năm {bloc_year.year}",
                {},
            ),
            ("BB", "generic", f"Biên bản Hội nghị tổng kết năm {bloc_year.year}", {}),
        ]
        if scoring_round.status == "published":
            snapshot = table_snapshot(summary_table(scoring_round=scoring_round))
            rows.append(
                (
                    "BC",
                    KIND,
                    f"Biểu tổng hợp kết quả chấm điểm thi đua năm {bloc_year.year}",
                    snapshot,
                )
            )
        documents = []
        for number, (code, kind, subject, extra) in enumerate(rows, start=1):
            documents.append(
                Document(
                    kind=kind,
                    bloc=bloc,
                    doc_type=types[code],
                    status=Document.Status.ISSUED,
                    place=place,
                    subject=subject,
                    body=f"{bloc.name} báo cáo kết quả công tác thi đua năm {bloc_year.year}.",
                    distribution="- Các đơn vị thành viên Khối;\n- Lưu: VT.",
                    extra=extra,
                    landscape=kind == KIND,
                    authority="TM.",
                    signature_heading=f"TM. {bloc.name.upper()}\nTRƯỞNG KHỐI",
                    signer_title=bloc_year.chair.head_title.upper(),
                    signer_name=bloc_year.chair.head_name,
                    number=number,
                    number_year=bloc_year.year,
                    issued_on=issued_on,
                    issued_at=self.now,
                    issued_by=by,
                    verification_code=secrets.token_hex(8).upper(),
                    created_by=by,
                    **header,
                )
            )
        Document.objects.bulk_create(documents)
        NumberSeries.objects.update_or_create(
            issuer_symbol=bloc.symbol, year=bloc_year.year, defaults={"last_number": len(rows)}
        )

    # --- the national dataset -----------------------------------------------------------------

    def national(self, *, years: list[int], units: int) -> dict[str, int]:
        plan = []  # (agency, short, province, sector index, region index)
        for s, (_sector, _symbol, agencies) in enumerate(SECTORS):
            for agency, short in agencies:
                for r, (_region, _code, provinces) in enumerate(REGIONS):
                    for province in provinces:
                        plan.append((agency, short, province, s, r))
        # Every agency type in every province first, then cut at --units: the last agencies of
        # the list are then missing in a few provinces, as real ones are.
        plan.sort(key=lambda p: (p[0] == SECTORS[-1][2][-1][0], p[3], p[4]))
        plan = plan[:units]
        self.log(f"units: {len(plan)}")
        created = self.units([(a, s, p) for a, s, p, _s, _r in plan])
        officers, leaders = self.people(created)
        self.log(f"people: {len(officers) + len(leaders)}")
        by_bloc: dict[tuple[int, int], list[MemberUnit]] = {}
        for unit, (_a, _s, _p, s, r) in zip(created, plan, strict=True):
            by_bloc.setdefault((s, r), []).append(unit)
        counts = {"blocs": 0, "bloc_years": 0}
        for (s, r), members in sorted(by_bloc.items()):
            sector, symbol, _agencies = SECTORS[s]
            region, region_code, _provinces = REGIONS[r]
            members.sort(key=lambda u: u.full_name)
            bloc = self.bloc(
                name=f"Khối thi đua {sector} {region}",
                symbol=f"KTĐ{symbol}-{region_code}",
                members=members,
                first_year=years[0],
            )
            counts["blocs"] += 1
            for index, year in enumerate(years):
                self.year(
                    bloc=bloc,
                    members=members,
                    year=year,
                    current=year == years[-1],
                    officers=officers,
                    leaders=leaders,
                    index=index,
                )
                counts["bloc_years"] += 1
            self.log(f"bloc {counts['blocs']}/{len(by_bloc)}: {bloc.symbol}, {len(members)} units")
        return counts


def parse_years(text: str) -> list[int]:
    first, _, last = text.partition("-")
    try:
        years = list(range(int(first), int(last or first) + 1))
    except ValueError:
        raise CommandError("--years: e.g. 2021-2025") from None
    if not years or not 2000 <= years[0] <= years[-1] <= 2100:
        raise CommandError("--years: e.g. 2021-2025")
    return years


class Command(BaseCommand):
    help = "Fill an empty PostgreSQL database with a national-scale dataset (load tests)."

    def add_arguments(self, parser):
        parser.add_argument("--years", default="2021-2025", help="e.g. 2021-2025 (default)")
        parser.add_argument("--units", type=int, default=1500, help="member units (≤ 1,530)")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument(
            "--password", default=None, help="every user's password (default: unusable)"
        )

    def handle(self, *args, years, units, seed, password, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_national runs on PostgreSQL only (DATABASE_URL).")
        if Bloc.objects.exists() or MemberUnit.objects.exists():
            raise CommandError("The database already holds blocs or units: use an empty one.")
        began = time.perf_counter()

        def log(message):
            self.stdout.write(f"[{time.perf_counter() - began:6.1f} s] {message}")

        generator = Generator(seed=seed, password=password, log=log)
        with transaction.atomic():
            counts = generator.national(years=parse_years(years), units=units)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        log(f"done: {counts['blocs']} blocs, {counts['bloc_years']} bloc years")
