"""One vote per unit under simultaneous requests (PostgreSQL: SQLite serialises every writer).

Eight threads wait at a barrier and then cast at once: with one secret (a double-clicked
button, a replayed request), and with eight secrets fetched at once for the same unit (two
leaders, two tabs). Exactly one ballot is stored either way.
"""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from awards import services
from awards.models import Ballot, BallotRound, VoterToken
from tests.awards.matrix_ballots import opened
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

THREADS = 8


@pytest.fixture(autouse=True)
def _postgresql_only():
    # A skip, not a failure, even in CI: CI's second pass is SQLite on purpose.
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is tested on PostgreSQL (CI's PostgreSQL pass)")


def _at_once(work) -> list[object]:
    """Run *work(i)* in THREADS threads released together; each result or raised exception."""
    barrier = threading.Barrier(THREADS)
    outcomes: list[object] = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[i] = work(i)
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def _split(outcomes: list[object]) -> tuple[list[str], list[ValidationError]]:
    receipts = [o for o in outcomes if isinstance(o, str)]
    refusals = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(receipts) + len(refusals) == THREADS, outcomes  # nothing else went wrong
    return receipts, refusals


@pytest.fixture
def ballot_round(world) -> BallotRound:
    return opened(world)


def test_one_secret_cast_eight_times_at_once_gives_one_ballot(world, ballot_round):
    secret = services.token_issue(ballot_round=ballot_round, unit=world.member, user=world.leader)
    choice = ballot_round.candidates.first().pk

    def cast(_i: int) -> str:
        return services.ballot_cast(
            ballot_round=ballot_round,
            unit=world.member,
            user=world.leader,
            secret=secret,
            choice_ids=[choice],
        )

    receipts, refusals = _split(_at_once(cast))
    assert len(receipts) == 1
    assert len(refusals) == THREADS - 1
    assert all(e.messages == ["Đơn vị đã bỏ phiếu trong vòng này."] for e in refusals)
    assert Ballot.objects.filter(round=ballot_round).count() == 1
    assert Ballot.objects.get().receipt == receipts[0]
    assert VoterToken.objects.get(round=ballot_round, unit=world.member).used


def test_eight_ballots_fetched_and_cast_at_once_for_one_unit_give_one_ballot(world, ballot_round):
    deputies = [world.leader] + [
        UserFactory(username=f"lanhdao.bd{i}", unit=world.member, unit_role="leader")
        for i in range(THREADS - 1)
    ]
    choice = ballot_round.candidates.first().pk

    def fetch_and_cast(i: int) -> str:
        leader = deputies[i]
        secret = services.token_issue(ballot_round=ballot_round, unit=leader.unit, user=leader)
        return services.ballot_cast(
            ballot_round=ballot_round,
            unit=leader.unit,
            user=leader,
            secret=secret,
            choice_ids=[choice],
        )

    receipts, refusals = _split(_at_once(fetch_and_cast))
    assert len(receipts) == 1
    assert len(refusals) == THREADS - 1
    assert Ballot.objects.filter(round=ballot_round).count() == 1
    assert VoterToken.objects.filter(round=ballot_round, unit=world.member).count() == 1
