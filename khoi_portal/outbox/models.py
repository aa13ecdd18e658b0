"""One row per piece of background work, written in the transaction that asked for it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ đưa vào hàng đợi")
        PUBLISHED = "published", _("Đã đưa vào hàng đợi")

    task = models.CharField(_("tác vụ"), max_length=200)
    args = models.JSONField(_("tham số"), default=list, blank=True)
    kwargs = models.JSONField(_("tham số có tên"), default=dict, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("số lần thử đưa vào hàng đợi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    published_at = models.DateTimeField(_("đưa vào hàng đợi lúc"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("việc chạy nền")
        verbose_name_plural = _("việc chạy nền")
        indexes = [
            # The periodic flush reads only pending rows, oldest first.
            models.Index(
                fields=["created_at"], condition=Q(status="pending"), name="outbox_pending"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(published_at__isnull=False),
                name="outbox_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}: {self.get_status_display()}"


class SentNotice(models.Model):
    """A notice e-mail claimed before it is sent, under a key naming the task run and the
    recipients (the outbox gives every publish of one row the same task id): a task the broker
    delivers twice, or the flush publishes twice, sends it once. A claim whose sender died
    before marking it sent is taken over after ``NOTICE_CLAIM_STALE``."""

    key = models.CharField(_("khóa"), max_length=255, unique=True)
    claimed_at = models.DateTimeField(_("nhận gửi lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thư thông báo đã gửi")
        verbose_name_plural = _("thư thông báo đã gửi")

    def __str__(self) -> str:
        return self.key
