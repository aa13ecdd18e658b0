"""Every write of the awards app: exclusions, nominations, ballot rounds, secret ballots,
paper tallies, results and proposals. The rules come from the bloc's regulation version."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from awards import selectors
from awards.models import (
    AwardType,
    Ballot,
    BallotChoice,
    BallotRound,
    Candidate,
    Exclusion,
    Nomination,
    PaperTally,
    Proposal,
    VoterToken,
    VotingDelegate,
)
from blocs.models import BlocYear, Membership, MemberUnit, User
from blocs.selectors import bloc_members, memberships_in_sql
from khoi_portal.db import column, table
from khoi_portal.lib.vietnamese import nfc
from khoi_portal.outbox.services import enqueue

# Defaults when a bloc's regulation is silent (DOMAIN §4: no national rule fixes them).
DEFAULT_RULES = {
    "quorum": "2/3",
    "base": "all",
    "pass_share": "0.5",
    "tie_break": "runoff",
    "flag_nominees": 1,
    "merit_max_share": "0.3",
    "min_score": None,
}


def _stamp(obj, *, by: User | None, reason: str) -> None:
    obj._history_user = by
    obj._change_reason = reason


def rules_for(bloc_year: BlocYear) -> dict:
    """The rule parameters of the regulation in force for the year, over the defaults."""
    from covenants.selectors import regulation_for

    regulation = regulation_for(bloc=bloc_year.bloc, year=bloc_year.year)
    parameters = dict(regulation.parameters) if regulation else {}
    # The regulation form stores the base as "vote_base": "members" | "present"; rounds keep "all" | "present".
    if "base" not in parameters and parameters.get("vote_base") in ("members", "present"):
        parameters["base"] = "all" if parameters["vote_base"] == "members" else "present"
    return DEFAULT_RULES | parameters


def _fraction(value, rounding: str = ROUND_HALF_UP) -> Decimal:
    text = str(value).strip()
    if "/" in text:
        numerator, denominator = text.split("/", 1)
        return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding)
    return Decimal(text)


def _points(value: Decimal) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


# --- eligibility --------------------------------------------------------------------------


@dataclass
class Eligibility:
    unit: MemberUnit
    eligible: bool
    reason: str
    rank: int | None
    score: Decimal | None


def eligibility(*, bloc_year: BlocYear, award_type: AwardType) -> list[Eligibility]:
    """Every member's eligibility with a written reason: the score ranking and hard conditions."""
    from scoring.selectors import round_of, summary_table

    rules = rules_for(bloc_year)
    minimum = Decimal(str(rules["min_score"])) if rules.get("min_score") not in (None, "") else None
    excluded: dict[int, list[str]] = {}
    for exclusion in Exclusion.objects.filter(bloc_year=bloc_year).filter(
        award_type__isnull=True
    ) | Exclusion.objects.filter(bloc_year=bloc_year, award_type=award_type):
        excluded.setdefault(exclusion.unit_id, []).append(exclusion.reason)
    scoring_round = round_of(bloc_year=bloc_year)
    ranked = {}
    if scoring_round is not None:
        for row in summary_table(scoring_round=scoring_round).rows:
            ranked[row.unit.pk] = (row.rank, row.final)
    result = []
    for unit in bloc_members(bloc=bloc_year.bloc, year=bloc_year.year):
        rank, score = ranked.get(unit.pk, (None, None))
        problems = list(excluded.get(unit.pk, []))
        if minimum is not None and (score is None or score < minimum):
            problems.append(_("dưới %(min)s điểm") % {"min": _points(minimum)})
        if problems:
            result.append(
                Eligibility(
                    unit,
                    False,
                    _("không đủ điều kiện: %(why)s") % {"why": "; ".join(problems)},
                    rank,
                    score,
                )
            )
        elif rank is None:
            result.append(Eligibility(unit, True, _("chưa có kết quả chấm điểm"), None, None))
        else:
            result.append(
                Eligibility(
                    unit,
                    True,
                    _("hạng %(rank)s, %(score)s điểm") % {"rank": rank, "score": _points(score)},
                    rank,
                    score,
                )
            )
    result.sort(key=lambda e: (not e.eligible, e.rank if e.rank is not None else 10_000))
    return result


