"""Forms of the covenant pages: they read, check and normalise (NFC); the services write.

Uploaded signature files are checked here by their content (never the name or the browser's
content type), so a refused file never reaches the service.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from blocs.models import MemberUnit
from covenants.models import Covenant
from khoi_portal import uploads
from khoi_portal.forms import PortalForm
from scoring.models import Criterion
from scoring.services import detect_evidence_type

# What a paper signature's scan may be, detected from the file's first bytes.
SCAN_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def detect_scan_type(head: bytes) -> str | None:
    """The MIME type of a signature file from its first bytes, if it is a PDF, JPEG or PNG."""
    mime = detect_evidence_type(head)
    return mime if mime in SCAN_TYPES else None


def _check_upload(upload, rule: uploads.Rule):
    # Size, type by content and name: one rule set for every upload (khoi_portal/uploads.py).
    uploads.check_upload(upload, rule)
    return upload


class TargetField(forms.DecimalField):
    """Chỉ tiêu as typed in Vietnam: "2,5" as well as "2.5"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("Hãy nhập một số, ví dụ 100 hoặc 2,5."),
                "max_decimal_places": _("Tối đa 2 chữ số thập phân."),
                "max_digits": _("Số quá lớn."),
                "max_whole_digits": _("Số quá lớn."),
            },
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace(",", ".")
        return super().to_python(value)


# --- drafting ---------------------------------------------------------------------------------


