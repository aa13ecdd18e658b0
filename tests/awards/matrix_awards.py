"""Role-matrix rows of the awards overview, eligibility, nominations, results, documents, dossier
and the ministry's table (awards/views/nominations.py, awards/views/results.py), and the
scenario builders the awards tests share.

Bloc A's people and the ministry see the overview and a closed round's results; only the
secretariat writes (the ministry oversees: 403). Eligibility shows ranks and scores, so it
follows the summary table: before the scores are published the members get a 403. A unit's
people nominate their own unit (the ministry has no unit: 403). An achievement report is for
the secretariat, the ministry and the nominated unit; the row's report belongs to the vice unit,
so the plain member's officer and leader get a 404. The dossier is the secretariat's and the
ministry's; the all-blocs table the ministry's alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.conftest import World
from tests.matrix_support import BLOC_A, MINISTRY, SECRETARIAT, Entry

SECRETARIAT_ONLY = {"secretariat"}
NOMINATORS = {"secretariat", "officer", "leader"}
FLAG = "co-thi-dua-bo"
PDF = b"%PDF-1.4\n% bao cao thanh tich\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- scenario builders (shared by tests/awards/test_*.py) ---------------------------------------


def rank_members(w: World, finals: dict[str, str] | None = None):
    """A scoring round of bloc A whose final scores are *finals* (by cast unit name): the chair
    98.5, the vice 80, the member 70 unless told otherwise. Items 1–3 are worth 35, 25 and 40."""
    from django.utils import timezone

    from scoring import services as scoring
    from scoring.models import Entry as ScoreEntry
    from scoring.models import Sheet
    from tests.scoring.conftest import build_scale

    finals = finals or {"chair": "98.5", "vice": "80", "member": "70"}
    scale, _groups, _items = build_scale(w)
    scoring_round = scoring.round_open(
        bloc_year=w.bloc_year,
        scale=scale,
        by=w.secretariat,
        deadline=timezone.now() + dt.timedelta(days=10),
    )
    for name, final in finals.items():
        sheet = Sheet.objects.get(round=scoring_round, unit=getattr(w, name))
        remaining = Decimal(final)
        for code, maximum in (("1", 35), ("2", 25), ("3", 40)):
            value = min(Decimal(maximum), remaining)
            remaining -= value
            ScoreEntry.objects.filter(sheet=sheet, criterion__code=code).update(self_score=value)
    return scoring_round


def nominate(w: World, names=("chair", "vice", "member"), *, award_code: str = FLAG):
    from awards import services
    from awards.models import AwardType, Nomination

    award = AwardType.objects.get(code=award_code)
    return [
        services.nomination_create(
            bloc_year=w.bloc_year,
            award_type=award,
            unit=getattr(w, name),
            by=w.secretariat,
            source=Nomination.Source.SECRETARIAT,
        )
        for name in names
    ]


def closed_paper_round(
    w: World,
    *,
    votes=(2, 1, 0),
    ranked: bool = True,
    award_code: str = FLAG,
    seats: int = 1,
    title: str = "Bình xét Cờ thi đua của Bộ năm 2022",
):
    """A paper round on the chair, vice and member (in that order) with *votes* out of 3 present,
    entered by the secretariat, confirmed by a second chair officer and closed: with the default
    votes the chair is elected with 2/3 of the members."""
    from awards import services
    from awards.models import AwardType, BallotRound, Candidate
    from blocs.models import User
    from tests.factories import UserFactory

    if ranked:
        rank_members(w)
    award = AwardType.objects.get(code=award_code)
    ballot_round = services.round_create(
        bloc_year=w.bloc_year,
        title=title,
        by=w.secretariat,
        candidates=nominate(w, award_code=award_code),
        award_type=award,
        seats=seats,
        max_choices=seats,
        mode=BallotRound.Mode.PAPER,
        held_on=dt.date(2022, 12, 20),
    )
    ballot_round = services.round_open(ballot_round=ballot_round, by=w.secretariat, present_units=3)
    candidates = list(Candidate.objects.filter(round=ballot_round).order_by("position"))
    services.paper_tally_enter(
        ballot_round=ballot_round,
        by=w.secretariat,
        issued=3,
        returned=3,
        valid=3,
        votes={c.pk: n for c, n in zip(candidates, votes, strict=True)},
    )
    confirmer = User.objects.filter(username="kiemphieu").first() or UserFactory(
        username="kiemphieu", full_name="Lê Thị Kiểm", unit=w.chair, unit_role="officer"
    )
    services.paper_tally_confirm(ballot_round=ballot_round, by=confirmer)
    return services.round_close(ballot_round=ballot_round, by=w.secretariat)


def issue_data(w: World | None = None) -> dict:
    return {
        "issued_on": "2022-12-20",
        "place": "Đắk Lắk",
        "signer_name": "Phạm Văn Tịch",
        "signer_title": "Trưởng ban",
        "signature_heading": "TM. KHỐI THI ĐUA A",
    }


# --- matrix rows ------------------------------------------------------------------------------


def _year(w: World) -> dict:
    return {"bloc_pk": w.bloc.pk, "year": w.bloc_year.year}


def _vice_report(w: World) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from awards import services
    from awards.models import AwardType, Nomination

    nomination = services.nomination_create(
        bloc_year=w.bloc_year,
        award_type=AwardType.objects.get(code="dien-hinh-tap-the"),
        unit=w.vice,
        by=w.secretariat,
        source=Nomination.Source.SECRETARIAT,
        report=SimpleUploadedFile("bao-cao.pdf", PDF, "application/pdf"),
    )
    return {"pk": nomination.pk}


def _closed_round(w: World) -> dict:
    return {"pk": closed_paper_round(w, ranked=False).pk}


def _year_with_proposal(w: World) -> dict:
    closed_paper_round(w, ranked=False)
    return _year(w)


ENTRIES: dict[str, Entry] = {
    "awards_overview": Entry(BLOC_A, kwargs=_year),
    "award_eligibility": Entry(SECRETARIAT, kwargs=_year),
    "award_exclusion_add": Entry(
        SECRETARIAT_ONLY,
        kwargs=_year,
        method="post",
        ok_statuses={302},
        data=lambda w: {"unit": w.member.pk, "reason": "Có công chức bị kỷ luật"},
    ),
    "nomination_create": Entry(NOMINATORS, kwargs=_year),
    "nominations_default": Entry(
        SECRETARIAT_ONLY,
        kwargs=_year,
        method="post",
        ok_statuses={302},
        data=lambda w: {"award_type": FLAG},
    ),
    "nomination_report": Entry(SECRETARIAT, kwargs=_vice_report),
    "ballot_round_results": Entry(BLOC_A, kwargs=_closed_round),
    "ballot_minutes_issue": Entry(
        SECRETARIAT_ONLY, kwargs=_closed_round, method="post", data=issue_data, ok_statuses={302}
    ),
    "award_submission_issue": Entry(
        SECRETARIAT_ONLY,
        kwargs=_year_with_proposal,
        method="post",
        data=issue_data,
        ok_statuses={302},
    ),
    "award_dossier": Entry(SECRETARIAT, kwargs=_year),
    "award_ministry_overview": Entry(MINISTRY, kwargs=lambda w: {"year": 2022}),
}
