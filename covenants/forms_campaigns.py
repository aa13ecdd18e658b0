"""Forms of the campaign and bloc-document pages: they validate and normalise, services write."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from covenants.campaign_documents import (
    LETTER,
    PLAN,
    REGULATION_DEFAULTS,
    TIE_BREAKS,
    VOTE_BASES,
    parse_share,
)
from covenants.models import BlocDocument, CampaignPhase
from khoi_portal.forms import PortalForm

PHASES_INLINE = 4  # phases offered on the create page; more can be added on the campaign's page


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs
    )


def _text(label: str, rows: int = 4, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _check_period(form: forms.Form, starts: dt.date | None, ends: dt.date | None) -> None:
    if starts and ends and ends < starts:
        form.add_error("ends_on", _("Ngày kết thúc phải sau ngày bắt đầu."))


# --- campaigns --------------------------------------------------------------------------------


class CampaignForm(PortalForm):
    owner = forms.ChoiceField(label=_("Đơn vị phát động"))
    title = forms.CharField(label=_("Tên phong trào"), max_length=300)
    plan_reference = forms.CharField(
        label=_("Kế hoạch thực hiện"),
        max_length=300,
        required=False,
        help_text=_("Ví dụ: Kế hoạch số 16/KH-BQL ngày 06/02/2023"),
    )
    starts_on = _date(_("Từ ngày"))
    ends_on = _date(_("Đến ngày"))
    year = forms.IntegerField(
        label=_("Năm thi đua"),
        min_value=2000,
        max_value=2100,
        required=False,
        help_text=_("Để trống: năm của ngày bắt đầu."),
    )
    audience = _text(_("Đối tượng"), rows=2, required=False)
    content = _text(
        _("Nội dung thi đua"), rows=6, required=False, help_text=_("Mỗi nội dung một dòng.")
    )
    responsibilities = _text(
        _("Tổ chức thực hiện"),
        rows=5,
        required=False,
        help_text=_("Mỗi đơn vị, bộ phận và việc của mình một dòng."),
    )

    def __init__(self, *args, owners: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners
        if len(owners) == 1:
            self.fields["owner"].initial = owners[0][0]

    def clean(self):
        cleaned = super().clean()
        _check_period(self, cleaned.get("starts_on"), cleaned.get("ends_on"))
        if cleaned.get("starts_on") and not cleaned.get("year"):
            cleaned["year"] = cleaned["starts_on"].year
        return cleaned


class PhaseForm(PortalForm):
    name = forms.CharField(
        label=_("Tên đợt"),
        max_length=300,
        help_text=_("Ví dụ: Thi đua lập thành tích hoàn thành xuất sắc nhiệm vụ 6 tháng cuối năm"),
    )
    starts_on = _date(_("Từ ngày"))
    ends_on = _date(_("Đến ngày"))
    content = _text(
        _("Nội dung riêng của đợt"),
        rows=3,
        required=False,
        help_text=_("Để trống nếu như nội dung của phong trào."),
    )

    def clean(self):
        cleaned = super().clean()
        _check_period(self, cleaned.get("starts_on"), cleaned.get("ends_on"))
        return cleaned


class BasePhaseFormSet(forms.BaseFormSet):
    def phases(self) -> list[dict]:
        """The filled-in phases, in the order typed (numbered 1, 2, … by the service)."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.has_changed() and form.cleaned_data and not self._should_delete_form(form)
        ]

    def check_within(self, starts: dt.date, ends: dt.date) -> bool:
        """Each phase must fall inside the campaign's period: the error lands on that phase."""
        ok = True
        for form in self.forms:
            data = form.cleaned_data if form.has_changed() else None
            if (
                data
                and data.get("starts_on")
                and data.get("ends_on")
                and (data["starts_on"] < starts or data["ends_on"] > ends)
            ):
                form.add_error(None, _("Đợt thi đua phải nằm trong thời gian của phong trào."))
                ok = False
        return ok


PhaseFormSet = forms.formset_factory(
    PhaseForm,
    formset=BasePhaseFormSet,
    extra=PHASES_INLINE,
    max_num=PHASES_INLINE,
    validate_max=True,
    # A posted TOTAL_FORMS of 9999 would otherwise build and re-render max_num + 1000 forms.
    absolute_max=PHASES_INLINE,
)


class PhaseEditForm(PhaseForm):
    number = forms.IntegerField(label=_("Đợt số"), min_value=1, max_value=50)

    field_order = ["number", "name", "starts_on", "ends_on", "content"]

    @classmethod
    def initial_from(cls, phase: CampaignPhase) -> dict:
        return {
            name: getattr(phase, name)
            for name in ("number", "name", "starts_on", "ends_on", "content")
        }


class PhaseReviewForm(PortalForm):
    review = _text(
        _("Kết quả sơ kết"),
        rows=6,
        help_text=_("Kết quả đạt được, tập thể và cá nhân tiêu biểu, tồn tại và hướng khắc phục."),
    )
    reviewed_on = _date(_("Ngày sơ kết"), initial=timezone.localdate)


