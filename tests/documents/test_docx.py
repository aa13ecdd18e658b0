"""The DOCX renderer: Decree 30 layout, Vietnamese text, draft marks; read back with python-docx."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile

import docx
import pytest
from django.http import HttpResponse
from django.urls import path
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from documents import registry
from documents.documents import verification_url
from documents.docx import render_document_docx
from documents.models import DocumentType
from documents.services import document_create_draft, document_issue


def _verify_stub(request, code):  # pragma: no cover - never requested, only reversed
    return HttpResponse(code)


# The renderer only reverses "verify"; this URLconf keeps these tests independent of the views.
urlpatterns = [path("xac-minh/<str:code>/", _verify_stub, name="verify")]

pytestmark = pytest.mark.urls(__name__)

SUBJECT = "Tham dự Hội nghị tổng kết công tác thi đua năm 2022"
BODY = (
    "Thực hiện **Kế hoạch số 05/KH-KTĐA**, Khối *trân trọng kính mời* đại diện lãnh đạo đơn vị.\n"
    "\n"
    "- Thời gian: 8 giờ 00 phút, thứ Sáu, ngày 13/01/2023.\n"
    "- Địa điểm: Hội trường Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk."
)


def _letter(world, **fields):
    values = {
        "place": "Đắk Lắk",
        "parent_body": "Bộ Kế hoạch và Đầu tư",
        "recipients": "Các đơn vị thành viên Khối thi đua A",
        "body": BODY,
        "distribution": "- Như trên;\n- Lưu: VT, Khối.",
        "signature_heading": "TM. Khối thi đua A",
        "signer_title": "Trưởng khối",
        "signer_name": "Nguyễn Thị Ánh Tuyết",
    } | fields
    # Types are data: this bloc prints its Thư mời as a letter (number, then "V/v …").
    DocumentType.objects.filter(code="TM").update(is_letter=True)
    return document_create_draft(
        doc_type=DocumentType.objects.get(code="TM"),
        subject=SUBJECT,
        created_by=world.secretariat,
        bloc=world.bloc,
        **values,
    )


def _issue(world, document):
    return document_issue(
        document=document, issued_on=dt.date(2023, 1, 5), issued_by=world.secretariat, render=False
    )


def _open(document, **kwargs):
    return docx.Document(io.BytesIO(render_document_docx(document, **kwargs)))


def _cell_texts(cell) -> list[str]:
    return [p.text for p in cell.paragraphs]


def _header_xml(section) -> tuple[str, str]:
    return section.header._element.xml, section.first_page_header._element.xml


def _all_texts(d) -> list[str]:
    texts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for cell in table._cells:
            texts.extend(_cell_texts(cell))
    section = d.sections[0]
    texts += [p.text for p in section.header.paragraphs]
    texts += [p.text for p in section.first_page_header.paragraphs]
    return texts


def _has_bottom_border(paragraph) -> bool:
    ppr = paragraph._p.pPr
    border = ppr.find(qn("w:pBdr")) if ppr is not None else None
    return border is not None and border.find(qn("w:bottom")) is not None


def _close(actual, expected_mm: float) -> bool:
    return abs(actual.mm - expected_mm) < 0.5


@pytest.fixture
def letter(world):
    return _letter(world)


def test_page_is_a4_portrait_with_decree_margins(letter):
    section = _open(letter).sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert _close(section.page_width, 210)
    assert _close(section.page_height, 297)
    assert _close(section.top_margin, 20)
    assert _close(section.bottom_margin, 20)
    assert _close(section.left_margin, 30)
    assert _close(section.right_margin, 15)


def test_landscape(world):
    section = _open(_letter(world, landscape=True)).sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert _close(section.page_width, 297)
    assert _close(section.page_height, 210)


def test_times_new_roman_14_for_every_script(letter):
    d = _open(letter)
    normal = d.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)
    fonts = normal.element.rPr.rFonts
    defaults = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for element in (fonts, defaults.find(qn("w:rFonts"))):
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            assert element.get(qn(slot)) == "Times New Roman"
        assert element.get(qn("w:asciiTheme")) is None  # a theme font would win over the name
    assert str(normal.font.color.rgb) == "000000"


def test_draft_letter_header(letter):
    d = _open(letter)
    left, right = d.tables[0].rows[0].cells
    texts = _cell_texts(left)
    assert texts[:2] == ["BỘ KẾ HOẠCH VÀ ĐẦU TƯ", "KHỐI THI ĐUA A"]
    assert texts[2] == ""  # the short rule
    assert _has_bottom_border(left.paragraphs[2])
    assert texts[3] == "Số: " + "\u00a0" * 5 + "/TM-KTĐA"
    assert texts[4] == f"V/v {SUBJECT}"
    parent, issuer = left.paragraphs[0].runs[0], left.paragraphs[1].runs[0]
    assert parent.font.size == Pt(13)
    assert not parent.bold
    assert issuer.font.size == Pt(13)
    assert issuer.bold
    assert left.paragraphs[4].runs[0].font.size == Pt(12)

    assert _cell_texts(right)[:3] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "",
    ]
    assert _has_bottom_border(right.paragraphs[2])
    place_date = right.paragraphs[3]
    gap = "\u00a0" * 6
    assert place_date.text == f"Đắk Lắk, ngày{gap}tháng{gap}năm{gap}"
    assert all(run.italic for run in place_date.runs)
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in left.paragraphs + right.paragraphs)
    # a letter prints no type name: the subject is the "V/v" line
    assert "THƯ MỜI" not in _all_texts(d)


def test_rules_are_short(letter):
    left, right = _open(letter).tables[0].rows[0].cells
    for cell in (left, right):
        rule = next(p for p in cell.paragraphs if _has_bottom_border(p))
        fmt = rule.paragraph_format
        assert fmt.left_indent > 0
        assert fmt.left_indent == fmt.right_indent
        assert cell.width - 2 * fmt.left_indent < cell.width * 0.7


def test_issued_letter_number_date_and_verification(world, letter):
    issued = _issue(world, letter)
    d = _open(issued)
    left, right = d.tables[0].rows[0].cells
    assert "Số: 01/TM-KTĐA" in _cell_texts(left)
    place_date = right.paragraphs[3]
    assert place_date.text == "Đắk Lắk, ngày 05 tháng 01 năm 2023"
    assert all(run.italic for run in place_date.runs)

    last = d.paragraphs[-1]
    url = verification_url(issued)
    assert issued.verification_code in url
    code = issued.verification_code
    assert last.text.endswith(f"Mã xác minh: {code} · Kiểm tra văn bản tại {url}")
    assert all(run.font.size == Pt(9) for run in last.runs if run.text)
    assert len(d.inline_shapes) == 1  # the QR code of the verification URL

    section = d.sections[0]
    assert "DỰ THẢO" not in "".join(_header_xml(section))


def test_draft_says_du_thao_on_every_page(letter):
    d = _open(letter)
    section = d.sections[0]
    for header in (section.header, section.first_page_header):
        runs = [run for p in header.paragraphs for run in p.runs if run.text == "DỰ THẢO"]
        assert len(runs) == 1
        assert runs[0].bold
        assert runs[0].font.color.rgb is not None
        assert runs[0].font.color.rgb[0] > 0x80
    assert not any("Mã xác minh" in text for text in _all_texts(d))


def test_draft_flag_overrides_state(world, letter):
    assert "DỰ THẢO" not in "".join(_header_xml(_open(letter, draft=False).sections[0]))
    issued = _issue(world, letter)
    d = _open(issued, draft=True)
    assert "DỰ THẢO" in "".join(_header_xml(d.sections[0]))
    assert not any("Mã xác minh" in text for text in _all_texts(d))
    assert "Số: 01/TM-KTĐA" in _cell_texts(d.tables[0].cell(0, 0))


def test_page_number_from_page_two(letter):
    section = _open(letter).sections[0]
    assert section.different_first_page_header_footer
    later, first = _header_xml(section)
    assert "PAGE" in later
    assert 'w:fldCharType="begin"' in later
    assert "PAGE" not in first
    assert not section.first_page_header.is_linked_to_previous


def test_body_paragraphs_and_inline_styles(letter):
    d = _open(letter)
    body = [p for p in d.paragraphs if p.text.startswith(("Thực hiện", "- "))]
    assert [p.text for p in body] == [
        "Thực hiện Kế hoạch số 05/KH-KTĐA, Khối trân trọng kính mời đại diện lãnh đạo đơn vị.",
        "- Thời gian: 8 giờ 00 phút, thứ Sáu, ngày 13/01/2023.",
        "- Địa điểm: Hội trường Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk.",
    ]
    for paragraph in body:
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert paragraph.paragraph_format.first_line_indent == Cm(1.27)
    runs = {run.text: run for run in body[0].runs}
    assert runs["Kế hoạch số 05/KH-KTĐA"].bold
    assert not runs["Kế hoạch số 05/KH-KTĐA"].italic
    assert runs["trân trọng kính mời"].italic
    assert not runs["trân trọng kính mời"].bold
    assert not runs["Thực hiện "].bold
    assert not runs["Thực hiện "].italic


def test_report_title_basis_and_recipients(world):
    report = document_create_draft(
        doc_type=DocumentType.objects.get(code="BC"),
        subject="Kết quả công tác thi đua năm 2022",
        created_by=world.secretariat,
        bloc=world.bloc,
        place="Đắk Lắk",
        recipients="Vụ Thi đua - Khen thưởng\nCác đơn vị thành viên Khối",
        basis=(
            "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;\n"
            "Căn cứ Quy chế hoạt động của Khối;"
        ),
        body="Khối báo cáo như sau:",
        signer_name="Nguyễn Văn A",
    )
    d = _open(report)
    texts = [p.text for p in d.paragraphs]
    title = texts.index("BÁO CÁO")
    assert texts[title + 1] == "Kết quả công tác thi đua năm 2022"
    title_paragraphs = d.paragraphs[title : title + 3]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in title_paragraphs)
    assert all(run.bold for p in title_paragraphs[:2] for run in p.runs)
    assert _has_bottom_border(title_paragraphs[2])
    assert not any(text.startswith("V/v") for text in _all_texts(d))
    assert "Số: " + "\u00a0" * 5 + "/BC-KTĐA" in _cell_texts(d.tables[0].cell(0, 0))

    start = texts.index("Kính gửi:")
    assert texts[start + 1 : start + 3] == [
        "Vụ Thi đua - Khen thưởng",
        "Các đơn vị thành viên Khối",
    ]

    basis = [p for p in d.paragraphs if p.text.startswith("Căn cứ")]
    assert len(basis) == 2
    for paragraph in basis:
        assert all(run.italic for run in paragraph.runs)
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert paragraph.paragraph_format.first_line_indent == Cm(1.27)


def test_single_recipient_inline(letter):
    texts = [p.text for p in _open(letter).paragraphs]
    assert "Kính gửi: Các đơn vị thành viên Khối thi đua A" in texts


def test_official_letter_without_type_code(world):
    letter = document_create_draft(
        doc_type=DocumentType.objects.get(code=""),
        subject="Góp ý dự thảo",
        created_by=world.secretariat,
        bloc=world.bloc,
        place="Đắk Lắk",
    )
    left = _open(letter).tables[0].cell(0, 0)
    assert "Số: " + "\u00a0" * 5 + "/KTĐA" in _cell_texts(left)
    assert "V/v Góp ý dự thảo" in _cell_texts(left)


def test_signature_block(letter):
    d = _open(letter)
    closing = d.tables[-1]
    left, right = closing.rows[0].cells
    assert _cell_texts(left) == ["Nơi nhận:", "- Như trên;", "- Lưu: VT, Khối."]
    label = left.paragraphs[0].runs[0]
    assert label.bold
    assert label.italic
    assert label.font.size == Pt(12)
    assert all(p.runs[0].font.size == Pt(11) for p in left.paragraphs[1:])

    texts = _cell_texts(right)
    assert texts[0] == "TM. KHỐI THI ĐUA A"
    assert texts[1] == "TRƯỞNG KHỐI"
    assert texts[2:-1] == ["", "", "", ""]  # room for the signature
    assert texts[-1] == "Nguyễn Thị Ánh Tuyết"
    assert all(p.runs[0].bold for p in (*right.paragraphs[:2], right.paragraphs[-1]))
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in right.paragraphs)


def test_vietnamese_text_round_trips_as_nfc(world):
    nfd_subject = unicodedata.normalize("NFD", "Kế hoạch tổ chức Hội nghị ở Buôn Ma Thuột")
    body = "Đề nghị các đơn vị **hưởng ứng** phong trào *thi đua yêu nước*."
    document = _letter(world, body=body)
    document.subject = nfd_subject  # as if it reached the model around the NFC field
    texts = _all_texts(_open(document))
    assert all(text == unicodedata.normalize("NFC", text) for text in texts)
    assert "V/v Kế hoạch tổ chức Hội nghị ở Buôn Ma Thuột" in texts
    assert "Đề nghị các đơn vị hưởng ứng phong trào thi đua yêu nước." in texts
    assert "Nguyễn Thị Ánh Tuyết" in texts
    assert "Đắk Lắk, ngày" in "".join(texts)


def test_control_characters_do_not_break_the_file(world):
    document = _letter(world, body="Nội dung\x01 dán từ Word\x1f.")
    assert "Nội dung dán từ Word." in [p.text for p in _open(document).paragraphs]


def test_kind_adds_docx_content(world, monkeypatch):
    def add_table(docx_document, document):
        table = docx_document.add_table(rows=1, cols=2)
        table.cell(0, 0).text = "Đơn vị"
        table.cell(0, 1).text = document.issuer_symbol

    monkeypatch.setitem(
        registry._kinds, "test-table", registry.Kind("test-table", "Bảng thử", docx_body=add_table)
    )
    document = _letter(world, kind="test-table")
    d = _open(document)
    assert len(d.tables) == 3  # header, the kind's table, signature block
    assert [c.text for c in d.tables[1].rows[0].cells] == ["Đơn vị", "KTĐA"]
    body = list(d.element.body.iterchildren())
    # after the body and before the signature block, with a paragraph keeping the two tables apart
    kind_table = body.index(d.tables[1]._tbl)
    assert body[kind_table - 1].xpath("string(.)").startswith("- Địa điểm")
    assert body[kind_table + 1].tag == qn("w:p")
    assert body[kind_table + 2] is d.tables[2]._tbl


def test_render_is_a_docx_package(letter):
    data = render_document_docx(letter)
    assert data[:2] == b"PK"
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not any("thumbnail" in name for name in names)  # python-docx's sample preview
    d = docx.Document(io.BytesIO(data))
    assert d.core_properties.title == SUBJECT
    assert d.core_properties.language == "vi-VN"
    assert d.sections[0].header_distance < Mm(20)
