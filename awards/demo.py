"""Demo awards. Idempotent: every step looks for what it would make and makes it only if missing,
so a second run writes nothing.

- **CTĐĐNB, emulation year 2017** (seed 003): at the year-end conference on 26/02/2018 at the
  Tây Ninh board, the cluster voted by paper ballot 1 collective for the ministry's flag and 2
  for the minister's certificate of merit. The seed does not say which units won: the winners
  here are the demo's own plausible choice, not a fact. The flag goes to the Đồng Nai board
  (the seed's article is published by it, the cluster's largest board); the certificates to the
  Bình Dương and Bà Rịa - Vũng Tàu boards. The tally is entered by the cluster's secretary
  ("thuky.ctddnb") and confirmed by another Tây Ninh officer ("tayninh.canbo"); the minutes of
  both rounds and the submission to the ministry are issued on 26/02/2018 in CTĐĐNB's register
  (number year 2018), so ``export_documents --bloc CTĐĐNB --year 2018`` includes them.
- **KTĐTN, emulation year 2021**: an electronic secret ballot for the ministry's flag among the
  three top-ranked eligible units of the scoring demo's summary table; the top-ranked unit is
  elected, the round is closed. Ten leaders ("<key>.lanhdao") vote themselves; the Đắk Lắk
  leader names the unit's officer ("daklak.canbo") delegate for the year, who casts Đắk Lắk's
  vote (a fictional delegation, to show the feature).

Needs the blocs, documents and scoring demos first (``manage.py load_demo`` runs them in order).
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from awards import services
from awards.documents import minutes_issue, minutes_of, submission_issue, submission_of
from awards.models import (
    AwardType,
    BallotRound,
    Candidate,
    Nomination,
    PaperTally,
    VoterToken,
    VotingDelegate,
)
from blocs.models import BlocYear, MemberUnit, User
from blocs.selectors import bloc_members

CONFERENCE_DAY = dt.date(2018, 2, 26)  # seed 003
KTDTN_CONFERENCE_DAY = dt.date(2021, 11, 10)  # seed 002
KTDTN_FLAG_ROUND = "Bình xét, suy tôn tập thể đề nghị tặng Cờ thi đua của Bộ năm 2021"
CONFERENCE_PLACE = "Tây Ninh"
FLAG = "co-thi-dua-bo"
MERIT = "bang-khen-tap-the"

# (unit key, votes): 7 members, 7 present, 7 valid paper ballots in each round.
CTDDNB_FLAG_VOTES = [("dongnai", 5), ("binhduong", 2)]
CTDDNB_MERIT_VOTES = [("binhduong", 6), ("vungtau", 5), ("binhphuoc", 3)]
# Electronic round of KTĐTN 2021: votes for the 1st, 2nd and 3rd ranked nominee (11 leaders).
KTDTN_VOTES = (8, 2, 1)
# The unit whose vote in that round is cast by a delegate its leader named (fictional).
KTDTN_DELEGATING_UNIT = "daklak"
KTDTN_DELEGATE_NOTE = "Trưởng ban đi công tác; Chuyên viên Văn phòng bỏ phiếu thay."

REPORT_PDF = b"%PDF-1.4\n% bao cao thanh tich du lieu mau\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _unit(key: str) -> MemberUnit:
    """A demo unit by its key, through its officer's username (blocs/demo.py names them so)."""
    return User.objects.select_related("unit").get(username=f"{key}.canbo").unit


def _nomination(
    bloc_year: BlocYear, award: AwardType, unit: MemberUnit, by: User, *, note: str
) -> Nomination:
    found = Nomination.objects.filter(
        bloc_year=bloc_year, award_type=award, unit=unit, person_name=""
    ).first()
    if found is not None:
        return found
    report = SimpleUploadedFile(
        f"bao-cao-thanh-tich-{bloc_year.year}.pdf", REPORT_PDF, "application/pdf"
    )
    return services.nomination_create(
        bloc_year=bloc_year,
        award_type=award,
        unit=unit,
        by=by,
        source=Nomination.Source.SECRETARIAT,
        note=note,
        report=report,
    )


