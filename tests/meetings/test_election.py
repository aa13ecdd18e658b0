"""Rotation and election: the rotation order and the bloc's history; the default proposal (this
year's vice chairs next year, the next unit in the order becomes vice, skipping this year's
chair); two secret ballot rounds opened with the units present; applying the result creates
next year's bloc year with its chair and vice and records the handover of the rotating flag,
and is refused while the rounds are not closed or did not elect their candidate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from awards import services as awards
from awards.models import BallotRound
from blocs.models import BlocYear
from meetings import selectors, services
from meetings.models import AgendaItem, Handover, RotationEntry
from meetings.views.election import seats_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaders(world):
    return {
        "chair": UserFactory(
            username="lanhdao.chu", full_name="Y Giang Niê", unit=world.chair, unit_role="leader"
        ),
        "vice": UserFactory(
            username="lanhdao.pho", full_name="Võ Văn Phụng", unit=world.vice, unit_role="leader"
        ),
        "member": world.leader,
    }


def _rotation(world, *units):
    services.rotation_set(
        bloc=world.bloc,
        units=list(units) or [world.chair, world.vice, world.member],
        by=world.secretariat,
    )


def _everyone_present(world, meeting):
    for unit in (world.chair, world.vice, world.member):
        registration = services.registration_save(
            meeting=meeting,
            unit=unit,
            by=world.secretariat,
            delegates=[{"full_name": f"Đại biểu {unit.short_name}"}],
        )
        services.check_in(
            meeting=meeting, token=registration.delegates.get().qr_token, by=world.secretariat
        )


def _election_url(name, meeting):
    return reverse(name, kwargs={"pk": meeting.pk})


def _open(world, meeting, login, **units):
    data = {
        "chair": (units.get("chair") or world.vice).pk,
        "vice": (units.get("vice") or world.member).pk,
    }
    return login(world.secretariat).post(_election_url("meeting_election", meeting), data)


def _vote_all(leaders, *rounds):
    for ballot_round in rounds:
        candidate = ballot_round.candidates.get()
        for leader in leaders.values():
            secret = awards.token_issue(ballot_round=ballot_round, unit=leader.unit, user=leader)
            awards.ballot_cast(
                ballot_round=ballot_round,
                unit=leader.unit,
                user=leader,
                secret=secret,
                choice_ids=[candidate.pk],
            )


def _close(world, *rounds):
    return [awards.round_close(ballot_round=r, by=world.secretariat) for r in rounds]


def _rounds(meeting):
    chair, vice = seats_of(meeting)
    return chair.round, vice.round


def _apply(world, meeting, login, day="2030-01-15"):
    return login(world.secretariat).post(
        _election_url("meeting_election_apply", meeting), {"handed_on": day}, follow=True
    )


# --- the rotation page --------------------------------------------------------------------------


def test_members_read_the_rotation_and_history(world, login):
    _rotation(world)
    Handover.objects.create(
        bloc=world.bloc,
        year=2022,
        from_unit=world.member,
        to_unit=world.chair,
        handed_on=dt.date(2021, 11, 10),
    )
    response = login(world.officer).get(reverse("bloc_rotation", kwargs={"bloc_pk": world.bloc.pk}))
    page = response.content.decode()
    order = page.split('data-testid="rotation"')[1].split("</ol>")[0]
    assert order.index("Đắk Lắk") < order.index("Lâm Đồng") < order.index("Bình Định")
    assert "Bình Định → Đắk Lắk" in page
    assert "10/11/2021" in page
    assert "Sửa thứ tự" not in page
    # The default proposal for next year, from the order.
    proposal = page.split('data-testid="proposal"')[1].split("</p>")[0]
    assert "trưởng Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng" in proposal
    assert "phó Ban Quản lý Khu kinh tế tỉnh Bình Định" in proposal


def test_only_the_latest_years_secretariat_edits_the_order(world, login):
    url = reverse("bloc_rotation", kwargs={"bloc_pk": world.bloc.pk})
    assert login(world.officer).post(url, {f"unit_{world.chair.pk}": "1"}).status_code == 403
    assert login(world.outsider).get(url).status_code == 404
    # Once next year exists, its secretariat (Lâm Đồng's officer) takes over.
    BlocYear.objects.create(bloc=world.bloc, year=2023, chair=world.vice, vice=world.member)
    assert login(world.secretariat).post(url, {f"unit_{world.chair.pk}": "1"}).status_code == 403


def test_the_secretariat_sets_the_order_by_positions(world, login):
    url = reverse("bloc_rotation", kwargs={"bloc_pk": world.bloc.pk})
    data = {
        f"unit_{world.chair.pk}": "3",
        f"unit_{world.vice.pk}": "1",
        f"unit_{world.member.pk}": "2",
    }
    response = login(world.secretariat).post(url, data)
    assert response.status_code == 302
    assert [e.unit for e in RotationEntry.objects.filter(bloc=world.bloc)] == [
        world.vice,
        world.member,
        world.chair,
    ]


def test_a_blank_position_leaves_a_unit_out_and_duplicates_are_refused(world, login):
    url = reverse("bloc_rotation", kwargs={"bloc_pk": world.bloc.pk})
    client = login(world.secretariat)
    page = client.post(
        url, {f"unit_{world.chair.pk}": "1", f"unit_{world.vice.pk}": "1"}
    ).content.decode()
    assert "Thứ tự 1 trùng với" in page
    assert not RotationEntry.objects.exists()
    client.post(url, {f"unit_{world.chair.pk}": "2", f"unit_{world.vice.pk}": "1"})
    assert [e.unit for e in RotationEntry.objects.all()] == [world.vice, world.chair]


# --- the default proposal -----------------------------------------------------------------------


def test_the_vice_chairs_next_year_and_the_next_in_order_becomes_vice(world):
    _rotation(world, world.chair, world.vice, world.member)
    assert services.election_proposal(bloc_year=world.bloc_year) == (world.vice, world.member)


def test_the_proposal_skips_this_years_chair(world):
    # After Lâm Đồng (the vice) comes Đắk Lắk, this year's chair: skipped, Bình Định is next.
    _rotation(world, world.vice, world.chair, world.member)
    assert services.election_proposal(bloc_year=world.bloc_year) == (world.vice, world.member)


def test_the_proposal_wraps_around_the_order(world):
    _rotation(world, world.member, world.chair, world.vice)
    assert services.election_proposal(bloc_year=world.bloc_year) == (world.vice, world.member)


# --- opening the election -----------------------------------------------------------------------


def test_the_election_page_shows_the_default_proposal(world, meeting, login):
    _rotation(world)
    page = login(world.secretariat).get(_election_url("meeting_election", meeting)).content.decode()
    proposal = page.split('data-testid="proposal"')[1].split("</dl>")[0]
    assert "Lâm Đồng" in proposal
    assert "Bình Định" in proposal
    assert "Bầu Khối trưởng, Khối phó năm 2023" in page
    # The form starts from the proposal.
    assert f'<option value="{world.vice.pk}" selected>' in page


def test_opening_creates_two_open_election_rounds_with_the_units_present(world, meeting, login):
    _rotation(world)
    _everyone_present(world, meeting)
    response = _open(world, meeting, login)
    assert response.status_code == 302
    chair_round, vice_round = _rounds(meeting)
    assert (chair_round.title, vice_round.title) == (
        "Bầu Khối trưởng năm 2023",
        "Bầu Khối phó năm 2023",
    )
    for ballot_round, unit in ((chair_round, world.vice), (vice_round, world.member)):
        assert ballot_round.purpose == "election"
        assert ballot_round.award_type is None
        assert ballot_round.status == BallotRound.Status.OPEN
        assert (ballot_round.seats, ballot_round.max_choices, ballot_round.present_units) == (
            1,
            1,
            3,
        )
        assert [c.unit for c in ballot_round.candidates.all()] == [unit]
    # The rounds hang on the "elect" agenda items: the hall's board follows them.
    linked = AgendaItem.objects.filter(meeting=meeting, action=AgendaItem.Action.ELECT).order_by(
        "position"
    )
    assert [i.ballot_round for i in linked] == [chair_round, vice_round]
    assert selectors.live_board(meeting=meeting).round_title == "Bầu Khối trưởng năm 2023"
    page = login(world.secretariat).get(response["Location"]).content.decode()
    assert reverse("ballot_round_detail", kwargs={"pk": chair_round.pk}) in page
    assert reverse("ballot_cast", kwargs={"pk": vice_round.pk}) in page


def test_the_secretariat_may_change_the_proposal(world, meeting, login):
    _rotation(world)
    _open(world, meeting, login, chair=world.member, vice=world.chair)
    chair_round, vice_round = _rounds(meeting)
    assert chair_round.candidates.get().unit == world.member
    assert vice_round.candidates.get().unit == world.chair


def test_the_same_unit_for_both_seats_is_refused(world, meeting, login):
    response = _open(world, meeting, login, chair=world.member, vice=world.member)
    assert "Khối trưởng và Khối phó phải là hai đơn vị khác nhau." in response.content.decode()
    assert not BallotRound.objects.exists()


def test_open_rounds_are_not_opened_twice(world, meeting, login):
    _rotation(world)
    client = login(world.secretariat)
    data = {"chair": world.vice.pk, "vice": world.member.pk}
    client.post(_election_url("meeting_election", meeting), data)
    response = client.post(_election_url("meeting_election", meeting), data, follow=True)
    assert BallotRound.objects.count() == 2
    assert "Không còn vị trí nào cần bầu." in response.content.decode()


# --- applying the result ------------------------------------------------------------------------


def test_apply_is_refused_while_the_rounds_are_open(world, meeting, login):
    _rotation(world)
    _everyone_present(world, meeting)
    _open(world, meeting, login)
    page = _apply(world, meeting, login).content.decode()
    assert "Chưa áp dụng được kết quả bầu" in page
    assert "chưa kết thúc bỏ phiếu" in page
    assert not BlocYear.objects.filter(bloc=world.bloc, year=2023).exists()


def test_apply_is_refused_before_any_round(world, meeting, login):
    page = _apply(world, meeting, login).content.decode()
    assert "Chưa tạo vòng “Bầu Khối trưởng năm 2023”." in page


def test_apply_is_refused_when_a_round_did_not_elect(world, meeting, login, leaders):
    _rotation(world)
    _open(world, meeting, login)  # nobody checked in: the quorum is not met
    rounds = _rounds(meeting)
    _vote_all(leaders, *rounds)
    _close(world, *rounds)
    page = _apply(world, meeting, login).content.decode()
    assert "không bầu được Lâm Đồng (không đủ số đơn vị tham dự tối thiểu)" in page
    assert not Handover.objects.exists()


def test_apply_creates_next_year_with_its_chair_and_vice_and_the_handover(
    world, meeting, login, leaders
):
    _rotation(world)
    _everyone_present(world, meeting)
    _open(world, meeting, login)
    rounds = _rounds(meeting)
    _vote_all(leaders, *rounds)
    _close(world, *rounds)
    response = _apply(world, meeting, login, day="2030-01-15")
    assert (
        response.redirect_chain[-1][0]
        == reverse("bloc_detail", kwargs={"pk": world.bloc.pk}) + "?nam=2023"
    )
    assert (
        "Khối trưởng năm 2023: Ban Quản lý các khu công nghiệp tỉnh Lâm Đồng"
        in response.content.decode()
    )
    next_year = BlocYear.objects.get(bloc=world.bloc, year=2023)
    assert (next_year.chair, next_year.vice) == (world.vice, world.member)
    handover = Handover.objects.get(bloc=world.bloc, year=2023)
    assert (handover.from_unit, handover.to_unit, handover.handed_on) == (
        world.chair,
        world.vice,
        dt.date(2030, 1, 15),
    )
    assert handover.meeting == meeting
    page = login(world.secretariat).get(_election_url("meeting_election", meeting)).content.decode()
    assert 'data-testid="applied"' in page
    assert "Tạo và mở bỏ phiếu" not in page
    # Twice: refused, nothing changes.
    assert "Cờ luân lưu năm 2023 đã được trao." in _apply(world, meeting, login).content.decode()
    assert Handover.objects.count() == 1


def test_a_failed_seat_is_voted_again_and_a_won_seat_kept(world, meeting, login, leaders):
    _rotation(world)
    _everyone_present(world, meeting)
    _open(world, meeting, login)
    chair_round, vice_round = _rounds(meeting)
    _vote_all(leaders, chair_round)
    _close(world, chair_round, vice_round)  # nobody voted for the vice: not elected
    page = login(world.secretariat).get(_election_url("meeting_election", meeting)).content.decode()
    assert "không bầu được Bình Định" in page
    assert "Tạo và mở bỏ phiếu" in page
    _open(world, meeting, login, chair=world.member, vice=world.chair)  # the chair field is locked
    new_chair_round, new_vice_round = _rounds(meeting)
    assert new_chair_round == chair_round
    assert new_vice_round != vice_round
    assert new_vice_round.candidates.get().unit == world.chair
    assert new_vice_round.status == BallotRound.Status.OPEN
