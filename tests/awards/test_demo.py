"""The awards demo: CTĐĐNB's 2017 paper rounds with minutes and submission in its 2018 register,
KTĐTN's 2021 electronic flag round; loading twice changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from awards import demo as awards_demo
from awards.documents import MINUTES_KIND, SUBMISSION_KIND
from awards.models import Ballot, BallotRound, PaperTally, Proposal, VoterToken
from blocs.models import BlocYear
from documents.models import Document

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    from blocs import demo
    from documents import demo as documents_demo
    from scoring import demo as scoring_demo

    demo.load()
    documents_demo.load()
    scoring_demo.load()
    awards_demo.load()


def _counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_loading_twice_changes_nothing(demo):
    before = _counts()
    awards_demo.load()
    assert _counts() == before


def _ctddnb_paper_rounds():
    bloc_year = BlocYear.objects.get(bloc__symbol="CTĐĐNB", year=2017)
    rounds = list(BallotRound.objects.filter(bloc_year=bloc_year).order_by("pk"))
    assert [r.award_type.code for r in rounds] == ["co-thi-dua-bo", "bang-khen-tap-the"]
    for ballot_round in rounds:
        assert ballot_round.mode == BallotRound.Mode.PAPER
        assert ballot_round.status == BallotRound.Status.CLOSED
        assert str(ballot_round.held_on) == "2018-02-26"
        assert ballot_round.results["members"] == 7
        assert ballot_round.results["present"] == 7
        tally = PaperTally.objects.get(round=ballot_round)
        assert tally.entered_by.username == "thuky.ctddnb"
        assert tally.confirmed_by.username == "tayninh.canbo"
    flag = Proposal.objects.filter(round=rounds[0])
    merit = Proposal.objects.filter(round=rounds[1])
    assert [p.unit.short_name for p in flag] == ["BQL các KCN Đồng Nai"]
    assert flag.get().votes == 5
    assert {p.unit.short_name for p in merit} == {
        "BQL các KCN Bình Dương",
        "BQL các KCN Bà Rịa - Vũng Tàu",
    }


def _ctddnb_register_2018(tmp_path):
    """The minutes and the submission are in CTĐĐNB's 2018 register, and exported with it."""
    documents = Document.objects.filter(bloc__symbol="CTĐĐNB", number_year=2018).order_by("number")
    assert [(d.kind, d.number_text) for d in documents] == [
        (MINUTES_KIND, "01/BB-CTĐĐNB"),
        (MINUTES_KIND, "02/BB-CTĐĐNB"),
        (SUBMISSION_KIND, "03/TTr-CTĐĐNB"),
    ]
    for document in documents:
        assert str(document.issued_on) == "2018-02-26"
        assert document.place == "Tây Ninh"
        assert document.status == Document.Status.ISSUED
        assert document.parent_body == "BỘ KẾ HOẠCH VÀ ĐẦU TƯ"  # the ministry of 2018
    submission = documents.last()
    assert (
        Proposal.objects.filter(bloc_year__bloc__symbol="CTĐĐNB")
        .exclude(submission=submission)
        .count()
        == 0
    )
    assert (
        Proposal.objects.filter(bloc_year__bloc__symbol="CTĐĐNB", minutes__isnull=True).count() == 0
    )
    call_command("export_documents", bloc="CTĐĐNB", year=2018, out=str(tmp_path), stdout=StringIO())
    index = (tmp_path / "index.csv").read_text(encoding="utf-8-sig")
    for number in ("01/BB-CTĐĐNB", "02/BB-CTĐĐNB", "03/TTr-CTĐĐNB"):
        assert number in index
    assert (tmp_path / "03_TTr-CTĐĐNB.pdf").read_bytes().startswith(b"%PDF")


def _ktdtn_electronic_round():
    ballot_round = BallotRound.objects.get(bloc_year__bloc__symbol="KTĐTN", bloc_year__year=2021)
    assert ballot_round.mode == BallotRound.Mode.ELECTRONIC
    assert ballot_round.status == BallotRound.Status.CLOSED
    assert Ballot.objects.filter(round=ballot_round).count() == 11
    assert VoterToken.objects.filter(round=ballot_round, used=True).count() == 11
    assert len(ballot_round.results["receipts"]) == 11
    proposal = Proposal.objects.get(round=ballot_round)
    assert proposal.rank == 1
    assert proposal.votes == 8
    ranks = sorted(c.nomination.rank for c in ballot_round.candidates.select_related("nomination"))
    assert ranks[0] == 1
    assert len(ranks) == 3


def test_demo_facts(demo, tmp_path):
    """One load for every fact (the scoring demo it needs takes a while to build)."""
    _ctddnb_paper_rounds()
    _ctddnb_register_2018(tmp_path)
    _ktdtn_electronic_round()