def _paper_round(
    bloc_year: BlocYear,
    award: AwardType,
    *,
    title: str,
    seats: int,
    votes: list[tuple[str, int]],
    secretary: User,
    confirmer: User,
) -> BallotRound:
    """A paper round held at the conference: created, opened with 7 present, counted, confirmed
    by a second officer, closed. Each step runs only if the round has not passed it yet."""
    ballot_round = BallotRound.objects.filter(bloc_year=bloc_year, title=title).first()
    if ballot_round is None:
        nominations = [
            _nomination(
                bloc_year,
                award,
                _unit(key),
                secretary,
                note=f"Thường trực Cụm đề cử bình xét {award.name}",
            )
            for key, _n in votes
        ]
        ballot_round = services.round_create(
            bloc_year=bloc_year,
            title=title,
            by=secretary,
            candidates=nominations,
            award_type=award,
            max_choices=seats,
            seats=seats,
            mode=BallotRound.Mode.PAPER,
            held_on=CONFERENCE_DAY,
        )
    present = bloc_members(bloc=bloc_year.bloc, year=bloc_year.year).count()  # all 7 were there
    if ballot_round.status == BallotRound.Status.DRAFT:
        ballot_round = services.round_open(
            ballot_round=ballot_round, by=secretary, present_units=present
        )
    if ballot_round.status == BallotRound.Status.OPEN:
        tally = PaperTally.objects.filter(round=ballot_round).first()
        if tally is None:
            by_unit = {c.unit_id: c.pk for c in Candidate.objects.filter(round=ballot_round)}
            services.paper_tally_enter(
                ballot_round=ballot_round,
                by=secretary,
                issued=present,
                returned=present,
                valid=present,
                votes={by_unit[_unit(key).pk]: n for key, n in votes},
            )
            tally = PaperTally.objects.get(round=ballot_round)
        if tally.confirmed_by_id is None:
            services.paper_tally_confirm(ballot_round=ballot_round, by=confirmer)
        ballot_round = services.round_close(ballot_round=ballot_round, by=secretary)
    return ballot_round


def _load_ctddnb() -> None:
    bloc_year = BlocYear.objects.select_related("bloc", "chair").get(
        bloc__symbol="CTĐĐNB", year=2017
    )
    secretary = User.objects.get(username="thuky.ctddnb")
    confirmer = User.objects.get(username="tayninh.canbo")
    chair_leader = User.objects.get(username="tayninh.lanhdao")
    rounds = [
        _paper_round(
            bloc_year,
            AwardType.objects.get(code=FLAG),
            seats=1,
            votes=CTDDNB_FLAG_VOTES,
            title="Bình xét, suy tôn tập thể đề nghị tặng Cờ thi đua của Bộ năm 2017",
            secretary=secretary,
            confirmer=confirmer,
        ),
        _paper_round(
            bloc_year,
            AwardType.objects.get(code=MERIT),
            seats=2,
            votes=CTDDNB_MERIT_VOTES,
            title="Bình xét tập thể đề nghị tặng Bằng khen của Bộ trưởng năm 2017",
            secretary=secretary,
            confirmer=confirmer,
        ),
    ]
    signer = {
        "signer_name": chair_leader.full_name,
        "place": CONFERENCE_PLACE,
        "issued_on": CONFERENCE_DAY,
    }
    for ballot_round in rounds:
        if minutes_of(ballot_round) is None:
            minutes_issue(
                ballot_round=ballot_round,
                by=secretary,
                secretary_name=secretary.full_name,
                signature_heading="CHỦ TỌA",
                **signer,
            )
    if submission_of(bloc_year) is None:
        submission_issue(
            bloc_year=bloc_year,
            by=secretary,
            **signer,
            signature_heading=f"TM. {bloc_year.bloc.name.upper()}\nCỤM TRƯỞNG",
            signer_title="TRƯỞNG BAN QUẢN LÝ CÁC KHU KINH TẾ TỈNH TÂY NINH",
        )


