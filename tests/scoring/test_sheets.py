"""The score sheet as the units and the secretariat use it: the round overview, self-scoring,
stale saves, sending, confirming, reopening, the deadline lock and the reminders."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scoring import services, tasks
from scoring.models import Entry, Round, Sheet
from tests.factories import BlocYearFactory, UserFactory
from tests.scoring.matrix_sheets import SCORES, fill_sheet, pdf_upload, submitted_sheet

pytestmark = pytest.mark.django_db


def _url(sheet: Sheet) -> str:
    return reverse("sheet_detail", kwargs={"pk": sheet.pk})


def _entries(sheet: Sheet) -> dict[str, Entry]:
    return {
        e.criterion.code: e for e in Entry.objects.filter(sheet=sheet).select_related("criterion")
    }


def _form(sheet: Sheet, scores: dict[str, str], *, version: int | None = None) -> dict:
    """What the browser posts: every item's score and explanation, and the version read."""
    sheet.refresh_from_db()
    data = {"version": sheet.version if version is None else version}
    for code, entry in _entries(sheet).items():
        data[f"score_{entry.pk}"] = scores.get(code, "")
        data[f"text_{entry.pk}"] = f"Diễn giải {code}" if code in scores else ""
    return data


def _version_in(page: str) -> int:
    return int(re.search(r'name="version" value="(\d+)"', page).group(1))


def _overview(world, client) -> str:
    url = reverse("round_overview", kwargs={"bloc_pk": world.bloc.pk, "year": 2022})
    return client.get(url).content.decode()


def _name(world, unit) -> str:
    return {world.chair.pk: "chair", world.vice.pk: "vice", world.member.pk: "member"}[unit.pk]


def _self_scores(sheet: Sheet) -> dict[str, Decimal | None]:
    return {code: e.self_score for code, e in _entries(sheet).items()}


# --- the round overview -----------------------------------------------------------------------


def test_the_secretariat_sees_every_sheet_with_progress_and_the_deadline(world, scored, login):
    deadline = timezone.make_aware(dt.datetime(2022, 12, 15, 17, 0))
    Round.objects.filter(pk=scored.round.pk).update(deadline=deadline)
    fill_sheet(scored.sheets["member"], world.officer, {"1": "30", "3": "20"})
    page = _overview(world, login(world.secretariat))
    assert "hạn nộp 17 giờ 00, ngày 15 tháng 12 năm 2022" in page
    for unit in (world.chair, world.vice, world.member):
        assert unit.full_name in page
        assert reverse("sheet_detail", kwargs={"pk": scored.sheets[_name(world, unit)].pk}) in page
    assert '<progress class="portal-progress" value="2" max="5">' in page
    assert reverse("scale_detail", kwargs={"bloc_pk": world.bloc.pk, "year": 2022}) in page


def test_the_secretariat_gets_a_verification_link_once_a_sheet_is_sent(world, login):
    sheet = submitted_sheet(world)
    page = _overview(world, login(world.secretariat))
    assert reverse("sheet_verify", kwargs={"pk": sheet.pk}) in page


def test_a_member_sees_only_its_own_sheet(world, scored, login):
    page = _overview(world, login(world.leader))
    assert reverse("sheet_detail", kwargs={"pk": scored.sheets["member"].pk}) in page
    assert reverse("sheet_detail", kwargs={"pk": scored.sheets["chair"].pk}) not in page
    assert "Đang chấm" in page


def test_a_late_sheet_is_flagged_in_the_overview(world, scored, login):
    Sheet.objects.filter(pk=scored.sheets["vice"].pk).update(is_late=True)
    page = _overview(world, login(world.secretariat))
    assert "Nộp muộn" in page


