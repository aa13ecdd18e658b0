"""The sources read from django-axes' login tables."""

from __future__ import annotations

from django.apps import apps
from django.db.models import OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.sources.base import Event, EventKind, Source, in_bloc_at_the_time, who
from blocs.models import User

# --- logins (django-axes) --------------------------------------------------------------------


class LoginSource(Source):
    """Successful logins (axes' AccessLog), with the logout time when there was one."""

    key, kind = "login", EventKind.LOGIN
    id_field, date_field = "id", "attempt_time"
    model_name = "AccessLog"
    related: tuple[str, ...] = ("second_step",)  # how the session passed the second step

    @property
    def model(self):
        return apps.get_model("axes", self.model_name)

    def rows(self):
        return self.model.objects.order_by()

    def in_scope(self, rows, scope):
        # The person's unit was a member of the bloc in the year of the login.
        return in_bloc_at_the_time(
            rows, scope, self.date_field, Q(unit__people__username=OuterRef("username"))
        )

    def by_user(self, rows, user):
        return rows.filter(username=user.username)

    def load(self, ids):
        logs = self.model.objects.filter(pk__in=ids)
        if self.related:
            logs = logs.select_related(*self.related)
        logs = list(logs)
        people = {
            person.username: person
            for person in User.objects.filter(username__in={log.username for log in logs})
            .select_related("unit")
            .order_by()
        }
        return {log.pk: self.event(log, people.get(log.username)) for log in logs}

    def text(self, log) -> str:
        text = _("Đăng nhập")
        if log.ip_address:
            text += " " + _("từ địa chỉ IP %(ip)s") % {"ip": log.ip_address}
        # django-axes writes the entry at the password step; the second step, if any, is noted
        # against it (blocs.two_factor.second_step_pass).
        step = getattr(log, "second_step", None)
        if step is None:
            text += "; " + _("chỉ qua bước mật khẩu")
        else:
            text += "; " + _("qua bước hai bằng %(method)s lúc %(time)s") % {
                "method": step.get_method_display(),
                "time": formats.date_format(timezone.localtime(step.passed_at), "H:i:s"),
            }
        if log.logout_time:
            text += "; " + _("đăng xuất lúc %(time)s") % {
                "time": formats.date_format(timezone.localtime(log.logout_time), "H:i:s d/m/Y")
            }
        return text

    def event(self, log, person) -> Event:
        return Event(
            when=log.attempt_time,
            who=who(person) if person else (log.username or "?"),
            kind=self.kind,
            text=self.text(log),
            place=person.unit.short_name if person and person.unit else "",
        )


class LoginFailureSource(LoginSource):
    """Failed logins (axes' AccessFailureLog): the name typed, and whether it locked the account."""

    key = "login_failure"
    model_name = "AccessFailureLog"
    related = ()

    def text(self, log) -> str:
        values = {"name": log.username or ""}
        if log.path_info == reverse("two_factor_verify"):
            # blocs.two_factor counts a wrong second-step code as a failed login too.
            text = _("Nhập sai mã xác thực hai bước, tên đăng nhập «%(name)s»") % values
        else:
            text = _("Đăng nhập không thành công với tên đăng nhập «%(name)s»") % values
        if log.ip_address:
            text += " " + _("từ địa chỉ IP %(ip)s") % {"ip": log.ip_address}
        if log.locked_out:
            text += "; " + _("tài khoản bị tạm khóa")
        return text
