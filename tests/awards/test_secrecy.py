"""Ballot secrecy: no query can join a ballot to its voter.

The schema holds no path from a Ballot to a unit, a user or a voter token, no time, and no
counter that follows the order ballots were cast; the voter's secret is stored nowhere, and the
receipt only on its ballot; the choice rows have random keys, and closing a round rewrites its
ballots in receipt order so neither row order nor PostgreSQL's transaction ids follow the voting.
"""

from __future__ import annotations

import logging
import re
import uuid

import pytest
from django.apps import apps
from django.db import connection, models
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import SafeExceptionReporterFilter

from awards import services
from awards.models import Ballot, BallotRound, Candidate, VoterToken
from awards.views.ballots import ballot as ballot_view
from blocs.models import MemberUnit, User
from tests.awards.matrix_ballots import opened
from tests.factories import MembershipFactory, MemberUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

# Words in a column name that would tie a row to a voter or to a moment ("cast_at", "user_id"…).
TELLTALE_WORDS = {
    "unit",
    "user",
    "voter",
    "member",
    "created",
    "modified",
    "updated",
    "time",
    "timestamp",
    "date",
    "at",
    "on",
    "when",
    "cast",
    "seq",
    "sequence",
    "ordinal",
    "order",
    "serial",
}
THROUGH = Ballot.choices.through


def _telltale(name: str) -> bool:
    return bool(TELLTALE_WORDS & set(name.lower().split("_")))


def _columns(model) -> list:
    with connection.cursor() as cursor:
        return connection.introspection.get_table_description(cursor, model._meta.db_table)


# --- the schema -------------------------------------------------------------------------------


def test_a_ballot_relates_only_to_its_round_and_its_choices():
    relations = {(f.name, f.related_model) for f in Ballot._meta.get_fields() if f.is_relation}
    assert relations == {("round", BallotRound), ("choices", Candidate)}
    for field in Ballot._meta.get_fields():
        assert getattr(field, "related_model", None) not in {User, MemberUnit, VoterToken}, field


def test_no_model_points_at_a_ballot_except_its_choices():
    pointing = [
        (model, field.name)
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model is Ballot
    ]
    assert pointing == [(THROUGH, "ballot")]


def test_ballots_and_tokens_keep_no_time():
    for model in (Ballot, VoterToken, THROUGH):
        for field in model._meta.get_fields():
            assert not isinstance(
                field, models.DateField | models.DateTimeField | models.TimeField
            ), (model, field)
            assert not _telltale(field.name) or (model, field.name) in {
                (VoterToken, "unit"),
                (THROUGH, "ballot"),
            }, (model, field.name)
    # No audit rows per vote: simple-history would record who changed what, and when.
    assert not hasattr(Ballot, "history")
    assert not hasattr(VoterToken, "history")


def test_a_ballot_has_a_random_key_and_no_creation_order():
    pk = Ballot._meta.pk
    assert isinstance(pk, models.UUIDField)
    assert pk.default is uuid.uuid4  # random; a uuid1 would embed the time
    assert not any(isinstance(f, models.AutoField) for f in Ballot._meta.concrete_fields)
    assert Ballot._meta.ordering == ["receipt"]


def test_the_ballot_table_has_no_telltale_column():
    names = {column.name for column in _columns(Ballot)}
    assert names == {"id", "round_id", "token_hash", "receipt"}
    assert not any(_telltale(name) for name in names)


def test_the_choice_table_carries_no_time():
    names = {column.name for column in _columns(THROUGH)}
    assert {"ballot_id", "candidate_id"} <= names
    assert not any(_telltale(name) for name in names)


def test_the_choice_table_has_no_counter():
    assert not any(isinstance(f, models.AutoField) for f in THROUGH._meta.concrete_fields)


def test_a_voter_token_keeps_no_time_and_no_secret():
    names = {column.name for column in _columns(VoterToken)}
    assert names == {"id", "round_id", "unit_id", "proof", "used"}


# --- the data ---------------------------------------------------------------------------------


def _secret_in(page: str) -> str:
    return re.search(r'name="secret" value="([^"]+)"', page).group(1)


def _dump() -> str:
    """Every row of every table, as text: what a database dump would hold."""
    with connection.cursor() as cursor:
        texts = []
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            texts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(texts)


def test_the_token_hash_and_the_proof_are_macs_under_different_keys(world, open_round):
    secret = services.token_issue(ballot_round=open_round, unit=world.member, user=world.leader)
    services.ballot_cast(
        ballot_round=open_round,
        unit=world.member,
        user=world.leader,
        secret=secret,
        choice_ids=[open_round.candidates.first().pk],
    )
    token, ballot = VoterToken.objects.get(), Ballot.objects.get()
    assert len(token.proof) == len(ballot.token_hash) == 64
    assert ballot.token_hash != token.proof
    assert ballot.token_hash not in _dump().replace(
        ballot.token_hash, "", 1
    )  # stored once, on the ballot
    assert token.proof not in {b.token_hash for b in Ballot.objects.all()}


