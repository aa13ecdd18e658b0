"""Every write of the covenants app: drafting, consultation, finalising, signing, sealing,
amendments; campaigns; the bloc's standing documents."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.models import BlocYear, MemberUnit, User
from blocs.selectors import bloc_members
from covenants.models import (
    BlocDocument,
    Campaign,
    CampaignPhase,
    Covenant,
    CovenantComment,
    CovenantItem,
    Signature,
)
from khoi_portal.lib.official import in_official_language
from khoi_portal.lib.vietnamese import nfc
from khoi_portal.outbox.services import enqueue


def _stamp(obj, *, by: User | None, reason: str) -> None:
    obj._history_user = by
    obj._change_reason = reason


# --- the text and its hash ----------------------------------------------------------------


def covenant_text(covenant: Covenant) -> str:
    """The canonical text a signature is bound to: title, preamble and every item, in order."""
    items = [
        {
            "text": item.text,
            "target": str(item.target) if item.target is not None else None,
            "unit": item.target_unit,
        }
        for item in CovenantItem.objects.filter(covenant=covenant).order_by("position", "pk")
    ]
    payload = {
        "bloc": covenant.bloc_year.bloc.symbol,
        "year": covenant.bloc_year.year,
        "version": covenant.version,
        "title": covenant.title,
        "preamble": covenant.preamble,
        "items": items,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def covenant_hash(covenant: Covenant) -> str:
    return hashlib.sha256(covenant_text(covenant).encode("utf-8")).hexdigest()


# --- drafting -----------------------------------------------------------------------------


@transaction.atomic
def covenant_create(
    *,
    bloc_year: BlocYear,
    title: str,
    by: User,
    preamble: str = "",
    items: list[dict] | None = None,
    source: Covenant | None = None,
) -> Covenant:
    """A new draft for *bloc_year*, empty, from *items*, or copied from *source* (last year's)."""
    version = (
        Covenant.objects.filter(bloc_year=bloc_year).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    if (
        version > 1
        and Covenant.objects.filter(bloc_year=bloc_year)
        .exclude(status__in=[Covenant.Status.SUPERSEDED])
        .exists()
    ):
        raise ValidationError(_("Năm này đã có giao ước; hãy sửa đổi giao ước hiện có."))
    covenant = Covenant(
        bloc_year=bloc_year,
        version=version,
        title=nfc(title),
        preamble=nfc(preamble),
        created_by=by,
    )
    _stamp(covenant, by=by, reason="Soạn dự thảo giao ước")
    covenant.save()
    if source is not None:
        items = [
            {"text": i.text, "target": i.target, "target_unit": i.target_unit}
            for i in source.items.order_by("position")
        ]
    for position, item in enumerate(items or [], start=1):
        CovenantItem.objects.create(
            covenant=covenant,
            position=position * 10,
            text=nfc(item["text"]),
            target=item.get("target"),
            target_unit=nfc(item.get("target_unit", "")),
            criterion=item.get("criterion"),
        )
    return covenant


def _require_editable(covenant: Covenant) -> Covenant:
    current = Covenant.objects.select_for_update().get(pk=covenant.pk)
    if not current.is_editable:
        raise ValidationError(_("Nội dung giao ước đã chốt, không sửa được. Hãy lập bản sửa đổi."))
    return current


@transaction.atomic
def covenant_update(*, covenant: Covenant, title: str, preamble: str, by: User) -> Covenant:
    current = _require_editable(covenant)
    current.title, current.preamble = nfc(title), nfc(preamble)
    _stamp(current, by=by, reason="Sửa dự thảo giao ước")
    current.save()
    return current


@transaction.atomic
def covenant_item_save(
    *,
    covenant: Covenant,
    by: User,
    text: str,
    target: Decimal | None = None,
    target_unit: str = "",
    criterion=None,
    item: CovenantItem | None = None,
) -> CovenantItem:
    current = _require_editable(covenant)
    if criterion is not None and criterion.scale.bloc_year_id != current.bloc_year_id:
        raise ValidationError(_("Tiêu chí chấm điểm phải thuộc thang điểm của cùng năm."))
    if not text.strip():
        raise ValidationError(_("Nội dung không được để trống."))
    if item is None:
        position = (
            CovenantItem.objects.filter(covenant=current).aggregate(p=Max("position"))["p"] or 0
        ) + 10
        item = CovenantItem(covenant=current, position=position)
    item.text, item.target, item.target_unit, item.criterion = (
        nfc(text.strip()),
        target,
        nfc(target_unit),
        criterion,
    )
    item.save()
    _stamp(current, by=by, reason="Sửa nội dung giao ước")
    current.save()
    return item


@transaction.atomic
def covenant_item_delete(*, item: CovenantItem, by: User) -> None:
    current = _require_editable(item.covenant)
    item.delete()
    _stamp(current, by=by, reason="Xóa một nội dung giao ước")
    current.save()


@transaction.atomic
def covenant_share(*, covenant: Covenant, by: User) -> Covenant:
    """Share the draft with the members for comments (they are e-mailed)."""
    from covenants.tasks import notify_members

    current = _require_editable(covenant)
    if not current.items.exists():
        raise ValidationError(_("Giao ước chưa có nội dung nào."))
    current.status = Covenant.Status.CONSULTING
    _stamp(current, by=by, reason="Gửi dự thảo lấy ý kiến")
    current.save()
    enqueue(notify_members, current.pk, "consulting")
    return current


@transaction.atomic
def covenant_comment(*, covenant: Covenant, user: User, text: str) -> CovenantComment:
    if covenant.status != Covenant.Status.CONSULTING:
        raise ValidationError(_("Dự thảo không còn lấy ý kiến."))
    if not text.strip():
        raise ValidationError(_("Hãy nhập ý kiến."))
    return CovenantComment.objects.create(
        covenant=covenant, unit=user.unit, author=user, text=nfc(text.strip())
    )


@transaction.atomic
def covenant_finalize(
    *, covenant: Covenant, by: User, signed_on: dt.date | None = None, place: str = ""
) -> Covenant:
    """Freeze the text: its SHA-256 is stored and every signature will carry it."""
    from covenants.tasks import notify_members

    current = _require_editable(covenant)
    if not current.items.exists():
        raise ValidationError(_("Giao ước chưa có nội dung nào."))
    current.text_sha256 = covenant_hash(current)
    current.status, current.finalized_at = Covenant.Status.SIGNING, timezone.now()
    current.signed_on, current.place = signed_on, nfc(place)
    _stamp(current, by=by, reason=f"Chốt nội dung, mở ký (SHA-256 {current.text_sha256[:12]}…)")
    current.save()
    enqueue(notify_members, current.pk, "signing")
    return current


# --- signing ------------------------------------------------------------------------------


def _check_signable(covenant: Covenant, unit: MemberUnit) -> Covenant:
    current = (
        Covenant.objects.select_for_update().select_related("bloc_year__bloc").get(pk=covenant.pk)
    )
    if current.status != Covenant.Status.SIGNING:
        raise ValidationError(_("Giao ước không ở giai đoạn ký."))
    if covenant_hash(current) != current.text_sha256:
        # Should be impossible (the text is frozen), but a signature must never bind other text.
        raise ValidationError(_("Nội dung giao ước đã thay đổi sau khi chốt; không thể ký."))
    if (
        not bloc_members(bloc=current.bloc_year.bloc, year=current.bloc_year.year)
        .filter(pk=unit.pk)
        .exists()
    ):
        raise ValidationError(_("Đơn vị không phải thành viên của khối năm này."))
    return current


@transaction.atomic
def covenant_sign(
    *,
    covenant: Covenant,
    unit: MemberUnit,
    method: str,
    signer: User | None = None,
    signer_name: str = "",
    signer_title: str = "",
    ip: str | None = None,
    recorded_by: User | None = None,
    scan=None,
    certificate_subject: str = "",
    signed_at: dt.datetime | None = None,
) -> Signature:
    """Record one unit's signature of the frozen text. Online and ceremony signatures are the
    unit's leader's own; paper and digital ones are recorded by the secretariat or uploaded."""
    current = _check_signable(covenant, unit)
    if method == Signature.Method.CEREMONY:
        ceremony_presence_check(covenant=current, unit=unit)
    if method in (Signature.Method.ONLINE, Signature.Method.CEREMONY):
        if (
            signer is None
            or not signer.is_leader
            or signer.unit_id != unit.pk
            or not signer.is_active
        ):
            raise ValidationError(_("Chỉ lãnh đạo của đơn vị mới được ký giao ước cho đơn vị."))
        signer_name = signer_name or signer.full_name
        signer_title = signer_title or signer.job_title
    if not signer_name:
        raise ValidationError(_("Hãy ghi họ tên người ký."))
    signature = Signature(
        covenant=current,
        unit=unit,
        signer=signer,
        signer_name=nfc(signer_name),
        signer_title=nfc(signer_title),
        method=method,
        signed_at=signed_at or timezone.now(),
        ip_address=ip,
        text_sha256=current.text_sha256,
        recorded_by=recorded_by,
        certificate_subject=nfc(certificate_subject),
    )
    if scan is not None:
        digest = hashlib.sha256()
        for chunk in scan.chunks():
            digest.update(chunk)
        scan.seek(0)
        signature.scan_sha256 = digest.hexdigest()
        signature.scan.save(scan.name, scan, save=False)
    _stamp(
        signature,
        by=recorded_by or signer,
        reason=f"{signature.get_method_display()}: {unit.short_name}",
    )
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError:
        raise ValidationError(
            _("%(unit)s đã ký giao ước này.") % {"unit": unit.short_name}
        ) from None
    if signatures_missing(current) == 0:
        transaction.on_commit(lambda: covenant_close_and_seal(covenant_id=current.pk, by_id=None))
    return signature


def signatures_missing(covenant: Covenant) -> int:
    members = bloc_members(bloc=covenant.bloc_year.bloc, year=covenant.bloc_year.year)
    return members.exclude(
        pk__in=Signature.objects.filter(covenant=covenant).values("unit_id")
    ).count()


def ceremony_presence_check(*, covenant: Covenant, unit: MemberUnit) -> None:
    """A signing ceremony on a conference's agenda is signed in the hall: only a unit with a
    delegate checked in there signs in ceremony mode (the others sign online or on paper).
    A ceremony tied to no conference has no such condition."""
    from meetings.selectors import ceremony_meeting, present_unit_ids

    meeting = ceremony_meeting(covenant=covenant)
    if meeting is None or unit.pk in present_unit_ids(meeting=meeting):
        return
    raise ValidationError(
        _(
            "%(unit)s chưa có đại biểu điểm danh tại hội nghị “%(meeting)s”: chỉ đơn vị có mặt "
            "mới ký tại lễ ký. Hãy điểm danh đại biểu của đơn vị trước, hoặc đơn vị ký trực "
            "tuyến."
        )
        % {"unit": unit.short_name, "meeting": meeting.title}
    )


def authenticate_leader(*, request, username: str, password: str, unit: MemberUnit) -> User:
    """Ceremony mode: the leader types their own credentials on the shared tablet."""
    if not settings.DEBUG and password == settings.DEMO_PASSWORD:
        raise ValidationError(_("Mật khẩu mẫu không được dùng khi cổng vận hành chính thức."))
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise ValidationError(_("Tên đăng nhập hoặc mật khẩu không đúng."))
    if not user.is_leader or user.unit_id != unit.pk:
        raise ValidationError(
            _("Tài khoản này không phải lãnh đạo của %(unit)s.") % {"unit": unit.short_name}
        )
    return user


@transaction.atomic
def covenant_close(*, covenant: Covenant, by: User) -> Covenant:
    """End the signing round (all signed, or the secretariat closes it) and queue the seal."""
    current = Covenant.objects.select_for_update().get(pk=covenant.pk)
    if current.status != Covenant.Status.SIGNING:
        raise ValidationError(_("Giao ước không ở giai đoạn ký."))
    if not current.signatures.exists():
        raise ValidationError(_("Chưa có đơn vị nào ký."))
    current.status, current.closed_at = Covenant.Status.CLOSED, timezone.now()
    _stamp(current, by=by, reason="Kết thúc ký giao ước")
    current.save()
    transaction.on_commit(lambda: _queue_seal(current.pk))
    return current


def _queue_seal(covenant_id: int) -> None:
    from covenants.tasks import seal_covenant

    enqueue(seal_covenant, covenant_id)


def covenant_close_and_seal(*, covenant_id: int, by_id: int | None) -> None:
    """Called when the last unit has signed: close the round (if still open) and seal."""
    with transaction.atomic():
        updated = Covenant.objects.filter(pk=covenant_id, status=Covenant.Status.SIGNING).update(
            status=Covenant.Status.CLOSED, closed_at=timezone.now()
        )
    if updated:
        _queue_seal(covenant_id)


@transaction.atomic
def covenant_amend(*, covenant: Covenant, by: User, note: str) -> Covenant:
    """An amendment is a new version with a new signing round; old signatures stay with the old
    text and never carry over. Members are told."""
    from covenants.tasks import notify_members

    current = Covenant.objects.select_for_update().get(pk=covenant.pk)
    if current.is_editable:
        raise ValidationError(_("Dự thảo còn sửa được trực tiếp."))
    if hasattr(current, "amended_by"):
        raise ValidationError(_("Giao ước này đã có bản sửa đổi."))
    if not note.strip():
        raise ValidationError(_("Hãy ghi nội dung sửa đổi."))
    current.status = Covenant.Status.SUPERSEDED
    _stamp(current, by=by, reason=f"Sửa đổi: {note}")
    current.save()
    new = Covenant(
        bloc_year=current.bloc_year,
        version=current.version + 1,
        title=current.title,
        preamble=current.preamble,
        amends=current,
        amendment_note=nfc(note),
        created_by=by,
    )
    _stamp(new, by=by, reason=f"Bản sửa đổi của phiên bản {current.version}")
    new.save()
    for item in current.items.order_by("position"):
        CovenantItem.objects.create(
            covenant=new,
            position=item.position,
            text=item.text,
            target=item.target,
            target_unit=item.target_unit,
            criterion=item.criterion,
        )
    enqueue(notify_members, new.pk, "amended")
    return new


# --- campaigns ----------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    title: str,
    year: int,
    starts_on: dt.date,
    ends_on: dt.date,
    by: User,
    bloc=None,
    unit=None,
    plan_reference: str = "",
    audience: str = "",
    content: str = "",
    responsibilities: str = "",
    phases: list[dict] | None = None,
) -> Campaign:
    if (bloc is None) == (unit is None):
        raise ValidationError(_("Phong trào do một khối hoặc một đơn vị phát động."))
    if ends_on < starts_on:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    campaign = Campaign(
        bloc=bloc,
        unit=unit,
        year=year,
        title=nfc(title),
        plan_reference=nfc(plan_reference),
        starts_on=starts_on,
        ends_on=ends_on,
        audience=nfc(audience),
        content=nfc(content),
        responsibilities=nfc(responsibilities),
        created_by=by,
    )
    _stamp(campaign, by=by, reason="Phát động phong trào")
    campaign.save()
    for number, phase in enumerate(phases or [], start=1):
        phase_save(
            campaign=campaign,
            by=by,
            number=phase.get("number", number),
            name=phase["name"],
            starts_on=phase["starts_on"],
            ends_on=phase["ends_on"],
            content=phase.get("content", ""),
        )
    return campaign


@transaction.atomic
def phase_save(
    *,
    campaign: Campaign,
    by: User,
    number: int,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    content: str = "",
    phase: CampaignPhase | None = None,
) -> CampaignPhase:
    if ends_on < starts_on:
        raise ValidationError(_("Ngày kết thúc đợt phải sau ngày bắt đầu."))
    if starts_on < campaign.starts_on or ends_on > campaign.ends_on:
        raise ValidationError(_("Đợt thi đua phải nằm trong thời gian của phong trào."))
    phase = phase or CampaignPhase(campaign=campaign)
    phase.number, phase.name, phase.starts_on, phase.ends_on = number, nfc(name), starts_on, ends_on
    phase.content = nfc(content)
    _stamp(phase, by=by, reason="Cập nhật đợt thi đua")
    try:
        with transaction.atomic():
            phase.save()
    except IntegrityError:
        raise ValidationError(_("Đã có đợt %(n)s.") % {"n": number}) from None
    return phase


@transaction.atomic
def phase_review(
    *, phase: CampaignPhase, review: str, reviewed_on: dt.date, by: User
) -> CampaignPhase:
    """The mid-term review (sơ kết) of a phase: its results."""
    if not review.strip():
        raise ValidationError(_("Hãy nhập kết quả sơ kết."))
    phase.review, phase.reviewed_on = nfc(review.strip()), reviewed_on
    _stamp(phase, by=by, reason="Sơ kết đợt thi đua")
    phase.save()
    return phase


# --- the bloc's standing documents ---------------------------------------------------------


@transaction.atomic
def bloc_document_publish(
    *,
    bloc,
    kind: str,
    title: str,
    valid_from_year: int,
    by: User,
    decision: str = "",
    adopted_on: dt.date | None = None,
    text: str = "",
    parameters: dict | None = None,
) -> BlocDocument:
    """A new version of a regulation, scoring rules, fund regulation or plan, published to members."""
    version = (
        BlocDocument.objects.filter(bloc=bloc, kind=kind).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    document = BlocDocument(
        bloc=bloc,
        kind=kind,
        version=version,
        title=nfc(title),
        decision=nfc(decision),
        adopted_on=adopted_on,
        valid_from_year=valid_from_year,
        text=nfc(text),
        parameters=parameters or {},
        published_at=timezone.now(),
        created_by=by,
    )
    _stamp(document, by=by, reason=f"Ban hành phiên bản {version}")
    document.save()
    return document


# --- the sealed covenant PDF ----------------------------------------------------------------


@in_official_language
def covenant_snapshot(covenant: Covenant) -> dict:
    """Everything the sealed PDF prints, frozen into the document: the text, the signatures,
    and the audit trail of the covenant."""
    signatures = [
        {
            "unit": s.unit.full_name,
            "signer": s.signer_name,
            "title": s.signer_title,
            "time": timezone.localtime(s.signed_at).strftime("%H:%M %d/%m/%Y"),
            "method": s.get_method_display(),
            "sha256": s.text_sha256,
            "certificate": s.certificate_subject,
        }
        for s in covenant.signatures.select_related("unit").order_by("signed_at")
    ]
    trail = [
        {
            "time": timezone.localtime(h.history_date).strftime("%H:%M:%S %d/%m/%Y"),
            "who": str(h.history_user) if h.history_user else "hệ thống",
            "what": h.history_change_reason or "",
        }
        for h in covenant.history.select_related("history_user").order_by("history_date")
    ]
    trail += [
        {
            "time": timezone.localtime(h.history_date).strftime("%H:%M:%S %d/%m/%Y"),
            "who": str(h.history_user) if h.history_user else "hệ thống",
            "what": h.history_change_reason or "",
        }
        for h in Signature.history.filter(covenant_id=covenant.pk).select_related("history_user")
    ]
    trail.sort(key=lambda row: dt.datetime.strptime(row["time"], "%H:%M:%S %d/%m/%Y"))
    members = bloc_members(bloc=covenant.bloc_year.bloc, year=covenant.bloc_year.year).count()
    return {
        "covenant_id": covenant.pk,
        "year": covenant.bloc_year.year,
        "version": covenant.version,
        "title": covenant.title,
        "preamble": covenant.preamble,
        "sha256": covenant.text_sha256,
        "items": [
            {
                "text": i.text,
                "target": str(i.target) if i.target is not None else "",
                "unit": i.target_unit,
            }
            for i in covenant.items.order_by("position")
        ],
        "signatures": signatures,
        "members": members,
        "trail": trail,
    }


def covenant_seal(*, covenant_id: int):
    """Produce the covenant's document once (numbered in the bloc's register) and freeze its
    sealed PDF. Safe to run twice: the document is created under a row lock, the PDF frozen once."""
    from documents import services as documents
    from documents.models import DocumentType

    with transaction.atomic():
        # of=("self",): PostgreSQL cannot lock the nullable side of an outer join (the chair).
        covenant = (
            Covenant.objects.select_for_update(of=("self",))
            .select_related("bloc_year__bloc", "bloc_year__chair")
            .get(pk=covenant_id)
        )
        if covenant.status != Covenant.Status.CLOSED:
            raise ValidationError(_("Chỉ niêm phong giao ước đã kết thúc ký."))
        document = covenant.document
        if document is None:
            bloc_year = covenant.bloc_year
            place = covenant.place or (bloc_year.chair.province.name if bloc_year.chair else "")
            issued_on = covenant.signed_on or timezone.localdate()
            draft = documents.document_create_draft(
                bloc=bloc_year.bloc,
                kind="covenant",
                doc_type=DocumentType.objects.get(code="GƯTĐ"),
                subject=covenant.title,
                created_by=None,
                place=place or "Hà Nội",
                # the supervising ministry of the signing day, not today's (NQ 176/2025)
                **documents.header_defaults(bloc=bloc_year.bloc, on=issued_on),
                extra=covenant_snapshot(covenant),
                signature_heading=f"TM. {bloc_year.bloc.name.upper()}",
                signer_title=f"{bloc_year.bloc.kind_word.upper()} TRƯỞNG",
                signer_name=bloc_year.chair.head_name
                if bloc_year.chair and bloc_year.chair.head_name
                else (bloc_year.chair.full_name if bloc_year.chair else bloc_year.bloc.name),
            )
            document = documents.document_issue(
                document=draft, issued_on=issued_on, issued_by=None, render=False
            )
            covenant.document = document
            _stamp(
                covenant, by=None, reason=f"Niêm phong giao ước: văn bản số {document.number_text}"
            )
            covenant.save()
    return documents.document_freeze_pdf(document_id=document.pk)
