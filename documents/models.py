"""Official documents in the Decree 30/2020 layout and the register of outgoing documents.

One numbering series per issuing body (its symbol) per calendar year, shared by every
document type, as Decree 30/2020 Appendix I prescribes.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from khoi_portal.fields import NFCCharField, NFCTextField
from khoi_portal.lib.vietnamese import document_number


class DocumentType(models.Model):
    """A document type and its code (QĐ, BC, GM, …): data, so a bloc can keep "TM" for Thư mời."""

    code = NFCCharField(
        _("ký hiệu"),
        max_length=10,
        unique=True,
        blank=True,
        help_text=_("Để trống cho công văn (số văn bản chỉ gồm ký hiệu cơ quan)."),
    )
    name = NFCCharField(_("tên loại"), max_length=100, unique=True)
    is_letter = models.BooleanField(
        _("là công văn, thư"),
        default=False,
        help_text=_('Văn bản dạng thư ghi "V/v …" dưới số, không in tên loại.'),
    )
    is_official = models.BooleanField(_("theo Nghị định 30/2020"), default=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("loại văn bản")
        verbose_name_plural = _("loại văn bản")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name

    @property
    def title_caps(self) -> str:
        return self.name.upper()


class NumberSeries(models.Model):
    """The last number given in one issuing body's series for one calendar year."""

    issuer_symbol = NFCCharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer_symbol", "year"], name="series_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer_symbol} {self.year}: {self.last_number}"


def _verification_code() -> str:
    # 10 characters of an unambiguous alphabet: ~50 bits, short enough to type from paper.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def _pdf_path(document: Document, filename: str) -> str:
    return (
        f"documents/{document.issued_on.year if document.issued_on else 'nhap'}/{document.uid}.pdf"
    )


class Document(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ISSUED = "issued", _("Đã phát hành")
        DISTRIBUTED = "distributed", _("Đã gửi")

    class Authority(models.TextChoices):
        NONE = "", _("Ký trực tiếp")
        TM = "TM.", _("TM. (thay mặt tập thể)")
        KT = "KT.", _("KT. (ký thay người đứng đầu)")
        TL = "TL.", _("TL. (thừa lệnh)")
        TUQ = "TUQ.", _("TUQ. (thừa ủy quyền)")
        Q = "Q.", _("Q. (quyền)")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("mẫu văn bản"), max_length=40, default="generic")
    bloc = models.ForeignKey(
        "blocs.Bloc",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("khối"),
    )
    unit = models.ForeignKey(
        "blocs.MemberUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("đơn vị ban hành"),
    )
    doc_type = models.ForeignKey(
        DocumentType, on_delete=models.PROTECT, verbose_name=_("loại văn bản")
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )

    # The header, as printed (a snapshot: names change, an issued document does not).
    parent_body = NFCCharField(_("cơ quan chủ quản"), max_length=255, blank=True)
    issuer_name = NFCTextField(_("tên cơ quan ban hành"), help_text=_("Mỗi dòng in một dòng."))
    issuer_symbol = NFCCharField(_("ký hiệu cơ quan ban hành"), max_length=40)
    place = NFCCharField(_("địa danh"), max_length=100)

    subject = NFCCharField(_("trích yếu"), max_length=500)
    recipients = NFCTextField(_("kính gửi"), blank=True, help_text=_("Mỗi nơi một dòng."))
    basis = NFCTextField(_("căn cứ"), blank=True, help_text=_("Mỗi căn cứ một dòng."))
    body = NFCTextField(
        _("nội dung"),
        blank=True,
        help_text=_(
            'Đoạn cách nhau bằng dòng trống; dòng bắt đầu bằng "- " là gạch đầu dòng; '
            "*chữ nghiêng*, **chữ đậm**."
        ),
    )
    distribution = NFCTextField(_("nơi nhận"), blank=True, help_text=_("Mỗi nơi một dòng."))
    extra = models.JSONField(_("dữ liệu riêng của mẫu"), default=dict, blank=True)
    landscape = models.BooleanField(_("khổ ngang"), default=False)

    authority = models.CharField(
        _("thẩm quyền ký"), max_length=5, choices=Authority.choices, blank=True
    )
    signature_heading = NFCTextField(
        _("dòng thẩm quyền"),
        blank=True,
        help_text=_("Ví dụ: TM. KHỐI THI ĐUA TÂY NAM BỘ / KT. TRƯỞNG KHỐI, mỗi dòng một dòng."),
    )
    signer_title = NFCCharField(_("chức vụ người ký"), max_length=255, blank=True)
    signer_name = NFCCharField(_("họ tên người ký"), max_length=120, blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signed_documents",
        verbose_name=_("người ký"),
    )

    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    number_year = models.PositiveSmallIntegerField(_("năm của sổ"), null=True, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issued_at = models.DateTimeField(_("thời điểm phát hành"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verification_code = models.CharField(
        _("mã xác minh"), max_length=16, unique=True, null=True, blank=True
    )
    pdf = models.FileField(_("tệp PDF"), upload_to=_pdf_path, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    render_error = models.TextField(blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("thay thế văn bản"),
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)  # optimistic lock for draft edits
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-number_year", "-number", "-created_at"]
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_symbol", "number_year", "number"],
                condition=Q(number__isnull=False),
                name="document_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(number__isnull=False) & Q(issued_on__isnull=False)),
                name="document_issued_has_number",
            ),
            models.CheckConstraint(
                condition=Q(bloc__isnull=False) | Q(unit__isnull=False), name="document_has_issuer"
            ),
        ]
        indexes = [models.Index(fields=["bloc", "number_year"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.number_text or _('Dự thảo')} – {self.subject}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def number_text(self) -> str:
        """ "01/TM-KTĐMTNB"; empty for a draft."""
        if self.number is None:
            return ""
        return document_number(self.number, self.doc_type.code, self.issuer_symbol)

    @property
    def is_pdf_ready(self) -> bool:
        return bool(self.pdf) and bool(self.sha256)

    def lines(self, field: str) -> list[str]:
        return [line.strip() for line in getattr(self, field).splitlines() if line.strip()]

    @staticmethod
    def new_verification_code() -> str:
        return _verification_code()


class Delivery(models.Model):
    """One e-mail of an issued document to one recipient: every attempt is logged here."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Lỗi")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="deliveries")
    unit = models.ForeignKey(
        "blocs.MemberUnit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = NFCCharField(_("người nhận"), max_length=255)
    email = models.EmailField(_("thư điện tử"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lần gửi văn bản")
        verbose_name_plural = _("lần gửi văn bản")
        constraints = [
            models.UniqueConstraint(fields=["document", "email"], name="delivery_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.email}: {self.status}"


def _zip_path(batch: Batch, filename: str) -> str:
    return f"batches/{batch.uid}.zip"


class Batch(models.Model):
    """Long work on many documents (issue and render 30 letters), with progress for the browser."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang xử lý")
        DONE = "done", _("Hoàn thành")
        FAILED = "failed", _("Có lỗi")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    bloc = models.ForeignKey("blocs.Bloc", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    documents = models.ManyToManyField(Document, related_name="batches")
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(blank=True)
    archive = models.FileField(upload_to=_zip_path, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Batch {self.uid} ({self.done}/{self.total})"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100
