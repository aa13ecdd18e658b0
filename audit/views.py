"""The audit log page and its XLSX export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit import selectors
from audit.forms import AuditFilterForm


def _filtered(request: HttpRequest):
    if not request.user.has_perm("audit.view_log"):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, viewer=request.user)
    return form, selectors.event_keys(viewer=request.user, filters=form.filters())


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form, keys = _filtered(request)
    page = Paginator(keys, selectors.PAGE_SIZE).get_page(request.GET.get("trang"))
    context = {
        "form": form,
        "page": page,
        "events": selectors.events(page.object_list),
    }
    return render(request, "audit/log.html", context)


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    from audit import xlsx  # openpyxl on first use (issue #8)

    _form, keys = _filtered(request)
    now = timezone.localtime()
    title = _("Nhật ký hoạt động – xuất lúc %(time)s") % {"time": f"{now:%H:%M %d/%m/%Y}"}
    content = xlsx.events_to_xlsx(
        selectors.events_for_export(keys), title=title, limit=selectors.EXPORT_LIMIT
    )
    return HttpResponse(
        content,
        content_type=xlsx.XLSX_CONTENT_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(
                True, f"nhat-ky-{now:%Y%m%d-%H%M}.xlsx"
            )
        },
    )
