"""The sources read from django-simple-history tables."""

from __future__ import annotations

from django.db.models import OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.sources.base import (
    ROUTINE_REASONS,
    Change,
    EventKind,
    HistorySource,
    bloc_place,
    differs,
    in_bloc_at_the_time,
    label,
    who,
    with_previous,
)
from awards.models import BallotRound
from blocs.models import BlocYear, Membership, MemberUnit, SecretariatAppointment, User
from covenants.models import Covenant, Signature
from documents.models import Document
from khoi_portal.lib.vietnamese import document_number
from scoring.models import Entry, Round, Sheet

# scoring.services.round_switch_scale saves every entry of the round with this reason when a new
# scale version is applied, and deletes the entries of the items it drops.
SCALE_SWITCH = "Chuyển sang thang điểm phiên bản"


class EntrySource(HistorySource):
    """Scores of one item of one sheet. Entries are made by bulk_create (no history row), so
    every history row is a change somebody made; a created or deleted row counts when it holds
    a score. Moving the entries to a new scale version (the scale's own event says so) counts
    only where it lowered a score to the new maximum."""

    key, kind, model = "entry", EventKind.SCORE, Entry
    shown = ("self_score", "explanation", "verified_score", "verifier_comment", "unit_reply")
    related = ("sheet__unit", "sheet__round__bloc_year__bloc", "criterion")

    def rows(self):
        rows = with_previous(self.history.objects.order_by(), ("self_score", "verified_score"))
        moved = Q(history_type="~", history_change_reason__startswith=SCALE_SWITCH)
        rescored = differs(self.history, "self_score") | differs(self.history, "verified_score")
        # ~moved first: the previous values are looked up only for the moved rows.
        return rows.filter(
            Q(history_type="~") | Q(self_score__isnull=False) | Q(verified_score__isnull=False)
        ).filter(~moved | rescored)

    def in_scope(self, rows, scope):
        sheets = Sheet.objects.filter(round__bloc_year_id__in=scope.bloc_years()).values("pk")
        return rows.filter(sheet_id__in=sheets)

    def event(self, record, context):
        sheet = record.sheet
        values = {
            "code": record.criterion.code if record.criterion else "?",
            "unit": sheet.unit.full_name if sheet else "?",
        }
        changed = {c.label: c for c in self.changes(record)}
        self_label = label(self.history, "self_score")
        verified_label = label(self.history, "verified_score")
        if record.history_type == "-":
            text = _("Xóa điểm mục %(code)s của %(unit)s") % values
        elif verified_label in changed:
            change = changed[verified_label]
            text = _("Thẩm định điểm mục %(code)s của %(unit)s: %(old)s → %(new)s") % {
                **values,
                "old": change.old,
                "new": change.new,
            }
        elif self_label in changed:
            change = changed[self_label]
            text = _("Sửa điểm mục %(code)s của %(unit)s: %(old)s → %(new)s") % {
                **values,
                "old": change.old,
                "new": change.new,
            }
        elif label(self.history, "unit_reply") in changed:
            text = _("Giải trình điểm mục %(code)s của %(unit)s") % values
        else:
            text = _("Sửa diễn giải mục %(code)s của %(unit)s") % values
        reason = record.history_change_reason or ""
        if reason and reason not in ROUTINE_REASONS:
            text += " " + _("(lý do: %(reason)s)") % {"reason": reason}
        url = reverse("sheet_detail", kwargs={"pk": sheet.pk}) if sheet else ""
        return self.base_event(
            record, text, url=url, place=bloc_place(sheet.round.bloc_year if sheet else None)
        )


class SheetSource(HistorySource):
    key, kind, model = "sheet", EventKind.SCORE, Sheet
    watched = shown = ("status",)
    related = ("unit", "round__bloc_year__bloc")

    def events(self, rows):
        # A new sheet starts as a draft when the round opens: not an event of its own.
        return rows.exclude(Q(status=Sheet.Status.DRAFT) & Q(prev_status__isnull=True))

    def in_scope(self, rows, scope):
        rounds = Round.objects.filter(bloc_year_id__in=scope.bloc_years()).values("pk")
        return rows.filter(round_id__in=rounds)

    def event(self, record, context):
        unit = record.unit.full_name if record.unit else "?"
        texts = {
            Sheet.Status.SUBMITTED: _("Gửi phiếu chấm điểm của %(unit)s"),
            Sheet.Status.CONFIRMED: _("Lãnh đạo xác nhận phiếu chấm điểm của %(unit)s"),
            Sheet.Status.LOCKED: _("Khóa phiếu chấm điểm của %(unit)s (hết hạn)"),
            Sheet.Status.DRAFT: _("Mở lại phiếu chấm điểm của %(unit)s"),
        }
        if record.history_type == "-":
            text = _("Xóa phiếu chấm điểm của %(unit)s") % {"unit": unit}
        else:
            text = texts.get(record.status, _("Phiếu chấm điểm của %(unit)s")) % {"unit": unit}
        if record.history_type != "-" and record.status == Sheet.Status.DRAFT:
            if record.reopen_reason:
                text += " " + _("(lý do: %(reason)s)") % {"reason": record.reopen_reason}
        elif record.status == Sheet.Status.SUBMITTED and record.is_late:
            text += " " + _("(nộp muộn)")
        bloc_year = record.round.bloc_year if record.round else None
        return self.base_event(
            record,
            text,
            url=reverse("sheet_detail", kwargs={"pk": record.id}),
            place=bloc_place(bloc_year),
        )


