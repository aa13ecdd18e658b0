from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Hội nghị"

    def ready(self) -> None:
        import meetings.documents  # noqa: F401  (registers the minutes and year-report document kinds)
        from meetings import permissions  # noqa: F401  (registers the rules)
