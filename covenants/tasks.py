"""Background work of covenants: the sealed PDF, member notices."""

from __future__ import annotations

from functools import partial

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string

from blocs.models import User
from blocs.selectors import bloc_members
from covenants import services
from covenants.models import Covenant
from khoi_portal.outbox.services import send_once


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def seal_covenant(covenant_id: int) -> str:
    document = services.covenant_seal(covenant_id=covenant_id)
    return document.sha256


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_members(self, covenant_id: int, event: str) -> int:
    """E-mail the member units' people: a draft to comment on, signing open, or an amendment."""
    covenant = Covenant.objects.select_related("bloc_year__bloc").get(pk=covenant_id)
    units = bloc_members(bloc=covenant.bloc_year.bloc, year=covenant.bloc_year.year)
    recipients = sorted(
        set(
            User.objects.filter(unit__in=units, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not recipients:
        return 0
    context = {"covenant": covenant, "event": event}
    sent = send_once(
        self.request,
        "members",
        partial(
            send_mail,
            subject=render_to_string("covenants/email/notice_subject.txt", context).strip(),
            message=render_to_string("covenants/email/notice.txt", context),
            from_email=None,
            recipient_list=recipients,
        ),
    )
    return len(recipients) if sent else 0
