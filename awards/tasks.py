"""Background work of awards: telling a delegate they were named (or no longer are)."""

from __future__ import annotations

from functools import partial

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from awards.models import VotingDelegate
from khoi_portal.outbox.services import send_once


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_delegate(self, delegation_id: int, event: str) -> bool:
    """E-mail the delegate that a leader named them to vote for the unit (``named``) or took the
    delegation back (``revoked``). Nothing is sent when they have no address."""
    delegation = (
        VotingDelegate.objects.select_related(
            "delegate", "named_by", "revoked_by", "unit", "round", "bloc_year__bloc"
        )
        .filter(pk=delegation_id)
        .first()
    )
    if delegation is None or not delegation.delegate.email:
        return False
    bloc_year = delegation.bloc_year
    target = (
        reverse("ballot_round_detail", kwargs={"pk": delegation.round_id})
        if delegation.round_id
        else reverse(
            "awards_overview", kwargs={"bloc_pk": bloc_year.bloc_id, "year": bloc_year.year}
        )
    )
    context = {"delegation": delegation, "event": event, "link": settings.SITE_URL + target}
    return send_once(
        self.request,
        "delegate",
        partial(
            send_mail,
            subject=render_to_string("awards/email/delegate_subject.txt", context).strip(),
            message=render_to_string("awards/email/delegate.txt", context),
            from_email=None,
            recipient_list=[delegation.delegate.email],
        ),
    )
