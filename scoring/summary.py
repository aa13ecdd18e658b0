"""The biểu tổng hợp (summary table): as plain data, as an XLSX workbook, as an issued document,
and the audit trail of the scores behind it.

An issued summary keeps a snapshot of the table in ``Document.extra``. Its PDF and DOCX are
built from that snapshot, never from live scores, so a report once numbered and signed reads
the same even if a score is corrected later (a correction is a new, superseding document).
The page, the workbook and the document all read the same snapshot shape, so they agree.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from blocs.models import BlocYear, User
from blocs.selectors import province_on
from documents import registry
from documents.models import Document, DocumentType
from documents.services import document_create_draft, document_issue, header_defaults
from khoi_portal.lib.vietnamese import date_short, nfc
from scoring.models import Criterion, Entry, Evidence, Round, Scale, Sheet
from scoring.selectors import Row, SummaryTable, summary_table

KIND = "summary_table"
DOC_TYPE_CODE = "BC"  # Báo cáo (Decree 30/2020, Appendix III)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CENT = Decimal("0.01")


# --- the table as plain data ----------------------------------------------------------------


def _points(value: Decimal) -> str:
    """ "35.00": a JSON-safe, exact number (Decimal survives the round trip through str)."""
    return str(Decimal(value).quantize(CENT))


def scored_groups(table: SummaryTable) -> list[Criterion]:
    """The groups that hold normal items: a group of only bonus or deduction items (they count
    in their own columns) would be a pair of columns of zeros. One query."""
    with_items = set(
        Criterion.objects.filter(
            scale_id=table.scoring_round.scale_id, kind=Criterion.Kind.NORMAL
        ).values_list("parent_id", flat=True)
    )
    return [g for g in table.groups if g.pk in with_items]


def table_snapshot(table: SummaryTable) -> dict:
    """The table as JSON-ready data: rows in rank order, numbers as "0.00" strings."""
    scoring_round = table.scoring_round
    bloc_year = scoring_round.bloc_year
    groups = scored_groups(table)
    return {
        "round_id": scoring_round.pk,
        "year": bloc_year.year,
        "bloc": bloc_year.bloc.name,
        "status": scoring_round.status,
        "taken_at": timezone.now().isoformat(timespec="seconds"),
        "groups": [
            {"id": g.pk, "code": g.code, "title": g.title, "max": _points(g.max_points)}
            for g in groups
        ],
        "rows": [
            {
                "rank": row.rank,
                "unit_id": row.unit.pk,
                "unit": row.unit.full_name,
                "short_name": row.unit.short_name,
                "groups": [[_points(s), _points(v)] for s, v in row.group_cells(groups)],
                "self_total": _points(row.self_total),
                "verified_total": _points(row.verified_total),
                "bonus": _points(row.bonus),
                "deduction": _points(row.deduction),
                "final": _points(row.final),
                "flagged": row.flagged,
            }
            for row in table.rows
        ],
    }


def vn_points(value: str | Decimal, *, trim: bool = False) -> str:
    """ "1.000,50": Vietnamese digit grouping, fixed whatever language the viewer reads in;
    *trim* drops a ",00" (a maximum reads "60", a score "60,00")."""
    text = f"{Decimal(value):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return text.removesuffix(",00") if trim else text


def ranking_chart(snapshot: dict, *, link: Callable[[int], str]) -> dict:
    """Data for the ranking bar chart (json_script): one bar per unit in rank order, each
    linking to that unit's own charts."""
    rows = snapshot["rows"]
    return {
        "labels": [r["short_name"] for r in rows],
        "values": [float(r["final"]) for r in rows],
        "links": [link(r["unit_id"]) for r in rows],
        "label": _("Điểm cuối cùng"),
    }


