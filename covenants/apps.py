from django.apps import AppConfig


class CovenantsConfig(AppConfig):
    name = "covenants"
    verbose_name = "Giao ước thi đua"
