"""Dashboard items for the year's work of a member unit and of the secretariat: sheets to fill,
confirm or verify, covenants to sign, ballots to cast, delegates to register.

One provider for the apps of the emulation year, so a person sees every open task in one list;
each query is bounded (no per-unit loops)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from khoi_portal.dashboard import AttentionItem, register


@register
def year_work(user) -> list[AttentionItem]:
    if not (user.is_authenticated and user.is_active):
        return []
    items: list[AttentionItem] = []
    if user.unit_id:
        items += _unit_items(user)
    items += _secretariat_items(user)
    return items


def _unit_items(user) -> list[AttentionItem]:
    from awards.selectors import rounds_awaiting_vote
    from covenants.models import Covenant, Signature
    from meetings.models import Meeting, Registration
    from scoring.models import Round, Sheet

    items = []
    sheets = Sheet.objects.filter(
        unit_id=user.unit_id, round__status=Round.Status.OPEN
    ).select_related("round__bloc_year__bloc")
    for sheet in sheets:
        url = reverse("sheet_detail", kwargs={"pk": sheet.pk})
        year = sheet.round.bloc_year.year
        if user.is_officer and sheet.status == Sheet.Status.DRAFT:
            items.append(
                AttentionItem(
                    _("Phiếu tự chấm điểm năm %(y)s chưa gửi") % {"y": year},
                    _("Hạn nộp %(d)s")
                    % {"d": timezone.localtime(sheet.round.deadline).strftime("%H:%M %d/%m/%Y")},
                    url,
                    "warning",
                )
            )
        if user.is_leader and sheet.status == Sheet.Status.SUBMITTED:
            items.append(
                AttentionItem(
                    _("Phiếu chấm điểm năm %(y)s chờ lãnh đạo xác nhận") % {"y": year},
                    "",
                    url,
                    "warning",
                )
            )
    if user.is_leader:
        signed = Signature.objects.filter(unit_id=user.unit_id).values("covenant_id")
        for covenant in (
            Covenant.objects.filter(
                status=Covenant.Status.SIGNING, bloc_year__bloc__memberships__unit_id=user.unit_id
            )
            .exclude(pk__in=signed)
            .distinct()
        ):
            items.append(
                AttentionItem(
                    _("Giao ước chờ ký: %(t)s") % {"t": covenant.title},
                    "",
                    reverse("covenant_sign", kwargs={"pk": covenant.pk}),
                    "danger",
                )
            )
    # A leader, or the delegate a leader named: until the unit has voted.
    for ballot_round in rounds_awaiting_vote(user=user):
        items.append(
            AttentionItem(
                _("Đang bỏ phiếu: %(t)s") % {"t": ballot_round.title},
                "" if user.is_leader else _("Bạn được ủy quyền bỏ phiếu thay mặt đơn vị."),
                reverse("ballot_cast", kwargs={"pk": ballot_round.pk}),
                "danger",
            )
        )
    answered = Registration.objects.filter(unit_id=user.unit_id).values("meeting_id")
    for meeting in (
        Meeting.objects.filter(
            Q(registration_deadline__gte=timezone.now()),
            bloc_year__bloc__memberships__unit_id=user.unit_id,
        )
        .exclude(pk__in=answered)
        .distinct()
    ):
        items.append(
            AttentionItem(
                _("Đăng ký đại biểu dự %(t)s") % {"t": meeting.title},
                "",
                reverse("meeting_register", kwargs={"pk": meeting.pk}),
                "info",
            )
        )
    return items


def _secretariat_items(user) -> list[AttentionItem]:
    from blocs.selectors import secretariat_years
    from scoring.models import Round, Sheet

    year_ids = list(secretariat_years(user).values_list("pk", flat=True))
    if not year_ids:
        return []
    items = []
    # The sheet counts come with the rounds: no two COUNT queries per round.
    for scoring_round in (
        Round.objects.filter(bloc_year_id__in=year_ids)
        .exclude(status=Round.Status.PUBLISHED)
        .select_related("bloc_year__bloc")
        .annotate(
            total=Count("sheets"),
            done=Count("sheets", filter=~Q(sheets__status=Sheet.Status.DRAFT)),
        )
    ):
        total, done = scoring_round.total, scoring_round.done
        items.append(
            AttentionItem(
                _("Chấm điểm %(b)s năm %(y)s: %(d)s/%(t)s phiếu đã gửi")
                % {
                    "b": scoring_round.bloc_year.bloc.symbol,
                    "y": scoring_round.bloc_year.year,
                    "d": done,
                    "t": total,
                },
                _("Thẩm định phiếu đã gửi, rồi công bố biểu tổng hợp."),
                reverse(
                    "round_overview",
                    kwargs={
                        "bloc_pk": scoring_round.bloc_year.bloc_id,
                        "year": scoring_round.bloc_year.year,
                    },
                ),
                "info",
                progress=round(100 * done / total) if total else None,
            )
        )
    return items
