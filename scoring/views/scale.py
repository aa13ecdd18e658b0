"""The scoring scale (thang điểm): view it, edit it, import/export XLSX, version it, open the round.

Everyone who may see the bloc reads the scale; only the year's secretariat changes it (the
ministry oversees but does not edit a bloc's scale). A scale locks when scoring opens; after
that it changes only through a new version, applied to the open round.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from blocs.models import BlocYear
from scoring import selectors, services
from scoring.forms_scale import (
    CriterionForm,
    RoundOpenForm,
    ScaleCreateForm,
    ScaleImportForm,
    ScaleVersionForm,
)
from scoring.models import Criterion, Round, Scale
from scoring.views.common import get_bloc_year

VIEW, MANAGE = "scoring.view_round", "scoring.manage_round"


# --- loading --------------------------------------------------------------------------------


def get_scale(bloc_year: BlocYear, scale_pk: int) -> Scale:
    return get_object_or_404(
        Scale.objects.select_related("bloc_year__bloc"), pk=scale_pk, bloc_year=bloc_year
    )


def _to_scale(bloc_year: BlocYear, scale: Scale | None = None) -> HttpResponse:
    url = reverse("scale_detail", kwargs={"bloc_pk": bloc_year.bloc_id, "year": bloc_year.year})
    return redirect(f"{url}?phien-ban={scale.version}" if scale else url)


def _refuse_locked(request: HttpRequest, bloc_year: BlocYear, scale: Scale) -> HttpResponse:
    messages.error(
        request,
        _("Thang điểm phiên bản %(v)s đã khóa. Hãy tạo phiên bản mới để thay đổi.")
        % {"v": scale.version},
    )
    return _to_scale(bloc_year, scale)


def _tree(scale: Scale) -> list[tuple[Criterion, list[Criterion], Decimal]]:
    """(group, items, sum of the group's normal items) for the table and its mismatch warnings."""
    return [
        (
            group,
            items,
            sum((i.max_points for i in items if i.kind == Criterion.Kind.NORMAL), Decimal(0)),
        )
        for group, items in selectors.criteria_tree(scale=scale)
    ]


# --- pages ----------------------------------------------------------------------------------


@login_required
@require_GET
def scale_detail(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm=VIEW)
    scales = list(selectors.scales_of(bloc_year=bloc_year))
    chosen = request.GET.get("phien-ban", "")
    scale = next((s for s in scales if str(s.version) == chosen), scales[0] if scales else None)
    scoring_round = selectors.round_of(bloc_year=bloc_year)
    can_manage = request.user.has_perm(MANAGE, bloc_year)
    tree = _tree(scale) if scale else []
    context = {
        "bloc_year": bloc_year,
        "scales": scales,
        "scale": scale,
        "tree": tree,
        "totals": selectors.scale_totals(scale=scale) if scale else None,
        "has_items": any(items for _group, items, _sum in tree),
        "is_latest": bool(scale and scale == scales[0]),
        "round": scoring_round,
        "round_is_open": bool(scoring_round and scoring_round.status == Round.Status.OPEN),
        "can_manage": can_manage,
        # Copying last year's makes sense only while this year has no criteria of its own.
        "previous": selectors.previous_year_scale(bloc_year=bloc_year)
        if can_manage and scoring_round is None and not any(tree)
        else None,
        "can_version": bool(can_manage and scale and scale.is_locked and scale == scales[0]),
    }
    return render(request, "scoring/scale/detail.html", context)


@login_required
def scale_create(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm=MANAGE)
    previous = selectors.previous_year_scale(bloc_year=bloc_year)
    form = ScaleCreateForm(
        request.POST if request.method == "POST" else None, year=year, previous=previous
    )
    if form.is_valid():
        try:
            if form.cleaned_data["source"] == ScaleCreateForm.COPY:
                scale = services.scale_copy(
                    source=previous,
                    bloc_year=bloc_year,
                    by=request.user,
                    note=_("Sao chép từ thang điểm năm %(y)s") % {"y": year - 1},
                    title=form.cleaned_data["title"],
                )
            else:
                scale = services.scale_create(
                    bloc_year=bloc_year, title=form.cleaned_data["title"], by=request.user
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Đã tạo thang điểm phiên bản %(v)s.") % {"v": scale.version}
            )
            return _to_scale(bloc_year, scale)
    return render(
        request,
        "scoring/scale/create.html",
        {"bloc_year": bloc_year, "form": form, "previous": previous},
    )


@login_required
def criterion_edit(
    request: HttpRequest, bloc_pk: int, year: int, scale_pk: int, criterion_pk: int | None = None
) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm=MANAGE)
    scale = get_scale(bloc_year, scale_pk)
    criterion = get_object_or_404(Criterion, pk=criterion_pk, scale=scale) if criterion_pk else None
    if scale.is_locked:
        return _refuse_locked(request, bloc_year, scale)
    initial = (
        None
        if criterion
        else CriterionForm.initial_for_new(
            scale=scale, kind=request.GET.get("loai", ""), parent_pk=request.GET.get("nhom")
        )
    )
    form = CriterionForm(
        request.POST if request.method == "POST" else None,
        scale=scale,
        criterion=criterion,
        initial=initial,
    )
    if form.is_valid():
        try:
            saved = services.criterion_save(
                scale=scale, by=request.user, criterion=criterion, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu “%(c)s”.") % {"c": saved})
            if "them-tiep" in request.POST:
                url = reverse(
                    "criterion_add", kwargs={"bloc_pk": bloc_pk, "year": year, "scale_pk": scale.pk}
                )
                return redirect(f"{url}?nhom={saved.pk if saved.is_group else saved.parent_id}")
            return _to_scale(bloc_year, scale)
    context = {"bloc_year": bloc_year, "scale": scale, "criterion": criterion, "form": form}
    return render(request, "scoring/scale/criterion_form.html", context)


@login_required
@require_POST
def criterion_delete(
    request: HttpRequest, bloc_pk: int, year: int, scale_pk: int, criterion_pk: int
) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm=MANAGE)
    scale = get_scale(bloc_year, scale_pk)
    criterion = get_object_or_404(Criterion, pk=criterion_pk, scale=scale)
    try:
        services.criterion_delete(criterion=criterion, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã xóa “%(c)s”.") % {"c": criterion})
    return _to_scale(bloc_year, scale)


@login_required
def scale_import(request: HttpRequest, bloc_pk: int, year: int, scale_pk: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm=MANAGE)
    scale = get_scale(bloc_year, scale_pk)
    if scale.is_locked:
        return _refuse_locked(request, bloc_year, scale)
    bound = request.method == "POST"
    form = ScaleImportForm(request.POST if bound else None, request.FILES if bound else None)
    if form.is_valid():
        name = form.cleaned_data["file"].name
        try:
            services.scale_replace_criteria(
                scale=scale, rows=form.rows, by=request.user, reason=f"Nhập từ tệp XLSX {name}"
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(
                request, _("Đã nhập %(n)s dòng từ tệp %(f)s.") % {"n": len(form.rows), "f": name}
            )
            return _to_scale(bloc_year, scale)
    return render(
        request, "scoring/scale/import.html", {"bloc_year": bloc_year, "scale": scale, "form": form}
    )


@login_required
@require_GET
def scale_export(request: HttpRequest, bloc_pk: int, year: int, scale_pk: int) -> HttpResponse:
    # Members read the scale on the page already; the workbook is the same text, for their files.
    from scoring.xlsx import XLSX_CONTENT_TYPE, scale_to_xlsx  # openpyxl on first use (issue #8)

    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm=VIEW)
    scale = get_scale(bloc_year, scale_pk)
    filename = f"Thang điểm {bloc_year.bloc.symbol} {year} v{scale.version}.xlsx"
    return HttpResponse(
        scale_to_xlsx(scale),
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@login_required
@require_POST
def scale_new_version(request: HttpRequest, bloc_pk: int, year: int, scale_pk: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm=MANAGE)
    scale = get_scale(bloc_year, scale_pk)
    if not scale.is_locked:
        messages.info(
            request, _("Phiên bản này đang soạn: sửa trực tiếp, không cần phiên bản mới.")
        )
        return _to_scale(bloc_year, scale)
    form = ScaleVersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return _to_scale(bloc_year, scale)
    try:
        new = services.scale_copy(
            source=scale, bloc_year=bloc_year, by=request.user, note=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _to_scale(bloc_year, scale)
    messages.success(
        request,
        _("Đã tạo phiên bản %(v)s (đang soạn). Sửa xong, hãy áp dụng cho đợt chấm điểm.")
        % {"v": new.version},
    )
    return _to_scale(bloc_year, new)


@login_required
@require_POST
def scale_apply(request: HttpRequest, bloc_pk: int, year: int, scale_pk: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm=MANAGE)
    scale = get_scale(bloc_year, scale_pk)
    scoring_round = selectors.round_of(bloc_year=bloc_year)
    if scoring_round is None or scoring_round.status != Round.Status.OPEN:
        messages.error(request, _("Chỉ áp dụng phiên bản mới khi đợt chấm điểm đang mở."))
        return _to_scale(bloc_year, scale)
    try:
        services.round_switch_scale(scoring_round=scoring_round, scale=scale, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "Đã áp dụng phiên bản %(v)s: điểm đã chấm được giữ theo STT; "
                "các đơn vị được báo qua thư điện tử."
            )
            % {"v": scale.version},
        )
    return _to_scale(bloc_year, scale)


@login_required
def round_open(request: HttpRequest, bloc_pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year(request.user, bloc_pk, year, perm=MANAGE)
    scale = selectors.current_scale(bloc_year=bloc_year)
    if selectors.round_of(bloc_year=bloc_year) is not None:
        messages.info(request, _("Năm thi đua này đã mở chấm điểm."))
        return redirect("round_overview", bloc_pk=bloc_pk, year=year)
    form = RoundOpenForm(request.POST if request.method == "POST" else None)
    if scale is not None and form.is_valid():
        try:
            scoring_round = services.round_open(
                bloc_year=bloc_year, scale=scale, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Đã mở chấm điểm: %(n)s phiếu cho các đơn vị thành viên; "
                    "thang điểm phiên bản %(v)s đã khóa."
                )
                % {"n": scoring_round.sheets.count(), "v": scale.version},
            )
            return redirect("round_overview", bloc_pk=bloc_pk, year=year)
    totals = selectors.scale_totals(scale=scale) if scale else None
    context = {"bloc_year": bloc_year, "scale": scale, "totals": totals, "form": form}
    return render(request, "scoring/scale/round_open.html", context)
