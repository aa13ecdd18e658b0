"""Registration reminders on Celery beat: each morning the conferences whose invitation is out
and whose deadline is within MEETING_REMINDER_DAYS days remind the units that have not answered,
at most once per unit and day, held by a RegistrationReminder row unique per (meeting, unit,
day): a second run, the secretariat's button the same day, or a retry sends nothing more."""

from __future__ import annotations

import datetime as dt
import smtplib
import threading

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, connection, connections
from django.test import TestCase
from django.utils import timezone

from meetings import services, tasks
from meetings.models import Meeting, RegistrationReminder
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _due(**kwargs) -> int:
    """Beat's run, with the reminders it queues through the outbox published on commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return tasks.remind_due_registrations(**kwargs)


def _conference(world, *, title: str, deadline_in: dt.timedelta, invited: bool = True) -> Meeting:
    deadline = timezone.now() + deadline_in
    meeting = services.meeting_create(
        bloc_year=world.bloc_year,
        title=title,
        starts_at=deadline + dt.timedelta(days=3),
        host_unit=world.chair,
        address="Hội trường Ban Quản lý các khu công nghiệp tỉnh Đắk Lắk",
        by=world.secretariat,
        registration_deadline=deadline,
    )
    if invited:
        # The invitation's issue sets this status (meetings/documents.py); not under test here.
        Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.INVITED)
    return meeting


@pytest.fixture
def vice_leader(world):
    """Someone with an e-mail address in every member unit (the chair's and the member's
    people have one already)."""
    return UserFactory(username="lanhdao.pho", unit=world.vice, unit_role="leader")


@pytest.fixture
def conferences(world, vice_leader):
    return {
        "due": _conference(world, title="Hội nghị sơ kết", deadline_in=dt.timedelta(days=2)),
        "later": _conference(world, title="Hội nghị tổng kết", deadline_in=dt.timedelta(days=10)),
        "draft": _conference(
            world, title="Hội nghị chưa mời", deadline_in=dt.timedelta(days=1), invited=False
        ),
        "past": _conference(world, title="Hội nghị đã hết hạn", deadline_in=-dt.timedelta(hours=2)),
    }


def _reminded(meeting) -> set[int]:
    return set(RegistrationReminder.objects.filter(meeting=meeting).values_list("unit", flat=True))


def test_beat_runs_the_reminders_every_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["meetings-registration-reminders"]
    assert entry["task"] == tasks.remind_due_registrations.name
    assert entry["schedule"].hour == {8, 9, 10, 11}
    assert settings.MEETING_REMINDER_DAYS == 3


def test_only_invited_conferences_with_a_deadline_close_at_hand_remind(world, conferences):
    assert _due() == 1
    assert _reminded(conferences["due"]) == {world.chair.pk, world.vice.pk, world.member.pk}
    for name in ("later", "draft", "past"):
        assert not _reminded(conferences[name]), name
    assert len(mail.outbox) == 3
    assert all("Hội nghị sơ kết" in m.body or "Hội nghị sơ kết" in m.subject for m in mail.outbox)


def test_the_window_is_a_setting(world, conferences, settings):
    settings.MEETING_REMINDER_DAYS = 15
    assert _due() == 2
    assert _reminded(conferences["later"])
    settings.MEETING_REMINDER_DAYS = 0  # reminders only from the secretariat's button
    RegistrationReminder.objects.all().delete()
    assert _due() == 0
    assert not RegistrationReminder.objects.exists()


def test_units_that_answered_are_left_alone(world, conferences):
    services.registration_save(
        meeting=conferences["due"],
        unit=world.chair,
        by=world.secretariat,
        delegates=[{"full_name": "Y Giang Niê"}],
    )
    services.registration_save(
        meeting=conferences["due"],
        unit=world.vice,
        by=world.secretariat,
        delegates=[],
        declined=True,
    )
    _due()
    assert _reminded(conferences["due"]) == {world.member.pk}


def test_a_second_run_the_same_day_sends_nothing_more(world, conferences):
    _due()
    _due()  # a later beat hour, or a retry
    assert tasks.remind_unanswered(conferences["due"].pk) == 0  # the button, the same day
    assert len(mail.outbox) == 3
    reminders = RegistrationReminder.objects.filter(meeting=conferences["due"])
    assert reminders.count() == 3
    assert all(r.sent_at and r.recipients >= 1 and not r.error for r in reminders)
    # The next day the units that still have not answered hear again.
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    _due(today=tomorrow)
    assert len(mail.outbox) == 6


def test_the_table_holds_one_reminder_per_unit_and_day(world, conferences):
    meeting, day = conferences["due"], timezone.localdate()
    assert services.reminder_claim(meeting=meeting, unit=world.member, day=day) is not None
    assert services.reminder_claim(meeting=meeting, unit=world.member, day=day) is None
    with pytest.raises(IntegrityError):
        RegistrationReminder.objects.create(meeting=meeting, unit=world.member, day=day)


def test_a_failed_send_keeps_its_claim_until_tomorrow(world, conferences, monkeypatch):
    def refuse(**kwargs):
        raise smtplib.SMTPServerDisconnected("máy chủ thư ngắt kết nối")

    with monkeypatch.context() as patch:
        patch.setattr(tasks, "send_mail", refuse)
        assert tasks.remind_unanswered(conferences["due"].pk) == 0
    failed = RegistrationReminder.objects.filter(meeting=conferences["due"])
    assert failed.count() == 3
    assert all(r.sent_at is None and "ngắt kết nối" in r.error for r in failed)
    assert tasks.remind_unanswered(conferences["due"].pk) == 0  # at most once a day
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert tasks.remind_unanswered(conferences["due"].pk, today=tomorrow) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_runs_send_each_reminder_once(world, conferences):
    """The beat run and the secretariat's button at the same moment, four times over: one
    e-mail per unit (SQLite serialises writers; the race is PostgreSQL's)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent claims are tested on PostgreSQL (CI's PostgreSQL pass)")
    meeting_id, threads_count = conferences["due"].pk, 8
    barrier = threading.Barrier(threads_count)
    outcomes: list[object] = [None] * threads_count

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[i] = tasks.remind_unanswered(meeting_id)
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert sum(outcomes) == 3
    assert len(mail.outbox) == 3
    assert RegistrationReminder.objects.filter(meeting_id=meeting_id).count() == 3