def unit_chart(table: SummaryTable, *, row: Row, trend: list[tuple[int, Decimal]]) -> dict:
    """Data for one unit's charts: its group scores against the bloc average, and its years.

    Groups holding only bonus or deduction items are left out.
    """
    groups = scored_groups(table)
    return {
        "groups": {
            "labels": [f"{g.code}. {g.title}" for g in groups],
            "unit": [float(row.groups_final.get(g.pk, 0)) for g in groups],
            "average": [float(table.averages.get(g.pk, Decimal(0)).quantize(CENT)) for g in groups],
            "max": [float(g.max_points) for g in groups],
            "unit_label": row.unit.short_name,
            "average_label": _("Bình quân của khối"),
            "max_label": _("Điểm chuẩn"),
        },
        "trend": {
            "labels": [str(year) for year, _final in trend],
            "values": [float(final) for _year, final in trend],
            "label": _("Điểm cuối cùng"),
        },
        "table": [
            {
                "group": g,
                "unit": row.groups_final.get(g.pk, Decimal(0)),
                "average": table.averages.get(g.pk, Decimal(0)),
            }
            for g in groups
        ],
    }


def issued_summaries(*, scoring_round: Round) -> QuerySet[Document]:
    """Summary documents made from this round, newest first (shown to the secretariat)."""
    return (
        Document.objects.filter(
            bloc_id=scoring_round.bloc_year.bloc_id, kind=KIND, extra__round_id=scoring_round.pk
        )
        .select_related("doc_type")
        .order_by("-created_at")
    )


# --- the XLSX workbook ----------------------------------------------------------------------


# (key, header) of the columns after the group columns, as on the page.
XLSX_TAIL = (
    ("self_total", "Tổng tự chấm"),
    ("verified_total", "Tổng thẩm định"),
    ("bonus", "Điểm thưởng"),
    ("deduction", "Điểm trừ"),
    ("final", "Điểm cuối cùng"),
    ("flagged", "Số mục chênh lệch"),
)


def summary_to_xlsx(table: SummaryTable) -> bytes:
    """The table as an XLSX workbook laid out for printing: A4 landscape, one page wide,
    title rows, merged group headers, borders, "0.00" numbers, repeated header rows, frozen
    panes on the unit names and headers."""
    return snapshot_to_xlsx(table_snapshot(table))


