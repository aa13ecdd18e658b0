"""The leader's form naming the unit's voting delegate: it validates, the service writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from awards.models import BallotRound
from blocs.models import User
from khoi_portal.forms import PortalForm


class DelegateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        details = [obj.job_title or obj.get_unit_role_display()]
        return f"{obj.get_full_name()} – {', '.join(d for d in details if d)}"


class DelegateForm(PortalForm):
    """Whom the leader names, for the whole year or one round, and why (shown to the secretariat)."""

    delegate = DelegateChoiceField(
        label=_("Người được ủy quyền bỏ phiếu"),
        queryset=User.objects.none(),
        empty_label=_("— Chọn người của đơn vị —"),
        help_text=_("Cán bộ hoặc phó lãnh đạo của đơn vị có tài khoản trên Khối Portal."),
    )
    ballot_round = forms.ModelChoiceField(
        label=_("Phạm vi ủy quyền"),
        queryset=BallotRound.objects.none(),
        required=False,
        empty_label=_("Mọi vòng bỏ phiếu của năm"),
        help_text=_("Chọn một vòng nếu chỉ ủy quyền cho vòng đó."),
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        max_length=300,
        required=False,
        help_text=_("Ví dụ: Phó Trưởng ban dự hội nghị và bỏ phiếu thay."),
    )

    def __init__(self, *args, people, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = people
        self.fields["ballot_round"].queryset = rounds