@pytest.mark.parametrize(("role", "sees_scale_link"), [("secretariat", True), ("officer", False)])
def test_the_overview_says_when_no_round_is_open(world, login, role, sees_scale_link):
    page = _overview(world, login(world.user(role)))
    assert "Chưa mở chấm điểm thi đua năm 2022" in page
    assert (
        reverse("scale_detail", kwargs={"bloc_pk": world.bloc.pk, "year": 2022}) in page
    ) is sees_scale_link


# --- reading and saving the sheet ---------------------------------------------------------------


def test_the_officer_gets_score_inputs_bounded_by_the_scale(world, scored, login):
    sheet = scored.sheets["member"]
    page = login(world.officer).get(_url(sheet)).content.decode()
    for heading in (
        "STT",
        "Nội dung",
        "Điểm chuẩn",
        "Tự chấm",
        "Diễn giải",
        "Lưu nháp",
        "Gửi phiếu",
    ):
        assert heading in page
    entry = _entries(sheet)["1"]
    tag = re.search(rf'<input[^>]*name="score_{entry.pk}"[^>]*>', page).group(0)
    for attr in ('type="number"', 'step="0.25"', 'min="0"', 'max="35"', 'inputmode="decimal"'):
        assert attr in tag
    assert 'style="' not in page
    assert "<script>" not in page


def test_the_leader_reads_the_sheet_without_inputs(world, scored, login):
    sheet = scored.sheets["member"]
    page = login(world.leader).get(_url(sheet)).content.decode()
    assert 'name="score_' not in page
    assert "Lưu nháp" not in page
    assert "Xác nhận phiếu" not in page


def test_saving_keeps_every_score_and_explanation_with_its_author(world, scored, login):
    sheet = scored.sheets["member"]
    response = login(world.officer).post(
        _url(sheet), _form(sheet, {"1": "30", "2": "20,5", "3": "40"})
    )
    assert response.status_code == 302
    assert _self_scores(sheet) == {
        "1": Decimal("30"),
        "2": Decimal("20.5"),
        "3": Decimal("40"),
        "4": None,
        "5": None,
    }
    entry = _entries(sheet)["2"]
    assert entry.explanation == "Diễn giải 2"
    latest = entry.history.first()
    assert latest.history_user == world.officer
    assert latest.history_change_reason == "Tự chấm điểm"
    page = login(world.officer).get(_url(sheet)).content.decode()
    assert "90,5" in page  # the running total: 30 + 20.5 + 40


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("36", "1: điểm phải từ 0 đến 35"),
        ("-1", "1: điểm phải từ 0 đến 35"),
        ("20.3", "1: điểm phải là bội số của 0.25"),
        ("hai mươi", "không phải là số"),
    ],
)
def test_a_bad_score_is_refused_with_the_item_named_and_nothing_saved(
    world, scored, login, typed, message
):
    sheet = scored.sheets["member"]
    response = login(world.officer).post(_url(sheet), _form(sheet, {"1": typed, "3": "35"}))
    page = response.content.decode().replace("&quot;", '"')
    assert response.status_code == 200
    assert message in page
    assert _self_scores(sheet)["3"] is None  # the good item was not saved either
    entry = _entries(sheet)["3"]
    assert re.search(
        rf'<input[^>]*name="score_{entry.pk}"[^>]*value="35"', page
    )  # what was typed stays


def test_comma_decimals_are_accepted(world, scored, login):
    sheet = scored.sheets["member"]
    login(world.officer).post(_url(sheet), _form(sheet, {"2": "20,5", "3": "0,25"}))
    assert _self_scores(sheet)["2"] == Decimal("20.5")
    assert _self_scores(sheet)["3"] == Decimal("0.25")


