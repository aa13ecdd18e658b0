"""The audit log on the dashboard of the ministry office and the secretariat."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from khoi_portal.dashboard import AttentionItem, register


@register
def audit_attention(user) -> list[AttentionItem]:
    if not (user.is_authenticated and user.has_perm("audit.view_log")):
        return []
    detail = (
        _("Mọi khối: chấm điểm, ký giao ước, bỏ phiếu, văn bản, phân quyền, đăng nhập.")
        if user.is_ministry_office
        else _("Khối của bạn: chấm điểm, ký giao ước, bỏ phiếu, văn bản, phân quyền, đăng nhập.")
    )
    return [
        AttentionItem(
            title=_("Nhật ký hoạt động"), detail=detail, url=reverse("audit_log"), level="light"
        )
    ]
