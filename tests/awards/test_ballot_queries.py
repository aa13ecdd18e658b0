"""The secret ballot stays cheap (issue #8's load test casts one ballot per unit at once): the
ballot page and the cast each take a fixed number of queries, whatever the number of candidates;
a page asks the database once whether the unit belongs to the bloc, however many permissions
need to know; and the shortcuts behind those numbers refuse what the long way refused."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards import selectors, services
from awards.models import Ballot, BallotRound, VoterToken
from blocs.models import Membership
from tests.awards.matrix_ballots import opened
from tests.awards.matrix_delegates import named
from tests.factories import MembershipFactory, MemberUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

# Session, user and authenticator device (middleware); the round (with its year and bloc, only
# the columns the ballot uses); the unit's membership; the candidates (id and label); the unit
# (the page header). Then the secret: one read of the unit's membership in the year and whether
# it has voted; the secret is signed, not stored, so the page writes nothing. Before issue #8:
# 15 (the membership read twice, get_or_create's SELECT … FOR UPDATE and its own savepoint);
# then 12 (a transaction around an INSERT and an UPDATE); then 10 (the token row written on
# every page with one INSERT … ON CONFLICT, after a read of the membership).
# With the page cache: the apps' freshness tokens on the first request (+1); from the second
# request on, the round, the membership and the candidates come from the cache (-3).
BALLOT_PAGE_QUERIES = 8 + 1
BALLOT_PAGE_QUERIES_CACHED = BALLOT_PAGE_QUERIES - 3
# Session, user, device, unit, then the cast: SAVEPOINT, the round locked, the token row
# created used (INSERT … ON CONFLICT … DO UPDATE … WHERE NOT used), the ballot, its choices
# (one INSERT for them all), RELEASE. Before: 19 (the membership twice, the candidates read
# again, a savepoint around the ballot, choices.set's reads before its INSERT).
# The round, the membership and the candidates from the cache (the page was read before it).
CAST_QUERIES = 13 + 1 - 3


def _url(ballot_round: BallotRound) -> str:
    return reverse("ballot_cast", kwargs={"pk": ballot_round.pk})


def _secret_in(page: str) -> str:
    return re.search(r'name="secret" value="([^"]+)"', page).group(1)


def _membership_reads(queries) -> int:
    """is_bloc_member's reads (the token's check of the year's membership names the years)."""
    table = Membership._meta.db_table
    return sum(
        1
        for q in queries
        if q["sql"].startswith(f'SELECT 1 AS "a" FROM "{table}"') and "from_year" not in q["sql"]
    )


def test_the_ballot_page_takes_a_fixed_number_of_queries(
    world, leaders, login, django_assert_num_queries
):
    ballot_round = opened(world, max_choices=2)
    client = login(world.leader)
    with django_assert_num_queries(BALLOT_PAGE_QUERIES):
        page = client.get(_url(ballot_round))
    assert page.status_code == 200
    assert 'name="secret"' in page.content.decode()
    with django_assert_num_queries(BALLOT_PAGE_QUERIES_CACHED):
        again = client.get(_url(ballot_round))
    assert 'name="secret"' in again.content.decode()
    assert _secret_in(again.content.decode()) != _secret_in(page.content.decode())


def test_another_voter_reads_the_round_from_the_one_entry(
    world, leaders, login, django_assert_num_queries
):
    """The round and its candidates are cached once for every voter; each voter's right to vote
    is read for that voter (the unit's membership)."""
    ballot_round = opened(world, max_choices=2)
    login(world.leader).get(_url(ballot_round))
    client = login(leaders["chair"])  # the one test client, signed in again
    with django_assert_num_queries(BALLOT_PAGE_QUERIES - 2):
        page = client.get(_url(ballot_round))
    assert 'name="secret"' in page.content.decode()
    assert "Phạm Văn Tịch" in page.content.decode()


@pytest.mark.parametrize(
    ("who", "status"), [("outsider", 404), ("officer", 403), ("secretariat", 403)]
)
def test_the_shared_round_gives_nothing_to_those_who_may_not_vote(
    world, leaders, login, who, status
):
    ballot_round = opened(world, max_choices=2)
    # The entry is there, and a leader's valid secret (the client is signed in again below).
    secret = _secret_in(login(world.leader).get(_url(ballot_round)).content.decode())
    client = login(getattr(world, who))
    for _ in range(2):  # the refusal is never cached as a right
        response = client.get(_url(ballot_round))
        assert response.status_code == status
        assert b'name="secret"' not in response.content
    assert client.post(_url(ballot_round), {"secret": secret}).status_code == status
    assert not Ballot.objects.exists()


