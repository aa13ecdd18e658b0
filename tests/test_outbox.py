"""The transactional outbox (issue #8): Redis down loses nothing, tells the person, and the work
runs once the queue is back.

"Down" is a broker URL on a closed local port (the shared Redis cannot be stopped); "back" is
in-process execution, or (marked redis) the real Redis.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import socket

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from documents import services
from documents.models import Delivery, Document, DocumentType
from documents.tasks import render_document, send_delivery
from khoi_portal.celery import app
from khoi_portal.outbox.models import OutboxMessage
from khoi_portal.outbox.services import enqueue, outbox_flush
from tests.conftest import services_required

QUEUE_DOWN = "Hàng đợi xử lý nền tạm thời không hoạt động"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens


def _point_broker_at(monkeypatch, url: str) -> None:
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    app.conf.broker_url = url
    app.conf.task_always_eager = False


@pytest.fixture
def redis_down(monkeypatch):
    saved = app.conf.broker_url, app.conf.task_always_eager
    _point_broker_at(monkeypatch, f"redis://127.0.0.1:{_closed_port()}/0")
    yield
    app.conf.broker_url, app.conf.task_always_eager = saved


def _back_in_process() -> None:
    app.conf.task_always_eager = True


def _draft(world) -> Document:
    return services.document_create_draft(
        bloc=world.bloc,
        doc_type=DocumentType.objects.get(code="GM"),
        created_by=world.secretariat,
        subject="Họp thường trực Khối",
        place="Đắk Lắk",
        signer_name="Phạm Văn Tịch",
        body="Kính mời các đơn vị dự họp.",
    )


def _issued(world) -> Document:
    return services.document_issue(
        document=_draft(world),
        issued_on=dt.date(2022, 3, 2),
        issued_by=world.secretariat,
        render=False,
    )


RECIPIENTS = [
    ("Đắk Lắk", "dl@khoiportal.test", None),
    ("Lâm Đồng", "ld@khoiportal.test", None),
    ("Bình Định", "bd@khoiportal.test", None),
]


# --- in-process: the row is written and published with the data ----------------------------


@pytest.mark.django_db(transaction=True)
def test_a_queued_task_is_recorded_and_marked_published(world):
    document = _issued(world)
    services.document_distribute(document=document, by=world.secretariat, recipients=RECIPIENTS)
    rows = OutboxMessage.objects.filter(task=send_delivery.name)
    assert rows.count() == 3
    assert set(rows.values_list("status", flat=True)) == {OutboxMessage.Status.PUBLISHED}
    assert all(row.published_at for row in rows)
    assert len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_queues_nothing(world):
    document = _issued(world)

    def ask_then_fail():
        with transaction.atomic():
            enqueue(render_document, document.pk)
            raise RuntimeError("the request failed after asking for the PDF")

    with pytest.raises(RuntimeError):
        ask_then_fail()
    assert not OutboxMessage.objects.exists()
    document.refresh_from_db()
    assert not document.is_pdf_ready


# --- Redis down: the data is kept, the person is told ----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_issuing_while_redis_is_down_keeps_the_document_and_says_so(world, login, redis_down):
    document = _draft(world)
    response = login(world.secretariat).post(
        reverse("document_issue", kwargs={"pk": document.pk}),
        {"issued_on": "2022-03-02", "signer_name": "Phạm Văn Tịch", "authority": "TM."},
    )
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(QUEUE_DOWN in text for text in texts), texts
    assert any("Đã phát hành văn bản số 01/GM-KTĐA" in text for text in texts), texts
    document.refresh_from_db()
    assert document.number_text == "01/GM-KTĐA"
    assert not document.is_pdf_ready
    row = OutboxMessage.objects.get()
    assert (row.task, row.args, row.status) == (render_document.name, [document.pk], "pending")
    assert row.attempts == 1
    assert row.last_error


@pytest.mark.django_db(transaction=True)
def test_the_warning_reaches_the_next_page(world, login, redis_down):
    document = _issued(world)
    client = login(world.secretariat)
    page = client.post(
        reverse("document_distribute", kwargs={"pk": document.pk}), follow=True
    ).content.decode()
    assert QUEUE_DOWN in page
    assert page.count(QUEUE_DOWN) == 1


@pytest.mark.django_db(transaction=True)
def test_one_request_waits_on_the_dead_broker_only_once(world, rf, redis_down):
    from khoi_portal.outbox.middleware import QueueStatusMiddleware

    document = _issued(world)
    request = rf.post("/")

    def view(request):
        services.document_distribute(document=document, by=world.secretariat, recipients=RECIPIENTS)
        return None

    QueueStatusMiddleware(view)(request)
    rows = OutboxMessage.objects.order_by("pk")
    assert [row.status for row in rows] == ["pending"] * 3
    assert [row.attempts for row in rows] == [1, 0, 0]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"pending"}


@pytest.mark.django_db(transaction=True)
def test_pages_still_work_while_redis_is_down(world, login, redis_down):
    document = _issued(world)
    client = login(world.secretariat)
    for url in (
        reverse("dashboard"),
        reverse("document_detail", kwargs={"pk": document.pk}),
        reverse("health"),
    ):
        assert client.get(url).status_code == 200, url


# --- back again: the flush runs the work once ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_work_queued_while_down_runs_once_when_the_queue_is_back(world, redis_down, monkeypatch):
    document = _issued(world)
    services.document_distribute(document=document, by=world.secretariat, recipients=RECIPIENTS)
    assert OutboxMessage.objects.filter(status="pending").count() == 3
    assert outbox_flush(min_age=dt.timedelta(0)) == 0  # still down: nothing lost, nothing sent
    assert OutboxMessage.objects.filter(status="pending").count() == 3

    _back_in_process()
    out = io.StringIO()
    call_command("flush_outbox", min_age=0, stdout=out)
    assert out.getvalue().strip() == "published 3, still pending 0"
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r[1] for r in RECIPIENTS)
    assert not OutboxMessage.objects.filter(status="pending").exists()

    assert outbox_flush(min_age=dt.timedelta(0)) == 0
    for delivery in Delivery.objects.all():
        send_delivery(delivery.pk)  # a duplicate publish would find each one sent
    assert len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_the_periodic_flush_leaves_fresh_rows_to_their_own_publish(world, redis_down, monkeypatch):
    document = _issued(world)
    enqueue(render_document, document.pk)
    _back_in_process()
    assert outbox_flush() == 0  # younger than FLUSH_MIN_AGE
    OutboxMessage.objects.update(created_at=timezone.now() - dt.timedelta(minutes=1))
    assert outbox_flush() == 1
    document.refresh_from_db()
    assert document.is_pdf_ready


@pytest.mark.django_db(transaction=True)
def test_the_flush_forgets_published_rows_after_a_week(world):
    document = _issued(world)
    enqueue(render_document, document.pk)
    OutboxMessage.objects.update(published_at=timezone.now() - dt.timedelta(days=8))
    outbox_flush()
    assert not OutboxMessage.objects.exists()


def test_the_flush_is_scheduled_and_runs_when_a_worker_starts():
    from django.conf import settings

    from khoi_portal.celery import _flush_outbox_at_start

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "khoi_portal.outbox.tasks.flush_outbox" in schedule
    assert callable(_flush_outbox_at_start)


# --- the real Redis: what was pending reaches the broker once it is back ---------------------


def _redis_url_or_skip() -> str:
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except (redis.exceptions.RedisError, OSError) as exc:
        if services_required():
            pytest.fail(f"Redis is not reachable at {url}: {exc} (Redis is required)")
        pytest.skip(f"Redis is not reachable at {url}: {exc}")
    return url


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_pending_work_reaches_the_real_redis_when_it_is_back(world, redis_down, monkeypatch):
    import redis

    url = _redis_url_or_skip()
    document = _issued(world)
    enqueue(render_document, document.pk)
    row = OutboxMessage.objects.get()
    assert row.status == "pending"

    _point_broker_at(monkeypatch, url)
    client = redis.Redis.from_url(url)
    queue = app.conf.task_default_queue
    mine = []
    try:
        assert outbox_flush(min_age=dt.timedelta(0)) == 1
        assert outbox_flush(min_age=dt.timedelta(0)) == 0  # published once, not twice
        for raw in client.lrange(queue, 0, -1):
            payload = json.loads(raw)
            args, kwargs, _embed = json.loads(base64.b64decode(payload["body"]))
            if payload["headers"]["task"] == render_document.name and args == [document.pk]:
                mine.append((raw, args, kwargs))
        assert len(mine) == 1
        # A worker takes it from there; here the same message runs in-process, once.
        _raw, args, kwargs = mine[0]
        render_document.apply(args=args, kwargs=kwargs)
    finally:
        for raw, _args, _kwargs in mine:
            client.lrem(queue, 1, raw)
        client.close()
    row.refresh_from_db()
    assert row.status == "published"
    document.refresh_from_db()
    assert document.is_pdf_ready
