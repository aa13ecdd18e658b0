"""Emulation covenants (giao ước thi đua) with their signatures; campaigns; bloc documents."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from khoi_portal.fields import NFCCharField, NFCTextField

POINTS = {"max_digits": 12, "decimal_places": 2}


class Covenant(models.Model):
    """One version of a bloc year's covenant. An amendment is a new version and a new round of
    signatures: a signature is bound to the SHA-256 of the text it was given on."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        CONSULTING = "consulting", _("Đang lấy ý kiến")
        SIGNING = "signing", _("Đang ký")
        CLOSED = "closed", _("Đã kết thúc ký")
        SUPERSEDED = "superseded", _("Đã được sửa đổi")

    bloc_year = models.ForeignKey(
        "blocs.BlocYear", on_delete=models.CASCADE, related_name="covenants"
    )
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    title = NFCCharField(_("tiêu đề"), max_length=300)
    preamble = NFCTextField(_("lời mở đầu"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    text_sha256 = models.CharField(_("SHA-256 của nội dung"), max_length=64, blank=True)
    finalized_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    signed_on = models.DateField(_("ngày ký"), null=True, blank=True)
    place = NFCCharField(_("địa điểm ký"), max_length=120, blank=True)
    amends = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amended_by",
        verbose_name=_("sửa đổi phiên bản"),
    )
    amendment_note = NFCTextField(_("nội dung sửa đổi"), blank=True)
    document = models.OneToOneField(
        "documents.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="covenant",
        verbose_name=_("văn bản giao ước đã niêm phong"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["bloc_year", "-version"]
        verbose_name = _("giao ước thi đua")
        verbose_name_plural = _("giao ước thi đua")
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year", "version"], name="covenant_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "consulting"]) | ~Q(text_sha256=""),
                name="covenant_final_has_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.CONSULTING)


class CovenantItem(models.Model):
    covenant = models.ForeignKey(Covenant, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    text = NFCTextField(_("nội dung"))
    target = models.DecimalField(_("chỉ tiêu"), **POINTS, null=True, blank=True)
    target_unit = NFCCharField(_("đơn vị tính"), max_length=50, blank=True)
    criterion = models.ForeignKey(
        "scoring.Criterion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="covenant_items",
        verbose_name=_("tiêu chí chấm điểm"),
    )

    class Meta:
        ordering = ["covenant", "position"]
        verbose_name = _("nội dung giao ước")
        verbose_name_plural = _("nội dung giao ước")

    def __str__(self) -> str:
        return self.text[:80]


class CovenantComment(models.Model):
    """A member's comment on a draft shared for consultation."""

    covenant = models.ForeignKey(Covenant, on_delete=models.CASCADE, related_name="comments")
    unit = models.ForeignKey("blocs.MemberUnit", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = NFCTextField(_("ý kiến"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.unit}: {self.text[:40]}"


def _scan_path(signature: Signature, filename: str) -> str:
    return f"covenants/{signature.covenant_id}/{uuid.uuid4().hex}"


class Signature(models.Model):
    """One member unit's signature of one covenant version, by its leader."""

    class Method(models.TextChoices):
        ONLINE = "online", _("Ký trực tuyến")
        CEREMONY = "ceremony", _("Ký tại hội nghị")
        PAPER = "paper", _("Ký trên giấy")
        DIGITAL = "digital", _("Chữ ký số của đơn vị")

    covenant = models.ForeignKey(Covenant, on_delete=models.PROTECT, related_name="signatures")
    unit = models.ForeignKey(
        "blocs.MemberUnit", on_delete=models.PROTECT, related_name="covenant_signatures"
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="covenant_signatures",
    )
    signer_name = NFCCharField(_("người ký"), max_length=120)
    signer_title = NFCCharField(_("chức vụ"), max_length=200, blank=True)
    method = models.CharField(_("hình thức"), max_length=10, choices=Method.choices)
    signed_at = models.DateTimeField(_("thời điểm ký"))
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    text_sha256 = models.CharField(_("SHA-256 của nội dung đã ký"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scan = models.FileField(_("bản quét / tệp ký số"), upload_to=_scan_path, blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    certificate_subject = NFCTextField(_("chủ thể chứng thư số"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["signed_at"]
        verbose_name = _("chữ ký giao ước")
        verbose_name_plural = _("chữ ký giao ước")
        constraints = [
            # One signature per unit and covenant version, held by the database itself.
            models.UniqueConstraint(fields=["covenant", "unit"], name="signature_once_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.short_name} – {self.covenant}"


class Campaign(models.Model):
    """A movement launched by a bloc for its members, or by a unit for its own staff (seed 001)."""

    bloc = models.ForeignKey(
        "blocs.Bloc", on_delete=models.CASCADE, null=True, blank=True, related_name="campaigns"
    )
    unit = models.ForeignKey(
        "blocs.MemberUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="campaigns",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    title = NFCCharField(_("tên phong trào"), max_length=300)
    plan_reference = NFCCharField(
        _("kế hoạch thực hiện"),
        max_length=300,
        blank=True,
        help_text=_("Ví dụ: Kế hoạch số 16/KH-BQL ngày 06/02/2023"),
    )
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    audience = NFCTextField(_("đối tượng"), blank=True)
    content = NFCTextField(_("nội dung thi đua"), blank=True)
    responsibilities = NFCTextField(_("tổ chức thực hiện"), blank=True)
    launch_document = models.OneToOneField(
        "documents.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("phong trào thi đua")
        verbose_name_plural = _("phong trào thi đua")
        constraints = [
            models.CheckConstraint(
                condition=Q(bloc__isnull=False) | Q(unit__isnull=False), name="campaign_has_owner"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CampaignPhase(models.Model):
    """A phase (đợt) of a campaign and its mid-term review (sơ kết)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("đợt"))
    name = NFCCharField(_("tên đợt"), max_length=300)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    content = NFCTextField(_("nội dung"), blank=True)
    review = NFCTextField(_("kết quả sơ kết"), blank=True)
    reviewed_on = models.DateField(_("ngày sơ kết"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="phase_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="phase_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} – đợt {self.number}"


class BlocDocument(models.Model):
    """The bloc's standing documents: its regulation, scoring rules, fund regulation, yearly plans;
    each versioned, with the decision that adopted it. The regulation carries the rule
    parameters the award ballots use (DOMAIN §4)."""

    class Kind(models.TextChoices):
        REGULATION = "regulation", _("Quy chế hoạt động")
        SCORING_RULES = "scoring_rules", _("Quy định thang điểm")
        FUND = "fund", _("Quy chế quản lý và sử dụng quỹ")
        PLAN = "plan", _("Kế hoạch năm")
        OTHER = "other", _("Văn bản khác")

    bloc = models.ForeignKey(
        "blocs.Bloc", on_delete=models.CASCADE, related_name="standing_documents"
    )
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    title = NFCCharField(_("tên văn bản"), max_length=300)
    decision = NFCCharField(
        _("quyết định ban hành"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: Quyết định số 01/QĐ-KTĐMTNB ngày 21/4/2020"),
    )
    adopted_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    valid_from_year = models.PositiveSmallIntegerField(_("áp dụng từ năm"))
    text = NFCTextField(_("nội dung"), blank=True)
    parameters = models.JSONField(_("tham số quy định"), default=dict, blank=True)
    document = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["bloc", "kind", "-version"]
        verbose_name = _("văn bản của khối")
        verbose_name_plural = _("văn bản của khối")
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "kind", "version"], name="bloc_document_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}: {self.title}"
