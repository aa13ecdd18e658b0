from django.apps import AppConfig


class FreshnessConfig(AppConfig):
    name = "khoi_portal.freshness"
    label = "freshness"
    verbose_name = "Độ mới của dữ liệu (bộ nhớ đệm trang)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from khoi_portal.freshness import tracking

        tracking.connect()
