"""The summary table (biểu tổng hợp): ranks, totals, the page, charts, XLSX, the issued report,
publishing, one unit's charts and the audit trail.

Scores of the ``scored`` round (items 1–3 normal under groups I and II, 4 a bonus, 5 a
deduction), with a fourth member so ranks can tie:

============  =======================  ===================  =====  =====  =====
unit          self 1 / 2 / 3           verified             bonus  minus  final
============  =======================  ===================  =====  =====  =====
chair         30 / 20 / 35             1 → 28               10     2      91
vice          30 / 25 / 30             –                    0      0      85
member        35 / 25 / 35             3 → 30               0      5      85
Kon Tum       20 / 20 / 30             –                    0      0      70
============  =======================  ===================  =====  =====  =====
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pdfplumber
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document as read_docx
from openpyxl import load_workbook

from blocs.models import Membership, MemberUnit, Province
from documents.models import Document
from documents.services import document_freeze_pdf
from scoring import selectors, services
from scoring.models import Criterion, Entry, Round, Sheet
from scoring.summary import summary_issue
from tests.factories import BlocYearFactory, MembershipFactory, MemberUnitFactory

D = Decimal


def _score(sheet: Sheet, values: dict[str, tuple[str | None, str | None]]) -> None:
    for code, (self_score, verified) in values.items():
        Entry.objects.filter(sheet=sheet, criterion__code=code).update(
            self_score=None if self_score is None else D(self_score),
            verified_score=None if verified is None else D(verified),
        )


def _add_member(world, scored, *, full_name: str, short_name: str) -> Sheet:
    unit = MemberUnitFactory(full_name=full_name, short_name=short_name)
    MembershipFactory(bloc=world.bloc, unit=unit, from_year=2019)
    sheet = Sheet.objects.create(round=scored.round, unit=unit)
    Entry.objects.bulk_create(
        [Entry(sheet=sheet, criterion=c, max_points=c.max_points) for c in scored.items.values()]
    )
    return sheet


@pytest.fixture
def ranked(world, scored):
    """The table above: four members, ranks 1, 2, 2, 4."""
    kontum = _add_member(
        world, scored, full_name="Ban Quản lý Khu kinh tế tỉnh Kon Tum", short_name="Kon Tum"
    )
    _score(
        scored.sheets["chair"],
        {
            "1": ("30", "28"),
            "2": ("20", None),
            "3": ("35", None),
            "4": ("10", None),
            "5": ("2", None),
        },
    )
    _score(
        scored.sheets["vice"],
        {
            "1": ("30", None),
            "2": ("25", None),
            "3": ("30", None),
            "4": ("0", None),
            "5": ("0", None),
        },
    )
    _score(
        scored.sheets["member"],
        {
            "1": ("35", None),
            "2": ("25", None),
            "3": ("35", "30"),
            "4": ("0", None),
            "5": ("5", None),
        },
    )
    _score(kontum, {"1": ("20", None), "2": ("20", None), "3": ("30", None)})
    scored.sheets["kontum"] = kontum
    return scored


def _url(world, name: str = "summary", **extra) -> str:
    return reverse(name, kwargs={"bloc_pk": world.bloc.pk, "year": world.bloc_year.year, **extra})


def _json(response, element_id: str):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, f"no json_script #{element_id}"
    return json.loads(match.group(1))


def _issue(world, scored) -> Document:
    return summary_issue(
        scoring_round=scored.round,
        by=world.secretariat,
        issued_on=dt.date(2022, 12, 20),
        place="Đắk Lắk",
        signer_name="Phạm Văn Tịch",
        signer_title="Trưởng ban",
        signature_heading="TM. KHỐI THI ĐUA A",
    )


# --- the numbers ----------------------------------------------------------------------------


def test_equal_finals_share_a_rank(ranked):
    table = selectors.summary_table(scoring_round=ranked.round)
    assert [(row.unit.short_name, row.final, row.rank) for row in table.rows] == [
        ("Đắk Lắk", D("91"), 1),
        ("Lâm Đồng", D("85"), 2),
        ("Bình Định", D("85"), 2),
        ("Kon Tum", D("70"), 4),
    ]


def test_final_is_verified_else_self_plus_bonus_minus_deduction(ranked):
    table = selectors.summary_table(scoring_round=ranked.round)
    chair, member = table.rows[0], next(r for r in table.rows if r.unit.short_name == "Bình Định")
    g1, g2 = ranked.groups
    assert (chair.self_total, chair.verified_total, chair.bonus, chair.deduction) == (
        D(85),
        D(83),
        D(10),
        D(2),
    )
    assert chair.final == D(83) + D(10) - D(2)
    assert chair.group_cells([g1, g2]) == [(D(50), D(48)), (D(35), D(35))]
    assert (member.self_total, member.verified_total, member.deduction, member.final) == (
        D(95),
        D(90),
        D(5),
        D(85),
    )


# --- the page -------------------------------------------------------------------------------


def test_the_page_lists_units_in_rank_order_with_sortable_cells(world, ranked, login):
    response = login(world.secretariat).get(_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    positions = [
        html.index(f">{name}</a>") for name in ("Đắk Lắk", "Lâm Đồng", "Bình Định", "Kon Tum")
    ]
    assert positions == sorted(positions)
    # plain numbers for the sorting script, Vietnamese decimals on screen
    assert 'data-sort-key="final" data-sort-value="91.00">91,00</td>' in html
    assert 'data-sort-key="g1v" data-sort-value="48.00">48,00</td>' in html
    assert "data-sortable" in html
    assert "js/sortable-table.js" in html
    assert "<script>" not in html
    assert " style=" not in html
    for name in ("summary_xlsx", "summary_issue", "round_publish", "scoring_audit"):
        assert _url(world, name) in html


def test_the_ranking_chart_data_is_in_json_script(world, ranked, login):
    response = login(world.secretariat).get(_url(world))
    data = _json(response, "du-lieu-xep-hang")
    assert data["labels"] == ["Đắk Lắk", "Lâm Đồng", "Bình Định", "Kon Tum"]
    assert data["values"] == [91.0, 85.0, 85.0, 70.0]
    assert data["links"][0] == _url(world, "unit_chart", unit_pk=world.chair.pk)
    assert "vendor/chartjs/chart.umd.min.js" in response.content.decode()


def test_issue_form_starts_from_the_chair_unit(world, scored, login):
    world.chair.head_name, world.chair.head_title = "Phạm Văn Tịch", "Trưởng ban"
    world.chair.save()
    html = login(world.secretariat).get(_url(world)).content.decode()
    assert f'value="{world.chair.province.name}"' in html
    assert "TM. KHỐI THI ĐUA A" in html
    assert 'value="Phạm Văn Tịch"' in html


def _grow(world, scored, *, units: int, items: int) -> None:
    """Make the round *units* members × *items* items, quickly (bulk_create, no history)."""
    scale, (g1, g2) = scored.scale, scored.groups
    g3 = Criterion.objects.create(
        scale=scale, kind="group", code="III", title="Nhóm thêm", max_points=D(0), position=900
    )
    parents = [g1, g2, g3]
    added = Criterion.objects.bulk_create(
        [
            Criterion(
                scale=scale,
                parent=parents[i % 3],
                kind="normal",
                code=str(100 + i),
                title=f"Tiêu chí thêm {i}",
                max_points=D(5),
                position=1000 + i,
            )
            for i in range(items - len(scored.items))
        ]
    )
    province = Province.objects.create(name="Tỉnh thêm")
    new_units = MemberUnit.objects.bulk_create(
        [
            MemberUnit(
                full_name=f"Ban Quản lý khu kinh tế thêm số {i:02d}",
                short_name=f"Thêm {i:02d}",
                province=province,
            )
            for i in range(units - len(scored.sheets))
        ]
    )
    Membership.objects.bulk_create(
        [Membership(bloc=world.bloc, unit=u, from_year=2019) for u in new_units]
    )
    new_sheets = Sheet.objects.bulk_create([Sheet(round=scored.round, unit=u) for u in new_units])
    everything = [*scored.items.values(), *added]
    entries = [
        Entry(
            sheet=s,
            criterion=c,
            max_points=c.max_points,
            self_score=min(c.max_points, D(4)),
            verified_score=D(3) if n % 4 == 0 else None,
        )
        for n, s in enumerate(new_sheets)
        for c in everything
    ]
    entries += [
        Entry(sheet=s, criterion=c, max_points=c.max_points, self_score=D(2))
        for s in scored.sheets.values()
        for c in added
    ]
    Entry.objects.bulk_create(entries)
    assert Sheet.objects.filter(round=scored.round).count() == units
    assert Entry.objects.filter(sheet__round=scored.round).count() == units * items


def _count_queries(client, url: str) -> int:
    client.get(url)  # warm up: session, content types
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_page_runs_the_same_queries_for_3_members_and_for_30(world, scored, login):
    _score(scored.sheets["chair"], {"1": ("30", "28"), "2": ("20", None)})
    client = login(world.secretariat)
    small = _count_queries(client, _url(world))
    _grow(world, scored, units=30, items=60)
    large = _count_queries(client, _url(world))
    assert small == large
    assert large < 25


# --- who sees it ----------------------------------------------------------------------------


def test_members_see_the_summary_only_once_published(world, scored, login):
    assert login(world.officer).get(_url(world)).status_code == 403
    assert login(world.leader).get(_url(world, "summary_xlsx")).status_code == 403
    assert login(world.outsider).get(_url(world)).status_code == 404

    response = login(world.secretariat).post(_url(world, "round_publish"))
    assert response.status_code == 302
    scored.round.refresh_from_db()
    assert scored.round.status == Round.Status.PUBLISHED

    page = login(world.officer).get(_url(world))
    assert page.status_code == 200
    html = page.content.decode()
    assert _url(world, "summary_xlsx") in html  # everyone allowed exports
    assert _url(world, "summary_issue") not in html
    assert _url(world, "round_publish") not in html
    assert login(world.leader).get(_url(world, "summary_xlsx")).status_code == 200
    assert login(world.officer).post(_url(world, "round_publish")).status_code == 403
    assert login(world.outsider).get(_url(world)).status_code == 404


def test_no_round_yet_is_a_404(world, login):
    assert login(world.secretariat).get(_url(world)).status_code == 404


# --- XLSX -----------------------------------------------------------------------------------


def test_the_xlsx_has_every_unit_and_the_numbers_laid_out_for_printing(world, ranked, login):
    response = login(world.secretariat).get(_url(world, "summary_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "KHỐI THI ĐUA A"
    assert "NĂM 2022" in sheet["A2"].value
    assert sheet["C5"].value.startswith("I. Thực hiện nhiệm vụ chính trị")
    assert (sheet["C6"].value, sheet["D6"].value) == ("Tự chấm", "Thẩm định")
    assert "C5:D5" in {str(r) for r in sheet.merged_cells.ranges}
    rows = {
        sheet.cell(row=r, column=2).value: [sheet.cell(row=r, column=c).value for c in range(1, 13)]
        for r in range(7, 11)
    }
    assert set(rows) == {
        world.chair.full_name,
        world.vice.full_name,
        world.member.full_name,
        "Ban Quản lý Khu kinh tế tỉnh Kon Tum",
    }
    # rank, unit, I self/verified, II self/verified, totals, bonus, minus, final, flags
    assert rows[world.chair.full_name] == [
        1,
        world.chair.full_name,
        D(50),
        D(48),
        D(35),
        D(35),
        D(85),
        D(83),
        D(10),
        D(2),
        D(91),
        1,
    ]
    assert rows[world.member.full_name][10] == D(85)
    assert sheet["K7"].number_format == "0.00"
    assert sheet["K7"].border.left.style == "thin"
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$5:$6"
    assert sheet.freeze_panes == "C7"


# --- the issued report ----------------------------------------------------------------------


def _pdf_cells(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [
            " ".join((cell or "").split())
            for page in document.pages
            for table in page.extract_tables()
            for row in table
            for cell in row
        ]


def test_issuing_numbers_a_report_whose_pdf_names_every_unit(
    world, ranked, login, django_capture_on_commit_callbacks
):
    payload = {
        "issued_on": "2022-12-20",
        "place": "Đắk Lắk",
        "signer_name": "Phạm Văn Tịch",
        "signer_title": "Trưởng ban",
        "signature_heading": "TM. KHỐI THI ĐUA A",
    }
    with django_capture_on_commit_callbacks(execute=True):  # the PDF is rendered after commit
        response = login(world.secretariat).post(_url(world, "summary_issue"), payload)
    document = Document.objects.get(kind="summary_table")
    assert response.status_code == 302
    assert response["Location"] == reverse("document_detail", kwargs={"pk": document.pk})
    assert document.status == Document.Status.ISSUED
    assert document.number_text == "01/BC-KTĐA"
    assert document.bloc == world.bloc
    assert document.landscape
    assert document.subject == "Biểu tổng hợp kết quả chấm điểm thi đua năm 2022"
    assert document.authority == Document.Authority.TM
    assert document.is_pdf_ready
    assert "01/BC-KTĐA" in login(world.secretariat).get(_url(world)).content.decode()
    with document.pdf.open("rb") as handle:
        pdf = handle.read()
    cells = _pdf_cells(pdf)
    for unit in (world.chair, world.vice, world.member):
        assert unit.full_name in cells
    assert "Ban Quản lý Khu kinh tế tỉnh Kon Tum" in cells
    assert "91,00" in cells
    text = _pdf_text(pdf)
    assert "Số: 01/BC-KTĐA" in text
    assert "BÁO CÁO Biểu tổng hợp kết quả chấm điểm thi đua năm 2022" in text
    assert "TM. KHỐI THI ĐUA A" in text
    with pdfplumber.open(io.BytesIO(pdf)) as opened:
        page = opened.pages[0]
        assert page.width > page.height  # A4 landscape


def _pdf_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return " ".join(" ".join((page.extract_text() or "").split()) for page in document.pages)


def test_the_issued_snapshot_ignores_later_score_changes(world, ranked):
    document = _issue(world, ranked)
    before = json.loads(json.dumps(document.extra))
    assert next(row["unit"] for row in before["rows"]) == world.chair.full_name
    assert before["rows"][0]["final"] == "91.00"

    member = ranked.sheets["member"]
    Sheet.objects.filter(pk=member.pk).update(status=Sheet.Status.SUBMITTED)
    item = Entry.objects.get(sheet=member, criterion__code="1")
    services.verification_save(
        sheet=member, by=world.secretariat, values={item.pk: ("30", "Thiếu minh chứng")}
    )
    finals = {r.unit.pk: r.final for r in selectors.summary_table(scoring_round=ranked.round).rows}
    assert finals[world.member.pk] == D(80)

    document.refresh_from_db()
    assert document.extra == before
    with document_freeze_pdf(document_id=document.pk).pdf.open("rb") as handle:
        pdf = handle.read()
    cells = _pdf_cells(pdf)
    assert "91,00" in cells
    assert "80,00" not in cells


def test_the_docx_carries_the_same_table(world, ranked):
    from documents.docx import render_document_docx

    document = _issue(world, ranked)
    docx = read_docx(io.BytesIO(render_document_docx(document)))
    texts = {cell.text for table in docx.tables for row in table.rows for cell in row.cells}
    for unit in (world.chair, world.vice, world.member):
        assert unit.full_name in texts
    assert {"Hạng", "Tự chấm", "Thẩm định", "Điểm cuối cùng", "91,00"} <= texts
    assert "I. Thực hiện nhiệm vụ chính trị (60)" in texts
    assert docx.sections[0].page_width > docx.sections[0].page_height


def test_an_invalid_issue_form_goes_back_with_a_message(world, scored, login):
    response = login(world.secretariat).post(
        _url(world, "summary_issue"), {"issued_on": "2022-12-20"}, follow=True
    )
    assert response.redirect_chain[-1][0] == _url(world)
    assert "Địa danh" in response.content.decode()
    assert not Document.objects.filter(kind="summary_table").exists()


# --- one unit's charts ----------------------------------------------------------------------


def test_unit_chart_compares_groups_with_the_bloc_average(world, ranked, login):
    response = login(world.secretariat).get(_url(world, "unit_chart", unit_pk=world.chair.pk))
    assert response.status_code == 200
    groups = _json(response, "du-lieu-nhom")
    assert groups["unit"] == [48.0, 35.0]
    # averages of the verified-else-self group totals: I (48+55+60+40)/4, II (35+30+30+30)/4
    assert groups["average"] == [50.75, 31.25]
    assert groups["max"] == [60.0, 40.0]
    trend = _json(response, "du-lieu-qua-cac-nam")
    assert trend["labels"] == ["2022"]
    assert trend["values"] == [91.0]


def test_the_trend_shows_other_years_only_once_published(world, ranked, login):
    last_year = BlocYearFactory(bloc=world.bloc, year=2021, chair=world.chair)
    scale = services.scale_create(
        bloc_year=last_year, title="Thang điểm 2021", by=world.secretariat
    )
    group = services.criterion_save(
        scale=scale,
        by=world.secretariat,
        code="I",
        title="Nhiệm vụ",
        kind="group",
        max_points=D(100),
    )
    services.criterion_save(
        scale=scale,
        by=world.secretariat,
        code="1",
        title="Kết quả",
        kind="normal",
        max_points=D(100),
        parent=group,
    )
    earlier = services.round_open(
        bloc_year=last_year,
        scale=scale,
        by=world.secretariat,
        deadline=timezone.now() - dt.timedelta(days=300),
    )
    Entry.objects.filter(sheet__round=earlier, sheet__unit=world.chair).update(self_score=D("77.5"))
    client = login(world.secretariat)
    url = _url(world, "unit_chart", unit_pk=world.chair.pk)

    assert _json(client.get(url), "du-lieu-qua-cac-nam")["labels"] == ["2022"]
    Round.objects.filter(pk=earlier.pk).update(status=Round.Status.PUBLISHED)
    trend = _json(client.get(url), "du-lieu-qua-cac-nam")
    assert trend["labels"] == ["2021", "2022"]
    assert trend["values"] == [77.5, 91.0]


def test_unit_chart_is_404_for_a_unit_outside_the_bloc_that_year(world, scored, login):
    client = login(world.secretariat)
    assert client.get(_url(world, "unit_chart", unit_pk=world.outsider_unit.pk)).status_code == 404
    assert client.get(_url(world, "unit_chart", unit_pk=999999)).status_code == 404


# --- the audit trail ------------------------------------------------------------------------


def _save_self(sheet: Sheet, code: str, value: str, *, by, reason: str = "") -> Sheet:
    sheet.refresh_from_db()
    entry = Entry.objects.get(sheet=sheet, criterion__code=code)
    return services.sheet_save(
        sheet=sheet, version=sheet.version, values={entry.pk: (value, "")}, by=by, reason=reason
    )


def test_the_audit_log_shows_old_and_new_values_and_the_reason(world, scored, login):
    sheet = scored.sheets["member"]
    _save_self(sheet, "1", "30", by=world.officer)
    _save_self(sheet, "1", "32.5", by=world.officer, reason="Bổ sung minh chứng khen thưởng")
    response = login(world.secretariat).get(_url(world, "scoring_audit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tự chấm:</span> 30,00 → 32,50" in html
    assert "Tự chấm:</span> — → 30,00" in html
    assert "Bổ sung minh chứng khen thưởng" in html
    assert "Bình Định · tiêu chí 1" in html
    assert world.officer.full_name in html
    assert html.index("30,00 → 32,50") < html.index("— → 30,00")  # newest first
    assert "Thang điểm v1 · tiêu chí 3" in html  # scale changes belong to the trail too


def test_the_audit_log_is_for_the_secretariat_and_the_ministry(world, scored, login):
    assert login(world.ministry).get(_url(world, "scoring_audit")).status_code == 200
    assert login(world.officer).get(_url(world, "scoring_audit")).status_code == 403
    assert login(world.leader).get(_url(world, "scoring_audit")).status_code == 403
    assert login(world.outsider).get(_url(world, "scoring_audit")).status_code == 404


def test_the_audit_log_pages_in_a_bounded_number_of_queries(world, scored, login):
    sheet = scored.sheets["member"]
    for value in ("1", "2", "3"):
        _save_self(sheet, "1", value, by=world.officer)
    client = login(world.secretariat)
    few = _count_queries(client, _url(world, "scoring_audit"))
    for value in range(4, 34):
        for code in ("1", "3"):
            _save_self(sheet, code, str(value), by=world.officer, reason=f"Lần {value}")
    many = _count_queries(client, _url(world, "scoring_audit"))
    # 15 rows from four tables, then a full page of 50 from one: never a query per row
    assert many <= few < 20
    page_two = client.get(_url(world, "scoring_audit") + "?trang=2")
    assert page_two.status_code == 200
    assert "2 / 2" in page_two.content.decode()
