"""What the audit log keeps beside the apps' own history: the second step of a sign-in.

django-axes writes a sign-in to its access log at the password step. Whether the session then
passed the second step, and how, is recorded here against that entry, in a table of this app:
a sign-in changes none of the data pages show, so no freshness token (blocs' tables would
change the blocs one at every sign-in).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SecondStep(models.Model):
    """The second sign-in step the session of an access-log entry passed."""

    class Method(models.TextChoices):
        APP = "app", _("mã từ ứng dụng xác thực")
        RECOVERY = "recovery", _("mã dự phòng")

    log = models.OneToOneField(
        "axes.AccessLog", on_delete=models.CASCADE, related_name="second_step"
    )
    passed_at = models.DateTimeField(_("lúc"))
    method = models.CharField(_("bằng"), max_length=10, choices=Method.choices)

    class Meta:
        verbose_name = _("bước xác thực thứ hai")
        verbose_name_plural = _("bước xác thực thứ hai")

    def __str__(self) -> str:
        return f"{self.log_id}: {self.get_method_display()}"
