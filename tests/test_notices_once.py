"""Notice e-mails are sent once per task run, however often the broker delivers it (issue #8:
a retried task never duplicates its effect). The outbox gives every publish of one row the same
task id; ``send_once`` claims the notice under that id before sending."""

from __future__ import annotations

import datetime as dt
import smtplib
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from covenants.tasks import notify_members
from khoi_portal.outbox.models import OutboxMessage, SentNotice
from khoi_portal.outbox.services import (
    NOTICE_CLAIM_STALE,
    enqueue,
    outbox_publish,
    send_once,
    task_id_of,
)
from tests.covenants.conftest import make_covenant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RUN = SimpleNamespace(id="outbox-41")


def test_a_second_delivery_of_the_same_run_sends_nothing():
    sent = []
    assert send_once(RUN, "members", lambda: sent.append(1)) is True
    assert send_once(RUN, "members", lambda: sent.append(2)) is False
    assert sent == [1]
    assert SentNotice.objects.get().sent_at is not None


def test_each_scope_of_a_run_is_claimed_on_its_own():
    sent = []
    send_once(RUN, "sheet-1", lambda: sent.append(1))
    send_once(RUN, "sheet-2", lambda: sent.append(2))
    send_once(SimpleNamespace(id="outbox-42"), "sheet-1", lambda: sent.append(3))
    assert sent == [1, 2, 3]


def test_a_failed_send_gives_the_claim_back_for_the_retry():
    def refuse():
        raise smtplib.SMTPServerDisconnected("máy chủ thư ngắt kết nối")

    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_once(RUN, "members", refuse)
    assert not SentNotice.objects.exists()
    sent = []
    assert send_once(RUN, "members", lambda: sent.append(1)) is True
    assert sent == [1]


def test_a_claim_left_by_a_dead_sender_is_taken_over_later():
    old = timezone.now() - NOTICE_CLAIM_STALE - dt.timedelta(minutes=1)
    SentNotice.objects.create(key="outbox-41:members", claimed_at=old)
    sent = []
    assert send_once(RUN, "members", lambda: sent.append(1)) is True
    assert sent == [1]
    # A fresh claim (a sender still at work) is left alone.
    SentNotice.objects.create(key="outbox-41:other", claimed_at=timezone.now())
    assert send_once(RUN, "other", lambda: sent.append(2)) is False
    assert sent == [1]


def test_a_direct_call_without_a_task_id_always_sends():
    sent = []
    send_once(SimpleNamespace(id=None), "members", lambda: sent.append(1))
    send_once(SimpleNamespace(id=None), "members", lambda: sent.append(2))
    assert sent == [1, 2]
    assert not SentNotice.objects.exists()


def test_the_covenant_notice_published_twice_reaches_members_once(
    world, django_capture_on_commit_callbacks
):
    UserFactory(
        username="canbo.nhan.thu",
        unit=world.member,
        unit_role="officer",
        email="nhanthu@khoiportal.test",
    )
    covenant = make_covenant(world)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = enqueue(notify_members, covenant.pk, "signing")
    assert len(mail.outbox) == 1
    # The flush publishes the same row again (its "published" mark was lost in a crash).
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.PENDING, published_at=None
    )
    assert outbox_publish(message_id=message.pk) is True
    assert len(mail.outbox) == 1
    assert SentNotice.objects.filter(key=f"{task_id_of(message.pk)}:members").exists()
