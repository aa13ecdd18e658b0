"""Voting delegates (issue #6: "one vote per unit, cast by its leader or a delegate the leader
names"): naming with a confirmation, revoking, who may vote, one vote per unit whoever casts it,
the round page, the dashboard, the secretariat's list, the e-mail, the audit trail and secrecy."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from awards import selectors, services
from awards.models import Ballot, VoterToken, VotingDelegate
from tests.awards.matrix_ballots import opened
from tests.awards.matrix_delegates import named
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALREADY_VOTED = "Đơn vị đã bỏ phiếu trong vòng này."
ONE_VOTE = "ai gửi phiếu trước thì phiếu đó là phiếu của đơn vị"


def _delegates_url(world) -> str:
    return reverse("award_delegates", kwargs={"bloc_pk": world.bloc.pk, "year": 2022})


def _secret_in(page: str) -> str:
    return re.search(r'name="secret" value="([^"]+)"', page).group(1)


def _cast_in_browser(client, ballot_round, choices):
    url = reverse("ballot_cast", kwargs={"pk": ballot_round.pk})
    secret = _secret_in(client.get(url).content.decode())
    return client.post(url, {"secret": secret, "choices": choices})


def _vote(user, ballot_round):
    secret = services.token_issue(ballot_round=ballot_round, unit=user.unit, user=user)
    return services.ballot_cast(
        ballot_round=ballot_round,
        unit=user.unit,
        user=user,
        secret=secret,
        choice_ids=[ballot_round.candidates.first().pk],
    )


@pytest.fixture
def deputy(world):
    """A deputy leader of the member unit (a second leader account)."""
    return UserFactory(
        username="pho.truongban",
        full_name="Hoàng Thị Phó",
        job_title="Phó Trưởng ban",
        unit=world.member,
        unit_role="leader",
    )


@pytest.fixture
def second_officer(world):
    return UserFactory(
        username="canbo.hai", full_name="Ngô Văn Hai", unit=world.member, unit_role="officer"
    )


# --- who may vote -----------------------------------------------------------------------------


def test_the_delegate_votes_and_the_leader_after_them_is_refused(world, login):
    named(world)
    ballot_round = opened(world)
    page = _cast_in_browser(
        login(world.officer), ballot_round, [ballot_round.candidates.first().pk]
    )
    assert page.status_code == 200
    assert re.search(r'data-testid="receipt">[0-9a-f]{64}<', page.content.decode())
    assert VoterToken.objects.get(round=ballot_round, unit=world.member).used
    leader_page = login(world.leader).get(reverse("ballot_cast", kwargs={"pk": ballot_round.pk}))
    assert ALREADY_VOTED in leader_page.content.decode()
    assert 'name="secret"' not in leader_page.content.decode()
    with pytest.raises(ValidationError, match=ALREADY_VOTED):
        _vote(world.leader, ballot_round)
    assert Ballot.objects.filter(round=ballot_round).count() == 1


def test_the_leader_may_still_vote_and_the_delegate_is_then_refused(world):
    named(world)
    ballot_round = opened(world)
    _vote(world.leader, ballot_round)
    with pytest.raises(ValidationError, match=ALREADY_VOTED):
        _vote(world.officer, ballot_round)


def test_the_ballot_page_says_the_delegate_votes_for_the_unit(world, login):
    named(world)
    page = login(world.officer).get(reverse("ballot_cast", kwargs={"pk": opened(world).pk}))
    assert "với tư cách người được lãnh đạo đơn vị ủy quyền" in page.content.decode()


def test_an_officer_who_is_not_the_delegate_cannot_vote(world, login, second_officer):
    named(world)
    ballot_round = opened(world)
    assert not services.may_vote_for(second_officer, world.member, ballot_round=ballot_round)
    url = reverse("ballot_cast", kwargs={"pk": ballot_round.pk})
    assert login(second_officer).get(url).status_code == 403
    with pytest.raises(ValidationError, match="Chỉ lãnh đạo đơn vị"):
        services.token_issue(ballot_round=ballot_round, unit=world.member, user=second_officer)


def test_without_a_delegation_an_officer_cannot_vote(world, login):
    ballot_round = opened(world)
    assert not services.may_vote_for(world.officer, world.member, ballot_round=ballot_round)
    assert (
        login(world.officer).get(reverse("ballot_cast", kwargs={"pk": ballot_round.pk})).status_code
        == 403
    )


def test_a_revoked_delegate_can_no_longer_vote(world, login):
    delegation = named(world)
    ballot_round = opened(world)
    secret = services.token_issue(ballot_round=ballot_round, unit=world.member, user=world.officer)
    services.delegate_revoke(delegation=delegation, by=world.leader)
    with pytest.raises(ValidationError, match="Chỉ lãnh đạo đơn vị"):
        services.ballot_cast(
            ballot_round=ballot_round,
            unit=world.member,
            user=world.officer,
            secret=secret,
            choice_ids=[ballot_round.candidates.first().pk],
        )
    assert (
        login(world.officer).get(reverse("ballot_cast", kwargs={"pk": ballot_round.pk})).status_code
        == 403
    )
    assert not VoterToken.objects.filter(round=ballot_round, used=True).exists()
    _vote(world.leader, ballot_round)  # the unit's vote is still there for its leader


def test_a_round_delegate_takes_the_place_of_the_years_in_that_round(world, second_officer):
    named(world)  # the officer, for the year
    ballot_round = opened(world)
    other_round = opened(world)
    services.delegate_name(
        bloc_year=world.bloc_year,
        unit=world.member,
        delegate=second_officer,
        by=world.leader,
        ballot_round=ballot_round,
    )
    assert (
        selectors.active_delegate(ballot_round=ballot_round, unit_id=world.member.pk).delegate
        == second_officer
    )
    assert not services.may_vote_for(world.officer, world.member, ballot_round=ballot_round)
    assert services.may_vote_for(second_officer, world.member, ballot_round=ballot_round)
    assert services.may_vote_for(world.officer, world.member, ballot_round=other_round)
    assert not services.may_vote_for(second_officer, world.member, ballot_round=other_round)


# --- naming and revoking ----------------------------------------------------------------------


def test_a_person_of_another_unit_cannot_be_named(world, login):
    with pytest.raises(ValidationError, match="người của chính đơn vị"):
        services.delegate_name(
            bloc_year=world.bloc_year,
            unit=world.member,
            delegate=world.secretariat,
            by=world.leader,
        )
    response = login(world.leader).post(
        _delegates_url(world), {"delegate": world.secretariat.pk, "confirm": "1"}
    )
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert not VotingDelegate.objects.exists()


def test_only_a_leader_of_the_unit_names_and_never_themself(world, deputy):
    with pytest.raises(ValidationError, match="Chỉ lãnh đạo đơn vị"):
        services.delegate_name(
            bloc_year=world.bloc_year, unit=world.member, delegate=deputy, by=world.officer
        )
    with pytest.raises(ValidationError, match="hãy chọn người khác"):
        services.delegate_name(
            bloc_year=world.bloc_year, unit=world.member, delegate=world.leader, by=world.leader
        )
    # A deputy leader may be named (the delegation records who attends and votes).
    delegation = services.delegate_name(
        bloc_year=world.bloc_year, unit=world.member, delegate=deputy, by=world.leader
    )
    assert delegation.named_by == world.leader


def test_naming_asks_for_a_confirmation_first(world, login):
    client = login(world.leader)
    data = {"delegate": world.officer.pk, "ballot_round": "", "note": "Dự hội nghị thay"}
    page = client.post(_delegates_url(world), data)
    text = page.content.decode()
    assert "Lê Văn Cán sẽ bỏ phiếu thay mặt Ban Quản lý Khu kinh tế tỉnh Bình Định" in text
    assert ONE_VOTE in text
    assert not VotingDelegate.objects.exists()
    response = client.post(_delegates_url(world), data | {"confirm": "1"})
    assert response.status_code == 302
    delegation = VotingDelegate.objects.get()
    assert (delegation.delegate, delegation.named_by, delegation.round) == (
        world.officer,
        world.leader,
        None,
    )
    page = client.get(_delegates_url(world)).content.decode()
    assert "Đã ủy quyền cho Lê Văn Cán bỏ phiếu thay mặt đơn vị." in page
    assert "Đang hiệu lực" in page


def test_naming_again_revokes_the_previous_delegate_and_keeps_the_history(
    world, second_officer, login
):
    first = named(world)
    client = login(world.leader)
    confirm = client.post(_delegates_url(world), {"delegate": second_officer.pk})
    assert (
        "Ủy quyền hiện tại của Lê Văn Cán trong cùng phạm vi sẽ bị thu hồi."
        in confirm.content.decode()
    )
    client.post(_delegates_url(world), {"delegate": second_officer.pk, "confirm": "1"})
    first.refresh_from_db()
    assert first.revoked_by == world.leader
    assert first.revoked_at is not None
    active = VotingDelegate.objects.get(revoked_at__isnull=True)
    assert active.delegate == second_officer
    reasons = list(
        VotingDelegate.history.order_by("history_date").values_list(
            "history_user__username", "history_change_reason"
        )
    )
    assert reasons[0][0] == "leader"
    assert "ủy quyền cho Lê Văn Cán" in reasons[0][1]
    assert any("Thay người được ủy quyền" in r for _u, r in reasons)
    assert reasons[-1][0] == "leader"
    assert "ủy quyền cho Ngô Văn Hai" in reasons[-1][1]
    history = client.get(_delegates_url(world)).content.decode()
    assert "Lịch sử ủy quyền" in history
    assert "Lê Văn Cán" in history


def test_naming_the_same_person_twice_is_refused(world):
    named(world)
    with pytest.raises(ValidationError, match="đang là người được ủy quyền"):
        named(world)


def test_a_closed_round_cannot_get_a_delegate(world, leaders):
    ballot_round = opened(world)
    services.round_close(ballot_round=ballot_round, by=world.secretariat)
    with pytest.raises(ValidationError, match="đã kết thúc"):
        named(world, ballot_round=ballot_round)


def test_the_revoke_page_confirms_then_revokes(world, login):
    delegation = named(world)
    client = login(world.leader)
    url = reverse("award_delegate_revoke", kwargs={"pk": delegation.pk})
    assert "Thu hồi ủy quyền của Lê Văn Cán" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_by == world.leader
    assert client.get(url).status_code == 302  # already revoked: back to the list
    with pytest.raises(ValidationError, match="đã được thu hồi"):
        services.delegate_revoke(delegation=delegation, by=world.leader)


def test_an_officer_cannot_revoke(world, login):
    delegation = named(world)
    url = reverse("award_delegate_revoke", kwargs={"pk": delegation.pk})
    assert login(world.officer).post(url).status_code == 403
    with pytest.raises(ValidationError, match="Chỉ lãnh đạo đơn vị"):
        services.delegate_revoke(delegation=delegation, by=world.officer)
    assert VotingDelegate.objects.get().revoked_at is None


def test_the_delegate_is_told_by_email(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delegation = named(world)
    assert [m.to for m in mail.outbox] == [["officer@khoiportal.test"]]
    assert "Ủy quyền bỏ phiếu" in mail.outbox[0].subject
    assert "Phạm Văn Lãnh" in mail.outbox[0].body
    assert "lãnh đạo đơn vị vẫn có thể bỏ phiếu" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        services.delegate_revoke(delegation=delegation, by=world.leader)
    assert "Thu hồi ủy quyền" in mail.outbox[1].subject


# --- pages ------------------------------------------------------------------------------------


def test_the_round_page_shows_who_votes(world, login):
    named(world)
    ballot_round = opened(world)
    url = reverse("ballot_round_detail", kwargs={"pk": ballot_round.pk})
    delegate = login(world.officer).get(url).content.decode()
    assert 'data-testid="voting-as-delegate"' in delegate
    assert reverse("ballot_cast", kwargs={"pk": ballot_round.pk}) in delegate
    leader = login(world.leader).get(url).content.decode()
    assert "Lê Văn Cán được ủy quyền bỏ phiếu thay mặt đơn vị trong vòng này." in leader
    assert ONE_VOTE in leader
    assert reverse("ballot_cast", kwargs={"pk": ballot_round.pk}) in leader
    secretariat = login(world.secretariat).get(url).content.decode()
    assert 'data-testid="voters"' in secretariat
    assert "Lê Văn Cán" in secretariat
    assert "Phạm Văn Lãnh" in secretariat
    assert 'data-testid="voters"' not in leader


def test_the_voters_list_shows_each_units_delegate(world, login):
    named(world)
    url = reverse("award_voters", kwargs={"bloc_pk": world.bloc.pk, "year": 2022})
    page = login(world.ministry).get(url).content.decode()
    assert "Lê Văn Cán" in page
    assert "Cán bộ thi đua dự hội nghị và bỏ phiếu thay." in page


def test_the_dashboard_asks_the_delegate_to_vote_until_the_unit_has(world, login, second_officer):
    delegation = named(world)
    ballot_round = opened(world)
    assert "Đang bỏ phiếu:" in login(world.officer).get(reverse("dashboard")).text
    assert "Đang bỏ phiếu:" in login(world.leader).get(reverse("dashboard")).text
    assert "Đang bỏ phiếu:" not in login(second_officer).get(reverse("dashboard")).text
    _vote(world.officer, ballot_round)
    assert "Đang bỏ phiếu:" not in login(world.leader).get(reverse("dashboard")).text
    services.delegate_revoke(delegation=delegation, by=world.leader)
    opened(world)
    assert "Đang bỏ phiếu:" not in login(world.officer).get(reverse("dashboard")).text


# --- secrecy ----------------------------------------------------------------------------------


def _dump() -> str:
    with connection.cursor() as cursor:
        texts = []
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            texts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(texts)


def test_a_delegates_vote_stays_secret(world, login):
    named(world)
    ballot_round = opened(world)
    page = _cast_in_browser(
        login(world.officer), ballot_round, [ballot_round.candidates.first().pk]
    ).content.decode()
    receipt = re.search(r'data-testid="receipt">([0-9a-f]{64})<', page).group(1)
    assert _dump().count(receipt) == 1  # only on the ballot: the delegation holds nothing of it
    relations = {f.related_model for f in VotingDelegate._meta.get_fields() if f.is_relation}
    assert Ballot not in relations
    assert VoterToken not in relations


# --- the database constraint ------------------------------------------------------------------


@pytest.mark.postgres
def test_the_database_holds_one_active_delegate_per_unit_and_scope(world, second_officer):
    if connection.vendor != "postgresql":
        pytest.skip("the partial unique indexes are tested in CI's PostgreSQL pass")
    ballot_round = opened(world)
    for scope in (None, ballot_round):
        VotingDelegate.objects.create(
            bloc_year=world.bloc_year,
            unit=world.member,
            round=scope,
            delegate=world.officer,
            named_by=world.leader,
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            VotingDelegate.objects.create(
                bloc_year=world.bloc_year,
                unit=world.member,
                round=scope,
                delegate=second_officer,
                named_by=world.leader,
            )
    # A revoked delegation frees its scope; a leader cannot name themself, even in SQL.
    VotingDelegate.objects.filter(round__isnull=True).update(
        revoked_at="2022-01-01T00:00:00Z", revoked_by=world.leader
    )
    VotingDelegate.objects.create(
        bloc_year=world.bloc_year,
        unit=world.member,
        delegate=second_officer,
        named_by=world.leader,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        VotingDelegate.objects.create(
            bloc_year=world.bloc_year,
            unit=world.vice,
            delegate=world.leader,
            named_by=world.leader,
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_leaders_naming_at_once_leave_one_active_delegate(world, deputy, second_officer):
    """The leader and the deputy leader name different people at the same moment: the partial
    unique index lets one in; the other gets a message, not a server error."""
    import threading

    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions are tested in CI's PostgreSQL pass")
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def run(i: int, by, delegate) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[i] = services.delegate_name(
                bloc_year=world.bloc_year, unit=world.member, delegate=delegate, by=by
            )
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(0, world.leader, world.officer)),
        threading.Thread(target=run, args=(1, deputy, second_officer)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert VotingDelegate.objects.filter(revoked_at__isnull=True).count() == 1
    for outcome in outcomes:
        assert isinstance(outcome, VotingDelegate | ValidationError), outcome
