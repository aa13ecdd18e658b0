"""What the blocs app puts on a person's dashboard."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from blocs import selectors
from khoi_portal.dashboard import AttentionItem, register


@register
def blocs_attention(user) -> list[AttentionItem]:
    items: list[AttentionItem] = []
    year = selectors.current_year()
    for bloc_year in selectors.secretariat_years(user).filter(year__lte=year).order_by("-year")[:1]:
        url = reverse("people", kwargs={"pk": bloc_year.bloc_id, "year": bloc_year.year})
        members = selectors.bloc_members(bloc=bloc_year.bloc, year=bloc_year.year).count()
        missing = selectors.units_missing_accounts(bloc_year=bloc_year)
        if missing:
            items.append(
                AttentionItem(
                    title=_("%(n)s đơn vị chưa đủ tài khoản cán bộ và lãnh đạo")
                    % {"n": len(missing)},
                    detail=", ".join(row["unit"].short_name for row in missing[:5]),
                    url=url,
                    level="warning",
                    progress=round(100 * (members - len(missing)) / members) if members else None,
                )
            )
        pending = selectors.pending_invitations(bloc_year=bloc_year).count()
        if pending:
            items.append(
                AttentionItem(
                    title=_("%(n)s người được mời chưa kích hoạt tài khoản") % {"n": pending},
                    url=url,
                    level="info",
                )
            )
    if user.is_authenticated and not user.is_ministry_office and user.unit_id is None:
        items.append(
            AttentionItem(
                title=_("Tài khoản của bạn chưa gắn với đơn vị nào"),
                detail=_("Hãy liên hệ thường trực khối để được phân quyền."),
                level="warning",
            )
        )
    return items
