"""Background work of scoring: the deadline lock, reminders, notices of a new scale version."""

from __future__ import annotations

import datetime as dt
from functools import partial

from celery import shared_task
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from khoi_portal.outbox.services import send_once
from scoring import services
from scoring.models import Reminder, Round, Scale, Sheet


@shared_task
def lock_overdue_sheets() -> int:
    """Run by Celery beat every few minutes: locks sheets whose deadline has passed."""
    return services.lock_overdue()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_reminders(today: str | None = None) -> int:
    """Daily: remind units whose sheet is not yet submitted, ``reminder_days`` before the
    deadline. A Reminder row per sheet and day makes a second run send nothing."""
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    sent = 0
    for scoring_round in Round.objects.filter(status=Round.Status.OPEN).select_related(
        "bloc_year__bloc"
    ):
        days_left = (timezone.localtime(scoring_round.deadline).date() - day).days
        if not 0 <= days_left <= scoring_round.reminder_days:
            continue
        for sheet in Sheet.objects.filter(
            round=scoring_round, status=Sheet.Status.DRAFT
        ).select_related("unit"):
            try:
                with (
                    transaction.atomic()
                ):  # a savepoint: the duplicate must not poison an outer transaction
                    Reminder.objects.create(sheet=sheet, day=day)
            except IntegrityError:
                continue  # already reminded today
            recipients = [p.email for p in services.members_for_unit(sheet.unit)]
            if not recipients:
                continue
            context = {"sheet": sheet, "round": scoring_round, "days_left": days_left}
            send_mail(
                subject=render_to_string("scoring/email/reminder_subject.txt", context).strip(),
                message=render_to_string("scoring/email/reminder.txt", context),
                from_email=None,
                recipient_list=recipients,
            )
            sent += 1
    return sent


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_scale_changed(self, round_id: int, scale_id: int) -> int:
    scoring_round = Round.objects.select_related("bloc_year__bloc").get(pk=round_id)
    scale = Scale.objects.get(pk=scale_id)
    count = 0
    for sheet in Sheet.objects.filter(round=scoring_round).select_related("unit"):
        recipients = [p.email for p in services.members_for_unit(sheet.unit)]
        if recipients:
            context = {"round": scoring_round, "scale": scale, "sheet": sheet}
            # One claim per unit: a retry after unit 5's failure does not mail units 1-4 again.
            count += send_once(
                self.request,
                f"sheet-{sheet.pk}",
                partial(
                    send_mail,
                    subject=render_to_string(
                        "scoring/email/scale_changed_subject.txt", context
                    ).strip(),
                    message=render_to_string("scoring/email/scale_changed.txt", context),
                    from_email=None,
                    recipient_list=recipients,
                ),
            )
    return count