@transaction.atomic
def exclusion_add(
    *,
    bloc_year: BlocYear,
    unit: MemberUnit,
    reason: str,
    by: User,
    award_type: AwardType | None = None,
) -> Exclusion:
    if not reason.strip():
        raise ValidationError(_("Hãy ghi lý do."))
    exclusion = Exclusion(
        bloc_year=bloc_year,
        unit=unit,
        award_type=award_type,
        reason=nfc(reason.strip()),
        created_by=by,
    )
    _stamp(exclusion, by=by, reason=f"Không đủ điều kiện: {exclusion.reason}")
    exclusion.save()
    return exclusion


# --- nominations --------------------------------------------------------------------------


@transaction.atomic
def nominations_propose_default(
    *, bloc_year: BlocYear, award_type: AwardType, count: int, by: User
) -> list[Nomination]:
    """The secretariat's default candidates: the first *count* eligible units by ranking."""
    created = []
    for row in [e for e in eligibility(bloc_year=bloc_year, award_type=award_type) if e.eligible][
        :count
    ]:
        nomination, new = Nomination.objects.get_or_create(
            bloc_year=bloc_year,
            award_type=award_type,
            unit=row.unit,
            person_name="",
            defaults={
                "source": Nomination.Source.SECRETARIAT,
                "score": row.score,
                "rank": row.rank,
                "note": row.reason,
                "created_by": by,
            },
        )
        if new:
            created.append(nomination)
    return created


@transaction.atomic
def nomination_create(
    *,
    bloc_year: BlocYear,
    award_type: AwardType,
    unit: MemberUnit,
    by: User,
    source: str,
    person_name: str = "",
    person_title: str = "",
    note: str = "",
    report=None,
) -> Nomination:
    """A nomination; individuals need a name; an achievement report may be attached."""
    from khoi_portal import uploads

    if award_type.recipient == AwardType.Recipient.INDIVIDUAL and not person_name.strip():
        raise ValidationError(_("Hãy ghi họ tên cá nhân được đề nghị."))
    if not bloc_members(bloc=bloc_year.bloc, year=bloc_year.year).filter(pk=unit.pk).exists():
        raise ValidationError(_("Đơn vị không phải thành viên của khối năm này."))
    ranked = {e.unit.pk: e for e in eligibility(bloc_year=bloc_year, award_type=award_type)}
    if award_type.recipient == AwardType.Recipient.COLLECTIVE and not ranked[unit.pk].eligible:
        raise ValidationError(ranked[unit.pk].reason)
    nomination = Nomination(
        bloc_year=bloc_year,
        award_type=award_type,
        unit=unit,
        source=source,
        person_name=nfc(person_name.strip()),
        person_title=nfc(person_title.strip()),
        note=nfc(note),
        score=ranked[unit.pk].score,
        rank=ranked[unit.pk].rank,
        created_by=by,
    )
    if report is not None:
        checked = uploads.check_upload(report, uploads.ACHIEVEMENT_REPORT)
        digest = hashlib.sha256()
        for chunk in report.chunks():
            digest.update(chunk)
        report.seek(0)
        nomination.report_sha256 = digest.hexdigest()
        nomination.report_name = checked.name
        nomination.report.save(nomination.report_name, report, save=False)
    _stamp(nomination, by=by, reason=f"Đề cử {award_type.name}")
    nomination.save()
    return nomination


