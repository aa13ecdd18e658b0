"""Ballot rounds as the bloc uses them: creating and opening a round, one secret ballot per unit,
refusals, the live count without results, the rules that decide a round (quorum, "trên 50%",
ties and their run-off or score tie-break), paper ballots with a second member's confirmation,
and the receipt published after the close."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from awards import selectors, services
from awards.models import (
    AwardType,
    Ballot,
    BallotRound,
    Candidate,
    Nomination,
    PaperTally,
    VoterToken,
)
from covenants.services import bloc_document_publish
from tests.awards.conftest import flag_round
from tests.awards.matrix_ballots import opened, second_secretary, tally_entered
from tests.factories import MembershipFactory, MemberUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

ALREADY_VOTED = "Đơn vị đã bỏ phiếu trong vòng này."
RECEIPT_NOTE = "Hãy lưu mã này; sau khi kết thúc bỏ phiếu, mã sẽ có trong danh sách công bố"


def _url(name: str, ballot_round: BallotRound) -> str:
    return reverse(name, kwargs={"pk": ballot_round.pk})


def _secret_in(page: str) -> str:
    return re.search(r'name="secret" value="([^"]+)"', page).group(1)


def _receipt_in(page: str) -> str:
    return re.search(r'data-testid="receipt">([0-9a-f]{64})<', page).group(1)


def _candidates(ballot_round: BallotRound) -> dict[str, Candidate]:
    """The candidates by short name of their unit: "chair", "vice", "member"."""
    return {
        ("chair", "vice", "member")[c.position - 1]: c
        for c in ballot_round.candidates.order_by("position")
    }


def _cast_in_browser(client, ballot_round: BallotRound, choices: list[int]):
    """What the ballot page does: fetch a ballot (and its secret), tick, send."""
    secret = _secret_in(client.get(_url("ballot_cast", ballot_round)).content.decode())
    return client.post(_url("ballot_cast", ballot_round), {"secret": secret, "choices": choices})


def vote(leader, ballot_round: BallotRound, *choices: Candidate) -> str:
    secret = services.token_issue(ballot_round=ballot_round, unit=leader.unit, user=leader)
    return services.ballot_cast(
        ballot_round=ballot_round,
        unit=leader.unit,
        user=leader,
        secret=secret,
        choice_ids=[c.pk for c in choices],
    )


def _close(world, ballot_round: BallotRound) -> dict:
    return services.round_close(ballot_round=ballot_round, by=world.secretariat).results


def _row(results: dict, candidate: Candidate) -> dict:
    return next(r for r in results["candidates"] if r["id"] == candidate.pk)


def _regulation(world, **parameters) -> None:
    bloc_document_publish(
        bloc=world.bloc,
        kind="regulation",
        title="Quy chế hoạt động của Khối",
        valid_from_year=2022,
        by=world.secretariat,
        parameters=parameters,
    )


# --- creating and opening a round -------------------------------------------------------------


def test_the_create_page_shows_the_rules_that_will_apply(world, login):
    _regulation(world, quorum="3/4", base="present", pass_share="0.5", tie_break="score")
    page = (
        login(world.secretariat)
        .get(reverse("ballot_round_create", kwargs={"bloc_pk": world.bloc.pk, "year": 2022}))
        .content.decode()
    )
    assert "Quy tắc sẽ áp dụng" in page
    assert "3/4 (75%) tổng số đơn vị thành viên trở lên" in page
    assert "đạt trên 50% số phiếu tính trên số đơn vị thành viên có mặt" in page
    assert "xét theo điểm thi đua" in page


def _nomination(world, unit, *, award="co-thi-dua-bo", score="90", rank=1, **kwargs) -> Nomination:
    return Nomination.objects.create(
        bloc_year=world.bloc_year,
        award_type=AwardType.objects.get(code=award),
        unit=unit,
        source=Nomination.Source.SECRETARIAT,
        score=Decimal(score),
        rank=rank,
        **kwargs,
    )


def test_the_secretariat_creates_a_round_among_the_nominations(world, login):
    first, second = _nomination(world, world.chair, rank=1), _nomination(world, world.vice, rank=2)
    _nomination(world, world.member, rank=3, withdrawn=True)
    client = login(world.secretariat)
    url = reverse("ballot_round_create", kwargs={"bloc_pk": world.bloc.pk, "year": 2022})
    page = client.get(url).content.decode()
    assert (
        world.member.full_name not in page.split('name="units"')[0]
    )  # the withdrawn one is not offered
    response = client.post(
        url,
        {
            "purpose": "award",
            "award_type": first.award_type_id,
            "title": "Suy tôn Cờ thi đua của Bộ",
            "nominations": [first.pk, second.pk],
            "max_choices": "1",
            "seats": "1",
            "mode": "electronic",
            "held_on": "2022-12-20",
        },
    )
    ballot_round = BallotRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("ballot_round_detail", ballot_round)
    assert ballot_round.status == BallotRound.Status.DRAFT
    assert ballot_round.member_units == 3
    assert [c.nomination for c in ballot_round.candidates.order_by("position")] == [first, second]
    assert str(ballot_round.held_on) == "2022-12-20"


def test_a_round_refuses_a_nomination_of_another_award(world, login):
    flag = _nomination(world, world.chair)
    merit = _nomination(world, world.vice, award="bang-khen-tap-the")
    response = login(world.secretariat).post(
        reverse("ballot_round_create", kwargs={"bloc_pk": world.bloc.pk, "year": 2022}),
        {
            "purpose": "award",
            "award_type": flag.award_type_id,
            "title": "Bình xét",
            "nominations": [flag.pk, merit.pk],
            "max_choices": "1",
            "seats": "1",
            "mode": "electronic",
        },
    )
    assert response.status_code == 200
    assert "Chỉ chọn đề cử của hình thức “Cờ thi đua của Bộ”." in response.content.decode()
    assert not BallotRound.objects.exists()


def test_an_election_is_among_the_member_units(world, login):
    response = login(world.secretariat).post(
        reverse("ballot_round_create", kwargs={"bloc_pk": world.bloc.pk, "year": 2022}),
        {
            "purpose": "election",
            "title": "Bầu Khối trưởng năm 2023",
            "units": [world.vice.pk, world.member.pk],
            "max_choices": "1",
            "seats": "1",
            "mode": "paper",
        },
    )
    assert response.status_code == 302
    ballot_round = BallotRound.objects.get()
    assert ballot_round.purpose == "election"
    assert ballot_round.award_type is None
    assert ballot_round.mode == BallotRound.Mode.PAPER
    assert {c.unit for c in ballot_round.candidates.all()} == {world.vice, world.member}


def test_the_secretariat_opens_a_round_with_the_units_present(world, login):
    ballot_round = flag_round(world)
    client = login(world.secretariat)
    refused = client.post(
        _url("ballot_round_open", ballot_round), {"present_units": "4"}, follow=True
    )
    assert "Số đơn vị có mặt không quá 3 (số đơn vị thành viên)." in refused.content.decode()
    ballot_round.refresh_from_db()
    assert ballot_round.status == BallotRound.Status.DRAFT
    response = client.post(_url("ballot_round_open", ballot_round), {"present_units": "3"})
    assert response.status_code == 302
    ballot_round.refresh_from_db()
    assert ballot_round.status == BallotRound.Status.OPEN
    assert ballot_round.present_units == 3
    again = client.post(_url("ballot_round_open", ballot_round), {}, follow=True)
    assert "Vòng bỏ phiếu đã mở hoặc đã kết thúc." in again.content.decode()


# --- one secret ballot per unit ---------------------------------------------------------------


def test_a_leader_votes_once_and_sees_the_receipt_once(world, open_round, login):
    client = login(world.leader)
    page = client.get(_url("ballot_cast", open_round)).content.decode()
    assert "Chọn tối đa 1 ứng viên" in page
    assert page.count('type="checkbox"') == 3
    chair = _candidates(open_round)["chair"]
    response = _cast_in_browser(client, open_round, [chair.pk])
    page = response.content.decode()
    ballot = Ballot.objects.get()
    assert response.status_code == 200
    assert _receipt_in(page) == ballot.receipt
    assert RECEIPT_NOTE in page
    assert "no-store" in response["Cache-Control"]
    assert 'name="secret"' not in page
    assert list(ballot.choices.all()) == [chair]
    assert VoterToken.objects.get(round=open_round, unit=world.member).used
    # Nothing about the receipt survives in the session (no messages framework).
    assert (
        ballot.receipt not in client.get(_url("ballot_round_detail", open_round)).content.decode()
    )


def test_a_cast_through_htmx_gets_only_the_part_it_replaces(world, open_round, login):
    """The ballot's form posts through HTMX: the answer is #phieu-bau alone (the receipt, or the
    ballot again with its reason and a new secret), not the page with its layout."""
    client = login(world.leader)
    chair, vice = _candidates(open_round)["chair"], _candidates(open_round)["vice"]
    page = client.get(_url("ballot_cast", open_round)).content.decode()
    assert 'hx-post="' in page
    assert 'hx-target="#phieu-bau"' in page
    assert page.count('id="phieu-bau"') == 1
    htmx = {"HTTP_HX_REQUEST": "true"}
    refused = client.post(
        _url("ballot_cast", open_round),
        {"secret": _secret_in(page), "choices": [chair.pk, vice.pk]},
        **htmx,
    ).content.decode()
    assert refused.startswith('<section id="phieu-bau"')
    assert "<html" not in refused
    assert "Chỉ được chọn tối đa 1 ứng viên." in refused
    assert not Ballot.objects.exists()
    response = client.post(
        _url("ballot_cast", open_round),
        {"secret": _secret_in(refused), "choices": [chair.pk]},
        **htmx,
    )
    answer = response.content.decode()
    assert answer.startswith('<section id="phieu-bau"')
    assert "<html" not in answer
    assert _receipt_in(answer) == Ballot.objects.get().receipt
    assert RECEIPT_NOTE in answer
    assert "no-store" in response["Cache-Control"]


def test_a_cast_without_script_gets_the_whole_receipt_page(world, open_round, login):
    client = login(world.leader)
    response = _cast_in_browser(client, open_round, [_candidates(open_round)["chair"].pk])
    page = response.content.decode()
    assert "<html" in page
    assert "<h1" in page
    assert page.count('id="phieu-bau"') == 1
    assert _receipt_in(page) == Ballot.objects.get().receipt


def test_the_unit_cannot_vote_twice_even_through_another_leader(world, open_round, login):
    client = login(world.leader)
    secret = _secret_in(client.get(_url("ballot_cast", open_round)).content.decode())
    chair, vice = _candidates(open_round)["chair"], _candidates(open_round)["vice"]
    assert (
        client.post(
            _url("ballot_cast", open_round), {"secret": secret, "choices": [chair.pk]}
        ).status_code
        == 200
    )
    replay = client.post(
        _url("ballot_cast", open_round), {"secret": secret, "choices": [vice.pk]}
    ).content.decode()
    assert ALREADY_VOTED in replay
    assert 'name="secret"' not in replay
    assert ALREADY_VOTED in client.get(_url("ballot_cast", open_round)).content.decode()
    deputy = UserFactory(username="lanhdao.binhdinh2", unit=world.member, unit_role="leader")
    page = login(deputy).get(_url("ballot_cast", open_round)).content.decode()
    assert ALREADY_VOTED in page
    assert 'name="secret"' not in page
    with pytest.raises(ValidationError, match=ALREADY_VOTED):
        services.token_issue(ballot_round=open_round, unit=world.member, user=deputy)
    assert Ballot.objects.count() == 1
    assert list(Ballot.objects.get().choices.all()) == [chair]


def test_the_detail_page_offers_the_vote_until_the_unit_has_voted(world, open_round, login):
    client = login(world.leader)
    assert (
        _url("ballot_cast", open_round)
        in client.get(_url("ballot_round_detail", open_round)).content.decode()
    )
    vote(world.leader, open_round, _candidates(open_round)["chair"])
    page = client.get(_url("ballot_round_detail", open_round)).content.decode()
    assert _url("ballot_cast", open_round) not in page
    assert "Đơn vị bạn đã bỏ phiếu trong vòng này." in page
    officer_page = (
        login(world.officer).get(_url("ballot_round_detail", open_round)).content.decode()
    )
    assert _url("ballot_cast", open_round) not in officer_page


@pytest.mark.parametrize("role", ["officer", "secretariat", "ministry"])
def test_only_a_leader_votes(world, open_round, login, role):
    client = login(world.user(role))
    assert client.get(_url("ballot_cast", open_round)).status_code == 403
    response = client.post(_url("ballot_cast", open_round), {"secret": "x", "choices": []})
    assert response.status_code == 403
    assert not VoterToken.objects.exists()
    assert not Ballot.objects.exists()


def test_too_many_choices_are_refused_and_nothing_is_stored(world, open_round, login):
    client = login(world.leader)
    chair, vice = _candidates(open_round)["chair"], _candidates(open_round)["vice"]
    response = _cast_in_browser(client, open_round, [chair.pk, vice.pk])
    page = response.content.decode()
    assert "Chỉ được chọn tối đa 1 ứng viên." in page
    assert not Ballot.objects.exists()
    assert not VoterToken.objects.filter(round=open_round).exists()
    # The ballot comes back with a fresh secret and the boxes as they were ticked.
    assert re.search(rf'name="choices" value="{chair.pk}"[^>]*checked', page)
    response = client.post(
        _url("ballot_cast", open_round), {"secret": _secret_in(page), "choices": [vice.pk]}
    )
    assert list(Ballot.objects.get().choices.all()) == [vice]


def test_a_choice_from_another_round_is_refused(world, open_round, login):
    other = opened(world)
    foreign = other.candidates.first()
    response = _cast_in_browser(login(world.leader), open_round, [foreign.pk])
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not Ballot.objects.exists()


def test_a_closed_round_refuses_ballots(world, open_round, login):
    client = login(world.leader)
    secret = _secret_in(client.get(_url("ballot_cast", open_round)).content.decode())
    services.round_close(ballot_round=open_round, by=world.secretariat)
    page = client.post(
        _url("ballot_cast", open_round),
        {"secret": secret, "choices": [_candidates(open_round)["chair"].pk]},
    ).content.decode()
    assert "Vòng bỏ phiếu đã đóng." in page
    assert 'name="secret"' not in page
    assert (
        "Vòng bỏ phiếu không mở để bỏ phiếu điện tử."
        in client.get(_url("ballot_cast", open_round)).content.decode()
    )
    assert not Ballot.objects.exists()


def test_a_draft_round_has_no_ballot_yet(world, leaders, login):
    ballot_round = flag_round(world)
    page = login(world.leader).get(_url("ballot_cast", ballot_round)).content.decode()
    assert "Vòng bỏ phiếu không mở để bỏ phiếu điện tử." in page
    assert not VoterToken.objects.exists()


# --- nothing of the results before the close --------------------------------------------------


VOTE_COUNT = re.compile(r"\d+\s*phiếu\b|\d+(?:[.,]\d+)?\s*%")


def test_results_are_invisible_before_the_close(world, leaders, login):
    ballot_round = opened(world, max_choices=2)
    c = _candidates(ballot_round)
    receipts = [
        vote(leaders["chair"], ballot_round, c["chair"], c["vice"]),
        vote(leaders["vice"], ballot_round, c["chair"], c["vice"]),
        vote(leaders["member"], ballot_round, c["chair"]),
    ]
    for role in ("secretariat", "ministry", "officer", "leader"):
        client = login(world.user(role))
        page = client.get(_url("ballot_round_detail", ballot_round)).content.decode()
        partial = client.get(_url("ballot_round_progress", ballot_round)).content.decode()
        assert "3/3 đơn vị đã bỏ phiếu" in page
        assert "3/3 đơn vị đã bỏ phiếu" in partial
        rules = page.split('id="quy-tac"')[1].split("</section>")[0]
        for html in (page.replace(rules, ""), partial):
            assert not VOTE_COUNT.search(html), (role, VOTE_COUNT.search(html))
            assert _url("ballot_round_results", ballot_round) not in html
            assert "data-votes" not in html
            assert not any(receipt in html for receipt in receipts)
    assert selectors.published_receipts(ballot_round=ballot_round) == []
    # The results page itself (awards/views/results.py) refuses until the close.
    assert login(world.leader).get(_url("ballot_round_results", ballot_round)).status_code in {
        302,
        403,
    }


def test_the_progress_partial_polls_while_open_and_links_the_results_after(
    world, open_round, login
):
    client = login(world.officer)
    vote(world.leader, open_round, _candidates(open_round)["vice"])
    partial = client.get(_url("ballot_round_progress", open_round)).content.decode()
    assert partial.lstrip().startswith('<div id="tien-do"')
    assert "<html" not in partial
    assert f'hx-get="{_url("ballot_round_progress", open_round)}"' in partial
    assert '<progress class="portal-progress" value="1" max="3">' in partial
    assert "1/3 đơn vị đã bỏ phiếu" in partial
    services.round_close(ballot_round=open_round, by=world.secretariat)
    partial = client.get(_url("ballot_round_progress", open_round)).content.decode()
    assert "hx-get" not in partial
    assert _url("ballot_round_results", open_round) in partial


def test_the_detail_page_states_the_rules(world, open_round, login):
    page = login(world.leader).get(_url("ballot_round_detail", open_round)).content.decode()
    assert "2/3 (66,67%) tổng số đơn vị thành viên trở lên" in page
    assert "đạt trên 50% số phiếu tính trên tổng số đơn vị thành viên" in page
    assert "bỏ phiếu lại giữa các ứng viên bằng phiếu" in page
    for unit in (world.chair, world.vice, world.member):
        assert unit.full_name in page


# --- closing: the rules decide ----------------------------------------------------------------


def test_closing_redirects_to_the_results(world, open_round, login):
    response = login(world.secretariat).post(_url("ballot_round_close", open_round))
    assert response.status_code == 302
    assert response["Location"] == _url("ballot_round_results", open_round)
    open_round.refresh_from_db()
    assert open_round.status == BallotRound.Status.CLOSED
    again = login(world.secretariat).post(_url("ballot_round_close", open_round))
    assert again["Location"] == _url("ballot_round_detail", open_round)


def test_the_receipt_is_published_after_the_close(world, open_round, leaders, login):
    page = _cast_in_browser(login(world.leader), open_round, [_candidates(open_round)["chair"].pk])
    receipt = _receipt_in(page.content.decode())
    vote(leaders["chair"], open_round, _candidates(open_round)["chair"])
    login(world.secretariat).post(_url("ballot_round_close", open_round))
    open_round.refresh_from_db()
    assert receipt in open_round.results["receipts"]
    assert len(open_round.results["receipts"]) == 2
    assert receipt in selectors.published_receipts(ballot_round=open_round)


def test_quorum_not_met_elects_nobody(world, leaders):
    _regulation(world, base="present")
    ballot_round = opened(world)
    vote(
        leaders["chair"], ballot_round, _candidates(ballot_round)["chair"]
    )  # 1 of 3 units: 100% of those present
    results = _close(world, ballot_round)
    assert results["quorum_met"] is False
    assert not any(r["elected"] for r in results["candidates"])
    assert (
        _row(results, _candidates(ballot_round)["chair"])["rule"]
        == "không đủ số đơn vị tham dự tối thiểu"
    )


def test_two_of_three_members_meet_a_two_thirds_quorum(world, leaders):
    ballot_round = opened(world)
    chair = _candidates(ballot_round)["chair"]
    vote(leaders["chair"], ballot_round, chair)
    vote(leaders["vice"], ballot_round, chair)
    assert _close(world, ballot_round)["quorum_met"] is True


def _fourth_member(world):
    unit = MemberUnitFactory(full_name="Ban Quản lý Khu kinh tế tỉnh Phú Yên", short_name="Phú Yên")
    MembershipFactory(bloc=world.bloc, unit=unit, from_year=2019)
    return UserFactory(username="lanhdao.phuyen", unit=unit, unit_role="leader")


def test_exactly_half_of_the_votes_is_not_above_half(world, leaders):
    fourth = _fourth_member(world)
    ballot_round = opened(world)
    c = _candidates(ballot_round)
    vote(leaders["chair"], ballot_round, c["chair"])
    vote(leaders["member"], ballot_round, c["chair"])
    vote(leaders["vice"], ballot_round, c["vice"])
    vote(fourth, ballot_round, c["vice"])
    results = _close(world, ballot_round)
    assert results["quorum_met"]
    assert results["base"] == 4
    for name in ("chair", "vice"):
        row = _row(results, c[name])
        assert (row["votes"], row["share"], row["passed"], row["elected"]) == (
            2,
            "0.5000",
            False,
            False,
        )
        assert row["rule"] == "không đạt trên 50% phiếu"
    assert results["tie"] == []
    assert "runoff_round" not in results


def test_more_than_half_is_elected(world, leaders):
    ballot_round = opened(world)
    c = _candidates(ballot_round)
    for leader in leaders.values():
        vote(leader, ballot_round, c["vice"])
    results = _close(world, ballot_round)
    assert _row(results, c["vice"])["elected"] is True
    assert [p.unit for p in ballot_round.proposals.all()] == [world.vice]


def test_a_tie_at_the_last_seat_opens_a_runoff(world, leaders):
    ballot_round = opened(world, max_choices=2)
    c = _candidates(ballot_round)
    for leader in leaders.values():
        vote(leader, ballot_round, c["chair"], c["vice"])
    results = _close(world, ballot_round)
    assert results["tie"] == [world.chair.full_name, world.vice.full_name]
    assert not any(r["elected"] for r in results["candidates"])
    assert _row(results, c["chair"])["rule"] == "bằng phiếu ở suất cuối: bỏ phiếu lại"
    runoff = BallotRound.objects.get(pk=results["runoff_round"])
    assert runoff.runoff_of == ballot_round
    assert runoff.status == BallotRound.Status.DRAFT
    assert {cand.unit for cand in runoff.candidates.all()} == {world.chair, world.vice}
    assert runoff.seats == 1
    assert runoff.max_choices == 1
    assert not ballot_round.proposals.exists()


def test_a_tie_is_settled_by_score_when_the_regulation_says_so(world, leaders):
    _regulation(world, tie_break="score")
    nominations = [
        _nomination(world, world.chair, score="88.5", rank=2),
        _nomination(world, world.vice, score="93.25", rank=1),
        _nomination(world, world.member, score="80", rank=3),
    ]
    ballot_round = services.round_create(
        bloc_year=world.bloc_year,
        title="Bình xét Cờ thi đua của Bộ",
        by=world.secretariat,
        candidates=nominations,
        award_type=nominations[0].award_type,
        max_choices=2,
    )
    assert ballot_round.tie_break == BallotRound.TieBreak.SCORE
    ballot_round = services.round_open(ballot_round=ballot_round, by=world.secretariat)
    chair, vice = (ballot_round.candidates.get(nomination=n) for n in nominations[:2])
    for leader in leaders.values():
        vote(leader, ballot_round, chair, vice)
    results = _close(world, ballot_round)
    assert _row(results, vice)["elected"] is True
    assert _row(results, vice)["rule"] == "bằng phiếu, trúng theo điểm thi đua cao hơn"
    assert _row(results, chair)["elected"] is False
    assert "runoff_round" not in results
    proposal = ballot_round.proposals.get()
    assert (proposal.unit, proposal.score, proposal.votes) == (world.vice, Decimal("93.25"), 3)


# --- paper ballots ----------------------------------------------------------------------------


def _tally_data(ballot_round: BallotRound, counts=(2, 1, 0), issued=3, returned=3, valid=3) -> dict:
    data = {"issued": issued, "returned": returned, "valid": valid}
    for candidate, n in zip(ballot_round.candidates.order_by("position"), counts, strict=True):
        data[f"votes_{candidate.pk}"] = n
    return data


def test_paper_ballots_need_a_second_member_to_confirm_before_the_close(world, login):
    ballot_round = opened(world, mode="paper")
    client = login(world.secretariat)
    assert (
        "Nhập kết quả kiểm phiếu"
        in client.get(_url("ballot_paper_tally", ballot_round)).content.decode()
    )
    response = client.post(_url("ballot_paper_tally", ballot_round), _tally_data(ballot_round))
    assert response.status_code == 302
    tally = PaperTally.objects.get(round=ballot_round)
    assert (tally.entered_by, tally.ballots_valid, tally.confirmed_by) == (
        world.secretariat,
        3,
        None,
    )
    page = client.get(_url("ballot_paper_tally", ballot_round)).content.decode()
    assert (
        _url("ballot_paper_confirm", ballot_round) not in page
    )  # not offered to the one who entered it

    refused = client.post(_url("ballot_paper_confirm", ballot_round), follow=True).content.decode()
    assert "Người xác nhận phải là thành viên khác của ban kiểm phiếu." in refused
    early = client.post(_url("ballot_round_close", ballot_round), follow=True).content.decode()
    assert "Kết quả kiểm phiếu giấy chưa được thành viên thứ hai xác nhận." in early
    ballot_round.refresh_from_db()
    assert ballot_round.status == BallotRound.Status.OPEN

    other = login(second_secretary(world))
    page = other.get(_url("ballot_paper_tally", ballot_round)).content.decode()
    assert _url("ballot_paper_confirm", ballot_round) in page
    assert other.post(_url("ballot_paper_confirm", ballot_round)).status_code == 302
    tally.refresh_from_db()
    assert tally.confirmed_by.username == "thuky.pho"

    response = client.post(_url("ballot_round_close", ballot_round))
    assert response["Location"] == _url("ballot_round_results", ballot_round)
    ballot_round.refresh_from_db()
    results = ballot_round.results
    assert results["voters"] == 3
    assert _row(results, _candidates(ballot_round)["chair"])["votes"] == 2
    assert _row(results, _candidates(ballot_round)["chair"])["elected"] is True


def test_the_matrix_confirmation_is_a_real_one(world, login):
    ballot_round = tally_entered(world)
    login(world.secretariat).post(_url("ballot_paper_confirm", ballot_round))
    assert PaperTally.objects.get(round=ballot_round).confirmed_by == world.secretariat


def test_an_inconsistent_tally_is_refused(world, login):
    ballot_round = opened(world, mode="paper")
    response = login(world.secretariat).post(
        _url("ballot_paper_tally", ballot_round),
        _tally_data(ballot_round, issued=3, returned=4, valid=3),
    )
    assert response.status_code == 200
    assert "Số phiếu hợp lệ ≤ số phiếu thu về ≤ số phiếu phát ra." in response.content.decode()
    assert not PaperTally.objects.exists()


def test_an_electronic_round_has_no_paper_tally(world, open_round, login):
    assert login(world.secretariat).get(_url("ballot_paper_tally", open_round)).status_code == 404


def test_a_paper_round_offers_no_electronic_ballot(world, leaders, login):
    ballot_round = opened(world, mode="paper")
    page = login(world.leader).get(_url("ballot_round_detail", ballot_round)).content.decode()
    assert _url("ballot_cast", ballot_round) not in page
    assert (
        "Vòng bỏ phiếu không mở để bỏ phiếu điện tử."
        in login(world.leader).get(_url("ballot_cast", ballot_round)).content.decode()
    )
