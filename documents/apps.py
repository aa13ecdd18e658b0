from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Văn bản, sổ văn bản đi"

    def ready(self) -> None:
        from documents import permissions  # noqa: F401  (registers the rules)
