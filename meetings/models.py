"""Conferences of a bloc year: agenda, invitations, delegates, check-in; rotation and handovers."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from khoi_portal.fields import NFCCharField, NFCTextField


class Meeting(models.Model):
    class Kind(models.TextChoices):
        YEAR_END = "year_end", _("Hội nghị tổng kết")
        MID_YEAR = "mid_year", _("Hội nghị sơ kết")
        COVENANT = "covenant", _("Hội nghị ký kết giao ước")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Chuẩn bị")
        INVITED = "invited", _("Đã gửi giấy mời")
        HELD = "held", _("Đã tổ chức")

    bloc_year = models.ForeignKey(
        "blocs.BlocYear", on_delete=models.CASCADE, related_name="meetings"
    )
    kind = models.CharField(
        _("loại hội nghị"), max_length=10, choices=Kind.choices, default=Kind.YEAR_END
    )
    title = NFCCharField(_("tên hội nghị"), max_length=300)
    starts_at = models.DateTimeField(_("thời gian"))
    host_unit = models.ForeignKey(
        "blocs.MemberUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị đăng cai"),
    )
    address = NFCCharField(_("địa điểm"), max_length=300)
    participants = NFCTextField(_("thành phần tham dự"), blank=True)
    registration_deadline = models.DateTimeField(_("hạn đăng ký đại biểu"), null=True, blank=True)
    contact = NFCTextField(_("liên hệ đón tiếp"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    invitation = models.ForeignKey(
        "documents.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("giấy mời"),
    )
    minutes = models.ForeignKey(
        "documents.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("biên bản hội nghị"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("hội nghị")
        verbose_name_plural = _("hội nghị")

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    """An agenda item and what it acts on; its outcome goes into the minutes."""

    class Action(models.TextChoices):
        ADOPT_REPORT = "adopt_report", _("Thông qua báo cáo tổng kết")
        ADOPT_SUMMARY = "adopt_summary", _("Thông qua biểu tổng hợp chấm điểm")
        AWARD_VOTE = "award_vote", _("Bình xét, bỏ phiếu khen thưởng")
        ELECT = "elect", _("Bầu Khối trưởng, Khối phó")
        HANDOVER = "handover", _("Trao cờ luân lưu")
        SIGN_COVENANT = "sign_covenant", _("Ký kết giao ước thi đua")
        OTHER = "other", _("Nội dung khác")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(default=0)
    action = models.CharField(_("nội dung"), max_length=16, choices=Action.choices)
    title = NFCCharField(_("tiêu đề"), max_length=300)
    ballot_round = models.ForeignKey(
        "awards.BallotRound", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    covenant = models.ForeignKey(
        "covenants.Covenant", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    document = models.ForeignKey(
        "documents.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dự thảo kèm theo"),
    )
    published = models.BooleanField(_("công bố dự thảo"), default=False)
    outcome = NFCTextField(_("kết quả"), blank=True)

    class Meta:
        ordering = ["meeting", "position"]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    """A member unit's answer to the invitation."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="registrations")
    unit = models.ForeignKey("blocs.MemberUnit", on_delete=models.CASCADE, related_name="+")
    declined = models.BooleanField(_("không tham dự"), default=False)
    note = NFCTextField(_("ghi chú"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "unit"], name="registration_once_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.meeting}"


def _qr_token() -> str:
    return secrets.token_urlsafe(18)


class Delegate(models.Model):
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="delegates"
    )
    full_name = NFCCharField(_("họ và tên"), max_length=120)
    title = NFCCharField(_("chức vụ"), max_length=200, blank=True)
    phone = NFCCharField(_("điện thoại"), max_length=40, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    arrival_date = models.DateField(_("ngày đến"), null=True, blank=True)
    arrives_day_before = models.BooleanField(_("đến trước một ngày"), default=False)
    needs_pickup = models.BooleanField(_("cần đón tiếp"), default=False)
    substituted_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="substitutes",
        verbose_name=_("thay bằng"),
    )
    qr_token = models.CharField(max_length=40, unique=True, default=_qr_token)
    qr_sent_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("có mặt lúc"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["registration", "pk"]
        verbose_name = _("đại biểu")
        verbose_name_plural = _("đại biểu")

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_active(self) -> bool:
        return self.substituted_by_id is None


class RegistrationReminder(models.Model):
    """One reminder e-mail to one unit about one conference on one day. The row is the claim:
    the unique (meeting, unit, day) lets only one run (the beat task, the secretariat's button,
    a retry) write it, and only the run that wrote it sends."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminders")
    unit = models.ForeignKey("blocs.MemberUnit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("ngày nhắc"))
    claimed_at = models.DateTimeField(_("nhận gửi lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(_("số người nhận"), default=0)
    error = NFCCharField(_("lỗi gửi thư"), max_length=300, blank=True)

    class Meta:
        ordering = ["meeting", "-day", "unit"]
        verbose_name = _("thư nhắc đăng ký")
        verbose_name_plural = _("thư nhắc đăng ký")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "unit", "day"], name="registration_reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.unit_id} {self.day.isoformat()}"


class RotationEntry(models.Model):
    """The bloc's rotation order of chairs."""

    bloc = models.ForeignKey("blocs.Bloc", on_delete=models.CASCADE, related_name="rotation")
    unit = models.ForeignKey("blocs.MemberUnit", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["bloc", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "unit"], name="rotation_unit_once"),
            models.UniqueConstraint(fields=["bloc", "position"], name="rotation_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.unit}"


class Handover(models.Model):
    """The rotating flag handed from this year's chair to next year's."""

    bloc = models.ForeignKey("blocs.Bloc", on_delete=models.CASCADE, related_name="handovers")
    year = models.PositiveSmallIntegerField(_("năm nhận cờ"))
    from_unit = models.ForeignKey(
        "blocs.MemberUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị trao"),
    )
    to_unit = models.ForeignKey(
        "blocs.MemberUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị nhận"),
    )
    handed_on = models.DateField(_("ngày trao"))
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["bloc", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "year"], name="handover_once_a_year"),
            models.CheckConstraint(
                condition=Q(from_unit__isnull=True) | ~Q(from_unit=models.F("to_unit")),
                name="handover_to_another_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bloc.symbol} {self.year}: {self.from_unit} → {self.to_unit}"
