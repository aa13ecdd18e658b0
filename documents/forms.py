from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.models import Document, DocumentType
from khoi_portal import uploads
from khoi_portal.forms import PortalForm


class DocumentForm(PortalForm):
    doc_type = forms.ModelChoiceField(
        label=_("Loại văn bản"), queryset=DocumentType.objects.filter(is_active=True)
    )
    subject = forms.CharField(
        label=_("Trích yếu"), max_length=500, help_text=_('Với công văn, thư: phần sau "V/v".')
    )
    place = forms.CharField(label=_("Địa danh"), max_length=100)
    parent_body = forms.CharField(label=_("Cơ quan chủ quản"), max_length=255, required=False)
    issuer_name = forms.CharField(
        label=_("Tên cơ quan ban hành"), widget=forms.Textarea(attrs={"rows": 3})
    )
    recipients = forms.CharField(
        label=_("Kính gửi"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    basis = forms.CharField(
        label=_("Căn cứ"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    body = forms.CharField(
        label=_("Nội dung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=Document._meta.get_field("body").help_text,
    )
    distribution = forms.CharField(
        label=_("Nơi nhận"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="- Như trên;\n- Lưu: VT.",
    )
    authority = forms.ChoiceField(
        label=_("Thẩm quyền ký"), choices=Document.Authority.choices, required=False
    )
    signature_heading = forms.CharField(
        label=_("Dòng thẩm quyền"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    signer_title = forms.CharField(label=_("Chức vụ người ký"), max_length=255, required=False)
    signer_name = forms.CharField(label=_("Họ tên người ký"), max_length=120, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def initial_from(cls, document: Document) -> dict:
        names = [name for name in cls.base_fields if name != "version"]
        return {name: getattr(document, name) for name in names} | {"version": document.version}


class IssueForm(PortalForm):
    issued_on = forms.DateField(
        label=_("Ngày ban hành"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    authority = forms.ChoiceField(
        label=_("Thẩm quyền ký"), choices=Document.Authority.choices, required=False
    )
    signature_heading = forms.CharField(
        label=_("Dòng thẩm quyền"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    signer_title = forms.CharField(label=_("Chức vụ người ký"), max_length=255, required=False)
    signer_name = forms.CharField(label=_("Họ tên người ký"), max_length=120)


class BatchForm(PortalForm):
    documents = forms.ModelMultipleChoiceField(
        label=_("Văn bản"), queryset=Document.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    issued_on = forms.DateField(
        label=_("Ngày ban hành"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = queryset


class VerifyUploadForm(PortalForm):
    file = forms.FileField(label=_("Tệp PDF cần kiểm tra"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.check_upload(upload, uploads.VERIFY_PDF)
        return upload


class VerifyLookupForm(PortalForm):
    code = forms.CharField(
        label=_("Mã xác minh"),
        max_length=16,
        # Letters and digits only: the code becomes a path segment ("../x" or "a/b" has no URL).
        validators=[
            RegexValidator(
                r"^\s*[A-Za-z0-9]+\s*$",
                _("Mã xác minh chỉ gồm chữ cái và chữ số, như in ở cuối văn bản."),
            )
        ],
    )
