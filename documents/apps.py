from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Văn bản, sổ văn bản đi"

    def ready(self) -> None:
        from documents import dashboard, permissions  # noqa: F401  (register the provider and rules)
