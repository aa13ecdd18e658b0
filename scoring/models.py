"""The standard scoring scale, score sheets with evidence, verification, and their history.

Scores are Decimals with two places (steps of 0.25 are common). Each entry carries a copy
of its item's maximum so the database itself refuses a score above it.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from khoi_portal.fields import NFCCharField, NFCTextField

POINTS = {"max_digits": 7, "decimal_places": 2}


class Scale(models.Model):
    """One version of a bloc year's standard scoring scale (quy định thang điểm chuẩn)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang soạn")
        LOCKED = "locked", _("Đã khóa")

    bloc_year = models.ForeignKey("blocs.BlocYear", on_delete=models.CASCADE, related_name="scales")
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    title = NFCCharField(_("tên thang điểm"), max_length=300)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sao chép từ"),
    )
    change_note = NFCTextField(_("nội dung thay đổi"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["bloc_year", "-version"]
        verbose_name = _("thang điểm")
        verbose_name_plural = _("thang điểm")
        constraints = [
            models.UniqueConstraint(fields=["bloc_year", "version"], name="scale_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.LOCKED


class Criterion(models.Model):
    """A group (I, II, …) or an item (1, 2, …) of a scale, with its maximum (điểm chuẩn)."""

    class Kind(models.TextChoices):
        GROUP = "group", _("Nhóm tiêu chí")
        NORMAL = "normal", _("Tiêu chí")
        BONUS = "bonus", _("Điểm thưởng")
        DEDUCTION = "deduction", _("Điểm trừ")

    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.NORMAL)
    code = NFCCharField(_("STT"), max_length=12)
    title = NFCTextField(_("nội dung"))
    max_points = models.DecimalField(_("điểm chuẩn"), **POINTS, default=Decimal("0"))
    guidance = NFCTextField(_("hướng dẫn chấm"), blank=True)
    evidence_required = models.BooleanField(_("yêu cầu minh chứng"), default=False)
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scale", "position"]
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_points__gte=0), name="criterion_max_not_negative"
            ),
            # Items are matched by STT when a new version of a scale is applied.
            models.UniqueConstraint(fields=["scale", "code"], name="criterion_code_unique"),
            models.CheckConstraint(
                condition=Q(kind="group") | Q(parent__isnull=False), name="criterion_item_has_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title[:60]}"

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP


class Round(models.Model):
    """The scoring of one bloc year: which scale, the step, the deadline, reminders."""

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Chuẩn bị")
        OPEN = "open", _("Đang chấm điểm")
        CLOSED = "closed", _("Đã hết hạn")
        PUBLISHED = "published", _("Đã công bố kết quả")

    bloc_year = models.OneToOneField(
        "blocs.BlocYear", on_delete=models.CASCADE, related_name="scoring_round"
    )
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="rounds")
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PREPARING
    )
    step = models.DecimalField(_("bước điểm"), **POINTS, default=Decimal("0.25"))
    deadline = models.DateTimeField(_("hạn nộp"))
    reminder_days = models.PositiveSmallIntegerField(_("nhắc trước (ngày)"), default=3)
    difference_flag = models.DecimalField(
        _("mức chênh lệch cần chú ý"), **POINTS, default=Decimal("2")
    )
    peer_review = models.BooleanField(_("chấm chéo giữa các đơn vị"), default=False)
    opened_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đợt chấm điểm")
        verbose_name_plural = _("đợt chấm điểm")
        constraints = [models.CheckConstraint(condition=Q(step__gt=0), name="round_step_positive")]

    def __str__(self) -> str:
        return f"Chấm điểm {self.bloc_year}"


class Sheet(models.Model):
    """One member unit's score sheet for a round."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang chấm")
        SUBMITTED = "submitted", _("Đã gửi, chờ lãnh đạo xác nhận")
        CONFIRMED = "confirmed", _("Lãnh đạo đã xác nhận")
        LOCKED = "locked", _("Đã khóa (hết hạn)")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="sheets")
    unit = models.ForeignKey(
        "blocs.MemberUnit", on_delete=models.PROTECT, related_name="score_sheets"
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(default=1)  # bumped by every save: the stale-save check
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_late = models.BooleanField(_("nộp muộn"), default=False)
    reopen_reason = NFCTextField(_("lý do mở lại"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "unit__full_name"]
        verbose_name = _("phiếu chấm điểm")
        verbose_name_plural = _("phiếu chấm điểm")
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="sheet_unique")]

    def __str__(self) -> str:
        return f"{self.unit.short_name} – {self.round.bloc_year}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Entry(models.Model):
    """A score for one item of a sheet: self score and the verified score beside it."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="entries")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="entries")
    max_points = models.DecimalField(
        **POINTS
    )  # copy of the criterion's: lets the DB check the bound
    self_score = models.DecimalField(_("tự chấm"), **POINTS, null=True, blank=True)
    explanation = NFCTextField(_("diễn giải"), blank=True)
    verified_score = models.DecimalField(_("điểm thẩm định"), **POINTS, null=True, blank=True)
    verifier_comment = NFCTextField(_("nhận xét thẩm định"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    unit_reply = NFCTextField(_("ý kiến của đơn vị"), blank=True)
    # Every save of a sheet writes 60 history rows (issue #8): no index on the two keys no
    # history query filters on, and no foreign-key check of the author at each commit (users
    # are deactivated, never deleted; Django still sets the author to NULL if one is).
    history = HistoricalRecords(no_db_index=["criterion", "verified_by"], user_db_constraint=False)

    class Meta:
        ordering = ["sheet", "criterion__position"]
        verbose_name = _("điểm tiêu chí")
        verbose_name_plural = _("điểm tiêu chí")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="entry_unique"),
            models.CheckConstraint(
                condition=Q(self_score__isnull=True)
                | (Q(self_score__gte=0) & Q(self_score__lte=F("max_points"))),
                name="entry_self_score_in_bounds",
            ),
            models.CheckConstraint(
                condition=Q(verified_score__isnull=True)
                | (Q(verified_score__gte=0) & Q(verified_score__lte=F("max_points"))),
                name="entry_verified_score_in_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} · {self.criterion.code}"

    @property
    def final_score(self) -> Decimal | None:
        return self.verified_score if self.verified_score is not None else self.self_score


def _evidence_path(evidence: Evidence, filename: str) -> str:
    # Random, unguessable names; never served from a public URL (see views.evidence_download).
    return f"evidence/{evidence.entry.sheet.round_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=_evidence_path)
    original_name = NFCCharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")

    def __str__(self) -> str:
        return self.original_name


class PeerAssignment(models.Model):
    """A unit assigned to verify another unit's sheet (chấm chéo), never its own."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="peer_assignments")
    reviewer = models.ForeignKey("blocs.MemberUnit", on_delete=models.CASCADE, related_name="+")
    sheet = models.OneToOneField(Sheet, on_delete=models.CASCADE, related_name="peer_assignment")
    sheet_unit = models.ForeignKey("blocs.MemberUnit", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(reviewer=F("sheet_unit")), name="peer_not_own_sheet"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer.short_name} → {self.sheet_unit.short_name}"


class Reminder(models.Model):
    """A reminder e-mail sent for a sheet on a day: the daily task never sends it twice."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="reminders")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sheet", "day"], name="reminder_once_a_day")]

    def __str__(self) -> str:
        return f"{self.sheet} · {self.day:%d/%m/%Y}"
