"""The results page of a round (hidden until it closes), its chart and published receipts, and the
ministry's table of every bloc's proposals."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from awards import services
from awards.models import BallotRound, Candidate, Proposal
from tests.awards.conftest import flag_round
from tests.awards.matrix_awards import closed_paper_round
from tests.browser_support import sign_in, tab
from tests.factories import BlocYearFactory, MembershipFactory, MemberUnitFactory

pytestmark = pytest.mark.django_db


def _results(ballot_round: BallotRound) -> str:
    return reverse("ballot_round_results", kwargs={"pk": ballot_round.pk})


def _vote(ballot_round, leader, candidate) -> str:
    secret = services.token_issue(ballot_round=ballot_round, unit=leader.unit, user=leader)
    return services.ballot_cast(
        ballot_round=ballot_round,
        unit=leader.unit,
        user=leader,
        secret=secret,
        choice_ids=[candidate.pk],
    )


@pytest.fixture
def voted(world, leaders, open_round):
    """The electronic flag round: chair 2 votes (the chair's and the vice's leaders), member 1."""
    chair, _vice, member = Candidate.objects.filter(round=open_round).order_by("position")
    receipts = [
        _vote(open_round, leaders["chair"], chair),
        _vote(open_round, leaders["vice"], chair),
        _vote(open_round, leaders["member"], member),
    ]
    return open_round, receipts


def test_results_are_hidden_with_a_clear_message_until_the_round_closes(world, login, voted):
    ballot_round, _receipts = voted
    for user in (world.secretariat, world.leader, world.ministry):
        response = login(user).get(_results(ballot_round))
        assert response.status_code == 403
        page = response.content.decode()
        assert "Kết quả chưa được công bố" in page
        assert "Đang bỏ phiếu" in page
        assert "Tỷ lệ" not in page
    assert login(world.outsider).get(_results(ballot_round)).status_code == 404


def test_after_closing_the_page_shows_votes_shares_and_the_deciding_rule(world, login, voted):
    ballot_round, _receipts = voted
    services.round_close(ballot_round=ballot_round, by=world.secretariat)
    response = login(world.leader).get(_results(ballot_round))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2/3" in page
    assert "66,67%" in page
    assert "33,33%" in page
    assert "đạt trên 50% phiếu, xếp trong 1 suất" in page
    assert "không đạt trên 50% phiếu" in page
    rows = {row["label"]: row for row in response.context["rows"]}
    assert rows[world.chair.full_name]["elected"]
    assert not rows[world.member.full_name]["elected"]
    chart = json.loads(
        page.split('id="du-lieu-ket-qua" type="application/json">')[1].split("</script>")[0]
    )
    assert chart["votes"] == [2, 1, 0]
    assert chart["elected"] == [True, False, False]
    assert chart["threshold"] == 50.0
    assert "js/award-results.js" in page
    assert "vendor/chartjs/chart.umd.min.js" in page


def test_every_voter_finds_their_receipt_in_the_published_list(world, login, voted):
    ballot_round, receipts = voted
    services.round_close(ballot_round=ballot_round, by=world.secretariat)
    page = login(world.officer).get(_results(ballot_round)).content.decode()
    assert 'data-receipt-search="danh-sach-bien-nhan"' in page
    for receipt in receipts:
        assert f"<li>{receipt}</li>" in page


def test_only_the_secretariat_is_offered_the_minutes(world, login, voted):
    ballot_round, _receipts = voted
    services.round_close(ballot_round=ballot_round, by=world.secretariat)
    assert (
        "Lập biên bản kiểm phiếu"
        in login(world.secretariat).get(_results(ballot_round)).content.decode()
    )
    for user in (world.ministry, world.leader):
        assert (
            "Lập biên bản kiểm phiếu"
            not in login(user).get(_results(ballot_round)).content.decode()
        )


def test_a_paper_round_shows_its_confirmed_tally(world, login):
    ballot_round = closed_paper_round(world)
    page = login(world.ministry).get(_results(ballot_round)).content.decode()
    assert "Phiếu phát ra: 3; thu về: 3; hợp lệ: 3" in page
    assert "xác nhận: Lê Thị Kiểm" in page
    assert "không có biên nhận điện tử" in page


def test_a_tie_at_the_last_seat_links_the_runoff(world, login, leaders):
    ballot_round = services.round_open(
        ballot_round=flag_round(world, max_choices=2), by=world.secretariat
    )
    chair, vice, member = Candidate.objects.filter(round=ballot_round).order_by("position")
    for name, choices in (("chair", [chair, vice]), ("vice", [chair, vice]), ("member", [member])):
        secret = services.token_issue(
            ballot_round=ballot_round, unit=leaders[name].unit, user=leaders[name]
        )
        services.ballot_cast(
            ballot_round=ballot_round,
            unit=leaders[name].unit,
            user=leaders[name],
            secret=secret,
            choice_ids=[c.pk for c in choices],
        )
    closed = services.round_close(ballot_round=ballot_round, by=world.secretariat)
    runoff = BallotRound.objects.get(pk=closed.results["runoff_round"])
    page = login(world.secretariat).get(_results(ballot_round)).content.decode()
    assert "bằng phiếu ở suất cuối: bỏ phiếu lại" in page
    assert reverse("ballot_round_detail", kwargs={"pk": runoff.pk}) in page
    assert runoff.title in page


# --- the ministry's table ---------------------------------------------------------------------


def _second_bloc_proposal(world):
    """Bloc B (the outsider's) closes its own round in 2022: one proposal."""
    from awards.models import AwardType
    from tests.factories import UserFactory

    other_member = MemberUnitFactory(
        full_name="Ban Quản lý Khu kinh tế tỉnh Bạc Liêu", short_name="Bạc Liêu"
    )
    MembershipFactory(bloc=world.other_bloc, unit=other_member, from_year=2019)
    ballot_round = services.round_create(
        bloc_year=world.other_year,
        title="Bình xét Cờ thi đua của Bộ năm 2022 (Khối B)",
        by=world.outsider,
        unit_candidates=[world.outsider_unit, other_member],
        award_type=AwardType.objects.get(code="co-thi-dua-bo"),
        mode=BallotRound.Mode.PAPER,
    )
    services.round_open(ballot_round=ballot_round, by=world.outsider, present_units=2)
    first, second = Candidate.objects.filter(round=ballot_round).order_by("position")
    services.paper_tally_enter(
        ballot_round=ballot_round,
        by=world.outsider,
        issued=2,
        returned=2,
        valid=2,
        votes={first.pk: 2, second.pk: 0},
    )
    services.paper_tally_confirm(
        ballot_round=ballot_round, by=UserFactory(unit=world.outsider_unit, unit_role="officer")
    )
    return services.round_close(ballot_round=ballot_round, by=world.outsider)


def test_the_ministry_sees_every_blocs_proposals_of_a_year(world, login):
    closed_paper_round(world)
    _second_bloc_proposal(world)
    other = BlocYearFactory(bloc=world.bloc, year=2021, chair=world.chair)
    Proposal.objects.create(
        bloc_year=other,
        award_type_id=Proposal.objects.first().award_type_id,
        round=Proposal.objects.first().round,
        unit=world.vice,
        label="Năm khác",
        votes=3,
    )
    response = login(world.ministry).get(reverse("award_ministry_overview", kwargs={"year": 2022}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "KTĐA" in page
    assert "KTĐB" in page
    assert world.chair.full_name in page
    assert world.outsider_unit.full_name in page
    assert "Năm khác" not in page
    assert "66,67%" in page
    assert "100,00%" in page


def test_the_ministry_exports_the_table_as_xlsx(world, login):
    closed_paper_round(world)
    _second_bloc_proposal(world)
    response = login(world.ministry).get(
        reverse("award_ministry_overview", kwargs={"year": 2022}), {"xlsx": "1"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    labels = {row[2] for row in rows}
    assert labels == {world.chair.full_name, world.outsider_unit.full_name}
    chair_row = next(row for row in rows if row[2] == world.chair.full_name)
    assert chair_row[0] == world.bloc.name
    assert chair_row[5] == 2
    assert chair_row[6] == pytest.approx(66.67)
    assert sheet.cell(row=3, column=1).value == "Khối thi đua"


@pytest.mark.parametrize("role", ["secretariat", "officer", "leader", "outsider"])
def test_the_ministry_table_is_the_ministrys_alone(world, login, role):
    url = reverse("award_ministry_overview", kwargs={"year": 2022})
    assert login(world.user(role)).get(url).status_code == 403
    assert login(world.user(role)).get(url, {"xlsx": "1"}).status_code == 403


# --- in a real browser ------------------------------------------------------------------------


@pytest.fixture
def browser_page(monkeypatch):
    with tab(monkeypatch, viewport={"width": 1024, "height": 900}) as page:
        yield page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_chart_draws_and_the_search_box_finds_a_receipt(
    world, leaders, live_server, browser_page
):
    from playwright.sync_api import expect

    page = browser_page
    ballot_round = services.round_open(ballot_round=flag_round(world), by=world.secretariat)
    chair, _vice, member = Candidate.objects.filter(round=ballot_round).order_by("position")
    receipts = [
        _vote(ballot_round, leaders["chair"], chair),
        _vote(ballot_round, leaders["vice"], chair),
        _vote(ballot_round, leaders["member"], member),
    ]
    services.round_close(ballot_round=ballot_round, by=world.secretariat)
    world.leader.set_password(
        "Ket-qua@Bo-phieu-2022"
    )  # outside DEBUG the demo password opens nothing
    world.leader.save()
    refused: list[str] = []
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    sign_in(page, live_server.url, "leader", "Ket-qua@Bo-phieu-2022")  # both steps

    page.goto(live_server.url + _results(ballot_round))
    page.wait_for_function(
        "() => window.Chart && window.Chart.getChart(document.querySelector('canvas'))"
    )
    bars = page.evaluate(
        "() => window.Chart.getChart(document.querySelector('canvas')).data.datasets[0].data"
    )
    assert [round(v, 2) for v in bars] == [66.67, 33.33, 0.0]

    items = page.locator("#danh-sach-bien-nhan li")
    expect(items).to_have_count(3)
    mine = receipts[2]
    page.get_by_label("Tìm mã biên nhận").fill(mine[:10].upper())
    expect(page.locator("#danh-sach-bien-nhan li:visible")).to_have_count(1)
    expect(page.locator("#danh-sach-bien-nhan li:visible")).to_have_text(mine)
    expect(page.locator("#so-bien-nhan")).to_have_text("1 / 3 phiếu khớp với mã đã nhập")
    page.get_by_label("Tìm mã biên nhận").fill("khong-co-ma-nay")
    expect(page.locator("#danh-sach-bien-nhan li:visible")).to_have_count(0)
    expect(page.locator("#so-bien-nhan")).to_have_text("Không tìm thấy mã này trong danh sách")
    page.get_by_label("Tìm mã biên nhận").fill("")
    expect(page.locator("#danh-sach-bien-nhan li:visible")).to_have_count(3)
    assert refused == []
