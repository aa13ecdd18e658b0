"""Demo covenants, campaigns and bloc documents from the seeds. Idempotent; loaded after the
scoring demo (the 2021 register of KTĐTN then numbers the summary table before the covenant).

- KTĐTN, 04/05/2019 (seed 004): the conference at the Đắk Lắk board adopted the regulation,
  the scoring scale, the fund regulation and a culture/sports plan, and the 11 leaders signed
  the 2019 covenant in the hall. The seed gives no decision numbers and no texts: the
  regulation's rule parameters are the typical values of DOMAIN §4, marked unconfirmed where
  the brief asks (the Bằng khen share).
- KTĐTN, 10/11/2021 (seed 002): all 11 signed the 2022 covenant online. Its items are written
  in the style of seeds 002 and 004 (the real text is not in the seeds). The place, "tại …
  Nông" in the garbled seed, is taken as Đà Nẵng, the 2021 chair.
- Seed 001: the phase II launch letter of a board's internal campaign under plan 16/KH-BQL,
  given to the An Giang unit (the seed's board is at Chợ Mới, An Giang). "thuộc Ban Quản lý
  các khu công nghiệp" is shortened to "thuộc Ban Quản lý" so the text fits the demo unit's
  name; phase I's dates and the campaign's period are inferred from the plan's date.
- A KTĐTN bloc campaign for 2021 with two phases and a review of the first: fictional.

Both covenants are sealed through ``services.covenant_seal``; when the PKI (covenants/sealing)
has no certificate, that call raises, and load_demo creates the development certificate first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from blocs.demo import TAY_NGUYEN
from blocs.models import Bloc, BlocYear, MemberUnit, User
from covenants import services
from covenants.campaign_documents import REGULATION_DEFAULTS, campaign_launch_draft, launch_body
from covenants.models import BlocDocument, Campaign, CampaignPhase, Covenant, Signature
from covenants.selectors import current_covenant
from documents import services as documents
from documents.models import Document

CONFERENCE_2019 = dt.date(2019, 5, 4)
ONLINE_2021 = dt.date(2021, 11, 10)
ADOPTED_2019 = "Thông qua tại Hội nghị ký kết Giao ước thi đua năm 2019 ngày 04/5/2019"

REGULATION_2019 = REGULATION_DEFAULTS | {
    "merit_max_share": "3/10",
    "unconfirmed": ["merit_max_share"],
}
BLOC_DOCUMENTS_2019 = [
    # (kind, title, parameters)
    (
        BlocDocument.Kind.REGULATION,
        "Quy chế tổ chức và hoạt động của Khối thi đua Ban Quản lý KCN, KKT, KCNC "
        "các tỉnh Tây Nguyên và Duyên hải miền Trung",
        REGULATION_2019,
    ),
    (BlocDocument.Kind.SCORING_RULES, "Quy định thang điểm chuẩn", {}),
    (BlocDocument.Kind.FUND, "Quy chế quản lý và sử dụng quỹ", {}),
    (BlocDocument.Kind.PLAN, "Kế hoạch giao lưu văn nghệ, thể thao năm 2019", {}),
]
NO_TEXT = (
    "Dữ liệu mẫu: văn bản được Hội nghị ngày 04/5/2019 thông qua (tin bài Hội nghị ký kết Giao ước "
    "thi đua năm 2019); toàn văn chưa có trong tài liệu nguồn."
)

PREAMBLE_2019 = (
    "Các đơn vị thuộc Khối thi đua Ban Quản lý KCN, KKT, KCNC các tỉnh Tây Nguyên và Duyên hải "
    "Miền Trung cùng ký kết giao ước thi đua năm 2019 thực hiện tốt một số nội dung chủ yếu sau:"
)
# Seed 004's one long sentence, split at its semicolons.
ITEMS_2019 = [
    {"text": "Thực hiện tốt nhiệm vụ chính trị được giao theo quy định của pháp luật."},
    {
        "text": "Thực hiện chức năng quản lý nhà nước trực tiếp KCN, KKT, KCNC phát triển theo "
        "đúng kế hoạch, quy hoạch, thiết kế kỹ thuật đã được cấp có thẩm quyền phê duyệt và đảm "
        "bảo đúng tiến độ đã được quy định."
    },
    {
        "text": "Vận động đầu tư, tham mưu cho lãnh đạo địa phương có chính sách ưu đãi khuyến "
        "khích thu hút đầu tư. Đảm bảo số dự án mới đầu tư vào KCN, KKT, KCNC của địa phương đạt "
        "100% kế hoạch đề ra.",
        "target": Decimal("100"),
        "target_unit": "%",
    },
    {
        "text": "Bảo vệ tốt môi trường và an ninh trật tự an toàn xã hội trong các KCN, KKT, KCNC "
        "đảm bảo phát triển bền vững."
    },
    {
        "text": "Tổ chức tốt công tác giám sát, kiểm tra thực hiện giấy chứng nhận đầu tư, phát "
        "triển và kinh doanh dịch vụ hạ tầng; dịch vụ đào tạo cung cấp lao động và chế độ chính "
        "sách đối với người lao động."
    },
    {
        "text": "Thực hiện tốt việc sắp xếp, kiện toàn tổ chức bộ máy của cơ quan, đơn vị theo "
        "hướng tinh gọn đảm bảo hoạt động có hiệu lực, hiệu quả."
    },
]

PREAMBLE_2022 = (
    "Các Ban Quản lý thành viên Khối thi đua Ban Quản lý KCN, KKT, KCNC các tỉnh Tây Nguyên và "
    "Duyên hải miền Trung cùng ký kết giao ước thi đua năm 2022 với các nội dung chủ yếu sau:"
)
ITEMS_2022 = [  # in the style of seeds 002 and 004: demo text, not the signed covenant
    {
        "text": "Thực hiện tốt nhiệm vụ chính trị được giao theo quy định của pháp luật; hoàn "
        "thành xuất sắc các chỉ tiêu kế hoạch năm 2022 do Ủy ban nhân dân tỉnh, thành phố giao."
    },
    {
        "text": "Vận động, thu hút đầu tư; đảm bảo số dự án mới đầu tư vào KCN, KKT, KCNC của địa "
        "phương đạt 100% kế hoạch đề ra.",
        "target": Decimal("100"),
        "target_unit": "%",
    },
    {
        "text": "Thực hiện tốt các biện pháp phòng, chống dịch Covid-19, bảo đảm hoạt động sản "
        "xuất, kinh doanh an toàn của doanh nghiệp trong các KCN, KKT, KCNC."
    },
    {
        "text": "Bảo vệ tốt môi trường và an ninh trật tự an toàn xã hội trong các KCN, KKT, KCNC "
        "đảm bảo phát triển bền vững."
    },
    {
        "text": "Đẩy mạnh cải cách hành chính, ứng dụng công nghệ thông tin và chuyển đổi số trong "
        "quản lý nhà nước đối với các KCN, KKT, KCNC."
    },
    {
        "text": "Giữ vững đoàn kết giữa các thành viên Khối; chia sẻ kinh nghiệm, sáng kiến hay, "
        "việc làm tốt; phát hiện, bồi dưỡng và nhân rộng các điển hình tiên tiến."
    },
]

# Seed 001, phase II of the 2023 campaign.
AG_TITLE = "Thi đua thực hiện nhiệm vụ phát triển kinh tế - xã hội năm 2023"
AG_PLAN = "Kế hoạch số 16/KH-BQL ngày 06/02/2023"
AG_AUDIENCE = "Toàn thể công chức, viên chức, người lao động thuộc Ban Quản lý."
AG_CONTENT = "\n".join(
    [
        "- Thi đua hoàn thành xuất sắc nhiệm vụ chính trị 6 tháng cuối năm 2023 của từng phòng, "
        "đơn vị trực thuộc tiến tới hoàn thành và hoàn thành vượt mức các chỉ tiêu, nhiệm vụ phát "
        "triển kinh tế - xã hội năm 2023 theo kế hoạch, chương trình hành động của Ban Quản lý.",
        "- Thi đua tích cực tham gia các hoạt động phong trào thi đua do Bộ, ngành, cơ quan, khối "
        "thi đua, các đoàn thể phát động.",
        "- Thi đua thực hiện tốt các chủ trương, chính sách của Đảng, pháp luật của Nhà nước; xây "
        "dựng tổ chức Đảng; đoàn thể.",
        "- Thi đua đẩy mạnh ứng dụng chuyển đổi số trong công tác quản lý nhà nước.",
    ]
)
AG_RESPONSIBILITIES = "\n".join(
    [
        "- Văn phòng Ban (thường trực HĐTĐKT): Đôn đốc, kiểm tra, giám sát các phòng chuyên môn, "
        "đơn vị thuộc Ban thực hiện nghiêm túc các văn bản về thi đua khen thưởng. Chuẩn bị hồ "
        "sơ, tài liệu phục vụ sơ kết thi đua đợt II.",
        "- Các phòng, đơn vị trực thuộc: Triển khai thực hiện phong trào thi đua; cuối đợt thi "
        "đua tổ chức sơ kết, bình xét, giới thiệu các gương điển hình tiên tiến của phòng, đơn vị "
        "mình.",
        "- Các tổ chức Công đoàn, Đoàn thanh niên hưởng ứng, phối hợp triển khai thực hiện văn "
        "bản này.",
    ]
)
AG_PHASES = [
    {
        "name": "Thi đua lập thành tích hoàn thành xuất sắc nhiệm vụ 6 tháng đầu năm",
        "starts_on": dt.date(2023, 2, 6),
        "ends_on": dt.date(2023, 6, 30),
    },
    {
        "name": "Thi đua lập thành tích hoàn thành xuất sắc nhiệm vụ 6 tháng cuối năm",
        "starts_on": dt.date(2023, 7, 20),
        "ends_on": dt.date(2023, 10, 30),
    },
]
AG_CALL = (
    "Lãnh đạo Ban Quản lý kêu gọi toàn thể công chức, viên chức và người lao động phát huy tinh "
    "thần đoàn kết, gắn bó, ra sức thi đua lập thành tích xuất sắc trong lao động, công tác, quyết "
    "tâm hoàn thành tốt các chỉ tiêu, kế hoạch được giao./."
)
AG_LETTER = {
    "place": "Chợ Mới",
    "issuer_symbol": "BQL-VP",
    "distribution": "\n".join(
        [
            "Gửi bản điện tử:",
            "- Ban Thi đua khen thưởng tỉnh;",
            "- Khối thi đua KT-KT;",
            "- Các phòng, đơn vị thuộc Ban;",
            "- Toàn thể công chức, viên chức, NLĐ;",
            "- Tổ chức CĐ, ĐTN;",
            "- Lưu: VT.",
        ]
    ),
    "authority": Document.Authority.KT,
    "signature_heading": "KT. TRƯỞNG BAN",
    "signer_title": "PHÓ TRƯỞNG BAN",
    "signer_name": "Hoàng Văn Khởi",
}

BLOC_CAMPAIGN_2021 = {
    "title": "Thi đua vượt qua khó khăn do dịch Covid-19, hoàn thành xuất sắc nhiệm vụ năm 2021",
    "year": 2021,
    "starts_on": dt.date(2021, 1, 1),
    "ends_on": dt.date(2021, 11, 10),
    "audience": "Các Ban Quản lý thành viên Khối thi đua.",
    "content": "\n".join(
        [
            "- Thu hút đầu tư vào các KCN, KKT, KCNC đạt kế hoạch năm 2021.",
            "- Hỗ trợ doanh nghiệp trong các khu vừa phòng, chống dịch Covid-19 vừa duy trì sản "
            "xuất.",
            "- Đẩy mạnh cải cách hành chính, giải quyết thủ tục hành chính trực tuyến.",
        ]
    ),
    "responsibilities": "\n".join(
        [
            "- Khối trưởng: theo dõi, đôn đốc; tổng hợp kết quả sơ kết, tổng kết.",
            "- Các đơn vị thành viên: phát động trong đơn vị, báo cáo kết quả từng đợt về Khối "
            "trưởng.",
        ]
    ),
    "phases": [
        {
            "name": "Thi đua hoàn thành nhiệm vụ 6 tháng đầu năm 2021",
            "starts_on": dt.date(2021, 1, 1),
            "ends_on": dt.date(2021, 6, 30),
        },
        {
            "name": "Thi đua về đích các chỉ tiêu năm 2021",
            "starts_on": dt.date(2021, 7, 1),
            "ends_on": dt.date(2021, 11, 10),
        },
    ],
}
REVIEW_2021 = (
    "Dữ liệu mẫu. 11/11 đơn vị gửi báo cáo sơ kết đúng hạn. Dù dịch Covid-19 diễn biến phức tạp, "
    "các đơn vị duy trì giải quyết thủ tục hành chính trực tuyến và hỗ trợ doanh nghiệp vừa phòng, "
    "chống dịch vừa sản xuất; một số chỉ tiêu thu hút đầu tư chưa đạt tiến độ, cần tập trung trong "
    "đợt II."
)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _leader(unit: MemberUnit) -> User:
    return (
        User.objects.filter(unit=unit, unit_role=User.UnitRole.LEADER, is_active=True)
        .order_by("pk")
        .first()
    )


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def _bloc_documents(bloc: Bloc) -> None:
    chair_officer = _user("daklak.canbo")
    for kind, title, parameters in BLOC_DOCUMENTS_2019:
        if not BlocDocument.objects.filter(bloc=bloc, kind=kind, valid_from_year=2019).exists():
            services.bloc_document_publish(
                bloc=bloc,
                kind=kind,
                title=title,
                valid_from_year=2019,
                by=chair_officer,
                decision=ADOPTED_2019,
                adopted_on=CONFERENCE_2019,
                text=NO_TEXT,
                parameters=parameters,
            )


def _covenant(
    bloc_year: BlocYear,
    *,
    title: str,
    preamble: str,
    items: list[dict],
    by: User,
    signed_on: dt.date,
    place: str,
    sign,
) -> Covenant:
    """Draft → finalised → every member signed (by *sign*) → closed → sealed; each step once."""
    covenant = current_covenant(bloc_year=bloc_year) or services.covenant_create(
        bloc_year=bloc_year, title=title, preamble=preamble, items=items, by=by
    )
    if covenant.is_editable:
        covenant = services.covenant_finalize(
            covenant=covenant, by=by, signed_on=signed_on, place=place
        )
    signed = set(Signature.objects.filter(covenant=covenant).values_list("unit_id", flat=True))
    units = {
        unit.full_name: unit
        for unit in MemberUnit.objects.filter(full_name__in=[s.full_name for s in TAY_NGUYEN])
    }
    for index, seed in enumerate(TAY_NGUYEN):  # seed 004's order
        unit = units[seed.full_name]
        if unit.pk not in signed:
            sign(covenant, unit, index)
    covenant.refresh_from_db()
    if covenant.status == Covenant.Status.SIGNING:
        covenant = services.covenant_close(covenant=covenant, by=by)
    if covenant.document_id is None or not covenant.document.is_pdf_ready:
        services.covenant_seal(covenant_id=covenant.pk)
    return covenant


def _covenants(bloc: Bloc) -> None:
    recorder = _user("daklak.canbo")  # the 2019 chair's officer records the hall signatures

    def in_the_hall(covenant, unit, index):
        services.covenant_sign(
            covenant=covenant,
            unit=unit,
            method=Signature.Method.CEREMONY,
            signer=_leader(unit),
            recorded_by=recorder,
            signed_at=_at(CONFERENCE_2019, 9, 30 + 2 * index),
        )

    def online(covenant, unit, index):
        services.covenant_sign(
            covenant=covenant,
            unit=unit,
            method=Signature.Method.ONLINE,
            signer=_leader(unit),
            ip=f"10.0.0.{index + 1}",
            signed_at=_at(ONLINE_2021, 14, 5 + 3 * index),
        )

    _covenant(
        BlocYear.objects.get(bloc=bloc, year=2019),
        title="Giao ước thi đua năm 2019",
        preamble=PREAMBLE_2019,
        items=ITEMS_2019,
        by=recorder,
        signed_on=CONFERENCE_2019,
        place="Đắk Lắk",
        sign=in_the_hall,
    )
    _covenant(
        BlocYear.objects.get(bloc=bloc, year=2022),
        title="Giao ước thi đua năm 2022",
        preamble=PREAMBLE_2022,
        items=ITEMS_2022,
        by=_user("thuky.ktdtn"),
        signed_on=ONLINE_2021,
        place="Đà Nẵng",
        sign=online,
    )


def _campaign(lookup: dict, values: dict, by: User) -> Campaign:
    campaign = Campaign.objects.filter(**lookup, year=values["year"], title=values["title"]).first()
    if campaign is None:
        campaign = services.campaign_create(**lookup, **values, by=by)
    return campaign


def _bloc_campaign(bloc: Bloc) -> None:
    secretariat = _user("danang.canbo")  # the 2021 chair's officer
    campaign = _campaign({"bloc": bloc}, BLOC_CAMPAIGN_2021, secretariat)
    first = CampaignPhase.objects.get(campaign=campaign, number=1)
    if first.reviewed_on is None:
        services.phase_review(
            phase=first, review=REVIEW_2021, reviewed_on=dt.date(2021, 7, 15), by=secretariat
        )


def _unit_campaign() -> None:
    officer = _user("angiang.canbo")
    values = {
        "year": 2023,
        "title": AG_TITLE,
        "plan_reference": AG_PLAN,
        "starts_on": dt.date(2023, 2, 6),
        "ends_on": dt.date(2023, 12, 31),
        "audience": AG_AUDIENCE,
        "content": AG_CONTENT,
        "responsibilities": AG_RESPONSIBILITIES,
        "phases": AG_PHASES,
    }
    campaign = _campaign({"unit": officer.unit}, values, officer)
    phase = CampaignPhase.objects.get(campaign=campaign, number=2)
    letter = campaign_launch_draft(
        campaign=campaign,
        by=officer,
        phase=phase,
        body=f"{launch_body(campaign, phase)}\n{AG_CALL}",
        **AG_LETTER,
    )
    if letter.is_draft:
        letter = documents.document_issue(
            document=letter, issued_on=dt.date(2023, 7, 20), issued_by=officer, render=False
        )
    if not letter.is_pdf_ready:
        documents.document_freeze_pdf(document_id=letter.pk)


@transaction.atomic
def load() -> None:
    bloc = Bloc.objects.get(symbol="KTĐTN")
    _bloc_documents(bloc)
    _covenants(bloc)
    _bloc_campaign(bloc)
    _unit_campaign()
