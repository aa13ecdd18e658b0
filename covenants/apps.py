from django.apps import AppConfig


class CovenantsConfig(AppConfig):
    name = "covenants"
    verbose_name = "Giao ước thi đua"

    def ready(self) -> None:
        import covenants.sealing  # noqa: F401  (registers the "covenant" document kind)
        from covenants import permissions  # noqa: F401  (registers the rules)
