"""Presence from check-in feeds what happens in the hall: award and election rounds opened at a
conference take the units checked in at opening as their presence and keep it until they close
(what the vote-count minutes record); only a round without a conference takes a typed number.
A signing ceremony on a conference's agenda lets only units checked in sign in ceremony mode,
and the hall's screen counts the same presence and the ceremony's own tally."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from awards import services as awards
from awards.models import BallotRound
from covenants import services as covenants
from covenants.models import Signature
from meetings import selectors, services
from meetings.models import AgendaItem
from tests.awards.conftest import flag_round
from tests.covenants.conftest import make_covenant
from tests.factories import UserFactory
from tests.meetings.conftest import make_meeting

pytestmark = pytest.mark.django_db

OWN_PASSWORD = "Le-ky@Giao-uoc-2022"


@pytest.fixture
def leaders(world) -> dict[str, object]:
    return {
        "chair": UserFactory(username="lanhdao.chu", unit=world.chair, unit_role="leader"),
        "vice": UserFactory(username="lanhdao.pho", unit=world.vice, unit_role="leader"),
    }


def _today_meeting(world, **kwargs):
    """A conference of bloc A's 2022 year held today at 9:00 (local time)."""
    starts = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(9, 0)))
    return services.meeting_create(
        bloc_year=world.bloc_year,
        title=kwargs.pop("title", "Hội nghị tổng kết công tác thi đua năm 2022"),
        starts_at=starts,
        host_unit=world.chair,
        address="Hội trường Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk",
        by=world.secretariat,
        **kwargs,
    )


def _check_in(world, meeting, *units):
    for unit in units:
        registration = services.registration_save(
            meeting=meeting,
            unit=unit,
            by=world.secretariat,
            delegates=[{"full_name": f"Đại biểu {unit.short_name}"}],
        )
        services.check_in(
            meeting=meeting, token=registration.delegates.get().qr_token, by=world.secretariat
        )


def _on_agenda(world, meeting, action, **links):
    item = AgendaItem.objects.get(meeting=meeting, action=action)
    services.agenda_item_save(
        meeting=meeting, by=world.secretariat, item=item, action=action, title=item.title, **links
    )


def _open_url(ballot_round):
    return reverse("ballot_round_open", kwargs={"pk": ballot_round.pk})


# --- award rounds at a conference ---------------------------------------------------------------


def test_a_round_opened_at_the_conference_counts_the_units_checked_in(world):
    meeting = _today_meeting(world)
    _check_in(world, meeting, world.chair, world.vice)
    ballot_round = services.round_open_at_conference(
        ballot_round=flag_round(world), meeting=meeting, by=world.secretariat
    )
    assert ballot_round.status == BallotRound.Status.OPEN
    assert (ballot_round.present_units, ballot_round.member_units) == (2, 3)
    # On the conference's "award vote" agenda item: the hall's screen follows it.
    item = AgendaItem.objects.get(meeting=meeting, ballot_round=ballot_round)
    assert item.action == AgendaItem.Action.AWARD_VOTE
    assert AgendaItem.objects.filter(meeting=meeting, action=item.action).count() == 1


def test_the_presence_is_frozen_at_opening(world, leaders):
    meeting = _today_meeting(world)
    _check_in(world, meeting, world.chair, world.vice)
    ballot_round = services.round_open_at_conference(
        ballot_round=flag_round(world), meeting=meeting, by=world.secretariat
    )
    _check_in(world, meeting, world.member)  # arrives after the vote opened
    ballot_round.refresh_from_db()
    assert ballot_round.present_units == 2
    assert selectors.live_board(meeting=meeting).present == 3
    assert selectors.live_board(meeting=meeting).round_present == 2
    # The close decides on the figure the vote opened with (2 of 3 meets a 2/3 quorum).
    for leader in (leaders["chair"], leaders["vice"]):
        secret = awards.token_issue(ballot_round=ballot_round, unit=leader.unit, user=leader)
        choice = ballot_round.candidates.get(unit=world.chair).pk
        awards.ballot_cast(
            ballot_round=ballot_round,
            unit=leader.unit,
            user=leader,
            secret=secret,
            choice_ids=[choice],
        )
    closed = awards.round_close(ballot_round=ballot_round, by=world.secretariat)
    assert closed.present_units == 2
    assert closed.results["quorum_met"] is True


