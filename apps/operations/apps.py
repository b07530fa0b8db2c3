from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "apps.operations"
    label = "operations"
    verbose_name = "Operations: health, readiness and metrics"

    def ready(self) -> None:
        from apps.operations import signals  # noqa: F401  (Celery task outcome counters)
