"""The scoring scale as an XLSX workbook, in the layout the offices already use, and back.

``scale_to_xlsx`` writes what ``scale_rows_from_xlsx`` reads: the round trip is lossless for
STT, content, maximum, kind, guidance and the evidence flag. The reader also takes the
offices' own sheets, which have no "Loại" column: there a roman STT (I, II, …) is a group and
every other row a normal item. It never stops at the first bad row: the ValidationError it
raises lists every one, so the secretariat fixes the file once.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from khoi_portal import uploads
from khoi_portal.lib.vietnamese import nfc
from scoring.models import Criterion, Scale
from scoring.selectors import criteria_tree, scale_totals

MAX_XLSX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADERS = ["STT", "Nội dung", "Điểm chuẩn", "Loại", "Hướng dẫn chấm", "Yêu cầu minh chứng"]
WIDTHS = [8, 60, 12, 14, 48, 14]
KIND_LABELS = {
    Criterion.Kind.GROUP: "Nhóm",
    Criterion.Kind.NORMAL: "Tiêu chí",
    Criterion.Kind.BONUS: "Điểm thưởng",
    Criterion.Kind.DEDUCTION: "Điểm trừ",
}
YES = "Có"

# Header spellings accepted, compared without diacritics or case ("Diem chuan" = "Điểm chuẩn").
_COLUMNS = {
    "code": ("stt", "tt", "so tt", "so thu tu"),
    "title": ("noi dung", "noi dung tieu chi", "tieu chi", "ten tieu chi"),
    "max_points": ("diem chuan", "diem toi da", "thang diem", "diem"),
    "kind": ("loai", "loai tieu chi"),
    "guidance": ("huong dan cham", "huong dan", "cach cham"),
    "evidence_required": ("yeu cau minh chung", "minh chung", "can minh chung"),
}
_REQUIRED = ("code", "title", "max_points")
_KINDS = {
    "nhom": Criterion.Kind.GROUP,
    "nhom tieu chi": Criterion.Kind.GROUP,
    "group": Criterion.Kind.GROUP,
    "tieu chi": Criterion.Kind.NORMAL,
    "normal": Criterion.Kind.NORMAL,
    "diem": Criterion.Kind.NORMAL,
    "diem thuong": Criterion.Kind.BONUS,
    "thuong": Criterion.Kind.BONUS,
    "cong": Criterion.Kind.BONUS,
    "diem cong": Criterion.Kind.BONUS,
    "bonus": Criterion.Kind.BONUS,
    "diem tru": Criterion.Kind.DEDUCTION,
    "tru": Criterion.Kind.DEDUCTION,
    "deduction": Criterion.Kind.DEDUCTION,
}
_TRUE = {"co", "x", "yes", "y", "1", "true", "bat buoc", "can"}
_FALSE = {"", "khong", "no", "n", "0", "false", "-"}
_ROMAN = re.compile(r"^(?=[IVXLCDM]+$)M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_HEADER_SCAN = 15  # the header row is looked for among the first rows (title rows come first)


# --- export -------------------------------------------------------------------------------


_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_CENTER_TOP = Alignment(horizontal="center", vertical="top", wrap_text=True)


def _number(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral_value() else value.normalize()


def scale_to_xlsx(scale: Scale) -> bytes:
    """The scale as an XLSX workbook: title, header row, groups in bold with their items, totals,
    column widths, wrapped text and an A4 landscape print setup that repeats the header row."""
    bloc_year = scale.bloc_year
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Thang điểm"
    last_col = get_column_letter(len(HEADERS))

    sheet.append([scale.title.upper()])
    sheet.merge_cells(f"A1:{last_col}1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    status = _("đã khóa") if scale.is_locked else _("đang soạn")
    sheet.append(
        [f"{bloc_year.bloc.name} – năm {bloc_year.year} – phiên bản {scale.version} ({status})"]
    )
    sheet.merge_cells(f"A2:{last_col}2")
    sheet["A2"].font = Font(italic=True)
    sheet["A2"].alignment = Alignment(horizontal="center")

    sheet.append(HEADERS)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    for group, items in criteria_tree(scale=scale):
        for criterion in (group, *items):
            sheet.append(
                [
                    criterion.code,
                    criterion.title,
                    _number(criterion.max_points),
                    KIND_LABELS[criterion.kind],
                    criterion.guidance,
                    YES if criterion.evidence_required else "",
                ]
            )
            row = sheet[sheet.max_row]
            for cell in row:
                cell.border, cell.alignment = _BORDER, _WRAP_TOP
                if criterion.is_group:
                    cell.font, cell.fill = Font(bold=True), _GROUP_FILL
            row[0].number_format = "@"  # "1.1" must stay text, not become a number
            row[0].alignment = row[3].alignment = row[5].alignment = _CENTER_TOP

    totals = scale_totals(scale=scale)
    total_rows = [("Tổng điểm chuẩn", totals["normal"])]
    if totals["bonus"]:
        total_rows.append(("Tổng điểm thưởng tối đa", totals["bonus"]))
    if totals["deduction"]:
        total_rows.append(("Tổng điểm trừ tối đa", totals["deduction"]))
    for label, value in total_rows:
        sheet.append(["", label, _number(value), "", "", ""])
        for cell in sheet[sheet.max_row]:
            cell.font, cell.border, cell.alignment = Font(bold=True), _BORDER, _WRAP_TOP

    kinds = DataValidation(
        type="list", formula1='"' + ",".join(KIND_LABELS.values()) + '"', allow_blank=True
    )
    kinds.error = _("Chọn một trong: Nhóm, Tiêu chí, Điểm thưởng, Điểm trừ.")
    sheet.add_data_validation(kinds)
    kinds.add(f"D{header_row + 1}:D{header_row + 500}")

    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    workbook.properties.creator = "Khối Portal"
    workbook.properties.title = scale.title

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- import -------------------------------------------------------------------------------


def _plain(value) -> str:
    """Lower-case, without diacritics, single spaces: for comparing headers and kinds."""
    text = (
        unicodedata.normalize("NFD", str(value if value is not None else ""))
        .replace("đ", "d")
        .replace("Đ", "D")
    )
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.lower().replace(":", " ").split())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value).strip())


def _code(value) -> str:
    return _text(value).rstrip(".").strip()


def check_xlsx_upload(upload) -> bytes:
    """The upload's bytes if it really is an XLSX workbook of at most 5 MB, else a ValidationError.

    Judged by content: a zip holding [Content_Types].xml (an .xls, a .csv or a renamed PDF
    fails here whatever its name), of sane unpacked size.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_XLSX_BYTES:
        raise ValidationError(_("Tệp quá lớn: tối đa 5 MB."), code="too_large")
    data = upload.read(MAX_XLSX_BYTES + 1)
    if len(data) > MAX_XLSX_BYTES:
        raise ValidationError(_("Tệp quá lớn: tối đa 5 MB."), code="too_large")
    not_xlsx = ValidationError(
        _(
            "Tệp không phải là bảng tính Excel .xlsx. Nếu là tệp .xls cũ hoặc .csv, "
            "hãy mở bằng Excel và chọn Lưu thành “Excel Workbook (.xlsx)”."
        ),
        code="not_xlsx",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise not_xlsx from None
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise not_xlsx
    # Entry count, unpacked size, compression ratio: refused before openpyxl inflates anything.
    uploads.check_office_archive(
        data, name=uploads.safe_filename(getattr(upload, "name", "")), rule=uploads.SCALE_XLSX
    )
    return data


def _legacy_encoding_error(rows: list[tuple]) -> ValidationError | None:
    """Text typed in TCVN3 or VNI fonts (.VnTime, VNI-Times) comes out of openpyxl as Latin-1
    gibberish: refuse the file, naming the rows, rather than import unreadable criteria."""
    texts = [" ".join(v for v in row if isinstance(v, str)) for row in rows]
    error = uploads.legacy_text_error("\n".join(texts))
    if error is None:
        return None
    lines = [str(n) for n, text in enumerate(texts, start=1) if uploads.legacy_text_error(text)]
    if lines:
        shown = ", ".join(lines[:10]) + ("…" if len(lines) > 10 else "")
        error = ValidationError(
            _("Các dòng %(lines)s: %(why)s") % {"lines": shown, "why": error.messages[0]},
            code="legacy_encoding",
        )
    return error


def _open_first_sheet(data: bytes) -> list[tuple]:
    try:
        # openpyxl warns about features it does not read (extensions, default styles): harmless
        # for us, but the test suite turns warnings into errors.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                rows = []
                for row in sheet.iter_rows(values_only=True):
                    rows.append(row)
                    if len(rows) > MAX_ROWS + _HEADER_SCAN:
                        raise ValidationError(
                            _("Tệp có quá nhiều dòng (tối đa %(n)s tiêu chí).") % {"n": MAX_ROWS}
                        )
            finally:
                workbook.close()
    except ValidationError:
        raise
    except Exception:  # openpyxl raises many types (KeyError, XML errors…) for a damaged file
        raise ValidationError(
            _("Không đọc được tệp bảng tính: tệp bị hỏng hoặc không đúng định dạng .xlsx."),
            code="unreadable",
        ) from None
    return rows


def _find_header(rows: list[tuple]) -> tuple[int, dict[str, int], list[str]] | None:
    """(index, field → column, unrecognised headers) of the first row that starts with "STT"."""
    for index, row in enumerate(rows[:_HEADER_SCAN]):
        cells = [_plain(value) for value in row]
        first = next((name for name in cells if name), "")
        if first not in _COLUMNS["code"]:
            continue
        columns: dict[str, int] = {}
        unknown: list[str] = []
        for position, name in enumerate(cells):
            field = next((f for f, names in _COLUMNS.items() if name in names), None)
            if not name:
                continue
            if field is None or field in columns:
                unknown.append(_text(row[position]))
            else:
                columns[field] = position
        return index, columns, unknown
    return None


def _points(raw, line: int, errors: list[str]) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raw = str(raw)
    try:
        if isinstance(raw, float):
            value = Decimal(repr(raw))
            rounded = value.quantize(Decimal("0.01"))
            if abs(value - rounded) < Decimal("0.000001"):  # 0.1 + 0.2 from an Excel formula
                value = rounded
        elif isinstance(raw, int | Decimal):
            value = Decimal(raw)
        else:
            value = Decimal(str(raw).strip().replace(" ", "").replace(",", "."))
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.append(
            _('Dòng %(n)s: điểm chuẩn "%(raw)s" không phải là số.') % {"n": line, "raw": raw}
        )
        return None
    if value < 0:
        errors.append(_("Dòng %(n)s: điểm chuẩn không được âm.") % {"n": line})
    elif value != value.quantize(Decimal("0.01")):
        errors.append(
            _("Dòng %(n)s: điểm chuẩn chỉ được có tối đa 2 chữ số thập phân.") % {"n": line}
        )
    elif value >= Decimal("100000"):
        errors.append(_("Dòng %(n)s: điểm chuẩn quá lớn.") % {"n": line})
    else:
        return value.quantize(Decimal("0.01"))
    return None


def _is_total_row(code: str, title: str) -> bool:
    """The export's "Tổng điểm chuẩn" rows, and the offices' "Cộng" / "Tổng cộng" rows."""
    plain = _plain(title)
    return not code and (
        plain in {"cong", "tong", "tong so"} or plain.startswith(("tong diem", "tong cong"))
    )


def scale_rows_from_xlsx(fileobj) -> list[dict]:
    """The criteria of an uploaded XLSX, in order, ready for ``services.scale_replace_criteria``.

    Raises one ValidationError listing every problem ("Dòng 7: …"), or the reason the file is
    not a readable XLSX. Rows above the header, blank rows and the total rows are skipped.
    """
    rows = _open_first_sheet(check_xlsx_upload(fileobj))
    legacy = _legacy_encoding_error(rows)
    if legacy is not None:
        raise legacy
    found = _find_header(rows)
    expected = " | ".join(HEADERS)
    if found is None:
        raise ValidationError(
            _(
                "Không tìm thấy dòng tiêu đề cột. Dòng tiêu đề cần có: %(h)s "
                "(cột Loại, Hướng dẫn chấm, Yêu cầu minh chứng có thể bỏ)."
            )
            % {"h": expected},
            code="header",
        )
    header_index, columns, unknown = found
    header_line = header_index + 1
    errors = [
        _("Dòng %(n)s: thiếu cột “%(c)s” ở dòng tiêu đề (cần có: %(h)s).")
        % {"n": header_line, "c": HEADERS[list(_COLUMNS).index(field)], "h": expected}
        for field in _REQUIRED
        if field not in columns
    ]
    errors += [
        _("Dòng %(n)s: cột “%(c)s” không rõ là cột gì (các cột nhận được: %(h)s).")
        % {"n": header_line, "c": name, "h": expected}
        for name in unknown
    ]
    if errors:
        raise ValidationError(errors, code="header")

    def cell(row: tuple, field: str):
        position = columns.get(field)
        return row[position] if position is not None and position < len(row) else None

    result: list[dict] = []
    seen: dict[str, int] = {}
    has_group = False
    for line, row in enumerate(rows[header_index + 1 :], start=header_line + 1):
        code, title = _code(cell(row, "code")), _text(cell(row, "title"))
        raw_kind, raw_points = _text(cell(row, "kind")), cell(row, "max_points")
        guidance, raw_evidence = (
            _text(cell(row, "guidance")),
            _plain(cell(row, "evidence_required")),
        )
        if not any([code, title, raw_kind, guidance, raw_evidence]) and raw_points in (None, ""):
            continue
        if _is_total_row(code, title):
            continue
        before = len(errors)
        if raw_kind:
            kind = _KINDS.get(_plain(raw_kind))
            if kind is None:
                errors.append(
                    _('Dòng %(n)s: loại "%(raw)s" không hợp lệ (nhận: %(k)s).')
                    % {"n": line, "raw": raw_kind, "k": ", ".join(KIND_LABELS.values())}
                )
        else:
            kind = Criterion.Kind.GROUP if _ROMAN.match(code) else Criterion.Kind.NORMAL
        if not code:
            errors.append(_("Dòng %(n)s: thiếu STT.") % {"n": line})
        elif len(code) > 12:
            errors.append(
                _('Dòng %(n)s: STT "%(c)s" quá dài (tối đa 12 ký tự).') % {"n": line, "c": code}
            )
        elif code in seen:
            errors.append(
                _('Dòng %(n)s: STT "%(c)s" trùng với dòng %(m)s.')
                % {"n": line, "c": code, "m": seen[code]}
            )
        else:
            seen[code] = line
        if not title:
            errors.append(_("Dòng %(n)s: thiếu nội dung.") % {"n": line})
        points = _points(raw_points, line, errors)
        if points is None and raw_points in (None, "") and kind != Criterion.Kind.GROUP:
            errors.append(_("Dòng %(n)s: thiếu điểm chuẩn.") % {"n": line})
        if raw_evidence in _TRUE:
            evidence = True
        elif raw_evidence in _FALSE:
            evidence = False
        else:
            evidence = False
            errors.append(
                _("Dòng %(n)s: cột Yêu cầu minh chứng chỉ nhận “Có” hoặc để trống.") % {"n": line}
            )
        if kind == Criterion.Kind.GROUP:
            has_group = True
        elif kind is not None and not has_group:
            errors.append(
                _("Dòng %(n)s: tiêu chí nằm trước mọi nhóm (dòng nhóm có STT La Mã I, II…).")
                % {"n": line}
            )
        if len(errors) == before:
            result.append(
                {
                    "code": code,
                    "title": title,
                    "kind": kind,
                    "max_points": points,
                    "guidance": guidance,
                    "evidence_required": evidence,
                }
            )
    if not errors and not any(r["kind"] != Criterion.Kind.GROUP for r in result):
        errors.append(_("Tệp không có tiêu chí nào dưới dòng tiêu đề."))
    if errors:
        raise ValidationError(errors, code="rows")
    _fill_group_totals(result)
    return result


def _fill_group_totals(rows: list[dict]) -> None:
    """A group row left blank (or holding a formula Excel never computed) gets its items' sum."""
    open_group = None
    for row in rows:
        if row["kind"] == Criterion.Kind.GROUP:
            open_group = row if row["max_points"] is None else None
            if open_group is not None:
                open_group["max_points"] = Decimal("0.00")
        elif row["kind"] == Criterion.Kind.NORMAL and open_group is not None:
            open_group["max_points"] += row["max_points"]