def test_a_stale_save_is_refused_and_the_typed_values_are_shown_again(world, scored):
    sheet = scored.sheets["member"]
    colleague = UserFactory(unit=world.member, unit_role="officer")
    first, second = Client(), Client()
    first.force_login(world.officer)
    second.force_login(colleague)
    read_first = _version_in(first.get(_url(sheet)).content.decode())
    read_second = _version_in(second.get(_url(sheet)).content.decode())
    assert first.post(_url(sheet), _form(sheet, {"1": "30"}, version=read_first)).status_code == 302
    response = second.post(_url(sheet), _form(sheet, {"1": "25", "3": "40"}, version=read_second))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Phiếu chấm điểm vừa được người khác lưu" in page
    assert _self_scores(sheet) == {"1": Decimal("30"), "2": None, "3": None, "4": None, "5": None}
    entries = _entries(sheet)
    assert re.search(rf'name="score_{entries["1"].pk}"[^>]*value="25"', page)
    assert re.search(rf'name="score_{entries["3"].pk}"[^>]*value="40"', page)
    assert "Đã lưu: 30" in page  # the colleague's value beside the typed one
    # the page now carries the current version: saving again is a deliberate overwrite
    assert _version_in(page) == Sheet.objects.get(pk=sheet.pk).version


# --- sending, confirming, reopening -------------------------------------------------------------


def test_sending_needs_every_normal_item(world, scored, login):
    sheet = scored.sheets["member"]
    fill_sheet(sheet, world.officer, {"1": "30", "2": "20"})
    sheet.refresh_from_db()
    response = login(world.officer).post(
        reverse("sheet_submit", kwargs={"pk": sheet.pk}), {"version": sheet.version}, follow=True
    )
    assert "Chưa chấm các tiêu chí: 3." in response.content.decode()
    assert Sheet.objects.get(pk=sheet.pk).status == Sheet.Status.DRAFT


def test_sending_needs_the_required_evidence(world, scored, login):
    sheet = scored.sheets["member"]
    client = login(world.officer)
    client.post(_url(sheet), _form(sheet, {"1": "30", "2": "20", "3": "40"}))
    sheet.refresh_from_db()
    response = client.post(
        reverse("sheet_submit", kwargs={"pk": sheet.pk}), {"version": sheet.version}, follow=True
    )
    assert "Thiếu minh chứng cho các tiêu chí: 2." in response.content.decode()
    assert Sheet.objects.get(pk=sheet.pk).status == Sheet.Status.DRAFT


def test_a_sent_sheet_is_no_longer_editable(world, scored, login):
    sheet = fill_sheet(scored.sheets["member"], world.officer)
    client = login(world.officer)
    response = client.post(
        reverse("sheet_submit", kwargs={"pk": sheet.pk}), {"version": sheet.version}, follow=True
    )
    assert "Đã gửi phiếu chấm điểm" in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == Sheet.Status.SUBMITTED
    assert sheet.submitted_by == world.officer
    assert not sheet.is_late
    page = client.get(_url(sheet)).content.decode()
    assert 'name="score_' not in page
    assert "Gửi phiếu" not in page
    response = client.post(_url(sheet), _form(sheet, {"1": "1"}))
    assert "Phiếu đã gửi hoặc đã khóa" in response.content.decode()
    assert _self_scores(sheet)["1"] == Decimal("30")


def test_a_stale_send_is_refused(world, scored, login):
    sheet = fill_sheet(scored.sheets["member"], world.officer)
    response = login(world.officer).post(
        reverse("sheet_submit", kwargs={"pk": sheet.pk}),
        {"version": sheet.version - 1},
        follow=True,
    )
    assert "vừa được người khác lưu" in response.content.decode()
    assert Sheet.objects.get(pk=sheet.pk).status == Sheet.Status.DRAFT


def test_the_leader_confirms_a_sent_sheet(world, login):
    sheet = submitted_sheet(world)
    client = login(world.leader)
    assert "Xác nhận phiếu" in client.get(_url(sheet)).content.decode()
    response = client.post(reverse("sheet_confirm", kwargs={"pk": sheet.pk}), follow=True)
    assert "Đã xác nhận phiếu" in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == Sheet.Status.CONFIRMED
    assert sheet.confirmed_by == world.leader


