from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Hội nghị"

    def ready(self) -> None:
        from meetings import permissions  # noqa: F401  (registers the rules)
