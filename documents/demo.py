"""Demo documents: seed 000's invitation, issued in the register of KTĐMTNB as 01/TM-KTĐMTNB."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from blocs.models import Bloc, User
from documents import services
from documents.models import Document, DocumentType

INVITATION_SUBJECT = (
    "V/v dự Hội nghị tổng kết công tác thi đua Khối thi đua các Ban Quản lý KCN, KCX, KKT "
    "Miền Tây Nam Bộ năm 2020"
)
INVITATION = {
    "parent_body": "BỘ KẾ HOẠCH VÀ ĐẦU TƯ",
    "issuer_name": "KHỐI THI ĐUA\nCÁC BAN QUẢN LÝ KCN, KCX,\nKKT MIỀN TÂY NAM BỘ",
    "place": "Sóc Trăng",
    "recipients": "Thành viên Khối thi đua các Ban Quản lý KCN, KCX, KKT Miền Tây Nam Bộ",
    "basis": (
        "Căn cứ Quyết định số 01/QĐ-KTĐMTNB ngày 21/4/2020 của Khối thi đua các Ban Quản lý KCN, KCX, "
        "KKT Miền Tây Nam Bộ về việc ban hành Quy chế hoạt động của Khối thi đua các Ban Quản lý KCN, "
        "KCX, KKT Miền Tây Nam Bộ,"
    ),
    "body": "\n".join(
        [
            "Ban Quản lý các khu công nghiệp tỉnh Sóc Trăng (Trưởng Khối) trân trọng kính mời các đơn vị thành "
            "viên Khối thi đua các Ban Quản lý KCN, KCX, KKT Miền Tây Nam Bộ đến dự Hội nghị tổng kết công tác "
            "thi đua năm 2020 như sau:",
            "*1. Thành phần tham dự:*",
            "Lãnh đạo Ban và công chức phụ trách công tác thi đua, khen thưởng của các đơn vị thuộc Khối thi đua "
            "các Ban Quản lý KCN, KCX, KKT Miền Tây Nam Bộ.",
            "*2. Nội dung:*",
            "- Thông qua dự thảo Báo cáo tổng kết công tác thi đua năm 2020 của Khối; Biểu tổng hợp tự chấm điểm "
            "của các thành viên Khối;",
            "- Bình xét thi đua, khen thưởng các thành viên Khối năm 2020;",
            "- Bầu Trưởng khối, Phó Trưởng Khối thi đua năm 2021 và trao cờ luân lưu cho Khối trưởng năm 2021;",
            "- Ký kết giao ước thi đua năm 2021.",
            "(Các dự thảo này được gửi vào địa chỉ hộp thư điện tử của thành viên khối thi đua và đăng tải trên "
            "trang tin điện tử của Ban Quản lý các KCN tỉnh Sóc Trăng, tại địa chỉ: www.kcn.soctrang.gov.vn, "
            'mục "Thông báo hướng dẫn").',
            "*3. Thời gian:* Vào lúc 9 giờ 00 phút, ngày 15/01/2021 (thứ Sáu).",
            "*4. Địa điểm:* Ban Quản lý các khu công nghiệp tỉnh Sóc Trăng (Km2126+500, Quốc lộ 1A, đường N2, "
            "KCN An Nghiệp, tỉnh Sóc Trăng).",
            "Do tình hình dịch bệnh Covid-19 diễn biến phức tạp, nên việc tổ chức hội nghị tổng kết thi đua Khối "
            "diễn ra trễ so với kế hoạch của Khối, rất mong các thành viên Khối thông cảm và để công tác đón tiếp "
            "được chu đáo, đề nghị các thành viên Khối thi đua thông tin về danh sách đại biểu tham dự hội nghị "
            "gửi về Ban Quản lý các khu công nghiệp Sóc Trăng (thông qua zalo Khối hoặc hộp thư điện tử). Trường "
            "hợp đơn vị nào đến tỉnh Sóc Trăng vào ngày 14/01/2021 thì liên hệ đ/c Đỗ Thanh Chiến, Chánh Văn "
            "phòng Ban Quản lý các khu công nghiệp tỉnh Sóc Trăng qua số điện thoại 0907 192132 hoặc "
            "02993 500 896 để được đón tiếp.",
            "Rất mong Lãnh đạo các thành viên Khối tham dự đầy đủ để hội nghị thành công tốt đẹp./.",
        ]
    ),
    "distribution": "- Như trên;\n- Cổng TTĐT cơ quan;\n- Lưu: BLĐ, các phòng, VT.",
    "authority": Document.Authority.TM,
    "signature_heading": "TM. KHỐI THI ĐUA TÂY NAM BỘ\nKT. TRƯỞNG KHỐI",
    "signer_title": "PHÓ TRƯỞNG BAN QL CÁC KCN SÓC TRĂNG",
    "signer_name": "Nguyễn Văn Kiệt",
}


@transaction.atomic
def load() -> None:
    bloc = Bloc.objects.get(symbol="KTĐMTNB")
    if Document.objects.filter(bloc=bloc, subject=INVITATION_SUBJECT).exists():
        document = Document.objects.get(bloc=bloc, subject=INVITATION_SUBJECT)
    else:
        secretariat = User.objects.get(username="thuky.ktdmtnb")
        draft = services.document_create_draft(
            bloc=bloc,
            doc_type=DocumentType.objects.get(code="TM"),
            subject=INVITATION_SUBJECT,
            created_by=secretariat,
            **INVITATION,
        )
        document = services.document_issue(
            document=draft,
            issued_on=dt.date(2021, 1, 11),
            issued_by=secretariat,
            signer=User.objects.get(username="soctrang.lanhdao"),
            render=False,
        )
    if not document.is_pdf_ready:
        services.document_freeze_pdf(document_id=document.pk)
