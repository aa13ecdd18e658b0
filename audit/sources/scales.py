"""The scoring scale and the evidence of scores: scale versions created and locked, an item's
maximum changed, evidence files added and removed.

Briefly: the scoring page's own history (scoring.summary.audit_keys, ``/cham-diem/…/lich-su/``)
shows every field of every change; here a scale change is one line among the bloc's other
events. Criteria created one by one while a draft is written, or copied with a new version,
are not events (the version's creation is); a maximum changed afterwards is.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.sources.base import EventKind, HistorySource, bloc_place
from scoring.models import Criterion, Entry, Evidence, Scale, Sheet


def _scale_url(bloc_year, version) -> str:
    url = reverse("scale_detail", kwargs={"bloc_pk": bloc_year.bloc_id, "year": bloc_year.year})
    return f"{url}?phien-ban={version}"


class ScaleSource(HistorySource):
    """A scale version created (or copied from another) and locked."""

    key, kind, model = "scale", EventKind.SCORE, Scale
    watched = ("status",)
    related = ("bloc_year__bloc",)

    def in_scope(self, rows, scope):
        return rows.filter(bloc_year_id__in=scope.bloc_years())

    def changes(self, record):
        return []

    def event(self, record, context):
        values = {"title": record.title, "version": record.version}
        if record.history_type == "-":
            text = _("Xóa thang điểm «%(title)s» (phiên bản %(version)s)")
        elif record.status == Scale.Status.LOCKED:
            text = _("Khóa thang điểm «%(title)s» (phiên bản %(version)s)")
        else:
            text = _("Tạo thang điểm «%(title)s» (phiên bản %(version)s)")
        bloc_year = record.bloc_year
        event = self.base_event(
            record,
            text % values,
            url=_scale_url(bloc_year, record.version) if bloc_year else "",
            place=bloc_place(bloc_year),
        )
        if event.reason in ("Tạo thang điểm", "Khóa thang điểm khi mở chấm điểm"):
            event.reason = ""  # the text says it already
        return event


class CriterionSource(HistorySource):
    """A group's or item's maximum (điểm chuẩn) changed in a draft version."""

    key, kind, model = "criterion", EventKind.SCORE, Criterion
    watched = ("max_points",)
    shown = ("max_points",)
    related = ("scale__bloc_year__bloc",)

    def events(self, rows):
        return rows.filter(history_type="~")

    def in_scope(self, rows, scope):
        scales = Scale.objects.filter(bloc_year_id__in=scope.bloc_years()).values("pk")
        return rows.filter(scale_id__in=scales)

    def event(self, record, context):
        scale = record.scale
        change = self.changes(record)
        values = {
            "code": record.code,
            "title": scale.title if scale else "?",
            "version": scale.version if scale else "?",
            "old": change[0].old if change else "—",
            "new": change[0].new if change else "—",
        }
        text = _(
            "Đổi điểm chuẩn mục %(code)s của thang điểm «%(title)s» (phiên bản %(version)s): "
            "%(old)s → %(new)s"
        )
        bloc_year = scale.bloc_year if scale else None
        return self.base_event(
            record,
            text % values,
            url=_scale_url(bloc_year, scale.version) if bloc_year else "",
            place=bloc_place(bloc_year),
        )


class EvidenceSource(HistorySource):
    """An evidence file attached to an item of a sheet, or removed from it."""

    key, kind, model = "evidence", EventKind.SCORE, Evidence
    related = ("entry__criterion", "entry__sheet__unit", "entry__sheet__round__bloc_year__bloc")

    def events(self, rows):
        return rows.filter(history_type__in=["+", "-"])

    def in_scope(self, rows, scope):
        sheets = Sheet.objects.filter(round__bloc_year_id__in=scope.bloc_years()).values("pk")
        # An entry dropped by a new scale version took its evidence with it: ask its history.
        entries = Entry.objects.filter(sheet_id__in=sheets).values("pk")
        gone = Entry.history.filter(sheet_id__in=sheets).values("id")
        return rows.filter(Q(entry_id__in=entries) | Q(entry_id__in=gone))

    def prepare(self, records):
        """The entries gone since (an item dropped by a new scale version): their last
        history row says which item of which sheet the file was for."""
        gone = {r.entry_id for r in records if r.entry is None} - {None}
        if not gone:
            return {"gone": {}}
        rows = (
            Entry.history.filter(id__in=gone)
            .select_related("criterion", "sheet__unit", "sheet__round__bloc_year__bloc")
            .order_by("id", "-history_id")
        )
        last: dict[int, object] = {}
        for row in rows:
            last.setdefault(row.id, row)
        return {"gone": last}

    def event(self, record, context):
        entry = record.entry or context["gone"].get(record.entry_id)
        sheet = entry.sheet if entry else None
        values = {
            "name": record.original_name,
            "code": entry.criterion.code if entry and entry.criterion else "?",
            "unit": sheet.unit.full_name if sheet and sheet.unit else "?",
        }
        if record.history_type == "+":
            text = _("Thêm minh chứng «%(name)s» cho mục %(code)s của %(unit)s")
        else:
            text = _("Xóa minh chứng «%(name)s» của mục %(code)s của %(unit)s")
        event = self.base_event(
            record,
            text % values,
            place=bloc_place(sheet.round.bloc_year if sheet and sheet.round else None),
        )
        # The sheet outlives its evidence: link it even when the file is gone.
        event.url = reverse("sheet_detail", kwargs={"pk": sheet.pk}) if sheet else ""
        event.reason = ""  # "Thêm/Xóa minh chứng <name>": the text says it already
        return event
