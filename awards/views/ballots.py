"""Ballot rounds: creating and opening a round, the secret ballot and its receipt, the paper
tally and its second-member confirmation, closing, and the live count of units that voted.

Secrecy (awards/models.py): the ballot page holds the unit's one-time secret in a hidden field
and the receipt page shows the receipt once. Neither is logged, stored in the session or the
messages framework, or cached: the view is ``never_cache`` and the secret is a sensitive POST
parameter (kept out of error reports). Before a round closes no page shows a vote count.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from awards import selectors, services
from awards.forms_ballots import BallotForm, PaperTallyForm, RoundCreateForm, RoundOpenForm
from awards.models import BallotRound, Candidate, PaperTally
from awards.views.common import check_round, get_bloc_year, get_round, round_for_ballot
from awards.views.delegates import round_voting_context
from blocs.selectors import bloc_members
from khoi_portal import pagecache
from khoi_portal.lib.official import interface_date_long
from meetings.selectors import round_conference
from meetings.services import round_open_with_presence

DETAIL = "awards/ballots/round_detail.html"

# --- helpers ----------------------------------------------------------------------------------


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _share(value) -> Decimal:
    """A rule parameter as the regulation writes it: "2/3", "0.5" or a number."""
    text = str(value).strip()
    if "/" in text:
        numerator, denominator = text.split("/", 1)
        return Decimal(numerator) / Decimal(denominator)
    return Decimal(text)


def _percent(share: Decimal) -> str:
    """0.5 → "50%", 0.6667 → "66,67%" (Vietnamese decimal comma)."""
    text = f"{share * 100:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


def _quorum_text(share: Decimal) -> str:
    """2/3 and 3/4 as regulations write them ("2/3 (66,67%)"), any other share as a percentage."""
    for numerator, denominator in ((2, 3), (3, 4)):
        if abs(share - Decimal(numerator) / denominator) < Decimal("0.0001"):
            return f"{numerator}/{denominator} ({_percent(Decimal(numerator) / denominator)})"
    return _percent(share)


def rule_rows(*, quorum, base: str, pass_share, tie_break: str) -> list[tuple[str, str]]:
    """The rules a round is decided by, in words, for the creation and detail pages."""
    base_text = (
        _("số đơn vị thành viên có mặt")
        if base == BallotRound.Base.PRESENT
        else _("tổng số đơn vị thành viên")
    )
    tie_text = (
        _("xét theo điểm thi đua, đơn vị điểm cao hơn trúng")
        if tie_break == BallotRound.TieBreak.SCORE
        else _("bỏ phiếu lại giữa các ứng viên bằng phiếu")
    )
    return [
        (
            _("Số đơn vị tham dự tối thiểu"),
            _("%(p)s tổng số đơn vị thành viên trở lên") % {"p": _quorum_text(_share(quorum))},
        ),
        (_("Căn cứ tính tỷ lệ phiếu"), base_text),
        (
            _("Điều kiện trúng"),
            _("đạt trên %(p)s số phiếu tính trên %(base)s")
            % {"p": _percent(_share(pass_share)), "base": base_text},
        ),
        (_("Khi bằng phiếu ở suất cuối"), tie_text),
    ]


def _round_rules(ballot_round: BallotRound) -> list[tuple[str, str]]:
    return rule_rows(
        quorum=ballot_round.quorum,
        base=ballot_round.base,
        pass_share=ballot_round.pass_share,
        tie_break=ballot_round.tie_break,
    )


def _tally_of(ballot_round: BallotRound) -> PaperTally | None:
    return (
        PaperTally.objects.filter(round=ballot_round)
        .select_related("entered_by", "confirmed_by")
        .first()
    )


def _to_round(ballot_round: BallotRound) -> HttpResponse:
    return redirect("ballot_round_detail", pk=ballot_round.pk)


@dataclass
class Progress:
    """How many units have voted: a count of used tokens, never which ballot is whose."""

    round: BallotRound
    voted: int
    members: int

    @property
    def polling(self) -> bool:
        return (
            self.round.status == BallotRound.Status.OPEN
            and self.round.mode == BallotRound.Mode.ELECTRONIC
        )


def _progress(ballot_round: BallotRound) -> Progress:
    return Progress(
        ballot_round, selectors.votes_cast(ballot_round=ballot_round), ballot_round.member_units
    )


# --- a new round ------------------------------------------------------------------------------


@login_required
def round_create(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="awards.manage_awards")
    form = RoundCreateForm(
        request.POST or None,
        award_types=selectors.award_types(),
        nominations=selectors.nominations_of(bloc_year=bloc_year),
        units=bloc_members(bloc=bloc_year.bloc, year=bloc_year.year),
    )
    if request.method == "POST" and form.is_valid():
        data, election = form.cleaned_data, form.cleaned_data["purpose"] == "election"
        try:
            ballot_round = services.round_create(
                bloc_year=bloc_year,
                title=data["title"],
                by=request.user,
                purpose=data["purpose"],
                award_type=None if election else data["award_type"],
                candidates=[] if election else list(data["nominations"]),
                unit_candidates=list(data["units"]) if election else [],
                max_choices=data["max_choices"],
                seats=data["seats"],
                mode=data["mode"],
                held_on=data["held_on"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Đã tạo vòng bỏ phiếu “%(title)s”.") % {"title": ballot_round.title}
            )
            return _to_round(ballot_round)
    rules = services.rules_for(bloc_year)
    context = {
        "bloc_year": bloc_year,
        "form": form,
        "rules": rule_rows(
            quorum=rules["quorum"],
            base=rules["base"],
            pass_share=rules["pass_share"],
            tie_break=rules["tie_break"],
        ),
    }
    return render(request, "awards/ballots/round_create.html", context)


# --- the round --------------------------------------------------------------------------------


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The round, its rules and candidates, the live count; never a vote count before it closes."""
    ballot_round = get_round(request.user, pk)
    user, is_open = request.user, ballot_round.status == BallotRound.Status.OPEN
    is_closed = ballot_round.status == BallotRound.Status.CLOSED
    can_manage = user.has_perm("awards.manage_round", ballot_round)
    electronic = ballot_round.mode == BallotRound.Mode.ELECTRONIC
    may_vote = is_open and electronic and user.has_perm("awards.vote", ballot_round)
    voted = may_vote and selectors.has_voted(ballot_round=ballot_round, unit_id=user.unit_id)
    tally = _tally_of(ballot_round) if can_manage and not electronic else None
    conference = round_conference(ballot_round=ballot_round)
    context = {
        "round": ballot_round,
        "bloc_year": ballot_round.bloc_year,
        "rules": _round_rules(ballot_round),
        "candidates": selectors.candidates_of(ballot_round=ballot_round),
        "held_on": interface_date_long(ballot_round.held_on) if ballot_round.held_on else "",
        "progress": _progress(ballot_round),
        "can_manage": can_manage,
        "can_open": can_manage and ballot_round.status == BallotRound.Status.DRAFT,
        "open_form": RoundOpenForm(
            members=ballot_round.member_units,
            conference=conference if can_manage else None,
        ),
        # Where the number of units present came from: check-in at this conference, or typed.
        "presence_meeting": conference.linked,
        "can_close": can_manage
        and is_open
        and (electronic or bool(tally and tally.confirmed_by_id)),
        "can_tally": can_manage and is_open and not electronic,
        "tally": tally,
        "can_vote": may_vote and not voted,
        "has_voted": voted,
        "is_closed": is_closed,
        "runoff_pk": ballot_round.results.get("runoff_round") if is_closed else None,
        **round_voting_context(user, ballot_round, may_vote=may_vote),
    }
    return render(request, DETAIL, context)


