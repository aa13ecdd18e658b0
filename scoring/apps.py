from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Chấm điểm thi đua"

    def ready(self) -> None:
        import scoring.summary  # noqa: F401  (registers the summary-table document kind)
        from scoring import permissions  # noqa: F401  (registers the rules)
