"""Demo scoring for KTĐTN 2021: a 100-point scale, 11 submitted and verified sheets, the
summary table issued in the bloc's register. Idempotent."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from blocs.models import BlocYear, User
from scoring import services
from scoring.models import Entry, Round, Scale, Sheet

# (STT, content, maximum, kind, evidence required) — groups have kind "group".
SCALE_2021 = [
    ("I", "Thực hiện nhiệm vụ chính trị, chuyên môn được giao", "40", "group", False),
    ("1", "Thu hút dự án đầu tư mới vào KCN, KKT, KCNC đạt kế hoạch năm", "6", "normal", True),
    ("2", "Vốn đầu tư thực hiện của các dự án đạt kế hoạch", "5", "normal", True),
    (
        "3",
        "Quản lý quy hoạch, kế hoạch phát triển các khu theo đúng phê duyệt",
        "5",
        "normal",
        False,
    ),
    ("4", "Giải quyết thủ tục hành chính đúng hạn, không để quá hạn", "5", "normal", True),
    (
        "5",
        "Bảo vệ môi trường; tỷ lệ khu có hệ thống xử lý nước thải tập trung",
        "5",
        "normal",
        False,
    ),
    ("6", "Bảo đảm an ninh, trật tự, an toàn xã hội trong các khu", "4", "normal", False),
    ("7", "Quản lý lao động, chế độ chính sách đối với người lao động", "4", "normal", False),
    ("8", "Thanh tra, kiểm tra, giám sát dự án sau cấp phép", "3", "normal", False),
    ("9", "Báo cáo định kỳ đầy đủ, đúng hạn về Bộ và địa phương", "3", "normal", False),
    ("II", "Cải cách hành chính, chuyển đổi số", "15", "group", False),
    ("10", "Ban hành và thực hiện kế hoạch cải cách hành chính năm", "3", "normal", False),
    ("11", "Tỷ lệ thủ tục hành chính trực tuyến toàn trình", "4", "normal", True),
    ("12", "Ứng dụng công nghệ thông tin, chữ ký số trong quản lý văn bản", "4", "normal", False),
    ("13", "Chỉ số hài lòng của nhà đầu tư, doanh nghiệp", "4", "normal", False),
    ("III", "Xây dựng tổ chức bộ máy, Đảng, đoàn thể", "15", "group", False),
    ("14", "Sắp xếp, kiện toàn tổ chức bộ máy tinh gọn, hiệu lực, hiệu quả", "4", "normal", False),
    ("15", "Tổ chức Đảng đạt hoàn thành tốt nhiệm vụ trở lên", "4", "normal", False),
    ("16", "Công đoàn, Đoàn thanh niên vững mạnh", "3", "normal", False),
    ("17", "Thực hành tiết kiệm, phòng chống tham nhũng, lãng phí", "4", "normal", False),
    ("IV", "Công tác thi đua, khen thưởng", "20", "group", False),
    (
        "18",
        "Ban hành kế hoạch, phát động phong trào thi đua thường xuyên, theo đợt",
        "4",
        "normal",
        True,
    ),
    ("19", "Sơ kết, tổng kết phong trào thi đua đúng quy định", "4", "normal", False),
    ("20", "Phát hiện, bồi dưỡng, nhân rộng điển hình tiên tiến", "4", "normal", False),
    ("21", "Khen thưởng kịp thời, đúng đối tượng, đúng quy trình", "4", "normal", False),
    (
        "22",
        "Tuyên truyền về thi đua, khen thưởng trên trang thông tin điện tử",
        "4",
        "normal",
        False,
    ),
    ("V", "Tham gia hoạt động của Khối thi đua", "10", "group", False),
    ("23", "Tham dự đầy đủ các hội nghị của Khối", "4", "normal", False),
    ("24", "Ký kết và thực hiện giao ước thi đua", "3", "normal", False),
    ("25", "Đóng góp quỹ và tham gia hoạt động văn hóa, thể thao của Khối", "3", "normal", False),
    ("VI", "Điểm thưởng, điểm trừ", "0", "group", False),
    ("26", "Được tặng Cờ thi đua của Bộ năm trước", "10", "bonus", True),
    ("27", "Được tặng Cờ thi đua của Chính phủ", "15", "bonus", True),
    ("28", "Nộp báo cáo muộn hoặc không nộp (mỗi lần trừ 1 điểm)", "3", "deduction", False),
    ("29", "Vắng mặt hội nghị của Khối không có lý do", "3", "deduction", False),
    ("30", "Cán bộ, công chức bị kỷ luật trong năm", "5", "deduction", False),
]


def _fraction(*parts: str) -> Decimal:
    """A stable pseudo-random number in [0, 1) from text: the same demo every time."""
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return Decimal(int.from_bytes(digest[:4], "big") % 1000) / Decimal(1000)


def _quarter(value: Decimal) -> Decimal:
    return (value * 4).to_integral_value() / 4


def _self_score(unit_key: str, code: str, kind: str, maximum: Decimal) -> Decimal:
    chance = _fraction(unit_key, code)
    if kind == "bonus":
        return maximum if code == "26" and chance > Decimal("0.8") else Decimal("0")
    if kind == "deduction":
        return Decimal("1") if chance > Decimal("0.85") else Decimal("0")
    return _quarter(maximum * (Decimal("0.78") + chance * Decimal("0.22")))


@transaction.atomic
def load() -> None:
    bloc_year = BlocYear.objects.select_related("bloc").get(bloc__symbol="KTĐTN", year=2021)
    secretariat = User.objects.get(username="danang.canbo")  # the 2021 chair's officer
    if Round.objects.filter(bloc_year=bloc_year).exists():
        return _issue_summary(bloc_year, secretariat)
    scale = Scale.objects.filter(bloc_year=bloc_year).first() or services.scale_create(
        bloc_year=bloc_year, title="Quy định thang điểm chuẩn thi đua năm 2021", by=secretariat
    )
    rows = []
    for code, title, maximum, kind, evidence in SCALE_2021:
        rows.append(
            {
                "code": code,
                "title": title,
                "max_points": Decimal(maximum),
                "kind": kind,
                "evidence_required": evidence,
                "guidance": "",
            }
        )
    services.scale_replace_criteria(scale=scale, rows=rows, by=secretariat, reason="Dữ liệu mẫu")
    deadline = timezone.make_aware(dt.datetime(2021, 11, 5, 17, 0))
    scoring_round = services.round_open(
        bloc_year=bloc_year, scale=scale, deadline=deadline, by=secretariat
    )
    for sheet in Sheet.objects.filter(round=scoring_round).select_related("unit"):
        officer = User.objects.filter(unit=sheet.unit, unit_role="officer").first()
        leader = User.objects.filter(unit=sheet.unit, unit_role="leader").first()
        key = sheet.unit.short_name
        entries = list(Entry.objects.filter(sheet=sheet).select_related("criterion"))
        values = {
            e.pk: (
                _self_score(key, e.criterion.code, e.criterion.kind, e.max_points),
                "Theo báo cáo tổng kết năm 2021 của đơn vị",
            )
            for e in entries
        }
        # Evidence for required items is a short PDF note in the demo.
        from django.core.files.uploadedfile import SimpleUploadedFile

        for entry in entries:
            if entry.criterion.evidence_required and values[entry.pk][0]:
                pdf = b"%PDF-1.4\n% minh chung du lieu mau\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
                services.evidence_add(
                    entry=entry,
                    upload=SimpleUploadedFile(
                        f"minh-chung-{entry.criterion.code}.pdf", pdf, "application/pdf"
                    ),
                    by=officer,
                )
        sheet = services.sheet_save(
            sheet=sheet, version=sheet.version, values=values, by=officer, reason="Dữ liệu mẫu"
        )
        sheet = services.sheet_submit(sheet=sheet, version=sheet.version, by=officer)
        services.sheet_confirm(sheet=sheet, by=leader)
        # The secretariat verifies; a few items are marked down with a comment.
        verified = {}
        for entry in entries:
            score = values[entry.pk][0]
            if entry.criterion.kind == "normal" and _fraction(
                "verify", key, entry.criterion.code
            ) > Decimal("0.9"):
                verified[entry.pk] = (
                    max(Decimal("0"), score - Decimal("0.5")),
                    "Minh chứng chưa đầy đủ, trừ 0,5 điểm",
                )
            else:
                verified[entry.pk] = (score, "")
        # Never a unit's own sheet: the vice unit verifies the chair's.
        reviewer = (
            secretariat
            if sheet.unit_id != secretariat.unit_id
            else User.objects.get(username="lamdong.canbo")
        )
        services.verification_save(sheet=sheet, values=verified, by=reviewer)
    Round.objects.filter(pk=scoring_round.pk).update(status=Round.Status.PUBLISHED)
    _issue_summary(bloc_year, secretariat)


def _issue_summary(bloc_year, secretariat) -> None:
    """Issue the summary table as a document of the bloc's register (once)."""
    from documents.models import Document
    from scoring.summary import summary_issue

    if Document.objects.filter(
        bloc=bloc_year.bloc, kind="summary_table", number_year=2021
    ).exists():
        return
    scoring_round = Round.objects.get(bloc_year=bloc_year)
    summary_issue(
        scoring_round=scoring_round,
        by=secretariat,
        issued_on=dt.date(2021, 11, 10),
        place="Đà Nẵng",
        signer_name="Trần Văn Biên",
        signer_title="PHÓ TRƯỞNG BAN QUẢN LÝ KHU CÔNG NGHỆ CAO VÀ CÁC KHU CÔNG NGHIỆP ĐÀ NẴNG",
        signature_heading="TM. KHỐI THI ĐUA\nKT. TRƯỞNG KHỐI",
    )
