"""Blocs, member units, their dated memberships, bloc years, people and roles."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from simple_history.models import HistoricalRecords

from khoi_portal.fields import NFCCharField, NFCTextField, VietnameseNameField


class Authority(models.Model):
    """A supervising body (ministry) that blocs report to, e.g. Bộ Kế hoạch và Đầu tư."""

    name = VietnameseNameField(_("tên cơ quan"), unique=True)
    short_name = NFCCharField(_("tên viết tắt"), max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cơ quan chủ quản")
        verbose_name_plural = _("cơ quan chủ quản")

    def __str__(self) -> str:
        return self.name


class Province(models.Model):
    """A province as it existed between two dates: the 2025 merger ended many of them."""

    name = VietnameseNameField(_("tên tỉnh, thành phố"))
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("sáp nhập vào"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("tỉnh, thành phố")
        verbose_name_plural = _("tỉnh, thành phố")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "valid_from"], name="province_name_from_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="province_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MemberUnit(models.Model):
    """A government agency that belongs to blocs, e.g. a provincial zones management board."""

    full_name = VietnameseNameField(_("tên đầy đủ"), unique=True)
    short_name = NFCCharField(_("tên ngắn"), max_length=120)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="units", verbose_name=_("tỉnh, thành phố")
    )
    address = NFCCharField(_("địa chỉ"), max_length=300, blank=True)
    phone = NFCCharField(_("điện thoại"), max_length=60, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    website = models.URLField(_("trang thông tin điện tử"), blank=True)
    head_name = NFCCharField(_("họ tên thủ trưởng"), max_length=120, blank=True)
    head_title = NFCCharField(_("chức vụ thủ trưởng"), max_length=200, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("đơn vị thành viên")
        verbose_name_plural = _("đơn vị thành viên")

    def __str__(self) -> str:
        return self.full_name


class Bloc(models.Model):
    class Kind(models.TextChoices):
        KHOI = "khoi", _("Khối thi đua")
        CUM = "cum", _("Cụm thi đua")

    name = VietnameseNameField(_("tên khối"), unique=True)
    kind = models.CharField(_("loại"), max_length=8, choices=Kind.choices, default=Kind.KHOI)
    symbol = NFCCharField(
        _("ký hiệu văn bản"),
        max_length=30,
        unique=True,
        help_text=_("Dùng trong số văn bản, ví dụ KTĐMTNB trong 01/GM-KTĐMTNB."),
    )
    description = NFCTextField(_("mô tả"), blank=True)
    first_year = models.PositiveSmallIntegerField(_("năm thành lập"), null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(_("năm cuối hoạt động"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("hợp nhất vào"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("khối thi đua")
        verbose_name_plural = _("khối thi đua")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__isnull=True)
                | Q(first_year__isnull=True)
                | Q(last_year__gte=models.F("first_year")),
                name="bloc_years_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_word(self) -> str:
        """ "Khối" or "Cụm", as used in "Khối trưởng" / "Cụm trưởng"."""
        return "Cụm" if self.kind == self.Kind.CUM else "Khối"

    @property
    def kind_name(self) -> str:
        """:attr:`kind_word` in the reader's language ("Bloc" / "Cluster" in English), for the
        interface; documents and stored titles keep :attr:`kind_word`."""
        if self.kind == self.Kind.CUM:
            return pgettext("bloc kind", "Cụm")
        return pgettext("bloc kind", "Khối")


class BlocSupervision(models.Model):
    """Which authority supervised a bloc between two dates (ministries merge: NQ 176/2025)."""

    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="supervisions")
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_until = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        ordering = ["bloc", "valid_from"]
        verbose_name = _("cơ quan chủ quản theo thời gian")
        verbose_name_plural = _("cơ quan chủ quản theo thời gian")

    def __str__(self) -> str:
        return (
            f"{self.bloc.symbol}: {self.authority} ({self.valid_from} – {self.valid_until or '…'})"
        )

    def covers(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class Membership(models.Model):
    """A unit belongs to a bloc from one emulation year to another (inclusive)."""

    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(MemberUnit, on_delete=models.CASCADE, related_name="memberships")
    from_year = models.PositiveSmallIntegerField(_("từ năm"))
    until_year = models.PositiveSmallIntegerField(_("đến năm"), null=True, blank=True)
    note = NFCCharField(_("ghi chú"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["bloc", "from_year"]
        verbose_name = _("thành viên khối theo năm")
        verbose_name_plural = _("thành viên khối theo năm")
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "unit", "from_year"], name="membership_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(until_year__isnull=True) | Q(until_year__gte=models.F("from_year")),
                name="membership_years_ordered",
            ),
        ]
        indexes = [models.Index(fields=["bloc", "from_year", "until_year"])]

    def __str__(self) -> str:
        return (
            f"{self.unit.short_name} ∈ {self.bloc.symbol} {self.from_year}–{self.until_year or '…'}"
        )


class BlocYear(models.Model):
    """One emulation year of one bloc, with its chair (Khối trưởng) and vice (Khối phó)."""

    class Status(models.TextChoices):
        PLANNING = "planning", _("Chuẩn bị")
        ACTIVE = "active", _("Đang thực hiện")
        CLOSED = "closed", _("Đã tổng kết")

    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("năm thi đua"))
    chair = models.ForeignKey(
        MemberUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chaired_years",
        verbose_name=_("đơn vị Khối trưởng"),
    )
    vice = models.ForeignKey(
        MemberUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vice_years",
        verbose_name=_("đơn vị Khối phó"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.PLANNING
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["bloc", "-year"]
        verbose_name = _("năm thi đua của khối")
        verbose_name_plural = _("năm thi đua của khối")
        constraints = [
            models.UniqueConstraint(fields=["bloc", "year"], name="blocyear_unique"),
            models.CheckConstraint(
                condition=Q(chair__isnull=True) | Q(vice__isnull=True) | ~Q(chair=models.F("vice")),
                name="blocyear_chair_not_vice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bloc.symbol} {self.year}"


class User(AbstractUser):
    """A person: an officer or leader of a member unit, or the ministry's emulation office."""

    class UnitRole(models.TextChoices):
        OFFICER = "officer", _("Cán bộ phụ trách thi đua")
        LEADER = "leader", _("Lãnh đạo đơn vị")

    full_name = VietnameseNameField(_("họ và tên"), blank=True)
    job_title = NFCCharField(_("chức vụ"), max_length=200, blank=True)
    phone = NFCCharField(_("điện thoại"), max_length=60, blank=True)
    unit = models.ForeignKey(
        MemberUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("đơn vị"),
    )
    unit_role = models.CharField(
        _("vai trò trong đơn vị"), max_length=10, choices=UnitRole.choices, blank=True
    )
    invitation_sent_at = models.DateTimeField(_("đã gửi thư mời lúc"), null=True, blank=True)
    is_ministry_office = models.BooleanField(
        _("Văn phòng thi đua của Bộ"),
        default=False,
        help_text=_("Xem mọi khối, quản lý khối và đơn vị."),
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=True) & Q(unit_role=""))
                | (Q(unit__isnull=False) & Q(unit_role__in=["officer", "leader"])),
                name="user_unit_role_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_leader(self) -> bool:
        return self.unit_id is not None and self.unit_role == self.UnitRole.LEADER

    @property
    def is_officer(self) -> bool:
        return self.unit_id is not None and self.unit_role == self.UnitRole.OFFICER


class SecretariatAppointment(models.Model):
    """Someone the chair appoints to the bloc secretariat of a year, beyond its own officers."""

    bloc_year = models.ForeignKey(BlocYear, on_delete=models.CASCADE, related_name="appointments")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="appointments")
    appointed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thành viên thường trực khối")
        verbose_name_plural = _("thành viên thường trực khối")
        constraints = [
            models.UniqueConstraint(fields=["bloc_year", "user"], name="appointment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.bloc_year}"
