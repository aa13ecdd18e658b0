"""Background work on documents. Tasks take ids and are safe to run twice."""

from __future__ import annotations

import io
import logging
import smtplib
import zipfile

from celery import shared_task
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from documents import services
from documents.models import Batch, Delivery, Document

logger = logging.getLogger(__name__)
TRANSIENT = (OSError, smtplib.SMTPException)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_document(document_id: int) -> str:
    document = services.document_freeze_pdf(document_id=document_id)
    return document.sha256


@shared_task(bind=True, max_retries=5)
def send_delivery(self, delivery_id: int) -> str:
    """Send one document e-mail. Claimed by a conditional update: a second run finds it taken."""
    claimable = [Delivery.Status.PENDING, Delivery.Status.FAILED]
    if (self.request.delivery_info or {}).get("redelivered"):
        # A worker killed mid-send left the row "sending" and its message unacknowledged (late
        # ack): the broker hands that same message out again, marked redelivered, to finish it.
        claimable.append(Delivery.Status.SENDING)
    claimed = Delivery.objects.filter(pk=delivery_id, status__in=claimable).update(
        status=Delivery.Status.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    delivery = Delivery.objects.select_related("document__doc_type").get(pk=delivery_id)
    try:
        document = services.document_freeze_pdf(document_id=delivery.document_id)
        context = {"document": document, "delivery": delivery}
        message = EmailMessage(
            subject=render_to_string("documents/email/delivery_subject.txt", context).strip(),
            body=render_to_string("documents/email/delivery.txt", context),
            to=[delivery.email],
            # The same id on every attempt: a copy resent after a crash between the SMTP
            # server's acceptance and the "sent" mark is recognised as the same message.
            headers={"Message-ID": f"<van-ban-{document.uid}-{delivery.pk}@khoi-portal>"},
        )
        with document.pdf.open("rb") as handle:
            message.attach(
                f"{document.number_text.replace('/', '_')}.pdf", handle.read(), "application/pdf"
            )
        message.send()
    except TRANSIENT as exc:
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.FAILED, last_error=str(exc)[:1000]
        )
        if self.request.called_directly or self.request.is_eager:
            # In-process mode has no worker to retry later: the failure is shown and can be resent.
            logger.warning("delivery %s failed: %s", delivery_id, exc)
            return "failed"
        raise self.retry(exc=exc, countdown=min(600, 30 * 2**self.request.retries)) from exc
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def run_batch(batch_id: int) -> str:
    """Render every document of a batch (counting progress), then build one ZIP of the PDFs."""
    batch = Batch.objects.get(pk=batch_id)
    if batch.status == Batch.Status.DONE:
        return "done"
    Batch.objects.filter(pk=batch_id).update(status=Batch.Status.RUNNING)
    documents = list(batch.documents.select_related("doc_type").order_by("number_year", "number"))
    for ready, document in enumerate(documents, start=1):
        try:
            services.document_freeze_pdf(document_id=document.pk)
        except Exception as exc:
            Document.objects.filter(pk=document.pk).update(render_error=str(exc)[:1000])
            Batch.objects.filter(pk=batch_id).update(
                status=Batch.Status.FAILED, message=f"{document.number_text}: {exc}"[:1000]
            )
            raise
        Batch.objects.filter(pk=batch_id).update(done=ready)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for document in Document.objects.filter(pk__in=[d.pk for d in documents]).select_related(
            "doc_type"
        ):
            with document.pdf.open("rb") as handle:
                archive.writestr(f"{document.number_text.replace('/', '_')}.pdf", handle.read())
    batch.refresh_from_db()
    if not batch.archive:
        batch.archive.save(f"{batch.uid}.zip", ContentFile(buffer.getvalue()), save=False)
    batch.status = Batch.Status.DONE
    batch.done = len(documents)
    batch.save(update_fields=["archive", "status", "done"])
    return "done"
