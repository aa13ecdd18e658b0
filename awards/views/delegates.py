"""Voting delegates: a unit's leader names (with a confirmation) or revokes the person who votes
for the unit; the secretariat and the ministry see who votes for each unit.

The unit keeps one vote: its leaders may still vote while a delegate is named, and whoever casts
first uses the unit's single-use token. The pages say so wherever a delegate is shown.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from awards import selectors, services
from awards.forms_delegates import DelegateForm
from awards.models import BallotRound, VotingDelegate
from awards.views.common import get_bloc_year
from blocs.models import BlocYear


def _to_delegates(bloc_year: BlocYear) -> HttpResponse:
    return redirect("award_delegates", bloc_pk=bloc_year.bloc_id, year=bloc_year.year)


def get_delegation(user, pk: int, *, perm: str | None = None) -> VotingDelegate:
    """The delegation if the user may see its bloc year's awards (else 404); *perm* or 403."""
    delegation = get_object_or_404(
        VotingDelegate.objects.select_related(
            "bloc_year__bloc", "unit", "delegate", "named_by", "round"
        ),
        pk=pk,
    )
    if not user.has_perm("awards.view_delegation", delegation):
        raise Http404
    if perm and not user.has_perm(perm, delegation):
        raise PermissionDenied
    return delegation


@login_required
def delegates(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    """The leader's page: the unit's delegates of the year, naming one (confirmed on a second
    page before anything is written), and the history of who named whom."""
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="awards.name_delegate")
    unit = request.user.unit
    form = DelegateForm(
        request.POST or None,
        people=selectors.delegate_choices(unit=unit, leader=request.user),
        rounds=selectors.delegation_rounds(bloc_year=bloc_year),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("confirm") != "1":
            return _confirm_page(request, bloc_year, data)
        try:
            delegation = services.delegate_name(
                bloc_year=bloc_year,
                unit=unit,
                delegate=data["delegate"],
                by=request.user,
                ballot_round=data["ballot_round"],
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            person = delegation.delegate
            text = _("Đã ủy quyền cho %(name)s bỏ phiếu thay mặt đơn vị.") % {
                "name": person.get_full_name()
            }
            if person.email:
                text += " " + _("Thư báo được gửi tới %(email)s.") % {"email": person.email}
            messages.success(request, text)
            return _to_delegates(bloc_year)
    history = list(selectors.delegations_of(bloc_year=bloc_year, unit=unit))
    context = {
        "bloc_year": bloc_year,
        "unit": unit,
        "form": form,
        "has_people": form.fields["delegate"].queryset.exists(),
        "active": [d for d in history if d.is_active],
        "history": history,
    }
    return render(request, "awards/delegates/delegates.html", context)


def _confirm_page(request: HttpRequest, bloc_year: BlocYear, data: dict) -> HttpResponse:
    ballot_round: BallotRound | None = data["ballot_round"]
    replaced = (
        VotingDelegate.objects.filter(
            bloc_year=bloc_year,
            unit_id=request.user.unit_id,
            round=ballot_round,
            revoked_at__isnull=True,
        )
        .select_related("delegate")
        .first()
    )
    context = {"bloc_year": bloc_year, "data": data, "replaced": replaced}
    return render(request, "awards/delegates/confirm_name.html", context)


@login_required
def delegate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation; POST: revoke."""
    delegation = get_delegation(request.user, pk, perm="awards.revoke_delegate")
    if delegation.revoked_at is not None:
        messages.info(request, _("Ủy quyền này đã được thu hồi."))
        return _to_delegates(delegation.bloc_year)
    if request.method != "POST":
        context = {"bloc_year": delegation.bloc_year, "delegation": delegation}
        return render(request, "awards/delegates/confirm_revoke.html", context)
    try:
        services.delegate_revoke(delegation=delegation, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Đã thu hồi ủy quyền của %(name)s.") % {"name": delegation.delegate.get_full_name()},
        )
    return _to_delegates(delegation.bloc_year)


@login_required
@require_GET
def voters(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    """For the secretariat and the ministry: who may cast each member unit's vote this year."""
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="awards.view_voters")
    context = {"bloc_year": bloc_year, "rows": selectors.voters_of(bloc_year=bloc_year)}
    return render(request, "awards/delegates/voters.html", context)


def round_voting_context(user, ballot_round: BallotRound, *, may_vote: bool) -> dict:
    """What the round page shows about delegates: to a voter, who else votes for their unit;
    to the secretariat and the ministry, who votes for each unit in this round."""
    delegation = (
        selectors.active_delegate(ballot_round=ballot_round, unit_id=user.unit_id)
        if may_vote
        else None
    )
    return {
        "unit_delegate": delegation,
        "voting_as_delegate": bool(
            delegation and delegation.delegate_id == user.pk and not user.is_leader
        ),
        "can_name_delegate": ballot_round.status != BallotRound.Status.CLOSED
        and user.has_perm("awards.name_delegate", ballot_round.bloc_year),
        "round_voters": selectors.voters_of(
            bloc_year=ballot_round.bloc_year, ballot_round=ballot_round
        )
        if user.has_perm("awards.view_voters", ballot_round.bloc_year)
        else None,
    }
