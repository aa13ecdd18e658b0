"""Every write of the scoring app: scales, rounds, sheets, evidence, verification.

Each score change is saved through django-simple-history with the user and a reason, so
the secretariat sees who changed what, when, from which value to which, and why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.models import BlocYear, MemberUnit, User
from blocs.selectors import bloc_members
from khoi_portal.db import column, table
from khoi_portal.lib.vietnamese import nfc
from khoi_portal.outbox.services import enqueue
from scoring import sheet_sql
from scoring.models import Criterion, Entry, Evidence, PeerAssignment, Round, Scale, Sheet
from scoring.sheet_sql import UNCHANGED

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
# What evidence may be: detected from the file's content, never from its name.
EVIDENCE_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/msword": "DOC",
    "application/vnd.ms-excel": "XLS",
}


# The caller's permission check of a sheet as a write has locked it: raises to refuse.
Check = Callable[[Sheet], None]


def _stamp(obj, *, by: User | None, reason: str) -> None:
    obj._history_user = by
    obj._change_reason = reason


# --- scales -------------------------------------------------------------------------------


@transaction.atomic
def scale_create(*, bloc_year: BlocYear, title: str, by: User) -> Scale:
    version = (Scale.objects.filter(bloc_year=bloc_year).aggregate(v=Max("version"))["v"] or 0) + 1
    scale = Scale(bloc_year=bloc_year, version=version, title=nfc(title), created_by=by)
    _stamp(scale, by=by, reason="Tạo thang điểm")
    scale.save()
    return scale


@transaction.atomic
def scale_copy(
    *, source: Scale, bloc_year: BlocYear, by: User, note: str = "", title: str = ""
) -> Scale:
    """A new draft scale for *bloc_year* with every group and item of *source* (last year's, or
    the locked version being amended)."""
    scale = scale_create(bloc_year=bloc_year, title=title or source.title, by=by)
    scale.based_on = source
    scale.change_note = nfc(note)
    scale.save(update_fields=["based_on", "change_note"])
    parents: dict[int, Criterion] = {}
    for criterion in Criterion.objects.filter(scale=source).order_by("position"):
        copy = Criterion(
            scale=scale,
            parent=parents.get(criterion.parent_id),
            kind=criterion.kind,
            code=criterion.code,
            title=criterion.title,
            max_points=criterion.max_points,
            guidance=criterion.guidance,
            evidence_required=criterion.evidence_required,
            position=criterion.position,
        )
        _stamp(copy, by=by, reason=f"Sao chép từ {source}")
        copy.save()
        parents[criterion.pk] = copy
    return scale


def _require_draft(scale: Scale) -> None:
    if scale.is_locked:
        raise ValidationError(_("Thang điểm đã khóa. Hãy tạo phiên bản mới để thay đổi."))


@transaction.atomic
def criterion_save(
    *,
    scale: Scale,
    by: User,
    code: str,
    title: str,
    kind: str,
    max_points: Decimal,
    parent: Criterion | None = None,
    guidance: str = "",
    evidence_required: bool = False,
    criterion: Criterion | None = None,
    reason: str = "",
) -> Criterion:
    scale = Scale.objects.select_for_update().get(pk=scale.pk)
    _require_draft(scale)
    if kind != Criterion.Kind.GROUP and (
        parent is None or not parent.is_group or parent.scale_id != scale.pk
    ):
        raise ValidationError(_("Tiêu chí phải thuộc một nhóm tiêu chí của thang điểm này."))
    if max_points < 0:
        raise ValidationError(_("Điểm chuẩn không được âm."))
    if criterion is None:
        position = (
            Criterion.objects.filter(scale=scale).aggregate(p=Max("position"))["p"] or 0
        ) + 10
        criterion = Criterion(scale=scale, position=position)
    criterion.parent = None if kind == Criterion.Kind.GROUP else parent
    criterion.kind, criterion.code, criterion.title = kind, nfc(code.strip()), nfc(title.strip())
    criterion.max_points, criterion.guidance = max_points, nfc(guidance)
    criterion.evidence_required = evidence_required
    _stamp(criterion, by=by, reason=reason or "Cập nhật tiêu chí")
    criterion.save()
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion, by: User) -> None:
    _require_draft(Scale.objects.select_for_update().get(pk=criterion.scale_id))
    _stamp(criterion, by=by, reason="Xóa tiêu chí")
    criterion.delete()


@transaction.atomic
def scale_replace_criteria(*, scale: Scale, rows: list[dict], by: User, reason: str) -> Scale:
    """Replace every criterion of a draft scale (the XLSX import, once all rows are valid).

    rows: dicts with code, title, kind, max_points, guidance, evidence_required, in order;
    an item belongs to the group above it.
    """
    scale = Scale.objects.select_for_update().get(pk=scale.pk)
    _require_draft(scale)
    Criterion.objects.filter(scale=scale).delete()
    group = None
    for position, row in enumerate(rows, start=1):
        criterion = Criterion(
            scale=scale,
            position=position * 10,
            kind=row["kind"],
            code=row["code"],
            title=row["title"],
            max_points=row["max_points"],
            guidance=row.get("guidance", ""),
            evidence_required=row.get("evidence_required", False),
            parent=None if row["kind"] == Criterion.Kind.GROUP else group,
        )
        if criterion.kind != Criterion.Kind.GROUP and group is None:
            raise ValidationError(
                _("Dòng %(n)s: tiêu chí phải nằm dưới một nhóm.") % {"n": position}
            )
        _stamp(criterion, by=by, reason=reason)
        criterion.save()
        if criterion.is_group:
            group = criterion
    return scale


# --- rounds -------------------------------------------------------------------------------


@transaction.atomic
def round_open(
    *,
    bloc_year: BlocYear,
    scale: Scale,
    deadline: dt.datetime,
    by: User,
    step: Decimal = Decimal("0.25"),
    reminder_days: int = 3,
    peer_review: bool = False,
) -> Round:
    """Open scoring: lock the scale and give every member of the year a sheet with every item."""
    scale = Scale.objects.select_for_update().get(pk=scale.pk)
    if scale.bloc_year_id != bloc_year.pk:
        raise ValidationError(_("Thang điểm không thuộc năm thi đua này."))
    if not Criterion.objects.filter(scale=scale).exclude(kind=Criterion.Kind.GROUP).exists():
        raise ValidationError(_("Thang điểm chưa có tiêu chí nào."))
    if Round.objects.filter(bloc_year=bloc_year).exists():
        raise ValidationError(_("Năm thi đua này đã mở chấm điểm."))
    if step <= 0:
        raise ValidationError(_("Bước điểm phải lớn hơn 0."))
    scale.status, scale.locked_at = Scale.Status.LOCKED, timezone.now()
    _stamp(scale, by=by, reason="Khóa thang điểm khi mở chấm điểm")
    scale.save()
    scoring_round = Round(
        bloc_year=bloc_year,
        scale=scale,
        status=Round.Status.OPEN,
        step=step,
        deadline=deadline,
        reminder_days=reminder_days,
        peer_review=peer_review,
        opened_at=timezone.now(),
    )
    _stamp(scoring_round, by=by, reason="Mở chấm điểm")
    scoring_round.save()
    items = list(Criterion.objects.filter(scale=scale).exclude(kind=Criterion.Kind.GROUP))
    for unit in bloc_members(bloc=bloc_year.bloc, year=bloc_year.year):
        sheet = Sheet(round=scoring_round, unit=unit)
        _stamp(sheet, by=by, reason="Mở chấm điểm")
        sheet.save()
        Entry.objects.bulk_create(
            [Entry(sheet=sheet, criterion=c, max_points=c.max_points) for c in items]
        )
    if peer_review:
        peer_assign_rotation(scoring_round=scoring_round, by=by)
    return scoring_round


@transaction.atomic
def round_switch_scale(*, scoring_round: Round, scale: Scale, by: User) -> Round:
    """Move an open round to a new (amended) scale version: scores carry over item by item
    (matched by STT), new items start empty, and members are told by e-mail."""
    from scoring.tasks import notify_scale_changed

    scale = Scale.objects.select_for_update().get(pk=scale.pk)
    if scoring_round.status != Round.Status.OPEN:
        raise ValidationError(_("Chỉ áp dụng phiên bản mới khi đợt chấm điểm đang mở."))
    if scale.bloc_year_id != scoring_round.bloc_year_id or scale.pk == scoring_round.scale_id:
        raise ValidationError(_("Hãy chọn một phiên bản thang điểm khác của năm này."))
    if not Criterion.objects.filter(scale=scale).exclude(kind=Criterion.Kind.GROUP).exists():
        raise ValidationError(_("Thang điểm chưa có tiêu chí nào."))
    scale.status, scale.locked_at = Scale.Status.LOCKED, timezone.now()
    _stamp(scale, by=by, reason="Khóa phiên bản thang điểm mới")
    scale.save()
    new_items = {
        c.code: c for c in Criterion.objects.filter(scale=scale).exclude(kind=Criterion.Kind.GROUP)
    }
    for sheet in Sheet.objects.filter(round=scoring_round):
        kept = set()
        for entry in Entry.objects.filter(sheet=sheet).select_related("criterion"):
            target = new_items.get(entry.criterion.code)
            if target is None:
                _stamp(
                    entry,
                    by=by,
                    reason=f"Tiêu chí {entry.criterion.code} bị bỏ ở phiên bản {scale.version}",
                )
                entry.delete()
                continue
            entry.criterion, entry.max_points = target, target.max_points
            for field in ("self_score", "verified_score"):
                value = getattr(entry, field)
                if value is not None and value > target.max_points:
                    setattr(entry, field, target.max_points)
            _stamp(entry, by=by, reason=f"Chuyển sang thang điểm phiên bản {scale.version}")
            entry.save()
            kept.add(target.code)
        Entry.objects.bulk_create(
            [
                Entry(sheet=sheet, criterion=c, max_points=c.max_points)
                for code, c in new_items.items()
                if code not in kept
            ]
        )
    scoring_round.scale = scale
    _stamp(scoring_round, by=by, reason=f"Áp dụng thang điểm phiên bản {scale.version}")
    scoring_round.save()
    enqueue(notify_scale_changed, scoring_round.pk, scale.pk)
    return scoring_round


def peer_assign_rotation(*, scoring_round: Round, by: User) -> list[PeerAssignment]:
    """Each unit verifies the sheet of the unit k places after it in Vietnamese order, k
    rotating with the year, so nobody ever verifies its own sheet and pairs change yearly."""
    sheets = list(
        Sheet.objects.filter(round=scoring_round).select_related("unit").order_by("unit__full_name")
    )
    if len(sheets) < 2:
        raise ValidationError(_("Cần ít nhất hai đơn vị để chấm chéo."))
    PeerAssignment.objects.filter(round=scoring_round).delete()
    offset = 1 + scoring_round.bloc_year.year % (len(sheets) - 1)
    assignments = [
        PeerAssignment(
            round=scoring_round,
            reviewer=sheets[i].unit,
            sheet=sheets[(i + offset) % len(sheets)],
            sheet_unit=sheets[(i + offset) % len(sheets)].unit,
        )
        for i in range(len(sheets))
    ]
    return PeerAssignment.objects.bulk_create(assignments)


# --- sheets -------------------------------------------------------------------------------


def _parse_score(raw, *, entry: Entry, step: Decimal, label: str) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).replace(",", ".").strip())
        if not value.is_finite():  # "NaN", "Infinity": no order, so no bounds to check
            raise InvalidOperation
    except InvalidOperation:
        raise ValidationError(
            _('%(code)s: "%(raw)s" không phải là số.') % {"code": label, "raw": raw}
        ) from None
    if value < 0 or value > entry.max_points:
        raise ValidationError(
            _("%(code)s: điểm phải từ 0 đến %(max)s.") % {"code": label, "max": entry.max_points}
        )
    if (value / step) % 1 != 0:
        raise ValidationError(
            _("%(code)s: điểm phải là bội số của %(step)s.") % {"code": label, "step": step}
        )
    return value


def _claim_version(sheet: Sheet, version: int, *, check: Check | None = None) -> Sheet:
    """Lock the sheet and check nobody saved it since *version* was read; bump the version.

    Only the sheet's row is locked (``of``): whether it may be edited is its own status, and
    locking the round too would queue every unit's save of the round behind each other.
    *check*, given the sheet as locked, may refuse it (the caller's permission check) before
    the version is compared."""
    current = Sheet.objects.select_for_update(of=("self",)).select_related("round").get(pk=sheet.pk)
    if check is not None:
        check(current)
    if current.version != version:
        raise _stale()
    Sheet.objects.filter(pk=sheet.pk).update(version=F("version") + 1)
    current.version += 1
    return current


def _stale() -> ValidationError:
    return ValidationError(
        _(
            "Phiếu chấm điểm vừa được người khác lưu. Hãy tải lại trang để xem bản mới nhất; "
            "những gì bạn vừa nhập chưa được lưu."
        ),
        code="stale",
    )


def _claim_for_save(
    sheet: Sheet, version: int, *, check: Check | None = None
) -> tuple[Sheet, str, Decimal]:
    """_claim_version for a save, in one statement on PostgreSQL (UPDATE … RETURNING), where
    a SELECT … FOR UPDATE and an UPDATE were a tenth of a save (issue #8): the sheet with its
    round, as locked and with its new version; its round's status and step. The statement
    returns the whole rows, so that *check* (the view's permission check) needs no query of
    its own for the sheet's unit. A refusal by *check*, a stale version: raised after the
    bump; the caller's transaction undoes it."""
    connection = connections[router.db_for_write(Sheet)]
    if connection.vendor != "postgresql":
        current = _claim_version(sheet, version, check=check)
        return current, current.round.status, current.round.step
    sheet_fields, round_fields = Sheet._meta.concrete_fields, Round._meta.concrete_fields
    returned = [column(Sheet, f.name) for f in sheet_fields]
    returned += [column(Round, f.name) for f in round_fields]
    sheets = table(Sheet)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {sheets} SET version = {column(Sheet, 'version')} + 1 FROM {table(Round)} "
            f"WHERE {column(Sheet, 'id')} = %s AND {column(Round, 'id')} = {column(Sheet, 'round')} "
            f"RETURNING {', '.join(returned)}",
            [sheet.pk],
        )
        row = cursor.fetchone()
    if row is None:
        raise Sheet.DoesNotExist
    split = len(sheet_fields)
    current = Sheet.from_db(connection.alias, [f.attname for f in sheet_fields], row[:split])
    current.round = Round.from_db(connection.alias, [f.attname for f in round_fields], row[split:])
    if check is not None:
        check(current)
    if current.version - 1 != version:
        raise _stale()
    return current, current.round.status, current.round.step


@transaction.atomic
def sheet_save(
    *,
    sheet: Sheet,
    version: int,
    values: dict[int, tuple[object, str]],
    by: User,
    reason: str = "",
    posted: bool = False,
    changed_only: bool = False,
    check: Check | None = None,
) -> Sheet:
    """Save self scores: values maps entry id → (score as typed, explanation).

    All-or-nothing: one bad score refuses the whole save with a message naming the item.
    Without *posted*, only the entries in *values* change and an id not on the sheet is
    refused. With *posted*, *values* is what the sheet's form sent: an entry left out is
    blank and an id not on the sheet is ignored, as the form ignores a field it does not have;
    with *changed_only* too (the page sends only what changed), an entry left out is
    unchanged. A score or an explanation given as UNCHANGED keeps its saved value.

    A posted save is written by one statement on PostgreSQL (sheet_sql.save_posted); the
    entries are read here only when that statement cannot serve it, above all when a value
    is refused and the message must name its item.

    *check* is the view's permission check, run on the sheet as locked (before anything else
    is read or compared): the view then need not load the sheet first. *sheet* may then be a
    bare ``Sheet(pk=…)``; Sheet.DoesNotExist when there is no such sheet.
    """
    current, round_status, step = _claim_for_save(sheet, version, check=check)
    if not current.is_editable:
        raise ValidationError(_("Phiếu đã gửi hoặc đã khóa, không sửa được."))
    # After the deadline the only drafts are sheets the secretariat reopened: let them be corrected.
    if round_status not in (Round.Status.OPEN, Round.Status.CLOSED):
        raise ValidationError(_("Đợt chấm điểm không mở."))
    reason = reason or "Tự chấm điểm"
    if posted and sheet_sql.save_posted(
        current, values, step=step, by=by, reason=reason, changed_only=changed_only
    ):
        return current
    # The criterion's code names the item in messages: no need for its whole row (issue #8).
    rows = Entry.objects.filter(sheet=current)
    if not posted:
        rows = rows.filter(pk__in=values)
    entries = {
        e.pk: e
        for e in rows.only("max_points", "self_score", "explanation")
        .annotate(criterion_code=F("criterion__code"))
        .order_by(*(["criterion__position"] if posted else []))  # the messages in the sheet's order
    }
    if posted:
        left_out = (UNCHANGED, UNCHANGED) if changed_only else ("", "")
        values = {pk: values.get(pk, left_out) for pk in entries}
    errors, changed = [], []
    for entry_id, (raw, explanation) in values.items():
        entry = entries.get(entry_id)
        if entry is None:
            raise ValidationError(_("Tiêu chí không thuộc phiếu này."))
        try:
            score = (
                entry.self_score
                if raw is UNCHANGED
                else _parse_score(raw, entry=entry, step=step, label=entry.criterion_code)
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if explanation is UNCHANGED:
            explanation = entry.explanation
        explanation = nfc((explanation or "").strip())
        if score != entry.self_score or explanation != entry.explanation:
            entry.self_score, entry.explanation = score, explanation
            _stamp(entry, by=by, reason=reason)
            changed.append(entry)
    if errors:
        raise ValidationError(errors)
    sheet_sql.save_entries(changed, fields=["self_score", "explanation"])
    return current


@transaction.atomic
def sheet_submit(*, sheet: Sheet, version: int, by: User) -> Sheet:
    current = _claim_version(sheet, version)
    if not current.is_editable:
        raise ValidationError(_("Phiếu đã được gửi."))
    entries = (
        Entry.objects.filter(sheet=current).select_related("criterion").prefetch_related("evidence")
    )
    missing = [
        e.criterion.code for e in entries if e.self_score is None and e.criterion.kind == "normal"
    ]
    if missing:
        raise ValidationError(
            _("Chưa chấm các tiêu chí: %(codes)s.") % {"codes": ", ".join(missing)}
        )
    no_evidence = [
        e.criterion.code
        for e in entries
        if e.criterion.evidence_required and e.self_score and not e.evidence.all()
    ]
    if no_evidence:
        raise ValidationError(
            _("Thiếu minh chứng cho các tiêu chí: %(codes)s.") % {"codes": ", ".join(no_evidence)}
        )
    now = timezone.now()
    current.status, current.submitted_at, current.submitted_by = Sheet.Status.SUBMITTED, now, by
    current.is_late = current.is_late or now > current.round.deadline
    _stamp(current, by=by, reason="Gửi phiếu chấm điểm" + (" (muộn)" if current.is_late else ""))
    current.save()
    return current


@transaction.atomic
def sheet_confirm(*, sheet: Sheet, by: User) -> Sheet:
    current = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if current.status != Sheet.Status.SUBMITTED:
        raise ValidationError(_("Chỉ xác nhận được phiếu đã gửi."))
    current.status, current.confirmed_at, current.confirmed_by = (
        Sheet.Status.CONFIRMED,
        timezone.now(),
        by,
    )
    current.version += 1
    _stamp(current, by=by, reason="Lãnh đạo xác nhận phiếu")
    current.save()
    return current


@transaction.atomic
def sheet_reopen(*, sheet: Sheet, reason: str, by: User) -> Sheet:
    """Only the secretariat reopens a sheet, and always with a reason."""
    reason = nfc((reason or "").strip())
    if len(reason) < 5:
        raise ValidationError(_("Hãy ghi rõ lý do mở lại phiếu."))
    current = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if current.status == Sheet.Status.DRAFT:
        raise ValidationError(_("Phiếu đang mở."))
    current.status, current.reopen_reason = Sheet.Status.DRAFT, reason
    current.version += 1
    _stamp(current, by=by, reason=f"Mở lại phiếu: {reason}")
    current.save()
    return current


def lock_overdue(*, now: dt.datetime | None = None) -> int:
    """Lock every sheet of every open round whose deadline has passed. Safe to repeat."""
    now = now or timezone.now()
    locked = 0
    for scoring_round in Round.objects.filter(status=Round.Status.OPEN, deadline__lte=now):
        with transaction.atomic():
            for sheet in (
                Sheet.objects.select_for_update()
                .filter(round=scoring_round)
                .exclude(status__in=[Sheet.Status.LOCKED, Sheet.Status.CONFIRMED])
            ):
                sheet.is_late = sheet.is_late or sheet.status == Sheet.Status.DRAFT
                sheet.status = Sheet.Status.LOCKED
                sheet.version += 1
                _stamp(sheet, by=None, reason="Tự động khóa khi hết hạn nộp")
                sheet.save()
                locked += 1
            scoring_round.status = Round.Status.CLOSED
            _stamp(scoring_round, by=None, reason="Hết hạn nộp phiếu")
            scoring_round.save()
    return locked


# --- evidence -----------------------------------------------------------------------------


def detect_evidence_type(head: bytes) -> str | None:
    """The MIME type of an upload from its first bytes (filetype), or None if not allowed."""
    from khoi_portal.uploads import sniff

    mime = sniff(head)
    return mime if mime in EVIDENCE_TYPES else None


@transaction.atomic
def evidence_add(*, entry: Entry, upload, by: User) -> Evidence:
    """Attach a file to an item: type checked by content, size-limited, SHA-256 kept."""
    if not entry.sheet.is_editable:
        raise ValidationError(_("Phiếu đã gửi hoặc đã khóa, không thêm minh chứng được."))
    from khoi_portal import uploads

    # Size, type by content, Office archive sizes, safe name: khoi_portal/uploads.py.
    checked = uploads.check_upload(upload, uploads.EVIDENCE)
    mime = checked.mime
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = checked.name
    evidence = Evidence(
        entry=entry,
        original_name=name,
        content_type=mime,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    evidence.file.save(name, upload, save=False)
    _stamp(evidence, by=by, reason=f"Thêm minh chứng {name}")
    evidence.save()
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: Evidence, by: User) -> None:
    if not evidence.entry.sheet.is_editable:
        raise ValidationError(_("Phiếu đã gửi hoặc đã khóa, không xóa minh chứng được."))
    _stamp(evidence, by=by, reason=f"Xóa minh chứng {evidence.original_name}")
    evidence.file.delete(save=False)
    evidence.delete()


# --- verification -------------------------------------------------------------------------


@transaction.atomic
def verification_save(*, sheet: Sheet, values: dict[int, tuple[object, str]], by: User) -> Sheet:
    """Verified scores and comments per item; all-or-nothing like the self scores."""
    current = Sheet.objects.select_for_update(of=("self",)).select_related("round").get(pk=sheet.pk)
    if current.status == Sheet.Status.DRAFT:
        raise ValidationError(_("Phiếu chưa được đơn vị gửi, chưa thẩm định được."))
    entries = {
        e.pk: e
        for e in Entry.objects.filter(sheet=current, pk__in=values).select_related("criterion")
    }
    errors, changed = [], []
    for entry_id, (raw, comment) in values.items():
        entry = entries.get(entry_id)
        if entry is None:
            raise ValidationError(_("Tiêu chí không thuộc phiếu này."))
        try:
            score = _parse_score(
                raw, entry=entry, step=current.round.step, label=entry.criterion.code
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        comment = nfc((comment or "").strip())
        if score != entry.verified_score or comment != entry.verifier_comment:
            entry.verified_score, entry.verifier_comment = score, comment
            entry.verified_by, entry.verified_at = by, timezone.now()
            _stamp(entry, by=by, reason="Thẩm định điểm")
            changed.append(entry)
    if errors:
        raise ValidationError(errors)
    sheet_sql.save_entries(
        changed, fields=["verified_score", "verifier_comment", "verified_by", "verified_at"]
    )
    Sheet.objects.filter(pk=current.pk).update(version=F("version") + 1)
    return current


@transaction.atomic
def entry_reply(*, entry: Entry, reply: str, by: User) -> Entry:
    """The unit answers a verified score that differs from its own."""
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    entry.unit_reply = nfc(reply.strip())
    _stamp(entry, by=by, reason="Đơn vị giải trình")
    entry.save(update_fields=["unit_reply"])
    return entry


@transaction.atomic
def round_publish(*, scoring_round: Round, by: User) -> Round:
    current = Round.objects.select_for_update().get(pk=scoring_round.pk)
    current.status = Round.Status.PUBLISHED
    _stamp(current, by=by, reason="Công bố biểu tổng hợp")
    current.save()
    return current


def members_for_unit(unit: MemberUnit) -> list[User]:
    return list(User.objects.filter(unit=unit, is_active=True).exclude(email=""))
