"""Forms of the conference pages: they validate and normalise (NFC), the services write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from awards.models import BallotRound
from blocs.models import MemberUnit
from covenants.models import Covenant
from documents.models import Document
from khoi_portal.forms import PortalForm
from meetings.models import AgendaItem, Meeting

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _moment(label: str, *, required: bool = True, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Hãy nhập ngày giờ, ví dụ 15/01/2021 09:00.")},
    )


class MeetingForm(PortalForm):
    kind = forms.ChoiceField(label=_("Loại hội nghị"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("Tên hội nghị"), max_length=300)
    starts_at = _moment(_("Thời gian bắt đầu"))
    host_unit = forms.ModelChoiceField(
        label=_("Đơn vị đăng cai"), queryset=MemberUnit.objects.none()
    )
    address = forms.CharField(
        label=_("Địa điểm"),
        max_length=300,
        help_text=_("Ví dụ: Km2126+500, Quốc lộ 1A, đường N2, KCN An Nghiệp, tỉnh Sóc Trăng."),
    )
    participants = forms.CharField(
        label=_("Thành phần tham dự"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    registration_deadline = _moment(
        _("Hạn đăng ký đại biểu"), required=False, help_text=_("Để trống nếu không đặt hạn.")
    )
    contact = forms.CharField(
        label=_("Liên hệ đón tiếp"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ví dụ: đ/c Đỗ Thanh Chiến, Chánh Văn phòng, điện thoại 0907 192132."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_unit"].queryset = units

    @classmethod
    def initial_from(cls, meeting: Meeting) -> dict:
        return {name: getattr(meeting, name) for name in cls.base_fields}

    def clean(self):
        cleaned = super().clean()
        starts, deadline = cleaned.get("starts_at"), cleaned.get("registration_deadline")
        if starts and deadline and deadline > starts:
            self.add_error("registration_deadline", _("Hạn đăng ký phải trước thời gian hội nghị."))
        return cleaned


class _Choice(forms.ModelChoiceField):
    def __init__(self, *args, label_of, **kwargs):
        super().__init__(*args, **kwargs)
        self._label_of = label_of

    def label_from_instance(self, obj) -> str:
        return self._label_of(obj)


def document_label(document: Document) -> str:
    if document.is_draft:
        return _("Dự thảo: %(s)s") % {"s": document.subject}
    return f"{document.number_text} – {document.subject}"


class AgendaItemForm(PortalForm):
    action = forms.ChoiceField(label=_("Nội dung"), choices=AgendaItem.Action.choices)
    title = forms.CharField(label=_("Tiêu đề"), max_length=300)
    ballot_round = _Choice(
        label=_("Vòng bỏ phiếu"),
        queryset=BallotRound.objects.none(),
        required=False,
        label_of=lambda r: f"{r.title} ({r.get_status_display().lower()})",
    )
    covenant = _Choice(
        label=_("Giao ước thi đua"),
        queryset=Covenant.objects.none(),
        required=False,
        label_of=lambda c: f"{c.title} (v{c.version}, {c.get_status_display().lower()})",
    )
    document = _Choice(
        label=_("Dự thảo, văn bản kèm theo"),
        queryset=Document.objects.none(),
        required=False,
        label_of=document_label,
    )
    published = forms.BooleanField(
        label=_("Công bố trên trang thông báo công khai"),
        required=False,
        help_text=_(
            "Trang thông báo chỉ ghi tên dự thảo; văn bản đã phát hành có đường dẫn tới "
            "trang xác minh."
        ),
    )
    outcome = forms.CharField(
        label=_("Kết quả"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ghi vào biên bản hội nghị."),
    )

    def __init__(self, *args, ballot_rounds, covenants, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ballot_round"].queryset = ballot_rounds
        self.fields["covenant"].queryset = covenants
        self.fields["document"].queryset = documents

    @classmethod
    def initial_from(cls, item: AgendaItem) -> dict:
        return {name: getattr(item, name) for name in cls.base_fields}


class MinutesForm(PortalForm):
    issued_on = forms.DateField(
        label=_("Ngày ban hành"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    place = forms.CharField(label=_("Địa danh"), max_length=100)
    secretary_name = forms.CharField(
        label=_("Thư ký hội nghị"),
        max_length=120,
        required=False,
        help_text=_("Để trống: người phát hành biên bản."),
    )
    signature_heading = forms.CharField(
        label=_("Dòng thẩm quyền"), widget=forms.Textarea(attrs={"rows": 2})
    )
    signer_title = forms.CharField(label=_("Chức vụ người ký"), max_length=255, required=False)
    signer_name = forms.CharField(label=_("Chủ tọa (họ tên người ký)"), max_length=120)


class SendForm(PortalForm):
    issued_on = forms.DateField(
        label=_("Ngày ban hành giấy mời"),
        input_formats=DATE_FORMATS,
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
