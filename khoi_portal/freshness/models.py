from django.db import models


class DataVersion(models.Model):
    """The current token of one app's data. A new random token (never a counter: a restored
    backup must not bring back a token that keys pages cached before the restore) replaces it
    after every committed write to the app's tables."""

    scope = models.CharField(max_length=40, primary_key=True)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "phiên bản dữ liệu"
        verbose_name_plural = "phiên bản dữ liệu"

    def __str__(self) -> str:
        return f"{self.scope}: {self.token}"