def test_a_late_unit_that_votes_counts_as_present(world, leaders):
    """Presence stays frozen on the round and decides the quorum, but a unit that checked in
    after opening may vote: the base never falls below the voters, so no share exceeds 100 %."""
    meeting = _today_meeting(world)
    _check_in(world, meeting, world.chair)
    draft = flag_round(world)
    BallotRound.objects.filter(pk=draft.pk).update(base=BallotRound.Base.PRESENT)
    ballot_round = services.round_open_at_conference(
        ballot_round=draft, meeting=meeting, by=world.secretariat
    )
    assert ballot_round.present_units == 1
    _check_in(world, meeting, world.vice)  # arrives after the vote opened, then votes
    choice = ballot_round.candidates.get(unit=world.chair).pk
    for leader in (leaders["chair"], leaders["vice"]):
        secret = awards.token_issue(ballot_round=ballot_round, unit=leader.unit, user=leader)
        awards.ballot_cast(
            ballot_round=ballot_round,
            unit=leader.unit,
            user=leader,
            secret=secret,
            choice_ids=[choice],
        )
    closed = awards.round_close(ballot_round=ballot_round, by=world.secretariat)
    assert closed.present_units == 1
    # The quorum is decided on the presence at opening (1 of 3); the share on the 2 voters.
    assert (closed.results["present"], closed.results["base"]) == (1, 2)
    assert closed.results["quorum_met"] is False
    assert next(row["share"] for row in closed.results["candidates"]) == "1.0000"


def test_the_round_page_says_where_its_presence_came_from(world, login):
    meeting = _today_meeting(world)
    _check_in(world, meeting, world.chair, world.vice)
    at_conference = services.round_open_at_conference(
        ballot_round=flag_round(world), meeting=meeting, by=world.secretariat
    )
    client = login(world.secretariat)
    page = client.get(reverse("ballot_round_detail", kwargs={"pk": at_conference.pk}))
    assert (
        f"Số đơn vị có mặt khi mở bỏ phiếu: 2/3, theo điểm danh tại {meeting}."
        in page.content.decode()
    )
    typed = flag_round(world, mode="paper")
    awards.round_open(ballot_round=typed, by=world.secretariat, present_units=3)
    page = client.get(reverse("ballot_round_detail", kwargs={"pk": typed.pk}))
    assert "3/3, do thường trực nhập" in page.content.decode()


def test_a_second_award_round_gets_its_own_agenda_item(world):
    meeting = _today_meeting(world)
    first = services.round_open_at_conference(
        ballot_round=flag_round(world), meeting=meeting, by=world.secretariat
    )
    second = awards.round_create(
        bloc_year=world.bloc_year,
        title="Bình xét Bằng khen của Bộ trưởng năm 2022",
        by=world.secretariat,
        unit_candidates=[world.vice, world.member],
        award_type=first.award_type,
    )
    services.round_open_at_conference(ballot_round=second, meeting=meeting, by=world.secretariat)
    titles = list(
        AgendaItem.objects.filter(meeting=meeting, action=AgendaItem.Action.AWARD_VOTE)
        .order_by("position")
        .values_list("ballot_round__title", flat=True)
    )
    assert titles == [first.title, second.title]


def test_a_round_on_another_conference_s_agenda_is_refused(world):
    meeting = _today_meeting(world)
    other = make_meeting(world)
    ballot_round = flag_round(world)
    _on_agenda(world, other, AgendaItem.Action.AWARD_VOTE, ballot_round=ballot_round)
    with pytest.raises(ValidationError, match="thuộc chương trình hội nghị"):
        services.round_open_at_conference(
            ballot_round=ballot_round, meeting=meeting, by=world.secretariat
        )
    assert BallotRound.objects.get(pk=ballot_round.pk).status == BallotRound.Status.DRAFT


def test_a_conference_of_another_year_is_refused(world):
    other_year = services.meeting_create(
        bloc_year=world.other_year,
        title="Hội nghị Khối B",
        starts_at=timezone.now(),
        host_unit=world.outsider_unit,
        address="Cà Mau",
        by=world.outsider,
    )
    with pytest.raises(ValidationError, match="không cùng năm thi đua"):
        services.round_open_at_conference(
            ballot_round=flag_round(world), meeting=other_year, by=world.secretariat
        )


def test_the_round_page_proposes_today_s_conference(world, login):
    meeting = _today_meeting(world)
    ballot_round = flag_round(world)
    form = (
        login(world.secretariat)
        .get(reverse("ballot_round_detail", kwargs={"pk": ballot_round.pk}))
        .context["open_form"]
    )
    assert form.fields["meeting"].initial == meeting
    assert "chỉ khi không gắn với hội nghị" in str(form.fields["present_units"].label)