# --- rounds -------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    bloc_year: BlocYear,
    title: str,
    by: User,
    candidates: list[Nomination] | None = None,
    unit_candidates: list[MemberUnit] | None = None,
    award_type: AwardType | None = None,
    max_choices: int = 1,
    seats: int = 1,
    mode: str = BallotRound.Mode.ELECTRONIC,
    purpose: str = "award",
    runoff_of: BallotRound | None = None,
    held_on=None,
) -> BallotRound:
    """A ballot round whose rules are taken from the regulation in force (and kept with it)."""
    rules = rules_for(bloc_year)
    if max_choices < 1 or seats < 1:
        raise ValidationError(_("Số lựa chọn và số suất phải ít nhất là 1."))
    labels = [(n.label, n, n.unit, n.score) for n in candidates or []]
    labels += [(u.full_name, None, u, None) for u in unit_candidates or []]
    if len(labels) < 1:
        raise ValidationError(_("Vòng bỏ phiếu cần ít nhất một ứng viên."))
    members = bloc_members(bloc=bloc_year.bloc, year=bloc_year.year).count()
    ballot_round = BallotRound(
        bloc_year=bloc_year,
        award_type=award_type,
        purpose=purpose,
        title=nfc(title),
        mode=mode,
        max_choices=max_choices,
        seats=seats,
        base=rules["base"],
        # Rounded down: a quorum of 2/3 stored as 0.6667 would refuse exactly two of three members.
        quorum=_fraction(rules["quorum"], ROUND_DOWN),
        pass_share=_fraction(rules["pass_share"]),
        tie_break=rules["tie_break"],
        member_units=members,
        runoff_of=runoff_of,
        created_by=by,
        held_on=held_on,
    )
    _stamp(ballot_round, by=by, reason="Tạo vòng bỏ phiếu")
    ballot_round.save()
    for position, (label, nomination, unit, score) in enumerate(labels, start=1):
        Candidate.objects.create(
            round=ballot_round,
            nomination=nomination,
            unit=unit,
            label=label,
            score=score,
            position=position,
        )
    return ballot_round


@transaction.atomic
def round_open(
    *, ballot_round: BallotRound, by: User, present_units: int | None = None
) -> BallotRound:
    current = BallotRound.objects.select_for_update().get(pk=ballot_round.pk)
    if current.status != BallotRound.Status.DRAFT:
        raise ValidationError(_("Vòng bỏ phiếu đã mở hoặc đã kết thúc."))
    current.status, current.opened_at = BallotRound.Status.OPEN, timezone.now()
    if present_units is not None:
        current.present_units = present_units
    _stamp(current, by=by, reason="Mở bỏ phiếu")
    current.save()
    return current


def _mac(purpose: str, secret: str) -> str:
    key = hashlib.sha256(f"{settings.SECRET_KEY}|ballot|{purpose}".encode()).digest()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def may_vote_for(user: User, unit: MemberUnit, *, ballot_round: BallotRound | None = None) -> bool:
    """The unit's leader, or the delegate a leader named for the round (or its year).

    Both may vote while a delegate is named: the unit still has one vote, held by its single-use
    token, and whoever casts first uses it."""
    if not (user.is_active and user.unit_id == unit.pk):
        return False
    if user.unit_role == User.UnitRole.LEADER:
        return True
    return ballot_round is not None and selectors.is_delegate(user=user, ballot_round=ballot_round)


def token_issue(*, ballot_round: BallotRound, unit: MemberUnit, user: User) -> str:
    """The unit's one-time secret for this round's ballot page, or why the unit cannot vote.

    Nothing is written (issue #8: a ballot page is opened once per voter, and a write there was
    a commit and a freshness bump per page): the secret is a random nonce signed for the round
    and the unit, never stored. Only the cast that uses it stores anything, and then only HMACs
    of it. Every page the unit opens carries a valid secret until the unit has voted: the
    first cast uses the unit's single vote and every other page is refused then."""
    if (
        ballot_round.status != BallotRound.Status.OPEN
        or ballot_round.mode != BallotRound.Mode.ELECTRONIC
    ):
        raise ValidationError(_("Vòng bỏ phiếu không mở để bỏ phiếu điện tử."))
    if not may_vote_for(user, unit, ballot_round=ballot_round):
        raise ValidationError(_("Chỉ lãnh đạo đơn vị (hoặc người được ủy quyền) mới bỏ phiếu."))
    member, voted = _voter_state(ballot_round=ballot_round, unit=unit)
    if not member:
        raise ValidationError(_("Đơn vị không phải thành viên của khối năm này."))
    if voted:
        raise ValidationError(_("Đơn vị đã bỏ phiếu trong vòng này."))
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_issue_signature(ballot_round.pk, unit.pk, nonce)}"