def test_the_leader_cannot_confirm_a_draft_and_the_officer_cannot_confirm(world, scored, login):
    sheet = scored.sheets["member"]
    response = login(world.leader).post(
        reverse("sheet_confirm", kwargs={"pk": sheet.pk}), follow=True
    )
    assert "Chỉ xác nhận được phiếu đã gửi." in response.content.decode()
    assert (
        login(world.officer).post(reverse("sheet_confirm", kwargs={"pk": sheet.pk})).status_code
        == 403
    )


def test_reopening_needs_a_reason(world, login):
    sheet = submitted_sheet(world)
    client = login(world.secretariat)
    assert "Mở lại phiếu" in client.get(_url(sheet)).content.decode()
    response = client.post(
        reverse("sheet_reopen", kwargs={"pk": sheet.pk}), {"reason": " "}, follow=True
    )
    assert "Hãy ghi rõ lý do mở lại phiếu." in response.content.decode()
    assert Sheet.objects.get(pk=sheet.pk).status == Sheet.Status.SUBMITTED
    client.post(
        reverse("sheet_reopen", kwargs={"pk": sheet.pk}),
        {"reason": "Bổ sung minh chứng tiêu chí 2"},
    )
    sheet.refresh_from_db()
    assert sheet.status == Sheet.Status.DRAFT
    assert sheet.reopen_reason == "Bổ sung minh chứng tiêu chí 2"
    assert (
        sheet.history.first().history_change_reason == "Mở lại phiếu: Bổ sung minh chứng tiêu chí 2"
    )
    assert sheet.history.first().history_user == world.secretariat


@pytest.mark.parametrize("role", ["officer", "leader", "ministry"])
def test_only_the_secretariat_reopens(world, login, role):
    sheet = submitted_sheet(world)
    response = login(world.user(role)).post(
        reverse("sheet_reopen", kwargs={"pk": sheet.pk}), {"reason": "Tự mở lại phiếu của mình"}
    )
    assert response.status_code == 403
    assert Sheet.objects.get(pk=sheet.pk).status == Sheet.Status.SUBMITTED


# --- the deadline and the reminders -------------------------------------------------------------


def _past_deadline(scoring_round: Round) -> None:
    Round.objects.filter(pk=scoring_round.pk).update(
        deadline=timezone.now() - dt.timedelta(minutes=1)
    )


def test_the_deadline_locks_every_sheet_and_flags_the_unsent(world, scored):
    sent = submitted_sheet(world)
    _past_deadline(scored.round)
    assert tasks.lock_overdue_sheets() == 3
    assert tasks.lock_overdue_sheets() == 0  # safe to run again
    assert Round.objects.get(pk=scored.round.pk).status == Round.Status.CLOSED
    chair = Sheet.objects.get(pk=scored.sheets["chair"].pk)
    assert chair.status == Sheet.Status.LOCKED
    assert chair.is_late
    sent.refresh_from_db()
    assert sent.status == Sheet.Status.LOCKED
    assert not sent.is_late


def test_a_locked_sheet_cannot_be_edited(world, scored, login):
    sheet = scored.sheets["member"]
    _past_deadline(scored.round)
    services.lock_overdue()
    client = login(world.officer)
    page = client.get(_url(sheet)).content.decode()
    assert "Đã khóa (hết hạn)" in page
    assert 'name="score_' not in page
    response = client.post(_url(sheet), _form(sheet, {"1": "30"}))
    assert "Phiếu đã gửi hoặc đã khóa" in response.content.decode()
    assert _self_scores(sheet)["1"] is None


def test_a_submission_after_reopening_past_the_deadline_is_late(world, scored, login):
    sheet = submitted_sheet(world)
    _past_deadline(scored.round)
    services.lock_overdue()
    services.sheet_reopen(sheet=sheet, reason="Đơn vị xin bổ sung", by=world.secretariat)
    sheet.refresh_from_db()
    response = login(world.officer).post(
        reverse("sheet_submit", kwargs={"pk": sheet.pk}), {"version": sheet.version}, follow=True
    )
    assert "nộp muộn" in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == Sheet.Status.SUBMITTED
    assert sheet.is_late
    assert "(muộn)" in sheet.history.first().history_change_reason