class SignatureSource(HistorySource):
    key, kind, model = "signature", EventKind.SIGNATURE, Signature
    shown = ("signer_name", "method")
    related = ("unit", "covenant__bloc_year__bloc")

    def in_scope(self, rows, scope):
        covenants = Covenant.objects.filter(bloc_year_id__in=scope.bloc_years()).values("pk")
        return rows.filter(covenant_id__in=covenants)

    def changes(self, record):
        return super().changes(record) if record.history_type == "~" else []

    def evidence(self, record) -> str:
        """What a signature not made on the portal rests on: the scan of the signed paper, or
        the unit's own certificate (the one its signed PDF was checked against)."""
        if record.method == Signature.Method.DIGITAL:
            if record.certificate_subject:
                subject = record.certificate_subject
                return "; " + _("chứng thư số: %(subject)s") % {"subject": subject}
            return "; " + _("có tệp ký số") if record.scan else ""
        if record.scan:
            return "; " + _("có bản quét văn bản đã ký")
        return ""

    def event(self, record, context):
        covenant = record.covenant
        values = {
            "unit": record.unit.full_name if record.unit else "?",
            "title": covenant.title if covenant else "?",
            "version": covenant.version if covenant else "?",
            "method": record.get_method_display(),
            "signer": record.signer_name,
        }
        if record.history_type == "+":
            text = _(
                "Ký giao ước «%(title)s» (phiên bản %(version)s): %(unit)s, %(signer)s ký (%(method)s)"
            )
        elif record.history_type == "-":
            text = _("Xóa chữ ký giao ước «%(title)s» của %(unit)s")
        else:
            text = _("Sửa chữ ký giao ước «%(title)s» của %(unit)s")
        text %= values
        if record.history_type == "+":
            text += self.evidence(record)
        url = reverse("covenant_detail", kwargs={"pk": covenant.pk}) if covenant else ""
        return self.base_event(
            record,
            text,
            url=url,
            place=bloc_place(covenant.bloc_year if covenant else None),
        )


class CovenantSource(HistorySource):
    """A covenant's draft shared for comment, opened for signing and closed (the signatures
    themselves: SignatureSource)."""

    key, kind, model = "covenant", EventKind.SIGNATURE, Covenant
    watched = ("status",)
    related = ("bloc_year__bloc",)

    def events(self, rows):
        return rows.filter(
            status__in=[
                Covenant.Status.CONSULTING,
                Covenant.Status.SIGNING,
                Covenant.Status.CLOSED,
            ]
        )

    def in_scope(self, rows, scope):
        return rows.filter(bloc_year_id__in=scope.bloc_years())

    def event(self, record, context):
        values = {"title": record.title, "version": record.version}
        if record.status == Covenant.Status.CONSULTING:
            text = _("Gửi dự thảo giao ước «%(title)s» (phiên bản %(version)s) lấy ý kiến")
        elif record.status == Covenant.Status.SIGNING:
            text = _("Mở ký giao ước «%(title)s» (phiên bản %(version)s)")
        else:
            text = _("Kết thúc ký giao ước «%(title)s» (phiên bản %(version)s)")
        return self.base_event(
            record,
            text % values,
            url=reverse("covenant_detail", kwargs={"pk": record.id}),
            place=bloc_place(record.bloc_year),
        )


class ScoringRoundSource(HistorySource):
    """Scoring rounds opened, past their deadline and published: the steps every unit's
    sheets follow (preparing the round is not an event)."""

    key, kind, model = "scoring_round", EventKind.SCORE, Round
    watched = ("status",)
    related = ("bloc_year__bloc",)

    def events(self, rows):
        return rows.exclude(status=Round.Status.PREPARING)

    def in_scope(self, rows, scope):
        return rows.filter(bloc_year_id__in=scope.bloc_years())

    def event(self, record, context):
        texts = {
            Round.Status.OPEN: _("Mở đợt chấm điểm năm %(y)s"),
            Round.Status.CLOSED: _("Hết hạn nộp phiếu chấm điểm năm %(y)s"),
            Round.Status.PUBLISHED: _("Công bố kết quả chấm điểm năm %(y)s"),
        }
        by = record.bloc_year
        text = texts.get(record.status, _("Đợt chấm điểm năm %(y)s"))
        return self.base_event(
            record,
            text % {"y": by.year},
            url=reverse("round_overview", kwargs={"bloc_pk": by.bloc_id, "year": by.year}),
            place=bloc_place(by),
        )


