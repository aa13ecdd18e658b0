from django.apps import AppConfig


class BlocsConfig(AppConfig):
    name = "blocs"
    verbose_name = "Khối thi đua"

    def ready(self) -> None:
        from khoi_portal import db

        db.connect()
        from blocs import dashboard, permissions  # noqa: F401  (register the dashboard provider, the rules)
        from khoi_portal import tasks_dashboard  # noqa: F401  (the year's tasks on the dashboard)
