"""Forms of the conference-day pages: delegate registration and substitution, check-in, the
rotation order and the election of next year's chair and vice.

They read, check and normalise (NFC); whether a unit may still register, whether a QR code is
valid, who may be elected, is the services' decision.
"""

from __future__ import annotations

import datetime as dt

from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from blocs.models import MemberUnit
from khoi_portal.forms import PortalForm

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
# Rows offered at once; "Thêm dòng" on the page asks for more (no JavaScript needed).
DELEGATE_ROWS = 3
MAX_DELEGATE_ROWS = 20


# --- registration ---------------------------------------------------------------------------


class DelegateForm(PortalForm):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=120)
    title = forms.CharField(label=_("Chức vụ"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Điện thoại"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        help_text=_("Mã QR điểm danh được gửi vào địa chỉ này."),
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )
    arrival_date = forms.DateField(
        label=_("Ngày đến"), required=False, widget=DATE_INPUT, input_formats=DATE_FORMATS
    )
    arrives_day_before = forms.BooleanField(label=_("Đến trước một ngày"), required=False)
    needs_pickup = forms.BooleanField(label=_("Cần đón tiếp"), required=False)

    def __init__(self, *args, meeting_day: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting_day = meeting_day
        self.helper.layout = Layout(
            Row(Column("full_name", css_class="col-md-6"), Column("title", css_class="col-md-6")),
            Row(Column("phone", css_class="col-md-6"), Column("email", css_class="col-md-6")),
            Row(
                Column("arrival_date", css_class="col-md-4"),
                Column("arrives_day_before", css_class="col-md-4"),
                Column("needs_pickup", css_class="col-md-4"),
                css_class="align-items-center",
            ),
        )

    def clean(self):
        cleaned = super().clean()
        arrival, day_before = cleaned.get("arrival_date"), cleaned.get("arrives_day_before")
        if arrival and arrival > self.meeting_day:
            self.add_error("arrival_date", _("Ngày đến không được sau ngày hội nghị."))
        elif arrival and arrival < self.meeting_day:
            cleaned["arrives_day_before"] = True
        elif day_before and not arrival:
            cleaned["arrival_date"] = self.meeting_day - dt.timedelta(days=1)
        return cleaned


class BaseDelegateFormSet(forms.BaseFormSet):
    def __init__(self, *args, meeting_day: dt.date, **kwargs):
        self.meeting_day = meeting_day
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "meeting_day": self.meeting_day}

    def delegates(self) -> list[dict]:
        """The filled-in rows, in the order typed."""
        return [
            form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data
        ]


def delegate_formset(*, extra: int = DELEGATE_ROWS):
    return forms.formset_factory(
        DelegateForm,
        formset=BaseDelegateFormSet,
        extra=extra,
        max_num=MAX_DELEGATE_ROWS,
        validate_max=True,
        # A posted TOTAL_FORMS of 9999 would otherwise build and re-render max_num + 1000 forms.
        absolute_max=MAX_DELEGATE_ROWS,
    )


class RegistrationForm(PortalForm):
    declined = forms.BooleanField(
        label=_("Đơn vị không tham dự hội nghị"),
        required=False,
        help_text=_("Chọn mục này thay cho danh sách đại biểu."),
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, has_delegates: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_delegates = has_delegates

    def check_with(self, delegates: list[dict]) -> bool:
        """Either delegates or "không tham dự", never both."""
        declined = self.cleaned_data.get("declined")
        if declined and delegates:
            self.add_error("declined", _("Đã chọn không tham dự thì không ghi đại biểu."))
        elif declined and self.has_delegates:
            self.add_error(
                "declined", _("Đơn vị đã có đại biểu đăng ký; hãy liên hệ thường trực khối để hủy.")
            )
        elif not declined and not delegates:
            self.add_error(None, _("Hãy ghi ít nhất một đại biểu, hoặc chọn không tham dự."))
        return not self.errors


class SubstituteForm(PortalForm):
    full_name = forms.CharField(label=_("Họ và tên người thay"), max_length=120)
    title = forms.CharField(label=_("Chức vụ"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Điện thoại"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        help_text=_("Mã QR mới được gửi vào địa chỉ này; mã cũ không còn dùng được."),
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )


# --- check-in -------------------------------------------------------------------------------


class CheckInForm(PortalForm):
    # Scanners "type" the token and press Enter; phones must not capitalise or correct it.
    token = forms.CharField(
        label=_("Mã QR của đại biểu"),
        max_length=200,
        error_messages={"required": _("Hãy quét hoặc nhập mã QR.")},
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "none",
                "autocorrect": "off",
                "spellcheck": "false",
                "enterkeyhint": "go",
                "class": "form-control-lg",
                "data-check-in-token": "",
            }
        ),
    )


# --- rotation and election ------------------------------------------------------------------


class RotationForm(PortalForm):
    """A position for each member unit; a blank position leaves the unit out of the rotation."""

    def __init__(self, *args, units: list[MemberUnit], positions: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        for unit in units:
            self.fields[f"unit_{unit.pk}"] = forms.IntegerField(
                label=unit.full_name,
                required=False,
                min_value=1,
                max_value=len(units),
                initial=positions.get(unit.pk),
                widget=forms.NumberInput(
                    attrs={"class": "rotation-position", "inputmode": "numeric"}
                ),
                error_messages={
                    "min_value": _("Thứ tự từ 1."),
                    "max_value": _("Thứ tự không quá %(limit_value)s."),
                },
            )

    def clean(self):
        cleaned = super().clean()
        seen: dict[int, str] = {}
        for unit in self.units:
            position = cleaned.get(f"unit_{unit.pk}")
            if position is None:
                continue
            if position in seen:
                self.add_error(
                    f"unit_{unit.pk}",
                    _("Thứ tự %(n)s trùng với %(other)s.")
                    % {"n": position, "other": seen[position]},
                )
            seen[position] = unit.short_name
        if not seen and not self.errors:
            raise forms.ValidationError(_("Hãy ghi thứ tự cho ít nhất một đơn vị."))
        return cleaned

    def ordered_units(self) -> list[MemberUnit]:
        placed = [
            (self.cleaned_data[f"unit_{u.pk}"], u)
            for u in self.units
            if self.cleaned_data.get(f"unit_{u.pk}") is not None
        ]
        return [unit for _position, unit in sorted(placed, key=lambda pair: pair[0])]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: MemberUnit) -> str:
        return obj.full_name


class ElectionForm(PortalForm):
    chair = UnitChoiceField(
        label=_("Đề cử Khối trưởng"),
        queryset=MemberUnit.objects.none(),
        empty_label=_("— chọn đơn vị —"),
    )
    vice = UnitChoiceField(
        label=_("Đề cử Khối phó"),
        queryset=MemberUnit.objects.none(),
        empty_label=_("— chọn đơn vị —"),
    )

    def __init__(self, *args, units, kind_word: str = "Khối", **kwargs):
        super().__init__(*args, **kwargs)
        for name, role in (("chair", _("trưởng")), ("vice", _("phó"))):
            self.fields[name].queryset = units
            self.fields[name].label = _("Đề cử %(kind)s %(role)s") % {
                "kind": kind_word,
                "role": role,
            }

    def clean(self):
        cleaned = super().clean()
        chair, vice = cleaned.get("chair"), cleaned.get("vice")
        if chair and vice and chair.pk == vice.pk:
            self.add_error("vice", _("Khối trưởng và Khối phó phải là hai đơn vị khác nhau."))
        return cleaned


class ElectionApplyForm(PortalForm):
    handed_on = forms.DateField(
        label=_("Ngày trao cờ luân lưu"),
        widget=DATE_INPUT,
        input_formats=DATE_FORMATS,
        error_messages={"required": _("Hãy ghi ngày trao cờ."), "invalid": _("Ngày không hợp lệ.")},
    )