def _issue_signature(round_id: int, unit_id: int, nonce: str) -> str:
    """The server's signature of a ballot page's nonce for one round and unit (43 characters)."""
    digest = bytes.fromhex(_mac("issue", f"{round_id}:{unit_id}:{nonce}"))
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _issued_for(secret: str, *, round_id: int, unit_id: int) -> bool:
    """Whether *secret* is one token_issue gave for this round and unit."""
    nonce, dot, signature = secret.rpartition(".")
    return bool(dot and nonce) and hmac.compare_digest(
        signature, _issue_signature(round_id, unit_id, nonce)
    )


def _voter_state(*, ballot_round: BallotRound, unit: MemberUnit) -> tuple[bool, bool]:
    """Whether the unit is a member of the round's bloc in its year, and whether it has voted in
    the round: one statement, as every ballot page asks both. Plain SQL (issue #8: the ORM took
    longer to build the two EXISTS than the database took to answer them); the year's
    memberships are ``memberships_in_sql``, the rule of ``bloc_members``."""
    bloc_year = ballot_round.bloc_year
    in_year, in_year_params = memberships_in_sql(bloc_year.year)
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM {table(Membership)} WHERE {column(Membership, 'bloc')} = %s"
        f" AND {column(Membership, 'unit')} = %s AND {in_year}), "
        f"EXISTS (SELECT 1 FROM {table(VoterToken)} WHERE {column(VoterToken, 'round')} = %s"
        f" AND {column(VoterToken, 'unit')} = %s AND {column(VoterToken, 'used')})"
    )
    params = [bloc_year.bloc_id, unit.pk, *in_year_params, ballot_round.pk, unit.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        member, voted = cursor.fetchone()
    return bool(member), bool(voted)


def _token_use(*, ballot_round: BallotRound, unit: MemberUnit, proof: str) -> bool:
    """The unit's token row used, with *proof* of the secret that used it: created used if
    missing, else flipped unless it is used already (False then). One statement, INSERT …
    ON CONFLICT … DO UPDATE … WHERE NOT used (PostgreSQL and SQLite alike). Of two casts at
    the same moment the second waits for the first's row lock, then finds the row used."""
    meta = VoterToken._meta
    q = connection.ops.quote_name
    table = q(meta.db_table)
    round_id, unit_id, proof_column, used = (
        q(meta.get_field(name).column) for name in ("round", "unit", "proof", "used")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({round_id}, {unit_id}, {proof_column}, {used}) "
            f"VALUES (%s, %s, %s, %s) ON CONFLICT ({round_id}, {unit_id}) "
            f"DO UPDATE SET {proof_column} = excluded.{proof_column}, {used} = excluded.{used} "
            f"WHERE NOT {table}.{used}",
            [ballot_round.pk, unit.pk, proof, True],
        )
        return cursor.rowcount == 1


@transaction.atomic
def ballot_cast(
    *,
    ballot_round: BallotRound,
    unit: MemberUnit,
    user: User,
    secret: str,
    choice_ids: list[int],
    candidates: list[Candidate] | None = None,
) -> str:
    """Cast the unit's one ballot; returns the receipt the voter later finds in the published list.

    *secret*: what token_issue gave this unit's ballot page for this round (a secret signed for
    another round or unit, or altered, is refused). One vote per unit even with simultaneous
    requests: the unit's token row is used by a conditional upsert (only one transaction can
    create or flip it) and the ballot's token hash is unique.
    *candidates*: the round's candidates when the caller has loaded them already (a round's
    candidates are fixed when it is created); otherwise they are read here.
    """
    # The round's row locked (round_close takes the same lock): its state as of now, two columns.
    status, max_choices = (
        BallotRound.objects.select_for_update()
        .filter(pk=ballot_round.pk)
        .values_list("status", "max_choices")
        .get()
    )
    if status != BallotRound.Status.OPEN:
        raise ValidationError(_("Vòng bỏ phiếu đã đóng."))
    if not may_vote_for(user, unit, ballot_round=ballot_round):
        raise ValidationError(_("Chỉ lãnh đạo đơn vị (hoặc người được ủy quyền) mới bỏ phiếu."))
    wanted = set(choice_ids)
    if candidates is None:
        # order_by(): the model's ordering would join the round, its year and bloc for nothing.
        choices = list(Candidate.objects.filter(round_id=ballot_round.pk, pk__in=wanted).order_by())
    else:
        choices = [c for c in candidates if c.pk in wanted and c.round_id == ballot_round.pk]
    if len(choices) != len(set(choice_ids)):
        raise ValidationError(_("Lựa chọn không hợp lệ."))
    if len(choices) > max_choices:
        raise ValidationError(_("Chỉ được chọn tối đa %(n)s ứng viên.") % {"n": max_choices})
    if not _issued_for(secret, round_id=ballot_round.pk, unit_id=unit.pk):
        raise ValidationError(_("Phiếu bầu đã hết hiệu lực; hãy tải lại trang để nhận phiếu mới."))
    if not _token_use(ballot_round=ballot_round, unit=unit, proof=_mac("token", secret)):
        raise ValidationError(_("Đơn vị đã bỏ phiếu trong vòng này."))
    receipt = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
    try:
        # No savepoint: on an IntegrityError the ValidationError rolls this whole transaction
        # back (the token's UPDATE with it) and nothing runs in it after the error.
        ballot = Ballot.objects.create(
            round_id=ballot_round.pk, token_hash=_mac("ballot", secret), receipt=receipt
        )
    except IntegrityError:
        raise ValidationError(_("Đơn vị đã bỏ phiếu trong vòng này.")) from None
    # A new ballot has no choices yet: one INSERT, not ``choices.set``'s read-compare-insert.
    BallotChoice.objects.bulk_create([BallotChoice(ballot=ballot, candidate=c) for c in choices])
    return receipt


@transaction.atomic
def paper_tally_enter(
    *,
    ballot_round: BallotRound,
    by: User,
    issued: int,
    returned: int,
    valid: int,
    votes: dict[int, int],
) -> PaperTally:
    current = BallotRound.objects.select_for_update().get(pk=ballot_round.pk)
    if current.mode != BallotRound.Mode.PAPER or current.status != BallotRound.Status.OPEN:
        raise ValidationError(_("Chỉ nhập kết quả kiểm phiếu cho vòng phiếu giấy đang mở."))
    if not (valid <= returned <= issued):
        raise ValidationError(_("Số phiếu hợp lệ ≤ số phiếu thu về ≤ số phiếu phát ra."))
    candidates = set(Candidate.objects.filter(round=current).values_list("pk", flat=True))
    if set(votes) != candidates:
        raise ValidationError(_("Hãy nhập số phiếu cho mọi ứng viên."))
    if any(v < 0 or v > valid for v in votes.values()):
        raise ValidationError(_("Số phiếu của mỗi ứng viên từ 0 đến số phiếu hợp lệ."))
    if sum(votes.values()) > valid * current.max_choices:
        raise ValidationError(_("Tổng số phiếu vượt quá số lựa chọn có thể."))
    tally, _created = PaperTally.objects.update_or_create(
        round=current,
        defaults={
            "ballots_issued": issued,
            "ballots_returned": returned,
            "ballots_valid": valid,
            "votes": {str(k): v for k, v in votes.items()},
            "entered_by": by,
            "confirmed_by": None,
            "confirmed_at": None,
        },
    )
    return tally


@transaction.atomic
def paper_tally_confirm(*, ballot_round: BallotRound, by: User) -> PaperTally:
    current = BallotRound.objects.select_for_update().get(pk=ballot_round.pk)
    if current.mode != BallotRound.Mode.PAPER or current.status != BallotRound.Status.OPEN:
        raise ValidationError(_("Chỉ xác nhận kết quả kiểm phiếu của vòng phiếu giấy đang mở."))
    tally = PaperTally.objects.select_for_update().filter(round=current).first()
    if tally is None:
        raise ValidationError(_("Chưa có kết quả kiểm phiếu để xác nhận."))
    if tally.entered_by_id == by.pk:
        raise ValidationError(_("Người xác nhận phải là thành viên khác của ban kiểm phiếu."))
    tally.confirmed_by, tally.confirmed_at = by, timezone.now()
    _stamp(tally, by=by, reason="Xác nhận kết quả kiểm phiếu")
    tally.save()
    return tally


def _counts(ballot_round: BallotRound) -> tuple[dict[int, int], int]:
    """Votes per candidate and the number of voters, from the ballots or the paper tally."""
    from django.db.models import Count

    if ballot_round.mode == BallotRound.Mode.PAPER:
        tally = ballot_round.paper_tally
        return {int(k): v for k, v in tally.votes.items()}, tally.ballots_valid
    counts = dict(
        Candidate.objects.filter(round=ballot_round)
        .annotate(n=Count("ballots"))
        .values_list("pk", "n")
    )
    return counts, Ballot.objects.filter(round=ballot_round).count()


def _ballots_rewrite(ballot_round: BallotRound) -> None:
    """Write the round's ballots again, in receipt order (random), inside the closing
    transaction: the rows' physical order (what a dump lists), their keys and PostgreSQL's
    transaction ids (xmin, shared with the voter token each vote flipped) then no longer follow
    the order the ballots were cast."""
    kept = [
        (b.token_hash, b.receipt, [c.pk for c in b.choices.all()])
        for b in Ballot.objects.filter(round=ballot_round)
        .prefetch_related("choices")
        .order_by("receipt")
    ]
    Ballot.objects.filter(round=ballot_round).delete()
    for token_hash, receipt, choice_ids in kept:
        ballot = Ballot.objects.create(round=ballot_round, token_hash=token_hash, receipt=receipt)
        ballot.choices.set(choice_ids)


@transaction.atomic
def round_close(*, ballot_round: BallotRound, by: User) -> BallotRound:
    """Close the round and decide it by the rules it was opened with: quorum, the base the share is
    taken of, the pass threshold (strictly above), the seats, and the tie-break. A tie at the last
    seat opens a run-off round (or is settled by score when the regulation says so)."""
    current = BallotRound.objects.select_for_update().get(pk=ballot_round.pk)
    if current.status != BallotRound.Status.OPEN:
        raise ValidationError(_("Vòng bỏ phiếu không ở trạng thái đang bỏ phiếu."))
    if current.mode == BallotRound.Mode.PAPER:
        tally = PaperTally.objects.filter(round=current).first()
        if tally is None or tally.confirmed_by_id is None:
            raise ValidationError(
                _("Kết quả kiểm phiếu giấy chưa được thành viên thứ hai xác nhận.")
            )
    _ballots_rewrite(current)
    counts, voters = _counts(current)
    # Presence is frozen when the round opens: the quorum is decided on it (what the minutes
    # record). A unit that checked in later may still vote, so a "present" base never falls
    # below the number of voters and no share exceeds 100 %.
    present = current.present_units if current.present_units is not None else voters
    base = (
        max(present, voters) if current.base == BallotRound.Base.PRESENT else current.member_units
    )
    quorum_met = (
        current.member_units > 0
        and Decimal(present) / Decimal(current.member_units) >= current.quorum
    )
    candidates = list(Candidate.objects.filter(round=current))
    rows = []
    for candidate in candidates:
        votes = counts.get(candidate.pk, 0)
        share = (
            (Decimal(votes) / Decimal(base)).quantize(Decimal("0.0001")) if base else Decimal("0")
        )
        rows.append(
            {
                "id": candidate.pk,
                "label": candidate.label,
                "votes": votes,
                "share": str(share),
                "score": str(candidate.score) if candidate.score is not None else None,
                "passed": quorum_met and share > current.pass_share,
                "elected": False,
                "rule": "",
            }
        )
    rows.sort(key=lambda r: -r["votes"])
    passed = [r for r in rows if r["passed"]]
    tie_labels: list[str] = []
    if (
        len(passed) > current.seats
        and passed[current.seats - 1]["votes"] == passed[current.seats]["votes"]
    ):
        boundary = passed[current.seats - 1]["votes"]
        tied = [r for r in passed if r["votes"] == boundary]
        sure = [r for r in passed if r["votes"] > boundary]
        if current.tie_break == BallotRound.TieBreak.SCORE and all(r["score"] for r in tied):
            tied.sort(key=lambda r: -Decimal(r["score"]))
            if len({r["score"] for r in tied}) == len(tied):
                for r in tied[: current.seats - len(sure)]:
                    r["elected"], r["rule"] = True, _("bằng phiếu, trúng theo điểm thi đua cao hơn")
                tied = []
        for r in sure:
            r["elected"], r["rule"] = (
                True,
                _("đạt trên %(p)s%% phiếu, xếp trong %(s)s suất")
                % {"p": _points(current.pass_share * 100), "s": current.seats},
            )
        tie_labels = [r["label"] for r in tied]
    else:
        for r in passed[: current.seats]:
            r["elected"], r["rule"] = (
                True,
                _("đạt trên %(p)s%% phiếu, xếp trong %(s)s suất")
                % {"p": _points(current.pass_share * 100), "s": current.seats},
            )
    for r in rows:
        if not r["elected"] and not r["rule"]:
            if not quorum_met:
                r["rule"] = _("không đủ số đơn vị tham dự tối thiểu")
            elif not r["passed"]:
                r["rule"] = _("không đạt trên %(p)s%% phiếu") % {
                    "p": _points(current.pass_share * 100)
                }
            elif r["label"] in tie_labels:
                r["rule"] = _("bằng phiếu ở suất cuối: bỏ phiếu lại")
            else:
                r["rule"] = _("ngoài số suất")
    current.results = {
        "quorum_met": quorum_met,
        "present": present,
        "voters": voters,
        "base": base,
        "members": current.member_units,
        "candidates": rows,
        "tie": tie_labels,
        "receipts": sorted(Ballot.objects.filter(round=current).values_list("receipt", flat=True)),
    }
    current.status, current.closed_at = BallotRound.Status.CLOSED, timezone.now()
    _stamp(current, by=by, reason="Kết thúc bỏ phiếu, công bố kết quả")
    current.save()
    if tie_labels:
        tied = [c for c in candidates if c.label in tie_labels]
        seats_left = current.seats - sum(1 for r in rows if r["elected"])
        runoff = round_create(
            bloc_year=current.bloc_year,
            title=f"{current.title} – bỏ phiếu lại",
            by=by,
            award_type=current.award_type,
            mode=current.mode,
            purpose=current.purpose,
            runoff_of=current,
            candidates=[c.nomination for c in tied if c.nomination is not None],
            unit_candidates=[c.unit for c in tied if c.nomination is None],
            max_choices=min(seats_left, len(tied)),
            seats=seats_left,
        )
        current.results["runoff_round"] = runoff.pk
        current.save(update_fields=["results"])
    if current.purpose == "award" and current.award_type_id:
        for r in rows:
            if r["elected"]:
                candidate = next(c for c in candidates if c.pk == r["id"])
                Proposal.objects.get_or_create(
                    round=current,
                    label=r["label"],
                    defaults={
                        "bloc_year": current.bloc_year,
                        "award_type": current.award_type,
                        "nomination": candidate.nomination,
                        "unit": candidate.unit,
                        "score": candidate.score,
                        "rank": candidate.nomination.rank if candidate.nomination else None,
                        "votes": r["votes"],
                        "vote_share": Decimal(r["share"]),
                    },
                )
    return current


# --- voting delegates -------------------------------------------------------------------------


def _is_leader_of(user: User, unit: MemberUnit) -> bool:
    return bool(user.is_active and user.unit_id == unit.pk and user.is_leader)


@transaction.atomic
def delegate_name(
    *,
    bloc_year: BlocYear,
    unit: MemberUnit,
    delegate: User,
    by: User,
    ballot_round: BallotRound | None = None,
    note: str = "",
) -> VotingDelegate:
    """A unit's leader names *delegate* (another person of the unit: an officer or a deputy
    leader) to vote for the unit in every round of the year, or in *ballot_round* only. A
    delegate already named for the same scope is revoked in the same transaction. The leaders
    keep their own right to vote; the delegate is told by e-mail."""
    from awards.tasks import notify_delegate

    if not _is_leader_of(by, unit):
        raise ValidationError(_("Chỉ lãnh đạo đơn vị mới ủy quyền bỏ phiếu."))
    if not bloc_members(bloc=bloc_year.bloc, year=bloc_year.year).filter(pk=unit.pk).exists():
        raise ValidationError(_("Đơn vị không phải thành viên của khối năm này."))
    if not delegate.is_active or delegate.unit_id != unit.pk:
        raise ValidationError(_("Chỉ ủy quyền được cho người của chính đơn vị mình."))
    if delegate.pk == by.pk:
        raise ValidationError(_("Lãnh đạo đơn vị đã có quyền bỏ phiếu; hãy chọn người khác."))
    if ballot_round is not None:
        ballot_round = BallotRound.objects.get(pk=ballot_round.pk)  # its status as it is now
        if ballot_round.bloc_year_id != bloc_year.pk:
            raise ValidationError(_("Vòng bỏ phiếu không thuộc năm thi đua này."))
        if ballot_round.status == BallotRound.Status.CLOSED:
            raise ValidationError(_("Vòng bỏ phiếu đã kết thúc."))
    same_scope = VotingDelegate.objects.select_for_update().filter(
        bloc_year=bloc_year, unit=unit, round=ballot_round, revoked_at__isnull=True
    )
    for previous in same_scope:
        if previous.delegate_id == delegate.pk:
            raise ValidationError(
                _("%(name)s đang là người được ủy quyền.") % {"name": delegate.get_full_name()}
            )
        _revoke(previous, by=by, reason=f"Thay người được ủy quyền bằng {delegate}")
    delegation = VotingDelegate(
        bloc_year=bloc_year,
        unit=unit,
        round=ballot_round,
        delegate=delegate,
        named_by=by,
        note=nfc(note.strip()),
    )
    scope = ballot_round.title if ballot_round else f"năm {bloc_year.year}"
    _stamp(delegation, by=by, reason=f"{by} ủy quyền cho {delegate} bỏ phiếu ({scope})")
    try:
        with transaction.atomic():
            delegation.save()
    except IntegrityError:  # another leader of the unit named someone at the same moment
        raise ValidationError(
            _("Đơn vị vừa có người được ủy quyền khác; hãy tải lại trang.")
        ) from None
    enqueue(notify_delegate, delegation.pk, "named")
    return delegation


def _revoke(delegation: VotingDelegate, *, by: User, reason: str) -> None:
    delegation.revoked_at, delegation.revoked_by = timezone.now(), by
    _stamp(delegation, by=by, reason=reason)
    delegation.save()


@transaction.atomic
def delegate_revoke(*, delegation: VotingDelegate, by: User) -> VotingDelegate:
    """A leader of the unit takes the delegation back: the delegate can no longer vote (a vote
    already cast stays the unit's vote)."""
    from awards.tasks import notify_delegate

    current = (
        VotingDelegate.objects.select_for_update().select_related("unit").get(pk=delegation.pk)
    )
    if not _is_leader_of(by, current.unit):
        raise ValidationError(_("Chỉ lãnh đạo đơn vị mới thu hồi ủy quyền."))
    if current.revoked_at is not None:
        raise ValidationError(_("Ủy quyền này đã được thu hồi."))
    _revoke(current, by=by, reason="Thu hồi ủy quyền bỏ phiếu")
    enqueue(notify_delegate, current.pk, "revoked")
    return current