class LaunchForm(PortalForm):
    # Rendered inline beside the button on the campaign's page, hence the explicit classes.
    kind = forms.ChoiceField(
        label=_("Loại văn bản"),
        initial=LETTER,
        choices=[(LETTER, _("Công văn (V/v phát động thi đua …)")), (PLAN, _("Kế hoạch"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    phase = forms.ModelChoiceField(
        label=_("Phát động cho"),
        queryset=CampaignPhase.objects.none(),
        required=False,
        empty_label=_("Cả phong trào"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = CampaignPhase.objects.filter(campaign=campaign).order_by(
            "number"
        )
        self.fields["phase"].label_from_instance = lambda p: f"Đợt {p.number}: {p.name}"


# --- the bloc's standing documents ------------------------------------------------------------


class ShareField(forms.CharField):
    """A share as people write it ("2/3", "50%", "0,5"), cleaned to an exact fraction "2/3"."""

    default_error_messages = {
        "invalid": _("Hãy nhập một tỷ lệ như 2/3, 50% hoặc 0,5 (lớn hơn 0, tối đa 100%).")
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return ""
        try:
            return str(parse_share(value))
        except (ValueError, ZeroDivisionError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("1", _("Có")), ("0", _("Không"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )


PARAMETER_FIELDS = (
    "quorum",
    "vote_base",
    "pass_share",
    "pass_strict",
    "flag_nominees",
    "merit_max_share",
    "tie_break",
    "secret_ballot",
)


class BlocDocumentForm(PortalForm):
    kind = forms.ChoiceField(label=_("Loại văn bản"), choices=BlocDocument.Kind.choices)
    title = forms.CharField(label=_("Tên văn bản"), max_length=300)
    decision = forms.CharField(
        label=_("Quyết định ban hành"),
        max_length=200,
        required=False,
        help_text=_("Ví dụ: Quyết định số 01/QĐ-KTĐMTNB ngày 21/4/2020"),
    )
    adopted_on = _date(_("Ngày ban hành"), required=False)
    valid_from_year = forms.IntegerField(label=_("Áp dụng từ năm"), min_value=2000, max_value=2100)
    text = _text(_("Nội dung"), rows=10, required=False)
    # The regulation's rule parameters (DOMAIN §4): ignored for the other kinds.
    quorum = ShareField(
        label=_("Số thành viên có mặt tối thiểu để bỏ phiếu hợp lệ"),
        required=False,
        help_text=_("Tỷ lệ trên tổng số thành viên, ví dụ 2/3."),
    )
    vote_base = forms.ChoiceField(
        label=_("Tỷ lệ phiếu tính trên"), choices=list(VOTE_BASES.items()), required=False
    )
    pass_share = ShareField(
        label=_("Tỷ lệ phiếu để được đề nghị"), required=False, help_text=_("Ví dụ 50% hoặc 1/2.")
    )
    pass_strict = forms.TypedChoiceField(
        label=_("Cách so sánh"),
        required=False,
        coerce=lambda v: v == "gt",
        choices=[("gt", _("Trên tỷ lệ (ví dụ: trên 50%)")), ("gte", _("Từ tỷ lệ trở lên"))],
    )
    flag_nominees = forms.IntegerField(
        label=_("Số tập thể đề nghị Cờ thi đua của Bộ"), min_value=0, max_value=20, required=False
    )
    merit_max_share = ShareField(
        label=_("Tỷ lệ tối đa đề nghị Bằng khen của Bộ trưởng"),
        required=False,
        help_text=_("Trên tổng số thành viên, ví dụ 30%. Để trống nếu quy chế không quy định."),
    )
    tie_break = forms.ChoiceField(
        label=_("Khi số phiếu bằng nhau"), choices=list(TIE_BREAKS.items()), required=False
    )
    secret_ballot = _yes_no(_("Bỏ phiếu kín"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secret_ballot"].required = False
        for name in PARAMETER_FIELDS:
            self.fields[name].initial = _initial(REGULATION_DEFAULTS[name], name)

    @classmethod
    def initial_from(cls, document: BlocDocument, *, year: int) -> dict:
        """Start a new version from the latest one: same text and parameters, a new decision."""
        initial = {
            "kind": document.kind,
            "title": document.title,
            "text": document.text,
            "valid_from_year": year,
        }
        for name in PARAMETER_FIELDS:
            if name in document.parameters:
                initial[name] = _initial(document.parameters[name], name)
        return initial

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == BlocDocument.Kind.REGULATION:
            for name in (
                "quorum",
                "vote_base",
                "pass_share",
                "pass_strict",
                "flag_nominees",
                "tie_break",
            ):
                if cleaned.get(name) in (None, ""):
                    self.add_error(name, _("Quy chế hoạt động cần tham số này."))
            if cleaned.get("secret_ballot") in (None, ""):
                self.add_error("secret_ballot", _("Quy chế hoạt động cần tham số này."))
        return cleaned

    def parameters(self) -> dict:
        """The rule parameters for a regulation; nothing for the other kinds."""
        data = self.cleaned_data
        if data["kind"] != BlocDocument.Kind.REGULATION:
            return {}
        parameters = {name: data[name] for name in PARAMETER_FIELDS}
        if not parameters["merit_max_share"]:
            del parameters["merit_max_share"]
        return parameters


def _initial(value, name: str):
    """A stored parameter as its form field expects it."""
    if name == "pass_strict":
        return "gt" if value else "gte"
    if name == "secret_ballot":
        return "1" if value else "0"
    return value
