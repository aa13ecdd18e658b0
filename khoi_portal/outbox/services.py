"""Queue background work through the outbox: ``enqueue`` inside the transaction, publish after.

Every place that starts a Celery task calls ``enqueue(task, *args)`` instead of
``transaction.on_commit(lambda: task.delay(*args))``. The row commits (or rolls back) with the
data; the publish runs on commit. When the broker cannot be reached the row stays pending, the
person who asked is told (``QueueStatusMiddleware``), and ``outbox_flush`` publishes it later.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial

import redis.exceptions
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from khoi_portal.outbox.models import OutboxMessage, SentNotice

logger = logging.getLogger(__name__)

# What a publish raises when Redis is down or unreachable (kombu wraps most of them).
PUBLISH_ERRORS = (OperationalError, redis.exceptions.ConnectionError, OSError)
# A request should not hang on a dead broker: two quick tries, then the row waits for the flush.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
# The flush leaves fresh rows to the on-commit publish that is about to send them.
FLUSH_MIN_AGE = dt.timedelta(seconds=30)
# Published rows are kept this long for the admin's view, then deleted by the flush.
KEEP_PUBLISHED = dt.timedelta(days=7)


@dataclass
class QueueState:
    """Per request: who to tell, and whether the broker already failed (skip the next tries)."""

    request: object | None = None
    unreachable: bool = False


_state: contextvars.ContextVar[QueueState | None] = contextvars.ContextVar(
    "khoi_outbox_state", default=None
)


def queue_state_begin(request) -> contextvars.Token:
    return _state.set(QueueState(request=request))


def queue_state_end(token: contextvars.Token) -> None:
    _state.reset(token)


def enqueue(task, *args, **kwargs) -> OutboxMessage:
    """Record *task* with JSON-serialisable arguments in the current transaction and publish it
    once the transaction commits (at once outside a transaction)."""
    message = OutboxMessage.objects.create(task=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(partial(outbox_publish, message_id=message.pk))
    return message


def _app():
    from khoi_portal.celery import app

    return app


def _task(name: str):
    app = _app()
    try:
        return app.tasks[name]
    except KeyError:
        app.loader.import_default_modules()  # a flush in a process that never imported it
        return app.tasks[name]


def outbox_publish(*, message_id: int, connection=None) -> bool:
    """Hand one pending row to the broker; True when it is published (or already was).

    Without a broker (in-process mode) the task runs here and now, as ``delay`` would; its own
    errors propagate as before. Broker errors leave the row pending and tell the person.
    """
    state = _state.get()
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is None or message.status == OutboxMessage.Status.PUBLISHED:
        return True
    if state is not None and state.unreachable:
        return False  # this request already found the broker down: do not wait on it again
    task = _task(message.task)
    if _app().conf.task_always_eager:
        _mark_published(message.pk)
        task.apply_async(args=message.args, kwargs=message.kwargs, task_id=task_id_of(message.pk))
        return True
    try:
        with (
            _app().connection_for_write() if connection is None else nullcontext(connection) as conn
        ):
            _send(task, message, conn)
    except PUBLISH_ERRORS as exc:
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=F("attempts") + 1, last_error=str(exc)[:1000]
        )
        logger.warning("outbox %s (%s) not published: %s", message.pk, message.task, exc)
        _tell_the_user(state)
        return False
    _mark_published(message.pk)
    return True


def _send(task, message: OutboxMessage, connection) -> None:
    # A connection of its own (not the app's pool) so that the broker is the one configured now.
    task.apply_async(
        args=message.args,
        kwargs=message.kwargs,
        connection=connection,
        # Every publish of this row is the same task run: notices sent once key on it.
        task_id=task_id_of(message.pk),
        # Nothing reads task results; asking for one would also make the producer wait on the
        # result store (the same Redis) for ~20 s when it is down.
        ignore_result=True,
        retry=True,
        retry_policy=PUBLISH_RETRY,
    )


def task_id_of(message_id: int) -> str:
    return f"outbox-{message_id}"


# A claim older than this whose mail is not marked sent belongs to a sender that died.
NOTICE_CLAIM_STALE = dt.timedelta(minutes=10)


def send_once(task_request, scope: str, send) -> bool:
    """Call *send()* unless this task run already sent the notice *scope* names; True if sent.

    The key is the task id (the same for every publish of one outbox row, and for a message the
    broker delivers again) plus *scope* (e.g. the recipients' unit). A failed send gives the
    claim back so a retry can send; a run without a task id (called directly) always sends.
    """
    if not getattr(task_request, "id", None):
        send()
        return True
    key = f"{task_request.id}:{scope}"[:255]
    now = timezone.now()
    try:
        with transaction.atomic():
            SentNotice.objects.create(key=key, claimed_at=now)
    except IntegrityError:
        taken_over = SentNotice.objects.filter(
            key=key, sent_at__isnull=True, claimed_at__lt=now - NOTICE_CLAIM_STALE
        ).update(claimed_at=now)
        if not taken_over:
            return False
    try:
        send()
    except BaseException:
        SentNotice.objects.filter(key=key, sent_at__isnull=True).delete()
        raise
    SentNotice.objects.filter(key=key).update(sent_at=timezone.now())
    return True


def _mark_published(message_id: int) -> None:
    OutboxMessage.objects.filter(pk=message_id).update(
        status=OutboxMessage.Status.PUBLISHED, published_at=timezone.now(), last_error=""
    )


def _tell_the_user(state: QueueState | None) -> None:
    if state is None:
        return
    first = not state.unreachable
    state.unreachable = True
    if first and state.request is not None:
        messages.warning(
            state.request,
            _(
                "Dữ liệu của bạn đã được lưu. Hàng đợi xử lý nền tạm thời không hoạt động nên "
                "việc tạo tệp PDF, gửi thư điện tử chưa chạy được; hệ thống sẽ tự chạy khi hàng "
                "đợi hoạt động trở lại, bạn không cần làm lại thao tác."
            ),
            fail_silently=True,
        )


def outbox_pending_count() -> int:
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count()


def outbox_flush(*, min_age: dt.timedelta = FLUSH_MIN_AGE, limit: int = 1000) -> int:
    """Publish pending rows older than *min_age*, oldest first; stop at the first broker error.

    Each row is locked while it is published (``skip_locked``), so two flushes running at once
    never publish the same row twice. Returns how many rows were published.
    """
    cutoff = timezone.now() - min_age
    pending = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, created_at__lte=cutoff)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    published = 0
    if pending:
        app = _app()
        with app.connection_for_write() as connection:
            for message_id in pending:
                with transaction.atomic():
                    locked = (
                        OutboxMessage.objects.select_for_update(skip_locked=True)
                        .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
                        .exists()
                    )
                    if not locked:
                        continue
                    if not outbox_publish(message_id=message_id, connection=connection):
                        break
                published += 1
    OutboxMessage.objects.filter(
        status=OutboxMessage.Status.PUBLISHED, published_at__lt=timezone.now() - KEEP_PUBLISHED
    ).delete()
    if published:
        logger.info("outbox: published %s pending task(s)", published)
    return published