def _load_ktdtn() -> None:
    bloc_year = BlocYear.objects.select_related("bloc").get(bloc__symbol="KTĐTN", year=2021)
    title = KTDTN_FLAG_ROUND
    ballot_round = BallotRound.objects.filter(bloc_year=bloc_year, title=title).first()
    if ballot_round is not None and ballot_round.status == BallotRound.Status.CLOSED:
        return
    secretariat = User.objects.get(username="danang.canbo")  # the 2021 chair's officer
    flag = AwardType.objects.get(code=FLAG)
    if ballot_round is None:
        services.nominations_propose_default(
            bloc_year=bloc_year, award_type=flag, count=len(KTDTN_VOTES), by=secretariat
        )
        nominations = list(
            Nomination.objects.filter(
                bloc_year=bloc_year,
                award_type=flag,
                person_name="",
                source=Nomination.Source.SECRETARIAT,
            ).order_by("rank", "pk")[: len(KTDTN_VOTES)]
        )
        ballot_round = services.round_create(
            bloc_year=bloc_year,
            title=title,
            by=secretariat,
            candidates=nominations,
            award_type=flag,
            seats=1,
            max_choices=1,
            mode=BallotRound.Mode.ELECTRONIC,
        )
    if ballot_round.status == BallotRound.Status.DRAFT:
        ballot_round = services.round_open(ballot_round=ballot_round, by=secretariat)
    candidates = list(
        Candidate.objects.filter(round=ballot_round)
        .select_related("nomination")
        .order_by("nomination__rank", "position")
    )
    choices = [c for c, n in zip(candidates, KTDTN_VOTES, strict=False) for _ in range(n)]
    leaders = list(
        User.objects.filter(
            unit__in=bloc_members(bloc=bloc_year.bloc, year=bloc_year.year),
            unit_role=User.UnitRole.LEADER,
            username__endswith=".lanhdao",
        )
        .select_related("unit")
        .order_by("username")
    )
    delegates = _ktdtn_delegates(bloc_year)
    for leader, choice in zip(leaders, choices, strict=False):
        if VoterToken.objects.filter(round=ballot_round, unit=leader.unit, used=True).exists():
            continue
        voter = delegates.get(leader.unit_id, leader)
        secret = services.token_issue(ballot_round=ballot_round, unit=leader.unit, user=voter)
        services.ballot_cast(
            ballot_round=ballot_round,
            unit=leader.unit,
            user=voter,
            secret=secret,
            choice_ids=[choice.pk],
        )
    services.round_close(ballot_round=ballot_round, by=secretariat)


def _ktdtn_delegates(bloc_year: BlocYear) -> dict[int, User]:
    """The year's delegates by unit id; Đắk Lắk's leader names its officer once."""
    leader = User.objects.select_related("unit").get(username=f"{KTDTN_DELEGATING_UNIT}.lanhdao")
    if not VotingDelegate.objects.filter(bloc_year=bloc_year, unit=leader.unit).exists():
        services.delegate_name(
            bloc_year=bloc_year,
            unit=leader.unit,
            delegate=User.objects.get(username=f"{KTDTN_DELEGATING_UNIT}.canbo"),
            by=leader,
            note=KTDTN_DELEGATE_NOTE,
        )
    return {
        d.unit_id: d.delegate
        for d in VotingDelegate.objects.filter(
            bloc_year=bloc_year, round__isnull=True, revoked_at__isnull=True
        ).select_related("delegate")
    }


@transaction.atomic
def load() -> None:
    """Load (or re-check) the awards demo."""
    _load_ctddnb()
    _load_ktdtn()
