from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Nhật ký hoạt động"

    def ready(self) -> None:
        from audit import dashboard, history_managers, permissions  # noqa: F401  (registers)

        history_managers.install()