class BallotRoundSource(HistorySource):
    """Rounds opening and closing: never a ballot (see the module docstring)."""

    key, kind, model = "ballot_round", EventKind.BALLOT, BallotRound
    watched = ("status",)
    related = ("bloc_year__bloc",)

    def events(self, rows):
        return rows.filter(status__in=[BallotRound.Status.OPEN, BallotRound.Status.CLOSED])

    def in_scope(self, rows, scope):
        return rows.filter(bloc_year_id__in=scope.bloc_years())

    def event(self, record, context):
        if record.status == BallotRound.Status.OPEN:
            text = _("Mở vòng bỏ phiếu «%(title)s»")
        else:
            text = _("Kết thúc vòng bỏ phiếu «%(title)s»")
        return self.base_event(
            record,
            text % {"title": record.title},
            url=reverse("ballot_round_detail", kwargs={"pk": record.id}),
            place=bloc_place(record.bloc_year),
        )


class DocumentSource(HistorySource):
    """Documents issued (given their number); drafts and edits are not events."""

    key, kind, model = "document", EventKind.DOCUMENT, Document
    watched = ("status",)
    related = ("doc_type", "bloc", "unit")

    def events(self, rows):
        return rows.filter(status=Document.Status.ISSUED, number__isnull=False)

    def in_scope(self, rows, scope):
        # A unit's own documents belong to no bloc: only the unrestricted ministry sees them.
        if scope.bloc_ids is not None:
            rows = rows.filter(bloc_id__in=scope.bloc_ids)
        if scope.year is not None:
            rows = rows.filter(number_year=scope.year)
        return rows

    def event(self, record, context):
        number = document_number(
            record.number, record.doc_type.code if record.doc_type else "", record.issuer_symbol
        )
        text = _("Ban hành văn bản số %(number)s: %(subject)s") % {
            "number": number,
            "subject": record.subject,
        }
        place = f"{record.bloc.symbol} {record.number_year}" if record.bloc else ""
        if not place and record.unit:
            place = record.unit.short_name
        return self.base_event(
            record, text, url=reverse("document_detail", kwargs={"pk": record.id}), place=place
        )


class AppointmentSource(HistorySource):
    key, kind, model = "appointment", EventKind.ROLE, SecretariatAppointment
    related = ("user", "bloc_year__bloc")

    def in_scope(self, rows, scope):
        return rows.filter(bloc_year_id__in=scope.bloc_years())

    def event(self, record, context):
        bloc_year = record.bloc_year
        values = {
            "person": who(record.user),
            "bloc": bloc_year.bloc.symbol if bloc_year else "?",
            "year": bloc_year.year if bloc_year else "?",
        }
        if record.history_type == "-":
            text = _("Thu hồi quyền thư ký khối %(bloc)s năm %(year)s của %(person)s")
        else:
            text = _("Cấp quyền thư ký khối %(bloc)s năm %(year)s cho %(person)s")
        url = (
            reverse("people", kwargs={"pk": bloc_year.bloc_id, "year": bloc_year.year})
            if bloc_year
            else ""
        )
        return self.base_event(record, text % values, url=url, place=bloc_place(bloc_year))


class MembershipSource(HistorySource):
    key, kind, model = "membership", EventKind.ROLE, Membership
    shown = ("from_year", "until_year")
    related = ("unit", "bloc")

    def in_scope(self, rows, scope):
        if scope.bloc_ids is not None:
            rows = rows.filter(bloc_id__in=scope.bloc_ids)
        if scope.year is not None:
            rows = rows.filter(history_date__year=scope.year)
        return rows

    def event(self, record, context):
        values = {
            "unit": record.unit.full_name if record.unit else "?",
            "bloc": record.bloc.name if record.bloc else "?",
            "from": record.from_year,
        }
        if record.history_type == "+":
            text = _("Kết nạp %(unit)s vào %(bloc)s từ năm %(from)s")
        elif record.history_type == "-":
            text = _("Xóa %(unit)s khỏi danh sách thành viên %(bloc)s")
        else:
            text = _("Sửa thời gian tham gia %(bloc)s của %(unit)s")
        url = reverse("bloc_detail", kwargs={"pk": record.bloc_id}) if record.bloc else ""
        place = f"{record.bloc.symbol} {record.history_date.year}" if record.bloc else ""
        return self.base_event(record, text % values, url=url, place=place)


