"""What the documents app puts on the dashboard: drafts waiting, deliveries that failed."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from blocs.models import BlocYear
from documents.models import Delivery, Document
from khoi_portal.dashboard import AttentionItem, register


@register
def documents_attention(user) -> list[AttentionItem]:
    if not (user.is_authenticated and user.is_active):
        return []
    condition = Q(appointments__user=user)
    if user.is_officer:
        condition |= Q(chair_id=user.unit_id)
    bloc_ids = set(BlocYear.objects.filter(condition).values_list("bloc_id", flat=True))
    if not bloc_ids:
        return []
    items = []
    per_bloc = (
        Document.objects.filter(bloc_id__in=bloc_ids)
        .values("bloc_id", "bloc__symbol")
        .annotate(
            drafts=Count("pk", filter=Q(status=Document.Status.DRAFT), distinct=True),
            failed=Count(
                "deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED), distinct=True
            ),
        )
    )
    for row in per_bloc:
        url = reverse("register", kwargs={"bloc_pk": row["bloc_id"]})
        if row["drafts"]:
            items.append(
                AttentionItem(
                    title=_("%(n)s dự thảo văn bản của %(bloc)s chưa phát hành")
                    % {"n": row["drafts"], "bloc": row["bloc__symbol"]},
                    url=url,
                    level="info",
                )
            )
        if row["failed"]:
            items.append(
                AttentionItem(
                    title=_("%(n)s thư gửi văn bản bị lỗi") % {"n": row["failed"]},
                    detail=_("Mở văn bản để xem lỗi và gửi lại."),
                    url=url,
                    level="danger",
                )
            )
    return items