class CovenantCreateForm(PortalForm):
    """A new draft: empty, or with the items of last year's covenant."""

    NEW, COPY = "new", "copy"
    source = forms.ChoiceField(label=_("Cách soạn"), widget=forms.RadioSelect)
    title = forms.CharField(label=_("Tiêu đề"), max_length=300)
    preamble = forms.CharField(
        label=_("Lời mở đầu"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, year: int, previous: Covenant | None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(self.NEW, _("Giao ước trống, nhập từng nội dung"))]
        if previous is not None:
            choices.append(
                (
                    self.COPY,
                    _("Sao chép các nội dung của giao ước năm %(y)s: %(t)s")
                    % {"y": previous.bloc_year.year, "t": previous.title},
                )
            )
        self.fields["source"].choices = choices
        self.fields["source"].initial = self.COPY if previous is not None else self.NEW
        self.fields["title"].initial = _("Giao ước thi đua năm %(y)s") % {"y": year}
        if previous is not None:
            self.fields["preamble"].initial = previous.preamble


class CovenantForm(PortalForm):
    title = forms.CharField(label=_("Tiêu đề"), max_length=300)
    preamble = forms.CharField(
        label=_("Lời mở đầu"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ItemForm(PortalForm):
    text = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 3}))
    target = TargetField(
        label=_("Chỉ tiêu"), help_text=_("Để trống nếu nội dung không có chỉ tiêu số.")
    )
    target_unit = forms.CharField(
        label=_("Đơn vị tính"),
        max_length=50,
        required=False,
        help_text=_("Ví dụ: %, dự án, tỷ đồng."),
    )
    criterion = forms.ModelChoiceField(
        label=_("Tiêu chí chấm điểm tương ứng"),
        queryset=Criterion.objects.none(),
        required=False,
        empty_label=_("(không gắn tiêu chí)"),
        help_text=_("Tiêu chí trong thang điểm của cùng năm."),
    )

    def __init__(self, *args, covenant: Covenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = (
            Criterion.objects.filter(scale__bloc_year=covenant.bloc_year)
            .exclude(kind=Criterion.Kind.GROUP)
            .select_related("scale")
            .order_by("-scale__version", "position")
        )
        self.fields["criterion"].label_from_instance = self._criterion_label

    @staticmethod
    def _criterion_label(criterion: Criterion) -> str:
        return f"{criterion.code}. {criterion.title[:90]} (v{criterion.scale.version})"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("target_unit") and cleaned.get("target") is None:
            self.add_error("target", _("Có đơn vị tính thì hãy nhập chỉ tiêu."))
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        target: Decimal | None = data.get("target")
        return {
            "text": data["text"],
            "target": target,
            "target_unit": data.get("target_unit", ""),
            "criterion": data.get("criterion"),
        }


class CommentForm(PortalForm):
    text = forms.CharField(
        label=_("Ý kiến của đơn vị"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FinalizeForm(PortalForm):
    signed_on = forms.DateField(
        label=_("Ngày ký"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=DATE_INPUT,
        help_text=_("Ngày ký ghi trên giao ước, thường là ngày hội nghị."),
    )
    place = forms.CharField(label=_("Địa điểm ký"), max_length=120, required=False)


class AmendForm(PortalForm):
    note = forms.CharField(
        label=_("Nội dung sửa đổi"),
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "min_length": _("Hãy ghi rõ nội dung sửa đổi."),
            "required": _("Hãy ghi rõ nội dung sửa đổi."),
        },
    )


# --- signing ----------------------------------------------------------------------------------


class SignForm(PortalForm):
    """The leader re-types their password; the hidden hash is the text they were shown."""

    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    password = forms.CharField(
        label=_("Mật khẩu của bạn"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Hãy nhập mật khẩu để ký.")},
    )


class _UnitChoiceForm(PortalForm):
    unit = forms.ModelChoiceField(
        label=_("Đơn vị"),
        queryset=MemberUnit.objects.none(),
        empty_label=_("– Chọn đơn vị –"),
        error_messages={
            "required": _("Hãy chọn đơn vị."),
            "invalid_choice": _("Đơn vị này đã ký hoặc không thuộc khối năm này."),
        },
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = MemberUnit.objects.filter(pk__in=[u.pk for u in units])
        self.fields["unit"].label_from_instance = lambda unit: unit.full_name


class CeremonySignForm(_UnitChoiceForm):
    """On the shared tablet: the leader picks their unit and types their own credentials.
    Nothing is remembered by the browser (a tablet passed from hand to hand)."""

    username = forms.CharField(
        label=_("Tên đăng nhập của lãnh đạo"),
        max_length=150,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "form-control-lg",
            }
        ),
        error_messages={"required": _("Hãy nhập tên đăng nhập.")},
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "class": "form-control-lg"}),
        error_messages={"required": _("Hãy nhập mật khẩu.")},
    )

    def __init__(self, *args, present: set[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.attrs["class"] = "form-select-lg"
        self.helper.label_class = "fs-5"
        if present is not None:
            # At a conference only the units checked in sign here; the others are marked so the
            # leader is not asked for a password the service would refuse anyway.
            self.fields["unit"].label_from_instance = lambda unit: (
                unit.full_name
                if unit.pk in present
                else gettext("%(unit)s (chưa điểm danh)") % {"unit": unit.full_name}
            )

    def clean_password(self):
        password = self.cleaned_data["password"]
        # As at the login page (blocs.forms.LoginForm): the demo accounts' published password
        # never signs anything on a production portal.
        if not settings.DEBUG and password == settings.DEMO_PASSWORD:
            raise forms.ValidationError(
                _(
                    "Mật khẩu mẫu không được dùng khi cổng vận hành chính thức. "
                    "Lãnh đạo cần đặt lại "
                    "mật khẩu trước khi ký."
                ),
                code="demo_password",
            )
        return password


class PaperSignatureForm(_UnitChoiceForm):
    signer_name = forms.CharField(label=_("Họ tên người ký"), max_length=120)
    signer_title = forms.CharField(label=_("Chức vụ"), max_length=200, required=False)
    signed_on = forms.DateField(label=_("Ngày ký"), input_formats=DATE_FORMATS, widget=DATE_INPUT)
    scan = forms.FileField(
        label=_("Bản quét giao ước đã ký"),
        help_text=_("PDF, JPEG hoặc PNG, tối đa 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, covenant: Covenant, **kwargs):
        self.covenant = covenant
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].initial = timezone.localdate()

    def clean_signed_on(self):
        day: dt.date = self.cleaned_data["signed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Ngày ký không được ở tương lai."))
        if (
            self.covenant.finalized_at
            and day < timezone.localtime(self.covenant.finalized_at).date()
        ):
            raise forms.ValidationError(_("Ngày ký không được trước ngày chốt nội dung giao ước."))
        return day

    def clean_scan(self):
        return _check_upload(self.cleaned_data["scan"], uploads.SIGNATURE_SCAN)

    def signed_at(self) -> dt.datetime:
        """The day typed, at the moment of recording if that is today, else at noon (local)."""
        day = self.cleaned_data["signed_on"]
        now = timezone.localtime()
        if day == now.date():
            return now
        return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


class DigitalSignatureForm(PortalForm):
    file = forms.FileField(
        label=_("Tệp PDF giao ước đã ký số"),
        help_text=_(
            "Tệp PDF của giao ước (ghi mã SHA-256 của nội dung), đã ký bằng chứng thư "
            "số của đơn vị; tối đa 10 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def clean_file(self):
        return _check_upload(self.cleaned_data["file"], uploads.SIGNED_PDF)
