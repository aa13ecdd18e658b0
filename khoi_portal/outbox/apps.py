from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "khoi_portal.outbox"
    label = "outbox"
    verbose_name = "Hàng đợi việc chạy nền"
    default_auto_field = "django.db.models.BigAutoField"
