"""The filtered audit log as an XLSX workbook (openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from audit.sources import Event

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WIDTHS = [20, 28, 16, 16, 70, 50, 40]


def events_to_xlsx(events: Iterable[Event], *, title: str, limit: int) -> bytes:
    """One row per event: time (a real date-time cell, local time), who, kind, bloc or unit,
    description, old → new values, reason. A last row says when *limit* cut the list."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Nhật ký")
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    headers = [
        _("Thời gian"),
        _("Người thực hiện"),
        _("Loại sự kiện"),
        _("Khối / đơn vị"),
        _("Nội dung"),
        _("Giá trị cũ → mới"),
        _("Lý do"),
    ]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    count = 0
    for event in events:
        count += 1
        changes = "\n".join(f"{c.label}: {c.old} → {c.new}" for c in event.changes)
        sheet.append(
            [
                timezone.localtime(event.when).replace(tzinfo=None),
                event.who,
                event.kind_label,
                event.place,
                event.text,
                changes,
                event.reason,
            ]
        )
        sheet.cell(row=sheet.max_row, column=1).number_format = "dd/mm/yyyy hh:mm:ss"
    if count >= limit:
        sheet.append([_("Chỉ xuất %(n)s sự kiện mới nhất; hãy lọc hẹp hơn.") % {"n": limit}])
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=3, min_col=5, max_col=7):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