@login_required
@require_GET
def round_progress(request: HttpRequest, pk: int) -> HttpResponse:
    ballot_round = get_round(request.user, pk)
    return render(
        request, DETAIL + "#progress", {"round": ballot_round, "progress": _progress(ballot_round)}
    )


@login_required
@require_POST
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the vote; at a conference the presence is the check-in count, frozen on the round."""
    ballot_round = get_round(request.user, pk, perm="awards.manage_round")
    form = RoundOpenForm(
        request.POST,
        members=ballot_round.member_units,
        conference=round_conference(ballot_round=ballot_round),
    )
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _to_round(ballot_round)
    meeting = form.cleaned_data.get("meeting")
    try:
        opened = round_open_with_presence(
            ballot_round=ballot_round,
            by=request.user,
            meeting=meeting,
            present_units=form.cleaned_data["present_units"],
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            _(
                "Đã mở bỏ phiếu tại hội nghị “%(title)s”: %(n)s/%(total)s đơn vị có mặt theo "
                "điểm danh (giữ nguyên đến khi kết thúc bỏ phiếu)."
            )
            % {"title": meeting.title, "n": opened.present_units, "total": opened.member_units}
            if meeting
            else _("Đã mở bỏ phiếu."),
        )
    return _to_round(ballot_round)


@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    ballot_round = get_round(request.user, pk, perm="awards.manage_round")
    try:
        services.round_close(ballot_round=ballot_round, by=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return _to_round(ballot_round)
    messages.success(request, _("Đã kết thúc bỏ phiếu và công bố kết quả."))
    return redirect("ballot_round_results", pk=ballot_round.pk)


# --- the secret ballot ------------------------------------------------------------------------


@sensitive_variables("secret")
def _ballot_page(
    request: HttpRequest,
    ballot_round: BallotRound,
    candidates: list[Candidate],
    *,
    errors: list[str],
    ticked: list[int] | None = None,
) -> HttpResponse:
    """The ballot with a fresh one-time secret, or the reason the unit cannot vote."""
    form = None
    try:
        secret = services.token_issue(
            ballot_round=ballot_round, unit=request.user.unit, user=request.user
        )
    except ValidationError as exc:
        errors = errors + [m for m in exc.messages if m not in errors]
    else:
        form = BallotForm(
            initial={"secret": secret, "choices": ticked or []},
            candidates=candidates,
            max_choices=ballot_round.max_choices,
        )
    context = {
        "round": ballot_round,
        "bloc_year": ballot_round.bloc_year,
        "form": form,
        "errors": errors,
        "as_delegate": not request.user.is_leader,  # only a delegate gets here otherwise
    }
    return render(request, _page_or_part(request, "ballot.html", "ballot_box"), context)


def _page_or_part(request: HttpRequest, template: str, part: str) -> str:
    """A cast sent through HTMX (the ballot's form) gets only the part it replaces: the ballot
    again or the receipt, without the page around them (issue #8: half of a cast's work was
    rendering the layout again). A plain POST, without script, gets the whole page."""
    path = f"awards/ballots/{template}"
    htmx = getattr(request, "htmx", False)  # django-htmx's middleware sets it
    return f"{path}#{part}" if request.method == "POST" and htmx else path


def _round_and_candidates(pk: int) -> tuple[BallotRound, list[Candidate]]:
    ballot_round = round_for_ballot(pk)
    return ballot_round, selectors.ballot_candidates(ballot_round=ballot_round)


@login_required
@never_cache
@sensitive_post_parameters("secret")
# Kept out of error reports' local variables: the secret, and the receipt (with the signed-in
# user beside it in the same report, it would be the link between a voter and a ballot).
@sensitive_variables("secret", "form", "receipt", "context")
def ballot(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the ballot; POST: cast it and show the receipt once (rendered, never stored)."""
    # The round and its candidates: one cache entry for every voter, until the round, its
    # candidates or its bloc change (a ballot's page is opened once per voter). The user's
    # right to vote in it: checked on every request, from the user's own entry until a voting
    # delegation or a membership changes. Ballots cast, their tokens and choices touch neither
    # (issue #8). The secret is signed on every request, never stored.
    ballot_round, candidates = pagecache.shared(
        request,
        "ballot-round",
        load=lambda: _round_and_candidates(pk),
        depends_on={"awards.settled", "blocs"},
        vary=(pk,),
    )
    pagecache.lookup(
        request,
        "ballot-right",
        load=lambda: check_round(request.user, ballot_round, perm="awards.vote"),
        depends_on={"awards.settled", "blocs"},
        vary=(pk,),
    )
    if request.method != "POST":
        return _ballot_page(request, ballot_round, candidates, errors=[])
    form = BallotForm(request.POST, candidates=candidates, max_choices=ballot_round.max_choices)
    if not form.is_valid():
        return _ballot_page(request, ballot_round, candidates, errors=[_form_errors(form)])
    try:
        receipt = services.ballot_cast(
            ballot_round=ballot_round,
            unit=request.user.unit,
            user=request.user,
            secret=form.cleaned_data["secret"],
            choice_ids=form.cleaned_data["choices"],
            candidates=candidates,
        )
    except ValidationError as exc:
        return _ballot_page(
            request,
            ballot_round,
            candidates,
            errors=list(exc.messages),
            ticked=form.cleaned_data["choices"],
        )
    context = {"round": ballot_round, "bloc_year": ballot_round.bloc_year, "receipt": receipt}
    return render(request, _page_or_part(request, "receipt.html", "receipt_box"), context)


# --- paper ballots ----------------------------------------------------------------------------


@login_required
def paper_tally(request: HttpRequest, pk: int) -> HttpResponse:
    """The counting committee's totals; a second secretariat member confirms them here."""
    ballot_round = get_round(request.user, pk, perm="awards.manage_round")
    if ballot_round.mode != BallotRound.Mode.PAPER:
        raise Http404
    candidates = list(selectors.candidates_of(ballot_round=ballot_round))
    tally = _tally_of(ballot_round)
    is_open = ballot_round.status == BallotRound.Status.OPEN
    form = (
        PaperTallyForm(
            request.POST or None, candidates=candidates, initial=PaperTallyForm.initial_from(tally)
        )
        if is_open
        else None
    )
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            services.paper_tally_enter(
                ballot_round=ballot_round,
                by=request.user,
                issued=data["issued"],
                returned=data["returned"],
                valid=data["valid"],
                votes=form.votes(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Đã ghi kết quả kiểm phiếu; chờ một thành viên khác xác nhận.")
            )
            return redirect("ballot_paper_tally", pk=ballot_round.pk)
    votes = {int(k): v for k, v in tally.votes.items()} if tally else {}
    context = {
        "round": ballot_round,
        "bloc_year": ballot_round.bloc_year,
        "form": form,
        "tally": tally,
        "rows": [(c, votes.get(c.pk, 0)) for c in candidates] if tally else [],
        "can_confirm": bool(
            is_open
            and tally
            and not tally.confirmed_by_id
            and tally.entered_by_id != request.user.pk
        ),
    }
    return render(request, "awards/ballots/paper_tally.html", context)


@login_required
@require_POST
def paper_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    ballot_round = get_round(request.user, pk, perm="awards.manage_round")
    try:
        services.paper_tally_confirm(ballot_round=ballot_round, by=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return _to_round(ballot_round)
    messages.success(request, _("Đã xác nhận kết quả kiểm phiếu; có thể kết thúc bỏ phiếu."))
    return _to_round(ballot_round)
