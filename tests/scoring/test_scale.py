"""The scale pages: read, edit, copy, import, version, apply, open the round."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from scoring import services
from scoring.models import Criterion, Entry, Round, Scale, Sheet
from scoring.xlsx import HEADERS, XLSX_CONTENT_TYPE, scale_to_xlsx
from tests.factories import BlocYearFactory
from tests.scoring.conftest import build_scale

pytestmark = pytest.mark.django_db


def _url(world, name, **extra):
    return reverse(name, kwargs={"bloc_pk": world.bloc.pk, "year": world.bloc_year.year, **extra})


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _codes(scale) -> list[tuple[str, str, Decimal]]:
    return list(
        Criterion.objects.filter(scale=scale)
        .order_by("position")
        .values_list("code", "kind", "max_points")
    )


def _upload(rows: list[list], name="thang-diem.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    workbook.active.append(["THANG ĐIỂM THI ĐUA NĂM 2022"])
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)


# --- reading ------------------------------------------------------------------------------


def test_members_read_the_scale_tree_and_its_total(world, login):
    build_scale(world)
    response = login(world.officer).get(_url(world, "scale_detail"))
    page = _page(response)
    assert response.status_code == 200
    assert "Tổng điểm chuẩn: 100" in page
    assert "Điểm thưởng tối đa: +10" in page
    assert "Điểm trừ tối đa: −5" in page
    assert "Thực hiện nhiệm vụ chính trị" in page
    assert "Tiêu chí 5 – Đắk Lắk" in page
    assert "Đang soạn" in page
    assert "Xuất XLSX" in page
    assert "Thêm tiêu chí" not in page
    assert "Mở chấm điểm" not in page


def test_the_secretariat_gets_the_editing_buttons(world, login):
    build_scale(world)
    page = _page(login(world.secretariat).get(_url(world, "scale_detail")))
    for button in ("Thêm nhóm", "Thêm tiêu chí", "Nhập từ XLSX", "Xuất XLSX", "Mở chấm điểm"):
        assert button in page
    assert "Tạo phiên bản mới" not in page  # only once locked


def test_a_locked_scale_shows_its_lock_and_offers_a_new_version(scored, world, login):
    page = _page(login(world.secretariat).get(_url(world, "scale_detail")))
    assert "Đã khóa" in page
    assert "Tạo phiên bản mới" in page
    assert "Đang áp dụng" in page
    assert "Thêm tiêu chí" not in page
    assert "Mở chấm điểm" not in page


def test_an_empty_year_offers_to_create_or_copy_last_years_scale(world, login):
    last_year = BlocYearFactory(bloc=world.bloc, year=2021, chair=world.chair)
    build_scale(dataclasses.replace(world, bloc_year=last_year))
    page = _page(login(world.secretariat).get(_url(world, "scale_detail")))
    assert "chưa có thang điểm" in page
    assert "Tạo thang điểm" in page
    assert "Sao chép thang điểm năm 2021" in page


# --- creating and copying -----------------------------------------------------------------


def test_the_secretariat_creates_an_empty_scale(world, login):
    response = login(world.secretariat).post(
        _url(world, "scale_create"), {"source": "new", "title": "Thang điểm năm 2022"}
    )
    assert response.status_code == 302
    scale = Scale.objects.get(bloc_year=world.bloc_year)
    assert (scale.title, scale.version, scale.status) == ("Thang điểm năm 2022", 1, "draft")


def test_a_new_scale_needs_a_title(world, login):
    response = login(world.secretariat).post(
        _url(world, "scale_create"), {"source": "new", "title": ""}
    )
    assert response.status_code == 200
    assert "Hãy đặt tên cho thang điểm." in _page(response)
    assert not Scale.objects.exists()


def test_copying_last_years_scale_copies_every_group_and_item(world, login):
    last_year = BlocYearFactory(bloc=world.bloc, year=2021, chair=world.chair)
    source, _groups, _items = build_scale(dataclasses.replace(world, bloc_year=last_year))
    response = login(world.secretariat).post(_url(world, "scale_create"), {"source": "copy"})
    assert response.status_code == 302
    copy = Scale.objects.get(bloc_year=world.bloc_year)
    assert copy.based_on == source
    assert copy.status == "draft"
    assert _codes(copy) == _codes(source)
    item = Criterion.objects.get(scale=copy, code="3")
    assert item.parent.scale == copy
    assert item.parent.code == "II"


def test_copy_is_not_offered_without_last_years_scale(world, login):
    response = login(world.secretariat).post(_url(world, "scale_create"), {"source": "copy"})
    assert response.status_code == 200
    assert not Scale.objects.exists()


# --- criteria -----------------------------------------------------------------------------


def test_the_secretariat_adds_edits_and_deletes_criteria(world, login):
    scale, groups, items = build_scale(world)
    client = login(world.secretariat)
    response = client.post(
        _url(world, "criterion_add", scale_pk=scale.pk),
        {"kind": "group", "code": "III", "title": "Công tác khác", "max_points": "0"},
    )
    assert response.status_code == 302
    group = Criterion.objects.get(scale=scale, code="III")
    response = client.post(
        _url(world, "criterion_add", scale_pk=scale.pk),
        {
            "kind": "normal",
            "parent": group.pk,
            "code": "6",
            "title": "Tham gia hội thi",
            "max_points": "2,5",
            "evidence_required": "on",
        },
    )
    assert response.status_code == 302
    added = Criterion.objects.get(scale=scale, code="6")
    assert (added.parent, added.max_points, added.evidence_required) == (
        group,
        Decimal("2.5"),
        True,
    )

    response = client.post(
        _url(world, "criterion_edit", scale_pk=scale.pk, criterion_pk=items["3"].pk),
        {
            "kind": "normal",
            "parent": groups[1].pk,
            "code": "3",
            "title": "Tổ chức phong trào thi đua",
            "max_points": "30",
            "guidance": "Theo kế hoạch",
        },
    )
    assert response.status_code == 302
    items["3"].refresh_from_db()
    assert (items["3"].title, items["3"].max_points, items["3"].guidance) == (
        "Tổ chức phong trào thi đua",
        Decimal("30"),
        "Theo kế hoạch",
    )
    last = items["3"].history.first()
    assert last.history_user == world.secretariat

    response = client.post(
        _url(world, "criterion_delete", scale_pk=scale.pk, criterion_pk=items["5"].pk)
    )
    assert response.status_code == 302
    assert not Criterion.objects.filter(pk=items["5"].pk).exists()


def test_the_add_form_proposes_the_next_number_under_the_chosen_group(world, login):
    scale, groups, _items = build_scale(world)
    client = login(world.secretariat)
    form = client.get(
        _url(world, "criterion_add", scale_pk=scale.pk) + f"?nhom={groups[0].pk}"
    ).context["form"]
    assert (form.initial["code"], form.initial["parent"], form.initial["kind"]) == (
        "6",
        groups[0].pk,
        "normal",
    )
    form = client.get(_url(world, "criterion_add", scale_pk=scale.pk) + "?loai=group").context[
        "form"
    ]
    assert (form.initial["code"], form.initial["kind"]) == ("III", "group")


def test_an_item_needs_a_group_a_free_number_and_a_number_of_points(world, login):
    scale, _groups, _items = build_scale(world)
    response = login(world.secretariat).post(
        _url(world, "criterion_add", scale_pk=scale.pk),
        {"kind": "normal", "code": "1", "title": "Trùng số", "max_points": "-1"},
    )
    page = _page(response)
    assert response.status_code == 200
    assert "Hãy chọn nhóm cho tiêu chí." in page
    assert "STT “1” đã có trong thang điểm này." in page
    assert "Điểm không được âm." in page
    assert Criterion.objects.filter(scale=scale).count() == 7


def test_a_locked_scale_refuses_every_change(scored, world, login):
    client = login(world.secretariat)
    before = _codes(scored.scale)
    response = client.get(_url(world, "criterion_add", scale_pk=scored.scale.pk), follow=True)
    assert "đã khóa" in _page(response)
    client.post(
        _url(world, "criterion_edit", scale_pk=scored.scale.pk, criterion_pk=scored.items["3"].pk),
        {
            "kind": "normal",
            "parent": scored.groups[1].pk,
            "code": "3",
            "title": "Đổi",
            "max_points": "1",
        },
    )
    response = client.post(
        _url(
            world, "criterion_delete", scale_pk=scored.scale.pk, criterion_pk=scored.items["5"].pk
        ),
        follow=True,
    )
    assert "Thang điểm đã khóa. Hãy tạo phiên bản mới để thay đổi." in _page(response)
    response = client.post(
        _url(world, "scale_import", scale_pk=scored.scale.pk),
        {"file": SimpleUploadedFile("x.xlsx", scale_to_xlsx(scored.scale))},
        follow=True,
    )
    assert "đã khóa" in _page(response)
    assert _codes(scored.scale) == before


# --- XLSX ---------------------------------------------------------------------------------


def test_export_downloads_the_scale_as_xlsx(world, login):
    scale, _groups, _items = build_scale(world)
    response = login(world.officer).get(_url(world, "scale_export", scale_pk=scale.pk))
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[3]] == HEADERS


def test_import_replaces_the_criteria_of_a_draft(world, login):
    scale, _groups, _items = build_scale(world)
    response = login(world.secretariat).post(
        _url(world, "scale_import", scale_pk=scale.pk),
        {
            "file": _upload(
                [
                    ["STT", "Nội dung", "Điểm chuẩn"],
                    ["I", "Công tác chuyên môn", 70],
                    ["1", "Hoàn thành kế hoạch", 70],
                    ["II", "Công tác thi đua", 30],
                    ["2", "Tổ chức phong trào", 30],
                ]
            )
        },
    )
    assert response.status_code == 302
    assert _codes(scale) == [
        ("I", "group", Decimal("70")),
        ("1", "normal", Decimal("70")),
        ("II", "group", Decimal("30")),
        ("2", "normal", Decimal("30")),
    ]
    item = Criterion.objects.get(scale=scale, code="2")
    assert item.history.first().history_change_reason == "Nhập từ tệp XLSX thang-diem.xlsx"


def test_import_lists_each_bad_row_and_saves_nothing(world, login):
    scale, _groups, _items = build_scale(world)
    before = _codes(scale)
    response = login(world.secretariat).post(
        _url(world, "scale_import", scale_pk=scale.pk),
        {
            "file": _upload(
                [
                    HEADERS,  # line 2
                    ["1", "Tiêu chí trước nhóm", 5, "Tiêu chí"],  # line 3
                    ["I", "Nhóm", 60, "Nhóm"],
                    ["2", "Đúng", 10, "Tiêu chí"],
                    ["3", "Điểm là chữ", "abc", "Tiêu chí"],  # line 6
                    ["4", "", 10, "Tiêu chí"],  # line 7
                ]
            )
        },
    )
    page = _page(response)
    assert response.status_code == 200
    assert "Chưa nhập gì" in page
    assert "Dòng 3: tiêu chí nằm trước mọi nhóm" in page
    assert 'Dòng 6: điểm chuẩn "abc" không phải là số.' in page
    assert "Dòng 7: thiếu nội dung." in page
    assert _codes(scale) == before


def test_import_refuses_a_file_that_is_not_an_xlsx(world, login):
    scale, _groups, _items = build_scale(world)
    before = _codes(scale)
    fake = SimpleUploadedFile(
        "thang-diem.xlsx", b"%PDF-1.7\n1 0 obj\n", content_type=XLSX_CONTENT_TYPE
    )
    response = login(world.secretariat).post(
        _url(world, "scale_import", scale_pk=scale.pk), {"file": fake}
    )
    assert response.status_code == 200
    assert "Tệp không phải là bảng tính Excel .xlsx" in _page(response)
    assert _codes(scale) == before


# --- versions -----------------------------------------------------------------------------


def _self_score(sheet: Sheet, values: dict[Criterion, str], by) -> None:
    entries = {e.criterion_id: e.pk for e in Entry.objects.filter(sheet=sheet)}
    services.sheet_save(
        sheet=sheet,
        version=sheet.version,
        by=by,
        values={entries[c.pk]: (raw, "") for c, raw in values.items()},
    )


def test_a_new_version_applied_to_the_round_keeps_scores_by_stt_and_tells_members(
    scored,
    world,
    login,
    django_capture_on_commit_callbacks,
):
    _self_score(
        scored.sheets["member"], {scored.items["1"]: "30", scored.items["3"]: "40"}, world.officer
    )
    client = login(world.secretariat)
    response = client.post(
        _url(world, "scale_new_version", scale_pk=scored.scale.pk),
        {"reason": "Giảm điểm tiêu chí 3, bỏ điểm trừ 5, thêm tiêu chí 6"},
    )
    assert response.status_code == 302
    v2 = Scale.objects.get(bloc_year=world.bloc_year, version=2)
    assert (v2.status, v2.based_on, v2.change_note) == (
        "draft",
        scored.scale,
        "Giảm điểm tiêu chí 3, bỏ điểm trừ 5, thêm tiêu chí 6",
    )
    item3, item5 = (Criterion.objects.get(scale=v2, code=c) for c in ("3", "5"))
    client.post(
        _url(world, "criterion_edit", scale_pk=v2.pk, criterion_pk=item3.pk),
        {
            "kind": "normal",
            "parent": item3.parent_id,
            "code": "3",
            "title": item3.title,
            "max_points": "30",
        },
    )
    client.post(_url(world, "criterion_delete", scale_pk=v2.pk, criterion_pk=item5.pk))
    client.post(
        _url(world, "criterion_add", scale_pk=v2.pk),
        {
            "kind": "normal",
            "parent": item3.parent_id,
            "code": "6",
            "title": "Tiêu chí mới",
            "max_points": "10",
        },
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(world, "scale_apply", scale_pk=v2.pk))
    assert response.status_code == 302
    scored.round.refresh_from_db()
    v2.refresh_from_db()
    assert scored.round.scale == v2
    assert v2.is_locked
    entries = {
        e.criterion.code: e
        for e in Entry.objects.filter(sheet=scored.sheets["member"]).select_related("criterion")
    }
    assert sorted(entries) == ["1", "2", "3", "4", "6"]
    assert all(e.criterion.scale_id == v2.pk for e in entries.values())
    assert entries["1"].self_score == Decimal("30")
    assert (entries["3"].self_score, entries["3"].max_points) == (Decimal("30"), Decimal("30"))
    assert entries["6"].self_score is None
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([world.secretariat.email, world.officer.email, world.leader.email])
    assert all("phiên bản 2" in message.subject for message in mail.outbox)


def test_a_draft_is_edited_not_versioned(world, login):
    scale, _groups, _items = build_scale(world)
    response = login(world.secretariat).post(
        _url(world, "scale_new_version", scale_pk=scale.pk), {"reason": "Không cần"}, follow=True
    )
    assert "sửa trực tiếp" in _page(response)
    assert Scale.objects.filter(bloc_year=world.bloc_year).count() == 1


def test_a_new_version_needs_a_reason(scored, world, login):
    response = login(world.secretariat).post(
        _url(world, "scale_new_version", scale_pk=scored.scale.pk), {"reason": ""}, follow=True
    )
    assert "Trường này là bắt buộc" in _page(response)
    assert Scale.objects.filter(bloc_year=world.bloc_year).count() == 1


def test_apply_needs_an_open_round(world, login):
    scale, _groups, _items = build_scale(world)
    response = login(world.secretariat).post(
        _url(world, "scale_apply", scale_pk=scale.pk), follow=True
    )
    assert "Chỉ áp dụng phiên bản mới khi đợt chấm điểm đang mở." in _page(response)
    scale.refresh_from_db()
    assert not scale.is_locked
    assert not Round.objects.exists()


# --- opening the round --------------------------------------------------------------------


def test_opening_the_round_gives_every_member_a_sheet_and_locks_the_scale(world, login):
    scale, _groups, _items = build_scale(world)
    deadline = timezone.localtime() + dt.timedelta(days=20)
    response = login(world.secretariat).post(
        _url(world, "round_open"),
        {"deadline": deadline.strftime("%Y-%m-%dT%H:%M"), "step": "0,5", "reminder_days": "5"},
    )
    assert response.status_code == 302
    assert response["Location"] == _url(world, "round_overview")
    scoring_round = Round.objects.get(bloc_year=world.bloc_year)
    assert (scoring_round.step, scoring_round.reminder_days, scoring_round.peer_review) == (
        Decimal("0.5"),
        5,
        False,
    )
    assert sorted(s.unit_id for s in scoring_round.sheets.all()) == sorted(
        [world.chair.pk, world.vice.pk, world.member.pk]
    )
    assert all(s.entries.count() == 5 for s in scoring_round.sheets.all())
    scale.refresh_from_db()
    assert scale.is_locked


def test_the_round_form_proposes_the_defaults(world, login):
    build_scale(world)
    response = login(world.secretariat).get(_url(world, "round_open"))
    form = response.context["form"]
    assert (form["step"].value(), form["reminder_days"].value()) == (Decimal("0.25"), 3)
    assert 'type="datetime-local"' in response.content.decode()
    assert "Tổng điểm chuẩn: 100" in _page(response)


def test_a_deadline_in_the_past_is_refused(world, login):
    build_scale(world)
    response = login(world.secretariat).post(
        _url(world, "round_open"),
        {"deadline": "2020-01-01T17:00", "step": "0.25", "reminder_days": "3"},
    )
    assert "Hạn nộp phải sau thời điểm hiện tại." in _page(response)
    assert not Round.objects.exists()


def test_opening_twice_sends_to_the_round(scored, world, login):
    response = login(world.secretariat).get(_url(world, "round_open"))
    assert response.status_code == 302
    assert response["Location"] == _url(world, "round_overview")
