"""The PDF of a document, read back with pdfplumber and pypdf: Decree 30/2020 layout, fonts, text.

The document is seed 000's invitation (01/TM-KTĐMTNB, Sóc Trăng, 11/01/2021), issued by the
test bloc, so its number is 01/TM-KTĐA.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from dataclasses import dataclass

import pdfplumber
import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from documents.documents import render_document_pdf, verification_url
from documents.models import Document, DocumentType
from documents.services import document_create_draft, document_issue

MM = 72 / 25.4  # PDF points per millimetre
A4 = (210 * MM, 297 * MM)  # 595.28 × 841.89 pt
ISSUED_ON = dt.date(2021, 1, 11)

PARENT_BODY = "BỘ KẾ HOẠCH VÀ ĐẦU TƯ"
ISSUER_LINES = ("KHỐI THI ĐUA", "CÁC BAN QUẢN LÝ KCN, KCX,", "KKT MIỀN TÂY NAM BỘ")
SUBJECT = "tham dự Hội nghị tổng kết công tác thi đua năm 2020"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NUMBER = "Số: 01/TM-KTĐA"
PLACE_DATE = "Sóc Trăng, ngày 11 tháng 01 năm 2021"
SIGNATURE_HEADING = ("TM. KHỐI THI ĐUA TÂY NAM BỘ", "KT. TRƯỞNG KHỐI")
SIGNER_TITLE = "PHÓ TRƯỞNG BAN QL CÁC KCN SÓC TRĂNG"
SIGNER = "Nguyễn Văn Kiệt"
BODY = (
    "Thực hiện Quy chế hoạt động của Khối thi đua, Ban Quản lý các khu công nghiệp tỉnh Sóc Trăng "
    "(Trưởng khối năm 2020) trân trọng kính mời đại diện lãnh đạo các đơn vị thành viên tham dự "
    "Hội nghị tổng kết công tác thi đua, khen thưởng năm 2020 và ký kết giao ước thi đua "
    "năm 2021.\n"
    "- Thời gian: 08 giờ 00, thứ Sáu, ngày 15/01/2021.\n"
    "- Địa điểm: Hội trường Ban Quản lý các khu công nghiệp tỉnh Sóc Trăng.\n"
    "Rất mong quý đơn vị quan tâm, tham dự đầy đủ và đúng giờ."
)


@dataclass
class Page:
    width: float
    height: float
    text: str
    words: list[dict]
    chars: list[dict]


def read(pdf: bytes) -> list[Page]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [
            Page(
                page.width,
                page.height,
                page.extract_text(),
                page.extract_words(extra_attrs=["fontname", "size"]),
                list(page.chars),
            )
            for page in document.pages
        ]


def flat(text: str) -> str:
    """Whitespace runs (line breaks, the extractor's spacing) → one space."""
    return " ".join(text.split())


def phrase(page: Page, text: str) -> list[dict]:
    """The run of consecutive extracted words that spell *text*."""
    tokens = text.split()
    words = page.words
    for start in range(len(words) - len(tokens) + 1):
        run = words[start : start + len(tokens)]
        if [unicodedata.normalize("NFC", w["text"]) for w in run] == tokens:
            return run
    raise AssertionError(f"{text!r} is not among the words of the page:\n{page.text}")


def left(words: list[dict]) -> float:
    return min(w["x0"] for w in words)


def right(words: list[dict]) -> float:
    return max(w["x1"] for w in words)


def centre(words: list[dict]) -> float:
    return (left(words) + right(words)) / 2


def top(words: list[dict]) -> float:
    return min(w["top"] for w in words)


def fonts(words: list[dict]) -> set[str]:
    # "ABCDEF+Tinos-Italic" → "Tinos-Italic" (the subset tag is random)
    return {w["fontname"].split("+", 1)[-1] for w in words}


def sizes(words: list[dict]) -> set[float]:
    return {round(w["size"]) for w in words}


@pytest.fixture
def invitation(world) -> Document:
    """A draft like seed 000's invitation: a letter (V/v line), signed KT. for the bloc's head."""
    # Types are data: like seed 000's bloc, this one prints its Thư mời as a letter.
    DocumentType.objects.filter(code="TM").update(is_letter=True)
    return document_create_draft(
        doc_type=DocumentType.objects.get(code="TM"),
        subject=SUBJECT,
        created_by=world.secretariat,
        bloc=world.bloc,
        parent_body=PARENT_BODY,
        issuer_name="\n".join(ISSUER_LINES),
        place="Sóc Trăng",
        recipients="Các Ban Quản lý các khu công nghiệp, khu chế xuất, khu kinh tế thành viên Khối",
        basis="Căn cứ Quyết định số 01/QĐ-KTĐMTNB ngày 21/4/2020 của Khối thi đua về việc ban hành "
        "Quy chế hoạt động của Khối thi đua;",
        body=BODY,
        distribution="- Như trên;\n- Lưu: VT.",
        authority=Document.Authority.KT,
        signature_heading="\n".join(SIGNATURE_HEADING),
        signer_title=SIGNER_TITLE,
        signer_name=SIGNER,
    )


def issue(document: Document, by) -> Document:
    return document_issue(document=document, issued_on=ISSUED_ON, issued_by=by, render=False)


@pytest.fixture
def issued(invitation, world) -> Document:
    return issue(invitation, world.secretariat)


@pytest.fixture
def issued_pdf(issued) -> bytes:
    return render_document_pdf(issued)


@pytest.fixture
def page(issued_pdf) -> Page:
    pages = read(issued_pdf)
    assert len(pages) == 1
    return pages[0]


def test_every_page_is_a4_portrait(issued_pdf):
    for plumbed in read(issued_pdf):
        assert plumbed.width == pytest.approx(A4[0], abs=1)
        assert plumbed.height == pytest.approx(A4[1], abs=1)
    for pdf_page in PdfReader(io.BytesIO(issued_pdf)).pages:
        assert float(pdf_page.mediabox.width) == pytest.approx(595, abs=1)
        assert float(pdf_page.mediabox.height) == pytest.approx(842, abs=1)


def _page_fonts(reader: PdfReader) -> dict[str, DictionaryObject]:
    """Every font reachable from the pages' resources, form XObjects and patterns included."""
    found: dict[str, DictionaryObject] = {}
    seen: set[int] = set()

    def walk(resources) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        if id(resources) in seen:
            return
        seen.add(id(resources))
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            found[f"{font.get('/BaseFont')}#{id(font)}"] = font
        for key in ("/XObject", "/Pattern"):
            for ref in (resources.get(key) or {}).values():
                child = ref.get_object()
                walk(child.get("/Resources"))

    for pdf_page in reader.pages:
        walk(pdf_page.get("/Resources"))
    return found


def test_every_font_is_embedded(issued_pdf):
    found = _page_fonts(PdfReader(io.BytesIO(issued_pdf)))

    assert found
    for name, font in found.items():
        if font["/Subtype"] == "/Type3":  # glyphs drawn by procedures inside the PDF
            continue
        if font["/Subtype"] == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        descriptor = font["/FontDescriptor"].get_object()
        embedded = {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys())
        assert embedded, f"{name} is not embedded"
    # Only the bundled Tinos: no fallback font stepped in for a Vietnamese letter it lacked.
    base_fonts = {str(font["/BaseFont"]).split("+", 1)[-1] for font in found.values()}
    assert base_fonts == {"Tinos", "Tinos-Bold", "Tinos-Italic", "Tinos-Bold-Italic"}


def test_vietnamese_text_is_exact_and_nfc(page):
    text = flat(page.text)

    assert unicodedata.is_normalized("NFC", page.text)
    assert unicodedata.normalize("NFC", page.text) == page.text
    for expected in (
        NATION,
        MOTTO,
        NUMBER,
        PLACE_DATE,
        SIGNER,
        PARENT_BODY,
        *SIGNATURE_HEADING,
        "Nơi nhận:",
        "- Như trên;",
        "- Lưu: VT.",
        "Căn cứ Quyết định số 01/QĐ-KTĐMTNB ngày 21/4/2020",
        "- Địa điểm: Hội trường Ban Quản lý các khu công nghiệp tỉnh Sóc Trăng.",
    ):
        assert expected in text, expected
    for line in ISSUER_LINES:  # word by word here; line by line below
        assert phrase(page, line)
    assert phrase(page, f"V/v {SUBJECT}")
    assert "Kính gửi: Các Ban Quản lý" in text
    assert "THƯ MỜI" not in text  # a letter: "V/v …" under the number, no type name


def test_each_issuer_line_prints_as_one_line(page):
    """The author breaks the issuer's name ("Mỗi dòng in một dòng."); the column must not re-break
    seed 000's longest line, "CÁC BAN QUẢN LÝ KCN, KCX," (≈ 192.5 pt at 13 pt bold)."""
    for line in ISSUER_LINES:
        words = phrase(page, line)
        assert max(w["top"] for w in words) - min(w["top"] for w in words) < 1, f"{line!r} wrapped"


def test_header_columns(page):
    middle = page.width / 2
    parent = phrase(page, PARENT_BODY)
    issuer = [phrase(page, line) for line in ISSUER_LINES]
    number = phrase(page, NUMBER)
    vv = phrase(page, "V/v tham dự Hội nghị")
    nation, motto, date = phrase(page, NATION), phrase(page, MOTTO), phrase(page, PLACE_DATE)
    issuer_column = [*parent, *(w for line in issuer for w in line), *number, *vv]

    # Left column: the issuing body and the number, left of the page centre, centred on each other.
    assert right(issuer_column) < middle
    for block in (*issuer, number):
        assert centre(block) == pytest.approx(centre(parent), abs=2)
    # Right column: the national title, motto and the place-date line, right of the issuer column,
    # the date line centred under the motto.
    assert left([*nation, *motto, *date]) > right(issuer_column)
    assert centre(motto) == pytest.approx(centre(nation), abs=2)
    assert centre(date) == pytest.approx(centre(motto), abs=2)
    # Top to bottom.
    assert top(parent) == pytest.approx(top(nation), abs=1)
    assert top(parent) < top(issuer[0]) < top(issuer[1]) < top(issuer[2]) < top(number) < top(vv)
    assert top(nation) < top(motto) < top(date)


def test_header_fonts(page):
    assert fonts(phrase(page, PARENT_BODY)) == {"Tinos"}
    for line in ISSUER_LINES:
        assert fonts(phrase(page, line)) == {"Tinos-Bold"}
    assert fonts(phrase(page, NATION)) == {"Tinos-Bold"}
    assert fonts(phrase(page, MOTTO)) == {"Tinos-Bold"}
    assert sizes(phrase(page, NATION)) == {13}
    assert sizes(phrase(page, MOTTO)) == {14}


def test_place_date_line_is_italic(page):
    date = phrase(page, PLACE_DATE)
    for word in date:
        assert "Italic" in word["fontname"], word
        assert "Bold" not in word["fontname"], word
    # …as every character of it, not just whole words.
    date_chars = [
        c
        for c in page.chars
        if date[0]["top"] - 1 <= c["top"] <= date[0]["bottom"]
        and c["x0"] >= left(date) - 1
        and c["text"].strip()
    ]
    assert "".join(c["text"] for c in date_chars) == PLACE_DATE.replace(" ", "")
    assert all("Italic" in c["fontname"] for c in date_chars)


def test_closing_block(page):
    middle = page.width / 2
    label = phrase(page, "Nơi nhận:")
    places = [*phrase(page, "- Như trên;"), *phrase(page, "- Lưu: VT.")]
    heading = [phrase(page, line) for line in SIGNATURE_HEADING]
    title = phrase(page, SIGNER_TITLE)
    name = phrase(page, SIGNER)

    # "Nơi nhận:" 12 pt bold italic, its list 11 pt, in the left half.
    assert {w["fontname"].split("+", 1)[-1] for w in label} == {"Tinos-Bold-Italic"}
    assert sizes(label) == {12}
    assert sizes(places) == {11}
    assert right([*label, *places]) < middle
    # The signature block in the right half: authority lines, title, room to sign, name in bold.
    block = [*(w for line in heading for w in line), *title, *name]
    assert left(block) >= middle
    assert fonts(block) == {"Tinos-Bold"}
    for part in (heading[1], name):
        assert centre(part) == pytest.approx(centre(heading[0]), abs=2)
    assert top(heading[0]) < top(heading[1]) < top(title) < top(name)
    assert top(name) - max(w["bottom"] for w in title) > 15 * MM  # space for the signature
    assert top(label) == pytest.approx(top(heading[0]), abs=1)


def test_page_number_from_page_two_in_the_top_margin(invitation, world):
    invitation.body = "\n".join(
        f"{n}. Các đơn vị thành viên báo cáo kết quả thực hiện phong trào thi đua, khen thưởng, "
        f"đánh giá ưu điểm, hạn chế và đề xuất kiến nghị với Bộ Kế hoạch và Đầu tư."
        for n in range(1, 23)
    )
    invitation.save()
    pages = read(render_document_pdf(issue(invitation, world.secretariat)))

    assert len(pages) >= 2
    top_margin = 20 * MM
    # Page 1: nothing printed above the header.
    assert [w["text"] for w in pages[0].words if w["bottom"] <= top_margin] == []
    assert min(w["top"] for w in pages[0].words) >= top_margin - 1
    for number, later in enumerate(pages[1:], start=2):
        in_margin = [w for w in later.words if w["bottom"] <= top_margin]
        assert [w["text"] for w in in_margin] == [str(number)]
        # Centred over the text block (the justified body lines span it), 13–14 pt.
        body = [w for w in later.words if w["top"] > top_margin]
        assert centre(in_margin) == pytest.approx((left(body) + right(body)) / 2, abs=3)
        assert 13 <= round(in_margin[0]["size"]) <= 14
    assert SIGNER in flat(pages[-1].text)


def _watermark(page: Page) -> str:
    return "".join(c["text"] for c in page.chars if c["size"] > 40).replace(" ", "")


def test_a_draft_is_marked_and_carries_no_number_date_or_code(invitation):
    pages = read(render_document_pdf(invitation))
    text = flat(" ".join(p.text for p in pages))

    assert _watermark(pages[0]) == "DỰTHẢO"
    assert "Số: /TM-KTĐA" in text
    assert "Sóc Trăng, ngày tháng năm" in text
    assert "Mã xác minh" not in text
    assert "01/TM-KTĐA" not in text


def test_an_issued_document_is_not_marked_draft(page):
    assert _watermark(page) == ""
    squeezed = "".join(page.text.split())
    assert "DỰTHẢO" not in squeezed
    assert "THẢO" not in squeezed


def test_an_issued_document_carries_its_verification_code(issued, settings):
    settings.SITE_URL = "https://khoi.example.vn"
    text = flat(read(render_document_pdf(issued))[-1].text)

    assert issued.verification_code
    assert f"Mã xác minh: {issued.verification_code}" in text
    url = verification_url(issued)
    assert url.startswith("https://khoi.example.vn/")
    assert url.endswith(f"/{issued.verification_code}/")
    assert url in text
