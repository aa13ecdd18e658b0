"""Background work of conferences: reminders to units that have not answered the invitation,
and each delegate's QR code by e-mail. Tasks take ids and are safe to run twice."""

from __future__ import annotations

import datetime as dt
import io
import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from blocs.models import MemberUnit
from khoi_portal.outbox.services import enqueue
from meetings import selectors, services
from meetings.models import Delegate, Meeting

logger = logging.getLogger(__name__)
TRANSIENT = (OSError, smtplib.SMTPException)


def qr_png(token: str) -> bytes:
    import segno  # on first use: the web workers stay small (issue #8)

    buffer = io.BytesIO()
    segno.make(token, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


def qr_svg(token: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(token, error="m").save(
        buffer,
        kind="svg",
        scale=8,
        border=4,
        xmldecl=False,
        title="QR",
        svgclass=None,
        lineclass=None,
    )
    return buffer.getvalue()


def _recipients(unit: MemberUnit) -> list[str]:
    """The unit's active people with an e-mail address, then the unit's own address."""
    from scoring.services import members_for_unit

    emails = [person.email for person in members_for_unit(unit)] + (
        [unit.email] if unit.email else []
    )
    return list(dict.fromkeys(emails))


@shared_task
def remind_unanswered(meeting_id: int, today: str | None = None) -> int:
    """Remind every member unit that has not answered the invitation (neither delegates nor
    "không tham dự"), at most once per unit and day: each reminder is claimed first as a
    ``RegistrationReminder`` row, unique per (meeting, unit, day), so the beat run, the
    secretariat's button and a retry never send the same reminder twice. Nothing after the
    registration deadline."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    meeting = Meeting.objects.select_related("bloc_year__bloc", "host_unit").get(pk=meeting_id)
    if meeting.registration_deadline and timezone.now() > meeting.registration_deadline:
        return 0
    sent = 0
    for unit in selectors.units_not_answered(meeting=meeting):
        recipients = _recipients(unit)
        if not recipients:
            continue
        reminder = services.reminder_claim(meeting=meeting, unit=unit, day=day)
        if reminder is None:
            continue
        context = {
            "meeting": meeting,
            "unit": unit,
            "deadline": meeting.registration_deadline,
            "register_url": settings.SITE_URL
            + reverse("meeting_register", kwargs={"pk": meeting.pk}),
        }
        try:
            send_mail(
                subject=render_to_string(
                    "meetings/registration/email/reminder_subject.txt", context
                ).strip(),
                message=render_to_string("meetings/registration/email/reminder.txt", context),
                from_email=None,
                recipient_list=recipients,
            )
        except TRANSIENT as exc:
            # The claim stays: the daily reminder is at most once; tomorrow's run tries again.
            logger.warning("reminder of meeting %s to unit %s failed: %s", meeting_id, unit.pk, exc)
            services.reminder_record(reminder=reminder, recipients=0, error=str(exc) or "SMTP")
            continue
        services.reminder_record(reminder=reminder, recipients=len(recipients))
        sent += 1
    return sent


@shared_task
def remind_due_registrations(today: str | None = None) -> int:
    """Celery beat's daily run: for each conference whose invitation is out and whose
    registration deadline falls within ``MEETING_REMINDER_DAYS`` days, queue the reminders to
    the units that have not answered. Safe to run several times a day (see remind_unanswered)."""
    day = today or timezone.localdate().isoformat()
    due = list(
        selectors.meetings_to_remind(
            now=timezone.now(), days=settings.MEETING_REMINDER_DAYS
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        for meeting_id in due:
            enqueue(remind_unanswered, meeting_id, day)
    return len(due)


@shared_task(bind=True, max_retries=5)
def send_delegate_qr(self, meeting_id: int) -> int:
    """E-mail each active delegate with an address their QR code (PNG) and its text. A delegate
    is claimed by a conditional update of ``qr_sent_at``: a second run, or a retry, skips every
    delegate already mailed. A failed send gives the claim back so the retry can send it."""
    meeting = Meeting.objects.select_related("bloc_year__bloc", "host_unit").get(pk=meeting_id)
    pending = (
        Delegate.objects.filter(
            registration__meeting=meeting,
            substituted_by__isnull=True,
            qr_sent_at__isnull=True,
            registration__declined=False,
        )
        .exclude(email="")
        .select_related("registration__unit")
        .order_by("pk")
    )
    sent = 0
    for delegate in pending:
        claimed_at = timezone.now()
        claimed = Delegate.objects.filter(
            pk=delegate.pk, qr_sent_at__isnull=True, substituted_by__isnull=True
        ).update(qr_sent_at=claimed_at)
        if not claimed:
            continue
        context = {"meeting": meeting, "delegate": delegate, "unit": delegate.registration.unit}
        message = EmailMessage(
            subject=render_to_string("meetings/registration/email/qr_subject.txt", context).strip(),
            body=render_to_string("meetings/registration/email/qr.txt", context),
            to=[delegate.email],
        )
        message.attach(f"ma-qr-{delegate.uid}.png", qr_png(delegate.qr_token), "image/png")
        try:
            message.send()
        except TRANSIENT as exc:
            Delegate.objects.filter(pk=delegate.pk, qr_sent_at=claimed_at).update(qr_sent_at=None)
            if self.request.called_directly or self.request.is_eager:
                # In-process mode has no worker to retry later: the secretariat can press again.
                logger.warning("QR e-mail to delegate %s failed: %s", delegate.pk, exc)
                continue
            raise self.retry(exc=exc, countdown=min(600, 30 * 2**self.request.retries)) from exc
        sent += 1
    return sent
