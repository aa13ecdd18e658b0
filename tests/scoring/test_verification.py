"""Verification (thẩm định): the secretariat or the assigned peer unit scores each item beside
the unit's own score; never one's own sheet; large differences are flagged for a reply; every
score change is kept in the history with who and why."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from scoring import services
from scoring.models import Entry, PeerAssignment, Sheet
from tests.factories import UserFactory
from tests.scoring.matrix_sheets import fill_sheet, submitted_sheet

pytestmark = pytest.mark.django_db


def _url(sheet: Sheet) -> str:
    return reverse("sheet_verify", kwargs={"pk": sheet.pk})


def _entries(sheet: Sheet) -> dict[str, Entry]:
    return {
        e.criterion.code: e for e in Entry.objects.filter(sheet=sheet).select_related("criterion")
    }


def _form(sheet: Sheet, scores: dict[str, tuple[str, str]]) -> dict:
    data = {}
    for code, entry in _entries(sheet).items():
        score, comment = scores.get(code, ("", ""))
        data[f"verified_{entry.pk}"], data[f"comment_{entry.pk}"] = score, comment
    return data


def _sent(world, unit_name: str = "member") -> Sheet:
    if unit_name == "member":
        return submitted_sheet(world)
    sheet = Sheet.objects.get(round__bloc_year=world.bloc_year, unit=getattr(world, unit_name))
    user = UserFactory(unit=sheet.unit, unit_role="officer")
    sheet = fill_sheet(sheet, user)
    return services.sheet_submit(sheet=sheet, version=sheet.version, by=user)


def test_the_secretariat_verifies_each_item(world, login):
    sheet = _sent(world)
    client = login(world.secretariat)
    page = client.get(_url(sheet)).content.decode()
    assert "Diễn giải 2" in page
    assert "Báo cáo tổng kết.pdf" in page
    response = client.post(
        _url(sheet), _form(sheet, {"1": ("25", "Thiếu số liệu quý IV"), "3": ("35", "")})
    )
    assert response.status_code == 302
    entries = _entries(sheet)
    assert entries["1"].verified_score == Decimal("25")
    assert entries["1"].verifier_comment == "Thiếu số liệu quý IV"
    assert entries["1"].verified_by == world.secretariat
    assert entries["1"].verified_at is not None
    assert entries["1"].self_score == Decimal("30")  # both scores are kept
    assert entries["2"].verified_score is None


def test_a_bad_verified_score_saves_nothing(world, login):
    sheet = _sent(world)
    response = login(world.secretariat).post(
        _url(sheet), _form(sheet, {"1": ("40", ""), "3": ("35", "")})
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "1: điểm phải từ 0 đến 35" in page
    assert all(e.verified_score is None for e in _entries(sheet).values())


def test_a_draft_cannot_be_verified_yet(world, scored, login):
    sheet = scored.sheets["member"]
    client = login(world.secretariat)
    page = client.get(_url(sheet)).content.decode()
    assert "Đơn vị chưa gửi phiếu nên chưa thẩm định được." in page
    assert 'name="verified_' not in page
    response = client.post(_url(sheet), _form(sheet, {"1": ("25", "")}))
    assert "Phiếu chưa được đơn vị gửi" in response.content.decode()
    assert _entries(sheet)["1"].verified_score is None


@pytest.mark.parametrize("role", ["officer", "leader"])
def test_a_unit_never_verifies_its_own_sheet(world, login, role):
    sheet = _sent(world)
    client = login(world.user(role))
    assert client.get(_url(sheet)).status_code == 403
    assert client.post(_url(sheet), _form(sheet, {"1": ("35", "")})).status_code == 403
    assert _entries(sheet)["1"].verified_score is None


def test_the_secretariat_never_verifies_the_chairs_own_sheet(world, scored, login):
    sheet = _sent(world, "chair")
    assert login(world.secretariat).get(_url(sheet)).status_code == 403


def test_the_ministry_reads_but_never_verifies(world, login):
    sheet = _sent(world)
    client = login(world.ministry)
    assert client.get(reverse("sheet_detail", kwargs={"pk": sheet.pk})).status_code == 200
    assert client.get(_url(sheet)).status_code == 403


def test_the_assigned_peer_unit_verifies(world, scored, login):
    services.peer_assign_rotation(scoring_round=scored.round, by=world.secretariat)
    sheet = _sent(world)
    assignment = PeerAssignment.objects.get(sheet=sheet)
    assert assignment.reviewer_id != world.member.pk
    peer = UserFactory(unit=assignment.reviewer, unit_role="officer")
    client = login(peer)
    overview = client.get(
        reverse("round_overview", kwargs={"bloc_pk": world.bloc.pk, "year": 2022})
    )
    assert _url(sheet) in overview.content.decode()
    assert client.post(_url(sheet), _form(sheet, {"1": ("30", "Khớp số liệu")})).status_code == 302
    assert _entries(sheet)["1"].verified_by == peer


def test_a_unit_not_assigned_sees_nothing(world, scored, login):
    services.peer_assign_rotation(scoring_round=scored.round, by=world.secretariat)
    sheet = _sent(world)
    reviewer = PeerAssignment.objects.get(sheet=sheet).reviewer_id
    other = next(u for u in (world.chair, world.vice) if u.pk != reviewer)
    stranger = UserFactory(unit=other, unit_role="leader")  # a leader: never the secretariat
    assert login(stranger).get(_url(sheet)).status_code == 404


# --- differences and replies --------------------------------------------------------------------


def test_a_large_difference_is_flagged_and_the_unit_replies(world, login):
    sheet = _sent(world)
    entry = _entries(sheet)["1"]  # self score 30
    services.verification_save(
        sheet=sheet, values={entry.pk: ("27", "Thiếu hồ sơ")}, by=world.secretariat
    )
    verify_page = login(world.secretariat).get(_url(sheet)).content.decode()
    assert "Chênh lệch lớn" in verify_page
    client = login(world.leader)
    page = client.get(reverse("sheet_detail", kwargs={"pk": sheet.pk})).content.decode()
    assert "Chênh lệch lớn" in page
    assert "Thiếu hồ sơ" in page
    assert reverse("entry_reply", kwargs={"entry_pk": entry.pk}) in page
    response = client.post(
        reverse("entry_reply", kwargs={"entry_pk": entry.pk}),
        {"reply": "Hồ sơ đã nộp ngày 10/12, xin xem lại."},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#muc-{entry.pk}")
    entry.refresh_from_db()
    assert entry.unit_reply == "Hồ sơ đã nộp ngày 10/12, xin xem lại."
    assert entry.history.first().history_user == world.leader


def test_a_small_difference_is_not_flagged(world, login):
    sheet = _sent(world)
    entry = _entries(sheet)["1"]
    services.verification_save(sheet=sheet, values={entry.pk: ("28.5", "")}, by=world.secretariat)
    page = (
        login(world.officer).get(reverse("sheet_detail", kwargs={"pk": sheet.pk})).content.decode()
    )
    assert "Chênh lệch lớn" not in page
    assert reverse("entry_reply", kwargs={"entry_pk": entry.pk}) not in page


def test_an_empty_reply_is_refused(world, login):
    sheet = _sent(world)
    entry = _entries(sheet)["1"]
    response = login(world.officer).post(
        reverse("entry_reply", kwargs={"entry_pk": entry.pk}), {"reply": " "}, follow=True
    )
    assert "Hãy nhập ý kiến giải trình." in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"), [("secretariat", 403), ("ministry", 403), ("outsider", 404)]
)
def test_only_the_unit_replies(world, login, role, status):
    sheet = _sent(world)
    entry = _entries(sheet)["1"]
    response = login(world.user(role)).post(
        reverse("entry_reply", kwargs={"entry_pk": entry.pk}), {"reply": "Không phải đơn vị này"}
    )
    assert response.status_code == status


# --- the history --------------------------------------------------------------------------------


def test_every_score_change_is_in_the_history_with_who_and_why(world, scored, login):
    sheet = scored.sheets["member"]
    entry = _entries(sheet)["1"]
    login(world.officer)
    fill_sheet(sheet, world.officer, {"1": "20", "2": "10", "3": "30"})
    fill_sheet(sheet, world.officer, {"1": "30", "2": "10", "3": "30"})
    sheet.refresh_from_db()
    services.sheet_submit(sheet=sheet, version=sheet.version, by=world.officer)
    login(world.secretariat).post(_url(sheet), _form(sheet, {"1": ("25", "Thiếu số liệu")}))
    rows = [
        (h.history_user, h.history_change_reason, h.self_score, h.verified_score)
        for h in entry.history.order_by("history_date", "history_id")
    ]
    assert rows == [
        (world.officer, "Tự chấm điểm", Decimal("20"), None),
        (world.officer, "Tự chấm điểm", Decimal("30"), None),
        (world.secretariat, "Thẩm định điểm", Decimal("30"), Decimal("25")),
    ]
