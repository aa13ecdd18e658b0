"""Forms of the awards pages: they validate and normalise (NFC), the services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from awards.models import AwardType
from blocs.models import MemberUnit
from khoi_portal import uploads
from khoi_portal.forms import PortalForm


class AwardChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", _("— Chọn hình thức —"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: AwardType) -> str:
        return f"{obj.name} ({obj.get_recipient_display().lower()})"


class ExclusionForm(PortalForm):
    """A hard condition a member fails this year (discipline, a required title)."""

    unit = forms.ModelChoiceField(
        label=_("Đơn vị"), queryset=MemberUnit.objects.none(), empty_label=_("— Chọn đơn vị —")
    )
    award_type = AwardChoiceField(
        label=_("Hình thức khen thưởng"),
        queryset=AwardType.objects.none(),
        required=False,
        empty_label=_("Mọi hình thức"),
    )
    reason = forms.CharField(
        label=_("Lý do không đủ điều kiện"),
        max_length=300,
        help_text=_("Ví dụ: có cán bộ bị kỷ luật trong năm."),
    )

    def __init__(self, *args, units, award_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["award_type"].queryset = award_types


class NominationForm(PortalForm):
    """A nomination. The secretariat proposes any member unit; a unit's people only their own unit
    (the unit field then offers that unit alone) and must attach the achievement report, whose
    type the service checks by content."""

    award_type = AwardChoiceField(
        label=_("Hình thức khen thưởng"), queryset=AwardType.objects.none()
    )
    unit = forms.ModelChoiceField(
        label=_("Đơn vị"), queryset=MemberUnit.objects.none(), empty_label=_("— Chọn đơn vị —")
    )
    person_name = forms.CharField(
        label=_("Họ tên cá nhân"),
        max_length=120,
        required=False,
        help_text=_("Chỉ ghi khi đề nghị khen cá nhân."),
    )
    person_title = forms.CharField(label=_("Chức vụ"), max_length=200, required=False)
    note = forms.CharField(
        label=_("Tóm tắt thành tích"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    report = forms.FileField(
        label=_("Báo cáo thành tích"),
        required=False,
        help_text=_("PDF, Word hoặc ảnh; tối đa 10 MB."),
    )

    def __init__(self, *args, units, award_types, report_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["award_type"].queryset = award_types
        if units.count() == 1:
            self.fields["unit"].initial = units.first()
            self.fields["unit"].empty_label = None
        self.fields["report"].required = report_required

    def clean_report(self):
        report = self.cleaned_data.get("report")
        if report is not None:
            uploads.check_upload(report, uploads.ACHIEVEMENT_REPORT)
        return report

    def clean(self):
        cleaned = super().clean()
        award_type = cleaned.get("award_type")
        if (
            award_type is not None
            and award_type.recipient == AwardType.Recipient.INDIVIDUAL
            and not cleaned.get("person_name")
        ):
            self.add_error("person_name", _("Hãy ghi họ tên cá nhân được đề nghị."))
        if award_type is not None and award_type.recipient == AwardType.Recipient.COLLECTIVE:
            cleaned["person_name"], cleaned["person_title"] = "", ""
        return cleaned


class DefaultNominationsForm(PortalForm):
    """The secretariat's default candidates: the first eligible units by ranking."""

    award_type = AwardChoiceField(
        label=_("Hình thức khen thưởng"), queryset=AwardType.objects.none(), to_field_name="code"
    )
    count = forms.IntegerField(
        label=_("Số đơn vị"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_("Để trống: theo quy chế của khối."),
    )

    def __init__(self, *args, award_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_type"].queryset = award_types


class AwardDocumentIssueForm(PortalForm):
    """What the secretariat fills in to issue the minutes or the submission."""

    issued_on = forms.DateField(
        label=_("Ngày ban hành"), widget=forms.DateInput(attrs={"type": "date"})
    )
    place = forms.CharField(label=_("Địa danh"), max_length=100)
    signature_heading = forms.CharField(
        label=_("Dòng thẩm quyền"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Mỗi dòng một dòng, ví dụ: TM. KHỐI THI ĐUA …"),
    )
    signer_title = forms.CharField(label=_("Chức vụ người ký"), max_length=255, required=False)
    signer_name = forms.CharField(label=_("Họ tên người ký"), max_length=120)

    def __init__(self, *args, prefix_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if prefix_id:
            self.auto_id = f"id_{prefix_id}_%s"
