from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = "Bình xét khen thưởng"

    def ready(self) -> None:
        import awards.documents  # noqa: F401  (registers the minutes and submission document kinds)
        from awards import permissions  # noqa: F401  (registers the rules)