def test_a_sheet_reopened_after_the_deadline_can_be_corrected(world, scored, login):
    sheet = submitted_sheet(world)
    _past_deadline(scored.round)
    services.lock_overdue()
    services.sheet_reopen(sheet=sheet, reason="Đơn vị xin sửa tiêu chí 1", by=world.secretariat)
    response = login(world.officer).post(_url(sheet), _form(sheet, {**SCORES, "1": "31"}))
    assert response.status_code == 302
    assert _self_scores(sheet)["1"] == Decimal("31")


def test_reminders_go_once_a_day_to_each_unit_with_people(world, scored):
    day = (timezone.localtime(scored.round.deadline).date() - dt.timedelta(days=2)).isoformat()
    assert tasks.send_reminders(today=day) == 2  # the vice unit has nobody to write to yet
    assert tasks.send_reminders(today=day) == 0
    assert len(mail.outbox) == 2
    assert {tuple(sorted(m.to)) for m in mail.outbox} == {
        (world.secretariat.email,),
        tuple(sorted([world.officer.email, world.leader.email])),
    }
    assert "còn 2 ngày" in mail.outbox[0].subject


def test_no_reminder_for_a_sent_sheet_or_too_early(world, scored):
    submitted_sheet(world)
    early = (timezone.localtime(scored.round.deadline).date() - dt.timedelta(days=7)).isoformat()
    assert tasks.send_reminders(today=early) == 0
    day = (timezone.localtime(scored.round.deadline).date() - dt.timedelta(days=1)).isoformat()
    assert (
        tasks.send_reminders(today=day) == 1
    )  # the chair; the member has sent, the vice has nobody
    assert [m.to for m in mail.outbox] == [[world.secretariat.email]]


# --- queries ------------------------------------------------------------------------------------


def _scale_of(world, bloc_year, n_items: int):
    scale = services.scale_create(bloc_year=bloc_year, title="Thang điểm", by=world.secretariat)
    group = services.criterion_save(
        scale=scale,
        by=world.secretariat,
        code="I",
        title="Nhóm I",
        kind="group",
        max_points=Decimal(n_items),
    )
    for n in range(1, n_items + 1):
        services.criterion_save(
            scale=scale,
            by=world.secretariat,
            code=str(n),
            title=f"Tiêu chí {n}",
            kind="normal",
            max_points=Decimal("1"),
            parent=group,
            evidence_required=n == 1,
        )
    services.round_open(
        bloc_year=bloc_year,
        scale=scale,
        by=world.secretariat,
        deadline=timezone.now() + dt.timedelta(days=5),
    )
    sheet = Sheet.objects.get(round__bloc_year=bloc_year, unit=world.member)
    entries = list(sheet.entries.order_by("criterion__position"))
    services.sheet_save(
        sheet=sheet,
        version=sheet.version,
        by=world.officer,
        values={e.pk: ("1", "Đã làm") for e in entries},
    )
    services.evidence_add(entry=entries[0], upload=pdf_upload(), by=world.officer)
    return sheet


def _queries(client, sheet) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(_url(sheet)).status_code == 200
    return len(context.captured_queries)


def test_the_sheet_page_runs_the_same_queries_for_5_and_for_40_items(world, login, settings):
    settings.PAGE_CACHE_SECONDS = 0  # count what a first view (nothing cached) costs
    small = _scale_of(world, world.bloc_year, 5)
    large = _scale_of(
        world, BlocYearFactory(bloc=world.bloc, year=2023, chair=world.chair, vice=world.vice), 40
    )
    client = login(world.officer)
    client.get(_url(small))  # warm the session and the content types
    assert _queries(client, small) == _queries(client, large)
