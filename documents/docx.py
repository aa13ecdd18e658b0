"""A document → DOCX bytes (python-docx), in the same Decree 30/2020/NĐ-CP layout as the PDF.

The PDF (templates/documents/pdf/base.html) is the official copy; the DOCX is for staff who
want to finish a draft in Word. Both are built from the same fields, the same body markup
(documents.markup) and the same place-and-date and number rules, so they read alike:

- A4 (landscape when asked), margins 20/20/30/15 mm, Times New Roman 14 pt, black; the font is
  named for every script slot (ascii, hAnsi, eastAsia, cs) so Word never falls back to another
  face for the Vietnamese letters.
- Two-column borderless header table, short rules as bottom borders of short centred
  paragraphs (editable in Word, unlike drawn lines), page number centred in the header from
  page 2 (a PAGE field; the first page has its own, number-less header).
- A draft carries "DỰ THẢO" in the page header of every page.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Mm, Pt, RGBColor

from documents import registry
from documents.markup import parse
from khoi_portal.lib.official import in_official_language
from khoi_portal.lib.vietnamese import nfc

FONT = "Times New Roman"
BLACK = RGBColor(0, 0, 0)
DRAFT_RED = RGBColor(0xC0, 0x00, 0x00)
GREY = RGBColor(0x33, 0x33, 0x33)
INDENT = Cm(1.27)

PAGE_A4 = (Mm(210), Mm(297))
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
HEADER_DISTANCE = Mm(10)  # the page number sits in the top margin, above the text block

# Column shares of the text width. The PDF splits the header 42/58, which leaves the 13 pt bold
# "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (≈ 95.7 mm in Times) no room at all in a 165 mm text
# block; Word would wrap it, so the DOCX gives the right column 60 %.
HEADER_SPLIT = (0.415, 0.585)
CLOSING_SPLIT = (0.45, 0.55)
ISSUER_RULE = Mm(22)  # Decree 30: 1/3 to 1/2 of the issuer line
MOTTO_RULE = Mm(61)  # as long as "Độc lập - Tự do - Hạnh phúc" at 14 pt bold
TITLE_RULE_SHARE = 0.25
SIGNATURE_SPACE_LINES = 4

# Characters XML 1.0 cannot carry (lxml refuses them): C0 controls other than tab/newline, and
# the non-characters. Pasted text sometimes brings them along.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Child order inside w:pPr, w:tblPr and w:rPr (ECMA-376), for elements python-docx has no API for.
_PPR_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_TBLPR_AFTER_CELLMAR = ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
_TBLPR_AFTER_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", *_TBLPR_AFTER_CELLMAR)
_RPR_AFTER_SZCS = (
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)
_RPR_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")


def _text(value: str) -> str:
    """NFC text Word can store (the database already holds NFC; this is belt and braces)."""
    return _XML_INVALID.sub("", nfc(value or ""))


def _caps(value: str) -> str:
    return nfc(_text(value).upper())


# --- low-level OXML helpers ---------------------------------------------------------------


def _set_fonts(rpr, name: str = FONT) -> None:
    """Name *name* for every script slot, dropping theme fonts (which would win over it)."""
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _child(parent, tag: str, successors: Iterable[str]):
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.insert_element_before(found, *successors)
    return found


def _set_size_cs(rpr, half_points: int) -> None:
    _child(rpr, "w:szCs", _RPR_AFTER_SZCS).set(qn("w:val"), str(half_points))


def _set_lang(rpr) -> None:
    lang = _child(rpr, "w:lang", _RPR_AFTER_LANG)
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")


def _bottom_border(paragraph, *, size_eighths: int = 5) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    border = _child(ppr, "w:pBdr", _PPR_AFTER_PBDR)
    bottom = OxmlElement("w:bottom")
    for attr, value in (
        ("w:val", "single"),
        ("w:sz", str(size_eighths)),
        ("w:space", "1"),
        ("w:color", "000000"),
    ):
        bottom.set(qn(attr), value)
    border.append(bottom)


def _table_layout(table, widths: list[int]) -> None:
    """Fixed column widths, no borders, no left/right cell padding (as the PDF's tables)."""
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tblpr = table._tbl.tblPr
    borders = _child(tblpr, "w:tblBorders", _TBLPR_AFTER_BORDERS)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    margins = _child(tblpr, "w:tblCellMar", _TBLPR_AFTER_CELLMAR)
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    width = tblpr.find(qn("w:tblW"))
    if width is not None:
        width.set(qn("w:type"), "dxa")
        width.set(qn("w:w"), str(int(Emu(sum(widths)).twips)))
    for column, column_width in zip(table.columns, widths, strict=True):
        column.width = column_width
        for cell in column.cells:
            cell.width = column_width
    for row in table.rows:  # a header or signature block is never split across pages
        _child(row._tr.get_or_add_trPr(), "w:cantSplit", ())


def _add_field(paragraph, instruction: str, placeholder: str) -> None:
    """A complex field (``PAGE``), with *placeholder* as its cached result."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run._r.append(begin)
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    run = paragraph.add_run()
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run._r.append(separate)
    paragraph.add_run(placeholder)
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


# --- building blocks ----------------------------------------------------------------------


def _para(
    container,
    text: str = "",
    *,
    size: float | None = None,
    bold: bool = False,
    italic: bool = False,
    align=WD_ALIGN_PARAGRAPH.CENTER,
    space_before: float = 0,
    space_after: float = 0,
):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(space_before)
    fmt.space_after = Pt(space_after)
    if text:
        _run(paragraph, text, size=size, bold=bold, italic=italic)
    elif size is not None:  # an empty line still takes the height of its mark
        ppr = paragraph._p.get_or_add_pPr()
        mark = _child(ppr, "w:rPr", ("w:sectPr", "w:pPrChange"))
        size_element = OxmlElement("w:sz")
        size_element.set(qn("w:val"), str(int(size * 2)))
        mark.append(size_element)
    return paragraph


def _run(
    paragraph,
    text: str,
    *,
    size: float | None = None,
    bold: bool = False,
    italic: bool = False,
    color: RGBColor | None = None,
):
    run = paragraph.add_run(_text(text))
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    if size is not None:
        run.font.size = Pt(size)
        _set_size_cs(run._r.get_or_add_rPr(), int(size * 2))
    if color is not None:
        run.font.color.rgb = color
    return run


def _rule(container, width: int, available: int, *, space_after: float = 6):
    """A short centred rule: the bottom border of an empty paragraph *width* wide."""
    paragraph = container.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    indent = Emu(max((available - width) // 2, 0))
    fmt.left_indent = indent
    fmt.right_indent = indent
    fmt.first_line_indent = Emu(0)
    fmt.space_before = Pt(1)
    fmt.space_after = Pt(space_after)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(1)
    _bottom_border(paragraph)
    return paragraph


def _setup(docx_document, document) -> int:
    """Page, margins, fonts and core properties; returns the text width (EMU)."""
    section = docx_document.sections[0]
    width, height = PAGE_A4
    if document.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    else:
        section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = width, height
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = HEADER_DISTANCE
    section.footer_distance = Mm(10)
    text_width = width - MARGIN_LEFT - MARGIN_RIGHT

    # Document defaults (tables, headers and any style Word adds later start from these) …
    styles_element = docx_document.styles.element
    defaults = styles_element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr)
    rpr.get_or_add_sz().val = Pt(14)
    _set_size_cs(rpr, 28)
    _set_lang(rpr)
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")  # single
    spacing.set(qn("w:lineRule"), "auto")

    # … and the Normal style, which Word shows in its font box.
    normal = docx_document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.font.color.rgb = BLACK
    normal_rpr = normal.element.get_or_add_rPr()
    _set_fonts(normal_rpr)
    _set_size_cs(normal_rpr, 28)
    _set_lang(normal_rpr)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    header_style = docx_document.styles["Header"]
    tabs = header_style.paragraph_format.tab_stops
    tabs.clear_all()
    tabs.add_tab_stop(Emu(text_width // 2), WD_TAB_ALIGNMENT.CENTER)
    tabs.add_tab_stop(Emu(text_width), WD_TAB_ALIGNMENT.RIGHT)

    # The template's preview picture is of python-docx's own sample page, not of this document.
    package_rels = docx_document.part.package.rels
    for r_id, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package_rels.pop(r_id)

    props = docx_document.core_properties
    props.title = _text(document.subject)
    props.subject = _text(document.number_text)
    props.author = _text(" ".join(document.lines("issuer_name")))
    props.last_modified_by = ""
    props.comments = ""
    props.keywords = ""
    props.language = "vi-VN"
    props.revision = 1
    now = dt.datetime.now(dt.UTC)
    props.created = _utc(getattr(document, "created_at", None)) or now
    props.modified = now
    return text_width


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC)


def _page_headers(docx_document, *, draft: bool) -> None:
    """Page number centred from page 2 (a PAGE field); "DỰ THẢO" at the right on every page."""
    section = docx_document.sections[0]
    section.different_first_page_header_footer = True

    later = section.header
    later.is_linked_to_previous = False
    paragraph = later.paragraphs[0]
    paragraph.style = docx_document.styles["Header"]
    _run(paragraph, "\t", size=13)
    _add_field(paragraph, "PAGE", "2")
    for run in paragraph.runs:
        run.font.size = Pt(13)
        _set_size_cs(run._r.get_or_add_rPr(), 26)

    first = section.first_page_header
    first.is_linked_to_previous = False
    first_paragraph = first.paragraphs[0]
    first_paragraph.style = docx_document.styles["Header"]

    if draft:
        _run(paragraph, "\t")
        _run(paragraph, "DỰ THẢO", size=13, bold=True, color=DRAFT_RED)
        _run(first_paragraph, "\t\t")
        _run(first_paragraph, "DỰ THẢO", size=13, bold=True, color=DRAFT_RED)


def _number_line(document) -> str:
    if document.number_text:
        return f"Số: {document.number_text}"
    code = document.doc_type.code
    gap = "\u00a0" * 5  # as the PDF: room to write the number in by hand
    return f"Số: {gap}/{f'{code}-' if code else ''}{document.issuer_symbol}"


def _header(docx_document, document, text_width: int, place_date: str) -> None:
    widths = [int(text_width * share) for share in HEADER_SPLIT]
    table = docx_document.add_table(rows=1, cols=2)
    _table_layout(table, widths)
    left, right = table.rows[0].cells
    for cell in (left, right):  # drop the empty paragraph every new cell starts with
        cell._tc.remove(cell.paragraphs[0]._p)

    if document.parent_body:
        _para(left, _caps(document.parent_body), size=13)
    for line in document.lines("issuer_name"):
        _para(left, _caps(line), size=13, bold=True)
    _rule(left, ISSUER_RULE, widths[0], space_after=6)
    _para(left, _number_line(document), size=13)
    if document.doc_type.is_letter:
        vv = _para(left, f"V/v {document.subject}", size=12, space_before=2)
        vv.paragraph_format.left_indent = Pt(8)
        vv.paragraph_format.right_indent = Pt(8)

    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=13, bold=True)
    _para(right, "Độc lập - Tự do - Hạnh phúc", size=14, bold=True)
    _rule(right, MOTTO_RULE, widths[1], space_after=6)
    _para(right, place_date, size=14, italic=True)


def _title(docx_document, document, text_width: int) -> None:
    if document.doc_type.is_letter:
        return
    kind = _para(docx_document, document.doc_type.title_caps, size=14, bold=True, space_before=14)
    kind.paragraph_format.keep_with_next = True
    subject = _para(docx_document, document.subject, size=14, bold=True)
    subject.paragraph_format.keep_with_next = True
    _rule(docx_document, int(text_width * TITLE_RULE_SHARE), text_width, space_after=6)


def _recipients(docx_document, document, text_width: int) -> None:
    recipients = document.lines("recipients")
    if not recipients:
        return
    if len(recipients) == 1:
        _para(docx_document, f"Kính gửi: {recipients[0]}", space_before=10, space_after=6)
        return
    indent = Emu(int(text_width * 0.20))
    label = _para(docx_document, "Kính gửi:", align=WD_ALIGN_PARAGRAPH.LEFT, space_before=10)
    label.paragraph_format.left_indent = indent
    label.paragraph_format.keep_with_next = True
    for i, recipient in enumerate(recipients):
        last = i == len(recipients) - 1
        line = _para(
            docx_document, recipient, align=WD_ALIGN_PARAGRAPH.LEFT, space_after=6 if last else 0
        )
        line.paragraph_format.left_indent = indent


def _body_paragraph(docx_document, *, space_after: float):
    paragraph = docx_document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = INDENT
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(space_after)
    return paragraph


def _basis(docx_document, document) -> None:
    for line in document.lines("basis"):
        _run(_body_paragraph(docx_document, space_after=3), line, italic=True)


def _body(docx_document, document) -> None:
    for block in parse(document.body or ""):
        paragraph = _body_paragraph(docx_document, space_after=6)
        for run in block.runs:
            _run(paragraph, run.text, bold=run.bold, italic=run.italic)


def _closing(docx_document, document, text_width: int) -> None:
    # Space above the block; also keeps it a separate table should a kind's docx_body end with
    # one (Word merges two tables with nothing between them).
    spacer = _para(docx_document, align=WD_ALIGN_PARAGRAPH.LEFT)
    spacer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    spacer.paragraph_format.line_spacing = Pt(12)
    spacer.paragraph_format.keep_with_next = True

    widths = [int(text_width * share) for share in CLOSING_SPLIT]
    table = docx_document.add_table(rows=1, cols=2)
    _table_layout(table, widths)
    left, right = table.rows[0].cells
    for cell in (left, right):
        cell._tc.remove(cell.paragraphs[0]._p)

    places = document.lines("distribution")
    if places:
        _para(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        for place in places:
            _para(left, place, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    else:
        _para(left, align=WD_ALIGN_PARAGRAPH.LEFT)  # a cell needs one paragraph

    for line in document.lines("signature_heading"):
        _para(right, _caps(line), size=14, bold=True)
    if document.signer_title:
        _para(right, _caps(document.signer_title), size=14, bold=True)
    for _ in range(SIGNATURE_SPACE_LINES):
        _para(right, size=14)
    _para(right, document.signer_name, size=14, bold=True)


def _verification(docx_document, document, url: str) -> None:
    import segno

    paragraph = _para(docx_document, align=WD_ALIGN_PARAGRAPH.LEFT)
    paragraph.paragraph_format.space_before = Mm(10)
    paragraph.paragraph_format.keep_together = True
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=4, border=1)
    qr.seek(0)
    paragraph.add_run().add_picture(qr, width=Mm(22), height=Mm(22))
    _run(paragraph, "  Mã xác minh: ", size=9, color=GREY)
    _run(paragraph, document.verification_code, size=9, bold=True, color=GREY)
    _run(paragraph, f" · Kiểm tra văn bản tại {url}", size=9, color=GREY)


@in_official_language
def build_document_docx(document, *, draft: bool | None = None):
    """The python-docx ``Document`` for *document* (``render_document_docx`` saves it)."""
    # Imported here: documents.documents may itself import this module for its DOCX view.
    from documents.documents import place_date_line, verification_url

    draft = document.is_draft if draft is None else draft
    docx_document = new_docx()
    text_width = _setup(docx_document, document)
    # python-docx's template starts with no paragraph; every block below appends to the body.
    _page_headers(docx_document, draft=draft)
    _header(docx_document, document, text_width, place_date_line(document))
    _title(docx_document, document, text_width)
    _recipients(docx_document, document, text_width)
    _basis(docx_document, document)
    _body(docx_document, document)
    extra = registry.get(document.kind).docx_body
    if extra is not None:
        extra(docx_document, document)
    _closing(docx_document, document, text_width)
    if not draft and document.verification_code:
        _verification(docx_document, document, verification_url(document))
    return docx_document


def render_document_docx(document, *, draft: bool | None = None) -> bytes:
    """The document as DOCX bytes, laid out as its PDF; drafts say "DỰ THẢO" in the page header.

    *draft* defaults to the document's own state; ``draft=True`` marks an issued document as a
    draft copy (no verification line), as ``render_document_pdf`` does.
    """
    buffer = io.BytesIO()
    build_document_docx(document, draft=draft).save(buffer)
    return buffer.getvalue()


def add_table(
    docx_document, headers: list[str], rows: list[list[str]], *, widths_mm: list[int]
) -> None:
    """A bordered table (header row bold, second column left-aligned) for a kind's docx_body."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    table = docx_document.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = docx_document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row_index, values in enumerate([headers, *rows]):
        for column, value in enumerate(values):
            paragraph = table.rows[row_index].cells[column].paragraphs[0]
            paragraph.alignment = (
                WD_ALIGN_PARAGRAPH.LEFT if column == 1 else WD_ALIGN_PARAGRAPH.CENTER
            )
            run = paragraph.add_run(value)
            run.bold = row_index == 0
            run.font.size = Pt(12)
    for column, width in zip(table.columns, widths_mm, strict=True):
        for cell in column.cells:
            cell.width = Mm(width)
