"""The scale's XLSX: the export's layout, the round trip, and an import that lists every bad row."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from scoring import services
from scoring.models import Criterion
from scoring.selectors import criteria_tree
from scoring.xlsx import HEADERS, MAX_XLSX_BYTES, scale_rows_from_xlsx, scale_to_xlsx
from tests.scoring.conftest import build_scale

pytestmark = pytest.mark.django_db

FIELDS = ("code", "title", "kind", "max_points", "guidance", "evidence_required")


def _rows_of(scale) -> list[dict]:
    return [
        {f: getattr(c, f) for f in FIELDS}
        for group, items in criteria_tree(scale=scale)
        for c in (group, *items)
    ]


def _xlsx(rows: list[list], *, title_rows: int = 1) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    for _ in range(title_rows):
        sheet.append(["THANG ĐIỂM THI ĐUA NĂM 2022"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def _messages(rows, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        scale_rows_from_xlsx(_xlsx(rows, **kwargs))
    return caught.value.messages


# --- export -------------------------------------------------------------------------------


def test_the_export_uses_the_offices_layout(world):
    scale, _groups, _items = build_scale(world)
    sheet = load_workbook(io.BytesIO(scale_to_xlsx(scale))).active
    assert sheet["A1"].value == "THANG ĐIỂM THI ĐUA NĂM 2022"
    assert sheet["A1"].font.bold
    assert [c.value for c in sheet[3]] == HEADERS
    assert [c.value for c in sheet[4]] == [
        "I",
        "Thực hiện nhiệm vụ chính trị",
        60,
        "Nhóm",
        None,
        None,
    ]
    assert sheet["A4"].font.bold
    assert not sheet["A5"].font.bold
    assert [c.value for c in sheet[6]][:6] == [
        "2",
        "Tiêu chí 2 – Đắk Lắk",
        25,
        "Tiêu chí",
        None,
        "Có",
    ]
    assert [sheet[f"D{r}"].value for r in (9, 10)] == ["Điểm thưởng", "Điểm trừ"]
    assert [sheet["B11"].value, sheet["C11"].value] == ["Tổng điểm chuẩn", 100]
    assert sheet["B11"].font.bold
    assert sheet.column_dimensions["B"].width == 60
    assert sheet["B5"].alignment.wrap_text
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$3:$3"


def test_export_then_import_gives_the_same_scale(world):
    scale, _groups, items = build_scale(world)
    services.criterion_save(
        scale=scale,
        by=world.secretariat,
        criterion=items["1"],
        code="1",
        title="Tiêu chí 1 – có “ngoặc kép”,\nxuống dòng",
        kind="normal",
        max_points=Decimal("2.5"),
        parent=items["1"].parent,
        guidance="Chấm theo báo cáo quý",
    )
    rows = scale_rows_from_xlsx(io.BytesIO(scale_to_xlsx(scale)))
    assert rows == _rows_of(scale)
    copy = services.scale_create(bloc_year=world.bloc_year, title="Nhập lại", by=world.secretariat)
    services.scale_replace_criteria(
        scale=copy, rows=rows, by=world.secretariat, reason="Nhập từ tệp XLSX"
    )
    assert _rows_of(copy) == _rows_of(scale)


# --- import -------------------------------------------------------------------------------


def test_a_sheet_without_the_kind_column_reads_roman_numbers_as_groups(world):
    rows = scale_rows_from_xlsx(
        _xlsx(
            [
                ["STT", "Nội dung", "Điểm chuẩn"],
                ["I.", "Công tác chuyên môn", None],
                [1, "Hoàn thành kế hoạch", 30],
                ["2", "Báo cáo đúng hạn", "2,5"],
                ["II", "Công tác thi đua", 20],
                [3, "Tổ chức phong trào", 20.0],
                [None, "Cộng", 52.5],
            ],
            title_rows=2,
        )
    )
    assert [(r["code"], r["kind"], r["max_points"]) for r in rows] == [
        ("I", "group", Decimal("32.50")),
        ("1", "normal", Decimal("30")),
        ("2", "normal", Decimal("2.5")),
        ("II", "group", Decimal("20")),
        ("3", "normal", Decimal("20")),
    ]


def test_import_lists_every_bad_row(world):
    messages = _messages(
        [
            HEADERS,  # line 2
            ["1", "Tiêu chí trước nhóm", 5, "Tiêu chí"],  # line 3
            ["I", "Nhóm một", 60, "Nhóm"],  # line 4
            ["2", "Điểm là chữ", "abc", "Tiêu chí"],  # line 5
            ["3", None, 10, "Tiêu chí"],  # line 6
            ["4", "Loại lạ", 10, "Tiêu chuẩn"],  # line 7
            ["5", "Điểm âm", -1, "Điểm trừ"],  # line 8
            ["5", "STT trùng", 1, "Tiêu chí"],  # line 9
            ["6", "Minh chứng lạ", 1, "Tiêu chí", "", "có lẽ"],  # line 10
            ["7", "Ba chữ số thập phân", "1.125", "Tiêu chí"],  # line 11
            [None, "Thiếu STT", 1, "Tiêu chí"],  # line 12
            ["8", "Thiếu điểm", None, "Tiêu chí"],  # line 13
        ]
    )
    assert messages == [
        "Dòng 3: tiêu chí nằm trước mọi nhóm (dòng nhóm có STT La Mã I, II…).",
        'Dòng 5: điểm chuẩn "abc" không phải là số.',
        "Dòng 6: thiếu nội dung.",
        'Dòng 7: loại "Tiêu chuẩn" không hợp lệ (nhận: Nhóm, Tiêu chí, Điểm thưởng, Điểm trừ).',
        "Dòng 8: điểm chuẩn không được âm.",
        'Dòng 9: STT "5" trùng với dòng 8.',
        "Dòng 10: cột Yêu cầu minh chứng chỉ nhận “Có” hoặc để trống.",
        "Dòng 11: điểm chuẩn chỉ được có tối đa 2 chữ số thập phân.",
        "Dòng 12: thiếu STT.",
        "Dòng 13: thiếu điểm chuẩn.",
    ]


def test_import_names_a_wrong_header(world):
    messages = _messages([["STT", "Nội dung", "Điểm", "Ghi chú"], ["I", "Nhóm", 10]])
    assert messages == [
        "Dòng 2: cột “Ghi chú” không rõ là cột gì (các cột nhận được: "
        "STT | Nội dung | Điểm chuẩn | Loại | Hướng dẫn chấm | Yêu cầu minh chứng)."
    ]
    assert "thiếu cột “Điểm chuẩn”" in _messages([["STT", "Nội dung"], ["I", "Nhóm"]])[0]
    assert _messages([["Tiêu chí", "Điểm"], ["I", 10]])[0].startswith(
        "Không tìm thấy dòng tiêu đề cột"
    )


def test_import_accepts_headers_typed_without_diacritics(world):
    rows = scale_rows_from_xlsx(
        _xlsx(
            [
                ["stt", "Noi dung", "Diem chuan", "Loai"],
                ["I", "Nhóm", 5, "nhom"],
                ["1", "Mục", 5, "tieu chi"],
            ],
            title_rows=0,
        )
    )
    assert [r["kind"] for r in rows] == [Criterion.Kind.GROUP, Criterion.Kind.NORMAL]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"STT;Noi dung;Diem chuan\nI;Nhom;10\n", "không phải là bảng tính Excel .xlsx"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
            "không phải là bảng tính Excel .xlsx",
        ),  # an old .xls
        (b"%PDF-1.7\n", "không phải là bảng tính Excel .xlsx"),
    ],
)
def test_a_file_that_is_not_an_xlsx_is_refused(world, content, expected):
    with pytest.raises(ValidationError) as caught:
        scale_rows_from_xlsx(io.BytesIO(content))
    assert expected in caught.value.messages[0]


def test_a_zip_that_is_not_a_workbook_is_refused(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    buffer.seek(0)
    with pytest.raises(ValidationError, match="không phải là bảng tính Excel"):
        scale_rows_from_xlsx(buffer)


def test_a_damaged_workbook_is_refused_in_vietnamese(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "không phải XML")
    buffer.seek(0)
    with pytest.raises(ValidationError, match="Không đọc được tệp bảng tính"):
        scale_rows_from_xlsx(buffer)


def test_a_file_over_5_mb_is_refused(world):
    with pytest.raises(ValidationError, match="tối đa 5 MB"):
        scale_rows_from_xlsx(io.BytesIO(b"PK" + b"\0" * MAX_XLSX_BYTES))
