"""Voting delegates (awards.VotingDelegate): a unit's leader naming someone to vote in the unit's
place, and taking it back.

Only the delegation is read. Whether, when or how the delegate (or a leader) voted is in no
history table and never appears: the ballot stays secret (see the package docstring).
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.sources.base import EventKind, HistorySource, bloc_place, who, with_previous
from awards.models import VotingDelegate

# The reason delegate_revoke gives every time (a replacement gives its own: worth showing).
ROUTINE_REVOCATION = "Thu hồi ủy quyền bỏ phiếu"


class VotingDelegateSource(HistorySource):
    """A delegation named (its creation) and revoked (``revoked_at`` set): nothing else."""

    key, kind, model = "voting_delegate", EventKind.BALLOT, VotingDelegate
    shown = ("note",)
    related = ("bloc_year__bloc", "unit", "delegate", "named_by", "round")

    def rows(self):
        rows = with_previous(self.history.objects.order_by(), ("revoked_at",))
        return rows.filter(
            Q(history_type="+")
            | Q(history_type="~", revoked_at__isnull=False, prev_revoked_at__isnull=True)
        )

    def in_scope(self, rows, scope):
        return rows.filter(bloc_year_id__in=scope.bloc_years())

    def changes(self, record):
        return super().changes(record) if record.history_type == "+" else []

    def event(self, record, context):
        bloc_year = record.bloc_year
        if record.round_id:
            title = record.round.title if record.round else "?"
            scope = _("vòng «%(title)s»") % {"title": title}
        else:
            scope = _("năm %(year)s") % {"year": bloc_year.year if bloc_year else "?"}
        values = {
            "leader": who(record.named_by),
            "delegate": who(record.delegate),
            "unit": record.unit.short_name if record.unit else "?",
            "scope": scope,
        }
        if record.history_type == "+":
            text = _(
                "Lãnh đạo %(leader)s (%(unit)s) ủy quyền cho %(delegate)s bỏ phiếu thay (%(scope)s)"
            )
        else:
            text = _("Thu hồi ủy quyền bỏ phiếu thay của %(delegate)s (%(unit)s, %(scope)s)")
        text %= values
        reason = record.history_change_reason or ""
        if record.history_type == "~" and reason and reason != ROUTINE_REVOCATION:
            text += " " + _("(lý do: %(reason)s)") % {"reason": reason}
        url = (
            reverse("award_voters", kwargs={"bloc_pk": bloc_year.bloc_id, "year": bloc_year.year})
            if bloc_year
            else ""
        )
        return self.base_event(record, text, url=url, place=bloc_place(bloc_year))
