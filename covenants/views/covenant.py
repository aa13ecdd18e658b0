"""The year's covenant: overview, drafting, consultation, finalising and amendments.

Every write goes through one service; objects are loaded through views/common.py (404 for
outsiders, 403 for insiders without the right) and the templates get booleans.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from blocs.models import BlocYear
from blocs.views import get_bloc_for_user
from covenants import selectors, services
from covenants.forms import (
    AmendForm,
    CommentForm,
    CovenantCreateForm,
    CovenantForm,
    FinalizeForm,
    ItemForm,
)
from covenants.models import Covenant, CovenantItem
from covenants.views.common import get_covenant

MANAGE = "covenants.manage_covenant"
SIGNING_STATES = (Covenant.Status.SIGNING, Covenant.Status.CLOSED, Covenant.Status.SUPERSEDED)


# --- helpers ----------------------------------------------------------------------------------


def get_bloc_year(user, bloc_pk: int, year: int, *, perm: str | None = None) -> BlocYear:
    """The bloc year if the user may see the bloc (else 404); *perm* on it or 403."""
    bloc = get_bloc_for_user(user, bloc_pk)
    bloc_year = get_object_or_404(
        BlocYear.objects.select_related("bloc", "chair", "vice"), bloc=bloc, year=year
    )
    if perm and not user.has_perm(perm, bloc_year):
        raise PermissionDenied
    return bloc_year


def previous_covenant(bloc_year: BlocYear) -> Covenant | None:
    """Last year's covenant in force (its latest version), the model for this year's draft."""
    previous = BlocYear.objects.filter(bloc_id=bloc_year.bloc_id, year=bloc_year.year - 1).first()
    return selectors.current_covenant(bloc_year=previous) if previous else None


def number_text(value: Decimal) -> str:
    """Vietnamese number writing: 1.250,5 (dot for thousands, comma for decimals, no trailing 0)."""
    sign = "-" if value < 0 else ""
    whole, _dot, fraction = format(abs(value), "f").partition(".")
    fraction = fraction.rstrip("0")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def items_of(covenant: Covenant) -> list[CovenantItem]:
    """The items in order, each with ``target_text`` ("100 %", "5 dự án", "" without target)."""
    items = list(covenant.items.select_related("criterion").order_by("position", "pk"))
    for item in items:
        if item.target is None:
            item.target_text = ""
        else:
            unit = item.target_unit
            # "100%" but "5 dự án": the percent sign is written against the number.
            item.target_text = number_text(item.target) + (
                unit if unit == "%" else f" {unit}".rstrip()
            )
    return items


def errors_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def form_errors_text(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def to_detail(covenant: Covenant, anchor: str = "") -> HttpResponse:
    url = reverse("covenant_detail", kwargs={"pk": covenant.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _refuse_frozen(request: HttpRequest, covenant: Covenant) -> HttpResponse:
    messages.error(request, _("Nội dung giao ước đã chốt, không sửa được. Hãy lập bản sửa đổi."))
    return to_detail(covenant)


# --- the year ---------------------------------------------------------------------------------


@login_required
@require_GET
def covenant_overview(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year)
    can_manage = request.user.has_perm("covenants.manage_covenants_of", bloc_year)
    versions = [
        c
        for c in selectors.covenants_of(bloc_year=bloc_year)
        if request.user.has_perm("covenants.view_covenant", c)
    ]
    current = next((c for c in versions if c.status != Covenant.Status.SUPERSEDED), None)
    context = {
        "bloc_year": bloc_year,
        "versions": versions,
        "current": current,
        "items": items_of(current) if current else [],
        "tally": selectors.signature_tally(covenant=current)
        if current and current.status in SIGNING_STATES
        else None,
        "can_manage": can_manage,
        # A new draft only when the year has none in force (an amendment replaces a version).
        "can_create": can_manage and current is None,
        "previous": previous_covenant(bloc_year) if can_manage and current is None else None,
    }
    return render(request, "covenants/overview.html", context)


@login_required
def covenant_create(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm="covenants.manage_covenants_of")
    previous = previous_covenant(bloc_year)
    form = CovenantCreateForm(
        request.POST if request.method == "POST" else None, year=year, previous=previous
    )
    if form.is_valid():
        copy = form.cleaned_data["source"] == CovenantCreateForm.COPY
        try:
            covenant = services.covenant_create(
                bloc_year=bloc_year,
                title=form.cleaned_data["title"],
                by=request.user,
                preamble=form.cleaned_data["preamble"],
                source=previous if copy else None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã tạo dự thảo giao ước."))
            return to_detail(covenant)
    return render(
        request,
        "covenants/create.html",
        {"bloc_year": bloc_year, "form": form, "previous": previous},
    )


# --- one covenant -----------------------------------------------------------------------------


def _actions(user, covenant: Covenant, tally) -> dict:
    """What *user* may do on this page, as booleans for the template."""
    can_manage = user.has_perm(MANAGE, covenant)
    signing = covenant.status == Covenant.Status.SIGNING
    member_ids = {unit.pk for unit, _signature in tally.rows} if tally else set()
    signed_ids = {unit.pk for unit, signature in tally.rows if signature} if tally else set()
    own_unsigned = signing and user.unit_id in member_ids and user.unit_id not in signed_ids
    return {
        "can_manage": can_manage,
        "can_edit": can_manage and covenant.is_editable,
        "can_share": can_manage and covenant.status == Covenant.Status.DRAFT,
        "can_finalize": can_manage and covenant.is_editable,
        # An amended version is superseded, so it cannot be amended twice.
        "can_amend": can_manage
        and not covenant.is_editable
        and covenant.status != Covenant.Status.SUPERSEDED,
        "can_close": can_manage and signing and bool(signed_ids),
        "can_run_signing": can_manage and signing,
        "can_comment": user.has_perm("covenants.comment_covenant", covenant),
        "can_sign": own_unsigned and user.has_perm("covenants.sign_covenant", covenant),
        "can_upload_digital": own_unsigned and bool(user.unit_role),
        "own_signed": user.unit_id in signed_ids,
    }


@login_required
@require_GET
def covenant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    covenant = get_covenant(request.user, pk)
    tally = (
        selectors.signature_tally(covenant=covenant) if covenant.status in SIGNING_STATES else None
    )
    actions = _actions(request.user, covenant, tally)
    comments = list(covenant.comments.select_related("unit", "author"))
    # Members read the comments while consulting; the secretariat keeps them afterwards.
    show_comments = covenant.status == Covenant.Status.CONSULTING or (
        actions["can_manage"] and (bool(comments) or covenant.status == Covenant.Status.DRAFT)
    )
    rows = [
        (
            unit,
            signature,
            bool(
                signature
                and signature.scan
                and (actions["can_manage"] or request.user.unit_id == unit.pk)
            ),
        )
        for unit, signature in (tally.rows if tally else [])
    ]
    context = {
        "covenant": covenant,
        "bloc_year": covenant.bloc_year,
        "items": items_of(covenant),
        "comments": comments if show_comments else [],
        "show_comments": show_comments,
        "tally": tally,
        "rows": rows,
        "amended_by": Covenant.objects.filter(amends=covenant).first()
        if covenant.status == Covenant.Status.SUPERSEDED
        else None,
        "comment_form": CommentForm() if actions["can_comment"] else None,
        "finalize_form": FinalizeForm(
            initial={"place": covenant.place, "signed_on": covenant.signed_on}
        )
        if actions["can_finalize"]
        else None,
        "amend_form": AmendForm() if actions["can_amend"] else None,
        **actions,
    }
    return render(request, "covenants/detail.html", context)


@login_required
def covenant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    covenant = get_covenant(request.user, pk, perm=MANAGE)
    if not covenant.is_editable:
        return _refuse_frozen(request, covenant)
    form = CovenantForm(
        request.POST if request.method == "POST" else None,
        initial={"title": covenant.title, "preamble": covenant.preamble},
    )
    if form.is_valid():
        try:
            services.covenant_update(
                covenant=covenant,
                title=form.cleaned_data["title"],
                preamble=form.cleaned_data["preamble"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu dự thảo giao ước."))
            return to_detail(covenant)
    return render(
        request,
        "covenants/edit.html",
        {"covenant": covenant, "bloc_year": covenant.bloc_year, "form": form},
    )


@login_required
def item_edit(request: HttpRequest, pk: int, item_pk: int | None = None) -> HttpResponse:
    covenant = get_covenant(request.user, pk, perm=MANAGE)
    item = get_object_or_404(CovenantItem, pk=item_pk, covenant=covenant) if item_pk else None
    if not covenant.is_editable:
        return _refuse_frozen(request, covenant)
    initial = (
        {
            "text": item.text,
            "target": item.target,
            "target_unit": item.target_unit,
            "criterion": item.criterion_id,
        }
        if item
        else None
    )
    form = ItemForm(
        request.POST if request.method == "POST" else None, covenant=covenant, initial=initial
    )
    if form.is_valid():
        try:
            saved = services.covenant_item_save(
                covenant=covenant, by=request.user, item=item, **form.service_kwargs()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu nội dung giao ước."))
            if request.POST.get("them-tiep"):
                return redirect("covenant_item_add", pk=covenant.pk)
            return to_detail(covenant, f"noi-dung-{saved.pk}")
    return render(
        request,
        "covenants/item_form.html",
        {"covenant": covenant, "bloc_year": covenant.bloc_year, "item": item, "form": form},
    )


@login_required
@require_POST
def item_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    covenant = get_covenant(request.user, pk, perm=MANAGE)
    item = get_object_or_404(CovenantItem, pk=item_pk, covenant=covenant)
    try:
        services.covenant_item_delete(item=item, by=request.user)
    except ValidationError as exc:
        messages.error(request, errors_text(exc))
    else:
        messages.success(request, _("Đã xóa một nội dung giao ước."))
    return to_detail(covenant, "noi-dung-giao-uoc")


@login_required
@require_POST
def covenant_share(request: HttpRequest, pk: int) -> HttpResponse:
    covenant = get_covenant(request.user, pk, perm=MANAGE)
    try:
        services.covenant_share(covenant=covenant, by=request.user)
    except ValidationError as exc:
        messages.error(request, errors_text(exc))
    else:
        messages.success(
            request, _("Đã gửi dự thảo lấy ý kiến; các đơn vị thành viên được báo qua thư điện tử.")
        )
    return to_detail(covenant)


@login_required
@require_POST
def covenant_comment(request: HttpRequest, pk: int) -> HttpResponse:
    covenant = get_covenant(request.user, pk, perm="covenants.comment_covenant")
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return to_detail(covenant, "y-kien")
    try:
        services.covenant_comment(
            covenant=covenant, user=request.user, text=form.cleaned_data["text"]
        )
    except ValidationError as exc:
        messages.error(request, errors_text(exc))
    else:
        messages.success(request, _("Đã gửi ý kiến của đơn vị."))
    return to_detail(covenant, "y-kien")


@login_required
@require_POST
def covenant_finalize(request: HttpRequest, pk: int) -> HttpResponse:
    covenant = get_covenant(request.user, pk, perm=MANAGE)
    form = FinalizeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return to_detail(covenant)
    try:
        covenant = services.covenant_finalize(
            covenant=covenant,
            by=request.user,
            signed_on=form.cleaned_data["signed_on"],
            place=form.cleaned_data["place"],
        )
    except ValidationError as exc:
        messages.error(request, errors_text(exc))
    else:
        messages.success(
            request, _("Đã chốt nội dung giao ước và mở ký; các đơn vị được báo qua thư điện tử.")
        )
    return to_detail(covenant)


@login_required
@require_POST
def covenant_amend(request: HttpRequest, pk: int) -> HttpResponse:
    covenant = get_covenant(request.user, pk, perm=MANAGE)
    form = AmendForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return to_detail(covenant)
    try:
        new = services.covenant_amend(
            covenant=covenant, by=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, errors_text(exc))
        return to_detail(covenant)
    messages.success(
        request,
        _(
            "Đã lập bản sửa đổi (phiên bản %(v)s). Chữ ký của phiên bản trước không "
            "được chuyển sang: hãy chốt lại nội dung để các đơn vị ký lại."
        )
        % {"v": new.version},
    )
    return to_detail(new)
