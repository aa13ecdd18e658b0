"""Background work of the blocs app: e-mailing invitations."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from blocs.models import User


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(user_id: int, invited_by_id: int) -> bool:
    """Send an activation link to a newly invited person.

    Safe to run twice: the send is claimed by a conditional update of ``invitation_sent_at``
    (only one run wins), and the claim is released if the mail server refuses, so a retry
    can send it.
    """
    person = User.objects.select_related("unit").filter(pk=user_id, is_active=True).first()
    if person is None or person.has_usable_password() or not person.email:
        return False
    claimed = User.objects.filter(pk=user_id, invitation_sent_at__isnull=True).update(
        invitation_sent_at=timezone.now()
    )
    if not claimed:
        return False
    inviter = User.objects.filter(pk=invited_by_id).first()
    link = settings.SITE_URL + reverse(
        "activate",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    context = {"person": person, "inviter": inviter, "link": link}
    try:
        send_mail(
            subject=render_to_string("blocs/email/invitation_subject.txt", context).strip(),
            message=render_to_string("blocs/email/invitation.txt", context),
            from_email=None,
            recipient_list=[person.email],
        )
    except Exception:
        User.objects.filter(pk=user_id).update(invitation_sent_at=None)
        raise
    return True