def test_the_secret_is_stored_nowhere_and_the_receipt_only_on_its_ballot(
    world, open_round, login, caplog
):
    caplog.set_level(logging.DEBUG)
    client = login(world.leader)
    url = reverse("ballot_cast", kwargs={"pk": open_round.pk})
    secret = _secret_in(client.get(url).content.decode())
    page = client.post(
        url, {"secret": secret, "choices": [open_round.candidates.first().pk]}
    ).content.decode()
    receipt = re.search(r'data-testid="receipt">([0-9a-f]{64})<', page).group(1)
    dump = _dump()
    assert secret not in dump
    assert dump.count(receipt) == 1  # the ballot's own row; no session, message or history holds it
    assert secret not in caplog.text
    assert receipt not in caplog.text
    assert not any(
        receipt in morsel.value or secret in morsel.value for morsel in client.cookies.values()
    )


def test_the_secret_is_hidden_from_error_reports(world, open_round):
    request = RequestFactory().post("/", {"secret": "bi-mat-cua-don-vi", "choices": []})
    request.user = world.leader
    ballot_view(request, pk=open_round.pk)
    cleaned = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleaned["secret"] != "bi-mat-cua-don-vi"


# --- order ------------------------------------------------------------------------------------


@pytest.fixture
def twelve_votes(world, leaders) -> tuple[BallotRound, list[str]]:
    """Twelve units vote one after another; the receipts in the order they were cast.
    A random order matches that one by chance once in 12! (about 2 × 10⁻⁹)."""
    voters = list(leaders.values())
    for n in range(9):
        unit = MemberUnitFactory(
            full_name=f"Ban Quản lý Khu kinh tế thử {n}", short_name=f"Thử {n}"
        )
        MembershipFactory(bloc=world.bloc, unit=unit, from_year=2019)
        voters.append(UserFactory(username=f"lanhdao.thu{n}", unit=unit, unit_role="leader"))
    ballot_round = opened(world, max_choices=2)
    candidates = list(ballot_round.candidates.all())
    receipts = []
    for leader in voters:
        secret = services.token_issue(ballot_round=ballot_round, unit=leader.unit, user=leader)
        receipts.append(
            services.ballot_cast(
                ballot_round=ballot_round,
                unit=leader.unit,
                user=leader,
                secret=secret,
                choice_ids=[candidates[0].pk, candidates[1].pk],
            )
        )
    return ballot_round, receipts


def test_no_stored_ballot_column_follows_the_voting_order(twelve_votes):
    ballot_round, cast_order = twelve_votes
    ballots = Ballot.objects.filter(round=ballot_round)
    for column in _columns(Ballot):
        field = next(f for f in Ballot._meta.concrete_fields if f.column == column.name)
        if ballots.values(field.attname).distinct().count() < 2:
            continue  # the round itself: the same on every ballot
        for direction in ("", "-"):
            order = list(
                ballots.order_by(direction + field.attname).values_list("receipt", flat=True)
            )
            assert order != cast_order, column.name
    for uuid_value in ballots.values_list("id", flat=True):
        assert uuid_value.version == 4


def test_the_choice_rows_do_not_follow_the_voting_order(twelve_votes):
    ballot_round, cast_order = twelve_votes
    rows = THROUGH.objects.filter(ballot__round=ballot_round).order_by("pk")
    order = list(dict.fromkeys(rows.values_list("ballot__receipt", flat=True)))
    assert order != cast_order


def test_after_the_close_the_physical_order_does_not_follow_the_voting_order(world, twelve_votes):
    ballot_round, cast_order = twelve_votes
    services.round_close(ballot_round=ballot_round, by=world.secretariat)
    hidden = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT receipt FROM awards_ballot WHERE round_id = %s ORDER BY {hidden}",
            [ballot_round.pk],
        )
        order = [row[0] for row in cursor.fetchall()]
    assert order != cast_order


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_after_the_close_no_ballot_row_shares_a_transaction_with_a_voter_token(world, leaders):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's transaction ids (xmin) are tested in CI's PostgreSQL pass")
    ballot_round = opened(world)
    choice = ballot_round.candidates.first().pk
    for leader in leaders.values():
        secret = services.token_issue(ballot_round=ballot_round, unit=leader.unit, user=leader)
        services.ballot_cast(
            ballot_round=ballot_round,
            unit=leader.unit,
            user=leader,
            secret=secret,
            choice_ids=[choice],
        )
    services.round_close(ballot_round=ballot_round, by=world.secretariat)
    choices = THROUGH._meta.db_table
    joins = {
        "ballot": "SELECT count(*) FROM awards_ballot b"
        " JOIN awards_votertoken t ON t.xmin = b.xmin WHERE b.round_id = %s",
        "choice": f"SELECT count(*) FROM {choices} c JOIN awards_ballot b ON b.id = c.ballot_id"
        " JOIN awards_votertoken t ON t.xmin = c.xmin WHERE b.round_id = %s",
    }
    with connection.cursor() as cursor:
        for name, sql in joins.items():
            cursor.execute(sql, [ballot_round.pk])
            assert cursor.fetchone()[0] == 0, name