def test_a_cast_elsewhere_leaves_the_round_in_the_cache_and_closing_it_does_not(
    world, leaders, login, django_assert_num_queries
):
    ballot_round = opened(world, max_choices=2)
    client = login(world.leader)
    client.get(_url(ballot_round))
    # A token used, as a cast writes tokens: a busy table, the round stays cached.
    VoterToken.objects.create(round=ballot_round, unit=world.chair, proof="0" * 64, used=True)
    with django_assert_num_queries(BALLOT_PAGE_QUERIES_CACHED):
        assert client.get(_url(ballot_round)).status_code == 200
    BallotRound.objects.filter(pk=ballot_round.pk).update(status=BallotRound.Status.CLOSED)
    page = client.get(_url(ballot_round))
    assert 'name="secret"' not in page.content.decode()


def test_casting_takes_a_fixed_number_of_queries(world, leaders, login, django_assert_num_queries):
    ballot_round = opened(world, max_choices=2)
    choices = list(ballot_round.candidates.values_list("pk", flat=True)[:2])
    client = login(world.leader)
    secret = _secret_in(client.get(_url(ballot_round)).content.decode())
    with django_assert_num_queries(CAST_QUERIES):
        response = client.post(_url(ballot_round), {"secret": secret, "choices": choices})
    assert 'data-testid="receipt"' in response.content.decode()
    ballot = Ballot.objects.get(round=ballot_round)
    assert sorted(ballot.choices.values_list("pk", flat=True)) == sorted(choices)
    assert VoterToken.objects.get(round=ballot_round, unit=world.member).used


def test_a_page_reads_the_units_membership_once(world, leaders, login):
    ballot_round = opened(world)
    client = login(world.leader)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(_url(ballot_round)).status_code == 200
    # view the round and vote in it both need the membership: one read (the other membership
    # query, of the year, is the token's own check).
    assert _membership_reads(ctx.captured_queries) == 1


def test_a_membership_added_between_requests_is_seen(world, leaders, login):
    outsider_unit = MemberUnitFactory(full_name="Ban Quản lý Khu kinh tế thử", short_name="Thử")
    outsider = UserFactory(username="lanhdao.thu", unit=outsider_unit, unit_role="leader")
    ballot_round = opened(world)
    client = login(outsider)
    assert client.get(_url(ballot_round)).status_code == 404
    assert not outsider.has_perm("awards.view_round", ballot_round)
    MembershipFactory(bloc=world.bloc, unit=outsider_unit, from_year=2019)
    # Outside a request nothing is remembered; the next request starts afresh.
    assert outsider.has_perm("awards.view_round", ballot_round)
    assert client.get(_url(ballot_round)).status_code == 200


def test_a_membership_ended_between_requests_is_seen(world, leaders, login):
    ballot_round = opened(world)
    client = login(world.leader)
    assert (
        client.get(reverse("ballot_round_detail", kwargs={"pk": ballot_round.pk})).status_code
        == 200
    )
    Membership.objects.filter(bloc=world.bloc, unit=world.member).delete()
    assert (
        client.get(reverse("ballot_round_detail", kwargs={"pk": ballot_round.pk})).status_code
        == 404
    )


# --- the shortcuts refuse what the long way refused ----------------------------------------------


def test_a_ballot_page_writes_nothing(world, leaders, login):
    ballot_round = opened(world)
    client = login(world.leader)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(_url(ballot_round)).content.decode()
    assert 'name="secret"' in page
    writes = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith("SELECT")]
    assert writes == []
    assert not VoterToken.objects.exists()


def test_every_page_of_the_unit_is_valid_until_one_is_cast(world, leaders):
    ballot_round = opened(world)
    first = services.token_issue(ballot_round=ballot_round, unit=world.member, user=world.leader)
    second = services.token_issue(ballot_round=ballot_round, unit=world.member, user=world.leader)
    assert first != second
    choice = ballot_round.candidates.first().pk
    cast = {"ballot_round": ballot_round, "unit": world.member, "user": world.leader}
    services.ballot_cast(**cast, secret=second, choice_ids=[choice])
    with pytest.raises(ValidationError) as refused:
        services.ballot_cast(**cast, secret=first, choice_ids=[choice])
    assert refused.value.messages == ["Đơn vị đã bỏ phiếu trong vòng này."]
    with pytest.raises(ValidationError) as again:
        services.token_issue(ballot_round=ballot_round, unit=world.member, user=world.leader)
    assert again.value.messages == ["Đơn vị đã bỏ phiếu trong vòng này."]
    assert Ballot.objects.filter(round=ballot_round).count() == 1
    assert VoterToken.objects.get(round=ballot_round, unit=world.member).used