def test_opening_from_the_round_page_at_the_conference(world, login):
    meeting = _today_meeting(world)
    _check_in(world, meeting, world.chair, world.vice, world.member)
    ballot_round = flag_round(world)
    response = login(world.secretariat).post(
        _open_url(ballot_round), {"meeting": meeting.pk}, follow=True
    )
    assert "3/3 đơn vị có mặt theo điểm danh" in response.content.decode()
    ballot_round.refresh_from_db()
    assert (ballot_round.status, ballot_round.present_units) == (BallotRound.Status.OPEN, 3)


def test_a_typed_number_is_refused_at_the_conference(world, login):
    meeting = _today_meeting(world)
    ballot_round = flag_round(world)
    client = login(world.secretariat)
    page = client.post(
        _open_url(ballot_round), {"meeting": meeting.pk, "present_units": "3"}, follow=True
    ).content.decode()
    assert "lấy số đơn vị có mặt theo điểm danh; để trống ô này" in page
    # Leaving the conference out on its day is refused too: the vote is held there.
    page = client.post(_open_url(ballot_round), {"present_units": "3"}, follow=True)
    assert "không nhập tay" in page.content.decode()
    assert BallotRound.objects.get(pk=ballot_round.pk).status == BallotRound.Status.DRAFT


def test_a_round_without_a_conference_keeps_the_typed_number(world, login):
    make_meeting(world)  # a conference of the year, but not today's
    ballot_round = flag_round(world, mode="paper")
    response = login(world.secretariat).post(
        _open_url(ballot_round), {"meeting": "", "present_units": "2"}, follow=True
    )
    assert "Đã mở bỏ phiếu." in response.content.decode()
    ballot_round.refresh_from_db()
    assert (ballot_round.status, ballot_round.present_units) == (BallotRound.Status.OPEN, 2)
    assert not AgendaItem.objects.filter(ballot_round=ballot_round).exists()


def test_the_secretariat_may_pick_a_conference_of_another_day(world, login):
    meeting = make_meeting(world)  # 15/01/2030
    _check_in(world, meeting, world.chair)
    ballot_round = flag_round(world)
    login(world.secretariat).post(_open_url(ballot_round), {"meeting": meeting.pk})
    ballot_round.refresh_from_db()
    assert ballot_round.present_units == 1
    assert AgendaItem.objects.filter(meeting=meeting, ballot_round=ballot_round).exists()


def test_a_round_on_the_agenda_is_held_at_that_conference(world):
    meeting = make_meeting(world)
    ballot_round = flag_round(world)
    _on_agenda(world, meeting, AgendaItem.Action.AWARD_VOTE, ballot_round=ballot_round)
    conference = selectors.round_conference(ballot_round=ballot_round)
    assert (conference.linked, conference.required) == (meeting, meeting)
    with pytest.raises(ValidationError, match="không nhập tay"):
        services.round_open_with_presence(
            ballot_round=ballot_round, by=world.secretariat, present_units=3
        )


def test_two_conferences_the_same_day_are_not_guessed(world):
    _today_meeting(world)
    _today_meeting(world, title="Hội nghị ký kết giao ước thi đua năm 2023")
    conference = selectors.round_conference(ballot_round=flag_round(world))
    assert conference.today is None
    assert conference.choices.count() == 2


# --- election rounds, opened from the meeting's page ----------------------------------------


def test_election_rounds_take_the_check_in_as_presence(world):
    meeting = make_meeting(world)
    _check_in(world, meeting, world.chair, world.vice)
    opened = services.election_rounds_open(
        meeting=meeting, chair=world.vice, vice=world.member, by=world.secretariat
    )
    assert [r.present_units for r in opened] == [2, 2]
    seats = selectors.seats_of(meeting)
    assert [seat.round for seat in seats] == opened
    with pytest.raises(ValidationError, match="Không còn vị trí nào cần bầu"):
        services.election_rounds_open(
            meeting=meeting, chair=world.vice, vice=world.member, by=world.secretariat
        )


def test_the_same_unit_for_both_seats_is_refused_by_the_service(world):
    meeting = make_meeting(world)
    with pytest.raises(ValidationError, match="hai đơn vị khác nhau"):
        services.election_rounds_open(
            meeting=meeting, chair=world.member, vice=world.member, by=world.secretariat
        )
    assert not BallotRound.objects.exists()


# --- the signing ceremony at the conference ---------------------------------------------------


