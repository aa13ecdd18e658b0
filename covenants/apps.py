from django.apps import AppConfig


class CovenantsConfig(AppConfig):
    name = "covenants"
    verbose_name = "Giao ước thi đua"

    def ready(self) -> None:
        from covenants import permissions  # noqa: F401  (registers the rules)