def snapshot_to_xlsx(snapshot: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="D9D9D9")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    groups, tail = snapshot["groups"], XLSX_TAIL
    last_col = 2 + 2 * len(groups) + len(tail)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Tổng hợp {snapshot['year']}"
    for row, (text, size) in enumerate(
        [
            (snapshot["bloc"].upper(), 13),
            (f"BIỂU TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA NĂM {snapshot['year']}", 14),
        ],
        start=1,
    ):
        sheet.cell(row=row, column=1, value=text).font = Font(
            name="Times New Roman", bold=True, size=size
        )
        sheet.cell(row=row, column=1).alignment = centre
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    taken = timezone.localtime(dt.datetime.fromisoformat(snapshot["taken_at"]))
    sheet.cell(
        row=3,
        column=1,
        value=f"(Số liệu tại thời điểm {taken:%H:%M} ngày {date_short(taken.date())})",
    )
    sheet.cell(row=3, column=1).font = Font(name="Times New Roman", italic=True, size=11)
    sheet.cell(row=3, column=1).alignment = centre
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=last_col)

    top, sub = 5, 6  # the two header rows
    singles = [(1, "Hạng"), (2, "Đơn vị")] + [
        (3 + 2 * len(groups) + i, label) for i, (_k, label) in enumerate(tail)
    ]
    for column, label in singles:
        sheet.cell(row=top, column=column, value=label)
        sheet.merge_cells(start_row=top, start_column=column, end_row=sub, end_column=column)
    for i, group in enumerate(groups):
        column = 3 + 2 * i
        sheet.cell(
            row=top,
            column=column,
            value=f"{group['code']}. {group['title']} ({vn_points(group['max'], trim=True)})",
        )
        sheet.merge_cells(start_row=top, start_column=column, end_row=top, end_column=column + 1)
        sheet.cell(row=sub, column=column, value="Tự chấm")
        sheet.cell(row=sub, column=column + 1, value="Thẩm định")
    for row in (top, sub):
        for column in range(1, last_col + 1):
            cell = sheet.cell(row=row, column=column)
            cell.font = Font(name="Times New Roman", bold=True)
            cell.fill, cell.alignment, cell.border = head_fill, centre, border

    for offset, data in enumerate(snapshot["rows"]):
        values = [data["rank"], data["unit"]]
        for self_score, verified in data["groups"]:
            values += [Decimal(self_score), Decimal(verified)]
        values += [Decimal(data[key]) if key != "flagged" else data[key] for key, _label in tail]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=sub + 1 + offset, column=column, value=value)
            cell.border = border
            cell.font = Font(name="Times New Roman", bold=column == last_col - 1)
            if isinstance(value, Decimal):
                cell.number_format = "0.00"
            cell.alignment = Alignment(
                vertical="center",
                wrap_text=column == 2,
                horizontal="center" if column == 1 or column == last_col else None,
            )

    sheet.column_dimensions["A"].width = 7
    sheet.column_dimensions["B"].width = 42
    for column in range(3, last_col + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 11
    sheet.row_dimensions[top].height = 45
    sheet.freeze_panes = sheet.cell(row=sub + 1, column=3)
    sheet.print_title_rows = f"{top}:{sub}"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "Trang &P/&N"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- issuing the summary as a document ------------------------------------------------------


def issue_defaults(*, bloc_year: BlocYear, on: dt.date | None = None) -> dict:
    """The issue form's starting values, from the chair unit: its province as the place,
    "TM. <bloc name>" as the signature heading, its head as the signer."""
    on = on or timezone.localdate()
    chair = bloc_year.chair
    place = province_on(province=chair.province, on=on).name if chair else ""
    return {
        "issued_on": on,
        "place": place,
        "signature_heading": f"TM. {bloc_year.bloc.name.upper()}",
        "signer_name": chair.head_name if chair else "",
        "signer_title": chair.head_title if chair else "",
    }


def _authority(heading: str) -> str:
    """The signing authority of a heading: its last "TM."/"KT."/… line decides
    ("TM. KHỐI THI ĐUA …" then "KT. TRƯỞNG KHỐI" is signed KT.)."""
    prefixes = [value for value in Document.Authority.values if value]
    found = ""
    for line in heading.upper().splitlines():
        found = next((p for p in prefixes if line.strip().startswith(p)), found)
    return found


@transaction.atomic
def summary_issue(
    *,
    scoring_round: Round,
    by: User,
    issued_on: dt.date,
    place: str,
    signer_name: str,
    signer_title: str,
    signature_heading: str,
) -> Document:
    """Issue the summary table as a report (BC) numbered in the bloc's register.

    The table is snapshotted into ``Document.extra`` now: the PDF rendered later from it shows
    the scores as they were at this moment, whatever changes afterwards.
    """
    scoring_round = Round.objects.select_related("scale", "bloc_year__bloc").get(
        pk=scoring_round.pk
    )
    doc_type = DocumentType.objects.filter(code=DOC_TYPE_CODE).first()
    if doc_type is None:
        raise ValidationError(_("Chưa có loại văn bản Báo cáo (BC) trong danh mục loại văn bản."))
    snapshot = table_snapshot(summary_table(scoring_round=scoring_round))
    if not snapshot["rows"]:
        raise ValidationError(_("Biểu tổng hợp chưa có đơn vị nào."))
    bloc_year = scoring_round.bloc_year
    bloc = bloc_year.bloc
    heading = nfc(signature_heading.strip())
    draft = document_create_draft(
        bloc=bloc,
        doc_type=doc_type,
        created_by=by,
        kind=KIND,
        subject=f"Biểu tổng hợp kết quả chấm điểm thi đua năm {bloc_year.year}",
        place=nfc(place.strip()),
        landscape=True,
        extra=snapshot,
        body=(
            "Căn cứ kết quả tự chấm điểm và kết quả thẩm định của các đơn vị thành viên, "
            f"{bloc.name} tổng hợp kết quả chấm điểm thi đua năm {bloc_year.year} như sau:"
        ),
        distribution=f"- Các đơn vị thành viên {bloc.kind_word};\n- Lưu: VT.",
        authority=_authority(heading),
        # the supervising ministry of the issue date, not today's (NQ 176/2025)
        **header_defaults(bloc=bloc, on=issued_on),
    )
    return document_issue(
        document=draft,
        issued_on=issued_on,
        issued_by=by,
        signer_name=nfc(signer_name.strip()),
        signer_title=nfc(signer_title.strip()),
        signature_heading=heading,
    )


def _document_table(snapshot: dict) -> dict:
    """The snapshot with numbers written the Vietnamese way, for the PDF and the DOCX."""
    rows = [
        {
            "rank": r["rank"],
            "unit": r["unit"],
            "groups": [(vn_points(s), vn_points(v)) for s, v in r["groups"]],
            **{
                key: vn_points(r[key])
                for key in ("self_total", "verified_total", "bonus", "deduction", "final")
            },
        }
        for r in snapshot.get("rows", [])
    ]
    groups = [
        {"code": g["code"], "title": g["title"], "max": vn_points(g["max"], trim=True)}
        for g in snapshot.get("groups", [])
    ]
    taken = dt.datetime.fromisoformat(snapshot["taken_at"]) if snapshot.get("taken_at") else None
    return {"groups": groups, "rows": rows, "taken_at": taken}


DOCUMENT_TAIL = ("Tổng tự chấm", "Tổng thẩm định", "Điểm thưởng", "Điểm trừ", "Điểm cuối cùng")
NOTE = (
    "Điểm cuối cùng = tổng điểm thẩm định (tiêu chí chưa thẩm định lấy điểm tự chấm) + điểm thưởng "
    "− điểm trừ; các đơn vị bằng điểm nhau xếp đồng hạng."
)


def _pdf_context(document: Document) -> dict:
    return {
        "summary": _document_table(document.extra or {}),
        "summary_tail": DOCUMENT_TAIL,
        "summary_note": NOTE,
    }


def _docx_body(docx_document, document: Document) -> None:
    """The same table in Word: two header rows (merged group headers) repeated on every page."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    data = _document_table(document.extra or {})
    groups, rows = data["groups"], data["rows"]
    columns = 2 + 2 * len(groups) + len(DOCUMENT_TAIL)
    table = docx_document.add_table(rows=2 + len(rows), cols=columns)
    table.style = docx_document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def put(cell, text, *, bold=False, align=WD_ALIGN_PARAGRAPH.CENTER):
        paragraph = cell.paragraphs[0]
        paragraph.alignment = align
        run = paragraph.add_run(str(text))
        run.bold = bold
        run.font.size = Pt(10)

    head, sub = table.rows[0].cells, table.rows[1].cells
    singles = [(0, "Hạng"), (1, "Đơn vị")] + [
        (2 + 2 * len(groups) + i, t) for i, t in enumerate(DOCUMENT_TAIL)
    ]
    for index, label in singles:
        put(head[index], label, bold=True)
        head[index].merge(sub[index])
    for i, group in enumerate(groups):
        put(head[2 + 2 * i], f"{group['code']}. {group['title']} ({group['max']})", bold=True)
        head[2 + 2 * i].merge(head[3 + 2 * i])
        put(sub[2 + 2 * i], "Tự chấm", bold=True)
        put(sub[3 + 2 * i], "Thẩm định", bold=True)
    for header_row in table.rows[:2]:
        marker = OxmlElement("w:tblHeader")
        marker.set(qn("w:val"), "true")
        header_row._tr.get_or_add_trPr().append(marker)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    for data_row, row in zip(table.rows[2:], rows, strict=True):
        cells = data_row.cells
        put(cells[0], row["rank"])
        put(cells[1], row["unit"], align=WD_ALIGN_PARAGRAPH.LEFT)
        for i, (self_score, verified) in enumerate(row["groups"]):
            put(cells[2 + 2 * i], self_score, align=right)
            put(cells[3 + 2 * i], verified, align=right)
        for i, key in enumerate(("self_total", "verified_total", "bonus", "deduction", "final")):
            put(cells[2 + 2 * len(groups) + i], row[key], align=right, bold=key == "final")
    widths = [Mm(12), Mm(62)] + [Mm(178 / (columns - 2))] * (columns - 2)
    for column, width in zip(table.columns, widths, strict=True):
        for cell in column.cells:
            cell.width = width
    note = docx_document.add_paragraph()
    run = note.add_run(NOTE)
    run.italic = True
    run.font.size = Pt(11)


registry.register(
    registry.Kind(
        KIND,
        "Biểu tổng hợp kết quả chấm điểm",
        template="scoring/pdf/summary_table.html",
        context=_pdf_context,
        docx_body=_docx_body,
    )
)


# --- the audit trail ------------------------------------------------------------------------


@dataclass(frozen=True)
class Audited:
    """One history table in the trail: which fields to show and how to name the object."""

    source: str
    model: type
    fields: tuple[str, ...]
    related: tuple[str, ...]


AUDITED = {
    a.source: a
    for a in (
        Audited(
            "entry",
            Entry,
            (
                "self_score",
                "explanation",
                "verified_score",
                "verifier_comment",
                "unit_reply",
                "max_points",
            ),
            ("sheet__unit", "criterion"),
        ),
        Audited("sheet", Sheet, ("status", "is_late", "reopen_reason"), ("unit",)),
        Audited(
            "criterion",
            Criterion,
            ("code", "title", "kind", "max_points", "guidance", "evidence_required"),
            ("scale",),
        ),
        Audited("scale", Scale, ("title", "status", "change_note"), ()),
        Audited(
            "evidence", Evidence, ("original_name",), ("entry__sheet__unit", "entry__criterion")
        ),
    )
}
ACTIONS = {"+": gettext_lazy("Tạo"), "~": gettext_lazy("Sửa"), "-": gettext_lazy("Xóa")}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class AuditRow:
    when: dt.datetime
    who: str
    what: str
    action: str
    changes: list[Change]
    reason: str


def audit_keys(*, bloc_year: BlocYear, scoring_round: Round | None) -> QuerySet:
    """(history_id, history_date, source) of every change to this year's scales, sheets,
    scores and evidence, newest first: one UNION query, so it pages in the database."""
    history = {source: audited.model.history.model for source, audited in AUDITED.items()}
    scales = history["scale"].objects.filter(bloc_year_id=bloc_year.pk)
    filters = {
        "scale": scales,
        "criterion": history["criterion"].objects.filter(scale_id__in=scales.values("id")),
    }
    if scoring_round is not None:
        sheets = history["sheet"].objects.filter(round_id=scoring_round.pk)
        entries = history["entry"].objects.filter(sheet_id__in=sheets.values("id"))
        # Entries made by bulk_create have no history rows until first saved: ask both tables.
        live_entries = Entry.objects.filter(sheet__round=scoring_round).values("pk")
        filters |= {
            "sheet": sheets,
            "entry": entries,
            "evidence": history["evidence"].objects.filter(
                Q(entry_id__in=entries.values("id")) | Q(entry_id__in=live_entries)
            ),
        }
    parts = [
        qs.annotate(source=Value(source, output_field=CharField()))
        .values_list("history_id", "history_date", "source")
        .order_by()
        for source, qs in filters.items()
    ]
    return parts[0].union(*parts[1:], all=True).order_by("-history_date", "-history_id")


def _shown(record, name: str, value) -> str:
    if value is None or value == "":
        return "—"
    field = record._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, Decimal):
        return number_format(value, decimal_pos=2)
    text = str(value)
    return text if len(text) <= 160 else text[:159] + "…"


def _label(record, name: str) -> str:
    verbose = str(record._meta.get_field(name).verbose_name)
    return verbose[:1].upper() + verbose[1:]


def _changes(record, previous, audited: Audited) -> list[Change]:
    if record.history_type == "~" and previous is not None:
        delta = record.diff_against(previous, included_fields=audited.fields)
        by_field = {c.field: c for c in delta.changes}
        return [
            Change(
                _label(record, f),
                _shown(record, f, by_field[f].old),
                _shown(record, f, by_field[f].new),
            )
            for f in audited.fields
            if f in by_field
        ]
    # A creation, a deletion, or the first saved change of a row made by bulk_create (which
    # started empty): show every field that holds something.
    filled = [f for f in audited.fields if getattr(record, f) not in (None, "", False)]
    if record.history_type == "-":
        return [
            Change(_label(record, f), _shown(record, f, getattr(record, f)), "—") for f in filled
        ]
    return [Change(_label(record, f), "—", _shown(record, f, getattr(record, f))) for f in filled]


def _what(source: str, record) -> str:
    """The unit and item STT (or the scale) a history row is about; "?" for a deleted one."""
    if source == "entry":
        unit = record.sheet.unit.short_name if record.sheet else "?"
        code = record.criterion.code if record.criterion else "?"
        return _("%(unit)s · tiêu chí %(code)s") % {"unit": unit, "code": code}
    if source == "sheet":
        return _("%(unit)s · phiếu chấm điểm") % {
            "unit": record.unit.short_name if record.unit else "?"
        }
    if source == "criterion":
        version = record.scale.version if record.scale else "?"
        return _("Thang điểm v%(v)s · tiêu chí %(code)s") % {"v": version, "code": record.code}
    if source == "scale":
        return _("Thang điểm v%(v)s") % {"v": record.version}
    entry = record.entry
    if entry is None:
        return _("Minh chứng %(name)s") % {"name": record.original_name}
    unit, code = entry.sheet.unit.short_name, entry.criterion.code
    return _("%(unit)s · tiêu chí %(code)s · minh chứng") % {"unit": unit, "code": code}


def audit_rows(keys) -> list[AuditRow]:
    """The page's history rows with who, what, old → new and why: two queries per table on the
    page (the rows with their objects, then the rows just before them), whatever the page size."""
    keys = list(keys)
    records = {}
    for source, audited in AUDITED.items():
        ids = [history_id for history_id, _when, s in keys if s == source]
        if not ids:
            continue
        history = audited.model.history.model
        # The previous version of the same object: within one table history ids only grow.
        previous_id = (
            history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
            .order_by("-history_id")
            .values("history_id")[:1]
        )
        rows = list(
            history.objects.filter(history_id__in=ids)
            .select_related("history_user", *audited.related)
            .annotate(previous_id=Subquery(previous_id))
        )
        previous = history.objects.in_bulk(
            [r.previous_id for r in rows if r.previous_id], field_name="history_id"
        )
        for record in rows:
            records[(source, record.history_id)] = (record, previous.get(record.previous_id))
    result = []
    for history_id, _when, source in keys:
        if (source, history_id) not in records:  # gone since the page was counted
            continue
        record, previous = records[(source, history_id)]
        user = record.history_user
        result.append(
            AuditRow(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else _("Hệ thống"),
                what=_what(source, record),
                action=ACTIONS.get(record.history_type, record.history_type),
                changes=_changes(record, previous, AUDITED[source]),
                reason=record.history_change_reason or "",
            )
        )
    return result
