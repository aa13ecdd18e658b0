"""The audit log's filters (a GET form)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from audit import selectors
from audit.sources import EventKind
from blocs.models import Bloc, User
from khoi_portal.forms import PortalForm

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.unit.short_name})" if obj.unit else name


class AuditFilterForm(PortalForm):
    khoi = forms.ModelChoiceField(
        label=_("Khối"),
        queryset=Bloc.objects.none(),
        required=False,
        empty_label=_("Tất cả các khối"),
    )
    nam = forms.TypedChoiceField(label=_("Năm"), coerce=int, required=False, empty_value=None)
    loai = forms.ChoiceField(
        label=_("Loại sự kiện"),
        required=False,
        choices=[("", _("Tất cả")), *EventKind.choices],
    )
    nguoi = PersonChoiceField(
        label=_("Người thực hiện"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Tất cả"),
    )
    tu_ngay = forms.DateField(
        label=_("Từ ngày"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    den_ngay = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, viewer: User, **kwargs):
        super().__init__(*args, **kwargs)
        if viewer.is_ministry_office:
            self.fields["khoi"].queryset = Bloc.objects.order_by("name")
        else:
            del self.fields["khoi"]
        self.fields["nam"].choices = [("", _("Tất cả"))] + [
            (year, year) for year in selectors.filter_years(viewer)
        ]
        self.fields["nguoi"].queryset = selectors.filter_people(viewer)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("tu_ngay"), cleaned.get("den_ngay")
        if since and until and since > until:
            self.add_error("den_ngay", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return cleaned

    def filters(self) -> selectors.Filters:
        """The filters of the valid fields (an invalid field is shown with its error and not
        applied)."""
        if not self.is_bound:
            return selectors.Filters()
        self.is_valid()
        data = self.cleaned_data
        return selectors.Filters(
            bloc=data.get("khoi"),
            year=data.get("nam"),
            kind=data.get("loai") or "",
            user=data.get("nguoi"),
            since=data.get("tu_ngay"),
            until=data.get("den_ngay") if "den_ngay" not in self.errors else None,
        )