def _altered(secret: str) -> str:
    nonce, signature = secret.split(".")
    return f"{nonce}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"


@pytest.mark.parametrize("how", ["another-unit", "another-round", "altered", "unsigned"])
def test_a_secret_not_given_for_this_round_and_unit_is_refused(world, leaders, how):
    ballot_round = opened(world)
    other = opened(world)
    chair = leaders["chair"]
    secret = {
        "another-unit": lambda: services.token_issue(
            ballot_round=ballot_round, unit=world.chair, user=chair
        ),
        "another-round": lambda: services.token_issue(
            ballot_round=other, unit=world.member, user=world.leader
        ),
        "altered": lambda: _altered(
            services.token_issue(ballot_round=ballot_round, unit=world.member, user=world.leader)
        ),
        "unsigned": lambda: "x" * 43,
    }[how]()
    with pytest.raises(ValidationError) as refused:
        services.ballot_cast(
            ballot_round=ballot_round,
            unit=world.member,
            user=world.leader,
            secret=secret,
            choice_ids=[ballot_round.candidates.first().pk],
        )
    assert refused.value.messages == [
        "Phiếu bầu đã hết hiệu lực; hãy tải lại trang để nhận phiếu mới."
    ]
    assert not Ballot.objects.exists()
    assert not VoterToken.objects.exists()


@pytest.mark.parametrize("given", [False, True], ids=["read-here", "from-the-view"])
def test_a_candidate_of_another_round_is_refused(world, leaders, given):
    ballot_round = opened(world)
    other = opened(world)
    stranger = other.candidates.first()
    secret = services.token_issue(ballot_round=ballot_round, unit=world.member, user=world.leader)
    candidates = [*ballot_round.candidates.all(), stranger] if given else None
    with pytest.raises(ValidationError) as refused:
        services.ballot_cast(
            ballot_round=ballot_round,
            unit=world.member,
            user=world.leader,
            secret=secret,
            choice_ids=[stranger.pk],
            candidates=candidates,
        )
    assert refused.value.messages == ["Lựa chọn không hợp lệ."]
    assert not Ballot.objects.exists()
    assert not VoterToken.objects.exists()


def test_a_blank_ballot_is_cast_without_choices(world, leaders):
    ballot_round = opened(world)
    secret = services.token_issue(ballot_round=ballot_round, unit=world.member, user=world.leader)
    services.ballot_cast(
        ballot_round=ballot_round,
        unit=world.member,
        user=world.leader,
        secret=secret,
        choice_ids=[],
        candidates=list(ballot_round.candidates.all()),
    )
    assert not Ballot.objects.get(round=ballot_round).choices.exists()


def test_a_membership_saved_during_a_request_is_seen_by_the_checks_after_it(world, leaders):
    from blocs import permissions
    from blocs.services import membership_add

    outsider_unit = MemberUnitFactory(full_name="Ban Quản lý Khu kinh tế thử", short_name="Thử")
    outsider = UserFactory(username="lanhdao.thu", unit=outsider_unit, unit_role="leader")
    permissions._memo_begin()  # what request_started does
    try:
        assert not permissions.is_bloc_member(outsider, world.bloc)
        membership_add(bloc=world.bloc, unit=outsider_unit, from_year=2022)
        assert permissions.is_bloc_member(outsider, world.bloc)
    finally:
        permissions._memo_end()  # what request_finished does


# --- a delegate ---------------------------------------------------------------------------------


def test_a_delegates_ballot_page_asks_for_the_delegation_once_per_check(
    world, leaders, login, django_assert_max_num_queries
):
    named(world)
    ballot_round = opened(world)
    client = login(world.officer)
    # The leader's numbers and one delegation read each for "may vote" and the token's check.
    with django_assert_max_num_queries(BALLOT_PAGE_QUERIES + 2):
        page = client.get(_url(ballot_round))
    assert 'name="secret"' in page.content.decode()