class BlocYearSource(HistorySource):
    """The chair (Khối trưởng) and vice (Khối phó) units of a year."""

    key, kind, model = "bloc_year", EventKind.ROLE, BlocYear
    watched = ("chair_id", "vice_id")
    related = ("bloc", "chair", "vice")

    def in_scope(self, rows, scope):
        return rows.filter(id__in=scope.bloc_years())

    def prepare(self, records):
        ids = {r.prev_chair_id for r in records} | {r.prev_vice_id for r in records}
        return {"units": MemberUnit.objects.in_bulk(ids - {None})}

    def changes(self, record):
        return []

    def event(self, record, context):
        units = context["units"]
        word = record.bloc.kind_name if record.bloc else _("Khối")
        changes = []
        for name, role in (("chair", _("%(w)s trưởng")), ("vice", _("%(w)s phó"))):
            old_id, new = getattr(record, f"prev_{name}_id"), getattr(record, name)
            old = units.get(old_id)
            if record.history_type == "+":
                old = None
            if (old.pk if old else None) != (new.pk if new else None):
                changes.append(
                    Change(
                        role % {"w": word},
                        old.short_name if old else "—",
                        new.short_name if new else "—",
                    )
                )
        values = {
            "year": record.year,
            "bloc": record.bloc.name if record.bloc else "?",
            "roles": ", ".join(c.label for c in changes) or _("Khối trưởng, Khối phó"),
        }
        text = _("Đổi %(roles)s năm %(year)s của %(bloc)s") % values
        event = self.base_event(
            record,
            text,
            url=reverse("bloc_detail", kwargs={"pk": record.bloc_id}) + f"?nam={record.year}"
            if record.bloc
            else "",
            place=f"{record.bloc.symbol} {record.year}" if record.bloc else "",
        )
        event.changes = changes
        return event


class UserSource(HistorySource):
    """Accounts created, moved, given another role, locked or unlocked. A login saves
    ``last_login`` (a history row too): not a role change, so not an event here."""

    key, kind, model = "user", EventKind.ROLE, User
    watched = ("unit_id", "unit_role", "is_active", "is_ministry_office", "is_staff")
    shown = ("unit_role", "is_active", "is_ministry_office", "is_staff")
    related = ("unit",)

    def in_scope(self, rows, scope):
        # The person's unit at the time was a member of the bloc that year. People without a
        # unit (the ministry office) are in no bloc: only the ministry sees them.
        return in_bloc_at_the_time(rows, scope, self.date_field, Q(unit_id=OuterRef("unit_id")))

    def prepare(self, records):
        ids = {r.prev_unit_id for r in records} - {None}
        return {"units": MemberUnit.objects.in_bulk(ids)}

    def text(self, record) -> str:
        prev = {name: getattr(record, f"prev_{name}") for name in self.watched}
        if record.history_type == "+":
            if record.unit_id:
                return _("Tạo tài khoản %(person)s: %(role)s, %(unit)s")
            return _("Tạo tài khoản %(person)s")
        if record.history_type == "-":
            return _("Xóa tài khoản %(person)s")
        if prev["is_active"] is None:  # a first row that is not a creation: nothing to compare
            return _("Cập nhật tài khoản %(person)s")
        if prev["is_ministry_office"] != record.is_ministry_office:
            if record.is_ministry_office:
                return _("Cấp quyền Văn phòng thi đua của Bộ cho %(person)s")
            return _("Thu hồi quyền Văn phòng thi đua của Bộ của %(person)s")
        if prev["unit_id"] != record.unit_id and record.unit_id:
            return _("Chuyển %(person)s sang %(unit)s (%(role)s)")
        if prev["unit_role"] != record.unit_role and record.unit_role:
            return _("Đổi vai trò của %(person)s thành %(role)s")
        if prev["is_active"] != record.is_active:
            if record.is_active:
                return _("Mở lại tài khoản %(person)s")
            return _("Khóa tài khoản %(person)s")
        return _("Đổi quyền của %(person)s")

    def event(self, record, context):
        values = {
            "person": record.full_name or record.username,
            "unit": record.unit.short_name if record.unit else "",
            "role": record.get_unit_role_display() if record.unit_role else "",
        }
        event = self.base_event(
            record,
            self.text(record) % values,
            url=reverse("unit_detail", kwargs={"pk": record.unit_id}) if record.unit else "",
            place=record.unit.short_name if record.unit else "",
        )
        old_unit = context["units"].get(record.prev_unit_id)
        if record.history_type == "~" and record.prev_unit_id != record.unit_id:
            event.changes.insert(
                0,
                Change(
                    label(self.history, "unit"),
                    old_unit.short_name if old_unit else "—",
                    record.unit.short_name if record.unit else "—",
                ),
            )
        return event
