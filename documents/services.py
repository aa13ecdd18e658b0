"""Every write of the documents app: drafting, issuing (numbering), freezing PDFs, distributing."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.models import Bloc, MemberUnit, User
from blocs.selectors import bloc_supervisor
from documents import registry
from documents.models import Batch, Delivery, Document, DocumentType, NumberSeries
from khoi_portal.outbox.services import enqueue

DRAFT_FIELDS = (
    "doc_type",
    "parent_body",
    "issuer_name",
    "issuer_symbol",
    "place",
    "subject",
    "recipients",
    "basis",
    "body",
    "distribution",
    "authority",
    "signature_heading",
    "signer_title",
    "signer_name",
    "landscape",
    "extra",
)


def _stamp(obj, *, by: User | None, reason: str) -> None:
    obj._history_user = by
    obj._change_reason = reason


def header_defaults(
    *, bloc: Bloc | None = None, unit: MemberUnit | None = None, on: dt.date | None = None
) -> dict:
    """The header a new document of *bloc* (or *unit*) starts with; all of it stays editable."""
    on = on or timezone.localdate()
    if bloc is not None:
        authority = bloc_supervisor(bloc=bloc, on=on)
        return {
            "parent_body": authority.name.upper() if authority else "",
            "issuer_name": bloc.name.upper(),
            "issuer_symbol": bloc.symbol,
        }
    assert unit is not None
    return {
        "parent_body": "",
        "issuer_name": unit.full_name.upper(),
        "issuer_symbol": unit.short_name,
    }


@transaction.atomic
def document_create_draft(
    *,
    doc_type: DocumentType,
    subject: str,
    created_by: User | None,
    bloc: Bloc | None = None,
    unit: MemberUnit | None = None,
    kind: str = "generic",
    **fields,
) -> Document:
    """Start a draft. Header fields default from the bloc (or unit) unless given."""
    if bloc is None and unit is None:
        raise ValidationError(_("Văn bản phải có cơ quan ban hành."))
    values = header_defaults(bloc=bloc, unit=unit) | fields
    document = Document(
        bloc=bloc,
        unit=unit,
        kind=kind,
        doc_type=doc_type,
        subject=subject,
        created_by=created_by,
        **values,
    )
    if not document.place:
        raise ValidationError(_("Hãy nhập địa danh (ví dụ: Sóc Trăng)."))
    _stamp(document, by=created_by, reason="Tạo dự thảo")
    document.full_clean(exclude=["pdf"])
    document.save()
    return document


@transaction.atomic
def document_update_draft(
    *, document: Document, version: int, changed_by: User, **fields
) -> Document:
    """Save a draft edit, refusing it when someone else saved since *version* was read."""
    current = Document.objects.select_for_update().get(pk=document.pk)
    if current.status != Document.Status.DRAFT:
        raise ValidationError(_("Văn bản đã phát hành, không thể sửa. Hãy tạo văn bản thay thế."))
    if current.version != version:
        raise ValidationError(
            _(
                "Dự thảo vừa được người khác sửa. Hãy tải lại trang để xem bản mới nhất rồi sửa tiếp."
            ),
            code="stale",
        )
    for name, value in fields.items():
        if name not in DRAFT_FIELDS:
            raise ValueError(f"{name} is not a draft field")
        setattr(current, name, value)
    current.version = F("version") + 1
    _stamp(current, by=changed_by, reason="Sửa dự thảo")
    current.save()
    current.refresh_from_db()
    return current


def _next_number(symbol: str, year: int) -> int:
    """The next number of a series, gap-free and unique under concurrent issues.

    The series row is created if missing (a concurrent creator loses harmlessly), then
    locked for the rest of the transaction, so two issues at the same instant queue up.
    """
    try:
        with transaction.atomic():
            NumberSeries.objects.get_or_create(issuer_symbol=symbol, year=year)
    except IntegrityError:
        pass  # created by a concurrent transaction between our read and our insert
    series = NumberSeries.objects.select_for_update().get(issuer_symbol=symbol, year=year)
    series.last_number += 1
    series.save(update_fields=["last_number"])
    return series.last_number


@transaction.atomic
def document_issue(
    *,
    document: Document,
    issued_on: dt.date,
    issued_by: User,
    signer: User | None = None,
    signer_name: str | None = None,
    signer_title: str | None = None,
    authority: str | None = None,
    signature_heading: str | None = None,
    render: bool = True,
) -> Document:
    """Issue a draft: give it the next number of its series, freeze it, queue its PDF.

    The number is taken inside this transaction, so it is never given twice and a retried
    render task cannot take another.
    """
    from documents.tasks import render_document

    current = Document.objects.select_for_update().get(pk=document.pk)
    if current.status != Document.Status.DRAFT:
        raise ValidationError(_("Văn bản này đã được phát hành."))
    for name, value in (
        ("signer_name", signer_name),
        ("signer_title", signer_title),
        ("authority", authority),
        ("signature_heading", signature_heading),
    ):
        if value is not None:
            setattr(current, name, value)
    if not current.signer_name:
        raise ValidationError(_("Hãy ghi họ tên người ký trước khi phát hành."))
    current.signer = signer
    current.issued_on = issued_on
    current.number_year = issued_on.year
    current.number = _next_number(current.issuer_symbol, issued_on.year)
    current.issued_at = timezone.now()
    current.issued_by = issued_by
    current.verification_code = Document.new_verification_code()
    current.status = Document.Status.ISSUED
    _stamp(current, by=issued_by, reason=f"Phát hành số {current.number_text}")
    current.save()
    if render:
        enqueue(render_document, current.pk)
    return current


def document_freeze_pdf(*, document_id: int) -> Document:
    """Render an issued document once and freeze the file with its SHA-256.

    Safe to run twice or concurrently: each run writes its own file, and only the first to
    record its hash keeps it; the others delete theirs.
    """
    from documents.documents import render_document_pdf

    document = Document.objects.select_related("doc_type").get(pk=document_id)
    if document.is_draft:
        raise ValidationError(_("Dự thảo không có bản PDF chính thức."))
    if document.is_pdf_ready:
        return document
    pdf = render_document_pdf(document, draft=False)
    postprocess = registry.get(document.kind).postprocess
    if postprocess is not None:
        pdf = postprocess(pdf, document)
    digest = hashlib.sha256(pdf).hexdigest()
    name = default_storage.save(
        f"documents/{document.number_year}/{document.uid}-{uuid.uuid4().hex[:8]}.pdf",
        ContentFile(pdf),
    )
    won = Document.objects.filter(pk=document.pk, sha256="").update(
        pdf=name, sha256=digest, render_error=""
    )
    if not won:
        default_storage.delete(name)
    document.refresh_from_db()
    return document


@transaction.atomic
def document_supersede(*, document: Document, created_by: User) -> Document:
    """A correction is a new draft that replaces an issued document; the original never changes."""
    if document.is_draft:
        raise ValidationError(_("Dự thảo có thể sửa trực tiếp, không cần văn bản thay thế."))
    if Document.objects.filter(supersedes=document).exists():
        raise ValidationError(_("Đã có văn bản thay thế văn bản này."))
    fields = {name: getattr(document, name) for name in DRAFT_FIELDS}
    new = Document(
        bloc=document.bloc,
        unit=document.unit,
        kind=document.kind,
        supersedes=document,
        created_by=created_by,
        **fields,
    )
    new.subject = document.subject
    _stamp(new, by=created_by, reason=f"Thay thế văn bản số {document.number_text}")
    new.save()
    return new


def default_recipients(document: Document) -> list[tuple[str, str, MemberUnit | None]]:
    """(name, e-mail, unit) of the member units of the document's bloc and year: the unit's
    address, else its officers' and leaders' addresses."""
    from blocs.selectors import bloc_members

    if document.bloc is None:
        return []
    year = document.number_year or timezone.localdate().year
    units = list(bloc_members(bloc=document.bloc, year=year).prefetch_related("people"))
    recipients = []
    for unit in units:
        if unit.email:
            recipients.append((unit.full_name, unit.email, unit))
            continue
        for person in unit.people.all():
            if person.is_active and person.email:
                recipients.append((f"{person.full_name} – {unit.short_name}", person.email, unit))
    return recipients


@transaction.atomic
def document_distribute(
    *,
    document: Document,
    by: User,
    recipients: list[tuple[str, str, MemberUnit | None]] | None = None,
) -> int:
    """E-mail an issued document with its PDF to each recipient once; returns how many were queued."""
    from documents.tasks import send_delivery

    current = Document.objects.select_for_update().get(pk=document.pk)
    if current.is_draft:
        raise ValidationError(_("Chỉ gửi được văn bản đã phát hành."))
    recipients = default_recipients(current) if recipients is None else recipients
    if not recipients:
        raise ValidationError(_("Không có địa chỉ thư điện tử nào để gửi."))
    known = set(Delivery.objects.filter(document=current).values_list("email", flat=True))
    new = [
        Delivery(document=current, name=name, email=email.lower(), unit=unit)
        for name, email, unit in recipients
        if email.lower() not in known
    ]
    Delivery.objects.bulk_create(new, ignore_conflicts=True)
    if current.status == Document.Status.ISSUED:
        current.status = Document.Status.DISTRIBUTED
        _stamp(current, by=by, reason=f"Gửi văn bản tới {len(recipients)} nơi nhận")
        current.save(update_fields=["status"])
    pending = list(
        Delivery.objects.filter(document=current, status=Delivery.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    for pk in pending:
        enqueue(send_delivery, pk)
    return len(pending)


@transaction.atomic
def delivery_retry(*, delivery: Delivery, by: User) -> Delivery:
    from documents.tasks import send_delivery

    updated = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).update(
        status=Delivery.Status.PENDING
    )
    if not updated:
        raise ValidationError(_("Chỉ gửi lại được thư bị lỗi."))
    enqueue(send_delivery, delivery.pk)
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def batch_issue(*, documents: list[Document], bloc: Bloc, issued_on: dt.date, by: User) -> Batch:
    """Issue many drafts at once (numbers in the order given) and render them in the background."""
    from documents.tasks import run_batch

    if not documents:
        raise ValidationError(_("Hãy chọn ít nhất một văn bản."))
    batch = Batch.objects.create(bloc=bloc, created_by=by, total=len(documents))
    for document in documents:
        if document.bloc_id != bloc.pk:
            raise ValidationError(_("Văn bản không thuộc khối này."))
        if document.is_draft:
            document = document_issue(
                document=document, issued_on=issued_on, issued_by=by, render=False
            )
        batch.documents.add(document)
    enqueue(run_batch, batch.pk)
    return batch
