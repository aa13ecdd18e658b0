from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from blocs.models import User
from khoi_portal.forms import NFCFormMixin, PortalForm


class LoginForm(NFCFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": _("Tài khoản này đã bị khóa."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        # AuthenticationForm sets max_length after the field is built, so nothing checks it:
        # a longer name reached authenticate() and django-axes' 255-character record of the
        # failure (a server error on PostgreSQL).
        self.fields["username"].validators.append(
            MaxLengthValidator(self.fields["username"].max_length)
        )
        self.fields["password"].label = _("Mật khẩu")

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        from django.conf import settings

        # Demo accounts share a published password: never let it open a production portal.
        if not settings.DEBUG and user.check_password(settings.DEMO_PASSWORD):
            raise forms.ValidationError(
                _(
                    "Mật khẩu mẫu không được dùng khi cổng vận hành chính thức. Hãy đặt lại mật khẩu."
                ),
                code="demo_password",
            )


class PersonInviteForm(PortalForm):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=255)
    email = forms.EmailField(label=_("Thư điện tử"))
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None, empty_label=None)
    role = forms.ChoiceField(label=_("Vai trò"), choices=User.UnitRole.choices)
    job_title = forms.CharField(label=_("Chức vụ"), max_length=200, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=60, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Đã có tài khoản dùng địa chỉ thư điện tử này."))
        return email


class PersonForm(PortalForm):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=255)
    job_title = forms.CharField(label=_("Chức vụ"), max_length=200, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=60, required=False)
    role = forms.ChoiceField(label=_("Vai trò"), choices=User.UnitRole.choices)
    in_secretariat = forms.BooleanField(
        label=_("Thành viên thường trực khối năm này"),
        required=False,
        help_text=_("Cán bộ của đơn vị Khối trưởng luôn thuộc thường trực khối."),
    )
