"""Forms of the two-factor pages: they validate, the services in blocs.two_factor decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from khoi_portal.forms import PortalForm


class CodeForm(PortalForm):
    """A six-digit code from the authenticator app or, where accepted, a recovery code."""

    otp_token = forms.CharField(
        label=_("Mã xác thực"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, digits_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["otp_token"].widget
        if digits_only:
            widget.attrs.update({"inputmode": "numeric", "pattern": "[0-9 ]*"})
            self.fields["otp_token"].help_text = _("6 chữ số đang hiện trên ứng dụng xác thực.")
        else:
            self.fields["otp_token"].help_text = _(
                "6 chữ số trên ứng dụng xác thực, hoặc một mã dự phòng (mỗi mã dùng được một lần)."
            )


class ResetForm(PortalForm):
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=200,
        required=False,
        help_text=_("Ví dụ: mất điện thoại, đổi máy. Được ghi vào lịch sử tài khoản."),
    )


class AccountSearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm người dùng"), max_length=100, required=False)
