"""Forms of the ballot pages: a new round, opening it, the ballot itself and the paper tally.

They read, check and normalise; whether a ballot may be cast (the round open, the unit not yet
voted, no more than N choices) is the service's decision, so the rule has one place and one
message.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from awards.models import AwardType, BallotRound, Candidate, Nomination
from blocs.models import MemberUnit
from khoi_portal.forms import PortalForm
from meetings.models import Meeting

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PURPOSES = [("award", _("Bình xét khen thưởng")), ("election", _("Bầu Khối trưởng, Khối phó"))]


class NominationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Nomination) -> str:
        where = " – " + gettext("hạng %(rank)s") % {"rank": obj.rank} if obj.rank else ""
        return f"{obj.award_type.name}: {obj.label}{where}"


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: MemberUnit) -> str:
        return obj.full_name


class RoundCreateForm(PortalForm):
    """A round on an award (among its nominations) or an election (among the member units)."""

    purpose = forms.ChoiceField(label=_("Mục đích"), choices=PURPOSES, initial="award")
    award_type = forms.ModelChoiceField(
        label=_("Hình thức khen thưởng"),
        queryset=AwardType.objects.none(),
        required=False,
        empty_label=_("— chọn hình thức —"),
    )
    title = forms.CharField(label=_("Tên vòng bỏ phiếu"), max_length=300)
    nominations = NominationChoiceField(
        label=_("Ứng viên (đề cử)"),
        queryset=Nomination.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Bình xét khen thưởng: chọn các đề cử của đúng hình thức đã chọn."),
    )
    units = UnitChoiceField(
        label=_("Ứng viên (đơn vị thành viên)"),
        queryset=MemberUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Chỉ dùng khi bầu Khối trưởng, Khối phó."),
    )
    max_choices = forms.IntegerField(
        label=_("Mỗi phiếu chọn tối đa"), min_value=1, max_value=50, initial=1
    )
    seats = forms.IntegerField(label=_("Số suất"), min_value=1, max_value=50, initial=1)
    mode = forms.ChoiceField(
        label=_("Hình thức bỏ phiếu"),
        choices=BallotRound.Mode.choices,
        initial=BallotRound.Mode.ELECTRONIC,
    )
    held_on = forms.DateField(
        label=_("Ngày bỏ phiếu"),
        required=False,
        widget=DATE_INPUT,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )

    def __init__(self, *args, award_types, nominations, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_type"].queryset = award_types
        self.fields["nominations"].queryset = nominations
        self.fields["units"].queryset = units

    def clean(self):
        cleaned = super().clean()
        purpose = cleaned.get("purpose")
        award_type, nominations = cleaned.get("award_type"), list(cleaned.get("nominations") or [])
        units = list(cleaned.get("units") or [])
        if purpose == "award":
            if award_type is None:
                self.add_error("award_type", _("Hãy chọn hình thức khen thưởng."))
            elif any(n.award_type_id != award_type.pk for n in nominations):
                self.add_error(
                    "nominations",
                    _("Chỉ chọn đề cử của hình thức “%(name)s”.") % {"name": award_type.name},
                )
            if not nominations:
                self.add_error("nominations", _("Hãy chọn ít nhất một ứng viên."))
            if units:
                self.add_error("units", _("Bình xét khen thưởng chọn ứng viên trong các đề cử."))
            count = len(nominations)
        else:
            if not units:
                self.add_error("units", _("Hãy chọn ít nhất một đơn vị ứng viên."))
            if nominations:
                self.add_error(
                    "nominations",
                    _("Bầu Khối trưởng, Khối phó chọn ứng viên là đơn vị thành viên."),
                )
            count = len(units)
        for name in ("max_choices", "seats"):
            if count and (cleaned.get(name) or 0) > count:
                self.add_error(name, _("Không được lớn hơn số ứng viên (%(n)s).") % {"n": count})
        return cleaned


class ConferenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Meeting) -> str:
        return f"{obj.title} ({timezone.localtime(obj.starts_at):%d/%m/%Y})"


class RoundOpenForm(PortalForm):
    """Opening the vote. At a conference the units present come from check-in (counted now and
    kept until the round closes); only a round without a conference (paper ballots sent in, a
    remote vote) takes a typed number. *conference* is ``meetings.selectors.round_conference``."""

    def __init__(self, *args, members: int, conference=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.conference = conference
        choices = conference.choices if conference is not None else Meeting.objects.none()
        if conference is not None and (conference.default or choices.exists()):
            field = ConferenceChoiceField(
                label=_("Bỏ phiếu tại hội nghị"),
                queryset=choices,
                required=False,
                empty_label=_("— Không gắn với hội nghị (phiếu gửi về, bỏ phiếu từ xa) —"),
                initial=conference.default,
                help_text=_(
                    "Tại hội nghị: số đơn vị có mặt lấy theo điểm danh lúc mở bỏ phiếu và giữ "
                    "nguyên đến khi kết thúc (số liệu ghi vào biên bản kiểm phiếu)."
                ),
            )
            if conference.linked is not None:
                field.disabled = True  # on that conference's agenda already
            self.fields["meeting"] = field
        self.fields["present_units"] = forms.IntegerField(
            label=_("Số đơn vị có mặt (chỉ khi không gắn với hội nghị)"),
            required=False,
            min_value=0,
            max_value=members,
            help_text=_(
                "Bỏ phiếu không gắn với hội nghị: nhập số đơn vị tham gia; để trống nếu tính "
                "theo số đơn vị đã bỏ phiếu."
            ),
            error_messages={
                "max_value": _(
                    "Số đơn vị có mặt không quá %(limit_value)s (số đơn vị thành viên)."
                ),
                "min_value": _("Số đơn vị có mặt không âm."),
                "invalid": _("Hãy nhập một số nguyên."),
            },
        )

    def clean(self):
        cleaned = super().clean()
        meeting = cleaned.get("meeting")
        required = self.conference.required if self.conference is not None else None
        if meeting is None and required is not None:
            self.add_error(
                "meeting",
                _(
                    "Vòng bỏ phiếu tại hội nghị “%(title)s”: số đơn vị có mặt lấy theo điểm "
                    "danh, không nhập tay."
                )
                % {"title": required.title},
            )
        elif meeting is not None and cleaned.get("present_units") is not None:
            self.add_error(
                "present_units",
                _("Vòng gắn với hội nghị lấy số đơn vị có mặt theo điểm danh; để trống ô này."),
            )
        return cleaned


class BallotForm(PortalForm):
    """The ballot: the unit's one-time secret (hidden) and the ticked candidates."""

    secret = forms.CharField(widget=forms.HiddenInput, max_length=100)
    choices = forms.TypedMultipleChoiceField(
        label=_("Ứng viên"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidates: list[Candidate], max_choices: int, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["choices"]
        field.choices = [(c.pk, c.label) for c in candidates]
        field.label = gettext("Chọn tối đa %(n)s ứng viên") % {"n": max_choices}
        field.widget.attrs["data-max-choices"] = max_choices


class PaperTallyForm(PortalForm):
    """The counting committee's totals: ballots issued, returned and valid, votes per candidate."""

    issued = forms.IntegerField(label=_("Số phiếu phát ra"), min_value=0)
    returned = forms.IntegerField(label=_("Số phiếu thu về"), min_value=0)
    valid = forms.IntegerField(label=_("Số phiếu hợp lệ"), min_value=0)

    def __init__(self, *args, candidates: list[Candidate], **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for candidate in candidates:
            self.fields[f"votes_{candidate.pk}"] = forms.IntegerField(
                label=gettext("Số phiếu bầu cho %(who)s") % {"who": candidate.label}, min_value=0
            )

    def votes(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"votes_{c.pk}"] for c in self.candidates}

    @classmethod
    def initial_from(cls, tally) -> dict:
        if tally is None:
            return {}
        initial = {
            "issued": tally.ballots_issued,
            "returned": tally.ballots_returned,
            "valid": tally.ballots_valid,
        }
        initial |= {f"votes_{k}": v for k, v in tally.votes.items()}
        return initial