@pytest.fixture
def ceremony(world):
    """The covenant on the conference's "sign the covenant" item; the chair's and the member's
    leaders with their own passwords."""
    meeting = make_meeting(world)
    covenant = make_covenant(world)
    _on_agenda(world, meeting, AgendaItem.Action.SIGN_COVENANT, covenant=covenant)
    UserFactory(
        username="lanhdao.daklak",
        full_name="Y Giang Niê",
        unit=world.chair,
        unit_role="leader",
        password=OWN_PASSWORD,
    )
    world.leader.set_password(OWN_PASSWORD)
    world.leader.save()
    return meeting, covenant


def _ceremony_sign(client, covenant, unit, username, *, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("covenant_ceremony_sign", kwargs={"pk": covenant.pk}),
        {"unit": unit.pk, "username": username, "password": OWN_PASSWORD},
        headers=headers,
    )


def test_only_units_checked_in_sign_in_ceremony_mode(world, login, ceremony):
    meeting, covenant = ceremony
    _check_in(world, meeting, world.chair)
    client = login(world.secretariat)
    response = _ceremony_sign(client, covenant, world.member, "leader", htmx=True)
    page = response.content.decode()
    assert "Bình Định chưa có đại biểu điểm danh tại hội nghị" in page
    assert "chỉ đơn vị có mặt mới ký tại lễ ký" in page
    assert not Signature.objects.exists()
    response = _ceremony_sign(client, covenant, world.chair, "lanhdao.daklak", htmx=True)
    assert "Đắk Lắk đã ký" in response.content.decode()
    assert Signature.objects.get().method == Signature.Method.CEREMONY


def test_the_refusal_comes_before_any_password_is_tried(world, login, ceremony):
    _meeting, covenant = ceremony
    response = login(world.secretariat).post(
        reverse("covenant_ceremony_sign", kwargs={"pk": covenant.pk}),
        {"unit": world.member.pk, "username": "leader", "password": "sai mật khẩu"},
    )
    page = response.content.decode()
    assert "chưa có đại biểu điểm danh" in page
    assert "Tên đăng nhập hoặc mật khẩu không đúng." not in page


def test_the_service_refuses_an_absent_unit_whatever_the_path(world, ceremony):
    _meeting, covenant = ceremony
    with pytest.raises(ValidationError, match="chưa có đại biểu điểm danh"):
        covenants.covenant_sign(
            covenant=covenant,
            unit=world.member,
            method=Signature.Method.CEREMONY,
            signer=world.leader,
            recorded_by=world.secretariat,
        )
    # Online signing is the absent unit's way: not a ceremony, no presence needed.
    covenants.covenant_sign(
        covenant=covenant, unit=world.member, method=Signature.Method.ONLINE, signer=world.leader
    )


def test_a_ceremony_tied_to_no_conference_needs_no_check_in(world):
    covenant = make_covenant(world)
    signature = covenants.covenant_sign(
        covenant=covenant,
        unit=world.member,
        method=Signature.Method.CEREMONY,
        signer=world.leader,
        recorded_by=world.secretariat,
    )
    assert signature.method == Signature.Method.CEREMONY


def test_the_ceremony_page_marks_the_units_not_checked_in(world, login, ceremony):
    meeting, covenant = ceremony
    _check_in(world, meeting, world.chair)
    response = login(world.secretariat).get(
        reverse("covenant_ceremony", kwargs={"pk": covenant.pk})
    )
    page = response.content.decode()
    assert meeting.title in page
    assert page.count('data-testid="absent"') == 2  # Lâm Đồng and Bình Định
    choices = dict(response.context["form"].fields["unit"].choices)
    labels = {str(label) for label in choices.values()}
    assert f"{world.member.full_name} (chưa điểm danh)" in labels
    assert world.chair.full_name in labels


def test_the_live_board_agrees_with_the_ceremony(world, login, ceremony):
    meeting, covenant = ceremony
    _check_in(world, meeting, world.chair, world.member)
    client = login(world.secretariat)
    _ceremony_sign(client, covenant, world.chair, "lanhdao.daklak")
    _ceremony_sign(client, covenant, world.member, "leader")
    tally = client.get(reverse("covenant_ceremony_tally", kwargs={"pk": covenant.pk}))
    assert "2/3 đơn vị đã ký" in tally.content.decode()
    board = selectors.live_board(meeting=meeting)
    assert (board.present, board.members, board.signed, board.signed_total) == (2, 3, 2, 3)
    page = client.get(reverse("meeting_board_counts", kwargs={"pk": meeting.pk})).content.decode()
    assert 'data-testid="present">2/3<' in page
    assert 'data-testid="signed">2/3<' in page
