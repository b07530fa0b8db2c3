from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "apps.progress"
    label = "progress"
    verbose_name = "Progress and plans"

    def ready(self) -> None:
        from apps.accounts.export import register_export_section
        from apps.progress.selectors import export_section

        register_export_section("progress", export_section)