def test_the_rounds_own_delegate_takes_the_place_of_the_years(
    world, leaders, django_assert_num_queries
):
    deputy = UserFactory(username="pho.truongban", unit=world.member, unit_role="officer")
    year = named(world)
    ballot_round = opened(world)
    other_round = opened(world)
    with django_assert_num_queries(1):
        assert selectors.active_delegate(ballot_round=ballot_round, unit_id=world.member.pk) == year
    own = services.delegate_name(
        bloc_year=world.bloc_year,
        unit=world.member,
        delegate=deputy,
        by=world.leader,
        ballot_round=ballot_round,
    )
    with django_assert_num_queries(1):
        assert selectors.active_delegate(ballot_round=ballot_round, unit_id=world.member.pk) == own
    assert selectors.is_delegate(user=deputy, ballot_round=ballot_round)
    assert not selectors.is_delegate(user=world.officer, ballot_round=ballot_round)
    assert selectors.is_delegate(user=world.officer, ballot_round=other_round)
    assert not selectors.is_delegate(user=deputy, ballot_round=other_round)
    assert selectors.active_delegate(ballot_round=ballot_round, unit_id=world.vice.pk) is None


# --- the ballot's fields, written out -------------------------------------------------------------


@pytest.mark.parametrize("csrf_token", ["", "mã-csrf"])
@pytest.mark.parametrize(
    ("count", "ticked", "max_choices"),
    [(0, [], 1), (1, [], 1), (3, [12], 2), (3, [11, 13], 3)],
)
def test_the_written_out_ballot_fields_are_what_crispy_renders(
    count, ticked, max_choices, csrf_token
):
    """The ballot page writes out crispy's rendering of its unbound form (issue #8: crispy's
    field templates cost more than the rest of the page's content): byte for byte the same."""
    from types import SimpleNamespace

    from django.template import Context, Template
    from django.template.loader import render_to_string

    from awards.forms_ballots import BallotForm
    from awards.models import Candidate

    candidates = [
        Candidate(id=pk, round_id=1, label=f"Ứng viên <{pk}> & “{pk}” 'x\"")
        for pk in range(11, 11 + count)
    ]

    def form():
        return BallotForm(
            initial={"secret": "bí-mật_0&1", "choices": ticked},
            candidates=candidates,
            max_choices=max_choices,
        )

    extra = {"csrf_token": csrf_token} if csrf_token else {}
    crispy = Template("{% load crispy_forms_tags %}{% crispy form %}").render(
        Context({"form": form(), **extra})
    )
    written = render_to_string(
        "awards/ballots/ballot.html#ballot_fields",
        {"form": form(), "round": SimpleNamespace(max_choices=max_choices), **extra},
    )
    assert written == crispy
    assert ("csrfmiddlewaretoken" in written) == bool(csrf_token)


@pytest.mark.parametrize(
    ("since", "until", "member"),
    [(2017, None, True), (2022, 2022, True), (2015, 2021, False), (2023, None, False)],
)
def test_the_voter_state_reads_the_membership_of_the_rounds_year(
    world, leaders, since, until, member
):
    """The page's one read answers what bloc_members and the token rows answer (the round's
    year is 2022), before and after the unit votes."""
    from blocs.selectors import bloc_members

    ballot_round = opened(world)
    unit = MemberUnitFactory(full_name="Ban Quản lý Khu kinh tế thử", short_name="Thử")
    MembershipFactory(bloc=world.bloc, unit=unit, from_year=since, until_year=until)
    year = ballot_round.bloc_year.year
    assert bloc_members(bloc=world.bloc, year=year).filter(pk=unit.pk).exists() is member
    assert services._voter_state(ballot_round=ballot_round, unit=unit) == (member, False)
    VoterToken.objects.create(round=ballot_round, unit=unit, proof="0" * 64, used=True)
    assert services._voter_state(ballot_round=ballot_round, unit=unit) == (member, True)
    other = opened(world)
    assert services._voter_state(ballot_round=other, unit=unit) == (member, False)


def _indexed_columns(model) -> list[tuple[str, ...]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return sorted(
        tuple(c["columns"])
        for c in constraints.values()
        if (c["index"] or c["unique"]) and not c["primary_key"]
    )


def test_a_cast_writes_only_the_indexes_that_reads_and_rules_need():
    """Each cast inserts a token, a ballot and its choices: no index that another one already
    covers (a foreign key that leads a unique pair), no LIKE-pattern copy of a unique hash
    (PostgreSQL's ``…_like`` for a ``unique=True`` CharField). Issue #8."""
    from awards.models import BallotChoice

    assert _indexed_columns(VoterToken) == [("round_id", "unit_id"), ("unit_id",)]
    assert _indexed_columns(Ballot) == [("receipt",), ("round_id",), ("token_hash",)]
    assert _indexed_columns(BallotChoice) == [("ballot_id", "candidate_id"), ("candidate_id",)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'awards\\_%%' "
                "AND indexname LIKE '%%\\_like'"
            )
            like = {row[0] for row in cursor.fetchall()}
        assert not {name for name in like if name.startswith("awards_ballot_")}
