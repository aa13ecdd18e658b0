"""Forms of the scoring scale pages: they validate and normalise, the services write."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from khoi_portal import uploads
from khoi_portal.forms import PortalForm
from scoring.models import Criterion, Scale

_ROMAN = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
]


def roman(number: int) -> str:
    text = ""
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        text += letters * count
    return text


def next_code(codes: list[str], *, group: bool) -> str:
    """The STT after the scale's last one: II after I for a group, 6 after 5 for an item."""
    if group:
        romans = {roman(n): n for n in range(1, 40)}
        used = [romans[c] for c in codes if c in romans]
        return roman(max(used, default=0) + 1)
    numbers = [int(c) for c in codes if re.fullmatch(r"\d{1,4}", c)]
    return str(max(numbers, default=0) + 1)


class PointsField(forms.DecimalField):
    """Điểm chuẩn as typed in Vietnam: "2,5" as well as "2.5"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 7)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("Hãy nhập một số, ví dụ 10 hoặc 2,5."),
                "min_value": _("Điểm không được âm."),
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


class ScaleCreateForm(PortalForm):
    """A new version of the year's scale: empty, or a copy of last year's latest version."""

    NEW, COPY = "new", "copy"
    source = forms.ChoiceField(label=_("Cách tạo"), widget=forms.RadioSelect)
    title = forms.CharField(
        label=_("Tên thang điểm"),
        max_length=300,
        required=False,
        help_text=_("Khi sao chép, thang điểm giữ tên của bản năm trước."),
    )

    def __init__(self, *args, year: int, previous: Scale | None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(self.NEW, _("Thang điểm trống, nhập tiêu chí hoặc nhập từ tệp XLSX"))]
        if previous is not None:
            choices.append(
                (
                    self.COPY,
                    _("Sao chép thang điểm năm %(y)s: %(s)s")
                    % {"y": previous.bloc_year.year, "s": previous},
                )
            )
        self.fields["source"].choices = choices
        self.fields["source"].initial = self.COPY if previous is not None else self.NEW
        self.fields["title"].initial = _("Thang điểm thi đua năm %(y)s") % {"y": year}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") == self.NEW and not cleaned.get("title"):
            self.add_error("title", _("Hãy đặt tên cho thang điểm."))
        return cleaned


class CriterionForm(PortalForm):
    kind = forms.ChoiceField(
        label=_("Loại"), choices=Criterion.Kind.choices, initial=Criterion.Kind.NORMAL
    )
    parent = forms.ModelChoiceField(
        label=_("Thuộc nhóm"),
        queryset=Criterion.objects.none(),
        required=False,
        empty_label=_("(không – đây là nhóm)"),
        help_text=_("Mỗi tiêu chí, điểm thưởng, điểm trừ nằm trong một nhóm."),
    )
    code = forms.CharField(
        label=_("STT"),
        max_length=12,
        help_text=_(
            "Nhóm đánh số La Mã (I, II…), tiêu chí đánh số 1, 2…; "
            "STT giữ điểm đã chấm khi chuyển phiên bản."
        ),
    )
    title = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 3}))
    max_points = PointsField(label=_("Điểm chuẩn"), help_text=_("Với nhóm: tổng điểm của nhóm."))
    guidance = forms.CharField(
        label=_("Hướng dẫn chấm"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence_required = forms.BooleanField(label=_("Yêu cầu minh chứng"), required=False)

    def __init__(self, *args, scale: Scale, criterion: Criterion | None = None, **kwargs):
        self.scale, self.criterion = scale, criterion
        existing = Criterion.objects.filter(scale=scale).order_by("position")
        if criterion is not None:
            existing = existing.exclude(pk=criterion.pk)
            kwargs["initial"] = kwargs.get("initial") or {
                "kind": criterion.kind,
                "parent": criterion.parent_id,
                "code": criterion.code,
                "title": criterion.title,
                "max_points": criterion.max_points,
                "guidance": criterion.guidance,
                "evidence_required": criterion.evidence_required,
            }
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = existing.filter(kind=Criterion.Kind.GROUP)
        self.taken = set(existing.values_list("code", flat=True))

    @classmethod
    def initial_for_new(cls, *, scale: Scale, kind: str, parent_pk: str | None) -> dict:
        """STT, kind and group proposed for a new row: the next number, under the chosen group."""
        criteria = list(Criterion.objects.filter(scale=scale).order_by("position"))
        group = kind == Criterion.Kind.GROUP
        groups = [c for c in criteria if c.is_group]
        parent = next((g for g in groups if str(g.pk) == parent_pk), groups[-1] if groups else None)
        return {
            "kind": kind if kind in Criterion.Kind.values else Criterion.Kind.NORMAL,
            "code": next_code([c.code for c in criteria], group=group),
            "parent": None if group or parent is None else parent.pk,
        }

    def clean_code(self):
        code = self.cleaned_data["code"].strip().rstrip(".").strip()
        if code in self.taken:
            raise forms.ValidationError(_("STT “%(c)s” đã có trong thang điểm này.") % {"c": code})
        return code

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Criterion.Kind.GROUP:
            cleaned["parent"] = None
        elif kind and cleaned.get("parent") is None:
            self.add_error("parent", _("Hãy chọn nhóm cho tiêu chí."))
        has_children = (
            self.criterion is not None
            and self.criterion.is_group
            and self.criterion.children.exists()
        )
        if kind and kind != Criterion.Kind.GROUP and has_children:
            self.add_error("kind", _("Nhóm đang có tiêu chí, không đổi sang loại khác được."))
        return cleaned


class ScaleImportForm(PortalForm):
    file = forms.FileField(
        label=_("Tệp XLSX"),
        help_text=_(
            "Tối đa 5 MB. Cột: STT | Nội dung | Điểm chuẩn | Loại | Hướng dẫn chấm | "
            "Yêu cầu minh chứng (cột Loại có thể bỏ: STT La Mã là nhóm)."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_show_errors = False  # the page lists the file's bad rows itself

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.check_upload(upload, uploads.SCALE_XLSX)
        from scoring.xlsx import scale_rows_from_xlsx  # openpyxl on first use (issue #8)

        self.rows = scale_rows_from_xlsx(upload)
        return upload


class ScaleVersionForm(PortalForm):
    reason = forms.CharField(
        label=_("Nội dung điều chỉnh"),
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"min_length": _("Hãy ghi rõ lý do điều chỉnh thang điểm.")},
    )


class RoundOpenForm(PortalForm):
    deadline = forms.DateTimeField(
        label=_("Hạn nộp phiếu"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Hết hạn, phiếu chưa gửi tự động khóa."),
    )
    step = PointsField(
        label=_("Bước điểm"),
        initial=Decimal("0.25"),
        min_value=Decimal("0.01"),
        help_text=_("Điểm tự chấm phải là bội số của bước này."),
    )
    reminder_days = forms.IntegerField(
        label=_("Nhắc trước hạn (ngày)"), initial=3, min_value=0, max_value=60
    )
    peer_review = forms.BooleanField(
        label=_("Chấm chéo giữa các đơn vị"),
        required=False,
        help_text=_("Mỗi đơn vị thẩm định phiếu của một đơn vị khác, đổi cặp hằng năm."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].error_messages["min_value"] = _("Bước điểm phải lớn hơn 0.")
        if not self.is_bound:
            soon = timezone.localtime() + dt.timedelta(days=14)
            self.fields["deadline"].initial = soon.replace(
                hour=17, minute=0, second=0, microsecond=0
            )

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("Hạn nộp phải sau thời điểm hiện tại."))
        return deadline
